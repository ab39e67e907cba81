/**
 * `stats socket ADDRESS [OPTION…]` read once: where the runtime API listens (a unix path, or
 * `ipv4@`/`ipv6@` HOST:PORT), the file mode of a unix socket, and the level of what its commands
 * may do. HAProxy's default level is `operator`.
 */
import { parseBindSpec } from './address.ts'
import { ConfigError, type SourcePos } from './source.ts'
import type { ListenAddr } from './types.ts'

export type CliLevel = 'user' | 'operator' | 'admin'

export interface StatsSocketSpec {
  addr: ListenAddr
  /** File mode of a unix socket (`mode 600`); undefined: as the process's umask leaves it. */
  mode?: number
  level: CliLevel
  /** The owner of a unix socket: `uid N`/`gid N`, or `user NAME`/`group NAME` (names, resolved
   *  at load by the configuration, which stores the numbers on the `stats socket` line). */
  uid?: number
  gid?: number
  user?: string
  group?: string
  /** Options edgelb knows but does not act on (`expose-fd`…), as written. */
  ignored: string[]
}

/** The words each bind option of a stats socket takes, for those edgelb leaves alone. */
const IGNORED_ARITY: Readonly<Record<string, number>> = {
  'expose-fd': 1, 'severity-output': 1, process: 1, thread: 1,
  name: 1, id: 1, maxconn: 1, backlog: 1, nice: 1, 'accept-proxy': 0, transparent: 0, 'defer-accept': 0,
}

export function parseStatsSocket(address: string, options: readonly string[], at: SourcePos): StatsSocketSpec {
  if (address.startsWith('abns@')) throw new ConfigError(`'stats socket ${address}': abstract sockets (abns@) are not supported by edgelb; give a path or ipv4@HOST:PORT`, at)
  const addrs = parseBindSpec(address, at)
  if (addrs.length !== 1) throw new ConfigError(`'stats socket' listens on one address, not '${address}'`, at)
  const spec: StatsSocketSpec = { addr: addrs[0]!, level: 'operator', ignored: [] }
  for (let i = 0; i < options.length; i++) {
    const w = options[i]!
    const v = options[i + 1]
    if (w === 'mode') {
      if (v === undefined || !/^[0-7]{1,4}$/.test(v)) throw new ConfigError(`'stats socket ... mode' expects an octal file mode such as 600, got '${v ?? ''}'`, at)
      spec.mode = parseInt(v, 8)
      i++
    } else if (w === 'level') {
      if (v !== 'user' && v !== 'operator' && v !== 'admin') throw new ConfigError(`'stats socket ... level' expects user, operator or admin, got '${v ?? ''}'`, at)
      spec.level = v
      i++
    } else if (w === 'uid' || w === 'gid') {
      if (v === undefined || !/^\d+$/.test(v)) throw new ConfigError(`'stats socket ... ${w}' expects a number, got '${v ?? ''}'`, at)
      spec[w] = Number(v)
      i++
    } else if (w === 'user' || w === 'group') {
      if (v === undefined) throw new ConfigError(`'stats socket ... ${w}' expects a ${w} name`, at)
      spec[w] = v
      i++
    } else if (w in IGNORED_ARITY) {
      const n = IGNORED_ARITY[w]!
      if (n > 0 && v === undefined) throw new ConfigError(`'stats socket ... ${w}' expects a value`, at)
      spec.ignored.push(w)
      i += n
    } else {
      throw new ConfigError(`unknown 'stats socket' option '${w}'; edgelb knows mode, level, user, group, uid, gid, ${Object.keys(IGNORED_ARITY).join(', ')}`, at)
    }
  }
  return spec
}
