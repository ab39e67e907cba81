/**
 * What every session has on its client side, whatever its mode: the accepted socket, when it
 * was accepted, the client's address (read once), pausing its reads, its place in a wait queue,
 * and the view rules read of it. `TcpSession` and `HttpSession` extend it.
 */
import type { ListenerCounters } from './counters.ts'
import type { Waiter, WaitQueue } from '../backend/queue.ts'
import { now, wallNow } from '../core/clock.ts'
import type { ProxyHeader } from '../net/proxy-protocol.ts'
import { tlsFacts, type Sock, type TlsFacts } from '../net/runtime.ts'
import type { ProxiedConn } from '../rules/types.ts'
import type { PpFlag } from '../model/types.ts'
import { buildServerProxyHeader, type ClientTlsFacts } from './send-proxy.ts'
import type { Frontend, ListenerInfo } from './frontend.ts'
import { SessView } from './rules-view.ts'

export abstract class ClientSide {
  // Waiter links (backend/queue.ts); `grant()` is the subclass's.
  queuedAt = 0
  _qPrev: Waiter | null = null
  _qNext: Waiter | null = null
  _queue: WaitQueue | null = null

  /** The frontend that serves it: the one that accepted it, or its successor after a reload. */
  fe: Frontend
  /** The client's socket; replaced once, by the TLS one, when TLS starts after a PROXY header. */
  cli: Sock<ClientSide>
  /** Monotonic ms and wall-clock ms of the accept. */
  readonly acceptTime: number
  readonly acceptDate: number
  /** The client's address and port, read on first use (each read is a system call, and most
   *  sessions need it only for the log line). Unreadable once the socket is closed: a frontend
   *  that logs reads it at accept. */
  #cliAddr: string | undefined
  #cliPort = 0
  /** Reading is paused (by us): resume only what was paused, each call is a system call. */
  #cliPaused = false
  #view: SessView | null = null
  /** What TLS negotiated with the client (null: a clear-text listener); read at the accept,
   *  once the handshake is done, so that logs have it after the socket closed. */
  cliTls: TlsFacts | null = null

  // --- the PROXY protocol (accept-proxy.ts) ---
  /** `tcp-request connection expect-proxy` asked for a PROXY header. */
  ppExpected = false
  /** The listener whose PROXY header this connection reads before its session starts; null:
   *  none (or read already). */
  ppListener: ListenerInfo | null = null
  /** The PROXY header the connection began with, and the socket's own addresses; null: none. */
  proxied: ProxiedConn | null = null
  /** Bytes that came after the PROXY header: the session's first data, once it starts. */
  earlyData: Uint8Array | null = null

  constructor(fe: Frontend, cli: Sock<ClientSide>) {
    this.fe = fe
    this.cli = cli
    this.acceptTime = now()
    this.acceptDate = wallNow()
  }

  get cliAddr(): string {
    if (this.#cliAddr === undefined) {
      this.#cliAddr = this.cli.remoteAddress ?? ''
      this.#cliPort = this.cli.remotePort ?? 0
    }
    return this.#cliAddr
  }

  /** Reads the client's TLS facts (the frontend calls it at the accept). */
  readTls(): void {
    this.cliTls = tlsFacts(this.cli)
  }

  /** TLS started after the PROXY header and its handshake is done (accept-proxy.ts): `s`, the
   *  TLS socket, is the client's from now on. */
  tlsStarted(s: Sock<ClientSide>): void {
    this.cli = s
    this.cliTls = tlsFacts(s)
  }

  get cliPort(): number {
    void this.cliAddr
    return this.#cliPort
  }

  /** The address the client connected to, as rules left it (`set-dst`): else the PROXY header's
   *  when it relayed one, else the socket's (read each time: only `option originalto` and servers
   *  without a port ask). */
  get dstAddr(): string {
    return this.#view?.dstAddr ?? this.proxied?.header.addrs?.dst ?? this.cli.localAddress ?? ''
  }

  get dstPort(): number {
    return this.#view?.dstPort ?? this.proxied?.header.addrs?.dstPort ?? this.cli.localPort ?? 0
  }

  /** `set-src`/`set-src-port` (rules): the client address the rules, forwardfor and the log see. */
  setCliAddr(addr: string | undefined, port: number | undefined): void {
    void this.cliAddr
    if (addr !== undefined) this.#cliAddr = addr
    if (port !== undefined) this.#cliPort = port
  }

  /** A PROXY header was read: its addresses become the session's (`src`, `dst`, logs, `balance
   *  source`, `option forwardfor`, stick tables); the socket's stay readable (`fc_src`, `fc_dst`).
   *  LOCAL and UNKNOWN headers relay no address: the socket's stand. */
  useProxyHeader(h: ProxyHeader): void {
    // The connection's addresses: the socket's, as the connection rules left them (set-src,
    // set-dst); the header's become the session's.
    const fcSrc = this.cliAddr
    const fcSrcPort = this.cliPort
    const fcDst = this.dstAddr
    const fcDstPort = this.dstPort
    if (h.addrs !== null) this.#view?.headerRead()
    this.proxied = { header: h, fcSrc, fcSrcPort, fcDst, fcDstPort }
    if (h.addrs !== null) {
      this.#cliAddr = h.addrs.src
      this.#cliPort = h.addrs.srcPort
    }
  }

  pauseCli(): void {
    if (this.#cliPaused) return
    this.#cliPaused = true
    this.cli.pause()
  }

  /** Reading is paused (by us). */
  get cliPaused(): boolean {
    return this.#cliPaused
  }

  /** Resumes reading, if it was paused (by us). */
  resumeCli(): void {
    if (!this.#cliPaused) return
    this.#cliPaused = false
    this.cli.resume()
  }

  /** The name of the `bind` line that accepted this connection (`so_name`), if it has one. */
  soName: string | undefined = undefined
  /** Its listener's counters (`option socket-stats`), else null. */
  liCounters: ListenerCounters | null = null

  /** What rules read of this connection; made on first use. */
  get view(): SessView {
    return (this.#view ??= new SessView(this, this.fe.name, this.fe.host))
  }

  /** What the PROXY header sent to a server tells of this connection's TLS (send-proxy.ts), from
   *  what TLS negotiated with the client; null: a plain connection. */
  tlsFacts(): ClientTlsFacts | null {
    const t = this.cliTls
    if (t === null) return null
    const cert = t.peerCert !== undefined
    const cn = cert ? /(?:^|\n)CN=([^\n]*)/.exec(t.peerCert!.subject)?.[1] : undefined
    return {
      version: t.protocol,
      ...(t.sni !== undefined ? { sni: t.sni } : {}),
      ...(t.alpn !== undefined ? { alpn: t.alpn } : {}),
      certConn: cert,
      certSess: cert,
      verify: t.verifyResult,
      ...(cn !== undefined ? { cn } : {}),
      cipher: t.cipher,
    }
  }

  /** The PROXY header a new connection to a server with these `send-proxy` flags begins with. */
  proxyHeaderFor(flags: readonly PpFlag[]): Uint8Array {
    return buildServerProxyHeader(flags, this, () => this.uniqueId())
  }

  /** The current stream's unique id (`unique-id-format`), '' when the frontend has none. */
  abstract uniqueId(): string

  /** Releases what rules tracked, if they ever made the view (a connection closed early). */
  endView(): void {
    this.#view?.end()
  }

  /** Reload: `fe`, of the next configuration, serves this session from now on (between two
   *  requests, or before it started). What the old one's rules tracked for it is released. */
  moveTo(fe: Frontend): void {
    this.#view?.end()
    this.#view = null
    this.fe = fe
  }

  /** The view, if rules ever made it (at the end, what it tracked must be released). */
  protected get madeView(): SessView | null {
    return this.#view
  }

  abstract grant(server: import('../backend/server.ts').Server): void
}
