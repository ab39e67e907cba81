// bench/reload.ts: reloads under load, edgelb (SIGUSR2, in one process) and HAProxy 2.6 in
// master-worker mode (`haproxy -W`, SIGUSR2 to the master) side by side, in the same run.
//
//   ./node_modules/.bin/bun bench/reload.ts [--duration 30] [--interval 1000] [--reloads 1000]
//                                           [--keepalive 8] [--close 4] [--settle 35]
//                                           [--gc-timer 30000] [--only edgelb|haproxy]
//
// Each proxy reads the same generated HAProxy-syntax file: one frontend in front of the origin
// (nginx, or the Bun fallback), whose responses get `x-config: A` or `x-config: B`. Under load
// (--keepalive connections sending requests back to back, and --close clients opening one
// connection per request, together), the file is switched between A and B and the proxy signalled
// every --interval ms for --duration s. Counted: requests answered, failed requests (a connection
// that ended before its response was complete), refused and reset connections, keep-alive
// connections the proxy closed between two requests, and how long after each signal new
// connections and keep-alive connections still got the old configuration. Then --reloads more
// reloads without load, each waited for (a new connection sees the new tag): the memory (RSS of
// every process of the proxy) --settle s after the first and after the last (35 s: once Bun's
// collection timer, 30 s under `edgelb run`, has run: before that, RSS holds garbage not yet
// collected), and 3 s after the last. --gc-timer: edgelb's BUN_GC_TIMER_INTERVAL (30000 as
// `edgelb run` sets it; 1000 is the runtime's own default, which gives memory back sooner).
//
// Pinned with taskset on 2+ cores: the proxy on CPU 0, the origin and this script's clients on 1.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startOrigin } from './lib/nginx.ts'
import { freePort, installCleanup, killAll, spawn, stop, tail, treeRssKiB, waitPort, type Child } from './lib/procs.ts'
import { canPin, has, median, pinned, scriptOptions } from './lib/script.ts'

const opts = scriptOptions(import.meta.path, {
  duration: { type: 'string', default: '30' },
  interval: { type: 'string', default: '1000' },
  reloads: { type: 'string', default: '1000' },
  keepalive: { type: 'string', default: '8' },
  close: { type: 'string', default: '4' },
  only: { type: 'string' },
  settle: { type: 'string', default: '35' },
  'gc-timer': { type: 'string', default: '30000' },
})
const SETTLE_MS = Number(opts.settle) * 1000
const DURATION_MS = Number(opts.duration) * 1000
const INTERVAL_MS = Number(opts.interval)
const RELOADS = Number(opts.reloads)
const KA = Number(opts.keepalive)
const CLOSE = Number(opts.close)
const ROOT = join(import.meta.dir, '..')
const BUN = process.execPath
const PROXY_CPUS = canPin ? '0' : undefined
const LOAD_CPUS = canPin ? '1' : undefined

installCleanup()
if (canPin) spawnSync('taskset', ['-a', '-p', '-c', LOAD_CPUS!, String(process.pid)], { stdio: 'ignore' })
const dir = mkdtempSync(join(tmpdir(), 'edgelb-reload-bench-'))

/** The configuration of reload `n`: A and B alternate; the tag the responses get also says `n`
 *  (A0, B1, A2…), so that an answer is never taken for one of the configuration before. */
function configText(n: number, port: number, origin: number, pidfile: string): string {
  const tag = `${n % 2 === 0 ? 'A' : 'B'}${n}`
  return `global
  nbthread 1
  maxconn 9900
  pidfile ${pidfile}
  hard-stop-after 30s
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend fe
  bind 127.0.0.1:${port}
  http-response set-header x-config ${tag}
  default_backend be
backend be
  server s1 127.0.0.1:${origin}
`
}

// --- load -----------------------------------------------------------------------------------

interface Tally {
  ok: number
  failed: number
  refused: number
  reset: number
  kaClosed: number
  errors: Map<string, number>
  /** [sent, tag] of every answered request on a new connection, and of keep-alive ones. */
  closeSeen: [number, string][]
  kaSeen: [number, string][]
}

const newTally = (): Tally => ({ ok: 0, failed: 0, refused: 0, reset: 0, kaClosed: 0, errors: new Map(), closeSeen: [], kaSeen: [] })

const REQ_KA = Buffer.from('GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n')
const REQ_CLOSE = Buffer.from('GET /hello HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n')

/** The complete responses at the start of `buf`: their tags, and the bytes they took. */
function parseResponses(buf: Buffer): { tags: string[]; used: number } {
  const tags: string[] = []
  let at = 0
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', at)
    if (end < 0) break
    const head = buf.subarray(at, end).toString('latin1')
    const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
    if (buf.length < end + 4 + len) break
    tags.push(/\r\nx-config: *(\w+)/i.exec(head)?.[1] ?? '?')
    at = end + 4 + len
  }
  return { tags, used: at }
}

function countError(t: Tally, e: NodeJS.ErrnoException): void {
  const code = e.code ?? e.message
  t.errors.set(code, (t.errors.get(code) ?? 0) + 1)
  if (code === 'ECONNREFUSED') t.refused++
  if (code === 'ECONNRESET' || code === 'EPIPE') t.reset++
}

/** A keep-alive connection sending requests back to back; reconnects when closed. */
function keepAliveClient(port: number, t: Tally, running: () => boolean): Promise<void> {
  return new Promise((done) => {
    const open = (): void => {
      if (!running()) { done(); return }
      let buf: Buffer = Buffer.alloc(0)
      let sentAt = 0
      let inFlight = false
      let errored = false
      const s: Socket = connect({ host: '127.0.0.1', port }, () => { s.setNoDelay(true); send() })
      const send = (): void => {
        if (!running()) { s.end(); return }
        sentAt = performance.now()
        inFlight = true
        s.write(REQ_KA)
      }
      s.on('data', (chunk: Buffer) => {
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk])
        const { tags, used } = parseResponses(buf)
        if (tags.length === 0) return
        buf = buf.subarray(used)
        for (const tag of tags) { t.ok++; t.kaSeen.push([sentAt, tag]) }
        inFlight = false
        send()
      })
      s.on('error', (e) => { errored = true; countError(t, e) })
      s.on('close', () => {
        if (inFlight) t.failed++
        else if (!errored && running()) t.kaClosed++
        open()
      })
    }
    open()
  })
}

/** One connection per request, one after another. */
async function closeClient(port: number, t: Tally, running: () => boolean): Promise<void> {
  while (running()) {
    await new Promise<void>((resolve) => {
      const sentAt = performance.now()
      let buf: Buffer = Buffer.alloc(0)
      const s = connect({ host: '127.0.0.1', port }, () => { s.write(REQ_CLOSE) })
      s.on('data', (chunk: Buffer) => { buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]) })
      s.on('error', (e) => countError(t, e))
      s.on('close', () => {
        const { tags } = parseResponses(buf)
        if (tags.length === 1) { t.ok++; t.closeSeen.push([sentAt, tags[0]!]) } else t.failed++
        resolve()
      })
    })
  }
}

// --- proxies ----------------------------------------------------------------------------------

interface Proxy {
  name: string
  start(file: string, port: number): Promise<{ child: Child; signalPid: () => number }>
}

const proxies: Proxy[] = [
  {
    name: 'edgelb',
    async start(file, port) {
      const child = spawn('edgelb', pinned(PROXY_CPUS, [BUN, join(ROOT, 'src/main.ts'), 'run', file]), join(dir, 'edgelb.log'), { BUN_GC_TIMER_INTERVAL: opts['gc-timer'] })
      await waitPort(port, child)
      return { child, signalPid: () => child.pid }
    },
  },
  {
    name: 'HAProxy -W',
    async start(file, port) {
      const pidfile = join(dir, 'haproxy-master.pid')
      // The master is the process spawned (taskset execs it); SIGUSR2 makes it re-execute and
      // start a new worker, the old one finishing its sessions.
      const child = spawn('haproxy', pinned(PROXY_CPUS, ['haproxy', '-W', '-db', '-f', file]), join(dir, 'haproxy.log'))
      await waitPort(port, child)
      return { child, signalPid: () => child.pid }
    },
  },
]

interface Result {
  name: string
  tally: Tally
  reloads: number
  /** Per reload: ms from the signal to the first new connection answered with the new tag, and
   *  to the last new connection / keep-alive request still answered with the old one. */
  firstNew: number[]
  lastOldClose: number[]
  lastOldKa: number[]
  rssFirst: number
  rssSoon: number
  rssLast: number
  memReloads: number
  memSeconds: number
  /** Signals of the memory phase sent again because the first did not take effect in 1 s. */
  resent: number
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** One request on a new connection: its tag ('' when it failed). */
function probe(port: number): Promise<string> {
  const t = newTally()
  return closeClient(port, t, (() => { let once = true; return () => { const r = once; once = false; return r } })()).then(() => t.closeSeen[0]?.[1] ?? '')
}

async function measure(p: Proxy, originPort: number): Promise<Result> {
  const port = freePort()
  const file = join(dir, `${p.name.split(' ')[0]}.cfg`)
  const pidfile = join(dir, `${p.name.split(' ')[0]}.pid`)
  let n = 0
  const tagOf = (k: number): string => `${k % 2 === 0 ? 'A' : 'B'}${k}`
  writeFileSync(file, configText(n, port, originPort, pidfile))
  const { child, signalPid } = await p.start(file, port)
  try {
    // Load, with a reload every INTERVAL_MS.
    const tally = newTally()
    let running = true
    const clients = [
      ...Array.from({ length: KA }, () => keepAliveClient(port, tally, () => running)),
      ...Array.from({ length: CLOSE }, () => closeClient(port, tally, () => running)),
    ]
    await sleep(1000)
    const signals: { at: number; tag: string; old: string }[] = []
    const end = performance.now() + DURATION_MS
    while (performance.now() < end) {
      n++
      writeFileSync(file, configText(n, port, originPort, pidfile))
      signals.push({ at: performance.now(), tag: tagOf(n), old: tagOf(n - 1) })
      process.kill(signalPid(), 'SIGUSR2')
      await sleep(INTERVAL_MS)
    }
    await sleep(1000)
    running = false
    await Promise.all(clients)
    const firstNew: number[] = []
    const lastOldClose: number[] = []
    const lastOldKa: number[] = []
    signals.forEach((s, i) => {
      const until = signals[i + 1]?.at ?? Infinity
      const inWindow = (x: [number, string]): boolean => x[0] >= s.at && x[0] < until
      const close = tally.closeSeen.filter(inWindow)
      const ka = tally.kaSeen.filter(inWindow)
      const first = close.find((x) => x[1] === s.tag)
      firstNew.push(first === undefined ? NaN : first[0] - s.at)
      const oldClose = close.filter((x) => x[1] === s.old).at(-1)
      lastOldClose.push(oldClose === undefined ? 0 : oldClose[0] - s.at)
      const oldKa = ka.filter((x) => x[1] === s.old).at(-1)
      lastOldKa.push(oldKa === undefined ? 0 : oldKa[0] - s.at)
    })

    // Memory over many reloads, each waited for (a new connection sees the new tag), then 100 ms
    // for the proxy to settle. A signal that has no effect within 1 s is sent again, and counted:
    // HAProxy's master misses a SIGUSR2 that comes while it re-executes itself after a reload.
    let resent = 0
    const waitTag = async (want: string): Promise<void> => {
      const deadline = performance.now() + 20_000
      let again = performance.now() + 1000
      while ((await probe(port)) !== want) {
        if (performance.now() > deadline) throw new Error(`${p.name}: the configuration ${want} did not take effect within 20 s; its log ends with:\n${tail(child.log, 20)}`)
        if (performance.now() > again) { resent++; process.kill(signalPid(), 'SIGUSR2'); again = performance.now() + 1000 }
        await sleep(2)
      }
    }
    const reloadOnce = async (): Promise<void> => {
      n++
      writeFileSync(file, configText(n, port, originPort, pidfile))
      process.kill(signalPid(), 'SIGUSR2')
      await waitTag(tagOf(n))
      await sleep(100)
    }
    await reloadOnce()
    await sleep(SETTLE_MS)
    const rssFirst = treeRssKiB(child.pid)
    const t0 = performance.now()
    for (let i = 1; i < RELOADS; i++) await reloadOnce()
    const memSeconds = (performance.now() - t0) / 1000
    await sleep(3000)
    const rssSoon = treeRssKiB(child.pid)
    await sleep(Math.max(0, SETTLE_MS - 3000))
    const rssLast = treeRssKiB(child.pid)
    if (process.env.RELOAD_BENCH_LOG) console.error(tail(child.log, Number(process.env.RELOAD_BENCH_LOG)))
    return { name: p.name, tally, reloads: signals.length, firstNew, lastOldClose, lastOldKa, rssFirst, rssSoon, rssLast, memReloads: RELOADS, memSeconds, resent }
  } finally {
    await stop(child, 5000)
  }
}

// --- report -----------------------------------------------------------------------------------

const fmt = (n: number): string => (Number.isNaN(n) ? 'n/a' : n.toFixed(1))
const max = (xs: number[]): number => { const ys = xs.filter((x) => !Number.isNaN(x)); return ys.length === 0 ? NaN : Math.max(...ys) }

function report(results: Result[], originKind: string): void {
  const rows: [string, (r: Result) => string][] = [
    ['reloads under load', (r) => String(r.reloads)],
    ['requests answered', (r) => r.tally.ok.toLocaleString('en')],
    ['failed requests (connection ended before the response)', (r) => String(r.tally.failed)],
    ['refused connections', (r) => String(r.tally.refused)],
    ['reset connections', (r) => String(r.tally.reset)],
    ['keep-alive connections closed between requests', (r) => String(r.tally.kaClosed)],
    ['new connections on the new config: first, ms after the signal (median / max)', (r) => `${fmt(median(r.firstNew))} / ${fmt(max(r.firstNew))}`],
    ['new connections still on the old config, up to ms after (median / max)', (r) => `${fmt(median(r.lastOldClose))} / ${fmt(max(r.lastOldClose))}`],
    ['keep-alive requests still on the old config, up to ms after (median / max)', (r) => `${fmt(median(r.lastOldKa))} / ${fmt(max(r.lastOldKa))}`],
    [`RSS ${opts.settle} s after the first reload (MiB, every process)`, (r) => (r.rssFirst / 1024).toFixed(1)],
    [`RSS ${opts.settle} s after the last reload (MiB)`, (r) => `${(r.rssLast / 1024).toFixed(1)} (${((r.rssLast / r.rssFirst - 1) * 100).toFixed(1)} %; ${r.memReloads} reloads in ${r.memSeconds.toFixed(0)} s)`],
    ['RSS 3 s after the last reload (MiB)', (r) => `${(r.rssSoon / 1024).toFixed(1)} (${((r.rssSoon / r.rssFirst - 1) * 100).toFixed(1)} %)`],
    ['reload signals sent again (no effect within 1 s; 100 ms after the previous one took)', (r) => String(r.resent)],
  ]
  console.log(`\nreloads under load: ${opts.duration} s, one every ${INTERVAL_MS} ms; ${KA} keep-alive connections and ${CLOSE} one-connection-per-request clients; origin ${originKind}${canPin ? '; proxy on CPU 0, load and origin on CPU 1' : ''}; edgelb with BUN_GC_TIMER_INTERVAL=${opts['gc-timer']}\n`)
  console.log(`| | ${results.map((r) => r.name).join(' | ')} |`)
  console.log(`| --- |${results.map(() => ' ---: |').join('')}`)
  for (const [label, f] of rows) console.log(`| ${label} | ${results.map(f).join(' | ')} |`)
  for (const r of results) if (r.tally.errors.size > 0) console.log(`\n${r.name} socket errors: ${[...r.tally.errors].map(([k, v]) => `${k} ${v}`).join(', ')}`)
}

try {
  const origin = await startOrigin(dir, has('nginx'), (cmd) => pinned(LOAD_CPUS, cmd))
  const chosen = proxies.filter((p) => opts.only === undefined || p.name.toLowerCase().startsWith(opts.only.toLowerCase()))
  if (!has('haproxy')) console.error('haproxy is not installed: edgelb alone')
  const results: Result[] = []
  for (const p of chosen) {
    if (p.name.startsWith('HAProxy') && !has('haproxy')) continue
    console.error(`${p.name}: ${opts.duration} s of load with reloads, then ${RELOADS} reloads for memory…`)
    results.push(await measure(p, origin.port))
  }
  report(results, origin.kind)
} finally {
  await killAll()
  rmSync(dir, { recursive: true, force: true })
}
