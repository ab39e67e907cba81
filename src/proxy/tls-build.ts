/**
 * The TLS objects of a configuration, built once with the other run-time objects (runtime.ts):
 * what each `bind … ssl` listens with, and each server's TLS (traffic, health checks, its `sni`
 * expression compiled by the rules' compiler).
 *
 * Fail closed: a bind with `ssl` whose TLS cannot be built has no entry, and its frontend
 * refuses to bind it; a server whose TLS cannot be built keeps `tls` null only after the error is
 * reported, which stops `run` (without a report, the first problem throws).
 */
import type { Backend } from '../backend/backend.ts'
import { dirname } from 'node:path'
import { ConfigError, type SourcePos } from '../model/source.ts'
import type { BindConfig, Config } from '../model/types.ts'
import { buildListenTls } from '../net/tls/bind.ts'
import { buildServerTls } from '../net/tls/server.ts'
import type { TlsListen } from '../net/types.ts'
import { compileExpr } from '../rules/expr.ts'
import type { CompiledRules } from '../rules/proxy.ts'
import { toStr } from '../rules/sample.ts'

export interface TlsBuildSink {
  warn(message: string, at: SourcePos): void
  error(message: string, at: SourcePos): void
}

export function buildTlsObjects(config: Config, backends: ReadonlyMap<string, Backend>, rules: CompiledRules, report: TlsBuildSink | undefined): Map<BindConfig, TlsListen> {
  const warn = (m: string, at: SourcePos): void => report?.warn(m, at)
  const guard = (fn: () => void): void => {
    try {
      fn()
    } catch (e) {
      if (!(e instanceof ConfigError) || report === undefined) throw e
      report.error(e.message, e.pos)
    }
  }
  const listenTls = new Map<BindConfig, TlsListen>()
  for (const p of config.proxies) {
    if (p.kind === 'backend') continue
    for (const b of p.binds) {
      if (!b.ssl) continue
      guard(() => { listenTls.set(b, buildListenTls(b, config.global, { mode: p.mode, handshakeTimeout: p.timeouts.client ?? Infinity }, { warn })) })
    }
  }
  for (const be of backends.values()) {
    for (const srv of be.servers) {
      guard(() => {
        const built = buildServerTls(srv.cfg, config.global, be.cfg.mode, { warn })
        srv.tls = built.traffic
        srv.checkTls = built.check
        const t = srv.cfg.tls
        if (t?.checkSni !== undefined) srv.checkSni = t.checkSni
        if (t?.sni !== undefined && srv.cfg.ssl) {
          const constant = /^str\(([^()]*)\)$/.exec(t.sni)
          if (constant) {
            const name = constant[1]!
            srv.sni = () => name
          } else {
            const expr = compileExpr(t.sni, { tables: rules.tables, maps: rules.maps, fileDir: dirname(be.cfg.pos.file), proxy: be.name, at: srv.cfg.pos }).fn
            srv.sni = (s) => toStr(expr(s)) || undefined
            srv.sniConstant = false
          }
        }
      })
    }
  }
  return listenTls
}
