import type { LbServer } from './types.ts'

// HAProxy's backup rule, once for every algorithm:
//   eligible active servers exist  -> balance over them
//   none, but eligible backups     -> the first backup in declaration order,
//                                     or all of them with `option allbackups`
//   none at all                    -> empty: pick() returns undefined

/** Can take new traffic: usable and of non-zero weight. */
export function isEligible(s: LbServer): boolean {
  return s.usable && s.weight > 0
}

/** No free connection slot: `cur >= maxconn > 0`. */
export function isFull(s: LbServer): boolean {
  return s.maxconn > 0 && s.cur >= s.maxconn
}

/** The servers that take new traffic now, in declaration order (see the rule above).
 *  Allocates; meant for update(), not for pick(). */
export function selectPool(servers: readonly LbServer[], allBackups: boolean): LbServer[] {
  const ordered = [...servers].sort((a, b) => a.index - b.index)
  const active = ordered.filter((s) => !s.backup && isEligible(s))
  if (active.length > 0) return active
  const backups = ordered.filter((s) => s.backup && isEligible(s))
  return allBackups ? backups : backups.slice(0, 1)
}

/** An array indexed by `LbServer.index`, for per-server algorithm state. */
export function perServer(servers: readonly LbServer[]): Float64Array {
  let max = -1
  for (const s of servers) if (s.index > max) max = s.index
  return new Float64Array(max + 1)
}
