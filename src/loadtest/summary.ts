/** A load result reduced to the figures the reports print (and `--json` carries). */
import { LatencyHistogram } from './histogram.ts'
import { totalErrors, type ErrorCounts, type LoadResult } from './types.ts'

export interface RunSummary {
  requests: number
  seconds: number
  reqPerSec: number
  /** Megabytes (10^6 bytes) received per second, heads included, as wrk's "Transfer/sec". */
  mbPerSec: number
  /** Latency in milliseconds. */
  latency: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number }
  errors: ErrorCounts & { total: number }
  statuses: Record<string, number>
  connectionsOpened: number
}

export interface ProxyCost {
  pid: number
  /** CPU seconds (user + system) the proxy used during the measured run. */
  cpuSeconds: number | null
  /** Share of one core, in percent. */
  cpuPercent: number | null
  cpuUsPerRequest: number | null
  /** Resident memory at the end of the run, KiB. */
  rssKiB: number | null
}

const round = (v: number, d = 3): number => (Number.isFinite(v) ? Math.round(v * 10 ** d) / 10 ** d : v)

export function summarize(r: LoadResult): RunSummary {
  const h = LatencyHistogram.fromJSON(r.latency)
  const seconds = r.elapsedMs / 1000
  const ms = (us: number): number => round(us / 1000)
  return {
    requests: r.requests,
    seconds: round(seconds),
    reqPerSec: round(r.requests / seconds, 1),
    mbPerSec: round(r.bytes / seconds / 1e6),
    latency: { p50: ms(h.percentile(50)), p90: ms(h.percentile(90)), p99: ms(h.percentile(99)), p999: ms(h.percentile(99.9)), max: ms(h.max), mean: ms(h.mean) },
    errors: { ...r.errors, total: totalErrors(r.errors) },
    statuses: r.statuses,
    connectionsOpened: r.connectionsOpened,
  }
}
