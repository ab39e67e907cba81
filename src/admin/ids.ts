/**
 * The numbers HAProxy gives proxies and servers, which `show servers state` and `show stat`
 * print: with a stats socket, 1 is its own "GLOBAL" frontend; then every frontend, backend and
 * listen in the order of the configuration, from 2; a server is its rank in its backend, from 1.
 */
import type { Config } from '../model/types.ts'

export function proxyIds(config: Config): Map<string, number> {
  const ids = new Map<string, number>()
  let next = config.global.statsSockets.length > 0 ? 2 : 1
  for (const p of config.proxies) if (!ids.has(p.name)) ids.set(p.name, next++)
  return ids
}
