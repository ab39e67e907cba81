/**
 * A server at run time: its configuration, its state as the balancer sees it, its connection
 * count and queue, and its counters (for logs, stats and the admin API).
 *
 *   admin state:  maint <-> drain <-> ready        health: down <-(rise/fall)-> up
 *   usable = ready && up && !nolb && weight > 0 (drain, nolb: no new traffic, live sessions go on)
 *
 * The health checks (src/check/) own the transitions; this file only holds what they decide and
 * what the admin API and stats page read. The state machine is drawn in src/check/state.ts.
 */
import type { ServerConfig } from '../model/types.ts'
import type { LbServer } from '../balance/types.ts'
import { now, wallNow } from '../core/clock.ts'
import { WaitQueue } from './queue.ts'
import type { TlsConnect } from '../net/types.ts'
import type { StreamView } from '../rules/types.ts'
import { trafficCounters, type TrafficCounters } from './counters.ts'
import { LocalCount, type Count } from '../core/shared-count.ts'

export type AdminState = 'ready' | 'drain' | 'maint'

export interface ServerCounters extends TrafficCounters {
  /** Sessions ever assigned. */
  total: number
  /** Connection errors (refused, unreachable, timeout). */
  econ: number
  /** Retries on this server. */
  wretr: number
  /** Sessions moved away from this server by redispatch. */
  wredis: number
  bytesIn: number
  bytesOut: number
  /** Highest `cur` seen. */
  maxCur: number
  /** Health checks run (agent checks not included). */
  checks: number
  /** Failed health checks that counted against the server (HAProxy's chkfail). */
  failedChecks: number
  /** UP -> DOWN transitions (chkdown). */
  downTrans: number
  /** Times passive health (observe) declared the server failing (hanafail). */
  failedObserve: number
  /** Agent checks run. */
  agentChecks: number
  /** Highest length of this server's own queue. */
  queueMax: number
}

/** The outcome of the last check of one kind, as stats and the admin API show it. */
export interface CheckReport {
  /** HAProxy's short status: L4OK, L4CON, L7STS, … */
  status: string
  /** Its long form: "Layer4 connection problem", … (the log lines' "reason"). */
  desc: string
  /** HTTP status, SMTP code, MySQL error…; shown for layer 7 results. */
  code: number
  /** Free text: the errno string, the status line's reason, the agent's words. '' when none. */
  info: string
  /** ms; -1 when not measured (passive health). */
  duration: number
  /** Wall-clock ms of the result. */
  at: number
}

/** What a session tells its server's passive health (`observe layer4|layer7`): HAProxy's
 *  analyze statuses. Layer 4 counts the first two; layer 7 counts a connect failure and every
 *  `http-*` kind (a 5xx is `http-status`). */
export type ObservedResult =
  | 'l4-ok'
  | 'l4-err'
  | 'http-ok'
  | 'http-status'
  | 'http-header'
  | 'http-response'
  | 'http-read-error'
  | 'http-read-timeout'
  | 'http-broken-pipe'

export class Server implements LbServer {
  readonly cfg: ServerConfig
  readonly name: string
  readonly index: number
  /** The server's number in its backend (HAProxy's puid: `id N`, else the next free one). */
  readonly puid: number
  readonly backup: boolean
  /** Effective weight: `uweight`, scaled down while warming up (slowstart). */
  weight: number
  /** The weight the user (config, agent `N%`, admin API) asked for. */
  uweight: number
  usable: boolean
  /** Connections on this server, of every thread of the process (shared memory with
   *  `nbthread` > 1): the limit `maxconn` holds for the whole process. */
  conns: Count = new LocalCount()
  maxconn: number
  /** The configured limit as changed at run time (agent `maxconn:N`); `maxconn` derives from it
   *  (minconn/fullconn, slowstart). 0 = no limit. */
  maxconnBase: number
  readonly minconn: number
  readonly maxqueue: number
  admin: AdminState
  /** Health as checks see it; true without checks. */
  up = true
  /** Up, but asked to take no new traffic (HAProxy's STOPPING: `disable-on-404` saw a 404). */
  nolb = false
  readonly queue = new WaitQueue()
  readonly counters: ServerCounters = {
    ...trafficCounters(),
    total: 0, econ: 0, wretr: 0, wredis: 0, bytesIn: 0, bytesOut: 0, maxCur: 0,
    checks: 0, failedChecks: 0, downTrans: 0, failedObserve: 0, agentChecks: 0, queueMax: 0,
  }

  // --- health, as the checks keep it (src/check/state.ts) -------------------------------------

  /** Health check counter, 0..rise+fall-1; up by its checks when >= rise. Starts at `rise`:
   *  up, and down at the first failure (HAProxy 2.x). */
  checkHealth: number
  /** The agent's counter, same scale. */
  agentHealth: number
  /** Wall-clock ms of the last state change (up, down, admin), for stats "last change". */
  lastChange: number
  /** Monotonic ms of the same, for slowstart and down time. */
  lastChangeAt: number
  /** ms spent down before the current state (add `now - lastChangeAt` while down). */
  downTime = 0
  lastCheck: CheckReport | null = null
  lastAgent: CheckReport | null = null
  /** Consecutive errors seen by passive health. */
  consecutiveErrors = 0
  /** 0..1: slowstart ramp of weight and maxconn; 1 = full. */
  throttle = 1
  /** The server this one follows (`track`), and those that follow it. */
  track: Server | null = null
  readonly trackers: Server[] = []
  /** Maintenance or drain inherited from the tracked server. */
  inheritedAdmin: AdminState = 'ready'
  /** `option srvtcpka`/`tcpka` of its backend: SO_KEEPALIVE on its connections, the first probe
   *  after this many ms (0: the system's delay); null: off. */
  keepAlive: number | null = null
  /** The address DNS gave (`resolvers`, `init-addr`): connections go there instead of the name
   *  written; null: the address as written. */
  resolvedHost: string | null = null
  /** The port a DNS SRV record gave (`server-template` of a `_service._proto.name`); null: the
   *  port as written. */
  resolvedPort: number | null = null
  /** No address could be found for its name (HAProxy's maintenance by resolution): the server
   *  takes no traffic until one is. */
  unresolved = false
  /** Set by the checks when `observe` is on; see reportResult(). */
  observer: ((s: Server, r: ObservedResult) => void) | null = null
  /** Weight the balancer was last rebuilt with (see refresh()). */
  #lbWeight: number

  // --- TLS, set at load (proxy/runtime.ts, net/tls/server.ts) --------------------------------------

  /** TLS toward the server (`ssl`); null: clear text. */
  tls: TlsConnect | null = null
  /** The SNI each connection sends (`sni EXPR`, computed from the exchange); null: none. */
  sni: ((s: StreamView) => string | undefined) | null = null
  /** `sni` gives the same name to every connection (none, or a constant): its connections may
   *  serve any exchange; otherwise one is reused only for the same name. */
  sniConstant = true
  /** TLS of the health checks (`check-ssl`, or `ssl`), with `check-sni`; null: clear text. */
  checkTls: TlsConnect | null = null
  checkSni: string | undefined = undefined

  constructor(cfg: ServerConfig) {
    this.cfg = cfg
    this.name = cfg.name
    this.index = cfg.index
    this.puid = cfg.puid ?? cfg.index + 1
    this.backup = cfg.backup
    this.weight = cfg.weight
    this.uweight = cfg.weight
    this.maxconn = cfg.maxconn
    this.maxconnBase = cfg.maxconn
    this.minconn = cfg.minconn
    this.maxqueue = cfg.maxqueue
    this.admin = cfg.disabled ? 'maint' : 'ready'
    this.checkHealth = cfg.disabled ? 0 : cfg.rise
    this.agentHealth = cfg.rise
    this.lastChange = wallNow()
    this.lastChangeAt = now()
    this.usable = this.#computeUsable()
    this.#lbWeight = this.weight
  }

  /** Connections on this server now (every thread's). */
  get cur(): number {
    return this.conns.value
  }

  set cur(v: number) {
    this.conns.value = v
  }

  /** The admin state in force: the stronger of the server's own and the tracked server's. */
  get effectiveAdmin(): AdminState {
    const a = this.admin
    const i = this.inheritedAdmin
    return a === 'maint' || i === 'maint' || this.unresolved ? 'maint' : a === 'drain' || i === 'drain' ? 'drain' : 'ready'
  }

  #computeUsable(): boolean {
    return this.effectiveAdmin === 'ready' && this.up && !this.nolb && this.weight > 0
  }

  /** Recomputes `usable`; returns whether it or the weight changed since the last call (the
   *  backend then rebuilds its balancer). */
  refresh(): boolean {
    const u = this.#computeUsable()
    const w = this.weight
    if (u === this.usable && w === this.#lbWeight) return false
    this.usable = u
    this.#lbWeight = w
    return true
  }

  /** A limit as slowstart allows it now: `max` scaled by `throttle`, at least 1 (0 = none). */
  throttled(max: number): number {
    if (max === 0 || this.throttle >= 1) return max
    return Math.max(1, Math.floor(max * this.throttle))
  }

  /** Passive health: a session reports how its exchange with this server went. One comparison
   *  when `observe` is off. */
  reportResult(r: ObservedResult): void {
    if (this.observer !== null) this.observer(this, r)
  }
}
