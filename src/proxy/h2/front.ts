/**
 * A client connection that speaks HTTP/2 (`H2Front`): negotiated by ALPN on a TLS bind, or begun
 * with the connection preface on a clear one (prior knowledge, h2c). The HttpSession that
 * accepted the connection keeps its socket and its slot in the frontend and hands every socket
 * event here; each stream becomes a request of its own (stream-sock.ts), served by an HttpSession
 * of its own through the same phases, servers and logs as an HTTP/1.1 request.
 *
 *   preface/ALPN --> open --soft stop, reload, idle timeout, stream budget--> GOAWAY, draining
 *     --last stream ends--> closed      any protocol error or flood: GOAWAY(code) --> closed
 */
import { now } from '../../core/clock.ts'
import { Timer } from '../../core/timer-wheel.ts'
import { wheel } from '../../core/wheel.ts'
import { H2Connection, type H2ConnEvents } from '../../http2/connection.ts'
import { prefaceMatch } from '../../http2/frames.ts'
import type { H2Stream } from '../../http2/stream.ts'
import type { Sock } from '../../net/runtime.ts'
import type { HttpSession } from '../http-session.ts'
import { keepAliveTimeout } from '../http/timeouts.ts'
import { h2Limits } from './limits.ts'
import { openStream } from './stream-sock.ts'

/** Called with the first bytes of a clear connection (the session's `cliIn`, before its first
 *  request is parsed): true when they are, or may yet be, the HTTP/2 preface, which then starts
 *  HTTP/2 on the connection once it is whole. */
export function h2Preface(sess: HttpSession, newSession: NewSession): boolean {
  const buf = sess.cliIn
  if (buf === null || buf.length === 0) return false
  const m = prefaceMatch(buf)
  if (m === 'no') return false
  if (m === 'partial') return true
  sess.cliIn = null
  startH2(sess, buf, newSession)
  return true
}

/** Makes the session of a stream (the HttpSession class, passed down: it imports this module). */
export type NewSession = (sess: HttpSession, sock: Sock<HttpSession>) => HttpSession

/** HTTP/2 on `sess`'s connection from now on; `first`: bytes already read. */
export function startH2(sess: HttpSession, first: Uint8Array | null, newSession: NewSession): void {
  // The HTTP/1 session's own states and deadlines stand still: it is the connection's holder.
  sess.cs = 'tunnel'
  sess.cliExp = Infinity
  sess.resched()
  const f = new H2Front(sess, newSession)
  sess.h2 = f
  f.conn.start()
  f.armIdle()
  if (first !== null) f.onCliData(first)
}

export class H2Front implements H2ConnEvents {
  readonly sess: HttpSession
  readonly conn: H2Connection
  readonly newSession: NewSession
  /** Streams opened on the connection so far. */
  streams = 0
  readonly #timer: Timer
  /** The connection ended: the socket closes once what is queued went out (or at this time). */
  #closeAt = Infinity
  #ended = false

  constructor(sess: HttpSession, newSession: NewSession) {
    this.sess = sess
    this.newSession = newSession
    this.#timer = new Timer(() => this.#onTimer())
    const cli = sess.cli
    this.conn = new H2Connection({
      role: 'server',
      limits: h2Limits(sess.fe.host.tune, 'fe'),
      write: (chunk) => cli.write(chunk),
      events: this,
      counters: sess.fe.counters.h2,
    })
  }

  onCliData(chunk: Uint8Array): void {
    this.conn.feed(chunk)
    if (this.conn.active > 0) this.#idleOff()
  }

  onCliDrain(): void {
    this.conn.drained()
    if (this.#ended && this.conn.flushed) this.#finish()
  }

  /** The client closed its side: nothing more can come; what is in progress is dropped. */
  onCliEnd(): void {
    this.conn.abort('client closed')
    this.#finish()
  }

  onCliClose(error: Error | undefined): void {
    this.conn.abort(error ? 'connection reset' : 'client closed')
    if (!this.#ended) this.#ended = true
    this.sess.finish(error ? 'C' : '-', error ? 'R' : '-')
  }

  /** Soft stop, reload: GOAWAY; streams in progress finish. */
  shutdown(): void {
    this.conn.shutdown()
  }

  // --- the connection's events --------------------------------------------------------------------

  onStream(s: H2Stream, fields: string[], endStream: boolean): void {
    this.#idleOff()
    openStream(this, s, fields, endStream)
  }

  onIdle(): void {
    if (this.sess.fe.stopped) { this.conn.shutdown(); return }
    if (this.conn.active === 0) this.armIdle()
  }

  onClose(_code: number, _reason: string): void {
    this.#ended = true
    if (this.conn.flushed) { this.#finish(); return }
    // A client that does not read its GOAWAY gets `timeout client` to do so.
    const t = this.sess.fe.cfg.timeouts.client
    this.#closeAt = now() + (t ?? 5000)
    wheel.schedule(this.#timer, this.#closeAt)
  }

  // --- deadlines ------------------------------------------------------------------------------

  /** No stream: the connection may stay idle for `timeout http-keep-alive` (as between HTTP/1.1
   *  requests), then it is asked to go away. */
  armIdle(): void {
    const t = keepAliveTimeout(this.sess.fe.cfg.timeouts)
    wheel.schedule(this.#timer, t === undefined ? Infinity : now() + t)
  }

  #idleOff(): void {
    if (this.#closeAt === Infinity && this.#timer.exp !== Infinity) wheel.cancel(this.#timer)
  }

  #onTimer(): void {
    if (this.#closeAt <= now()) { this.sess.finish('c', 'D'); return }
    if (this.conn.active === 0) this.conn.shutdown()
  }

  /** The socket closes gracefully, after what is queued (the GOAWAY, whatever its code). */
  #finish(): void {
    wheel.cancel(this.#timer)
    if (this.sess.cs === 'closed') return
    this.sess.finish('-', '-')
  }
}
