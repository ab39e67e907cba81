/**
 * The terminal reports of `edgelb bench`: one table (direct, through edgelb, the ratio) with the
 * proxy's cost under it, and an optional latency histogram drawn with bars.
 */
import type { LatencyHistogram } from './histogram.ts'
import type { BenchReport, BenchRun } from './runner.ts'

const ms = (v: number): string => (Number.isNaN(v) ? '-' : v < 1 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(0))
const num = (v: number): string => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2))

function errorsCell(r: BenchRun): string {
  const e = r.summary.errors
  if (e.total === 0) return '0'
  const kinds = (['connect', 'read', 'write', 'timeout', 'parse', 'status'] as const).filter((k) => e[k] > 0).map((k) => `${k} ${e[k]}`)
  return kinds.join(', ')
}

export function describeLoad(r: BenchReport): string {
  const o = r.options
  const amount = o.requests > 0 && o.duration === 0 ? `${o.requests} requests` : `${o.duration} s${o.requests > 0 ? ` (at most ${o.requests} requests)` : ''}`
  const rate = o.rate > 0 ? `fixed rate ${o.rate} req/s (latency from the intended send time)` : 'max rate'
  const conn = o.mode === 'tcp' ? 'tcp request/response' : o.keepAlive ? 'http keep-alive' : 'http, one connection per request'
  const be = o.target !== undefined ? `target ${o.target.host}:${o.target.port}` : o.config === undefined ? `${o.backends} built-in backend(s)` : `${r.config}`
  return `${conn}, ${o.connections} connection(s), ${amount}, ${rate}; ${be}; load generator: ${o.workers} process(es)`
}

export function renderTable(r: BenchReport): string {
  const rows: string[][] = [['', 'req/s', 'MB/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'errors']]
  const line = (name: string, run: BenchRun): void => {
    const s = run.summary
    rows.push([name, num(s.reqPerSec), s.mbPerSec.toFixed(2), ms(s.latency.p50), ms(s.latency.p90), ms(s.latency.p99), ms(s.latency.p999), ms(s.latency.max), errorsCell(run)])
  }
  if (r.direct) line(r.options.target !== undefined ? 'target' : 'direct', r.direct)
  if (r.proxy) line('through edgelb', r.proxy)
  if (r.direct && r.proxy) {
    const d = r.direct.summary, p = r.proxy.summary
    const x = (a: number, b: number): string => (b > 0 && Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '-')
    rows.push(['edgelb / direct', x(p.reqPerSec, d.reqPerSec), x(p.mbPerSec, d.mbPerSec), x(p.latency.p50, d.latency.p50), x(p.latency.p90, d.latency.p90), x(p.latency.p99, d.latency.p99), x(p.latency.p999, d.latency.p999), x(p.latency.max, d.latency.max), ''])
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  const out = rows.map((row) => row.map((c, i) => (i === 0 || i === row.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd())
  const lines = [describeLoad(r), '', ...out]
  const c = r.proxy?.cost
  if (c) {
    const cpu = c.cpuPercent === null ? 'n/a' : `${c.cpuPercent}% of a core, ${c.cpuUsPerRequest ?? '-'} µs per request`
    const rss = c.rssKiB === null ? 'n/a' : `${(c.rssKiB / 1024).toFixed(1)} MiB`
    lines.push('', `edgelb process: CPU ${cpu}; RSS ${rss} at the end`)
  }
  for (const run of [r.direct, r.proxy]) {
    if (!run) continue
    const st = Object.entries(run.summary.statuses).map(([k, v]) => `${k}: ${v}`).join(', ')
    if (st !== '' && Object.keys(run.summary.statuses).some((k) => k !== '200')) lines.push(`${run.label} statuses: ${st}`)
  }
  return lines.join('\n')
}

/** Latency histogram as rows of bars, about `rows` of them on a log scale of latency. */
export function renderHistogram(h: LatencyHistogram, title: string, rows = 16, width = 40): string {
  if (h.count === 0) return `${title}: no answers`
  const lo = Math.max(1, h.min), hi = Math.max(lo * 1.01, h.max)
  const step = Math.log(hi / lo) / rows
  const counts = new Array<number>(rows).fill(0)
  for (const [low, high, c] of h.bins()) {
    const mid = Math.max(lo, (low + high) / 2)
    const k = Math.min(rows - 1, Math.max(0, Math.floor(Math.log(mid / lo) / step)))
    counts[k]! += c
  }
  const peak = Math.max(...counts)
  const out = [`${title} (latency, log scale; share of answers):`]
  let cum = 0
  for (let k = 0; k < rows; k++) {
    cum += counts[k]!
    const from = lo * Math.exp(step * k) / 1000
    const bar = '█'.repeat(Math.round((counts[k]! / peak) * width))
    out.push(`  ${ms(from).padStart(8)} ms  ${bar.padEnd(width)} ${((counts[k]! / h.count) * 100).toFixed(1).padStart(5)}%  (≤ ${((cum / h.count) * 100).toFixed(1)}%)`)
  }
  return out.join('\n')
}
