/**
 * What the engine runs itself (proxy/applet.ts): each proxy's stats page, made on first use, and
 * the services (none yet).
 */
import type { ProxyConfig } from '../model/types.ts'
import type { Applet, Applets } from '../proxy/applet.ts'
import type { Engine } from '../proxy/engine.ts'
import { statsPage } from './page.ts'

export function statsApplets(engine: Engine): Applets {
  const pages = new Map<ProxyConfig, Applet>()
  return {
    stats(p) {
      if (p.stats === undefined) return null
      let a = pages.get(p)
      if (a === undefined) pages.set(p, (a = statsPage(engine, p)))
      return a
    },
    service() {
      return null
    },
  }
}
