import type { LbServer } from './types.ts'

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}

/** A table in which each `pool[i]` appears in proportion to `weights[i]` (all divided by their
 *  gcd first, to keep it short), interleaved as smoothly as the ratios allow: the max-score
 *  method of HAProxy's map.c and nginx's smooth round robin. Weights 5,1,1 give a a b a c a a.
 *  O(servers × table length); for update(), not pick(). Entries of weight 0 are left out. */
export function buildSmoothMap(pool: readonly LbServer[], weights: ArrayLike<number>): LbServer[] {
  let g = 0
  for (let i = 0; i < pool.length; i++) if (weights[i] > 0) g = gcd(weights[i], g)
  if (g === 0) return []
  const w = Array.from(pool, (_, i) => (weights[i] > 0 ? weights[i] / g : 0))
  const total = w.reduce((a, b) => a + b, 0)
  const score = new Float64Array(pool.length)
  const table: LbServer[] = new Array<LbServer>(total)
  for (let o = 0; o < total; o++) {
    let best = -1
    for (let i = 0; i < pool.length; i++) {
      if (w[i] === 0) continue
      score[i] += w[i]
      if (best < 0 || score[i] > score[best]) best = i
    }
    table[o] = pool[best]
    score[best] -= total
  }
  return table
}
