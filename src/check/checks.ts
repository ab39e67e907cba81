/**
 * Every check of an engine: built once the backends exist, started with the engine, stopped with
 * it. Owns the server state machine (state.ts), the tracking links, passive health and the
 * slowstart ramps.
 */
import type { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import type { SourcePos } from '../model/source.ts'
import type { ProxyConfig } from '../model/types.ts'
import { now } from '../core/clock.ts'
import { Timer } from '../core/timer-wheel.ts'
import { wheel } from '../core/wheel.ts'
import { createAgentCheck } from './agent.ts'
import { installObserver } from './observe.ts'
import { compileHealthCheck } from './registry.ts'
import { Check, checkTarget, startDelays, type CheckOptions } from './scheduler.ts'
import { ServerStates, type StateHost } from './state.ts'
import { CheckConfigError, type CheckKind } from './types.ts'

export interface HealthChecksOptions {
  /** `spread-checks` (percent). */
  spreadChecks?: number
  /** `pp2-never-send-local`. */
  pp2NeverSendLocal?: boolean
  /** `tune.bufsize`. */
  bufsize?: number
  /** `tune.http.maxhdr`. */
  maxHeaders?: number
  /** `external-check [preserve-env]` in global, and each proxy's id (external checks). */
  externalCheck?: { preserveEnv: boolean } | undefined
  proxyId?: (p: ProxyConfig) => number
  random?: () => number
  /** Reports each setting that cannot work and goes on without the check it spoils (`edgelb
   *  check` reports them all); without it, the constructor throws the first. */
  onError?: (e: CheckConfigError) => void
  /** A check that is disabled (a server without a port to check, as HAProxy 1.x did). */
  onWarning?: (message: string, at: SourcePos) => void
}

export class HealthChecks {
  readonly states: ServerStates
  readonly checks: Check[] = []
  readonly #byServer = new Map<Server, { health?: Check; agent?: Check }>()
  readonly #ramps = new Map<Server, Timer>()
  readonly #opts: CheckOptions
  #started = false

  /** Compiles the checks of `backends`. Throws CheckConfigError for a setting that cannot work
   *  (a tracked server that does not exist or is not checked, a script that does not parse, an
   *  agent without a port), unless `options.onError` takes it. */
  constructor(backends: Iterable<Backend>, host: StateHost, options: HealthChecksOptions = {}) {
    this.#opts = { spreadChecks: options.spreadChecks ?? 0, bufsize: options.bufsize ?? 16384, random: options.random ?? Math.random, pp2NeverSendLocal: options.pp2NeverSendLocal === true }
    const beOf = new Map<Server, Backend>()
    const byName = new Map<string, Backend>()
    for (const be of backends) {
      byName.set(be.name, be)
      for (const s of be.servers) beOf.set(s, be)
    }
    this.states = new ServerStates(host, beOf)
    this.states.setHooks({ warmUp: (s) => this.#warmUp(s), checkNow: (s) => this.#byServer.get(s)?.health?.runNow() })

    const fail = (e: CheckConfigError): void => {
      if (options.onError) options.onError(e)
      else throw e
    }
    const guard = <T>(f: () => T): T | undefined => {
      try { return f() } catch (e) {
        if (!(e instanceof CheckConfigError)) throw e
        fail(e)
        return undefined
      }
    }
    const env = { maxHeaders: options.maxHeaders ?? 101, externalCheck: options.externalCheck, ...(options.proxyId ? { proxyId: options.proxyId } : {}) }
    for (const be of byName.values()) {
      // Compiled once per backend, on its first checked server; null when it does not compile.
      let kind: CheckKind | null | undefined
      for (const s of be.servers) {
        const mine: { health?: Check; agent?: Check } = {}
        const at = s.cfg.pos
        if (s.cfg.check && s.cfg.track === undefined) {
          const target = checkTarget(s, false)
          if (target === undefined) {
            options.onWarning?.(`${be.cfg.kind} '${be.name}': server '${s.name}' has neither service port nor check port, so its check is disabled; add 'port N' to its line`, at)
          } else {
            if (kind === undefined) kind = guard(() => compileHealthCheck(be.cfg, env)) ?? null
            if (kind !== null) mine.health = this.#add(new Check(s, { be, kind, target, agent: false, states: this.states, opts: this.#opts }))
          }
        }
        if (s.cfg.agentCheck) {
          const target = checkTarget(s, true)
          if (target !== undefined) mine.agent = this.#add(new Check(s, { be, kind: createAgentCheck(s, this.states), target, agent: true, states: this.states, opts: this.#opts }))
          else fail(new CheckConfigError(`${be.cfg.kind} '${be.name}': server '${s.name}' has 'agent-check' but no 'agent-port'; add 'agent-port N' to its line`, at))
        }
        this.#byServer.set(s, mine)
        installObserver(s, this.states, (srv) => this.#fastinter(srv))
      }
    }
    for (const be of byName.values()) for (const s of be.servers) if (s.cfg.track !== undefined) guard(() => this.#link(s, be, byName))
  }

  #add(c: Check): Check {
    this.checks.push(c)
    return c
  }

  /** `track [BACKEND/]SERVER`: the tracker follows the tracked server's health and admin state. */
  #link(s: Server, be: Backend, byName: Map<string, Backend>): void {
    const spec = s.cfg.track!
    const tracked = resolveTrack(spec, be, byName)
    if (!tracked) throw new CheckConfigError(`server '${s.name}' tracks '${spec}', which does not exist; write track BACKEND/SERVER`, s.cfg.pos)
    const [tbe, t] = tracked
    if (t === s) throw new CheckConfigError(`server '${s.name}' cannot track itself`, s.cfg.pos)
    // At the end of the chain there must be a checked server (HAProxy refuses otherwise).
    const seen = new Set<Server>([s])
    let end: Server = t
    let endBe: Backend = tbe
    while (end.cfg.track !== undefined && !end.cfg.check && !end.cfg.agentCheck) {
      if (seen.has(end)) throw new CheckConfigError(`server '${s.name}': 'track' loops back through '${end.name}'`, s.cfg.pos)
      seen.add(end)
      const next = resolveTrack(end.cfg.track, endBe, byName)
      if (!next) break
      ;[endBe, end] = next
    }
    if (!end.cfg.check && !end.cfg.agentCheck) {
      throw new CheckConfigError(`server '${s.name}': unable to use ${tbe.name}/${t.name} for tracking as it does not have any check nor agent enabled`, s.cfg.pos)
    }
    s.track = t
    t.trackers.push(s)
    s.up = t.up
    s.nolb = t.nolb
    s.inheritedAdmin = t.effectiveAdmin
    be.serverStateChanged(s)
  }

  /** Schedules every check, spread over their interval as HAProxy does at start-up. */
  start(): void {
    if (this.#started) return
    this.#started = true
    const delays = startDelays(this.checks, this.#opts)
    this.checks.forEach((c, i) => c.start(delays[i]!))
  }

  stop(): void {
    this.#started = false
    for (const c of this.checks) c.stop()
    for (const t of this.#ramps.values()) wheel.cancel(t)
    this.#ramps.clear()
  }

  /** The checks of `s` (tests and the admin API). */
  checksOf(s: Server): { health?: Check; agent?: Check } {
    return this.#byServer.get(s) ?? {}
  }

  #fastinter(s: Server): void {
    const c = this.#byServer.get(s)?.health
    if (!c) return
    c.fastinterForced = true
    if (s.cfg.fastinter !== undefined) c.nudge()
  }

  /** Slowstart: weight and maxconn grow with the time since the server came up, in steps of a
   *  twentieth of `slowstart` (at least one wheel tick). Schedules the next step. */
  #warmUp(s: Server): void {
    const period = Math.max(10, s.cfg.slowstart / 20)
    let t = this.#ramps.get(s)
    if (!t) {
      t = new Timer(() => this.#rampStep(s))
      this.#ramps.set(s, t)
    }
    wheel.schedule(t, now() + period)
  }

  #rampStep(s: Server): void {
    if (!this.#started || s.throttle >= 1 || !s.up) return
    const f = (now() - s.lastChangeAt) / s.cfg.slowstart
    s.throttle = f >= 1 ? 1 : f
    this.states.applyWeight(s)
    this.states.backendOf(s).limitChanged(s)
    if (s.throttle < 1) this.#warmUp(s)
  }
}

/** The server a `track` value names: `BACKEND/SERVER`, or `SERVER` in `be`. */
function resolveTrack(spec: string, be: Backend, byName: ReadonlyMap<string, Backend>): [Backend, Server] | undefined {
  const slash = spec.indexOf('/')
  const tbe = slash >= 0 ? byName.get(spec.slice(0, slash)) : be
  const t = tbe?.findServer(slash >= 0 ? spec.slice(slash + 1) : spec)
  return tbe && t ? [tbe, t] : undefined
}
