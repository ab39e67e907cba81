/**
 * The run-time objects of a configuration, built once: every proxy's rules with their stick
 * tables and maps (each map file read once), the backends with their balancing keys, and the
 * health checks. `edgelb check` reports every problem building them meets, at its line
 * (config/build.ts); `edgelb run` starts the engine with these same objects, so what was checked
 * is what runs.
 *
 * Built without a report, the first problem throws (ConfigError, or CheckConfigError for a check),
 * as an engine started from a configuration nobody checked must not run half of it.
 */
import { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import { compileBalanceKey } from '../balance/registry.ts'
import { HealthChecks, type HealthChecksOptions } from '../check/checks.ts'
import type { StateEvent, StateHost } from '../check/state.ts'
import type { Protection } from '../model/dictionary/types.ts'
import { ConfigError, type SourcePos } from '../model/source.ts'
import type { BindConfig, Config, ProxyConfig } from '../model/types.ts'
import { compileRules, type CompiledRules } from '../rules/proxy.ts'
import type { StickTable } from '../rules/stick-table.ts'
import { dirname } from 'node:path'
import type { TlsListen } from '../net/types.ts'
import { buildTlsObjects } from './tls-build.ts'
import { localPeerName, planPeers, type PeersPlan } from '../peers/plan.ts'
import type { PeersService } from '../peers/service.ts'

export interface RuntimeReport {
  warn(message: string, at: SourcePos): void
  error(message: string, at: SourcePos): void
  /** A rule edgelb knows but does not implement, and what it protects. */
  unimplemented(what: string, at: SourcePos, protects: Protection): void
  /** Where a proxy's `balance` line is (it may come from a defaults section), for its errors. */
  balanceAt?(p: ProxyConfig): SourcePos | undefined
}

/** The objects, and the one who hears the health checks' state changes: the engine that runs
 *  them, once it exists (`host`); before that, there is no one to tell. */
export class Runtime implements StateHost {
  /** Compiled, not started: the engine starts them. */
  readonly checks: HealthChecks
  host: StateHost | null = null
  /** What each `bind … ssl` listens with (net/tls/bind.ts); servers carry their own TLS. */
  listenTls: ReadonlyMap<BindConfig, TlsListen> = new Map()
  /** The `peers` sections this process takes part in, started with the engine. */
  peersPlans: PeersPlan[] = []
  /** A reload: the running sections that go on unchanged into this runtime (carry-over.ts). */
  readonly peersKept = new Map<string, PeersService>()

  constructor(
    readonly config: Config,
    /** Every proxy's compiled rules, the stick tables and the maps. */
    readonly rules: CompiledRules,
    readonly backends: ReadonlyMap<string, Backend>,
    checkOptions: HealthChecksOptions,
  ) {
    this.checks = new HealthChecks(backends.values(), this, checkOptions)
  }

  event(be: Backend, e: StateEvent): void {
    this.host?.event(be, e)
  }

  killSessions(s: Server, why: 'down' | 'up'): number {
    return this.host?.killSessions(s, why) ?? 0
  }
}

/** The target of a frontend that always goes to one backend (`default_backend`, or a
 *  `use_backend` without a condition), for the backend's `fullconn`. */
export function staticBackendOf(p: ProxyConfig): string | undefined {
  const always = p.useBackends.find((u) => u.args.length === 1)
  return always?.args[0] ?? p.defaultBackend
}

/** Builds the run-time objects of `config`. With `report`, each problem is reported (once, though a
 *  defaults section hands it to several proxies) and building goes on without what it spoils.
 *  `options.keepTables`: a reload's running stick tables; one the new configuration declares with
 *  the same name and shape is kept, entries and counters with it (shared by both generations while
 *  the old one drains). */
export function buildRuntime(config: Config, report?: RuntimeReport, options: { keepTables?: ReadonlyMap<string, StickTable> } = {}): Runtime {
  const seen = new Set<string>()
  const once = (kind: string, message: string, at: SourcePos, sink: (m: string, at: SourcePos) => void): void => {
    const key = `${kind}\0${at.file}\0${at.line}\0${message}`
    if (seen.has(key)) return
    seen.add(key)
    sink(message, at)
  }
  const keep = options.keepTables === undefined ? {} : { keepTables: options.keepTables }
  const rules = compileRules(config, report === undefined ? keep : {
    ...keep,
    warn: (m, at) => once('w', m, at, report.warn),
    unimplemented: (what, at, protects) => once('u', what, at, (m, pos) => report.unimplemented(m, pos, protects)),
    onError: (e) => once('e', e.message, e.pos, report.error),
  })

  const frontendMaxconn = new Map<string, number>()
  for (const p of config.proxies) {
    if (p.kind === 'backend') continue
    const target = p.kind === 'listen' ? p.name : staticBackendOf(p)
    if (target !== undefined && p.maxconn !== undefined) frontendMaxconn.set(target, (frontendMaxconn.get(target) ?? 0) + p.maxconn)
  }
  const backends = new Map<string, Backend>()
  for (const p of config.proxies) {
    if (p.kind !== 'backend' && p.kind !== 'listen') continue
    // The key of `balance hash` is a sample, compiled with the rules' stick tables and maps.
    let balanceKey = null
    try {
      balanceKey = compileBalanceKey(p, { tables: rules.tables, maps: rules.maps, fileDir: dirname(p.pos.file) }, report?.balanceAt?.(p) ?? p.pos)
    } catch (e) {
      if (!(e instanceof ConfigError) || report === undefined) throw e
      once('e', `'balance ${p.balance.algo}': ${e.message}`, e.pos, report.error)
    }
    backends.set(p.name, new Backend(p, { fullconn: p.fullconn ?? frontendMaxconn.get(p.name) ?? 0, balanceKey }))
  }
  // TLS: certificates read, contexts made, `sni` compiled; servers get theirs before the health
  // checks are built, which connect with them.
  const listenTls = buildTlsObjects(config, backends, rules, report === undefined ? undefined : {
    warn: (m, at) => once('w', m, at, report.warn),
    error: (m, at) => once('e', m, at, report.error),
  })

  const runtime = new Runtime(config, rules, backends, {
    spreadChecks: config.global.spreadChecks,
    pp2NeverSendLocal: config.global.pp2NeverSendLocal === true,
    bufsize: config.global.tune.bufsize,
    maxHeaders: config.global.tune.maxhdr,
    externalCheck: config.global.externalCheck,
    proxyId: (p) => config.proxies.indexOf(p) + 1,
    ...(report === undefined ? {} : {
      onWarning: (m: string, at: SourcePos) => once('w', m, at, report.warn),
      onError: (e: { reason: string; pos: SourcePos }) => once('e', e.reason, e.pos, report.error),
    }),
  })
  runtime.listenTls = listenTls
  const localName = localPeerName(config.global.localPeer)
  for (const s of config.peers) {
    try {
      const plan = planPeers(s, localName, config.proxies, rules.tables)
      if (typeof plan === 'string') { if (report !== undefined) once('w', plan, s.pos, report.warn) } else runtime.peersPlans.push(plan)
    } catch (e) {
      if (!(e instanceof ConfigError) || report === undefined) throw e
      once('e', e.message, e.pos, report.error)
    }
  }
  return runtime
}
