/**
 * Runs the checks on the timer wheel: one Timer per check, never a setTimeout, and never more
 * than one run in flight per check (a server has at most two checks: its health check and its
 * agent, as in HAProxy).
 *
 *   idle --timer--> running --(outcome, or deadline: the same timer)--> idle, next run scheduled
 *
 * Interval (HAProxy's srv_getinter): `inter` while the health counter is at its top; `downinter`
 * while down with the counter at 0; `fastinter` in between (changing state) and after passive
 * health asked for it; each falls back to `inter`. The agent uses `agent-inter` (else `inter`).
 * With `spread-checks P`, each interval moves by a random ±P %.
 *
 * Runs are due at fixed steps: the next one is due one interval after the time this one was
 * due (not after it ended), so `fall` failures take `fall` × inter whatever the wheel's tick;
 * a run that outlived its interval is followed one interval after it ended.
 *
 * Start-up (HAProxy): checks are spread over the smallest interval of 1 s or more among them,
 * check i of n starting at i/n of it, so a thousand servers are not checked in the same
 * millisecond; a check with a shorter interval spreads over its own.
 */
import type { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import { now } from '../core/clock.ts'
import { Timer } from '../core/timer-wheel.ts'
import { wheel } from '../core/wheel.ts'
import type { ConnectTarget } from '../net/runtime.ts'
import { Run, splitHostPort, type RunSpec } from './run.ts'
import { checkProxyHeader } from './send-proxy.ts'
import type { ServerStates } from './state.ts'
import type { CheckOutcome } from './status.ts'
import { CheckEnd, type CheckKind } from './types.ts'

/** HAProxy's SRV_CHK_INTER_THRES: shorter intervals do not set the start-up spread. */
const SPREAD_THRESHOLD = 1000

export interface CheckOptions {
  /** `spread-checks` (0..50 %). */
  spreadChecks: number
  /** `pp2-never-send-local`: a check's v2 PROXY header is a PROXY command, not LOCAL. */
  pp2NeverSendLocal?: boolean
  /** `tune.bufsize`. */
  bufsize: number
  /** Random numbers in [0, 1) (tests pass their own). */
  random: () => number
}

export class Check {
  readonly server: Server
  readonly be: Backend
  readonly kind: CheckKind
  /** The agent check (else the health check). */
  readonly agent: boolean
  readonly #states: ServerStates
  readonly #opts: CheckOptions
  readonly #spec: RunSpec
  readonly #timer: Timer
  #run: Run | null = null
  /** When the current or next run is (was) due. */
  #due = 0
  #stopped = true
  /** Passive health asked for `fastinter` for the next run. */
  fastinterForced = false

  /** A check of `server` (in `o.be`) by `o.kind` at `o.target` (checkTarget); `o.agent` for its
   *  agent check. */
  constructor(server: Server, o: { be: Backend; kind: CheckKind; target: ConnectTarget; agent: boolean; states: ServerStates; opts: CheckOptions }) {
    this.server = server
    this.be = o.be
    this.kind = o.kind
    this.agent = o.agent
    this.#states = o.states
    this.#opts = o.opts
    this.#timer = new Timer(() => this.#fire())
    const be = o.be
    const timer = this.#timer
    const spec: RunSpec = { server, backendName: be.name, target: o.target, bufsize: o.opts.bufsize, setDeadline: (exp) => wheel.schedule(timer, exp) }
    const source = server.cfg.source ?? be.cfg.source
    if (source !== undefined) {
      spec.source = source
      if ('host' in o.target) spec.target = { ...o.target, localAddress: source }
    }
    if (server.cfg.checkViaSocks4 && server.cfg.socks4 !== undefined) {
      const [host, port] = server.cfg.socks4.split(':')
      spec.socks4 = { host: host!, port: Number(port) }
    }
    if (be.cfg.timeouts.connect !== undefined) spec.connectTimeout = be.cfg.timeouts.connect
    if (be.cfg.timeouts.check !== undefined) spec.checkTimeout = be.cfg.timeouts.check
    const pp = o.agent ? undefined : checkProxyHeader(server.cfg, o.opts.pp2NeverSendLocal === true)
    if (pp !== undefined) spec.proxyHeader = pp
    this.#spec = spec
  }

  get running(): boolean {
    return this.#run !== null
  }

  /** When the next run is due (monotonic ms), or the current one was while it runs. */
  get due(): number {
    return this.#due
  }

  /** The interval in force now (see the file comment). */
  interval(): number {
    const c = this.server.cfg
    if (this.agent) return c.agentInter ?? c.inter
    const s = this.server
    if (!this.fastinterForced && s.checkHealth === c.rise + c.fall - 1) return c.inter
    if (!s.up && s.checkHealth === 0) return c.downinter ?? c.inter
    return c.fastinter ?? c.inter
  }

  /** Schedules the first run `delay` ms from now. */
  start(delay: number): void {
    this.#stopped = false
    this.#due = now() + delay
    wheel.schedule(this.#timer, this.#due)
  }

  stop(): void {
    this.#stopped = true
    wheel.cancel(this.#timer)
    const run = this.#run
    this.#run = null
    run?.expire()
    run?.closeAll()
  }

  /** Runs as soon as possible (leaving maintenance), unless a run is in flight. */
  runNow(): void {
    if (this.#stopped || this.#run !== null) return
    this.#due = now()
    wheel.schedule(this.#timer, this.#due)
  }

  /** The interval may have shrunk (fastinter forced): bring the next run closer if so. */
  nudge(): void {
    if (this.#stopped || this.#run !== null) return
    const t = now()
    const next = t + this.interval()
    if (next < this.#timer.exp) {
      this.#due = next
      wheel.schedule(this.#timer, next)
    }
  }

  #fire(): void {
    if (this.#stopped) return
    const run = this.#run
    if (run !== null) { run.expire(); return }
    // Maintenance pauses the health check (not the agent, which may end it).
    if (!this.agent && this.server.effectiveAdmin === 'maint') { this.#scheduleNext(); return }
    this.#begin()
  }

  #begin(): void {
    const run = new Run(this.#spec, this.interval())
    this.#run = run
    this.kind.run(run).then(
      (outcome) => this.#done(run, outcome),
      (err: unknown) => this.#done(run, err instanceof CheckEnd ? err.outcome : { status: 'SOCKERR', info: (err as Error)?.message ?? String(err) }),
    )
  }

  #done(run: Run, outcome: CheckOutcome): void {
    run.closeAll()
    if (this.#run !== run) return
    this.#run = null
    if (this.#stopped) return
    const duration = Math.round(now() - run.startedAt)
    this.#states.checkResult(this.server, this.agent, outcome, duration)
    this.#scheduleNext()
  }

  #scheduleNext(): void {
    let iv = this.interval()
    this.fastinterForced = false
    const spread = this.#opts.spreadChecks
    if (spread > 0) {
      const rv = (iv * spread) / 100
      iv += rv - 2 * rv * this.#opts.random()
    }
    const t = now()
    let next = this.#due + iv
    if (next <= t) next = t + iv
    this.#due = next
    wheel.schedule(this.#timer, next)
  }
}

/** Where a check connects: `agent-addr`/`agent-port` for the agent; else `addr`, `port`, then the
 *  server's own address. Undefined when there is no port to check. */
export function checkTarget(s: Server, agent: boolean): ConnectTarget | undefined {
  const c = s.cfg
  if (c.addr.path !== undefined && !agent && c.checkAddr === undefined && c.checkPort === undefined) return { path: c.addr.path }
  const addr = agent ? (c.agentAddr ?? c.checkAddr) : c.checkAddr
  const a = addr !== undefined ? splitHostPort(addr) : undefined
  const port = agent ? c.agentPort : (c.checkPort ?? a?.port ?? s.resolvedPort ?? c.addr.port)
  if (port === undefined) return undefined
  const t: ConnectTarget = { host: a?.host ?? s.resolvedHost ?? c.addr.host, port }
  // check-ssl (or ssl on the server, checked on its own address): the checks speak TLS.
  if (!agent && s.checkTls !== null) {
    t.tls = s.checkTls
    if (s.checkSni !== undefined) t.serverName = s.checkSni
  }
  return t
}

/** Start-up delays, HAProxy's way: check i of n starts at i/n of the spread interval. */
export function startDelays(checks: readonly Check[], opts: CheckOptions): number[] {
  let mininter = 0
  for (const c of checks) {
    const iv = c.interval()
    if (iv >= SPREAD_THRESHOLD && (mininter === 0 || iv < mininter)) mininter = iv
  }
  const n = checks.length
  return checks.map((c, i) => {
    const iv = c.interval()
    let m = Math.max(mininter, iv)
    if (opts.spreadChecks > 0) {
      const rnd = (iv * opts.spreadChecks) / 100
      m += rnd - 2 * rnd * opts.random()
    }
    return (m * i) / n
  })
}
