// What it costs to look at edgelb: the stats page (HTML through its Hono app), its CSV, `show
// stat` on the runtime API and a Prometheus scrape, with N servers (default 1,000) in 10
// backends, every counter non-zero. Times one rendering after warm-up, median and max of R runs.
//   ./node_modules/.bin/bun bench/stats.ts [--servers N] [--runs R] [--load S] [--rate R] [--rounds N]
// Targets (issue 16): page < 100 ms, scrape < 50 ms at 1,000 servers. The engine runs in this
// process on port 0; nothing listens on the servers' addresses (nothing connects to them).
// --load S: then `show stat` under full load: edgelb as a subprocess (CPU 0) with the same 1,000
// servers plus a backend in front of `edgelb serve`, traffic at a fixed rate from `edgelb bench`
// (CPU 1) for S seconds: alone, with a client sending `show stat` on the stats socket every
// second (a monitoring poll), and back to back (the worst case); p99 of the traffic in each case
// (target: no spike), rounds interleaved.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { freePort, installCleanup, killAll, run, spawn, stop, waitPort } from './lib/procs.ts'
import { canPin, median, pinned } from './lib/script.ts'
import { CliSession } from '../src/admin/session.ts'
import { buildConfig } from '../src/config/build.ts'
import { readHaproxy } from '../src/config/haproxy/reader.ts'
import { Engine } from '../src/proxy/engine.ts'
import { statsApplets } from '../src/stats/applets.ts'
import { countExchange } from '../src/proxy/counters.ts'
import { holdClock, releaseClock } from '../src/core/clock.ts'
import { Stream } from '../src/proxy/http/stream.ts'
import { createRequestParser } from '../src/http/h1-parser.ts'

function headOf(text: string) {
  const buf = Buffer.from(text, 'latin1')
  const r = createRequestParser({ maxHead: 16384, maxHeaders: 101 }).parse(buf, buf.length)
  if (r.kind !== 'done') throw new Error('bad head')
  return r.head
}

const { values: opt } = parseArgs({ args: Bun.argv.slice(2), options: { servers: { type: 'string' }, runs: { type: 'string' }, load: { type: 'string' }, rate: { type: 'string' }, rounds: { type: 'string' } } })
const servers = Number(opt.servers ?? 1000)
const runs = Number(opt.runs ?? 30)
const loadSeconds = opt.load === undefined ? 0 : Number(opt.load)
const loadRate = Number(opt.rate ?? 5000)
const loadRounds = Number(opt.rounds ?? 3)
const backends = 10

const lines = ['global', '  quiet', 'defaults', '  mode http', '  timeout connect 1s', '  timeout client 5s', '  timeout server 5s',
  'listen stats', '  bind 127.0.0.1:0', '  stats uri /', '  stats auth admin:secret',
  'frontend metrics', '  bind 127.0.0.1:0', '  http-request use-service prometheus-exporter if { path /metrics }']
for (let b = 0; b < backends; b++) {
  lines.push(`backend app${b}`)
  for (let i = 0; i < servers / backends; i++) lines.push(`  server s${i} 10.${b}.${i >> 8}.${i & 255}:80${i % 7 === 0 ? ' backup' : ''}`)
}
const read = readHaproxy(lines.join('\n') + '\n', 'bench.cfg')
const { config } = buildConfig(read.sections, ['bench.cfg'])
const engine = Engine.start(config, { out() {}, err() {}, applets: statsApplets })
// Every counter something, so that no cell takes a shortcut.
let n = 0
for (const be of engine.backends.values()) {
  for (const s of be.servers) {
    const c = s.counters
    n++
    c.total = c.lbtot = c.reqTot = 1000 + n
    c.bytesIn = c.bytesOut = 123456789 + n
    c.rsp[2] = 900 + n
    c.rsp[5] = n
    c.timed = 5000
    c.qtime = c.ctime = c.rtime = c.ttime = 4096 * 3
  }
}
const applets = engine.applets!
const page = applets.stats(config.proxies.find((p) => p.name === 'stats')!)!
const prom = applets.service('prometheus-exporter')!
const auth = `Basic ${Buffer.from('admin:secret').toString('base64')}`
const req = (uri: string, proxy = config.proxies[0]!) => ({ method: 'GET', uri, header: (h: string) => (h === 'authorization' ? auth : undefined), proxy, clientAddr: '127.0.0.1' })

async function time(name: string, target: number | undefined, fn: () => Promise<number>): Promise<void> {
  for (let i = 0; i < 3; i++) await fn()
  const ms: number[] = []
  let bytes = 0
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    bytes = await fn()
    ms.push(performance.now() - t)
  }
  ms.sort((a, b) => a - b)
  const med = ms[Math.floor(ms.length / 2)]!
  console.log(`${name.padEnd(28)} median ${med.toFixed(1).padStart(6)} ms   max ${ms.at(-1)!.toFixed(1).padStart(6)} ms   ${(bytes / 1024).toFixed(0).padStart(5)} KiB${target === undefined ? '' : `   target < ${target} ms: ${med < target ? 'ok' : 'MISSED'}`}`)
}

console.log(`${servers} servers in ${backends} backends, ${runs} runs each (after 3 warm-up runs)`)
await time('stats page (HTML)', 100, async () => (await page(req('/'))).body.length)
await time('stats page ;csv', 100, async () => (await page(req('/;csv'))).body.length)
await time('stats page ;json', 100, async () => (await page(req('/;json'))).body.length)
await time('show stat (runtime API)', undefined, async () => new CliSession({ engine, level: 'admin' }).input('show stat\n').length)
await time('/metrics (Prometheus)', 50, async () => {
  const r = prom(req('/metrics', config.proxies.find((p) => p.name === 'metrics')!))
  return (r instanceof Promise ? await r : r).body.length
})

// The counting an HTTP exchange adds on the request path (proxy/counters.ts countExchange, with
// the backend's and server's session counting of backend/backend.ts), per exchange.
{
  const be = engine.backends.get('app0')!
  const st = new Stream()
  st.req = headOf('GET / HTTP/1.1\r\nhost: x\r\n\r\n')
  st.be = be
  st.server = be.servers[1]!
  st.status = 200
  st.bytesOut = 100
  st.connectStart = 0
  st.connectEnd = st.sentAt = 1
  st.resHeadAt = 2
  const fc = engine.frontends[0]!.counters
  const N = 2_000_000
  for (let i = 0; i < 100_000; i++) { be.enter(); be.take(st.server); countExchange(fc, st, null, 3); be.leave(); be.release(st.server) }
  const t = performance.now()
  // As in a session, the clock is read once per socket event (core/clock.ts holdClock).
  for (let i = 0; i < N; i++) { holdClock(); be.enter(); be.take(st.server); countExchange(fc, st, null, 3); be.leave(); be.release(st.server); releaseClock() }
  const all = ((performance.now() - t) * 1e6) / N
  const t2 = performance.now()
  for (let i = 0; i < N; i++) { holdClock(); be.enter(); be.take(st.server); be.leave(); be.release(st.server); releaseClock() }
  const base = ((performance.now() - t2) * 1e6) / N
  console.log(`counting per HTTP exchange     ${(all - base).toFixed(0)} ns (enter/take/leave/release with it ${all.toFixed(0)} ns, without ${base.toFixed(0)} ns)`)
}
engine.stop()

// --- show stat under full load --------------------------------------------------------------------

/** One `show stat` on the unix stats socket: resolves with its bytes once the CLI closes. */
function showStat(path: string): Promise<number> {
  return new Promise((res, rej) => {
    let n = 0
    const c = connect(path, () => c.write('show stat\n'))
    c.on('data', (d: Buffer) => { n += d.length })
    c.on('end', () => res(n))
    c.on('error', rej)
  })
}

async function loadUnderScrapes(): Promise<void> {
  const ROOT = resolve(import.meta.dir, '..')
  const MAIN = join(ROOT, 'src/main.ts')
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-bench-stats-'))
  installCleanup(() => rmSync(dir, { recursive: true, force: true }))
  const PROXY = canPin ? '0' : undefined
  const LOAD = canPin ? '1' : undefined
  const sock = join(dir, 'admin.sock')
  try {
    const bePort = freePort()
    spawn('edgelb serve', pinned(LOAD, [process.execPath, MAIN, 'serve', `127.0.0.1:${bePort}`, '--name', 'b1']), join(dir, 'serve.log'))
    const port = freePort()
    const cfg = ['global', '  quiet', '  maxconn 9900', `  stats socket ${sock} level admin`, 'defaults', '  mode http', '  timeout connect 5s', '  timeout client 30s', '  timeout server 30s',
      'listen web', `  bind 127.0.0.1:${port}`, `  server b1 127.0.0.1:${bePort}`, ...lines.slice(lines.indexOf('backend app0'))].join('\n') + '\n'
    writeFileSync(join(dir, 'edgelb.cfg'), cfg)
    const lb = spawn('edgelb', pinned(PROXY, [process.execPath, MAIN, 'run', join(dir, 'edgelb.cfg')]), join(dir, 'edgelb.log'))
    await waitPort(port, lb, 30_000)
    await waitPort(bePort, lb, 30_000)
    const traffic = async (): Promise<{ p50: number; p99: number; p999: number; errors: number }> => {
      const out = await run(pinned(LOAD, [process.execPath, MAIN, 'bench', '--target', `127.0.0.1:${port}`, '-c', '50', '--rate', String(loadRate), '-d', `${loadSeconds}s`, '--warmup', '1s', '--workers', '1', '--json']))
      const j = JSON.parse(out) as { direct: { latency: { p50: number; p99: number; p999: number }; errors: { total: number } } }
      return { ...j.direct.latency, errors: j.direct.errors.total }
    }
    console.log(`\nshow stat under load: ${servers} servers, ${loadRate} req/s over 50 connections for ${loadSeconds} s (+1 s warm-up), ${loadRounds} round(s)`)
    /** Traffic while a client sends `show stat` every `every` ms (0: back to back). */
    const scraped = async (every: number): Promise<{ p99: number; p999: number; errors: number; scrapes: number }> => {
      let scraping = true
      let scrapes = 0
      let wake: (() => void) | null = null
      const scraper = (async () => {
        while (scraping) {
          const t = performance.now()
          await showStat(sock)
          scrapeMs.push(performance.now() - t)
          scrapes++
          if (every > 0 && scraping) await new Promise<void>((r) => { wake = r; setTimeout(r, every) })
        }
      })()
      const r = await traffic()
      scraping = false
      ;(wake as (() => void) | null)?.()
      await scraper
      return { ...r, scrapes }
    }
    const quiet: number[] = []
    const everySecond: number[] = []
    const busy: number[] = []
    const scrapeMs: number[] = []
    for (let r = 0; r < loadRounds; r++) {
      const a = await traffic()
      quiet.push(a.p99)
      const b = await scraped(1000)
      everySecond.push(b.p99)
      const c = await scraped(0)
      busy.push(c.p99)
      console.log(`  round ${r + 1}: p99 (p99.9) ms: alone ${a.p99.toFixed(2)} (${a.p999.toFixed(2)}); show stat every second ${b.p99.toFixed(2)} (${b.p999.toFixed(2)}); ${c.scrapes} show stat back to back ${c.p99.toFixed(2)} (${c.p999.toFixed(2)})${a.errors + b.errors + c.errors ? `, ${a.errors + b.errors + c.errors} errors` : ''}`)
    }
    scrapeMs.sort((x, y) => x - y)
    console.log(`p99 of the traffic: ${median(quiet).toFixed(2)} ms alone, ${median(everySecond).toFixed(2)} ms with a show stat every second, ${median(busy).toFixed(2)} ms with show stat back to back (each ${scrapeMs[scrapeMs.length >> 1]!.toFixed(1)} ms median, ${scrapeMs.length} in all)`)
    await stop(lb)
  } finally {
    await killAll()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (loadSeconds > 0) await loadUnderScrapes()
