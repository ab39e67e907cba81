import { ConfigError } from '../model/source.ts'
import { parseIntIn } from '../model/units.ts'
import { isFull, selectPool } from './pool.ts'
import type { BalanceArgs, BalanceWords, LbAlgorithm, LbOptions, LbServer, LbState } from './types.ts'

// HAProxy's `random(<draws>)`: draw `draws` servers at random, each with probability
// proportional to its weight, and keep the least loaded (lowest cur / weight), preferring a
// draw that is not full. Two draws ("power of two choices") already avoid most hot spots with
// no shared state to keep. If every draw is full the least loaded one is returned and the
// caller queues on it. O(draws × log servers) per pick.

/** `random` or `random(DRAWS)`. */
function parse(w: BalanceWords): BalanceArgs {
  if (w.words.length > 0) throw new ConfigError(`'balance random' takes no argument`, w.at)
  return w.param === undefined ? {} : { draws: parseIntIn(w.param, w.at, 'random draws', 1, 100) }
}

function create(servers: readonly LbServer[], options: LbOptions): LbState {
  const draws = options['draws'] ?? 2
  if (typeof draws !== 'number' || !Number.isInteger(draws) || draws < 1) throw new RangeError(`random: draws must be an integer >= 1, got ${String(draws)}`)
  let pool: LbServer[] = []
  let cumulative = new Float64Array(0) // cumulative[i] = weights of pool[0..i]
  let total = 0

  const draw = (): LbServer => {
    const r = Math.random() * total
    let lo = 0
    let hi = pool.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (cumulative[mid] > r) hi = mid
      else lo = mid + 1
    }
    return pool[lo]
  }

  const state: LbState = {
    pick(): LbServer | undefined {
      if (pool.length === 0) return undefined
      let best = draw()
      for (let d = 1; d < draws; d++) {
        const s = draw()
        if (s === best) continue
        const sFull = isFull(s)
        if (sFull !== isFull(best)) {
          if (!sFull) best = s
        } else if (s.cur * best.weight < best.cur * s.weight) best = s
      }
      return best
    },
    update(): void {
      pool = selectPool(servers, options.allBackups)
      cumulative = new Float64Array(pool.length)
      total = 0
      for (let i = 0; i < pool.length; i++) cumulative[i] = total += pool[i].weight
    },
  }
  state.update()
  return state
}

export const random: LbAlgorithm = {
  name: 'random',
  hashes: 'nothing',
  httpOnly: false,
  dynamicWeights: () => true,
  parse,
  create,
}
