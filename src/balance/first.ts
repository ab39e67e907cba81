import { noArgs } from './args.ts'
import { isEligible, isFull, selectPool } from './pool.ts'
import type { LbAlgorithm, LbOptions, LbServer, LbState } from './types.ts'

// HAProxy's `first`: the first server in declaration order with a free slot (cur < maxconn;
// maxconn 0 is never full), so the other servers can be powered down while the first ones
// absorb the load. Weights count only as 0 (no traffic) or not.

function create(servers: readonly LbServer[], options: LbOptions): LbState {
  let pool: LbServer[] = []
  const state: LbState = {
    pick(): LbServer | undefined {
      for (let i = 0; i < pool.length; i++) {
        const s = pool[i]
        if (isEligible(s) && !isFull(s)) return s
      }
      return undefined
    },
    update(): void {
      pool = selectPool(servers, options.allBackups)
    },
  }
  state.update()
  return state
}

export const first: LbAlgorithm = {
  name: 'first',
  hashes: 'nothing',
  httpOnly: false,
  dynamicWeights: () => true,
  parse: noArgs('first'),
  create,
}
