/**
 * A backend at run time: its servers, its balancer, its connection limits and queues.
 *
 * Assignment follows HAProxy: a server with a free slot takes the session; when every usable
 * server is full, the session waits in the backend's queue (or, when it must go to one server —
 * persistence, hashing — in that server's queue, up to `maxqueue`). When a slot frees, the server
 * serves the older of its own queue head and the backend queue head.
 *
 * Dynamic limits (guide §7): a server with `minconn` accepts
 *   max(minconn, maxconn × beconn / fullconn)   while beconn < fullconn, else maxconn,
 * where beconn counts the backend's current sessions (queued ones included). `fullconn`
 * defaults, as the guide describes, to the maxconn of the frontends that use this backend.
 */
import type { HashKey, LbAlgorithm, LbKey, LbState } from '../balance/types.ts'
import { findAlgorithm } from '../balance/registry.ts'
import { roundrobin } from '../balance/roundrobin.ts'
import type { ProxyConfig, ServerAddr } from '../model/types.ts'
import { compileForwardFor, compileOriginalTo, type ForwardFor, type OriginalTo } from '../http/forwarded.ts'
import { now, wallNow } from '../core/clock.ts'
import type { ConnectTarget } from '../net/runtime.ts'
import { countSession, trafficCounters, type TrafficCounters } from './counters.ts'
import { WaitQueue, type Waiter } from './queue.ts'
import { LocalCount, type Count } from '../core/shared-count.ts'
import { Server } from './server.ts'
import { isAnyHost } from '../model/address.ts'

export type Assignment =
  | { kind: 'server'; server: Server }
  /** Waiting in a queue: `grant()` comes later, or the caller's queue timeout fires first. */
  | { kind: 'queued' }
  /** Every queue that could take it is full (server `maxqueue`). */
  | { kind: 'queue-full' }
  /** No usable server at all. */
  | { kind: 'none' }

// The assignments that carry nothing of their own, shared rather than made per session.
const QUEUED: Assignment = { kind: 'queued' }
const QUEUE_FULL: Assignment = { kind: 'queue-full' }
const NONE: Assignment = { kind: 'none' }
/** No preference, nothing to avoid, no hash key: what most requests ask. */
const NO_OPTIONS: AssignOptions = Object.freeze({})

export interface AssignOptions {
  /** The server persistence or hashing chose; used when it can take traffic. */
  prefer?: Server
  /** Use `prefer` even when checks see it down (`option persist`), unless it is in maintenance. */
  force?: boolean
  /** A server not to pick (the one that just failed, on redispatch). */
  avoid?: Server
  hashKey?: HashKey
}

export interface BackendCounters extends TrafficCounters {
  /** Sessions that entered the backend (HAProxy's cum_conn, the `stot` column). */
  total: number
  /** Requests that found no server. */
  noServer: number
  /** Highest queue length seen (the backend's queue or one of its servers'). */
  queueMax: number
  redispatches: number
  retries: number
  connectErrors: number
  bytesIn: number
  bytesOut: number
  /** Highest `beconn` seen. */
  connMax: number
  /** Times the backend lost its last usable server (HAProxy's backend chkdown). */
  downTrans: number
}

export class Backend {
  readonly cfg: ProxyConfig
  readonly name: string
  readonly servers: Server[]
  /** The `balance` algorithm, and its selection state over the servers. */
  readonly algorithm: LbAlgorithm
  readonly lb: LbState
  /** How a session gets the key the algorithm hashes (null: it hashes nothing, or the backend
   *  was built without it), compiled at load (balance/registry.ts compileBalanceKey). */
  readonly balanceKey: LbKey | null
  readonly queue = new WaitQueue()
  readonly dispatch: ServerAddr | undefined
  readonly counters: BackendCounters = {
    ...trafficCounters(),
    total: 0, noServer: 0, queueMax: 0, redispatches: 0, retries: 0, connectErrors: 0, bytesIn: 0, bytesOut: 0, connMax: 0, downTrans: 0,
  }
  /** Whether a server can take traffic (the backend is UP), and since when (wall-clock and
   *  monotonic ms), with the time spent DOWN before that: the stats' status, lastchg, downtime. */
  up: boolean
  lastChange: number
  lastChangeAt: number
  downTime = 0
  /** Sessions currently attached to this backend, queued ones included, of every thread. */
  sessions: Count = new LocalCount()
  /** Called when a server's state or weight changed (serverStateChanged): the threads of the
   *  process hear of it (cli/threads.ts). */
  onServerState: ((s: Server) => void) | null = null
  /** Called when a waiter was queued: with several threads, a slot another thread frees must
   *  wake this one (proxy/process-share.ts). */
  onQueued: (() => void) | null = null
  fullconn: number
  /** `option forwardfor` / `option originalto` of this backend, compiled (null: none); in http
   *  mode they win over the frontend's. */
  readonly forwardFor: ForwardFor | null
  readonly originalTo: OriginalTo | null
  readonly #dynamic: Server[]
  /** `{ kind: 'server', server }` for each server, by index: see #took(). */
  readonly #tookBy: readonly Assignment[]

  constructor(cfg: ProxyConfig, options: { fullconn: number; balanceKey?: LbKey | null }) {
    this.cfg = cfg
    this.name = cfg.name
    this.servers = cfg.servers.map((s) => new Server(s))
    if (cfg.options['srvtcpka'] === true || cfg.options['tcpka'] === true) for (const s of this.servers) s.keepAlive = cfg.srvTcpkaIdle ?? 0
    this.dispatch = cfg.dispatch
    this.fullconn = options.fullconn
    this.forwardFor = cfg.forwardFor ? compileForwardFor(cfg.forwardFor) : null
    this.originalTo = cfg.originalTo ? compileOriginalTo(cfg.originalTo) : null
    this.#tookBy = this.servers.map((server) => Object.freeze({ kind: 'server' as const, server }))
    this.#dynamic = this.servers.filter((s) => s.minconn > 0 && s.cfg.maxconn > 0 && s.minconn < s.cfg.maxconn)
    for (const s of this.#dynamic) s.maxconn = this.#dynamicMaxconn(s)
    this.algorithm = findAlgorithm(cfg.balance.algo) ?? roundrobin
    this.lb = this.algorithm.create(this.servers, { ...cfg.balance, allBackups: cfg.options['allbackups'] === true, hashType: cfg.hashType })
    this.balanceKey = options.balanceKey ?? null
    this.up = this.servers.length === 0 || this.#anyUsable()
    this.lastChange = wallNow()
    this.lastChangeAt = now()
  }

  get beconn(): number {
    return this.sessions.value
  }

  #dynamicMaxconn(s: Server): number {
    const max = s.maxconnBase
    if (this.fullconn <= 0 || this.beconn >= this.fullconn) return s.throttled(max)
    return s.throttled(Math.max(s.minconn, Math.floor((max * this.beconn) / this.fullconn)))
  }

  /** A server's limit as its base, minconn/fullconn and slowstart make it now (after an agent's
   *  `maxconn:N` or a slowstart step); serves its queue when the limit rose. */
  limitChanged(s: Server): void {
    const before = s.maxconn
    s.maxconn = this.#dynamic.includes(s) ? this.#dynamicMaxconn(s) : s.throttled(s.maxconnBase)
    if (s.maxconn === 0 ? before !== 0 : s.maxconn > before) this.serveQueues(s)
    this.onServerState?.(s)
  }

  /** Recomputes the dynamic limits; returns whether one rose (queued sessions may then go). */
  #beconnChanged(): boolean {
    let rose = false
    for (const s of this.#dynamic) {
      const m = this.#dynamicMaxconn(s)
      if (m > s.maxconn) rose = true
      s.maxconn = m
    }
    return rose
  }

  hasSlot(s: Server): boolean {
    return s.maxconn === 0 || s.cur < s.maxconn
  }

  /** Takes a slot of `s` if it has one (atomically: another thread may race for it), counting
   *  the connection as take() does. */
  #tryTake(s: Server): boolean {
    const cur = s.conns.take(s.maxconn)
    if (cur < 0) return false
    this.#counted(s, cur)
    return true
  }

  /** A session enters the backend (counts toward beconn until `leave`). */
  enter(): void {
    const c = this.counters
    const n = this.sessions.add(1)
    if (n > c.connMax) c.connMax = n
    c.total++
    countSession(c, now())
    // A higher limit admits the oldest waiters first, before this newcomer picks a server.
    if (this.#dynamic.length > 0 && this.#beconnChanged()) this.serveQueues()
  }

  leave(): void {
    this.sessions.add(-1)
    if (this.#dynamic.length > 0) this.#beconnChanged()
  }

  /** Finds a server for `w` now, or queues it. */
  assign(w: Waiter, options: AssignOptions = NO_OPTIONS): Assignment {
    const pref = options.prefer
    if (pref && pref !== options.avoid && (pref.usable || (options.force && pref.admin !== 'maint'))) return this.#takeOrQueueOn(pref, w)
    let s = this.lb.pick(options.hashKey !== undefined ? { hashKey: options.hashKey } : undefined)
    if (s && s === options.avoid) {
      // Redispatch: the balancer has no "avoid" parameter. Rotating ones move on after a pick;
      // deterministic ones (first, source, a hash) return the same server again, so then take
      // the first other server of the same tier (active or backup) that has a free slot.
      const again = this.lb.pick(options.hashKey !== undefined ? { hashKey: options.hashKey } : undefined)
      if (again && again !== options.avoid) s = again
      else s = this.#otherThan(options.avoid) ?? s
    }
    if (s) {
      const srv = s as Server
      srv.counters.lbtot++
      this.counters.lbtot++
      if (this.#tryTake(srv)) return this.#took(srv)
      // Hash-based algorithms return their server even when full: wait for that one.
      return this.#queueOn(srv, w)
    }
    if (this.#anyUsable()) {
      this.queue.push(w, now())
      const q = this.queue.total
      if (q > this.counters.queueMax) this.counters.queueMax = q
      this.onQueued?.()
      return QUEUED
    }
    this.counters.noServer++
    return NONE
  }

  /** Where a connection to `server` goes (null: to the backend's `dispatch` address): its
   *  address, or without one (`:80`, `*`, 0.0.0.0) the address the client connected to
   *  (`dst.dstAddr`); without a port, the port the client connected to plus the address's
   *  `+N`/`-N` offset; from the `source` address of the server, else of the backend. */
  targetOf(server: Server | null, dst: { readonly dstAddr: string; readonly dstPort: number }): ConnectTarget {
    const addr = server ? server.cfg.addr : this.dispatch!
    if (addr.path !== undefined) return { path: addr.path }
    const port = server?.resolvedPort ?? addr.port ?? dst.dstPort + (addr.portOffset ?? 0)
    const host = server?.resolvedHost ?? (isAnyHost(addr.host) ? dst.dstAddr : addr.host)
    const source = server?.cfg.source ?? this.cfg.source
    return source ? { host, port, localAddress: source } : { host, port }
  }

  /** A connection attempt to `server` (null: to `dispatch`) failed: counted on both, and seen by
   *  the server's passive health (observe layer4). */
  connectFailed(server: Server | null): void {
    if (server) { server.counters.econ++; server.reportResult('l4-err') }
    this.counters.connectErrors++
  }

  /** Counts retry number `retry` (1 for the first) of a connection to `server`. True when `option
   *  redispatch` sends this retry to another server: `server`'s slot is then released, and the
   *  caller assigns anew, avoiding it. */
  retry(server: Server, retry: number): boolean {
    server.counters.wretr++
    this.counters.retries++
    if (!this.#redispatchOn(retry)) return false
    server.counters.wredis++
    this.counters.redispatches++
    this.release(server)
    return true
  }

  /** Whether the retry numbered `retry` goes to another server: `option redispatch [N]` as
   *  HAProxy counts it (the last retry by default, every Nth for N > 0, the |N|th from the last
   *  for N < 0, never for 0), when there is another server to go to. */
  #redispatchOn(retry: number): boolean {
    const cfg = this.cfg
    if (cfg.options['redispatch'] !== true || this.servers.length < 2) return false
    const after = cfg.redispatchAfter
    if (after > 0) return retry % after === 0
    if (after < 0) {
      const every = cfg.retries + 1 + after
      return every > 0 && retry % every === 0
    }
    return false
  }

  // Loops rather than find/some with an arrow: a closure in assign() would make each call of it
  // (one per request) allocate a scope.

  /** The first server of `avoid`'s tier (active or backup) other than it, usable, with a slot. */
  #otherThan(avoid: Server): Server | undefined {
    for (const x of this.servers) if (x !== avoid && x.usable && x.backup === avoid.backup && this.hasSlot(x)) return x
    return undefined
  }

  #anyUsable(): boolean {
    for (const x of this.servers) if (x.usable) return true
    return false
  }

  #takeOrQueueOn(s: Server, w: Waiter): Assignment {
    if (s.queue.length === 0 && this.#tryTake(s)) return this.#took(s)
    return this.#queueOn(s, w)
  }

  /** The assignment to `s`, made once per server rather than per request: a caller reads it at
   *  once and never keeps or changes it. */
  #took(s: Server): Assignment {
    return this.#tookBy[s.index]!
  }

  #queueOn(s: Server, w: Waiter): Assignment {
    if (!s.queue.pushUnder(w, now(), s.maxqueue)) return QUEUE_FULL
    const q = s.queue.total
    if (q > s.counters.queueMax) s.counters.queueMax = q
    if (q > this.counters.queueMax) this.counters.queueMax = q
    this.onQueued?.()
    return QUEUED
  }

  /** Counts a connection on `s` (assign does it; the caller does it for a forced server). */
  take(s: Server): void {
    this.#counted(s, s.conns.add(1))
  }

  #counted(s: Server, cur: number): void {
    const c = s.counters
    c.total++
    if (cur > c.maxCur) c.maxCur = cur
    countSession(c, now())
    this.lb.taken?.(s)
  }

  /** A connection on `s` ended: hand its slot to the oldest waiter that can use it (here; the
   *  other threads' waiters hear of it through onReleased). */
  release(s: Server): void {
    s.conns.add(-1)
    this.lb.released?.(s)
    this.serveQueues(s)
    this.onReleased?.()
  }

  /** Called when a server slot was given back (proxy/process-share.ts wakes the other threads). */
  onReleased: (() => void) | null = null

  /** Grants slots of `s` (or of every server) to queued waiters, oldest first. */
  serveQueues(only?: Server): void {
    if (only) this.#serve(only)
    else for (const s of this.servers) this.#serve(s)
  }

  #serve(s: Server): void {
    while (s.usable) {
      const mine = s.queue.peek()
      const shared = this.queue.peek()
      if (!mine && !shared) break
      if (!this.#tryTake(s)) break
      const w = mine && (!shared || mine.queuedAt <= shared.queuedAt) ? s.queue.shift() : this.queue.shift()
      w!.grant(s)
    }
  }

  /** Takes a waiter out of whatever queue holds it (queue timeout, client gone). */
  unqueue(w: Waiter): void {
    w._queue?.remove(w)
  }

  /** A server's usable state or weight changed: rebuild the balancer, move its queue if it can
   *  no longer serve, and serve queues that may now move. Returns how many sessions moved: out of
   *  its queue (it became unusable) or onto it from the backend's queue (it became usable), as
   *  HAProxy's "N requeued" in the state change log line. */
  serverStateChanged(s: Server): number {
    if (s.refresh()) this.lb.update()
    this.#upChanged()
    let moved = 0
    if (!s.usable) {
      for (const w of s.queue.drain()) { this.queue.push(w, w.queuedAt); moved++ }
    } else {
      const before = s.counters.total
      this.serveQueues(s)
      moved = s.counters.total - before
    }
    this.serveQueues()
    this.onServerState?.(s)
    return moved
  }

  /** The backend goes DOWN when its last usable server goes, UP when one comes back. */
  #upChanged(): void {
    const up = this.servers.length === 0 || this.#anyUsable()
    if (up === this.up) return
    const t = now()
    if (!this.up) this.downTime += t - this.lastChangeAt
    else this.counters.downTrans++
    this.up = up
    this.lastChangeAt = t
    this.lastChange = wallNow()
  }

  findServer(name: string): Server | undefined {
    return this.servers.find((s) => s.name === name)
  }
}
