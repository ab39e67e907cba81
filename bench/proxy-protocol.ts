// The cost of `accept-proxy`: new connections per second through edgelb, and edgelb's CPU per
// connection, on a bind without and a bind with accept-proxy (the client then begins each
// connection with a PROXY header, v1 or v2), one request per connection.
//   ./node_modules/.bin/bun bench/proxy-protocol.ts [--duration S] [--rounds N] [--connections C] [--modes tcp,http]
// Defaults: 5 s per run, 3 rounds, 50 concurrent clients, both modes. One edgelb process
// (`bun src/main.ts run`) listens on both binds of one listen section; its backend is `edgelb
// serve` (`--tcp` in tcp mode: a line answered by a line; http: `Connection: close` requests),
// in its own process. Each round measures plain, v1 and v2 in turn; the table gives medians.
// With taskset and 2+ cores, edgelb runs on CPU 0, the backend and this load generator on CPU 1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { buildProxyV1, buildProxyV2 } from '../src/net/proxy-protocol.ts'
import { freePort, installCleanup, killAll, spawn, treeCpuSeconds, waitPort } from './lib/procs.ts'
import { badUsage, canPin, median, pinned, scriptOptions } from './lib/script.ts'

const ROOT = resolve(import.meta.dir, '..')
const BUN = process.execPath
const opt = scriptOptions(import.meta.path, {
  duration: { type: 'string' },
  rounds: { type: 'string' },
  connections: { type: 'string' },
  modes: { type: 'string' },
})
const duration = Number(opt.duration ?? 5)
const rounds = Number(opt.rounds ?? 3)
const conns = Number(opt.connections ?? 50)
const modes = (opt.modes ?? 'tcp,http').split(',').map((m) => m.trim())
if (!(duration > 0) || !(Number.isInteger(rounds) && rounds >= 1) || !(Number.isInteger(conns) && conns >= 1)) badUsage(import.meta.path, '--duration, --rounds and --connections take positive numbers')
for (const m of modes) if (m !== 'tcp' && m !== 'http') badUsage(import.meta.path, `unknown mode '${m}' (tcp, http)`)

installCleanup()
const dir = mkdtempSync(join(tmpdir(), 'edgelb-bench-pp-'))

type Variant = 'plain' | 'v1' | 'v2'
const VARIANTS: readonly Variant[] = ['plain', 'v1', 'v2']

interface Result { cps: number; cpuUs: number }

/** `conns` clients, each opening connection after connection for `ms`: each sends `first` and
 *  waits for the answer to end (a line in tcp mode, the close in http mode). Returns the number
 *  of connections completed. */
async function load(port: number, mode: string, first: (i: number) => Uint8Array, ms: number): Promise<number> {
  const end = performance.now() + ms
  let done = 0
  let errors = 0
  const one = (i: number): Promise<void> => new Promise((settle) => {
    let finished = false
    const finish = (ok: boolean): void => { if (finished) return; finished = true; if (ok) done++; else errors++; settle() }
    Bun.connect({
      hostname: '127.0.0.1',
      port,
      socket: {
        open(s) { s.write(first(i)) },
        // Counted before end(): Bun calls close() from within end().
        data(s, chunk) { if (mode === 'tcp' && chunk.includes(10)) { finish(true); s.end() } },
        close() { finish(mode === 'http') },
        error() { finish(false) },
        connectError() { finish(false) },
      },
    }).catch(() => finish(false))
  })
  await Promise.all(Array.from({ length: conns }, async (_, k) => {
    for (let i = k; performance.now() < end; i += conns) await one(i)
  }))
  if (errors > done / 100) throw new Error(`${errors} failed connections for ${done} completed`)
  return done
}

function firstBytes(mode: string, variant: Variant): (i: number) => Uint8Array {
  const payload = Buffer.from(mode === 'tcp' ? 'ping\n' : 'GET / HTTP/1.1\r\nhost: bench\r\nconnection: close\r\n\r\n')
  if (variant === 'plain') return () => payload
  // A header per client address, as a proxy in front would send (the port varies with i).
  return (i) => {
    const addrs = { src: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, srcPort: 1024 + (i % 60000), dst: '192.0.2.1', dstPort: 443 }
    const h = variant === 'v1' ? buildProxyV1(addrs) : buildProxyV2({ addrs })
    return Buffer.concat([h, payload])
  }
}

async function measure(mode: string): Promise<Map<Variant, Result[]>> {
  const backendPort = freePort()
  const plainPort = freePort()
  const ppPort = freePort()
  const cfg = join(dir, `${mode}.cfg`)
  writeFileSync(cfg, [
    'global', '  quiet', '  maxconn 20000',
    'defaults', `  mode ${mode}`, '  timeout connect 5s', '  timeout client 30s', '  timeout server 30s',
    'listen bench',
    `  bind 127.0.0.1:${plainPort}`,
    `  bind 127.0.0.1:${ppPort} accept-proxy`,
    `  server s1 127.0.0.1:${backendPort}`,
    '',
  ].join('\n'))
  const backend = spawn('backend', pinned(canPin ? '1' : undefined, [BUN, join(ROOT, 'src/main.ts'), 'serve', `127.0.0.1:${backendPort}`, ...(mode === 'tcp' ? ['--tcp'] : [])]), join(dir, `backend-${mode}.log`))
  await waitPort(backendPort, backend)
  const lb = spawn('edgelb', pinned(canPin ? '0' : undefined, [BUN, join(ROOT, 'src/main.ts'), 'run', cfg]), join(dir, `edgelb-${mode}.log`))
  await waitPort(plainPort, lb)
  await waitPort(ppPort, lb)
  const out = new Map<Variant, Result[]>(VARIANTS.map((v) => [v, []]))
  // Warm-up: the JIT compiles both paths before anything is counted.
  for (const v of VARIANTS) await load(v === 'plain' ? plainPort : ppPort, mode, firstBytes(mode, v), 1000)
  for (let r = 0; r < rounds; r++) {
    for (const v of VARIANTS) {
      const cpu0 = treeCpuSeconds(lb.pid)
      const n = await load(v === 'plain' ? plainPort : ppPort, mode, firstBytes(mode, v), duration * 1000)
      const cpu = treeCpuSeconds(lb.pid) - cpu0
      const res = { cps: n / duration, cpuUs: (cpu * 1e6) / n }
      out.get(v)!.push(res)
      console.log(`${mode} ${v.padEnd(5)} round ${r + 1}: ${Math.round(res.cps)} conn/s, ${res.cpuUs.toFixed(1)} µs edgelb CPU per connection`)
    }
  }
  return out
}

try {
  if (canPin) await Bun.spawn(['taskset', '-p', '-c', '1', String(process.pid)], { stdout: 'ignore' }).exited
  const rows: string[] = []
  for (const mode of modes) {
    const res = await measure(mode)
    await killAll()
    const base = res.get('plain')!
    const baseCps = median(base.map((x) => x.cps))
    const baseCpu = median(base.map((x) => x.cpuUs))
    for (const v of VARIANTS) {
      const xs = res.get(v)!
      const cps = median(xs.map((x) => x.cps))
      const cpu = median(xs.map((x) => x.cpuUs))
      const bind = v === 'plain' ? 'bind (no accept-proxy)' : `bind accept-proxy, ${v} header`
      rows.push(`| ${mode} | ${bind} | ${Math.round(cps)} | ${(cps / baseCps).toFixed(3)} | ${cpu.toFixed(1)} | ${(cpu / baseCpu).toFixed(3)} |`)
    }
  }
  console.log(`\n${conns} clients, one request per connection, ${duration} s x ${rounds} rounds (medians)${canPin ? ', edgelb on CPU 0, clients and backend on CPU 1' : ''}\n`)
  console.log('| mode | listener | conn/s | vs plain | edgelb CPU µs/conn | vs plain |')
  console.log('|---|---|---|---|---|---|')
  for (const r of rows) console.log(r)
} finally {
  await killAll()
  rmSync(dir, { recursive: true, force: true })
}
