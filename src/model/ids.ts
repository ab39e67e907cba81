/**
 * Proxy and server numbers, as HAProxy gives them (its `uuid` and `puid`): the stats' `iid` and
 * `sid`, `show servers state`, the `fe_id`/`be_id`/`srv_id` fetches, the id a stick table stores
 * for a server (and sends to peers), the points of consistent hashing.
 *
 * An `id N` line forces a number; the others take the lowest number still free, in declaration
 * order, from 1. When the global section declares a `stats socket`, HAProxy's own CLI proxy is
 * declared first and takes number 1, so the configuration's proxies start at 2.
 */
import type { Config, ProxyConfig, ServerConfig } from './types.ts'

/** Numbers for items some of which force theirs; `clash(i, j)` for two forcing the same. */
export function numberItems(forced: readonly (number | undefined)[], firstFree = 1, clash: (i: number, j: number) => void = () => {}): number[] {
  const taken = new Map<number, number>()
  forced.forEach((id, i) => {
    if (id === undefined) return
    const prev = taken.get(id)
    if (prev !== undefined) clash(i, prev)
    else taken.set(id, i)
  })
  let next = firstFree
  return forced.map((id) => {
    if (id !== undefined) return id
    while (taken.has(next)) next++
    taken.set(next, -1)
    return next
  })
}

/** Sets `uuid` on every proxy and `puid` on every server of the configuration. */
export function assignIds(config: Config, clash: (what: 'proxy' | 'server', a: ProxyConfig | ServerConfig, b: ProxyConfig | ServerConfig) => void = () => {}): void {
  const ps = config.proxies
  const first = config.global.statsSockets.length > 0 ? 2 : 1
  const uuids = numberItems(ps.map((p) => p.id), first, (i, j) => clash('proxy', ps[i]!, ps[j]!))
  ps.forEach((p, i) => {
    p.uuid = uuids[i]!
    const ss = p.servers
    const puids = numberItems(ss.map((s) => s.id), 1, (a, b) => clash('server', ss[a]!, ss[b]!))
    ss.forEach((s, j) => { s.puid = puids[j]! })
  })
}
