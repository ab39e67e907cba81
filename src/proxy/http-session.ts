/**
 * A `mode http` session: one client connection carrying requests one after the other (keep-alive,
 * pipelining), each analysed and balanced on its own (a *stream*, in HAProxy's words), each sent
 * over a server connection that may be reused by the next request.
 *
 * The session owns the sockets, the buffers and the deadlines, and drives the rest: the messages
 * (http/request-message.ts, http/response-message.ts: heads and body framing), the phases that
 * decide (http/phases.ts lists them in order), the server side (server-side.ts), the reuse of
 * server connections (http/connect.ts) and the log line (traffic-log.ts).
 *
 * Client side, per request:
 *
 *   wait-req --head parsed--> req-body --body ended--> req-done --response ended--> wait-req
 *      |  \--bad head: 400/414/422/431       \--------- (bodyless requests skip req-body)
 *      |   \--timeout http-request: 408           Upgrade + 101 --> tunnel (bytes both ways)
 *      `--keep-alive idle timeout or FIN: session ends        close wanted --> closing --> end
 *
 * Server side, per request:
 *
 *   none --assign--> [queued] --> connecting (or an idle connection taken) --open--> res-head
 *     --final head--> res-body --body ended--> res-done (connection parked for reuse, or closed)
 *   1xx heads are forwarded and the next head is awaited; a bad head becomes 502; `timeout
 *   server` before the head becomes 504; no server (or a queue timeout) becomes 503.
 *
 * Bytes move as in `mode tcp`: the head is forwarded as parsed (a subarray when nothing was
 * edited), body bytes as received (subarrays split at message boundaries, never copied), with
 * the reading side paused while the writing side is full. One Timer carries the session's
 * earliest deadline. A request that fails never takes the connection's other requests with it
 * unless the framing is lost (then the client connection closes after the answer).
 */
import type { HashKey } from '../balance/types.ts'
import type { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import { ByteQueue, CLOSED, FLUSHED } from '../core/byte-queue.ts'
import { now } from '../core/clock.ts'
import { Timer } from '../core/timer-wheel.ts'
import { wheel } from '../core/wheel.ts'
import type { ChunkedScanner, H1Parser } from '../http/types.ts'
import { canReadInto, closePipe, openPipe, readInto, splice, type Pipe, type Sock } from '../net/runtime.ts'
import { countBytes, countHttpResponse, streamEnd } from '../rules/tracking.ts'
import type { HttpReply } from '../rules/types.ts'
import { ClientSide } from './client-side.ts'
import type { Frontend } from './frontend.ts'
import { connectRequest, keepIdle, releaseIdle } from './http/connect.ts'
import { appendInput, beginRequestClock, parseRequest, requestBody } from './http/request-message.ts'
import { parseResponse, releaseResponseParser, responseBody, responseEnded } from './http/response-message.ts'
import { afterOwnResponse } from './http/response-rules.ts'
import { keepForRetry, keepsForRetry, retryRequest } from './http/l7-retry.ts'
import { recycleStream, takeStream, type Stream } from './http/stream.ts'
import { clientTimeout, keepAliveTimeout, lingerTimeout, requestTimeout, serverTimeout, tarpitTimeout, termPhase, type CliState, type SrvState } from './http/timeouts.ts'
import { encodeReply } from './rules-view.ts'
import { connectFailed, connectTimedOut, grantServer, leaveBackend, leaveQueue, queueTimedOut, type ServerSession } from './server-side.ts'
import type { SrvConn } from './srv-conn.ts'
import type { TermCause, TermPhase, Termination } from './termination.ts'
import { nextTurn, PULLS_MAX, type Puller } from './pull.ts'
import { logRequest } from './traffic-log.ts'
import { uniqueIdOf } from './unique-id.ts'
import { countExchange } from './counters.ts'
import { h2Preface, startH2, type H2Front } from './h2/front.ts'

/** Body bytes a client may send ahead of its server connection before it is paused. */
const EARLY_DATA_LIMIT = 64 * 1024
/** Bytes one splice moves at most (a pipe's default capacity). */
const SPLICE_MAX = 65536

// Members without `#` are also the session's interface to its own modules in http/ (the message
// readers and the phases): its states, its input buffers and parsers, its writers and deadlines.

export class HttpSession extends ClientSide implements ServerSession, Puller {
  /** Reading from the server connection is paused (by us). */
  #srvPaused = false
  cs: CliState = 'wait-req'
  ss: SrvState = 'none'
  /** Client bytes not yet processed: a head being received, or pipelined requests. */
  cliIn: Uint8Array | null = null
  /** Server bytes of a response head being received. */
  srvIn: Uint8Array | null = null
  /** Parsers, held only while a head is being read (lent by the frontend). */
  reqParser: H1Parser | null = null
  resParser: H1Parser | null = null
  /** Made on the first chunked message. */
  reqChunks: ChunkedScanner | null = null
  resChunks: ChunkedScanner | null = null
  /** The current exchange (see `st`); null between requests and before the first. */
  #st: Stream | null = null
  /** Requests completed on this connection. */
  requests = 0
  /** The server connection of the current exchange, and one kept idle for the next request. */
  srv: SrvConn | null = null
  srvIdle: SrvConn | null = null
  readonly toCli = new ByteQueue()
  readonly toSrv = new ByteQueue()
  cliEof = false
  /** Client bytes already counted for tracked entries. */
  #bytesInMark = 0
  /** Client bytes already counted on a backend (see #releaseServer). */
  #beBytesInMark = 0
  /** A tarpitted request's answer, sent when `tarpitExp` comes. */
  #tarpit: { status: number; page: Uint8Array | undefined } | null = null
  tarpitExp = Infinity
  /** The pull path's buffers (a `tune.bufsize` each), made on first use, and whether a pull
   *  loop runs (its reads start no other). */
  #srvBuf: Buffer | null = null
  #cliBuf: Buffer | null = null
  #pullingSrv = false
  #pullingCli = false
  /** A pull loop used up its turn and waits for the next (`nextTurn`). */
  #srvTurn = false
  #cliTurn = false
  /** The kernel pipe of `option splice-response`, opened on first use. */
  #srvPipe: Pipe | null = null
  /** A side that did not take a write whole: from then on a tunnel's other side is read a
   *  buffer at a time (the pull path); before, the runtime's own reads, which cost less CPU
   *  (bench/suite.ts, tcp keep-alive). Bodies are always pulled (a body's size is known, and
   *  a large one to a slow client must not wait in memory). */
  #cliSlow = false
  #srvSlow = false
  /** After edgelb's own closing answer: the FIN is sent, client bytes are read and dropped until
   *  the client closes or `lingerTimeout` runs out; the end is then a close, not a reset. */
  #lingering = false
  /** Edgelb's own closing answer was sent: the close after it is graceful (FIN), not a reset. */
  #answered = false

  cliExp = Infinity
  srvExp = Infinity
  connExp = Infinity
  queueExp = Infinity
  readonly #timer: Timer
  bytesIn = 0
  bytesOut = 0
  termination: Termination | null = null
  /** The connection speaks HTTP/2 (h2/front.ts): its socket's events go there, and each stream
   *  is a session of its own. */
  h2: H2Front | null = null
  /** The bind's `proto`: h2 from the first byte (prior knowledge only), h1 (no HTTP/2 preface
   *  recognized); undefined: HTTP/2 by ALPN or by its preface, else HTTP/1.1. */
  cliProto: 'h1' | 'h2' | undefined = undefined
  /** The session is one stream of an HTTP/2 connection (h2/stream-sock.ts): its request says
   *  HTTP/2.0 from the moment it is parsed, to the rules as to the log. */
  h2Stream = false

  constructor(fe: Frontend, cli: Sock<HttpSession>) {
    super(fe, cli)
    this.#timer = new Timer(() => this.#onTimer())
  }

  /** The current exchange, made when first needed: an idle connection holds none (about 450
   *  bytes each). The first request's clock runs from the accept, a later one's from its first
   *  byte. */
  get st(): Stream {
    return this.#st ?? this.#newStream()
  }

  #newStream(): Stream {
    const s = takeStream()
    if (this.requests === 0) {
      s.start = this.acceptTime
      s.date = this.acceptDate
    } else s.start = -1
    return (this.#st = s)
  }

  override uniqueId(): string {
    const st = this.st
    if (st.sess === undefined) st.sess = this.view
    return uniqueIdOf(this.fe, st)
  }

  get phase(): string {
    return this.cs === 'closed' ? 'closed' : this.ss
  }

  #pauseSrv(): void {
    if (this.#srvPaused || !this.srv?.sock) return
    this.#srvPaused = true
    this.srv.sock.pause()
  }

  #resumeSrv(): void {
    if (!this.#srvPaused) return
    this.#srvPaused = false
    this.srv?.sock?.resume()
  }

  /** Starts the session (the frontend's backend is the default for its requests). */
  start(_be: Backend | null): void {
    this.resumeCli()
    const t = requestTimeout(this.fe.cfg.timeouts)
    this.cliExp = t === undefined ? Infinity : this.acceptTime + t
    this.resched()
    if (this.cliTls?.alpn === 'h2' || (this.cliProto === 'h2' && this.cliTls === null)) startH2(this, null, streamSession)
  }

  // --- client input: waiting for the request, its body ------------------------------------------

  onCliData(chunk: Buffer): void {
    this.#cliChunk(chunk)
    if (!this.#pullingCli && this.toSrv.size === 0 && this.#cliPullable()) { this.pauseCli(); this.#pullCli() }
  }

  #cliChunk(chunk: Buffer): void {
    this.bytesIn += chunk.length
    if (this.h2 !== null) { this.h2.onCliData(chunk); return }
    switch (this.cs) {
      case 'req-body':
        requestBody(this, chunk)
        return
      case 'tunnel':
        this.toServer(chunk)
        this.refreshCli()
        return
      case 'wait-req':
        if (this.cliIn === null && this.requests > 0 && this.st.start < 0) {
          // First byte of a keep-alive request: from now on `timeout http-request` runs.
          beginRequestClock(this)
        }
        appendInput(this, chunk)
        // The HTTP/2 preface (prior knowledge), on a clear connection's first bytes.
        if (this.requests === 0 && this.cliTls === null && this.cliProto !== 'h1' && h2Preface(this, streamSession)) return
        parseRequest(this)
        return
      case 'req-done':
      case 'closing':
        // Pipelined: kept until the current exchange ends; read no further than one buffer.
        if (this.st.cliClose) return
        appendInput(this, chunk)
        if (this.cliIn!.length > this.fe.http!.bufsize) this.pauseCli()
        return
      case 'closed':
        return
    }
  }

  /** Bytes of this exchange, for the entries rules track (bytes_in/bytes_out counters and rates). */
  #countBytes(): void {
    const st = this.st
    if (st.sess === undefined || st.bytesCounted) return
    st.bytesCounted = true
    countBytes(st, this.bytesIn - this.#bytesInMark, st.bytesOut)
    this.#bytesInMark = this.bytesIn
  }

  /** `tarpit`: hold the request without an answer for `timeout tarpit` (else `timeout connect`),
   *  then answer as deny would; the client's time is what is spent, not a server's. */
  startTarpit(status: number, reply: HttpReply | undefined): void {
    const t = tarpitTimeout(this)
    this.#tarpit = { status, page: reply ? encodeReply(reply) : undefined }
    this.tarpitExp = now() + t
    this.cs = 'req-done'
    this.resched()
  }

  // --- the server side (server-side.ts decides; these are the session's part) -----------------

  get inQueue(): boolean {
    return this.ss === 'queued'
  }

  /** The key the backend's algorithm hashes for this request (its compiled `LbKey`), if any. */
  balanceKey(be: Backend): HashKey | undefined {
    const k = be.balanceKey
    if (k === null) return undefined
    if (k.from === 'source') return k.get(this.cliAddr)
    const st = this.st
    if (k.readsSession && st.sess === undefined) st.sess = this.view
    return k.get(st)
  }

  srvQueued(): void {
    this.ss = 'queued'
    this.resched()
  }

  srvRefused(by: TermCause, phase: TermPhase): void {
    this.answer(503, by, phase, undefined, true)
  }

  /** Waiter: a queue granted a slot on `server`. */
  grant(server: Server): void {
    grantServer(this, this.st, server)
  }

  srvConnect(): void {
    connectRequest(this, this.st)
  }

  srvStream(): Stream {
    const st = this.st
    st.sess = this.view
    return st
  }

  // --- server input: waiting for the response, its body ----------------------------------------

  onSrvOpen(c: SrvConn): void {
    if (c !== this.srv) { c.close(); return }
    const st = this.st
    if (c.uses === 0) c.server?.reportResult('l4-ok')
    this.connExp = Infinity
    st.srvTls = c.tls
    st.connectEnd = st.sentAt = now()
    this.ss = 'res-head'
    this.#srvPaused = false
    this.srvIn = null
    releaseResponseParser(this)
    const head = st.req!.encode()
    if (this.toSrv.size > 0) this.toSrv.unshift(head)
    else this.toSrv.push(head)
    const pp = c.takeProxyHeader()
    if (pp !== null) this.toSrv.unshift(pp)
    this.#flushSrv()
    // A flush that emptied the queue has set the server timeout already.
    if (this.toSrv.size > 0) this.refreshSrv()
  }

  onSrvConnectFailed(c: SrvConn): void {
    if (c !== this.srv) return
    this.srv = null
    connectFailed(this, this.st, false)
  }

  onSrvData(c: SrvConn, chunk: Buffer): void {
    if (c !== this.srv) { c.abort(); return }
    this.#srvChunk(c, chunk)
    if (!this.#pullingSrv && this.srv === c && this.toCli.size === 0 && this.#srvPullable(c)) { this.#pauseSrv(); this.#pullSrv() }
  }

  #srvChunk(c: SrvConn, chunk: Buffer): void {
    this.bytesOut += chunk.length
    switch (this.ss) {
      case 'res-head': {
        const cur = this.srvIn
        this.srvIn = cur === null ? chunk : Buffer.concat([cur, chunk])
        parseResponse(this)
        return
      }
      case 'res-body':
        responseBody(this, chunk, 0, null)
        return
      case 'tunnel':
        this.toClient(chunk)
        this.refreshSrv()
        return
      default:
        // Bytes after a complete response, or before a request: the server is out of step.
        this.srv = null
        c.abort()
    }
  }

  onSrvDrain(c: SrvConn): void {
    if (c !== this.srv) return
    this.#flushSrv()
  }

  #flushSrv(): void {
    const sock = this.srv?.sock
    if (!sock || this.toSrv.size === 0) return
    const r = this.toSrv.flush(sock)
    if (r !== FLUSHED) return
    this.refreshSrv()
    if (this.cs !== 'req-body' && this.cs !== 'tunnel') return
    if (this.cliPaused && this.#cliPullable()) this.#pullCli()
    else this.resumeCli()
  }

  // --- the pull path (pull.ts): a body of known length (read no further than its end) or read
  // to the server's FIN, a tunnel; not a request body kept for a retry (its bytes stay as read)

  // (`st` is read only in a state that has an exchange: reading it makes one.)
  #cliPullable(): boolean {
    if (!canReadInto || this.cliTls !== null || this.cliEof) return false
    if (this.cs === 'tunnel') return this.#srvSlow
    if (this.cs !== 'req-body') return false
    const st = this.st
    return st.reqFraming === 'length' && st.reqRemain > 0 && st.reqXform === null && this.#srvWritable() && !keepsForRetry(st)
  }

  #srvWritable(): boolean {
    return this.srv?.sock != null && this.ss !== 'connecting' && this.ss !== 'queued' && this.ss !== 'none'
  }

  #srvPullable(c: SrvConn): boolean {
    if (!canReadInto || c.tls !== null || c.server?.cfg.ssl === true) return false
    if (this.ss === 'tunnel') return this.#cliSlow || this.#splicesResponse(c)
    if (this.ss !== 'res-body') return false
    const st = this.st
    // Not a body that compression or the cache takes: they keep the bytes they are given, and
    // the pull path reads into one buffer again and again.
    if (st.resXform !== null || st.resTap !== null) return false
    return st.resFraming === 'eof' || (st.resFraming === 'length' && st.resRemain > 0)
  }

  /** Its turn came again (see `nextTurn`): pull loops that used up theirs go on. */
  pullTurn(): void {
    if (this.cs === 'closed') return
    if (this.#srvTurn) {
      this.#srvTurn = false
      const c = this.srv
      if (this.#srvPaused && c !== null && c.sock !== null && this.toCli.size === 0 && this.#srvPullable(c)) this.#pullSrv()
      else if (this.toCli.size === 0) this.#resumeSrv()
    }
    if (this.#cliTurn) {
      this.#cliTurn = false
      if (this.cliPaused && this.toSrv.size === 0 && this.#cliPullable()) this.#pullCli()
      else if (this.toSrv.size === 0 && (this.cs === 'req-body' || this.cs === 'tunnel')) this.resumeCli()
    }
  }

  /** Reads client bytes while the server takes them (see above); the client is paused. */
  #pullCli(): void {
    const size = this.fe.http!.bufsize
    const buf = (this.#cliBuf ??= Buffer.allocUnsafe(size))
    this.#pullingCli = true
    try {
      for (let i = 0; i < PULLS_MAX; i++) {
        const max = this.cs === 'tunnel' ? size : Math.min(size, this.st.reqRemain)
        const n = readInto(this.cli, max === size ? buf : buf.subarray(0, max))
        if (n <= 0) break
        this.#cliChunk(n === size ? buf : buf.subarray(0, n))
        if (this.toSrv.size > 0 || !this.cliPaused) return
        if (!this.#cliPullable()) break
        if (i === PULLS_MAX - 1) { this.#cliTurn = true; nextTurn(this); return }
      }
    } finally {
      this.#pullingCli = false
    }
    if (this.cs === 'req-body' || this.cs === 'tunnel') this.resumeCli()
  }

  /** Reads server bytes while the client takes them (see above); the server is paused. */
  #pullSrv(): void {
    const c = this.srv!
    const sock = c.sock!
    const size = this.fe.http!.bufsize
    const buf = (this.#srvBuf ??= Buffer.allocUnsafe(size))
    const pipe = this.#splicesResponse(c) ? (this.#srvPipe ??= openPipe()) : null
    this.#pullingSrv = true
    try {
      for (let i = 0; i < PULLS_MAX; i++) {
        const length = this.ss === 'res-body' && this.st.resFraming === 'length'
        if (pipe !== null) {
          const n = splice(sock, this.cli, pipe, length ? Math.min(SPLICE_MAX, this.st.resRemain) : SPLICE_MAX)
          if (n <= 0) break
          this.#splicedResponse(pipe, n)
        } else {
          const max = length ? Math.min(size, this.st.resRemain) : size
          const n = readInto(sock, max === size ? buf : buf.subarray(0, max))
          if (n <= 0) break
          this.#srvChunk(c, n === size ? buf : buf.subarray(0, n))
        }
        if (this.srv !== c || this.toCli.size > 0 || this.cs === 'closed') return
        if (!this.#srvPullable(c)) break
        if (i === PULLS_MAX - 1) { this.#srvTurn = true; nextTurn(this); return }
      }
    } finally {
      this.#pullingSrv = false
    }
    this.#resumeSrv()
  }

  /** `option splice-response` (or `splice-auto`), on the frontend or the backend, with both
   *  connections in clear text and the body going to the client. */
  #splicesResponse(c: SrvConn): boolean {
    if (this.cliTls !== null || c.tls !== null || c.server?.cfg.ssl === true || this.st.dropBody) return false
    const fo = this.fe.cfg.options
    const bo = this.st.be?.cfg.options
    return fo['splice-response'] === true || fo['splice-auto'] === true || bo?.['splice-response'] === true || bo?.['splice-auto'] === true
  }

  /** `n` response bytes went through `pipe` to the client (what it did not take is written as
   *  other bytes): counted, and the body's end found, as `responseBody` does for bytes read. */
  #splicedResponse(pipe: Pipe, n: number): void {
    const st = this.st
    const rest = pipe.rest
    pipe.rest = null
    const sent = n - (rest === null ? 0 : rest.length)
    this.bytesOut += n
    st.bytesOut += sent
    st.resBytes += sent
    if (rest !== null) this.toClient(rest)
    if (this.ss === 'res-body' && st.resFraming === 'length') {
      st.resRemain -= n
      if (st.resRemain === 0) { responseEnded(this); return }
    }
    this.refreshSrv()
  }

  onSrvEnd(c: SrvConn): void {
    this.onSrvClose(c, undefined)
  }

  onSrvClose(c: SrvConn, error: Error | undefined): void {
    if (c === this.srvIdle) { this.srvIdle = null; return }
    if (c !== this.srv || this.cs === 'closed') return
    this.srv = null
    c.abort()
    const st = this.st
    switch (this.ss) {
      case 'connecting':
        connectFailed(this, st, false)
        return
      case 'res-head':
        if (this.srvIn === null && st.resBytes === 0 && c.uses > 0 && st.reqFraming === 'none') {
          // A reused connection the server had closed meanwhile: try again on a new one.
          this.srvConnect()
          return
        }
        st.server?.reportResult(error ? 'http-read-error' : 'http-broken-pipe')
        if (retryRequest(this, st, this.srvIn === null ? 'empty-response' : 'junk-response')) return
        this.answer(502, 'S', 'H')
        return
      case 'res-body':
        if (st.resFraming === 'eof' && !error) { responseEnded(this); return }
        this.finish('S', 'D')
        return
      case 'tunnel':
        if (this.toCli.size === 0) this.finish('-', '-')
        else this.st.cliClose = true
        this.cs = 'closing'
        return
      default:
        return
    }
  }

  /** The server's response is dropped, to be replaced by edgelb's (an http-response rule
   *  denied it). */
  dropResponse(): void {
    this.dropSrv(true)
    this.ss = 'res-head'
  }

  /** Stops using the current server connection: parked for reuse when it may carry more. */
  dropSrv(broken: boolean): void {
    const c = this.srv
    if (!c) return
    this.#resumeSrv() // before letting go of it: an idle connection must be read (close, stray bytes)
    this.srv = null
    this.#srvPaused = false
    if (broken || this.st.srvClose || !this.st.reqDone || c.state !== 'busy') { c.abort(); return }
    keepIdle(this, c)
  }

  /** The request goes to a server again (a retry after its server failed, l7-retry.ts): the
   *  server connection is dropped with what it sent, and `body`, the request body as sent so
   *  far, is queued again behind the head the next connection sends. */
  resendRequest(body: readonly Uint8Array[] | null): void {
    const c = this.srv
    this.srv = null
    this.#srvPaused = false
    c?.abort()
    this.srvIn = null
    releaseResponseParser(this)
    this.srvExp = Infinity
    this.ss = 'none'
    this.toSrv.clear()
    if (body !== null) for (const b of body) this.toSrv.push(b)
  }

  // --- the end of an exchange -----------------------------------------------------------------

  streamEnded(): void {
    const st = this.st
    this.#countBytes()
    if (st.tracked) streamEnd(st)
    this.requests++
    this.dropSrv(false)
    this.#log()
    this.#releaseServer()
    // Reload: the next request is the new configuration's.
    const heir = this.fe.heir
    if (heir !== null && !st.cliClose && !this.cliEof) heir.adopt(this)
    if (st.cliClose || this.cliEof || this.fe.stopped) {
      this.cs = 'closing'
      this.cliIn = null
      if (this.toCli.size === 0) this.finish('-', '-')
      else this.refreshCli()
      return
    }
    // Next request: a fresh exchange; what the client already sent is parsed now.
    this.#st = null
    this.madeView?.streamEnded()
    recycleStream(st)
    this.cs = 'wait-req'
    this.ss = 'none'
    this.srvExp = Infinity
    const t = keepAliveTimeout(this.fe.cfg.timeouts)
    this.cliExp = t === undefined ? Infinity : now() + t
    this.resched()
    this.resumeCli()
    if (this.cliIn !== null) {
      beginRequestClock(this)
      parseRequest(this)
    }
  }

  /** The exchange leaves its backend (once: `st.be` is cleared). */
  #releaseServer(): void {
    const st = this.st
    if (st.be === null) return
    // The client bytes since the last exchange left its backend: this request (pipelined bytes
    // already read for the next one included).
    leaveBackend(st, this.bytesIn - this.#beBytesInMark, st.bytesOut)
    this.#beBytesInMark = this.bytesIn
    st.be = null
  }

  #log(): void {
    const st = this.st
    if (st.logged) return
    st.logged = true
    const t = now()
    countExchange(this.fe.counters, st, this.termination, Math.round(t - (st.start < 0 ? t : st.start)))
    logRequest(this, st)
  }

  /** Answers the current request with edgelb's own response (an error page, a rule's reply, the
   *  monitor's 200). By default the connection then closes: after a request edgelb could not
   *  read, the framing of what follows cannot be trusted. With `keep` (a rule's answer, the
   *  monitor, no server), as HAProxy does, an HTTP/1.1 connection whose request is complete
   *  stays open for the next request, and the page says nothing of closing. `page`: bytes sent
   *  as they are (closing), or a rule's reply; else the status's page. */
  answer(status: number, by: TermCause, phase: TermPhase, page?: Uint8Array | HttpReply, keep = false): void {
    const st = this.st
    if (this.ss === 'queued') st.be?.unqueue(this)
    this.dropSrv(true)
    this.queueExp = this.connExp = this.srvExp = this.tarpitExp = Infinity
    st.status = status
    if (st.sess !== undefined) countHttpResponse(st, status)
    let bytes: Uint8Array | null = null
    if (keep && !(page instanceof Uint8Array) && this.#mayKeepOpen(st)) {
      bytes = page === undefined ? this.fe.http!.errors.keepAlivePage(status) : encodeReply(page, false)
    }
    if (bytes !== null) {
      this.toClient(headOnly(st, afterOwnResponse(this, st, bytes)))
      st.resDone = true
      st.reqDone = true
      this.ss = 'res-done'
      this.termination = { by, phase }
      this.toSrv.clear()
      this.streamEnded()
      return
    }
    bytes = page === undefined ? this.fe.http!.errors.page(status) : page instanceof Uint8Array ? page : encodeReply(page)
    this.toClient(headOnly(st, afterOwnResponse(this, st, bytes)))
    st.resDone = true
    this.ss = 'res-done'
    this.termination = { by, phase }
    st.cliClose = true
    this.#answered = true
    this.#log()
    this.#releaseServer()
    // A client still sending its request (timed out while it trickled in, or stopped in a body
    // not read to its end) would be reset by a close with its bytes unread: it lingers instead.
    this.#lingering = (this.cs === 'wait-req' && by === 'c') ||
      (this.cs === 'req-body' && (st.reqFraming === 'chunked' || (st.reqFraming === 'length' && st.reqRemain > 0)))
    this.cs = 'closing'
    this.cliIn = null
    if (this.toCli.size > 0) this.refreshCli()
    else if (this.#lingering) this.#linger()
    else this.finish(by, phase)
  }

  /** Edgelb's closing answer is out: FIN, then what the client still sends is drained. */
  #linger(): void {
    if (this.cliEof) { this.finish(this.termination?.by ?? '-', this.termination?.phase ?? '-'); return }
    this.cli.shutdown()
    this.resumeCli()
    this.cliExp = now() + lingerTimeout(this.fe.cfg.timeouts)
    this.resched()
  }

  // --- writing --------------------------------------------------------------------------------

  toServer(chunk: Uint8Array): void {
    if (this.cs !== 'tunnel') keepForRetry(this.st, chunk, this.fe.http!.bufsize)
    const sock = this.srv?.sock
    if (!sock || this.ss === 'connecting' || this.ss === 'queued' || this.ss === 'none') {
      this.toSrv.push(chunk)
      if (this.toSrv.size > EARLY_DATA_LIMIT) this.pauseCli()
      return
    }
    if (this.toSrv.size > 0) { this.toSrv.push(chunk); this.pauseCli(); return }
    const n = sock.write(chunk)
    if (n === chunk.length) { this.refreshSrv(); return }
    if (n < 0) return
    this.#srvSlow = true
    this.toSrv.push(n === 0 ? chunk : chunk.subarray(n))
    this.pauseCli()
  }

  toClient(chunk: Uint8Array): void {
    const st = this.st
    st.bytesOut += chunk.length
    st.resBytes += chunk.length
    if (this.toCli.size > 0) { this.toCli.push(chunk); this.#pauseSrv(); return }
    const n = this.cli.write(chunk)
    if (n === chunk.length) return
    if (n < 0) return
    this.#cliSlow = true
    this.toCli.push(n === 0 ? chunk : chunk.subarray(n))
    this.#pauseSrv()
    this.refreshCli()
  }

  onCliDrain(): void {
    if (this.h2 !== null) { this.h2.onCliDrain(); return }
    if (this.toCli.size === 0) return
    const r = this.toCli.flush(this.cli)
    if (r === CLOSED) return
    if (r !== FLUSHED) { this.refreshCli(); return }
    if (this.cs === 'closing') {
      if (this.#lingering) { this.#linger(); return }
      this.finish(this.termination?.by ?? '-', this.termination?.phase ?? '-')
      return
    }
    this.refreshCli()
    const c = this.srv
    if (this.#srvPaused && c !== null && c.sock !== null && this.#srvPullable(c)) this.#pullSrv()
    else this.#resumeSrv()
  }

  // --- client end -----------------------------------------------------------------------------

  onCliEnd(): void {
    if (this.h2 !== null) { this.h2.onCliEnd(); return }
    this.cliEof = true
    const st = this.st
    // Lingering: the client is done sending; once its answer is out, the session ends.
    if (this.#lingering) { if (this.toCli.size === 0) this.finish(this.termination?.by ?? '-', this.termination?.phase ?? '-'); return }
    switch (this.cs) {
      case 'wait-req':
        if (this.cliIn === null || this.cliIn.length === 0) {
          // A client leaving between requests (or before its first): nothing to answer.
          if (this.requests === 0 && !(this.fe.cfg.options['dontlognull'])) { st.headAt = -1; this.termination = { by: 'C', phase: 'R' }; this.#log() }
          this.finish('-', '-')
        } else {
          st.headAt = now()
          this.answer(400, 'C', 'R')
        }
        return
      case 'req-body':
        this.finish('C', 'D')
        return
      case 'req-done':
        // A client that half-closed after its request still gets its answer, unless `option
        // abortonclose` says its leaving ends the exchange: in a queue or while connecting it is
        // dropped (CQ, CC); waiting for the response, the server connection is closed and the
        // client answered 400 (CH), as HAProxy does.
        if (this.#abortOnClose()) {
          if (this.ss === 'queued' || this.ss === 'connecting') { this.finish('C', this.ss === 'queued' ? 'Q' : 'C'); return }
          if (this.ss === 'res-head') { this.answer(400, 'C', 'H'); return }
        }
        st.cliClose = true
        return
      case 'tunnel':
        if (this.srv?.sock && this.toSrv.size === 0) this.srv.sock.shutdown()
        return
      default:
        return
    }
  }

  /** Whether the client connection may carry a next request after edgelb's own answer: an
   *  HTTP/1.1 request, complete (no body, or all of it read), with no reason to close. */
  #mayKeepOpen(st: Stream): boolean {
    const req = st.req
    if (req === null || this.cliEof || this.fe.stopped || this.cs === 'closed' || this.cs === 'tunnel') return false
    if (req.version !== 11 || req.connClose || req.mustClose) return false
    if (this.fe.cfg.options['httpclose'] === true || st.be?.cfg.options['httpclose'] === true) return false
    return st.reqDone || st.reqFraming === 'none' || (st.reqFraming === 'length' && st.reqRemain === 0)
  }

  /** `option abortonclose` is the backend's (HAProxy 2.6 reads it there only: a frontend's
   *  comes from its defaults and does not count). */
  #abortOnClose(): boolean {
    return this.st.be?.cfg.options['abortonclose'] === true
  }

  onCliClose(error: Error | undefined): void {
    if (this.cs === 'closed') return
    if (this.h2 !== null) { this.h2.onCliClose(error); return }
    if (this.cs === 'closing' && (!error || this.#lingering)) { this.finish(this.termination?.by ?? '-', this.termination?.phase ?? '-'); return }
    if (this.cs === 'wait-req' && !error && (this.cliIn === null || this.cliIn.length === 0)) { this.onCliEnd(); return }
    // Otherwise the answer can no longer be delivered (the socket is gone).
    this.finish('C', termPhase(this))
  }

  // --- deadlines ------------------------------------------------------------------------------

  refreshCli(): void {
    if (this.cs === 'wait-req') return // set when the request clock starts
    const t = clientTimeout(this)
    this.cliExp = t === undefined ? Infinity : now() + t
    this.resched()
  }

  refreshSrv(): void {
    const t = serverTimeout(this)
    this.srvExp = t === undefined ? Infinity : now() + t
    this.resched()
  }

  resched(): void {
    if (this.cs === 'closed') return
    const exp = Math.min(this.cliExp, this.srvExp, this.connExp, this.queueExp, this.tarpitExp)
    if (exp !== this.#timer.exp) wheel.schedule(this.#timer, exp)
  }

  #onTimer(): void {
    if (this.cs === 'closed') return
    const t = now()
    if (this.tarpitExp <= t) {
      const tp = this.#tarpit!
      this.#tarpit = null
      this.answer(tp.status, 'P', 'T', tp.page)
      return
    }
    if (this.queueExp <= t) { queueTimedOut(this, this.st); return }
    if (this.connExp <= t) { connectTimedOut(this, this.st); return }
    if (this.cliExp <= t) {
      this.cliExp = Infinity
      if (this.#lingering) { this.finish(this.termination?.by ?? '-', this.termination?.phase ?? '-'); return }
      if (this.cs === 'wait-req') {
        // An idle keep-alive connection closes silently; a request that did not arrive in time
        // (slowloris, or a connection that never spoke) is answered 408.
        if (this.requests > 0 && (this.cliIn === null || this.cliIn.length === 0)) { this.finish('-', '-'); return }
        this.st.headAt = now()
        this.answer(408, 'c', 'R')
        return
      }
      this.finish('c', termPhase(this))
      return
    }
    if (this.srvExp <= t) {
      this.srvExp = Infinity
      if (this.ss === 'res-head') {
        this.st.server?.reportResult('http-read-timeout')
        if (!retryRequest(this, this.st, 'response-timeout')) this.answer(504, 's', 'H')
        return
      }
      this.finish('s', termPhase(this))
      return
    }
    this.resched()
  }

  // --- the end ----------------------------------------------------------------------------------

  /** Ends the session once: both sides closed, slots released, the current exchange logged. */
  finish(by: TermCause, phase: TermPhase): void {
    if (this.cs === 'closed') return
    const st = this.st
    if (this.termination === null || by !== '-') this.termination = { by, phase }
    if (this.ss === 'queued') leaveQueue(this, st)
    this.cs = 'closed'
    wheel.cancel(this.#timer)
    if (this.reqParser !== null) { this.fe.http!.giveRequestParser(this.reqParser); this.reqParser = null }
    releaseResponseParser(this)
    const normal = by === '-'
    const c = this.srv
    this.#resumeSrv()
    this.srv = null
    if (c) { if (normal && st.resDone && !st.srvClose) releaseIdle(c); else c.abort() }
    if (this.srvIdle) { releaseIdle(this.srvIdle); this.srvIdle = null }
    if (normal || this.#lingering || this.#answered) this.cli.end()
    else this.cli.terminate()
    this.toCli.clear()
    this.toSrv.clear()
    if (this.#srvPipe !== null) { closePipe(this.#srvPipe); this.#srvPipe = null }
    // An exchange cut short is logged with how it ended.
    if (st.req !== null && !st.logged) this.#log()
    this.#releaseServer()
    this.#countBytes()
    if (st.tracked) streamEnd(st)
    this.madeView?.end()
    this.fe.sessionEnded(this)
  }

  /** Waiting for a request with nothing of one received, no exchange, nothing left to send: the
   *  session may change frontends (reload) without anyone noticing. */
  get betweenRequests(): boolean {
    return this.cs === 'wait-req' && this.#st === null && (this.cliIn === null || this.cliIn.length === 0) && this.toCli.size === 0 && this.srv === null
  }

  /** Reload: the idle server connection kept for the next request belongs to the old
   *  configuration's server; it goes back to that server's pool. */
  override moveTo(fe: Frontend): void {
    if (this.srvIdle !== null) { releaseIdle(this.srvIdle); this.srvIdle = null }
    super.moveTo(fe)
  }

  /** Soft stop: a connection waiting for its next request closes now. */
  closeIfIdle(): void {
    if (this.h2 !== null) { this.h2.shutdown(); return }
    if (this.cs === 'wait-req' && this.requests > 0 && (this.cliIn === null || this.cliIn.length === 0)) this.finish('-', '-')
  }

  kill(): void {
    this.finish('K', termPhase(this))
  }
}

/** The session of one HTTP/2 stream of `conn` (h2/stream-sock.ts). */
function streamSession(conn: HttpSession, sock: Sock<HttpSession>): HttpSession {
  return new HttpSession(conn.fe, sock)
}

/** An answer to a HEAD request is its head alone (its Content-Length still says how long the
 *  body would be): a body after it would be read as the next response. */
function headOnly(st: Stream, bytes: Uint8Array): Uint8Array {
  if (!st.cliHead || st.req === null) return bytes
  const end = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf('\r\n\r\n')
  return end < 0 ? bytes : bytes.subarray(0, end + 4)
}

