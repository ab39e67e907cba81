import { noArgs } from './args.ts'
import { isEligible, isFull, perServer, selectPool } from './pool.ts'
import { buildSmoothMap } from './smooth-map.ts'
import type { LbAlgorithm, LbOptions, LbServer, LbState } from './types.ts'

// HAProxy's static-rr: weighted round robin over a table built from the weights the servers had
// at creation. Runtime weight changes have no effect, except 0 (no traffic) and back, as HAProxy
// accepts only 0% and 100% there. O(1) per pick with no limit on the number of servers; a full
// server in the table just loses its turn.

function create(servers: readonly LbServer[], options: LbOptions): LbState {
  const initial = perServer(servers)
  for (const s of servers) initial[s.index] = s.weight
  let table: LbServer[] = []
  let pos = 0
  const state: LbState = {
    pick(): LbServer | undefined {
      const n = table.length
      for (let tries = 0; tries < n; tries++) {
        const s = table[pos]
        pos = pos + 1 === n ? 0 : pos + 1
        if (isEligible(s) && !isFull(s)) return s
      }
      return undefined
    },
    update(): void {
      const pool = selectPool(servers, options.allBackups)
      // A server declared with weight 0 and enabled later has no static weight: use its current one.
      table = buildSmoothMap(pool, pool.map((s) => initial[s.index] || s.weight))
      if (pos >= table.length) pos = 0
    },
  }
  state.update()
  return state
}

export const staticRr: LbAlgorithm = {
  name: 'static-rr',
  hashes: 'nothing',
  httpOnly: false,
  dynamicWeights: () => false,
  parse: noArgs('static-rr'),
  create,
}
