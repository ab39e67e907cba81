import { noArgs } from './args.ts'
import { isEligible, isFull, perServer, selectPool } from './pool.ts'
import type { LbAlgorithm, LbOptions, LbServer, LbState } from './types.ts'

// The server with the fewest connections for its weight, i.e. the lowest (cur + 1) / weight
// (the load it would have once given this one, as HAProxy's key), compared exactly by
// cross-multiplying. Ties go to the server picked least recently, so equal servers rotate.
// A scan rather than HAProxy's tree: `cur` is read live, so there is no order to keep in step
// with the backend and taken()/released() are not needed; O(servers) per pick.

function create(servers: readonly LbServer[], options: LbOptions): LbState {
  let pool: LbServer[] = []
  const lastPick = perServer(servers)
  let seq = 0
  const state: LbState = {
    pick(): LbServer | undefined {
      let best: LbServer | undefined
      for (let i = 0; i < pool.length; i++) {
        const s = pool[i]
        if (!isEligible(s) || isFull(s)) continue
        if (best === undefined) {
          best = s
          continue
        }
        const mine = (s.cur + 1) * best.weight
        const theirs = (best.cur + 1) * s.weight
        if (mine < theirs || (mine === theirs && lastPick[s.index] < lastPick[best.index])) best = s
      }
      if (best !== undefined) lastPick[best.index] = ++seq
      return best
    },
    update(): void {
      pool = selectPool(servers, options.allBackups)
    },
  }
  state.update()
  return state
}

export const leastconn: LbAlgorithm = {
  name: 'leastconn',
  hashes: 'nothing',
  httpOnly: false,
  dynamicWeights: () => true,
  parse: noArgs('leastconn'),
  create,
}
