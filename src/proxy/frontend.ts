/**
 * A frontend at run time: its listeners, its connection limit, and where its sessions go.
 *
 * `maxconn` (the frontend's, and the global one across frontends): once full, the frontend's
 * listeners (every frontend's, at the global limit) are paused, as HAProxy stops polling them: the kernel completes the handshakes and
 * holds the connections in its queue (the `backlog`) until a slot frees and the listeners
 * resume. A connection accepted while full all the same (before the pause took effect, or where
 * the runtime cannot pause: Deno, unix sockets) is paused and parked, untouched, until a slot
 * frees, in arrival order; `backlog` bounds the parked ones, beyond it they are closed.
 *
 *   listening --full--> paused (the kernel queues) --a slot frees--> listening
 */
import { inNet, parseNet, type IpNet } from '../core/ip.ts'
import { formatListenAddr } from '../model/address.ts'
import type { GlobalConfig, ListenAddr, ProxyConfig } from '../model/types.ts'
import type { Backend } from '../backend/backend.ts'
import type { ProxyRules } from '../rules/proxy.ts'
import type { LogFormat } from '../rules/log-format.ts'
import type { CapturedError } from './error-capture.ts'
import type { ProxyLog } from '../log/proxy-log.ts'
import type { EngineView, TcpVerdict } from '../rules/types.ts'
import type { SessView } from './rules-view.ts'
import type { Applets } from './applet.ts'
import { listenTarget } from '../net/listen-target.ts'
import { listen, setBuffers, type ListenOptions, type Listener, type Sock, type SockHandlers, type TlsListen } from '../net/runtime.ts'
import type { BindConfig } from '../model/types.ts'
import { handshakeFailed } from './tls-session.ts'
import { HttpSession } from './http-session.ts'
import { HttpFront } from './http-front.ts'
import { TcpSession } from './tcp-session.ts'
import { logConnect, logSession } from './traffic-log.ts'
import { ProxyHeaderWait } from './accept-proxy.ts'
import { countTcpSession, FrontendCounters, ListenerCounters, type ListenerStats } from './counters.ts'
import { clocked } from '../core/clock.ts'
import { cliHandlers } from './cli-handlers.ts'
import type { RequestTracer } from './tracer.ts'
import { LocalCount, type Count } from '../core/shared-count.ts'

/** A client connection of either mode, as the frontend and the engine handle it. */
export type ClientSession = TcpSession | HttpSession

/** What a frontend needs from the engine that owns it. */
export interface FrontendHost extends EngineView {
  /** Sessions alive across all frontends (HAProxy's actconn), of every thread, and the count
   *  they are taken from. */
  readonly actconn: number
  readonly actconns: Count
  readonly globalMaxconn: number
  /** The global `tune.*` values (buffer size, header count limit). */
  readonly tune: GlobalConfig['tune']
  /** A backend by name (content switching), and the rules of a proxy (null: it has none). */
  backendNamed(name: string): Backend | undefined
  rulesOf(name: string): ProxyRules | null
  /** A slot freed somewhere: frontends parked on the global limit may proceed. */
  slotFreed(): void
  /** A connection was parked on a full `maxconn` (with several threads, another thread's
   *  release must wake this one: proxy/process-share.ts). */
  parked?(): void
  /** The global limit is reached: every frontend pauses its listeners (`Frontend.full`). */
  globalFull?(): void
  /** What each `bind … ssl` listens with (proxy/tls-build.ts). */
  readonly listenTls?: ReadonlyMap<BindConfig, TlsListen>
  /** The stats pages and services (proxy/applet.ts), when the engine has them. */
  readonly applets?: Applets | undefined
  /** Opens (or takes over: reload, inherited sockets) what a `bind` address binds; without it,
   *  the frontend binds the address itself. proxy/listeners.ts */
  listen?(addr: ListenAddr, handlers: SockHandlers<ClientSession>, options: ListenOptions): (Listener & { addr: ListenAddr })[]
}

/** One bound address, as its connections see it. */
export interface ListenerInfo {
  /** Its number in the frontend, from 1 (HAProxy's listener id), and its name in logs: the bind
   *  line's `name`, else that number. */
  readonly id: number
  readonly name: string
  /** `accept-proxy`: each connection begins with a PROXY protocol header (accept-proxy.ts). */
  readonly acceptProxy: boolean
  /** `ssl`: the listener speaks TLS (tls-session.ts). */
  readonly tls: boolean
  /** `ssl` where a PROXY header may come (`accept-proxy`, or `expect-proxy` rules): the listener
   *  is clear, and each connection starts TLS with these settings once its header was read, or
   *  at once when none is expected of it (accept-proxy.ts); null otherwise. */
  readonly startsTls: TlsListen | null
  /** The bind line's `name`, if it has one (`so_name`). */
  readonly soName?: string | undefined
  /** `proto h2|h1` on the bind line (proxy/h2/front.ts). */
  readonly proto?: 'h1' | 'h2' | undefined
  /** Its counters, with `option socket-stats`. */
  readonly counters?: ListenerCounters | null
}

export interface BoundAddr {
  addr: ListenAddr
  /** The port actually bound (differs from addr.port when it was 0). */
  port: number
}

export class Frontend {
  readonly cfg: ProxyConfig
  readonly name: string
  readonly host: FrontendHost
  readonly backend: Backend | null
  /** `maxconn` (the runtime API's `set maxconn frontend` changes it; `unpark` then admits). */
  maxconn: number
  readonly backlog: number
  /** Sessions alive on this frontend (feconn), of every thread (shared memory with `nbthread`
   *  > 1): `maxconn` holds for the process. */
  conns: Count = new LocalCount()
  totalSessions = 0
  get cur(): number {
    return this.conns.value
  }

  /** TLS handshakes that failed on this frontend's listeners. */
  handshakeFailures = 0
  /** What the stats show of this frontend (proxy/counters.ts). */
  readonly counters = new FrontendCounters()
  readonly #sessions = new Set<ClientSession>()
  readonly #parked: ClientSession[] = []
  /** `tune.rcvbuf.client`, `tune.sndbuf.client` (0: the system's). */
  readonly #cliRcvbuf: number
  readonly #cliSndbuf: number
  /** The listeners are paused (full). */
  #listenersPaused = false
  /** Asks again once the runtime can pause (Listener.pause); made once. */
  readonly #pauseReady = (): void => { if (this.#full()) this.#pauseListeners() }
  #listeners: Listener[] = []
  readonly bound: BoundAddr[] = []
  /** Its listeners as the stats show them, with `option socket-stats` (else none); their
   *  counters survive an unbind and a new bind (SIGTTOU, SIGTTIN). */
  readonly listenerStats: ListenerStats[] = []
  /** `monitor-net`, parsed at load. */
  readonly #monitorNets: readonly IpNet[]
  /** `option clitcpka`/`tcpka`: the first keep-alive probe's delay in ms (0: the system's); null: off. */
  readonly #keepAlive: number | null
  /** Connections still reading their PROXY header: not sessions yet (accept-proxy.ts). */
  readonly handshakes = new Set<ProxyHeaderWait>()
  /** What `mode http` sessions share (parsers' limits, error pages, captures); null in tcp mode. */
  readonly http: HttpFront | null
  /** The compiled `log-format`, when the frontend has one (it replaces tcplog/httplog). */
  logFormat: LogFormat | null = null
  /** The compiled `unique-id-format` (unique-id.ts), when the frontend has one. */
  uniqueIdFormat: LogFormat | null = null
  /** Where `option tcplog` / `option httplog` / log-format lines go, and at which level (set by
   *  the engine); null: not logged. */
  trafficLog: ProxyLog | null = null
  /** Traces its HTTP requests (OpenTelemetry; set by the engine); null: not traced. */
  tracer: RequestTracer | null = null
  stopped = false
  /** `disable frontend` on the runtime API: not listening until `enable frontend`. */
  adminDisabled = false
  /** Set by the engine when this frontend writes a log line per session (the session then keeps
   *  the client address, which costs system calls to read). */
  logsSessions = false
  /** Where the `Connect from` line of each accepted connection goes (a frontend with `log`
   *  lines and no log format); null: none. */
  connectLog: ProxyLog | null = null
  /** Where failed TLS handshakes are logged (the proxy's `log` lines unless `dontlognull`). */
  connErrorLog: ProxyLog | null = null
  /** The compiled `error-log-format` of those lines (tls-session.ts), when it has one. */
  errorLogFormat: LogFormat | null = null
  /** The last invalid request, and the last invalid response of each backend it sent to, for
   *  `show errors` (error-capture.ts). */
  readonly capturedErrors = new Map<string, CapturedError>()

  /** Reload: the frontend of the same name and mode in the configuration serving now (null: none,
   *  or not retired). Its HTTP sessions move there between two requests. Never a frontend that
   *  was retired in turn (the engines re-point it at each reload, and drop it once this one has
   *  ended), so no chain of generations keeps the ones before alive. */
  successor: Frontend | null = null
  #retired = false

  /** This frontend's rules (null: none); a backend's rules come from `host.rulesOf`. */
  readonly rules: ProxyRules | null

  constructor(cfg: ProxyConfig, host: FrontendHost, backend: Backend | null, rules: ProxyRules | null = null) {
    this.cfg = cfg
    this.rules = rules
    this.name = cfg.name
    this.host = host
    this.backend = backend
    this.maxconn = cfg.maxconn ?? host.globalMaxconn
    this.backlog = cfg.backlog ?? Math.max(this.maxconn, 1024)
    this.#monitorNets = cfg.monitorNet.map((n) => parseNet(n)!) // validated by the builder
    this.#keepAlive = cfg.options['clitcpka'] === true || cfg.options['tcpka'] === true ? cfg.cliTcpkaIdle ?? 0 : null
    this.http = cfg.mode === 'http' ? new HttpFront(cfg, host.tune) : null
    this.#cliRcvbuf = host.tune['rcvbuf.client'] ?? 0
    this.#cliSndbuf = host.tune['sndbuf.client'] ?? 0
  }

  /** The handlers of one listener (made once per bound address, never per connection). */
  #handlersFor(lst: ListenerInfo): SockHandlers<ClientSession> {
    const fe = this
    if (!lst.tls) return { ...cliHandlers, open(s: Sock<ClientSession>) { fe.#accept(s, lst) } }
    // A TLS listener's accept also reads what TLS negotiated; a failed handshake is logged.
    return {
      ...cliHandlers,
      open(s: Sock<ClientSession>) { fe.#accept(s, lst) },
      handshakeError(s: Sock<ClientSession>, e: Error) { handshakeFailed(fe, s, e) },
    }
  }

  /** Connections this thread holds a slot for (sessions, PROXY headers and handshakes); `cur`
   *  counts every thread's. */
  get live(): number {
    return this.#sessions.size + this.handshakes.size
  }

  get sessions(): ReadonlySet<ClientSession> {
    return this.#sessions
  }

  /** Binds every address. Throws (after closing what it bound) if any bind fails. */
  bind(): void {
    try {
      let id = 0
      for (const b of this.cfg.binds) {
        for (const a of b.addrs) {
          const opts: ListenOptions = {}
          const backlog = b.backlog ?? this.cfg.backlog
          if (backlog !== undefined) opts.backlog = backlog
          let startsTls: TlsListen | null = null
          if (b.ssl) {
            // Never clear text where TLS was asked for: no TLS built, no listener.
            const tls = this.host.listenTls?.get(b)
            if (tls === undefined) throw new Error(`bind ${b.spec}: 'ssl' without its TLS settings built; refusing to listen in clear text`)
            // A PROXY header comes in clear, before the handshake: TLS starts once it was read.
            if (b.acceptProxy || this.rules?.expectsProxy) { startsTls = tls; opts.startsTls = true } else opts.tls = tls
          }
          id++
          let counters: ListenerCounters | null = null
          if (this.cfg.options['socket-stats'] === true) {
            const known = this.listenerStats[id - 1]
            counters = known?.counters ?? new ListenerCounters()
            if (known === undefined) this.listenerStats.push({ id, name: b.name ?? `sock-${id}`, addr: '', counters })
          }
          const handlers = this.#handlersFor({ id, name: b.name ?? String(id), acceptProxy: b.acceptProxy === true, tls: opts.tls !== undefined, startsTls, soName: b.name, proto: b.proto, counters })
          // The process's listening sockets (proxy/listeners.ts: kept across reloads, inherited
          // ones adopted) when the engine has them; else bound here.
          const shared = this.host.listen?.(a, handlers, opts)
          for (const l of shared ?? [listen(listenTarget(a), handlers, opts)]) {
            this.#listeners.push(l)
            this.bound.push({ addr: 'addr' in l ? l.addr as ListenAddr : a, port: l.port })
          }
          const li = counters === null ? undefined : this.listenerStats[id - 1]
          if (li !== undefined) li.addr = this.describeBound().at(-1) ?? ''
        }
      }
    } catch (e) {
      this.unbind()
      throw new Error(`frontend '${this.name}': ${(e as Error).message}`)
    }
    this.stopped = false
  }

  /** Stops accepting (SIGTTOU, soft stop). Live sessions go on. */
  unbind(): void {
    this.#listenersPaused = false
    for (const l of this.#listeners) l.stop()
    this.#listeners = []
    this.bound.length = 0
    this.stopped = true
  }

  describeBound(): string[] {
    return this.bound.map((b) => (b.addr.family === 'ipv4' || b.addr.family === 'ipv6' ? formatListenAddr({ ...b.addr, port: b.port }) : formatListenAddr(b.addr)))
  }

  #accept(s: Sock<ClientSession>, lst: ListenerInfo): void {
    if (this.#cliRcvbuf > 0 || this.#cliSndbuf > 0) setBuffers(s as Sock<unknown>, this.#cliRcvbuf, this.#cliSndbuf)
    // monitor-net: health checkers of an upstream load balancer, never forwarded nor logged: in
    // tcp mode closed at once, in http mode answered "200 OK" at once.
    if (this.#monitorNets.length > 0) {
      const ip = s.remoteAddress
      if (this.#monitorNets.some((n) => inNet(n, ip))) {
        s.data = monitorOnly
        // Never a clear-text answer on a bind that speaks TLS (its TLS has not started yet).
        if (this.http && lst.startsTls === null) { s.write(this.http.errors.page(200)); s.end() } else s.terminate()
        return
      }
    }
    this.counters.connection()
    // option clitcpka / tcpka: SO_KEEPALIVE on the client's connection.
    if (this.#keepAlive !== null) s.setKeepAlive?.(true, this.#keepAlive)
    const sess = this.http ? new HttpSession(this, s as Sock<HttpSession>) : new TcpSession(this, s as Sock<TcpSession>)
    if (lst.soName !== undefined) sess.soName = lst.soName
    if (lst.proto !== undefined && sess instanceof HttpSession) sess.cliProto = lst.proto
    const lc = lst.counters ?? null
    if (lc !== null) { lc.cumConn++; sess.liCounters = lc }
    // tcp-request connection (then session) rules: decided on the addresses alone, before anything
    // is read; a rejected connection is closed at once and not logged. Where a PROXY header may
    // come, session rules wait for it, and see its addresses.
    const rules = this.rules
    const mayProxy = lst.acceptProxy || rules?.expectsProxy === true
    if (rules?.has.tcpConnection) {
      // Connection rules, then (without a PROXY header to wait for) session rules.
      const view = sess.view
      view.level = 'connection'
      let verdict = rules.tcpConnectionRules(view)
      view.level = 'stream'
      if (verdict !== 'reject' && !mayProxy) verdict = sessionRules(rules, view)
      if (verdict === 'reject') {
        this.#reject(s, sess)
        this.counters.deniedConn++
        if (lc !== null) lc.deniedConn++
        return
      }
    }
    s.data = sess
    if ((mayProxy && (lst.acceptProxy || sess.ppExpected)) || lst.startsTls !== null) {
      // A PROXY header first, read once the connection has a slot (accept-proxy.ts), and/or TLS
      // started; session rules then run, on the header's addresses.
      sess.ppListener = lst
    } else if (mayProxy && rules?.has.tcpConnection && sessionRules(rules, sess.view) === 'reject') {
      this.#reject(s, sess)
      return
    }
    // Read while the socket is open: a client that already closed has no address to read.
    if (this.logsSessions) void sess.cliAddr
    if (lst.tls) sess.readTls()
    const n = this.#takeSlot()
    if (n < 0) {
      if (this.#parked.length >= this.backlog) { s.terminate(); return }
      sess.pauseCli()
      this.#parked.push(sess)
      this.host.parked?.()
      this.#pauseListeners()
      return
    }
    this.#begin(sess, n)
  }

  /** A slot on this frontend and in the process (`maxconn` of both), taken atomically: the
   *  frontend's count after it, or -1 (none taken) when either is full. */
  #takeSlot(): number {
    const n = this.conns.take(this.maxconn)
    if (n < 0) return -1
    if (this.host.actconns.take(this.host.globalMaxconn) < 0) { this.conns.add(-1); return -1 }
    return n
  }

  #giveBack(): void {
    this.conns.add(-1)
    this.host.actconns.add(-1)
  }

  #full(): boolean {
    return this.cur >= this.maxconn || this.host.actconn >= this.host.globalMaxconn
  }

  /** Full: the kernel holds new connections (see the top). */
  #pauseListeners(): void {
    if (this.#listenersPaused || this.stopped || this.#listeners.length === 0) return
    let all = true
    for (const l of this.#listeners) if (l.pause?.(this.#pauseReady) !== true) all = false
    this.#listenersPaused = all
  }

  /** The engine is full (global maxconn): its listeners pause as when this frontend is. */
  full(): void {
    this.#pauseListeners()
  }

  /** Room again (or the listeners change hands): take connections again. */
  #resumeListeners(): void {
    if (!this.#listenersPaused) return
    this.#listenersPaused = false
    for (const l of this.#listeners) l.resume?.()
  }

  /** Whether the listeners are paused (full); for stats and tests. */
  get listenersPaused(): boolean {
    return this.#listenersPaused
  }

  #reject(s: Sock<ClientSession>, sess: ClientSession): void {
    s.data = monitorOnly
    sess.view.end()
    s.terminate()
  }

  /** A connection takes a slot: a session starts, or first reads its PROXY header and/or does
   *  its TLS handshake (it holds the slot meanwhile, as HAProxy counts a connection in its
   *  handshake against maxconn). */
  #begin(sess: ClientSession, cur: number): void {
    this.counters.session(cur)
    // Full now: the listeners stop accepting, the kernel keeps the next connections waiting.
    if (this.host.actconn >= this.host.globalMaxconn && this.host.globalFull !== undefined) this.host.globalFull()
    else if (this.#full()) this.#pauseListeners()
    const lst = sess.ppListener
    if (lst !== null) {
      sess.cli.data = new ProxyHeaderWait(this, sess, lst) as unknown as ClientSession
      return
    }
    this.#start(sess)
  }

  /** The PROXY header was read (accept-proxy.ts): session rules on its addresses, then the
   *  session starts in the slot the connection holds. */
  headerRead(sess: ClientSession): void {
    const s = sess.cli as Sock<ClientSession>
    s.data = sess
    if (this.rules?.has.tcpConnection && sessionRules(this.rules, sess.view) === 'reject') {
      this.#reject(s, sess)
      this.handshakeEnded()
      return
    }
    this.#start(sess)
  }

  /** A connection that held a slot while it read its PROXY header closed without a session. */
  handshakeEnded(): void {
    this.#giveBack()
    this.host.slotFreed()
  }

  #start(sess: ClientSession): void {
    if (this.connectLog !== null) logConnect(sess, this, this.connectLog)
    this.totalSessions++
    const lc = sess.liCounters
    if (lc !== null) { lc.cumSess++; if (++lc.cur > lc.connMax) lc.connMax = lc.cur }
    this.#sessions.add(sess)
    sess.start(this.backend)
    // What came after a PROXY header.
    const early = sess.earlyData
    if (early !== null && sess.phase !== 'closed') {
      sess.earlyData = null
      sess.onCliData(early as Buffer)
    }
  }

  /** Called by the session when it ends (once). */
  sessionEnded(sess: ClientSession): void {
    if (this.#sessions.delete(sess)) {
      this.#giveBack()
      this.counters.bytesIn += sess.bytesIn
      const lc = sess.liCounters
      if (lc !== null) { lc.cur--; lc.bytesIn += sess.bytesIn; lc.bytesOut += sess.bytesOut }
      // A tcp session's line counts it nowhere any more; http sessions log each request themselves.
      if (sess instanceof TcpSession) { countTcpSession(this.counters, sess); logSession(sess) }
      this.host.slotFreed()
    } else {
      const i = this.#parked.indexOf(sess)
      if (i >= 0) this.#parked.splice(i, 1)
    }
  }

  /** Starts parked connections while there is room. */
  unpark(): void {
    while (this.#parked.length > 0) {
      const n = this.#takeSlot()
      if (n < 0) break
      this.#begin(this.#parked.shift()!, n)
    }
    if (!this.#full()) this.#resumeListeners()
  }

  get parked(): number {
    return this.#parked.length
  }

  /** Soft stop: stops accepting, and closes the keep-alive connections waiting for a next
   *  request (an HTTP client reconnects elsewhere); sessions in the middle of a request finish
   *  it, then close. */
  softStop(): void {
    this.unbind()
    for (const s of [...this.#sessions]) if (s instanceof HttpSession) s.closeIfIdle()
  }

  /**
   * Reload: the listeners belong to the next configuration now (proxy/listeners.ts handed them
   * over) and `next` takes this frontend's place. Connections not started yet (parked on
   * `maxconn`) and HTTP sessions between two requests move to `next` now; an HTTP session in the
   * middle of a request moves once its response is complete; TCP sessions and tunnels end here.
   * Without `next`, HTTP sessions close after their current response, as at soft stop.
   */
  retire(next: Frontend | null): void {
    this.#resumeListeners()
    this.#listeners = []
    this.bound.length = 0
    this.stopped = true
    this.#retired = true
    this.successor = next
    for (const s of this.#parked.splice(0)) {
      if (next === null) { s.kill(); continue }
      s.moveTo(next)
      next.#parked.push(s)
    }
    next?.unpark()
    for (const s of [...this.#sessions]) {
      if (!(s instanceof HttpSession)) continue
      if (next !== null && s.betweenRequests) next.adopt(s)
      // An HTTP/2 connection stays with this configuration: GOAWAY, its streams finish here.
      else if (next === null || s.h2 !== null) s.closeIfIdle()
    }
  }

  /** Where a session of this frontend goes between two requests: null when it stays (not
   *  retired) or has nowhere to go (it then closes). */
  get heir(): Frontend | null {
    return this.#retired ? this.successor : null
  }

  /** Takes `sess` over from the retired frontend it was served by (reload). */
  adopt(sess: HttpSession): void {
    const from = sess.fe
    if (from === this || !from.#sessions.delete(sess)) return
    from.#giveBack()
    sess.moveTo(this)
    this.#sessions.add(sess)
    this.conns.add(1)
    this.host.actconns.add(1)
    from.host.slotFreed()
  }

  /** Kills every session (hard stop). */
  killAll(): void {
    for (const s of [...this.#sessions, ...this.#parked]) s.kill()
    for (const h of [...this.handshakes]) h.kill()
  }
}

/** The session of a monitor-net connection: it ignores whatever happens on it. */
const monitorOnly = {
  onCliData() {},
  onCliDrain() {},
  onCliEnd() {},
  onCliClose() {},
} as unknown as ClientSession

/** `tcp-request session` rules, their set-src/set-dst scoped to the session. */
function sessionRules(rules: ProxyRules, view: SessView): TcpVerdict {
  view.level = 'session'
  const verdict = rules.tcpSessionRules(view)
  view.level = 'stream'
  return verdict
}
