import { noArgs } from './args.ts'
import { isFull, perServer, selectPool } from './pool.ts'
import type { LbAlgorithm, LbOptions, LbServer, LbState } from './types.ts'

// Smooth weighted round robin: on each pick every candidate's score grows by its weight, the
// highest score wins and pays back the total. Over any window the shares follow the weights, and
// a server's picks are spread out rather than bunched (5,1,1 -> a a b a c a a). Weights are read
// live, so runtime changes (slowstart, agent) apply from the next pick; full servers sit out a
// turn. O(servers) per pick: a handful of additions per server, no allocation.

function create(servers: readonly LbServer[], options: LbOptions): LbState {
  let pool: LbServer[] = []
  const score = perServer(servers)
  const state: LbState = {
    pick(): LbServer | undefined {
      let best: LbServer | undefined
      let bestScore = -Infinity
      let total = 0
      for (let i = 0; i < pool.length; i++) {
        const s = pool[i]
        const w = s.weight
        if (w <= 0 || !s.usable || isFull(s)) continue
        const v = (score[s.index] += w)
        total += w
        if (v > bestScore) {
          best = s
          bestScore = v
        }
      }
      if (best !== undefined) score[best.index] -= total
      return best
    },
    update(): void {
      pool = selectPool(servers, options.allBackups)
      const inPool = new Set(pool)
      for (const s of servers) if (!inPool.has(s)) score[s.index] = 0 // returns with a clean slate
    },
  }
  state.update()
  return state
}

export const roundrobin: LbAlgorithm = {
  name: 'roundrobin',
  hashes: 'nothing',
  httpOnly: false,
  dynamicWeights: () => true,
  parse: noArgs('roundrobin'),
  create,
}
