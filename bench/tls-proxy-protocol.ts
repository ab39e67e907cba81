// The cost of TLS started after a PROXY header (Runtime.startTls: Bun's socket.upgradeTLS), beside
// TLS from the first byte (a TLS listener, a TLS connect), in edgelb's CPU per full handshake.
//   ./node_modules/.bin/bun bench/tls-proxy-protocol.ts [--duration S] [--rounds N] [--connections C] [--sides listen,connect]
// Defaults: 5 s per run, 3 rounds, 50 concurrent clients, both sides. Each round measures the
// variants of a side in turn; the table gives medians. ECDSA P-256 certificate made here.
//   listen   one edgelb (`bun src/main.ts run`) with one listen section bound twice: `bind … ssl
//            crt` and `bind … accept-proxy ssl crt`, `mode http`, in front of `edgelb serve`. The
//            clients (this process) open connection after connection: a full handshake (no
//            session offered), one `Connection: close` request; on the second bind each writes a
//            v1 or v2 header first (a different client address each time), then does TLS over
//            the same socket (Bun's upgradeTLS, the ClientHello in a segment of its own).
//   connect  clients send clear `Connection: close` requests to an edgelb (the one measured) whose
//            server is `ssl verify none no-ssl-reuse` (every server connection a full handshake;
//            `http-reuse never`), with or without `send-proxy-v2`, to a second edgelb that
//            terminates TLS (`bind … ssl crt`, or `accept-proxy ssl crt`) in front of `edgelb serve`.
// With taskset and 2+ cores, the measured edgelb runs on CPU 0, everything else on CPU 1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import tls from 'node:tls'
import { buildProxyV1, buildProxyV2 } from '../src/net/proxy-protocol.ts'
import { freePort, installCleanup, killAll, run, spawn, treeCpuSeconds, waitPort, type Child } from './lib/procs.ts'
import { badUsage, canPin, has, median, pinned, scriptOptions } from './lib/script.ts'

const ROOT = resolve(import.meta.dir, '..')
const BUN = process.execPath
const opt = scriptOptions(import.meta.path, {
  duration: { type: 'string' },
  rounds: { type: 'string' },
  connections: { type: 'string' },
  sides: { type: 'string' },
})
const duration = Number(opt.duration ?? 5)
const rounds = Number(opt.rounds ?? 3)
const conns = Number(opt.connections ?? 50)
const sides = (opt.sides ?? 'listen,connect').split(',').map((m) => m.trim())
if (!(duration > 0) || !(Number.isInteger(rounds) && rounds >= 1) || !(Number.isInteger(conns) && conns >= 1)) badUsage(import.meta.path, '--duration, --rounds and --connections take positive numbers')
for (const m of sides) if (m !== 'listen' && m !== 'connect') badUsage(import.meta.path, `unknown side '${m}' (listen, connect)`)
if (!has('openssl')) badUsage(import.meta.path, 'needs openssl on PATH (to make the certificate)')

installCleanup()
const dir = mkdtempSync(join(tmpdir(), 'edgelb-bench-tls-pp-'))
const pem = join(dir, 'site.pem')
const REQUEST = Buffer.from('GET / HTTP/1.1\r\nhost: bench.test\r\nconnection: close\r\n\r\n')
/** One client context for every connection: the clients' own TLS setup is not what is measured. */
const clientContext = tls.createSecureContext({}).context

type Variant = { name: string; port: () => number; header: ((i: number) => Uint8Array) | null; tls: boolean }

/** A header per client address, as a load balancer in front would send (the port varies with i). */
function header(version: 1 | 2): (i: number) => Uint8Array {
  return (i) => {
    const addrs = { src: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, srcPort: 1024 + (i % 60000), dst: '192.0.2.1', dstPort: 443 }
    return version === 1 ? buildProxyV1(addrs) : buildProxyV2({ addrs })
  }
}

/** `conns` clients, each opening connection after connection for `ms`: TLS (from the first byte,
 *  or after `v.header`) or clear, one request, until the server closes. Returns how many ended
 *  with an answer. */
async function load(v: Variant, ms: number): Promise<number> {
  const port = v.port()
  const end = performance.now() + ms
  let done = 0
  let errors = 0
  const one = (i: number): Promise<void> => new Promise((settle) => {
    let answered = false
    let finished = false
    const finish = (): void => { if (finished) return; finished = true; if (answered) done++; else errors++; settle() }
    const app = {
      binaryType: 'buffer' as const,
      handshake(s: { write(b: Uint8Array): number }, ok: boolean) { if (ok) s.write(REQUEST) },
      data() { answered = true },
      close: finish,
      error: finish,
      connectError: finish,
    }
    const tlsOptions = { secureContext: clientContext, serverName: 'bench.test', rejectUnauthorized: false }
    if (!v.tls) {
      Bun.connect({ hostname: '127.0.0.1', port, socket: { ...app, open(s) { s.write(REQUEST) } } }).catch(finish)
    } else if (v.header === null) {
      Bun.connect({ hostname: '127.0.0.1', port, tls: tlsOptions, socket: app }).catch(finish)
    } else {
      const h = v.header(i)
      Bun.connect({
        hostname: '127.0.0.1',
        port,
        socket: {
          binaryType: 'buffer',
          open(s) {
            s.write(h)
            ;(s as unknown as { upgradeTLS(o: Record<string, unknown>): unknown }).upgradeTLS({ tls: tlsOptions, socket: app })
          },
          data() {},
          close() {},
          connectError: finish,
        },
      }).catch(finish)
    }
  })
  await Promise.all(Array.from({ length: conns }, async (_, k) => {
    for (let i = k; performance.now() < end; i += conns) await one(i)
  }))
  if (errors > done / 100) throw new Error(`${v.name}: ${errors} failed connections for ${done} completed`)
  return done
}

/** Runs the variants `rounds` times (after a warm-up of each), measuring `measured`'s CPU. */
async function measure(side: string, measured: Child, variants: Variant[]): Promise<string[]> {
  const res = new Map<string, { cps: number; cpuUs: number }[]>(variants.map((v) => [v.name, []]))
  for (const v of variants) await load(v, 1000)
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) {
      const cpu0 = treeCpuSeconds(measured.pid)
      const n = await load(v, duration * 1000)
      const cpu = treeCpuSeconds(measured.pid) - cpu0
      const x = { cps: n / duration, cpuUs: (cpu * 1e6) / n }
      res.get(v.name)!.push(x)
      console.log(`${side} ${v.name} round ${r + 1}: ${Math.round(x.cps)} handshakes/s, ${x.cpuUs.toFixed(0)} µs edgelb CPU each`)
    }
  }
  const base = res.get(variants[0]!.name)!
  const baseCpu = median(base.map((x) => x.cpuUs))
  return variants.map((v) => {
    const xs = res.get(v.name)!
    const cps = median(xs.map((x) => x.cps))
    const cpu = median(xs.map((x) => x.cpuUs))
    return `| ${side} | ${v.name} | ${Math.round(cps)} | ${cpu.toFixed(0)} | ${(cpu / baseCpu).toFixed(3)} | ${(cpu - baseCpu).toFixed(0)} |`
  })
}

function writeConfig(name: string, lines: string[]): string {
  const path = join(dir, `${name}.cfg`)
  writeFileSync(path, ['global', '  quiet', '  maxconn 20000', 'defaults', '  mode http', '  timeout connect 5s', '  timeout client 30s', '  timeout server 30s', ...lines, ''].join('\n'))
  return path
}

async function startBackend(): Promise<number> {
  const port = freePort()
  const b = spawn('backend', pinned(canPin ? '1' : undefined, [BUN, join(ROOT, 'src/main.ts'), 'serve', `127.0.0.1:${port}`]), join(dir, 'backend.log'))
  await waitPort(port, b)
  return port
}

async function listenSide(): Promise<string[]> {
  const backendPort = await startBackend()
  const tlsPort = freePort()
  const ppPort = freePort()
  const cfg = writeConfig('listen', ['listen bench', `  bind 127.0.0.1:${tlsPort} ssl crt ${pem}`, `  bind 127.0.0.1:${ppPort} accept-proxy ssl crt ${pem}`, `  server s1 127.0.0.1:${backendPort}`])
  const lb = spawn('edgelb', pinned(canPin ? '0' : undefined, [BUN, join(ROOT, 'src/main.ts'), 'run', cfg]), join(dir, 'edgelb-listen.log'))
  await waitPort(tlsPort, lb)
  await waitPort(ppPort, lb)
  return measure('listen', lb, [
    { name: 'bind ssl (TLS from the first byte)', port: () => tlsPort, header: null, tls: true },
    { name: 'bind accept-proxy ssl, v1 header', port: () => ppPort, header: header(1), tls: true },
    { name: 'bind accept-proxy ssl, v2 header', port: () => ppPort, header: header(2), tls: true },
  ])
}

async function connectSide(): Promise<string[]> {
  const backendPort = await startBackend()
  const innerTls = freePort()
  const innerPp = freePort()
  const inner = spawn('inner', pinned(canPin ? '1' : undefined, [BUN, join(ROOT, 'src/main.ts'), 'run', writeConfig('inner', [
    'listen inner', `  bind 127.0.0.1:${innerTls} ssl crt ${pem}`, `  bind 127.0.0.1:${innerPp} accept-proxy ssl crt ${pem}`, `  server s1 127.0.0.1:${backendPort}`,
  ])]), join(dir, 'inner.log'))
  await waitPort(innerPp, inner)
  const plain = freePort()
  const pp = freePort()
  const lb = spawn('edgelb', pinned(canPin ? '0' : undefined, [BUN, join(ROOT, 'src/main.ts'), 'run', writeConfig('connect', [
    'listen plain', `  bind 127.0.0.1:${plain}`, '  http-reuse never', `  server inner 127.0.0.1:${innerTls} ssl verify none no-ssl-reuse`,
    'listen pp', `  bind 127.0.0.1:${pp}`, '  http-reuse never', `  server inner 127.0.0.1:${innerPp} ssl verify none no-ssl-reuse send-proxy-v2`,
  ])]), join(dir, 'edgelb-connect.log'))
  await waitPort(pp, lb)
  return measure('connect', lb, [
    { name: 'server ssl (TLS from the first byte)', port: () => plain, header: null, tls: false },
    { name: 'server ssl send-proxy-v2', port: () => pp, header: null, tls: false },
  ])
}

try {
  await run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'site.key'), '-out', join(dir, 'site.crt'), '-days', '2', '-subj', '/CN=bench.test'])
  writeFileSync(pem, (await Bun.file(join(dir, 'site.crt')).text()) + (await Bun.file(join(dir, 'site.key')).text()))
  if (canPin) await Bun.spawn(['taskset', '-p', '-c', '1', String(process.pid)], { stdout: 'ignore' }).exited
  console.log(`Bun ${Bun.version}; load average at start: ${(await Bun.file('/proc/loadavg').text()).trim()}`)
  const rows: string[] = []
  for (const side of sides) {
    rows.push(...(side === 'listen' ? await listenSide() : await connectSide()))
    await killAll()
  }
  console.log(`load average at end: ${(await Bun.file('/proc/loadavg').text()).trim()}`)
  console.log(`\n${conns} clients, a full handshake and one request per connection, ${duration} s x ${rounds} rounds (medians)${canPin ? ', edgelb on CPU 0, the rest on CPU 1' : ''}\n`)
  console.log('| side | variant | handshakes/s | edgelb CPU µs/handshake | vs first byte | µs more |')
  console.log('|---|---|---|---|---|---|')
  for (const r of rows) console.log(r)
} finally {
  await killAll()
  rmSync(dir, { recursive: true, force: true })
}
