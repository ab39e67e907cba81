/**
 * The rows of the proxy statistics, in HAProxy's order: proxy by proxy as the configuration
 * declares them, each with its FRONTEND row, its listeners (`option socket-stats`), then its
 * servers, then its BACKEND row.
 */
import type { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import type { Engine } from '../proxy/engine.ts'
import { now } from '../core/clock.ts'
import type { RenderEnv, RowKind, StatsRow } from './types.ts'

export interface RowFilter {
  /** Only the proxies whose name this accepts (`stats scope`, the page's scope box). */
  proxy?: (name: string) => boolean
  /** Only these kinds of row (`show stat <iid> <type> <sid>`). */
  kinds?: ReadonlySet<RowKind>
  /** Only this proxy number, and (servers) this server number (-1: any). */
  iid?: number
  sid?: number
  /** Leave out servers that are down or in maintenance (`;up`, `show stat up`), or in
   *  maintenance (`;no-maint`, `show stat no-maint`). */
  hideDown?: boolean
  hideMaint?: boolean
}

/** The environment of one rendering: now, whether legends show, the backend of each server. */
export function renderEnv(engine: Engine, legends: boolean): RenderEnv {
  let byServer: Map<Server, Backend> | undefined
  return {
    now: now(),
    legends,
    backendOf: (s: Server) => {
      if (byServer === undefined) {
        byServer = new Map()
        for (const be of engine.backends.values()) for (const x of be.servers) byServer.set(x, be)
      }
      return byServer.get(s)
    },
  }
}

/** Every row the filter keeps, in order. */
export function statsRows(engine: Engine, env: RenderEnv, f: RowFilter = {}): StatsRow[] {
  const rows: StatsRow[] = []
  const want = (k: RowKind): boolean => f.kinds === undefined || f.kinds.has(k)
  let n = 0
  for (const px of engine.config.proxies) {
    if (px.kind === 'defaults') continue
    n++
    const iid = px.uuid ?? n
    if (f.iid !== undefined && f.iid >= 0 && f.iid !== iid) continue
    if (f.proxy !== undefined && !f.proxy(px.name)) continue
    if (px.kind !== 'backend' && want('fe')) {
      const fe = engine.frontends.find((x) => x.cfg === px)
      if (fe !== undefined) rows.push({ kind: 'fe', px, iid, env, fe })
    }
    if (px.kind !== 'backend' && want('li')) {
      const fe = engine.frontends.find((x) => x.cfg === px)
      for (const li of fe?.listenerStats ?? []) {
        if (f.sid !== undefined && f.sid >= 0 && f.sid !== li.id) continue
        rows.push({ kind: 'li', px, iid, env, fe: fe!, li })
      }
    }
    if (px.kind === 'frontend') continue
    const be = engine.backends.get(px.name)
    if (be === undefined || be.cfg !== px) continue
    if (want('srv')) {
      be.servers.forEach((s) => {
        const sid = s.puid
        if (f.sid !== undefined && f.sid >= 0 && f.sid !== sid) return
        if (f.hideMaint && s.effectiveAdmin === 'maint') return
        if (f.hideDown && (!s.up || s.effectiveAdmin === 'maint')) return
        const { health, agent } = engine.checks.checksOf(s)
        rows.push({ kind: 'srv', px, iid, env, be, s, sid, health, agent })
      })
    }
    if (want('be')) rows.push({ kind: 'be', px, iid, env, be })
  }
  return rows
}
