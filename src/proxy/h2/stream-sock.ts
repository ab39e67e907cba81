/**
 * One HTTP/2 stream of a client connection as the client socket of an HttpSession of its own: the
 * stream's request is written into the session as the HTTP/1.1 request it means (messages.ts),
 * its DATA as the body (chunked when the request has no Content-Length, trailers included); what
 * the session writes back (its HTTP/1.1 response, or edgelb's own answer) is read again
 * (h1-reader.ts) and sent as HEADERS, DATA and trailers. So every phase, rule, fetch, log line,
 * cookie and balancing decision works on an HTTP/2 request unchanged, and the server side is the
 * same HTTP/1.1 one (or HTTP/2, through its own translation).
 *
 * The session sees a client that sends one request and then nothing more (`cliEof`): once its
 * response is complete it ends, and the stream with it. Backpressure: a write when the stream has
 * more than its share queued is refused (0 bytes), the session waits for `drain`, which comes once
 * the stream's window and the socket let its queue go down. A session that pauses its client
 * stops the stream's WINDOW_UPDATEs, so the client stops sending.
 */
import { randomBytes } from 'node:crypto'
import { H2Connection } from '../../http2/connection.ts'
import { CONNECT_ERROR, INTERNAL_ERROR, NO_ERROR, PROTOCOL_ERROR } from '../../http2/frames.ts'
import { H1Reader, type AfterHead, type H1ReaderEvents } from '../../http2/h1-reader.ts'
import { chunkedEnd, readRequest, requestHead, responseFields, trailerFields, type H2Request } from '../../http2/messages.ts'
import { H2Stream, type H2StreamEvents } from '../../http2/stream.ts'
import type { H1Head } from '../../http/types.ts'
import type { Sock } from '../../net/runtime.ts'
import type { HttpSession } from '../http-session.ts'
import type { H2Front } from './front.ts'

/** A stream the client opened: checked, then served by a session of its own. */
export function openStream(front: H2Front, s: H2Stream, fields: string[], endStream: boolean): void {
  const conn = front.conn
  const r = readRequest(fields, conn.local.enableConnectProtocol)
  if (typeof r === 'string') {
    conn.counters.strmProtoErr++
    conn.reset(s, PROTOCOL_ERROR)
    return
  }
  if (r.method === 'CONNECT' && r.protocol === undefined) { conn.reset(s, CONNECT_ERROR); return }
  const sock = new StreamSock(front, s, r)
  const parent = front.sess
  const sess = front.newSession(parent, sock)
  sock.data = sess
  sess.proxied = parent.proxied
  // Not the connection's first request after its first stream (`http_first_req`, and `http-reuse
  // safe`, which lets later requests of a connection take an idle server connection).
  sess.requests = front.streams++
  sess.soName = parent.soName
  // One request, then the client has nothing more to say: the session ends with its response.
  sess.cliEof = true
  sess.h2Stream = true
  s.events = sock
  sess.start(parent.fe.backend)
  // After start: a session whose TLS negotiated h2 would start HTTP/2 itself.
  sess.cliTls = parent.cliTls
  const { head, chunked } = requestHead(r, endStream, wsKey)
  sock.chunked = chunked
  sess.onCliData(Buffer.from(head, 'latin1'))
}

function wsKey(): string {
  return randomBytes(16).toString('base64')
}

export class StreamSock implements Sock<HttpSession>, H2StreamEvents, H1ReaderEvents {
  data!: HttpSession
  readonly remoteAddress: string
  readonly remotePort: number
  readonly localAddress: string | undefined
  readonly localPort: number | undefined
  /** The request body is sent chunked (it had no Content-Length). */
  chunked = false
  readonly #conn: H2Connection
  readonly #s: H2Stream
  readonly #req: H2Request
  readonly #reader: H1Reader
  /** Request body bytes still announced by Content-Length (-1: none announced). */
  #reqRemain: number
  /** The response became a tunnel (extended CONNECT, WebSocket). */
  #tunnel = false
  /** A write was refused: `drain` is owed to the session once the stream can take more. */
  #blocked = false
  #gone = false

  constructor(front: H2Front, s: H2Stream, r: H2Request) {
    const parent = front.sess
    this.#conn = front.conn
    this.#s = s
    this.#req = r
    this.#reqRemain = r.contentLength
    this.remoteAddress = parent.cliAddr
    this.remotePort = parent.cliPort
    this.localAddress = parent.cli.localAddress
    this.localPort = parent.cli.localPort
    this.#reader = new H1Reader('response', this)
  }

  // --- the request, from the client -------------------------------------------------------------

  onData(chunk: Uint8Array, endStream: boolean): void {
    const sess = this.data
    if (sess.cs === 'closed') return
    if (this.#reqRemain >= 0 && !this.#tunnel) {
      // Content-Length must match the DATA (RFC 9113 §8.1.1).
      this.#reqRemain -= chunk.length
      if (this.#reqRemain < 0 || (endStream && this.#reqRemain > 0)) { this.#malformed(); return }
    }
    if (this.chunked) {
      const parts: Uint8Array[] = []
      if (chunk.length > 0) parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'), chunk, CRLF)
      if (endStream) parts.push(Buffer.from(chunkedEnd(null), 'latin1'))
      if (parts.length > 0) sess.onCliData(parts.length === 1 ? parts[0] as Buffer : Buffer.concat(parts))
    } else if (chunk.length > 0) sess.onCliData(chunk as Buffer)
    if (endStream && this.#tunnel && (sess.cs as string) !== 'closed') sess.onCliEnd()
  }

  onHeaders(fields: string[], endStream: boolean): void {
    const sess = this.data
    if (sess.cs === 'closed') return
    // Trailers: kept when the body is chunked, where HTTP/1.1 has a place for them.
    if (!endStream) { this.#malformed(); return }
    if (this.#reqRemain > 0) { this.#malformed(); return }
    if (this.chunked) sess.onCliData(Buffer.from(chunkedEnd(fields), 'latin1'))
  }

  onReset(_code: number): void {
    this.#gone = true
    const sess = this.data
    if (sess.cs !== 'closed') sess.onCliClose(RESET)
  }

  onWritable(): void {
    if (!this.#blocked) return
    this.#blocked = false
    this.data.onCliDrain()
  }

  #malformed(): void {
    this.#conn.counters.strmProtoErr++
    this.#conn.reset(this.#s, PROTOCOL_ERROR)
    this.onReset(PROTOCOL_ERROR)
  }

  // --- the response, from the session -----------------------------------------------------------

  write(chunk: Uint8Array): number {
    if (this.#gone || this.#s.reset) return -1
    if (this.#s.outSize >= H2Stream.HIGH_WATER) { this.#blocked = true; return 0 }
    // A head and the body that came with it go out in one write.
    this.#conn.deferFlush()
    this.#reader.feed(chunk)
    return chunk.length
  }

  onHead(head: H1Head): AfterHead {
    const st = head.status
    if (st === 101) {
      if (this.#req.protocol === undefined) { this.onError('101 without extended CONNECT'); return 'none' }
      // The WebSocket handshake succeeded: HTTP/2 says 200 (RFC 8441 §5).
      this.#tunnel = true
      this.#reqRemain = -1
      this.#conn.sendHeaders(this.#s, responseFields(head, 200).filter(notHandshake), false)
      return 'tunnel'
    }
    if (st < 200) {
      this.#conn.sendHeaders(this.#s, responseFields(head), false)
      return 'next'
    }
    const fields = responseFields(head)
    const bodyless = this.#req.method === 'HEAD' || st === 204 || st === 304 || head.framing === 'none' ||
      (head.framing === 'length' && head.contentLength === 0)
    this.#conn.sendHeaders(this.#s, fields, bodyless)
    return bodyless ? 'none' : 'body'
  }

  onBody(chunk: Uint8Array): void {
    this.#conn.sendData(this.#s, chunk, false)
  }

  onEnd(trailers: string[] | null): void {
    if (this.#s.sentEnded || this.#s.outEnd) return
    this.#conn.sendData(this.#s, null, true, trailers === null ? undefined : trailerFields(trailers))
  }

  onError(_reason: string): void {
    this.#conn.reset(this.#s, INTERNAL_ERROR)
    this.#gone = true
  }

  shutdown(): void {}

  /** The session ended normally: a response read up to the end (`eof`, a tunnel) ends here. */
  end(): void {
    if (this.#gone) return
    this.#gone = true
    this.#reader.close()
    const s = this.#s
    if (!s.outEnd && !s.sentEnded && !s.reset) this.#conn.reset(s, INTERNAL_ERROR)
    // Answered before the request ended: the client may stop sending it (RFC 9113 §8.1).
    else if (s.sentEnded && !s.recvEnded && !s.reset) this.#conn.reset(s, NO_ERROR)
  }

  /** The session ended in error: the stream is reset. */
  terminate(): void {
    if (this.#gone) return
    this.#gone = true
    const s = this.#s
    if (!s.sentEnded && !s.reset) this.#conn.reset(s, INTERNAL_ERROR)
  }

  pause(): void {
    this.#conn.setPaused(this.#s, true)
  }

  resume(): void {
    this.#conn.setPaused(this.#s, false)
  }
}

const CRLF = Buffer.from('\r\n', 'latin1')
const RESET = new Error('stream reset by the client')

function notHandshake(_v: string, i: number, a: string[]): boolean {
  const name = (i & 1) === 0 ? a[i] : a[i - 1]
  return name !== 'sec-websocket-accept'
}
