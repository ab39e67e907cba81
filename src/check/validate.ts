/**
 * `edgelb check` for health checks: compiles every backend's checks and tracking links as the
 * engine will, and reports each setting that cannot work at its line instead of stopping at the
 * first (a bad `tcp-check`/`http-check` line, an agent without a port, a `track` to a server
 * that does not exist or is not checked), and warns about a check that is disabled.
 */
import { Backend } from '../backend/backend.ts'
import type { SourcePos } from '../model/source.ts'
import type { Config } from '../model/types.ts'
import { HealthChecks } from './checks.ts'

export function validateChecks(config: Config, report: { warn(message: string, at: SourcePos): void; error(message: string, at: SourcePos): void }): void {
  const backends: Backend[] = []
  for (const p of config.proxies) if (p.kind === 'backend' || p.kind === 'listen') backends.push(new Backend(p, { fullconn: 0 }))
  // A script inherited from a defaults section is compiled once per backend: report it once.
  const seen = new Set<string>()
  new HealthChecks(backends, { event() {}, killSessions: () => 0 }, {
    maxHeaders: config.global.tune.maxhdr,
    onWarning: (m, at) => report.warn(m, at),
    onError(e) {
      const key = `${e.pos.file}\0${e.pos.line}\0${e.reason}`
      if (seen.has(key)) return
      seen.add(key)
      report.error(e.reason, e.pos)
    },
  })
}
