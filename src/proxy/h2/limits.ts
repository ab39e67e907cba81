/**
 * The HTTP/2 limits of one side of the proxy, from the global `tune.h2.*` values (read at load
 * by config/keywords/global.ts into `tune`): the side's own keyword (`tune.h2.fe.*`,
 * `tune.h2.be.*`) first, then the one for both sides, then edgelb's default.
 */
import { DEFAULT_LIMITS, type H2Limits } from '../../http2/limits.ts'
import type { GlobalConfig } from '../../model/types.ts'

const cache = new WeakMap<object, { fe: H2Limits; be: H2Limits }>()

export function h2Limits(tune: GlobalConfig['tune'], side: 'fe' | 'be'): H2Limits {
  let c = cache.get(tune)
  if (c === undefined) cache.set(tune, (c = { fe: build(tune, 'fe'), be: build(tune, 'be') }))
  return c[side]
}

function build(tune: GlobalConfig['tune'], side: 'fe' | 'be'): H2Limits {
  const v = (name: string, def: number): number => tune[`tune.h2.${side}.${name}`] ?? tune[`tune.h2.${name}`] ?? def
  return {
    ...DEFAULT_LIMITS,
    maxConcurrentStreams: v('max-concurrent-streams', DEFAULT_LIMITS.maxConcurrentStreams),
    initialWindowSize: v('initial-window-size', DEFAULT_LIMITS.initialWindowSize),
    headerTableSize: v('header-table-size', DEFAULT_LIMITS.headerTableSize),
    maxFrameSize: v('max-frame-size', DEFAULT_LIMITS.maxFrameSize),
    maxHeaderListSize: Math.max(tune.bufsize, 4096),
    maxHeaderFields: tune.maxhdr + 8,
    glitchesThreshold: v('glitches-threshold', DEFAULT_LIMITS.glitchesThreshold),
    maxTotalStreams: v('max-total-streams', DEFAULT_LIMITS.maxTotalStreams),
    enableConnectProtocol: (tune['h2-workaround-bogus-websocket-clients'] ?? 0) === 0,
  }
}
