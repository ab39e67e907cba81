/**
 * Summarises a .cpuprofile (Chrome/V8 format, as `bun --cpu-prof` writes): the functions with
 * the most self time, and the most inclusive time, with file:line.
 *   ./node_modules/.bin/bun bench/lib/prof-top.ts FILE.cpuprofile [N]
 */
import { readFileSync } from 'node:fs'

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[]; hitCount?: number }
const file = process.argv[2]
if (!file) { console.error('usage: prof-top.ts FILE.cpuprofile [N]'); process.exit(2) }
const topN = Number(process.argv[3] ?? 25)
const p = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples?: number[]; timeDeltas?: number[]; startTime: number; endTime: number }
const byId = new Map(p.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

// Self time per node: from samples + timeDeltas when present, else hitCount x mean interval.
const self = new Map<number, number>()
if (p.samples && p.timeDeltas) {
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt)
  }
} else {
  const hits = p.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0)
  const per = (p.endTime - p.startTime) / Math.max(1, hits)
  for (const n of p.nodes) self.set(n.id, (n.hitCount ?? 0) * per)
}
const total = [...self.values()].reduce((a, b) => a + b, 0)
const key = (n: Node): string => {
  const f = n.callFrame
  const where = f.url ? `${f.url.replace(/^.*\/(src|bench|node_modules)\//, '$1/')}:${f.lineNumber + 1}` : ''
  return `${f.functionName || '(anonymous)'} ${where}`.trim()
}
const selfBy = new Map<string, number>()
const inclBy = new Map<string, number>()
for (const n of p.nodes) {
  const t = self.get(n.id) ?? 0
  if (t === 0) continue
  selfBy.set(key(n), (selfBy.get(key(n)) ?? 0) + t)
  // Inclusive: charge every distinct function on the stack once.
  const seen = new Set<string>()
  for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
    const k = key(byId.get(id)!)
    if (seen.has(k)) continue
    seen.add(k)
    inclBy.set(k, (inclBy.get(k) ?? 0) + t)
  }
}
const show = (title: string, m: Map<string, number>): void => {
  console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)`)
  for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, topN)) {
    console.log(`${((t / total) * 100).toFixed(1).padStart(6)}%  ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`)
  }
}
show('self time', selfBy)
show('inclusive time', inclBy)
