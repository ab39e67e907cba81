/**
 * Requests edgelb answers itself, as HAProxy's applets do: the stats page of a proxy with
 * `stats` settings, and the services `http-request use-service` names (`prometheus-exporter`).
 * They are made above the proxy layer (src/stats/ reads the engine) and handed to the engine at
 * start (`EngineOptions.applets`); the proxy layer only knows this contract.
 */
import type { ProxyConfig } from '../model/types.ts'
import type { StatsVerdict } from '../rules/proxy.ts'

/** The request an applet answers (its head; a body is not passed on). */
export interface AppletRequest {
  readonly method: string
  /** The URI as received (path and query). */
  readonly uri: string
  /** A header's value by lower-case name (the first field of that name). */
  header(lname: string): string | undefined
  /** The proxy whose stats page this is, or whose rule chose the service. */
  readonly proxy: ProxyConfig
  readonly clientAddr: string
  /** The request body as far as it came (a stats page's POST waits for all of it). */
  readonly body?: Uint8Array | null
  /** For a stats page: what its `stats http-request` rules said (undefined: no rule applied),
   *  and whether its `stats admin` condition holds for this request. */
  readonly statsVerdict?: StatsVerdict | undefined
  readonly statsAdmin?: boolean
}

/** A whole response: the session sends it and closes, as after every answer edgelb writes. */
export interface AppletReply {
  readonly status: number
  readonly headers: readonly (readonly [string, string])[]
  readonly body: Uint8Array
}

export type Applet = (req: AppletRequest) => AppletReply | Promise<AppletReply>

export interface Applets {
  /** The stats page of a proxy with `stats` settings (null: none for it). */
  stats(p: ProxyConfig): Applet | null
  /** The service `use-service NAME` runs (null: edgelb has none of that name). */
  service(name: string): Applet | null
}

/** Whether a configuration asks for applets (a stats page, or a `use-service` rule): an engine
 *  started without them refuses such a configuration rather than serve it half. */
export function wantsApplets(proxies: readonly ProxyConfig[]): boolean {
  return proxies.some((p) => p.stats !== undefined || p.rules.some((r) => r.kw === 'http-request' && r.args[0] === 'use-service'))
}
