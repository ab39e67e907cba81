/**
 * What the engine runs itself (proxy/applet.ts): each proxy's stats page, made on first use, and
 * the `prometheus-exporter` service.
 */
import type { ProxyConfig } from '../model/types.ts'
import type { Applet, Applets } from '../proxy/applet.ts'
import type { Engine } from '../proxy/engine.ts'
import { statsPage } from './page.ts'
import { prometheusExporter } from './prometheus.ts'

export function statsApplets(engine: Engine): Applets {
  const pages = new Map<ProxyConfig, Applet>()
  let prom: Applet | null = null
  return {
    stats(p) {
      if (p.stats === undefined) return null
      let a = pages.get(p)
      if (a === undefined) pages.set(p, (a = gathered(engine, statsPage(engine, p))))
      return a
    },
    service(name) {
      if (name !== 'prometheus-exporter') return null
      return (prom ??= gathered(engine, prometheusExporter(engine)))
    },
  }
}

/** With several threads, the other threads' counters are added in before each page. */
function gathered(engine: Engine, a: Applet): Applet {
  return (req) => {
    engine.share?.gatherStats()
    return a(req)
  }
}
