/**
 * `edgelb bench`: the built-in benchmark (backends, proxy, load generator, report), and the
 * hidden `edgelb __loadgen` that its worker processes run.
 */
import { availableParallelism } from 'node:os'
import { writeFileSync } from 'node:fs'
import { parseServerAddr } from '../model/address.ts'
import { ConfigError } from '../model/source.ts'
import { parseDuration, parseIntIn, parseSize } from '../model/units.ts'
import { renderHtml, renderSvg } from '../loadtest/report-chart.ts'
import { renderHistogram, renderTable } from '../loadtest/report-text.ts'
import { runBench, type BenchOptions, type BenchReport } from '../loadtest/runner.ts'
import { killAllNow } from '../loadtest/procs.ts'
import { WORKER_COMMAND, workerMain } from '../loadtest/workers.ts'
import { versionLine } from '../version.ts'
import { commandArgs } from './args.ts'
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command, type Io } from './types.ts'

/** The mode `edgelb bench` measures unless told. */
export const DEFAULT_MODE: 'http' | 'tcp' = 'http'

/** Load generator processes by default: one per two cores (the rest run the proxy and the
 *  backends), at least one, at most four. */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(4, Math.floor(availableParallelism() / 2)))
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'measure what edgelb costs: built-in backends and load generator, direct vs proxied',
  usage: `usage: edgelb bench [options]

Starts built-in backend servers (edgelb serve) and edgelb in front of them, runs the same load
directly against the backends and then through edgelb, and prints one table: requests/s, MB/s,
latency percentiles, errors by kind, and the proxy's CPU and memory. Needs nothing else installed.

load:
  -m, --mode MODE         http or tcp (default ${DEFAULT_MODE}): the generated config's mode and the load's
                          protocol (tcp: a line protocol, each line answered by --size bytes; with
                          --config the load is HTTP unless --mode tcp, whatever the proxy's mode)
  -c, --connections N     concurrent connections (default 50)
  -d, --duration TIME     length of each measured run: 10s, 1m (default 5s)
  -n, --requests N        stop each run after N answers (without --duration: run until then)
  -R, --rate N            fixed rate, requests/s; latency then counts from when each request was
                          due, not from when it could be sent (corrects coordinated omission)
      --close             one connection per request (Connection: close), like HAProxy's httpclose
      --path PATH         request target (default /); ?s=SIZE&r=STATUS&t=DELAY_MS work per request
  -w, --workers N         load generator processes (default ${defaultWorkers()} here: one per two cores)
      --warmup TIME       unmeasured load before each run (default 1s; 0 for none)
      --timeout TIME      a request unanswered this long is an error (default 5s)

backends (the built-in servers):
  -b, --backends N        how many (default 2), balanced roundrobin
  -s, --size BYTES        answer body size, k/m/g suffixes (default a one-line greeting)
      --status CODE       answer status (default 200)
      --delay TIME        answer delay (default 0)

proxy:
      --config FILE       run edgelb with FILE instead of a generated config (its 'program'
                          sections may start the backends); the load goes to --frontend
      --frontend NAME     the frontend or listen section to load (default: the first)
      --target ADDR       load ADDR (HOST:PORT) alone: no backends, no proxy (a wrk of its own)
      --no-direct         skip the direct run (only through edgelb)
      --no-proxy          skip the proxied run (measure the backends, or the load generator)

output:
      --json              print the results as JSON instead of the table
      --histogram         add a latency histogram per run
      --report FILE       write a latency chart: FILE.svg, or FILE.html (chart and table)
  -h, --help              show this help

The generated config is HAProxy syntax: 'listen bench' on 127.0.0.1 (a free port), 'balance
roundrobin', one 'server' per backend, 'mode' as --mode. A live progress line shows on a terminal.`,
  async run(args: string[], io: Io): Promise<number> {
    const parsed = commandArgs(benchCommand, args, {
      io,
      options: {
        mode: { type: 'string', short: 'm' },
        connections: { type: 'string', short: 'c' },
        duration: { type: 'string', short: 'd' },
        requests: { type: 'string', short: 'n' },
        rate: { type: 'string', short: 'R' },
        close: { type: 'boolean' },
        path: { type: 'string' },
        workers: { type: 'string', short: 'w' },
        warmup: { type: 'string' },
        timeout: { type: 'string' },
        backends: { type: 'string', short: 'b' },
        size: { type: 'string', short: 's' },
        status: { type: 'string' },
        delay: { type: 'string' },
        config: { type: 'string' },
        frontend: { type: 'string' },
        target: { type: 'string' },
        'no-direct': { type: 'boolean' },
        'no-proxy': { type: 'boolean' },
        json: { type: 'boolean' },
        histogram: { type: 'boolean' },
        report: { type: 'string' },
      },
    })
    if (typeof parsed === 'number') return parsed
    const v = parsed.values
    const at = { file: 'command line', line: 0 }
    let o: BenchOptions
    try {
      const mode = v.mode ?? DEFAULT_MODE
      if (mode !== 'http' && mode !== 'tcp') throw new ConfigError(`--mode expects http or tcp, got '${mode}'`, at)
      const requests = v.requests === undefined ? 0 : parseIntIn(v.requests, at, '--requests', 1, 1e12)
      o = {
        mode,
        backends: v.backends === undefined ? 2 : parseIntIn(v.backends, at, '--backends', 1, 64),
        connections: v.connections === undefined ? 50 : parseIntIn(v.connections, at, '--connections', 1, 100_000),
        duration: v.duration === undefined ? (requests > 0 ? 0 : 5) : parseDuration(v.duration, at, 's') / 1000,
        requests,
        rate: v.rate === undefined ? 0 : parseIntIn(v.rate, at, '--rate', 1, 1e9),
        keepAlive: !v.close,
        workers: v.workers === undefined ? defaultWorkers() : parseIntIn(v.workers, at, '--workers', 1, 256),
        warmup: v.warmup === undefined ? 1 : parseDuration(v.warmup, at, 's') / 1000,
        size: v.size === undefined ? -1 : parseSize(v.size, at),
        status: v.status === undefined ? 200 : parseIntIn(v.status, at, '--status', 200, 599),
        delay: v.delay === undefined ? 0 : parseDuration(v.delay, at),
        path: v.path ?? '/',
        timeoutMs: v.timeout === undefined ? 5000 : parseDuration(v.timeout, at),
        direct: !v['no-direct'],
        proxy: !v['no-proxy'],
      }
      if (v.config !== undefined) o.config = v.config
      if (v.frontend !== undefined) o.frontend = v.frontend
      if (v.target !== undefined) {
        // a server address as a config writes it; ':PORT' is this host
        const a = parseServerAddr(v.target.startsWith(':') ? `127.0.0.1${v.target}` : v.target, at)
        if (a.port === undefined || a.path !== undefined) throw new ConfigError(`--target expects HOST:PORT, got '${v.target}'`, at)
        if (v.config !== undefined) throw new ConfigError(`--target and --config exclude each other`, at)
        o.target = { host: a.host, port: a.port }
        o.proxy = false
        o.direct = true
      }
      if (v.frontend !== undefined && v.config === undefined) throw new ConfigError(`--frontend needs --config FILE`, at)
      if (!o.direct && !o.proxy) throw new ConfigError(`--no-direct and --no-proxy leave nothing to run`, at)
      if (o.mode === 'tcp' && !o.keepAlive) throw new ConfigError(`--close is for --mode http (tcp runs keep one connection)`, at)
      if (o.duration === 0 && o.requests === 0) throw new ConfigError(`--duration 0 needs --requests N`, at)
      if (!o.path.startsWith('/')) throw new ConfigError(`--path must start with '/', got '${o.path}'`, at)
      if (v.report !== undefined && !/\.(svg|html?)$/i.test(v.report)) throw new ConfigError(`--report FILE must end in .svg or .html, got '${v.report}'`, at)
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e
      io.err(`edgelb bench: ${e.message}`)
      return EXIT_USAGE
    }

    const tty = process.stderr.isTTY === true && !v.json
    const progress = (label: string, p: { requests: number; errors: number }, elapsedMs: number): void => {
      if (!tty) return
      const s = elapsedMs / 1000
      process.stderr.write(`\r\x1b[2K  ${label.padEnd(6)} ${s.toFixed(1).padStart(5)} s  ${p.requests.toLocaleString('en-US').padStart(11)} answers  ${Math.round(p.requests / Math.max(0.001, s)).toLocaleString('en-US').padStart(9)} req/s  ${p.errors} errors`)
    }
    const phase = (text: string): void => {
      if (tty) process.stderr.write(`\r\x1b[2K  ${text}`)
      else if (!v.json) io.err(`edgelb bench: ${text}`)
    }
    const onInt = (): void => { killAllNow(); process.exit(130) }
    process.once('SIGINT', onInt)
    process.once('SIGTERM', onInt)
    let report: BenchReport
    try {
      report = await runBench(o, { phase, progress }, versionLine())
    } catch (e) {
      if (tty) process.stderr.write('\r\x1b[2K')
      io.err(`edgelb bench: ${(e as Error).message}`)
      return EXIT_INVALID
    } finally {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onInt)
    }
    if (tty) process.stderr.write('\r\x1b[2K')

    if (v.json) {
      const { direct, proxy, ...rest } = report
      const strip = (r: typeof direct) => (r ? { label: r.label, targets: r.targets, ...r.summary, ...(r.cost ? { proxy: r.cost } : {}) } : undefined)
      io.out(JSON.stringify({ ...rest, direct: strip(direct), proxy: strip(proxy) }, null, 2))
    } else {
      io.out(renderTable(report))
      if (v.histogram) {
        for (const r of [report.direct, report.proxy]) if (r) io.out('\n' + renderHistogram(r.latency, r.label === 'direct' ? 'direct' : 'through edgelb'))
      }
    }
    if (v.report !== undefined) {
      try {
        writeFileSync(v.report, /\.svg$/i.test(v.report) ? renderSvg(report) : renderHtml(report))
        if (!v.json) io.out(`\nreport written to ${v.report}`)
      } catch (e) {
        io.err(`edgelb bench: cannot write ${v.report}: ${(e as Error).message}`)
        return EXIT_INVALID
      }
    }
    return EXIT_OK
  },
}

/** The worker processes of the load generator (not listed in help). */
export const loadgenWorkerCommand: Command = {
  name: WORKER_COMMAND,
  summary: 'internal: one load generator worker of edgelb bench',
  usage: `usage: edgelb ${WORKER_COMMAND} JSON   (started by edgelb bench)`,
  async run(args: string[]): Promise<number> {
    if (args.length !== 1) return EXIT_USAGE
    return workerMain(args[0]!)
  },
}
