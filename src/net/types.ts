/**
 * What the rest of edgelb sees of the runtime's sockets. Each runtime (net/bun.ts, net/deno.ts)
 * implements `Runtime`; net/runtime.ts picks the one that is running.
 */
import type { X509Certificate } from 'node:crypto'
import type { SslVersion } from '../model/tls.ts'
import type { SignalName } from './signals.ts'

/** A connected socket. `data` is the per-connection state the handlers work on. */
export interface Sock<T> {
  data: T
  /** Bytes accepted; fewer than asked under pressure (0 included: wait for `drain`); -1 if
   *  closed or shut down. Accepted bytes go out in order. `chunk` must not change afterwards:
   *  a runtime may still be sending from it (edgelb only passes on what it read or built). */
  write(chunk: Uint8Array): number
  /** Sends FIN after what was written (half-close: we stop writing, may still read). */
  shutdown(halfClose?: boolean): void
  /** Closes gracefully (FIN). */
  end(): void
  /** Closes at once (RST when data is pending). */
  terminate(): void
  pause(): void
  resume(): void
  setNoDelay?(noDelay?: boolean): boolean
  /** SO_KEEPALIVE, the first probe after `initialDelay` ms of silence (0: the system's). */
  setKeepAlive?(enable: boolean, initialDelay?: number): boolean
  readonly remoteAddress: string
  readonly remotePort?: number
  readonly localAddress?: string
  readonly localPort?: number
}

/**
 * Module-level handlers (one set per listener or connect site, never per connection).
 * Lifecycle of one socket:
 *   listen: open → (data | drain)* → [end] → close
 *   connect: open → … → close   or   connectError (nothing else)
 * `end` reports the peer's FIN while we may still write; once our own FIN went out first, the
 * peer's FIN is reported as `close` alone. `close` comes once; with an error for a reset. `end()`
 * and `terminate()` call `close` before they return when nothing waits to be sent.
 */
export interface SockHandlers<T> {
  open?(s: Sock<T>): void
  data(s: Sock<T>, chunk: Buffer): void
  drain(s: Sock<T>): void
  /** The peer sent FIN. */
  end(s: Sock<T>): void
  close(s: Sock<T>, error?: Error): void
  error?(s: Sock<T>, error: Error): void
  connectError?(s: Sock<T>, error: Error): void
  /** TLS listeners: a handshake failed, timed out, or its client certificate was refused. The
   *  socket is closed; nothing else comes for it (no `open`, no `close`). */
  handshakeError?(s: Sock<T>, error: Error): void
}

export interface Listener {
  /** The port actually bound (useful with port 0). 0 for unix sockets. */
  readonly port: number
  /** Its descriptor, when the runtime tells it (Bun does; passed on to a new executable). */
  readonly fd?: number | undefined
  /** Stops accepting; live connections are not touched. */
  stop(): void
  /** Stops taking connections from the kernel's queue, which goes on completing handshakes and
   *  holds them (up to the backlog) until `resume()`: the socket stays bound and listening.
   *  False when it cannot now: the runtime has no way, or is getting one ready (then `ready` is
   *  called once it has: ask again). Absent where the runtime never can (Deno). */
  pause?(ready: () => void): boolean
  /** Takes connections again after `pause()`. */
  resume?(): void
}

export type ListenTarget =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'unix'; path: string }
  | { kind: 'fd'; fd: number }

export interface ListenOptions {
  backlog?: number
  reusePort?: boolean
  /** A TLS listener: `open` comes once the handshake succeeded and the client's certificate
   *  passed `verify`; a failure goes to `handshakeError`. */
  tls?: TlsListen
  /** A clear-text listener whose connections may start TLS later (`Runtime.startTls`, after a
   *  PROXY header): its handlers hear nothing more of a connection once its TLS started. */
  startsTls?: boolean
}

interface ConnectCommon {
  tls?: TlsConnect
  /** The SNI a TLS connection sends (none when unset). */
  serverName?: string
  /** TLS connections: what is sent in clear once connected, before the handshake starts (a PROXY
   *  header); a function is given the clear socket (its own addresses). `open` still comes only
   *  once the handshake succeeded; a failure before it is a `connectError`. Ignored without `tls`
   *  (the caller writes first itself). */
  preface?: Uint8Array | ((s: Sock<unknown>) => Uint8Array)
}

export type ConnectTarget =
  | ({ host: string; port: number; localAddress?: string } & ConnectCommon)
  | ({ path: string } & ConnectCommon)

/** How `Runtime.startTls` starts TLS on an accepted socket. */
export interface StartTls<T> {
  /** The TLS socket's `data` once `open` or `handshakeError` comes (and from then on). */
  data: T
  /** The listener's TLS, exactly as a TLS listener would use it (`ListenOptions.tls`). */
  tls: TlsListen
  /** Bytes already read that begin the handshake (what came after a PROXY header). */
  initial?: Uint8Array | null
  /** When the handshake times out (monotonic ms, core/clock.ts); default: `tls.handshakeTimeout`
   *  from now. */
  deadline?: number
}

// --- TLS -------------------------------------------------------------------------------------------

/** One TLS context's settings, as read at load (PEM text). The runtime makes its own context of
 *  it (`Runtime.tlsContext`), which checks them: a key that does not match its certificate, a
 *  cipher list or a curve the TLS library does not know is an Error there. */
export interface TlsContextSpec {
  /** The certificate, then its chain. */
  cert?: string
  key?: string
  /** Trusted CAs: for client certificates (listeners), for servers' certificates (connections). */
  ca?: string
  crl?: string
  minVersion: SslVersion
  maxVersion: SslVersion
  /** TLS 1.2 and older (TLS 1.3 suites are the library's own). */
  ciphers?: string
  curves?: string
  sigalgs?: string
  /** Session tickets; without them a listener resumes no session (the runtime keeps no cache). */
  tickets: boolean
  /** Listeners: the client's cipher order wins (HAProxy's default is the server's). */
  preferClientCiphers?: boolean
}

/** A context the runtime made; opaque to the rest of edgelb. */
export interface TlsContext {
  readonly spec: TlsContextSpec
}

export interface TlsListen {
  /** The default certificate and the listener's settings: for handshakes without SNI, or whose
   *  name no certificate has. */
  default: TlsContext
  /** The context for the name a client sent: undefined for the default one, null to refuse the
   *  handshake (`strict-sni`). Every context has the listener's settings. Must not throw. */
  select?(serverName: string): TlsContext | null | undefined
  /** Refuse handshakes without SNI (`strict-sni`). */
  requireSni: boolean
  /** Protocols offered by ALPN, in order of preference. A client that offers none of them is
   *  refused (the runtime's TLS library sends no_application_protocol). */
  alpn: readonly string[]
  /** Client certificates: not asked for; asked for, and checked when sent; required. */
  verify: 'none' | 'optional' | 'required'
  /** Accept a client certificate that fails verification (`ssl_c_verify` tells). */
  ignoreVerifyErrors: boolean
  /** ms a handshake may take, from the accept (Infinity: no limit). */
  handshakeTimeout: number
}

export interface TlsConnect {
  context: TlsContext
  /** Check the server's certificate: its chain against the CAs, and its name (`verify required`). */
  verify: boolean
  /** The name the certificate must carry (`verifyhost`); else the SNI sent, if any; else the
   *  chain alone is checked, as HAProxy does. */
  verifyHost?: string
  alpn: readonly string[]
  /** Offer the last session again (HAProxy's default; `no-ssl-reuse` turns it off). The runtime
   *  keeps that session in `session`. */
  reuse: boolean
  session?: unknown
}

/** What TLS negotiated on a connection, read once its handshake is done. */
export interface TlsFacts {
  /** The server name: the one the client sent (listeners), the one sent (connections). */
  readonly sni: string | undefined
  readonly alpn: string | undefined
  /** `TLSv1.3`, `TLSv1.2`… */
  readonly protocol: string
  /** The cipher's OpenSSL name (`TLS_AES_128_GCM_SHA256`, `ECDHE-ECDSA-AES128-GCM-SHA256`). */
  readonly cipher: string
  readonly resumed: boolean
  /** The peer's certificate, when it sent one. */
  readonly peerCert: X509Certificate | undefined
  /** The peer certificate's verification result: 0 when it passed or none was sent, else
   *  OpenSSL's X509_V_ERR_* number (`ssl_c_verify`). */
  readonly verifyResult: number
}

/** A kernel pipe that `Runtime.splice` moves bytes through. */
export interface Pipe {
  readonly r: number
  readonly w: number
  /** What the receiving socket did not take at the last splice (see `Runtime.splice`). */
  rest: Uint8Array | null
}

/** A unix datagram socket sending to the service manager (sd_notify's NOTIFY_SOCKET). */
export interface NotifySocket {
  /** Sends one datagram without waiting; returns the error's name when it was not sent. */
  send(message: string): string | undefined
  /** CLOCK_MONOTONIC in µs, the clock of `MONOTONIC_USEC=`. */
  monotonicUsec(): bigint
  close(): void
}

/** A unix datagram socket that sends to one path (syslog's /dev/log). */
export interface UnixDgramSocket {
  /** Sends one datagram without waiting; returns the error's name (EAGAIN, ENOENT…) when it was not sent. */
  send(data: Uint8Array): string | undefined
  close(): void
}

/** One runtime's sockets and process facts. */
export interface Runtime {
  readonly name: string
  /** Binds and listens. Throws an Error naming the address and the OS error when the bind fails. */
  listen<T>(target: ListenTarget, handlers: SockHandlers<T>, options?: ListenOptions): Listener
  /** Starts a connection; its outcome arrives on `handlers.open` or `handlers.connectError`. */
  connect<T>(target: ConnectTarget, data: T, handlers: SockHandlers<T>): void
  /** The argv that runs this same edgelb again, before its own arguments. */
  selfCommand(): string[]
  /** See net/runtime.ts. */
  execWithRuntimeSettings(argv: readonly string[]): string | undefined
  /** Installs a signal handler; returns a function that removes it. */
  onSignal(name: SignalName, fn: () => void): () => void
  /** Makes a TLS context. Throws an Error with the TLS library's reason when the settings are
   *  unusable, or when the runtime has no TLS. */
  tlsContext(spec: TlsContextSpec): TlsContext
  /** What TLS negotiated on a socket of a TLS listener or connection (null: not TLS). */
  tlsFacts(s: Sock<unknown>): TlsFacts | null
  /**
   * Reads what a clear-text socket received, at most `into.length` bytes, into `into`, straight
   * from its descriptor: the slow path of a relay, where the runtime's own reader would read
   * far more at once than the slow side will take for a long time. Only while `s` is paused
   * (the runtime's reader must not run meanwhile), never on a TLS socket. Returns the bytes read;
   * 0 at the peer's FIN (resume: the runtime reads it again and reports `end`); -1 when nothing
   * is there now, on an error (resume: the runtime reports it), or while the path is not ready.
   * Absent when the runtime has none (Deno).
   */
  readInto?(s: Sock<unknown>, into: Uint8Array): number
  /**
   * Sets a socket's kernel receive and send buffers (SO_RCVBUF, SO_SNDBUF; 0 leaves one as it
   * is). Small receive buffers bound what one read brings (`tune.rcvbuf.*`). False while the
   * runtime is getting ready to (the first call starts it; with `s` null, that is all it does),
   * or where it cannot.
   */
  setBuffers?(s: Sock<unknown> | null, rcv: number, snd: number): boolean
  /** Opens a kernel pipe for `splice`; null while the runtime is getting ready to (the first
   *  call starts it), or where it cannot. */
  openPipe?(): Pipe | null
  closePipe?(p: Pipe): void
  /**
   * Moves up to `max` bytes from `from` to `to` through `p` without copying them into the
   * process (splice(2); clear-text sockets, `from` paused as for `readInto`). Returns the bytes
   * taken from `from`: 0 at its FIN, -1 when nothing is there now or on an error (resume `from`:
   * the runtime reports what comes next). Bytes `to` did not take are read out of the pipe into
   * `p.rest` for the caller to write (its write then waits for `drain`, as any other).
   */
  splice?(from: Sock<unknown>, to: Sock<unknown>, p: Pipe, max: number): number
  /** A full collection of the runtime's heap, now (absent: the runtime offers none). */
  collectGarbage?(): void
  /** Opens a datagram socket to NOTIFY_SOCKET; absent when the runtime cannot (Deno). */
  openNotifySocket?(path: string): Promise<NotifySocket>
  /** Opens a datagram socket that sends to a unix socket path; absent when the runtime cannot (Deno). */
  openUnixDgram?(path: string): Promise<UnixDgramSocket>
  /**
   * Starts TLS, as the server, on `s`, a socket accepted by a `startsTls` listener, once what
   * came before the handshake (a PROXY header) was read. Returns the TLS socket, a new object
   * that reports to `handlers` as a TLS listener's sockets do: `open` once the handshake
   * succeeded and the client's certificate passed `verify`, else `handshakeError` (the socket
   * closed, nothing else comes for it), which may come before this returns (bytes in `initial`
   * that are not TLS). `s` is not used again. Throws when the runtime has no TLS.
   */
  startTls<T>(s: Sock<unknown>, handlers: SockHandlers<T>, o: StartTls<T>): Sock<T>
}
