/**
 * A frontend at run time: its listeners, its connection limit, and where its sessions go.
 *
 * `maxconn` (the frontend's, and the global one across frontends): a connection accepted while
 * full is paused and parked, untouched, until a slot frees, in arrival order. This stands in for
 * HAProxy's "stop polling the listener, let the kernel backlog hold the rest", which the runtime
 * does not offer; the client sees the same thing: a connection that waits. `backlog` bounds the
 * parked ones; beyond it new connections are closed.
 */
import { inNet, parseNet, type IpNet } from '../core/ip.ts'
import { formatListenAddr } from '../model/address.ts'
import type { Config, GlobalConfig, ListenAddr, ProxyConfig } from '../model/types.ts'
import type { Backend } from '../backend/backend.ts'
import type { ProxyRules } from '../rules/proxy.ts'
import type { LogFormat } from '../rules/log-format.ts'
import type { ProxyLog } from '../log/proxy-log.ts'
import type { EngineView } from '../rules/types.ts'
import { listenTarget } from '../net/listen-target.ts'
import { listen, type Listener, type Sock, type SockHandlers } from '../net/runtime.ts'
import { HttpSession } from './http-session.ts'
import { HttpFront } from './http-front.ts'
import { TcpSession } from './tcp-session.ts'
import { logSession } from './traffic-log.ts'
import { clocked } from '../core/clock.ts'

/** A client connection of either mode, as the frontend and the engine handle it. */
export type ClientSession = TcpSession | HttpSession

/** Client-side handlers, shared by every listener and both modes (the session is in `data`). */
const cliHandlers: Omit<SockHandlers<ClientSession>, 'open'> = {
  // One clock reading for all the timers and deadlines a chunk sets (core/clock.ts).
  data: clocked((s, chunk) => { s.data.onCliData(chunk) }),
  drain(s) { s.data.onCliDrain() },
  end(s) { s.data.onCliEnd() },
  close(s, error) { s.data.onCliClose(error) },
  error() {},
}

/** What a frontend needs from the engine that owns it. */
export interface FrontendHost extends EngineView {
  /** Sessions alive across all frontends (HAProxy's actconn). */
  actconn: number
  readonly globalMaxconn: number
  /** The global `tune.*` values (buffer size, header count limit). */
  readonly tune: GlobalConfig['tune']
  /** A backend by name (content switching), and the rules of a proxy (null: it has none). */
  backendNamed(name: string): Backend | undefined
  rulesOf(name: string): ProxyRules | null
  /** A slot freed somewhere: frontends parked on the global limit may proceed. */
  slotFreed(): void
  /** Every proxy, which the stats page shows (src/proxy/stats.ts). */
  readonly config: Config
  readonly frontends: readonly Frontend[]
  readonly backends: ReadonlyMap<string, Backend>
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
  readonly maxconn: number
  readonly backlog: number
  /** Sessions alive on this frontend (feconn). */
  cur = 0
  totalSessions = 0
  readonly #sessions = new Set<ClientSession>()
  readonly #parked: ClientSession[] = []
  #listeners: Listener[] = []
  readonly bound: BoundAddr[] = []
  /** `monitor-net`, parsed at load. */
  readonly #monitorNets: readonly IpNet[]
  readonly #handlers: SockHandlers<ClientSession>
  /** What `mode http` sessions share (parsers' limits, error pages, captures); null in tcp mode. */
  readonly http: HttpFront | null
  /** The compiled `log-format`, when the frontend has one (it replaces tcplog/httplog). */
  logFormat: LogFormat | null = null
  /** Where `option tcplog` / `option httplog` / log-format lines go, and at which level (set by
   *  the engine); null: not logged. */
  trafficLog: ProxyLog | null = null
  stopped = false
  /** Set by the engine when this frontend writes a log line per session (the session then keeps
   *  the client address, which costs system calls to read). */
  logsSessions = false

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
    this.http = cfg.mode === 'http' ? new HttpFront(cfg, host.tune) : null
    const fe = this
    this.#handlers = { ...cliHandlers, open(s: Sock<ClientSession>) { fe.#accept(s) } }
  }

  get sessions(): ReadonlySet<ClientSession> {
    return this.#sessions
  }

  /** Binds every address. Throws (after closing what it bound) if any bind fails. */
  bind(): void {
    try {
      for (const b of this.cfg.binds) {
        const name = b.name
        const fe = this
        const handlers = name === undefined ? this.#handlers : { ...this.#handlers, open(s: Sock<ClientSession>) { fe.#accept(s, name) } }
        for (const a of b.addrs) {
          const target = listenTarget(a)
          const opts: { backlog?: number } = {}
          const backlog = b.backlog ?? this.cfg.backlog
          if (backlog !== undefined) opts.backlog = backlog
          const l = listen(target, handlers, opts)
          this.#listeners.push(l)
          this.bound.push({ addr: a, port: l.port })
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
    for (const l of this.#listeners) l.stop()
    this.#listeners = []
    this.bound.length = 0
    this.stopped = true
  }

  describeBound(): string[] {
    return this.bound.map((b) => (b.addr.family === 'ipv4' || b.addr.family === 'ipv6' ? formatListenAddr({ ...b.addr, port: b.port }) : formatListenAddr(b.addr)))
  }

  #accept(s: Sock<ClientSession>, soName?: string): void {
    // monitor-net: health checkers of an upstream load balancer, never forwarded nor logged: in
    // tcp mode closed at once, in http mode answered "200 OK" at once.
    if (this.#monitorNets.length > 0) {
      const ip = s.remoteAddress
      if (this.#monitorNets.some((n) => inNet(n, ip))) {
        s.data = monitorOnly
        if (this.http) { s.write(this.http.errors.page(200)); s.end() } else s.terminate()
        return
      }
    }
    const sess = this.http ? new HttpSession(this, s as Sock<HttpSession>) : new TcpSession(this, s as Sock<TcpSession>)
    if (soName !== undefined) sess.soName = soName
    // tcp-request connection: decided on the addresses alone, before anything is read; a
    // rejected connection is closed at once and not logged.
    if (this.rules?.has.tcpConnection && this.rules.tcpConnection(sess.view) === 'reject') {
      s.data = monitorOnly
      sess.view.end()
      s.terminate()
      return
    }
    s.data = sess
    // Read while the socket is open: a client that already closed has no address to read.
    if (this.logsSessions) void sess.cliAddr
    if (this.cur >= this.maxconn || this.host.actconn >= this.host.globalMaxconn) {
      if (this.#parked.length >= this.backlog) { s.terminate(); return }
      sess.pauseCli()
      this.#parked.push(sess)
      return
    }
    this.#begin(sess)
  }

  #begin(sess: ClientSession): void {
    this.cur++
    this.totalSessions++
    this.host.actconn++
    this.#sessions.add(sess)
    sess.start(this.backend)
  }

  /** Called by the session when it ends (once). */
  sessionEnded(sess: ClientSession): void {
    if (this.#sessions.delete(sess)) {
      this.cur--
      this.host.actconn--
      // A tcp session's line counts it nowhere any more; http sessions log each request themselves.
      if (sess instanceof TcpSession) logSession(sess)
      this.host.slotFreed()
    } else {
      const i = this.#parked.indexOf(sess)
      if (i >= 0) this.#parked.splice(i, 1)
    }
  }

  /** Starts parked connections while there is room. */
  unpark(): void {
    while (this.#parked.length > 0 && this.cur < this.maxconn && this.host.actconn < this.host.globalMaxconn) {
      const sess = this.#parked.shift()!
      this.#begin(sess)
    }
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

  /** Kills every session (hard stop). */
  killAll(): void {
    for (const s of [...this.#sessions, ...this.#parked]) s.kill()
  }
}

/** The session of a monitor-net connection: it ignores whatever happens on it. */
const monitorOnly = {
  onCliData() {},
  onCliDrain() {},
  onCliEnd() {},
  onCliClose() {},
} as unknown as ClientSession
