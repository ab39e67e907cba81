/**
 * Every check of an engine: built once the backends exist, started with the engine, stopped with
 * it. Owns the server state machine (state.ts), the tracking links, passive health and the
 * slowstart ramps.
 */
import type { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import { now } from '../core/clock.ts'
import { Timer } from '../core/timer-wheel.ts'
import { wheel } from '../core/wheel.ts'
import { createAgentCheck } from './agent.ts'
import { installObserver } from './observe.ts'
import { compileHealthCheck } from './registry.ts'
import { Check, startDelays, type CheckOptions } from './scheduler.ts'
import { ServerStates, type StateHost } from './state.ts'
import { CheckConfigError, type CheckKind } from './types.ts'

export interface HealthChecksOptions {
  /** `spread-checks` (percent). */
  spreadChecks?: number
  /** `tune.bufsize`. */
  bufsize?: number
  /** `tune.http.maxhdr`. */
  maxHeaders?: number
  random?: () => number
}

export class HealthChecks {
  readonly states: ServerStates
  readonly checks: Check[] = []
  readonly #byServer = new Map<Server, { health?: Check; agent?: Check }>()
  readonly #ramps = new Map<Server, Timer>()
  readonly #opts: CheckOptions
  #started = false

  /** Compiles the checks of `backends`. Throws CheckConfigError for a setting that cannot work
   *  (a tracked server that does not exist or is not checked, a script that does not parse). */
  constructor(backends: Iterable<Backend>, host: StateHost, options: HealthChecksOptions = {}) {
    this.#opts = { spreadChecks: options.spreadChecks ?? 0, bufsize: options.bufsize ?? 16384, random: options.random ?? Math.random }
    const beOf = new Map<Server, Backend>()
    const byName = new Map<string, Backend>()
    for (const be of backends) {
      byName.set(be.name, be)
      for (const s of be.servers) beOf.set(s, be)
    }
    this.states = new ServerStates(host, beOf)
    this.states.setHooks({ warmUp: (s) => this.#warmUp(s), checkNow: (s) => this.#byServer.get(s)?.health?.runNow() })

    for (const be of byName.values()) {
      let kind: CheckKind | undefined
      for (const s of be.servers) {
        const mine: { health?: Check; agent?: Check } = {}
        if (s.cfg.check && s.cfg.track === undefined) {
          kind ??= compileHealthCheck(be.cfg, { maxHeaders: options.maxHeaders ?? 101 })
          mine.health = this.#add(new Check(s, { be, kind, agent: false, states: this.states, opts: this.#opts }))
        }
        if (s.cfg.agentCheck) mine.agent = this.#add(new Check(s, { be, kind: createAgentCheck(s, this.states), agent: true, states: this.states, opts: this.#opts }))
        this.#byServer.set(s, mine)
        installObserver(s, this.states, (srv) => this.#fastinter(srv))
      }
    }
    for (const be of byName.values()) for (const s of be.servers) if (s.cfg.track !== undefined) this.#link(s, be, byName)
  }

  #add(c: Check): Check {
    this.checks.push(c)
    return c
  }

  /** `track [BACKEND/]SERVER`: the tracker follows the tracked server's health and admin state. */
  #link(s: Server, be: Backend, byName: Map<string, Backend>): void {
    const spec = s.cfg.track!
    const slash = spec.indexOf('/')
    const tbe = slash >= 0 ? byName.get(spec.slice(0, slash)) : be
    const t = tbe?.findServer(slash >= 0 ? spec.slice(slash + 1) : spec)
    if (!tbe || !t) throw new CheckConfigError(`server '${s.name}' tracks '${spec}', which does not exist; write track BACKEND/SERVER`, s.cfg.pos)
    if (t === s) throw new CheckConfigError(`server '${s.name}' cannot track itself`, s.cfg.pos)
    // At the end of the chain there must be a checked server (HAProxy refuses otherwise).
    const seen = new Set<Server>([s])
    let end: Server = t
    let endBe: Backend = tbe
    while (end.cfg.track !== undefined && !end.cfg.check && !end.cfg.agentCheck) {
      if (seen.has(end)) throw new CheckConfigError(`server '${s.name}': 'track' loops back through '${end.name}'`, s.cfg.pos)
      seen.add(end)
      const sp = end.cfg.track
      const i = sp.indexOf('/')
      const nb = i >= 0 ? byName.get(sp.slice(0, i)) : endBe
      const next = nb?.findServer(i >= 0 ? sp.slice(i + 1) : sp)
      if (!nb || !next) break
      end = next
      endBe = nb
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
   *  twentieth of `slowstart` (at least one wheel tick). */
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
    if (s.throttle < 1) wheel.schedule(this.#ramps.get(s)!, now() + Math.max(10, s.cfg.slowstart / 20))
  }
}
