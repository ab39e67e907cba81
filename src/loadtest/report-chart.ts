/**
 * `edgelb bench --report FILE`: the latency percentile chart (HdrHistogram's "percentile
 * distribution": percentile on a log scale of 1/(1-p), so the tail has room) of the direct and
 * proxied runs, as an SVG file, or as an HTML page that adds the table (by FILE's extension).
 */
import type { LatencyHistogram } from './histogram.ts'
import type { BenchReport } from './runner.ts'
import { renderTable } from './report-text.ts'

const W = 760, H = 420, L = 70, R = 20, T = 40, B = 50
const MAX_NINES = 4 // up to 99.99 %

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Percentile for x in [0, 1] along the nines axis. */
const pctAt = (x: number): number => 100 * (1 - 10 ** (-x * MAX_NINES))

export function renderSvg(r: BenchReport): string {
  const series: { name: string; color: string; h: LatencyHistogram }[] = []
  if (r.direct) series.push({ name: 'direct', color: '#1f77b4', h: r.direct.latency })
  if (r.proxy) series.push({ name: 'through edgelb', color: '#d62728', h: r.proxy.latency })
  const N = 120
  const pts = series.map((s) => Array.from({ length: N + 1 }, (_, i) => s.h.count === 0 ? 0 : s.h.percentile(pctAt(i / N)) / 1000))
  const ymax = Math.max(0.001, ...pts.flat()) * 1.08
  const px = (x: number): number => L + x * (W - L - R)
  const py = (ms: number): number => H - B - (ms / ymax) * (H - T - B)
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`)
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`)
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">edgelb bench: latency by percentile (${esc(r.mode)}, ${r.options.connections} connections${r.options.rate > 0 ? `, ${r.options.rate} req/s` : ''})</text>`)
  // grid: nines on x, 5 steps on y
  for (let k = 0; k <= MAX_NINES; k++) {
    const x = px(k / MAX_NINES)
    const label = k === 0 ? '0%' : `${(100 - 100 / 10 ** k).toFixed(k > 2 ? k - 2 : 0)}%`
    out.push(`<line x1="${x}" y1="${T}" x2="${x}" y2="${H - B}" stroke="#ddd"/><text x="${x}" y="${H - B + 18}" text-anchor="middle">${label}</text>`)
  }
  for (let k = 0; k <= 5; k++) {
    const v = (ymax / 5) * k
    const y = py(v)
    out.push(`<line x1="${L}" y1="${y}" x2="${W - R}" y2="${y}" stroke="#eee"/><text x="${L - 6}" y="${y + 4}" text-anchor="end">${v < 1 ? v.toFixed(3) : v.toFixed(1)}</text>`)
  }
  out.push(`<text x="${W / 2}" y="${H - 12}" text-anchor="middle">percentile</text>`)
  out.push(`<text x="16" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(T + H - B) / 2})">latency (ms)</text>`)
  series.forEach((s, i) => {
    const d = pts[i]!.map((v, k) => `${k === 0 ? 'M' : 'L'}${px(k / N).toFixed(1)},${py(v).toFixed(1)}`).join(' ')
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`)
    out.push(`<rect x="${L + 12}" y="${T + 8 + i * 18}" width="14" height="3" fill="${s.color}"/><text x="${L + 32}" y="${T + 13 + i * 18}">${esc(s.name)}: p50 ${(s.h.percentile(50) / 1000).toFixed(3)} ms, p99 ${(s.h.percentile(99) / 1000).toFixed(3)} ms</text>`)
  })
  out.push('</svg>')
  return out.join('\n') + '\n'
}

export function renderHtml(r: BenchReport): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>edgelb bench</title>
<style>body{font-family:sans-serif;margin:2em}pre{background:#f6f6f6;padding:1em}</style></head>
<body><h1>edgelb bench</h1>
<p>${esc(r.edgelb)}, ${esc(new Date().toISOString())}</p>
<pre>${esc(renderTable(r))}</pre>
${renderSvg(r)}
<h2>Configuration</h2><pre>${esc(r.config)}</pre>
</body></html>
`
}
