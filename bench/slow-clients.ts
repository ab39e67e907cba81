// bench/slow-clients.ts: what slow clients and big uploads cost edgelb beside HAProxy 2.6.
//
//   ./node_modules/.bin/bun bench/slow-clients.ts [--clients N] [--hold S] [--upload-mib M] [--proxies edgelb,haproxy]
//
// Slow readers: N curl processes (`--limit-rate 1k`) each GET a 10 MB answer through the proxy;
// after --hold seconds the proxy's RSS (whole process tree) less its RSS before them, divided by
// N, is the memory one slow-reading client costs. Upload: one client PUTs --upload-mib MiB as fast
// as the proxy takes it; MB/s, the proxy's CPU seconds per GiB (less sensitive to a busy machine),
// and its RSS before and at its peak. The origin is
// bench/lib/bulk-origin.ts (raw sockets, never buffers). Both proxies read the same HAProxy-syntax
// file (tune.bufsize 16384, HAProxy's default). Options:
//   --clients N       slow readers (8)
//   --hold S          seconds they read before RSS is read (5)
//   --upload-mib M    MiB uploaded (1024)
//   --proxies LIST    edgelb,haproxy (haproxy when installed)
//   --rcvbuf SIZE     adds `tune.rcvbuf.server SIZE` to the configuration (both proxies read it)
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort, installCleanup, killAll, spawn, stop, treeCpuSeconds, treeRssKiB, waitPort, type Child } from './lib/procs.ts'
import { has, scriptOptions } from './lib/script.ts'

const o = scriptOptions(import.meta.path, {
  clients: { type: 'string', default: '8' },
  hold: { type: 'string', default: '5' },
  'upload-mib': { type: 'string', default: '1024' },
  proxies: { type: 'string', default: has('haproxy') ? 'edgelb,haproxy' : 'edgelb' },
  rcvbuf: { type: 'string' },
})
const CLIENTS = Number(o.clients)
const HOLD = Number(o.hold)
const UPLOAD = Number(o['upload-mib']) * 1024 * 1024
const ROOT = resolve(import.meta.dir, '..')
const dir = mkdtempSync(join(tmpdir(), 'edgelb-slow-'))
installCleanup()

function config(port: number, origin: number): string {
  const file = join(dir, `proxy-${port}.cfg`)
  writeFileSync(file, `global
    nbthread 1
    maxconn 4000
    tune.bufsize 16384${o.rcvbuf === undefined ? '' : `\n    tune.rcvbuf.server ${o.rcvbuf}`}
defaults
    mode http
    timeout connect 5s
    timeout client 120s
    timeout server 120s
listen web
    bind 127.0.0.1:${port}
    server o 127.0.0.1:${origin}
`)
  return file
}

function startProxy(name: string, port: number, origin: number): Child {
  const file = config(port, origin)
  if (name === 'haproxy') return spawn('haproxy', ['haproxy', '-db', '-f', file], join(dir, 'haproxy.log'))
  return spawn('edgelb', [process.execPath, join(ROOT, 'src/main.ts'), 'run', file], join(dir, 'edgelb.log'))
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function slowReaders(p: Child, port: number): Promise<number> {
  await fetch(`http://127.0.0.1:${port}/hello`).then((r) => r.text())
  await sleep(500)
  const before = treeRssKiB(p.pid)
  const curls = Array.from({ length: CLIENTS }, (_, i) =>
    spawn(`curl${i}`, ['curl', '-s', '--limit-rate', '1k', '-o', '/dev/null', `http://127.0.0.1:${port}/10m`], join(dir, 'curl.log')))
  await sleep(HOLD * 1000)
  const during = treeRssKiB(p.pid)
  for (const c of curls) await stop(c, 100)
  return (during - before) / CLIENTS / 1024
}

/** PUTs UPLOAD bytes over one connection; MB/s, and the proxy's RSS before and at its peak. */
async function upload(p: Child, port: number): Promise<{ mbs: number; cpuPerGiB: number; rss0: number; peak: number }> {
  const cpu0 = treeCpuSeconds(p.pid)
  const rss0 = treeRssKiB(p.pid) / 1024
  let peak = rss0
  const sampler = setInterval(() => { peak = Math.max(peak, treeRssKiB(p.pid) / 1024) }, 100)
  const block = Buffer.alloc(1 << 20, 121)
  const t0 = performance.now()
  await new Promise<void>((done, fail) => {
    let sent = 0
    let answer = ''
    const pump = (s: { write(b: Uint8Array): number }): void => {
      while (sent < UPLOAD) {
        const want = Math.min(block.length, UPLOAD - sent)
        const n = s.write(want === block.length ? block : block.subarray(0, want))
        if (n <= 0) return
        sent += n
        if (n < want) return
      }
    }
    void Bun.connect({
      hostname: '127.0.0.1', port,
      socket: {
        open(s) { s.write(`PUT /up HTTP/1.1\r\nHost: b\r\nContent-Length: ${UPLOAD}\r\n\r\n`); pump(s) },
        drain(s) { pump(s) },
        data(s, c) { answer += c.toString(); if (answer.includes('\r\n\r\nok\n')) { s.end(); done() } },
        close() { if (!answer.includes('ok')) fail(new Error(`upload: connection closed (${answer.slice(0, 60)})`)) },
        connectError(_s, e) { fail(e) },
      },
    }).catch(fail)
  })
  const secs = (performance.now() - t0) / 1000
  clearInterval(sampler)
  return { mbs: UPLOAD / 1e6 / secs, cpuPerGiB: (treeCpuSeconds(p.pid) - cpu0) / (UPLOAD / 2 ** 30), rss0, peak }
}

try {
  const originPort = freePort()
  const origin = spawn('origin', [process.execPath, join(ROOT, 'bench/lib/bulk-origin.ts'), String(originPort)], join(dir, 'origin.log'))
  await waitPort(originPort, origin)
  const rows: string[] = []
  for (const name of o.proxies.split(',')) {
    const port = freePort()
    const p = startProxy(name, port, originPort)
    await waitPort(port, p)
    const perClient = await slowReaders(p, port)
    await sleep(500)
    const up = await upload(p, port)
    await stop(p)
    rows.push(`${name.padEnd(8)} ${perClient.toFixed(3).padStart(10)} MiB/slow client   upload ${up.mbs.toFixed(0).padStart(5)} MB/s ${up.cpuPerGiB.toFixed(2)} CPU s/GiB   RSS ${up.rss0.toFixed(1)} -> peak ${up.peak.toFixed(1)} MiB`)
    console.log(rows.at(-1))
  }
  await stop(origin)
  console.log(`\n${CLIENTS} clients at 1 KB/s held ${HOLD} s; upload ${(UPLOAD / 1048576).toFixed(0)} MiB`)
} finally {
  await killAll()
}
