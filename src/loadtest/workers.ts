/**
 * The load spread over worker processes, so that the load generator is not the bottleneck: one
 * JavaScript thread drives about one core's worth of sockets. Each worker is this same edgelb
 * (`selfCommand()`: works for `./edgelb` and `bun src/main.ts` alike) running the hidden command
 * `edgelb __loadgen JSON`; it prints progress lines and, last, its result, as JSON lines on
 * stdout. A worker whose parent goes away (stdin closes) stops.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { watchParentPipe } from '../master/programs.ts'
import { selfCommand } from '../net/runtime.ts'
import { LatencyHistogram } from './histogram.ts'
import { runLoad } from './loadgen.ts'
import { noErrors, type ErrorCounts, type LoadOptions, type LoadProgress, type LoadResult } from './types.ts'

export const WORKER_COMMAND = '__loadgen'

/** Splits one load into `n` shares (connections, rate and request count divided). */
export function split(opts: LoadOptions, n: number): LoadOptions[] {
  const w = Math.max(1, Math.min(n, opts.connections))
  const out: LoadOptions[] = []
  const share = (total: number, i: number): number => Math.floor(total / w) + (i < total % w ? 1 : 0)
  for (let i = 0; i < w; i++) {
    out.push({
      ...opts,
      // each worker starts on a different target, so that few connections still cover them all
      targets: opts.targets.map((_, k) => opts.targets[(k + i) % opts.targets.length]!),
      connections: share(opts.connections, i),
      rate: opts.rate > 0 ? opts.rate / w : 0,
      requests: opts.requests > 0 ? share(opts.requests, i) : 0,
    })
  }
  return out.filter((o) => o.connections > 0 && (opts.requests === 0 || o.requests > 0))
}

export function mergeResults(rs: LoadResult[]): LoadResult {
  const h = new LatencyHistogram()
  const errors: ErrorCounts = noErrors()
  const statuses: Record<string, number> = {}
  let requests = 0, bytes = 0, elapsedMs = 0, connectionsOpened = 0
  for (const r of rs) {
    h.merge(LatencyHistogram.fromJSON(r.latency))
    for (const k in errors) errors[k as keyof ErrorCounts] += r.errors[k as keyof ErrorCounts]
    for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v
    requests += r.requests
    bytes += r.bytes
    connectionsOpened += r.connectionsOpened
    elapsedMs = Math.max(elapsedMs, r.elapsedMs)
  }
  return { requests, bytes, elapsedMs, errors, statuses, latency: h.toJSON(), connectionsOpened }
}

/**
 * Runs the load with `workers` processes (1: in this process). `onProgress` gets the sum of the
 * workers' latest reports about every 250 ms.
 */
export async function runWorkers(opts: LoadOptions, workers: number, onProgress?: (p: LoadProgress) => void): Promise<LoadResult> {
  const shares = split(opts, workers)
  if (shares.length === 1) return runLoad(shares[0]!, onProgress)
  const latest: LoadProgress[] = shares.map(() => ({ requests: 0, errors: 0, bytes: 0 }))
  const report = (): void => {
    if (!onProgress) return
    const sum = { requests: 0, errors: 0, bytes: 0 }
    for (const p of latest) { sum.requests += p.requests; sum.errors += p.errors; sum.bytes += p.bytes }
    onProgress(sum)
  }
  const children: ChildProcess[] = []
  try {
    const results = await Promise.all(shares.map((share, i) => {
      const [cmd, ...args] = selfCommand()
      const child = spawn(cmd!, [...args, WORKER_COMMAND, JSON.stringify(share)], { stdio: ['pipe', 'pipe', 'inherit'] })
      children.push(child)
      return new Promise<LoadResult>((resolve, reject) => {
        let buf = ''
        let result: LoadResult | undefined
        child.stdout!.setEncoding('utf8')
        child.stdout!.on('data', (text: string) => {
          buf += text
          for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
            const line = buf.slice(0, nl)
            buf = buf.slice(nl + 1)
            const msg = JSON.parse(line) as { progress?: LoadProgress; result?: LoadResult }
            if (msg.progress) { latest[i] = msg.progress; if (i === 0) report() }
            if (msg.result) result = msg.result
          }
        })
        child.on('error', reject)
        child.on('exit', (code, signal) => {
          if (result) resolve(result)
          else reject(new Error(`load generator worker ${i + 1} exited (${signal ?? code}) without a result`))
        })
      })
    }))
    return mergeResults(results)
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM')
  }
}

/** The worker side: `edgelb __loadgen JSON`. */
export async function workerMain(json: string): Promise<number> {
  const opts = JSON.parse(json) as LoadOptions
  const out = (o: unknown): void => { process.stdout.write(JSON.stringify(o) + '\n') }
  const result = runLoad(opts, (p) => out({ progress: p }))
  const unwatch = watchParentPipe(() => process.exit(1))
  out({ result: await result })
  unwatch()
  return 0
}
