/**
 * The PROXY protocol header a client connection begins with (`bind … accept-proxy`, `tcp-request
 * connection expect-proxy layer4`), read before its session starts. Meanwhile the socket's `data`
 * is a `ProxyHeaderWait`, not the session: the sessions' own handlers never see the header, and a
 * bind without accept-proxy pays nothing for it.
 *
 *   accepted, given a slot --bytes--> (incomplete: gather, up to 107 bytes for v1, tune.bufsize for v2)
 *     |--header complete--> the session takes its addresses and starts (frontend.headerRead);
 *     |                     the bytes after it are its first data
 *     |--header complete, `ssl` on the bind--> TLS starts (net startTls) with the bytes after it
 *     |      (at once, without a header, for a client `expect-proxy` rules ask none of);
 *     |      |--handshake done--> the session starts on the TLS socket
 *     |      `--handshake failed, or the same deadline ran out--> closed, logged as a TLS
 *     |         listener logs it (tls-session.ts), with the header's address
 *     `--not a header, an invalid one, FIN, reset, timeout client--> closed, and logged as HAProxy
 *        logs a connection that died in its handshake (session_kill_embryonic):
 *        "192.0.2.1:50000 [07/Dec/2026:23:00:00.123] fe/1: Received an invalid PROXY protocol header"
 *
 * Header and TLS handshake are one handshake phase: `timeout client` from the slot bounds both,
 * and the connection holds its maxconn slot through both, as in HAProxy.
 */
import { now } from '../core/clock.ts'
import { Timer } from '../core/timer-wheel.ts'
import { wheel } from '../core/wheel.ts'
import { formatLogDate } from '../log/date.ts'
import { parseProxyHeader, PP_ERROR_TEXT, type PpError } from '../net/proxy-protocol.ts'
import { startTls, type Sock, type TlsListen } from '../net/runtime.ts'
import { tlsAfterHeaderHandlers } from './cli-handlers.ts'
import type { ClientSession, Frontend, ListenerInfo } from './frontend.ts'
import { handshakeFailedAfterHeader } from './tls-session.ts'

export class ProxyHeaderWait {
  readonly #fe: Frontend
  readonly #sess: ClientSession
  readonly #lst: ListenerInfo
  /** The client's socket: the clear one, then the TLS one once TLS started after the header. */
  #sock: Sock<unknown>
  /** The bytes received so far, while they do not make a whole header. */
  #buf: Uint8Array | null = null
  readonly #timer: Timer | null
  /** When the handshake phase ends (monotonic ms; Infinity: no `timeout client`). */
  readonly #deadline: number
  /** The listener's port, for the log line of a failed TLS handshake. */
  readonly #localPort: number
  #done = false
  #inTls = false

  constructor(fe: Frontend, sess: ClientSession, lst: ListenerInfo) {
    this.#fe = fe
    this.#sess = sess
    this.#lst = lst
    this.#sock = sess.cli
    // The socket's own addresses: the log line of a failure shows them, and fc_src/fc_dst after.
    void sess.cliAddr
    const t = fe.cfg.timeouts.client
    this.#deadline = t === undefined ? Infinity : now() + t
    this.#timer = t === undefined ? null : new Timer(() => this.#fail('timeout'))
    if (this.#timer !== null) wheel.schedule(this.#timer, this.#deadline)
    this.#localPort = lst.startsTls === null ? 0 : (this.#sock.localPort ?? 0)
    fe.handshakes.add(this)
    sess.resumeCli() // paused while it waited for a slot
    // An `ssl` bind where this client was asked no header (`expect-proxy` for others): TLS now.
    if (!lst.acceptProxy && !sess.ppExpected && lst.startsTls !== null) {
      sess.ppListener = null
      this.#startTls(lst.startsTls, null)
    }
  }

  /** What it waits for: its PROXY header, or the end of the TLS handshake that follows it. */
  get phase(): 'header' | 'tls' {
    return this.#inTls ? 'tls' : 'header'
  }

  onCliData(chunk: Buffer): void {
    if (this.#done) return
    const buf = this.#buf === null ? chunk : Buffer.concat([this.#buf, chunk])
    const r = parseProxyHeader(buf, this.#fe.host.tune.bufsize)
    if (r.kind === 'need-more') { this.#buf = buf; return }
    if (r.kind === 'error') { this.#buf = buf; this.#fail(r.error); return }
    const sess = this.#sess
    sess.ppListener = null
    sess.useProxyHeader(r.header)
    const rest = r.consumed < buf.length ? buf.subarray(r.consumed) : null
    const tls = this.#lst.startsTls
    if (tls !== null) { this.#startTls(tls, rest); return }
    this.#finish()
    if (rest !== null) sess.earlyData = rest
    this.#fe.headerRead(sess)
  }

  /** TLS starts with what came after the header; its handshake ends in tlsOpened or tlsFailed
   *  (which may come before startTls returns), by the deadline the header had. */
  #startTls(tls: TlsListen, rest: Uint8Array | null): void {
    if (this.#timer !== null) wheel.cancel(this.#timer)
    this.#buf = null
    this.#inTls = true
    this.#sock = startTls(this.#sock, tlsAfterHeaderHandlers, { data: this as unknown as ClientSession, tls, initial: rest, deadline: this.#deadline })
  }

  /** The handshake after the header succeeded: the session starts on the TLS socket. */
  tlsOpened(s: Sock<ClientSession>): void {
    if (this.#done) { s.terminate(); return }
    this.#finish()
    this.#sock = s
    this.#sess.tlsStarted(s)
    this.#fe.headerRead(this.#sess)
  }

  /** The handshake after the header failed: closed (by the runtime) and logged as on a TLS
   *  listener, with the header's address. */
  tlsFailed(e: Error): void {
    if (this.#done) return
    this.#finish()
    this.#sess.endView()
    this.#fe.handshakeEnded()
    handshakeFailedAfterHeader(this.#fe, this.#sess, e, this.#localPort)
  }

  onCliDrain(): void {}

  onCliEnd(): void {
    this.#fail(this.#buf === null ? 'empty' : 'truncated')
  }

  onCliClose(error: Error | undefined): void {
    this.#fail(error !== undefined ? 'abort' : this.#buf === null ? 'empty' : 'truncated')
  }

  /** Hard stop: closed without a log line. */
  kill(): void {
    if (this.#done) return
    this.#finish()
    this.#sock.terminate()
    this.#sess.endView()
    this.#fe.handshakeEnded()
  }

  #finish(): void {
    this.#done = true
    if (this.#timer !== null) wheel.cancel(this.#timer)
    this.#fe.handshakes.delete(this)
  }

  #fail(error: PpError): void {
    if (this.#done) return
    this.#finish()
    this.#sock.terminate()
    this.#sess.endView()
    this.#fe.handshakeEnded()
    logHandshakeFailure(this.#fe, this.#sess, this.#lst, error, this.#buf !== null)
  }
}

/**
 * The line of a connection that died before its session began. Only a frontend that logs its
 * traffic writes it; with `option dontlognull`, not for a connection that sent nothing (closed,
 * reset, or silent until the timeout). At `err` under `option log-separate-errors`, else `info`.
 */
function logHandshakeFailure(fe: Frontend, sess: ClientSession, lst: ListenerInfo, error: PpError, sentSomething: boolean): void {
  const log = fe.trafficLog
  if (log === null) return
  if (fe.cfg.options['dontlognull'] && (error === 'empty' || error === 'abort' || (error === 'timeout' && !sentSomething))) return
  const level = log.trafficLevel(true, undefined)
  if (level < 0) return
  const addr = sess.cliAddr
  const who = addr === '' ? `unix:${lst.id}` : `${addr}:${sess.cliPort}`
  log.send(level, `${who} [${formatLogDate(sess.acceptDate)}] ${fe.name}/${lst.name}: ${PP_ERROR_TEXT[error]}`)
}
