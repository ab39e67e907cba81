// bench/peers-interop.ts: edgelb and HAProxy 2.6 as peers of one `peers` section, both ways.
//
//   ./node_modules/.bin/bun bench/peers-interop.ts [--haproxy /usr/sbin/haproxy] [--name e1]
//
// One generated HAProxy-syntax file, read by both (`-L e1` for edgelb, `-L h1` for HAProxy; --name
// gives edgelb another name: one that sorts after h1 changes which side keeps its connection when
// both connect at once): a
// `listen web` with `balance roundrobin` over two origins (s1, s2, answering their name), sticking
// on the `x-client` header through a table shared with `peers mesh`, which counts requests.
// Verified and printed, each step with ok/FAILED:
//  1. a client stuck to s2 through edgelb stays on s2 through HAProxy (4 requests; roundrobin
//     alone would alternate), and back: a client stuck through HAProxy stays there through edgelb;
//  2. `show table web` on each side shows the other's entries with the server and the counts of
//     both sides' requests;
//  3. edgelb restarted: it is resynced from HAProxy (every entry, within 10 s);
//  4. HAProxy restarted: it is resynced from edgelb;
//  5. the delay of one update, edgelb → HAProxy and HAProxy → edgelb (polling `show table`).
// Exit status 0 when every step holds.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, installCleanup, killAll, spawn, stop, tail, waitPort, type Child } from './lib/procs.ts'
import { has, scriptOptions } from './lib/script.ts'

const o = scriptOptions('bench/peers-interop.ts', { haproxy: { type: 'string', default: '/usr/sbin/haproxy' }, name: { type: 'string', default: 'e1' } })
if (!has(o.haproxy)) { console.error(`bench/peers-interop.ts: needs HAProxy (${o.haproxy})`); process.exit(2) }
installCleanup()

const dir = mkdtempSync(join(tmpdir(), 'edgelb-peers-interop-'))
const origins = [1, 2].map((n) => Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response(`s${n}`) }))
const port = { e1: freePort(), h1: freePort(), ef: freePort(), hf: freePort() }

function config(front: number, sock: string): string {
  return `global
  stats socket ${sock} level admin
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
peers mesh
  peer ${o.name} 127.0.0.1:${port.e1}
  peer h1 127.0.0.1:${port.h1}
listen web
  bind 127.0.0.1:${front}
  balance roundrobin
  stick-table type string len 32 size 10k expire 10m peers mesh store server_id,gpc0,http_req_cnt,http_req_rate(10s)
  http-request track-sc0 req.hdr(x-client)
  stick on req.hdr(x-client)
  server s1 127.0.0.1:${origins[0]!.port}
  server s2 127.0.0.1:${origins[1]!.port}
`
}
const sock = { e: join(dir, 'e.sock'), h: join(dir, 'h.sock') }
writeFileSync(join(dir, 'e.cfg'), config(port.ef, sock.e))
writeFileSync(join(dir, 'h.cfg'), config(port.hf, sock.h))

const startEdgelb = (): Child => spawn('edgelb', [process.execPath, join(import.meta.dir, '..', 'src', 'main.ts'), 'run', '-L', o.name, join(dir, 'e.cfg')], join(dir, 'edgelb.log'))
const startHaproxy = (): Child => spawn('haproxy', [o.haproxy, '-db', '-L', 'h1', '-f', join(dir, 'h.cfg')], join(dir, 'haproxy.log'))

async function ask(path: string, cmd: string): Promise<string> {
  let out = ''
  const { promise, resolve } = Promise.withResolvers<void>()
  const s = await Bun.connect({ unix: path, socket: { data(_s, c) { out += c.toString('latin1') }, close() { resolve() }, error() { resolve() } } })
  s.write(cmd)
  s.shutdown()
  await promise
  return out
}
const table = (side: 'e' | 'h'): Promise<string> => ask(sock[side], 'show table web\n')
const get = async (front: number, client: string): Promise<string> => (await fetch(`http://127.0.0.1:${front}/`, { headers: { 'x-client': client } })).text()
/** Polls `show table` until `re` matches; the time it took, or -1. */
async function tableUntil(side: 'e' | 'h', re: RegExp, ms: number): Promise<number> {
  const t0 = performance.now()
  while (performance.now() - t0 < ms) if (re.test(await table(side))) return performance.now() - t0
  return -1
}
const entryOf = (text: string, key: string): string => text.split('\n').find((l) => l.includes(` key=${key} `))?.replace(/^0x[0-9a-f]+: /, '') ?? '(none)'

let failed = 0
function check(ok: boolean, what: string, detail = ''): void {
  if (!ok) failed++
  console.log(`${ok ? 'ok    ' : 'FAILED'} ${what}${detail ? `\n         ${detail.replace(/\n/g, '\n         ')}` : ''}`)
}

let edgelb = startEdgelb()
let haproxy = startHaproxy()
try {
  await waitPort(port.ef, edgelb)
  await waitPort(port.hf, haproxy)
  const connected = await (async () => { const t0 = performance.now(); while (performance.now() - t0 < 10_000) { if (/peer h1: connected/.test(readFileSync(edgelb.log, 'utf8'))) return true; await Bun.sleep(20) } return false })()
  check(connected, 'edgelb and HAProxy connected as peers (HAProxyS 2.1 handshake)', tail(edgelb.log, 3))

  // 1. Stickiness, edgelb → HAProxy.
  const e0 = await get(port.ef, 'c0')
  const e1 = await get(port.ef, 'c1')
  check(e0 !== e1, `through edgelb: c0 → ${e0}, c1 → ${e1} (roundrobin)`)
  const dEH = await tableUntil('h', /key=c1 .*server_id=\d/, 2000)
  const viaH = await Promise.all([1, 2, 3, 4].map(() => get(port.hf, 'c1')))
  check(viaH.every((s) => s === e1), `c1 through HAProxy: ${viaH.join(', ')} (stuck to ${e1} by edgelb's entry)`)
  // And HAProxy → edgelb.
  const h0 = await get(port.hf, 'd0')
  const h1 = await get(port.hf, 'd1')
  const dHE = await tableUntil('e', /key=d1 .*server_id=\d/, 2000)
  const viaE = await Promise.all([1, 2, 3, 4].map(() => get(port.ef, 'd1')))
  check(h0 !== h1 && viaE.every((s) => s === h1), `through HAProxy: d0 → ${h0}, d1 → ${h1}; d1 through edgelb: ${viaE.join(', ')}`)

  // 2. Each side's `show table` shows the other's entries and counts.
  await tableUntil('e', /key=c1 .*http_req_cnt=5/, 2000)
  await tableUntil('h', /key=d1 .*http_req_cnt=5/, 2000)
  const te = await table('e')
  const th = await table('h')
  check(/key=c1 .*http_req_cnt=5/.test(te) && /key=c1 .*http_req_cnt=5/.test(th), `c1: 1 request on edgelb + 4 on HAProxy = http_req_cnt=5 on both`, `edgelb:  ${entryOf(te, 'c1')}\nhaproxy: ${entryOf(th, 'c1')}`)
  check(/key=d1 .*http_req_cnt=5/.test(te) && /key=d1 .*http_req_cnt=5/.test(th), `d1: 1 request on HAProxy + 4 on edgelb = http_req_cnt=5 on both`, `edgelb:  ${entryOf(te, 'd1')}\nhaproxy: ${entryOf(th, 'd1')}`)

  // 3. edgelb restarted: resynced from HAProxy.
  await stop(edgelb)
  const r0 = performance.now()
  edgelb = startEdgelb()
  await waitPort(port.ef, edgelb)
  const resE = await tableUntil('e', /key=c0 [\s\S]*key=c1 [\s\S]*key=d0 [\s\S]*key=d1 /, 10_000)
  check(resE >= 0, `edgelb restarted: every entry back from HAProxy ${resE >= 0 ? `${Math.round(performance.now() - r0)} ms after its start` : 'NOT within 10 s'}`, (await table('e')).trim())
  check((await get(port.ef, 'c1')) === e1, `c1 through the restarted edgelb: still ${e1}`)

  // 4. HAProxy restarted: resynced from edgelb.
  await stop(haproxy)
  const r1 = performance.now()
  haproxy = startHaproxy()
  await waitPort(port.hf, haproxy)
  const resH = await tableUntil('h', /key=c0 [\s\S]*key=c1 [\s\S]*key=d0 [\s\S]*key=d1 /, 10_000)
  check(resH >= 0, `HAProxy restarted: every entry back from edgelb ${resH >= 0 ? `${Math.round(performance.now() - r1)} ms after its start` : 'NOT within 10 s'}`, (await table('h')).trim())
  check((await get(port.hf, 'd1')) === h1, `d1 through the restarted HAProxy: still ${h1}`)

  // 5. One update's delay each way (includes the polling of `show table`).
  check(dEH >= 0 && dEH < 1000 && dHE >= 0 && dHE < 1000, `an update reached the other side within 1 s: edgelb → HAProxy ${dEH.toFixed(0)} ms, HAProxy → edgelb ${dHE.toFixed(0)} ms (show table polled)`)
  const errs = readFileSync(edgelb.log, 'utf8').split('\n').filter((l) => /disconnected|error/i.test(l))
  check(errs.length === 0, 'edgelb logged no protocol error', errs.join('\n'))
} finally {
  await killAll()
  for (const s of origins) s.stop(true)
}
console.log(failed === 0 ? 'peers interop with HAProxy: every check passed' : `peers interop with HAProxy: ${failed} check(s) FAILED (logs in ${dir})`)
process.exit(failed === 0 ? 0 : 1)
