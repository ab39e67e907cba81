/**
 * The engine: the run-time objects built from a Config (backends, then frontends that point at
 * them), the listeners, and the process life around them (guide §4.3, §5.4.4):
 *
 *   running --softStop (SIGUSR1)--> stopping: each frontend keeps accepting for its `grace`,
 *      |                             then unbinds; the process ends when the last session ends
 *      |--pause (SIGTTOU)--> listeners released, sessions untouched --resume (SIGTTIN)--> running
 *      `--stop (SIGTERM/SIGINT)--> every session killed, listeners closed, done
 */
import type { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import type { HealthChecks } from '../check/checks.ts'
import type { StateEvent } from '../check/state.ts'
import type { BindConfig, Config, ProxyConfig } from '../model/types.ts'
import type { TlsListen } from '../net/runtime.ts'
import { LocalCount, type Count } from '../core/shared-count.ts'
import { holdWheelDriver } from '../core/wheel.ts'
import { LOG_INFO, levelNumber } from '../log/levels.ts'
import { LogOutputs } from '../log/outputs.ts'
import { buildProxyLog, DEFAULT_LOG_TAG, type ProxyLog } from '../log/proxy-log.ts'
import { openUnixDgram } from '../net/runtime.ts'
import { hostname } from 'node:os'
import { Frontend, type ClientSession, type FrontendHost } from './frontend.ts'
import { ListenerSet, type BoundListener } from './listeners.ts'
import type { ListenAddr } from '../model/types.ts'
import { setBuffers, type SockHandlers } from '../net/runtime.ts'
import { closePooled, serverBuffers } from './srv-conn.ts'
import { closeH2Clients } from './h2/back.ts'
import type { CompiledRules, ProxyRules } from '../rules/proxy.ts'
import { buildRuntime, staticBackendOf, type Runtime } from './runtime.ts'
import { PeersService } from '../peers/service.ts'
import { compileLogFormat } from '../rules/log-format.ts'
import { dirname } from 'node:path'
import { TcpSession } from './tcp-session.ts'
import { wantsApplets, type Applets } from './applet.ts'
import type { RequestTracer } from './tracer.ts'
import type { ProcessShare } from './process-share.ts'
import { Resolution } from './resolution.ts'

export interface EngineOptions {
  /** `log stdout` lines (and those of log targets edgelb does not send to yet) and notices. */
  out(line: string): void
  /** `log stderr` lines and problems. */
  err(line: string): void
  /** The stats pages and services (src/stats/), made for this engine once it exists; required
   *  when the configuration has a `stats` page or a `use-service` rule. */
  applets?(engine: Engine): Applets
  /** Traces HTTP requests (OpenTelemetry, src/stats/otel.ts); every generation gets the same. */
  tracer?: RequestTracer | null
  /** With `nbthread` > 1: how this thread's engines take part in the process (cli/threads.ts). */
  thread?: EngineThread
}

/** One thread's part in a process of several (`nbthread` > 1). */
export interface EngineThread {
  /** The counts a generation's engines share across the threads (made by the first thread,
   *  handed to the others). */
  share(config: Config): ProcessShare
  /** Whether this thread runs the health checks: one does, the others are told the states. */
  readonly checks: boolean
  /** Called once the engine exists, before it binds: a thread that runs no checks sends what
   *  passive health (`observe`) sees to the one that does. */
  started?(engine: Engine): void
  /** The thread that runs the checks ended sessions on `server` (`on-marked-down`,
   *  `on-marked-up`): the other threads end theirs. */
  killedSessions?(be: string, server: string, why: 'down' | 'up'): void
}

/** With no `maxconn` anywhere, edgelb takes what the system gives; this only guards arithmetic. */
const UNLIMITED = Number.MAX_SAFE_INTEGER

export class Engine implements FrontendHost {
  readonly config: Config
  readonly backends = new Map<string, Backend>()
  readonly frontends: Frontend[] = []
  /** Health checks and server states; started with the engine, stopped when it stops. */
  readonly checks: HealthChecks
  /** Servers' addresses found by name (`init-addr`, `resolvers`); started and stopped with it. */
  resolution: Resolution | null = null
  /** What each `bind … ssl` listens with (built with the runtime). */
  readonly listenTls: ReadonlyMap<BindConfig, TlsListen>
  /** The counts shared with the other threads (`nbthread` > 1); null: one thread. */
  share: ProcessShare | null = null
  /** Sessions alive in the process (every thread's with `nbthread` > 1). */
  actconns: Count = new LocalCount()
  /** The global `maxconn` (the runtime API's `set maxconn global` changes it, in every thread). */
  globalMaxconn: number
  readonly tune: Config['global']['tune']
  /** The `peers` sections running (stick-table replication); a reload hands them on. */
  peers: PeersService[] = []
  /** Every proxy's compiled rules, the stick tables and the maps (the admin API edits them). */
  readonly rules: CompiledRules
  readonly #proxyRules = new Map<string, ProxyRules>()
  readonly #opts: EngineOptions
  /** The stats pages and services (none unless the configuration has some). */
  readonly applets: Applets | undefined
  /** Where log lines go: one writer per destination (one UDP socket per syslog server). */
  readonly logOutputs: LogOutputs
  /** Each proxy's log lines (null: it has no `log` line), made once. */
  readonly #proxyLogs = new Map<ProxyConfig, ProxyLog | null>()
  /** The process's listening sockets, which this engine binds through (and which a reload's
   *  next engine takes over). */
  readonly listeners: ListenerSet
  /** Lets the timer wheel's driver go (null: not held). */
  #releaseWheel: (() => void) | null = null
  /** Holds the event loop open until the engine stops: a paused engine (SIGTTOU) with no live
   *  session has no socket left, and the process would otherwise end on its own. */
  #keepAlive: ReturnType<typeof setInterval> | undefined
  #state: 'running' | 'paused' | 'stopping' | 'stopped' = 'running'
  #graceTimers: ReturnType<typeof setTimeout>[] = []
  /** A soft stop: the peers sections handing their tables over to the next process. */
  #handover: Promise<unknown> | null = null
  #hardStopTimer: ReturnType<typeof setTimeout> | undefined
  #resolveDone!: () => void
  /** Resolves when the engine has stopped (after stop(), or a soft stop that drained). */
  readonly done: Promise<void>

  private constructor(runtime: Runtime, opts: EngineOptions, listeners: ListenerSet, previous: Engine | undefined) {
    const config = runtime.config
    this.config = config
    this.#opts = opts
    this.listeners = listeners
    this.logOutputs = new LogOutputs({ out: opts.out, err: opts.err, openUnixDgram, rings: config.rings, previous: previous?.logOutputs })
    this.globalMaxconn = config.global.maxconn ?? UNLIMITED
    this.tune = config.global.tune
    serverBuffers.rcv = this.tune['rcvbuf.server'] ?? 0
    serverBuffers.snd = this.tune['sndbuf.server'] ?? 0
    // The runtime gets ready before the first connection needs it.
    if (Object.keys(this.tune).some((k) => k.startsWith('rcvbuf.') || k.startsWith('sndbuf.'))) setBuffers(null, 0, 0)
    this.done = new Promise((r) => { this.#resolveDone = r })
    // Rules, stick tables, maps, backends and health checks were built once (runtime.ts); a proxy
    // without rules keeps `null` and pays nothing per request.
    this.rules = runtime.rules
    for (const [name, be] of runtime.backends) this.backends.set(name, be)
    this.checks = runtime.checks
    this.listenTls = runtime.listenTls
    runtime.host = {
      event: (be, e) => this.#stateEvent(be.cfg, e),
      killSessions: (s, why) => this.#killSessions(s, why),
    }
    for (const [name, r] of this.rules.proxies) if (Object.values(r.has).some(Boolean)) this.#proxyRules.set(name, r)
    if (wantsApplets(config.proxies) && opts.applets === undefined) throw new Error('Engine.start: the configuration has a stats page or a use-service rule, and the engine was started without applets (src/stats/)')
    this.applets = opts.applets?.(this)
    for (const p of config.proxies) {
      if (p.kind !== 'frontend' && p.kind !== 'listen') continue
      if (p.disabled) continue
      const beName = p.kind === 'listen' ? p.name : staticBackendOf(p)
      const fe = new Frontend(p, this, beName === undefined ? null : this.backends.get(beName) ?? null, this.#proxyRules.get(p.name) ?? null)
      this.frontends.push(fe)
      const sink = this.#sinkFor(p)
      if (p.mode === 'http' && opts.tracer) fe.tracer = opts.tracer
      fe.logsSessions = sink !== null || fe.tracer !== null
      if (p.logFormat !== undefined && sink !== null) {
        const r = this.rules
        fe.logFormat = compileLogFormat(p.logFormat, { tables: r.tables, maps: r.maps, fileDir: dirname(p.pos.file), proxy: p.name, at: p.pos }, { missing: '-' })
      }
      fe.trafficLog = sink
      if (p.uniqueIdFormat !== undefined) {
        const r = this.rules
        fe.uniqueIdFormat = compileLogFormat(p.uniqueIdFormat, { tables: r.tables, maps: r.maps, fileDir: dirname(p.pos.file), proxy: p.name, at: p.pos }, { missing: '-' })
      }
      if (p.errorLogFormat !== undefined) {
        const r = this.rules
        fe.errorLogFormat = compileLogFormat(p.errorLogFormat, { tables: r.tables, maps: r.maps, fileDir: dirname(p.pos.file), proxy: p.name, at: p.pos }, { missing: '-' })
      }
      if (!p.options['dontlognull']) fe.connErrorLog = this.#logOf(p)
      const log = sink === null ? this.#logOf(p) : null
      if (log !== null && log.maxLevel >= LOG_INFO) fe.connectLog = log
    }
    // Every proxy's log lines (a backend's carry its state lines): the sockets exist from the start.
    for (const p of config.proxies) this.#logOf(p)
    this.logOutputs.forgetPrevious()
  }

  /** Binds everything and serves; throws with the failing address after unbinding the rest.
   *  `options.runtime` is what `edgelb check` checked (config/build.ts); without it the
   *  run-time objects are built here, and the first problem throws. `options.listeners`: the
   *  process's listening sockets (inherited ones, those a previous engine serves on). */
  /** `previous`: the generation a reload replaces (its rings are taken over, log/outputs.ts). */
  static start(config: Config, opts: EngineOptions, options: { runtime?: Runtime; listeners?: ListenerSet; previous?: Engine } = {}): Engine {
    const runtime = options.runtime ?? buildRuntime(config)
    if (runtime.config !== config) throw new Error('Engine.start: the runtime was built from another configuration')
    if (runtime.host !== null) throw new Error('Engine.start: the runtime is already running in another engine')
    const e = new Engine(runtime, opts, options.listeners ?? new ListenerSet(), options.previous)
    if (opts.thread !== undefined) {
      e.share = opts.thread.share(config)
      e.share.attach(e)
      opts.thread.started?.(e)
    }
    try {
      e.#bindAll()
      // One thread of the process speaks to the peers (the one that runs the checks); the
      // others' tables follow it through the table sync.
      if (opts.thread?.checks ?? true) e.#startPeers(runtime)
    } catch (err) {
      for (const s of e.peers) if (!runtime.peersKept.has(s.section)) s.stop()
      e.logOutputs.close()
      throw err
    }
    e.#releaseWheel = holdWheelDriver()
    if (opts.thread?.checks ?? true) e.checks.start()
    // Name resolution (`resolvers`): each thread keeps its own servers' addresses.
    e.resolution = new Resolution(config, e.backends, (be, ev) => runtime.event(be, ev))
    e.resolution.start()
    e.#keepAlive = setInterval(() => {}, 0x7fffffff)
    return e
  }

  #startPeers(runtime: Runtime): void {
    for (const plan of runtime.peersPlans) {
      const kept = runtime.peersKept.get(plan.section)
      if (kept !== undefined) { this.peers.push(kept); continue }
      const svc = new PeersService({ ...plan, log: (l) => this.#opts.err(`edgelb: ${l}`) })
      this.peers.push(svc)
      svc.start()
    }
  }

  parked(): void {
    this.share?.arm()
  }

  /** Threads serving this process (`nbthread`). */
  get nbthread(): number {
    return this.share?.threads ?? 1
  }

  get actconn(): number {
    return this.actconns.value
  }

  get state(): string {
    return this.#state
  }

  /** Where each frontend listens (actual ports), for the startup notice and tests. */
  listening(): { frontend: string; addrs: string[] }[] {
    return this.frontends.map((fe) => ({ frontend: fe.name, addrs: fe.describeBound() }))
  }

  /** The first bound TCP port of a frontend (tests bind port 0). */
  portOf(frontend: string): number {
    const fe = this.frontends.find((f) => f.name === frontend)
    const b = fe?.bound.find((x) => x.addr.family === 'ipv4' || x.addr.family === 'ipv6')
    if (!b) throw new Error(`frontend '${frontend}' has no TCP listener`)
    return b.port
  }

  // --- FrontendHost ---------------------------------------------------------------------------

  backendNamed(name: string): Backend | undefined {
    return this.backends.get(name)
  }

  rulesOf(name: string): ProxyRules | null {
    return this.#proxyRules.get(name) ?? null
  }

  // --- EngineView (what rules read of the engine) ---------------------------------------------

  nbsrv(be: string): number {
    const b = this.backends.get(be)
    if (!b) return 0
    let n = 0
    for (const s of b.servers) if (s.usable) n++
    return n
  }

  connslots(be: string): number {
    const b = this.backends.get(be)
    if (!b) return 0
    let n = 0
    for (const s of b.servers) {
      if (!s.usable) continue
      if (s.maxconn === 0 || s.maxqueue === 0) return -1
      n += s.maxconn - s.cur + s.maxqueue - s.queue.total
    }
    return n
  }

  beConn(be: string): number {
    return this.backends.get(be)?.beconn ?? 0
  }

  feConn(fe: string): number {
    return this.frontends.find((f) => f.name === fe)?.cur ?? 0
  }

  thread(): number {
    return this.share?.index ?? 0
  }

  srvIsUp(be: string, srv: string): boolean {
    return this.backends.get(be)?.findServer(srv)?.usable ?? false
  }

  listen(addr: ListenAddr, handlers: SockHandlers<ClientSession>, options: { backlog?: number }): BoundListener[] {
    // Outside a start or a reload: one frontend binds again (the runtime API's `enable frontend`).
    return this.listeners.binding ? this.listeners.bind(addr, handlers, options) : this.listeners.bindAlone(addr, handlers, options)
  }

  globalFull(): void {
    for (const fe of this.frontends) fe.full()
  }

  slotFreed(): void {
    this.share?.signal()
    for (const fe of this.frontends) if (fe.parked > 0 || fe.listenersPaused) fe.unpark()
    if (this.#state === 'stopping') this.#maybeStopped()
  }

  /** Where a frontend's traffic lines (tcplog, httplog, log-format) go; null: not logged. */
  #sinkFor(p: ProxyConfig): ProxyLog | null {
    if (p.logFormat === undefined && !(p.mode === 'http' ? p.options['httplog'] : p.options['tcplog'])) return null
    return this.#logOf(p)
  }

  /** A proxy's log lines: its `log` lines (`log global` = the global ones), tagged with its
   *  `log-tag` (else the global one, else edgelb), with the global `log-send-hostname`. */
  #logOf(p: ProxyConfig): ProxyLog | null {
    let log = this.#proxyLogs.get(p)
    if (log !== undefined) return log
    const g = this.config.global
    const targets = p.logs.flatMap((t) => (t.address === 'global' ? g.logs : [t]))
    log = buildProxyLog(targets, {
      outputs: this.logOutputs,
      tag: p.logTag ?? g.logTag ?? DEFAULT_LOG_TAG,
      host: g.logSendHostname === undefined ? '' : g.logSendHostname || hostname(),
      separateErrors: !!p.options['log-separate-errors'],
      dontLogNormal: !!p.options['dontlog-normal'],
    })
    this.#proxyLogs.set(p, log)
    return log
  }

  // --- server state changes (health checks) -----------------------------------------------------

  /** HAProxy's server state lines: to the backend's log lines at their levels (emerg, alert,
   *  notice), and to stderr as `[WARNING]`/`[ALERT]` unless `quiet`. */
  #stateEvent(p: ProxyConfig, e: StateEvent): void {
    // With several threads, the one that runs the checks logs the states (the others apply them).
    if (this.#opts.thread !== undefined && !this.#opts.thread.checks) return
    this.#logOf(p)?.send(levelNumber(e.level), e.log)
    if (!this.config.global.quiet) this.#opts.err(`${`[${e.tag}]`.padEnd(11)}(${process.pid}) : ${e.stderr}`)
  }

  /** Ends the sessions using `server`: `D` (server down) for on-marked-down, `K` for the backup
   *  sessions that on-marked-up shuts. */
  #killSessions(server: Server, why: 'down' | 'up'): number {
    const n = this.killSessionsOn(server, why)
    const t = this.#opts.thread
    if (t?.killedSessions !== undefined) {
      for (const be of this.backends.values()) if (be.servers.includes(server)) t.killedSessions(be.name, server.name, why)
    }
    return n
  }

  /** Ends this thread's sessions on `server` (see #killSessions). */
  killSessionsOn(server: Server, why: 'down' | 'up'): number {
    const victims: ClientSession[] = []
    for (const fe of this.frontends) {
      for (const sess of fe.sessions) {
        const on = sess instanceof TcpSession ? sess.server === server : sess.st.server === server && sess.st.holdsSlot
        if (on) victims.push(sess)
      }
    }
    for (const v of victims) {
      if (why === 'up') v.kill()
      else v.finish('D', v instanceof TcpSession && v.phase === 'C' ? 'C' : 'D')
    }
    return victims.length
  }

  // --- process life ---------------------------------------------------------------------------

  /** Binds every frontend, or none: on the first failure the ones already bound are released
   *  and the error (naming the address) is thrown. */
  #bindAll(): void {
    const bound: Frontend[] = []
    this.listeners.begin()
    try {
      // A frontend the runtime API disabled stays so across SIGTTOU/SIGTTIN.
      for (const fe of this.frontends) { if (fe.adminDisabled) continue; fe.bind(); bound.push(fe) }
    } catch (err) {
      this.listeners.rollback()
      for (const fe of bound) fe.unbind()
      throw err
    }
    this.listeners.commit()
  }

  /** SIGTTOU: release every listening port, keep sessions. */
  pause(): void {
    if (this.#state !== 'running') return
    for (const fe of this.frontends) fe.unbind()
    this.#state = 'paused'
  }

  /** SIGTTIN: bind again. Throws if a port was taken meanwhile (the engine stays paused). */
  resume(): void {
    if (this.#state !== 'paused') return
    this.#bindAll()
    this.#state = 'running'
  }

  /** SIGUSR1: stop accepting (after each frontend's grace), finish live sessions, then stop. */
  softStop(): void {
    if (this.#state === 'stopping' || this.#state === 'stopped') return
    this.#state = 'stopping'
    // The next process (a binary upgrade) is taught the tables; done before this one ends.
    if (this.peers.length > 0) this.#handover = Promise.all(this.peers.map((p) => p.handover()))
    for (const fe of this.frontends) {
      if (fe.cfg.grace > 0 && !fe.stopped) {
        this.#graceTimers.push(setTimeout(() => { fe.softStop(); this.#maybeStopped() }, fe.cfg.grace))
      } else {
        fe.softStop()
      }
    }
    const hard = this.config.global.hardStopAfter
    if (hard !== undefined) this.#hardStopTimer = setTimeout(() => this.stop(), hard)
    this.#maybeStopped()
  }

  /**
   * Reload: `next` serves every new connection from now on, on the listeners it took over
   * (proxy/listeners.ts). This engine's sessions finish here, as at soft stop, except that HTTP
   * sessions move to `next`'s frontend of the same name between two requests (Frontend.retire);
   * TCP sessions and tunnels stay until they end, or until this configuration's `hard-stop-after`.
   * Health checks stop here (`next` runs its own, with the states carried over). Then it stops.
   */
  retire(next: Engine): void {
    if (this.#state !== 'running') throw new Error(`Engine.retire: the engine is ${this.#state}`)
    this.#state = 'stopping'
    this.checks.stop()
    for (const s of this.peers) if (!next.peers.includes(s)) s.stop()
    this.peers = []
    this.resolution?.stop()
    for (const be of this.backends.values()) for (const s of be.servers) s.observer = null
    for (const fe of this.frontends) {
      fe.retire(next.frontends.find((f) => f.name === fe.name && f.cfg.mode === fe.cfg.mode) ?? null)
    }
    const hard = this.config.global.hardStopAfter
    if (hard !== undefined) this.#hardStopTimer = setTimeout(() => this.stop(), hard)
    this.#maybeStopped()
  }

  /** Another reload: the sessions still here move to `next`'s frontends, not to the generation
   *  that was serving (Frontend.successor). */
  redirect(next: Engine): void {
    for (const fe of this.frontends) {
      if (fe.successor !== null) fe.successor = next.frontends.find((f) => f.name === fe.name && f.cfg.mode === fe.cfg.mode) ?? null
    }
  }

  #maybeStopped(): void {
    if (this.#state !== 'stopping') return
    if (this.frontends.some((fe) => !fe.stopped || fe.live > 0 || fe.parked > 0)) return
    this.#finish()
  }

  /** SIGTERM/SIGINT: close everything now. */
  stop(): void {
    if (this.#state === 'stopped') return
    for (const fe of this.frontends) fe.unbind()
    this.#state = 'stopped'
    for (const fe of this.frontends) fe.killAll()
    this.#finish()
  }

  #finish(): void {
    this.#state = 'stopped'
    for (const fe of this.frontends) fe.successor = null
    for (const be of this.backends.values()) { closePooled(be.servers); closeH2Clients(be.servers) }
    this.checks.stop()
    const peers = this.peers
    this.peers = []
    this.resolution?.stop()
    for (const t of this.#graceTimers) clearTimeout(t)
    if (this.#hardStopTimer !== undefined) clearTimeout(this.#hardStopTimer)
    if (this.#keepAlive !== undefined) clearInterval(this.#keepAlive)
    this.#keepAlive = undefined
    this.logOutputs.close()
    this.#releaseWheel?.()
    this.#releaseWheel = null
    if (this.#handover === null) {
      for (const s of peers) s.stop()
      this.#resolveDone()
    } else {
      void this.#handover.then(() => { for (const s of peers) s.stop(); this.#resolveDone() })
    }
  }

  /** For `await using` in tests. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.stop()
    await this.done
  }
}

/** The backend a frontend sends to when no rule chooses another: an unconditional use_backend,
 *  else default_backend (conditional and dynamic `use_backend` are the rules' `selectBackend`). */
