/**
 * A `mode http` session: one client connection carrying requests one after the other (keep-alive,
 * pipelining), each analysed and balanced on its own (a *stream*, in HAProxy's words), each sent
 * over a server connection that may be reused by the next request.
 *
 * Client side, per request:
 *
 *   wait-req --head parsed--> req-body --body ended--> req-done --response ended--> wait-req
 *      |  \--bad head: 400/414/431/501       \--------- (bodyless requests skip req-body)
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
import type { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import { ByteQueue, CLOSED, FLUSHED } from '../core/byte-queue.ts'
import { now, wallNow } from '../core/clock.ts'
import { Timer } from '../core/timer-wheel.ts'
import { wheel } from '../core/wheel.ts'
import { balanceKey } from '../http/balance-key.ts'
import { createChunkedScanner } from '../http/chunked.ts'
import { Head } from '../http/head.ts'
import { addForwardedFor, addOriginalTo } from '../http/forwarded.ts'
import { isCacheable, requestCookie, responseCookie, type ReqCookieFlag, type ResCookieFlag } from '../http/persist.ts'
import type { BodyFraming, ChunkedScanner, H1Head, H1Parser } from '../http/types.ts'
import { formatHttpLog } from '../log/httplog.ts'
import type { Sock } from '../net/runtime.ts'
import type { Frontend } from './frontend.ts'
import type { Capture } from './http-front.ts'
import { addressBytes } from './source-key.ts'
import { assignServer, connectFailed, connectTimedOut, grantServer, leaveBackend, leaveQueue, openServer, queueTimedOut, type ServerSession, type SrvSide } from './server-side.ts'
import { poolIdle, takePooled, type SrvConn } from './srv-conn.ts'
import { connectTime, endedInError, formatTermination, queueTime, type TermCause, type TermPhase, type Termination } from './termination.ts'
import type { ProxyRules } from '../rules/proxy.ts'
import type { StickEntry } from '../rules/stick-table.ts'
import { countBytes, countHttpRequest, countHttpResponse, streamEnd } from '../rules/tracking.ts'
import type { HttpReply, HttpVerdict, LogFields, Sample, SessionView, StreamView } from '../rules/types.ts'
import { encodeReply } from './rules-view.ts'
import { ClientSide } from './client-side.ts'

type CliState = 'wait-req' | 'req-body' | 'req-done' | 'tunnel' | 'closing' | 'closed'
type SrvState = 'none' | 'queued' | 'connecting' | 'res-head' | 'res-body' | 'res-done' | 'tunnel'

/** Body bytes small enough that copying them next to their head costs less than a second write. */
const SMALL_BODY = 2048

/** Body bytes a client may send ahead of its server connection before it is paused. */
const EARLY_DATA_LIMIT = 64 * 1024

/** One request/response exchange: what the log line and the decisions need, and what rules
 *  read of it (StreamView: `sess` is set before any rule runs).
 *
 *  Streams are recycled, with their heads (see takeStream/recycleStream): one is made per request
 *  otherwise, the largest object a request makes, and garbage per request is collection pauses
 *  per second at a steady load. Every field is therefore set in `reset()`, the one list of its starting values. */
class Stream implements StreamView, SrvSide {
  readonly payload = null
  readonly payloadFinal = true
  sess!: SessionView
  beName!: string
  srvName!: string
  #vars: Map<string, Sample> | undefined
  #sc: (StickEntry | undefined)[] | undefined
  logLevel: string | undefined
  captures: (string | undefined)[] | undefined
  log: LogFields | undefined
  /** The backend's rules (null: none). */
  beRules!: ProxyRules | null
  bytesCounted!: boolean
  req!: H1Head | null
  res!: H1Head | null
  /** Monotonic ms of the request's first byte, and its wall-clock date for the log. */
  start!: number
  date!: number
  headAt!: number
  reqFraming!: BodyFraming
  reqRemain!: number
  reqDone!: boolean
  resFraming!: BodyFraming
  resRemain!: number
  resDone!: boolean
  /** When the request head was sent (Tr runs from here), and when the response head came. */
  sentAt!: number
  resHeadAt!: number
  queueStart!: number
  queueEnd!: number
  connectStart!: number
  connectEnd!: number
  be!: Backend | null
  server!: Server | null
  /** The server slot is counted (backend.take) and must be released. */
  holdsSlot!: boolean
  retriesLeft!: number
  retries!: number
  redispatched!: boolean
  status!: number
  bytesOut!: number
  reqCookie!: ReqCookieFlag
  resCookie!: ResCookieFlag
  persisted!: Server | undefined
  /** The client connection closes after this exchange. */
  cliClose!: boolean
  /** The server connection closes after this exchange (http-server-close, httpclose). */
  srvClose!: boolean
  upgrade!: boolean
  /** Bytes of the response that went to the client (for retries on a reused connection). */
  resBytes!: number
  logged!: boolean
  reqCaptures!: string[] | null
  resCaptures!: string[] | null

  constructor() {
    this.reset()
  }

  get vars(): Map<string, Sample> { return (this.#vars ??= new Map()) }
  get sc(): (StickEntry | undefined)[] { return (this.#sc ??= [undefined, undefined, undefined]) }
  /** Whether rules tracked or stored anything that must be released at its end. */
  get tracked(): boolean { return this.#sc !== undefined }

  reset(): void {
    this.sess = undefined as unknown as SessionView
    this.beName = ''
    this.srvName = ''
    this.#vars = undefined
    this.#sc = undefined
    this.logLevel = undefined
    this.captures = undefined
    this.log = undefined
    this.beRules = null
    this.bytesCounted = false
    this.req = null
    this.res = null
    this.start = 0
    this.date = 0
    this.headAt = -1
    this.reqFraming = 'none'
    this.reqRemain = 0
    this.reqDone = false
    this.resFraming = 'none'
    this.resRemain = 0
    this.resDone = false
    this.sentAt = -1
    this.resHeadAt = -1
    this.queueStart = -1
    this.queueEnd = -1
    this.connectStart = -1
    this.connectEnd = -1
    this.be = null
    this.server = null
    this.holdsSlot = false
    this.retriesLeft = 0
    this.retries = 0
    this.redispatched = false
    this.status = -1
    this.bytesOut = 0
    this.reqCookie = '-'
    this.resCookie = '-'
    this.persisted = undefined
    this.cliClose = false
    this.srvClose = false
    this.upgrade = false
    this.resBytes = 0
    this.logged = false
    this.reqCaptures = null
    this.resCaptures = null
  }
}

/** Ended streams kept for the next requests: as many as are ever in progress at once, up to a
 *  bound (beyond it they are left to the collector). */
const spareStreams: Stream[] = []
const SPARE_STREAMS_MAX = 1024

function takeStream(): Stream {
  return spareStreams.pop() ?? new Stream()
}

/** `st` has ended and nothing refers to it, nor to its heads, any more (its session has let go
 *  of it). */
function recycleStream(st: Stream): void {
  if (st.req !== null) Head.recycle(st.req)
  if (st.res !== null) Head.recycle(st.res)
  if (spareStreams.length >= SPARE_STREAMS_MAX) return
  st.reset()
  spareStreams.push(st)
}

export class HttpSession extends ClientSide implements ServerSession {
  /** Reading from the server connection is paused (by us). */
  #srvPaused = false
  cs: CliState = 'wait-req'
  ss: SrvState = 'none'
  /** Client bytes not yet processed: a head being received, or pipelined requests. */
  #in: Uint8Array | null = null
  /** Server bytes of a response head being received. */
  #srvIn: Uint8Array | null = null
  /** Parsers, held only while a head is being read (lent by the frontend). */
  #reqParser: H1Parser | null = null
  #resParser: H1Parser | null = null
  /** Made on the first chunked message. */
  #reqChunks: ChunkedScanner | null = null
  #resChunks: ChunkedScanner | null = null
  /** The current exchange (see `st`); null between requests and before the first. */
  #st: Stream | null = null
  /** Requests completed on this connection. */
  requests = 0
  /** The server connection of the current exchange, and one kept idle for the next request. */
  srv: SrvConn | null = null
  #idle: SrvConn | null = null
  readonly toCli = new ByteQueue()
  readonly toSrv = new ByteQueue()
  cliEof = false
  /** Client bytes already counted for tracked entries. */
  #bytesInMark = 0
  /** A tarpitted request's answer, sent when `tarpitExp` comes. */
  #tarpit: { status: number; page: Uint8Array | undefined } | null = null
  tarpitExp = Infinity

  cliExp = Infinity
  srvExp = Infinity
  connExp = Infinity
  queueExp = Infinity
  readonly #timer: Timer
  bytesIn = 0
  bytesOut = 0
  termination: Termination | null = null

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
    const to = this.fe.cfg.timeouts
    const t = to.httpRequest ?? to.client
    this.cliExp = t === undefined ? Infinity : this.acceptTime + t
    this.#resched()
  }

  // --- client input ---------------------------------------------------------------------------

  onCliData(chunk: Buffer): void {
    this.bytesIn += chunk.length
    switch (this.cs) {
      case 'req-body':
        this.#reqBody(chunk)
        return
      case 'tunnel':
        this.#toServer(chunk)
        this.#refreshCli()
        return
      case 'wait-req':
        if (this.#in === null && this.requests > 0 && this.st.start < 0) {
          // First byte of a keep-alive request: from now on `timeout http-request` runs.
          this.#beginRequestClock()
        }
        this.#append(chunk)
        this.#parseRequest()
        return
      case 'req-done':
      case 'closing':
        // Pipelined: kept until the current exchange ends; read no further than one buffer.
        if (this.st.cliClose) return
        this.#append(chunk)
        if (this.#in!.length > this.fe.http!.bufsize) this.pauseCli()
        return
      case 'closed':
        return
    }
  }

  #append(chunk: Uint8Array): void {
    const cur = this.#in
    this.#in = cur === null || cur.length === 0 ? chunk : Buffer.concat([cur, chunk])
  }

  #beginRequestClock(): void {
    const st = this.st
    st.start = now()
    st.date = wallNow()
    const to = this.fe.cfg.timeouts
    const t = to.httpRequest ?? to.client
    this.cliExp = t === undefined ? Infinity : st.start + t
    this.#resched()
  }

  #parseRequest(): void {
    const buf = this.#in
    if (buf === null || buf.length === 0) return
    const http = this.fe.http!
    const parser = (this.#reqParser ??= http.takeRequestParser())
    const r = parser.parse(buf, buf.length)
    if (r.kind === 'need-more') return
    this.#reqParser = null
    http.giveRequestParser(parser)
    if (r.kind === 'error') {
      this.#in = null
      this.st.headAt = now()
      this.#answer(r.status, 'P', 'R')
      return
    }
    const head = r.head
    this.#in = head.size < buf.length ? buf.subarray(head.size) : null
    this.#onRequest(head)
  }

  /** A request head arrived: analyse it, choose a backend and a server, send it. */
  #onRequest(req: H1Head): void {
    const st = this.st
    const fe = this.fe
    st.req = req
    st.headAt = now()
    if (st.start < 0) { st.start = st.headAt; st.date = wallNow() }
    this.cliExp = Infinity
    this.cs = 'req-body'
    st.reqFraming = req.framing
    st.reqRemain = req.framing === 'length' ? req.contentLength : 0
    if (req.framing === 'chunked') (this.#reqChunks ??= createChunkedScanner()).reset()
    const http = fe.http!
    if (http.captures.request.length > 0) st.reqCaptures = captured(http.captures.request, req)

    // monitor-uri: answered here, never forwarded.
    if (fe.cfg.monitorUri !== undefined && pathOf(req.uri) === fe.cfg.monitorUri) {
      this.#answer(200, '-', '-')
      return
    }

    // The frontend's rules: tcp-request content, http-request, then content switching.
    let be = fe.backend
    const feRules = fe.rules
    if (feRules !== null) {
      st.sess = this.view
      countHttpRequest(st)
      if (feRules.has.tcpContent && feRules.tcpContent(st) === 'reject') { this.finish('P', 'R'); return }
      if (feRules.has.httpRequest && this.#verdict(feRules.httpRequest(st), 'R')) return
      if (feRules.has.switching) {
        const name = feRules.selectBackend(st)
        if (name !== undefined) be = fe.host.backendNamed(name) ?? null
      }
    }
    st.be = be
    if (!be) { this.#answer(503, 'S', 'C'); return }
    be.enter()
    st.beName = be.name
    // The backend's own http-request rules, when it is another proxy than the frontend.
    const beRules = be.cfg === fe.cfg ? feRules : fe.host.rulesOf(be.name)
    st.beRules = beRules
    if (beRules !== null && beRules !== feRules) {
      st.sess = this.view
      if (beRules.has.httpRequest && this.#verdict(beRules.httpRequest(st), 'R')) return
    }
    st.retriesLeft = be.cfg.retries
    const fcfg = fe.cfg
    const bcfg = be.cfg
    const httpclose = fcfg.options['httpclose'] === true || bcfg.options['httpclose'] === true
    const serverClose = httpclose || fcfg.options['http-server-close'] === true || bcfg.options['http-server-close'] === true
    st.cliClose = req.connClose || req.mustClose || httpclose || (req.version === 10 && !req.connKeepAlive)
    // A client that closes after this request (Connection: close, HTTP/1.0) has its request sent
    // with its own close to the server as well: the server then closes after its answer, which
    // spares the active close, and the idle connection only a later session could have used.
    st.srvClose = serverClose || req.mustClose || (st.cliClose && be.cfg.httpReuse !== 'always')
    st.upgrade = req.connUpgrade && req.headers.find('upgrade', 0) >= 0

    // Persistence: ignore-persist / force-persist, the cookie (removed or unprefixed on its way
    // to the server), then stick tables and use-server.
    const ignore = beRules?.has.persist === true && beRules.ignorePersist(st)
    const force = beRules?.has.persist === true && beRules.forcePersist(st)
    const ck = bcfg.cookie
    if (ck && !ignore) {
      const p = requestCookie(ck, be.servers, req, bcfg.options['persist'] === true || force)
      st.reqCookie = p.flag
      st.persisted = p.server
    }
    if (beRules !== null && !st.persisted) {
      const named = (beRules.has.useServer ? beRules.useServer(st) : undefined) ?? (beRules.has.stick && !ignore ? beRules.stickMatch(st) : undefined)
      const s = named === undefined ? undefined : be.findServer(named)
      if (s && (s.usable || force || bcfg.options['persist'] === true)) st.persisted = s
    }

    // Headers for the server.
    const ff = bcfg.forwardFor ?? fcfg.forwardFor
    if (ff) addForwardedFor(ff, req, this.cliAddr)
    const ot = bcfg.originalTo ?? fcfg.originalTo
    if (ot) addOriginalTo(ot, req, this.cli.localAddress ?? '')
    if (st.upgrade) {
      // Connection: upgrade goes through as it came.
    } else if (st.srvClose) {
      if (!(req.version === 10 && !req.connKeepAlive) && !(req.connClose && countConnection(req) === 1)) setConnection(req, 'close')
    }

    if (st.reqFraming === 'none' || (st.reqFraming === 'length' && st.reqRemain === 0)) this.#requestEnded()
    else if (this.#in !== null) {
      const pending = this.#in
      this.#in = null
      this.#reqBody(pending)
    }
    // Answered already (a framing error in the body that came with the head)?
    if ((this.cs as CliState) === 'closed' || (this.cs as CliState) === 'closing') return
    assignServer(this, st, undefined)
  }

  /** Bytes of this exchange, for the entries rules track (bytes_in/bytes_out counters and rates). */
  #countBytes(): void {
    const st = this.st
    if (st.sess === undefined || st.bytesCounted) return
    st.bytesCounted = true
    countBytes(st, this.bytesIn - this.#bytesInMark, st.bytesOut)
    this.#bytesInMark = this.bytesIn
  }

  /** Acts on what a rule set decided, on the request (phase R) or on the response (phase H, where
   *  the server's answer is dropped and replaced); true when edgelb answered (or closed) itself. */
  #verdict(v: HttpVerdict, phase: 'R' | 'H'): boolean {
    if (v.kind === 'continue') return false
    if (phase === 'H') { this.#dropSrv(true); this.ss = 'res-head' }
    switch (v.kind) {
      case 'deny': this.#answer(v.status, 'P', phase, v.reply ? encodeReply(v.reply) : undefined); break
      case 'reply': this.#answer(v.reply.status, 'L', phase, encodeReply(v.reply)); break
      case 'reject': this.finish('P', phase); break
      case 'tarpit':
        if (phase === 'R') this.#startTarpit(v.status, v.reply)
        else this.#answer(v.status, 'P', phase, v.reply ? encodeReply(v.reply) : undefined)
        break
    }
    return true
  }

  /** `tarpit`: hold the request without an answer for `timeout tarpit` (else `timeout connect`),
   *  then answer as deny would; the client's time is what is spent, not a server's. */
  #startTarpit(status: number, reply: HttpReply | undefined): void {
    const to = this.fe.cfg.timeouts
    const t = to.tarpit ?? this.st.be?.cfg.timeouts.tarpit ?? to.connect ?? 0
    this.#tarpit = { status, page: reply ? encodeReply(reply) : undefined }
    this.tarpitExp = now() + t
    this.cs = 'req-done'
    this.#resched()
  }

  /** Body bytes of the current request: forwarded; what follows its end waits as the next request. */
  #reqBody(chunk: Uint8Array): void {
    const st = this.st
    let n: number
    if (st.reqFraming === 'length') {
      n = Math.min(st.reqRemain, chunk.length)
      st.reqRemain -= n
    } else if (st.reqFraming === 'chunked') {
      n = this.#reqChunks!.scan(chunk, 0, chunk.length)
      if (n < 0) {
        // The framing is lost: nothing after this can be trusted.
        if (st.sentAt < 0) { this.#answer(400, 'P', 'D'); return }
        this.finish('P', 'D')
        return
      }
    } else n = 0
    if (n > 0) this.#toServer(n === chunk.length ? chunk : chunk.subarray(0, n))
    const ended = st.reqFraming === 'length' ? st.reqRemain === 0 : this.#reqChunks!.done
    if (ended) {
      if (n < chunk.length) this.#append(chunk.subarray(n))
      this.#requestEnded()
    } else this.#refreshCli()
  }

  #requestEnded(): void {
    const st = this.st
    st.reqDone = true
    if (this.cs === 'req-body') this.cs = 'req-done'
    this.#refreshCli()
    if (st.resDone) this.#streamEnded()
  }

  // --- the server side (server-side.ts decides; these are the session's part) -----------------

  get inQueue(): boolean {
    return this.ss === 'queued'
  }

  /** The key `balance source|uri|url_param|hdr` hashes for this request. */
  balanceKey(be: Backend): Uint8Array | string | undefined {
    const algo = be.cfg.balance.algo
    if (algo === 'source') return addressBytes(this.cliAddr)
    if (algo === 'uri' || algo === 'url_param' || algo === 'hdr') return balanceKey(be.cfg.balance, this.st.req!)
    return undefined
  }

  srvQueued(): void {
    this.ss = 'queued'
    this.#resched()
  }

  srvRefused(by: TermCause, phase: TermPhase): void {
    this.#answer(503, by, phase)
  }

  /** Waiter: a queue granted a slot on `server`. */
  grant(server: Server): void {
    grantServer(this, this.st, server)
  }

  /** Sends the request over an idle connection to the chosen server, or a new one. */
  srvConnect(): void {
    const st = this.st
    const server = st.server
    st.connectStart = now()
    if (server) {
      st.srvName = server.name
      const r = st.beRules
      if (r !== null && r.has.stick) r.stickStoreRequest(st, { id: server.index + 1, name: server.name })
    }
    const reuse = st.be!.cfg.httpReuse
    let c: SrvConn | null = null
    if (server && this.#idle && this.#idle.server === server && this.#idle.state === 'idle') {
      c = this.#idle
      this.#idle = null
    } else if (server && reuse !== 'never' && (reuse !== 'safe' || this.requests > 0)) {
      // safe: a first request goes on a connection of its own; later ones (and every request
      // with aggressive or always) may take one another session left idle.
      c = takePooled(server) ?? null
    }
    if (this.#idle) { this.#releaseIdle(this.#idle); this.#idle = null }
    if (c) {
      c.take(this)
      this.srv = c
      this.onSrvOpen(c)
      return
    }
    this.ss = 'connecting'
    openServer(this, st).shareable = reuse !== 'never'
    this.#resched()
  }

  /** An idle connection this session no longer wants: to the shared pool, or closed. */
  #releaseIdle(c: SrvConn): void {
    if (!c.shareable || !c.server) c.close()
    else poolIdle(c)
  }

  // --- server side ----------------------------------------------------------------------------

  onSrvOpen(c: SrvConn): void {
    if (c !== this.srv) { c.close(); return }
    const st = this.st
    if (c.uses === 0) c.server?.reportResult('l4-ok')
    this.connExp = Infinity
    st.connectEnd = st.sentAt = now()
    this.ss = 'res-head'
    this.#srvPaused = false
    this.#srvIn = null
    this.#releaseResParser()
    const head = st.req!.encode()
    if (this.toSrv.size > 0) this.toSrv.unshift(head)
    else this.toSrv.push(head)
    this.#flushSrv()
    // A flush that emptied the queue has set the server timeout already.
    if (this.toSrv.size > 0) this.#refreshSrv()
  }

  onSrvConnectFailed(c: SrvConn): void {
    if (c !== this.srv) return
    this.srv = null
    connectFailed(this, this.st, false)
  }

  onSrvData(c: SrvConn, chunk: Buffer): void {
    if (c !== this.srv) { c.abort(); return }
    this.bytesOut += chunk.length
    switch (this.ss) {
      case 'res-head': {
        const cur = this.#srvIn
        this.#srvIn = cur === null ? chunk : Buffer.concat([cur, chunk])
        this.#parseResponse()
        return
      }
      case 'res-body':
        this.#resBody(chunk, 0, null)
        return
      case 'tunnel':
        this.#toClient(chunk)
        this.#refreshSrv()
        return
      default:
        // Bytes after a complete response, or before a request: the server is out of step.
        this.srv = null
        c.abort()
    }
  }

  #releaseResParser(): void {
    const p = this.#resParser
    if (p === null) return
    this.#resParser = null
    this.fe.http!.giveResponseParser(p)
  }

  #parseResponse(): void {
    const buf = this.#srvIn!
    const parser = (this.#resParser ??= this.fe.http!.takeResponseParser())
    const r = parser.parse(buf, buf.length)
    if (r.kind === 'need-more') { this.#refreshSrv(); return }
    const st = this.st
    this.#releaseResParser()
    if (r.kind === 'error') {
      st.server?.reportResult('http-header')
      this.#dropSrv(true)
      this.#answer(502, 'P', 'H')
      return
    }
    const res = r.head
    this.#srvIn = null
    if (res.status < 200) {
      const rest = res.size < buf.length ? buf.subarray(res.size) : null
      if (res.status === 101 && st.upgrade) { this.#startTunnel(res, rest); return }
      // 100 Continue, 103 Early Hints: forwarded; the final head follows.
      this.#toClient(res.encode())
      if (rest) { this.#srvIn = rest; this.#parseResponse() }
      return
    }
    this.#onResponse(res, buf)
  }

  /** A final response head, parsed from the start of `buf` (which may hold body bytes after it). */
  #onResponse(res: H1Head, buf: Uint8Array): void {
    const st = this.st
    const req = st.req!
    const be = st.be!
    st.res = res
    st.status = res.status
    st.resHeadAt = now()
    this.ss = 'res-body'
    // Passive health (observe layer7): 5xx but 501 and 505 count as errors, as HAProxy counts.
    st.server?.reportResult(res.status >= 500 && res.status !== 501 && res.status !== 505 ? 'http-status' : 'http-ok')
    // http-response rules: the backend's, then the frontend's; stick store-response.
    const beRules = st.beRules
    const feRules = this.fe.rules
    if (beRules !== null || feRules !== null) {
      countHttpResponse(st, res.status)
      if (beRules?.has.httpResponse && this.#verdict(beRules.httpResponse(st), 'H')) return
      if (feRules !== null && feRules !== beRules && feRules.has.httpResponse && this.#verdict(feRules.httpResponse(st), 'H')) return
      if (beRules?.has.stick && st.server) beRules.stickStoreResponse(st, { id: st.server.index + 1, name: st.server.name })
      this.#afterResponse()
    }
    const http = this.fe.http!
    if (http.captures.response.length > 0) st.resCaptures = captured(http.captures.response, res)
    let framing = res.framing
    if (req.method === 'HEAD' || res.status === 204 || res.status === 304) framing = 'none'
    st.resFraming = framing
    st.resRemain = framing === 'length' ? res.contentLength : 0
    if (framing === 'chunked') (this.#resChunks ??= createChunkedScanner()).reset()
    if (res.connClose || res.mustClose || framing === 'eof') st.srvClose = true
    // A stopping frontend lets each client finish its request, then closes (and says so).
    if (framing === 'eof' || this.fe.stopped) st.cliClose = true

    const ck = be.cfg.cookie
    if (ck) {
      st.resCookie = responseCookie(ck, st.server, st.reqCookie, st.persisted, req.method, res)
      if (st.resCookie === 'I' && ck.nocache && isCacheable(req.method, req, res)) res.headers.add('Cache-Control', 'private')
    }
    // The Connection header the client needs, for its own connection.
    if (st.cliClose) {
      if (req.version === 11 || req.connKeepAlive) {
        if (!(res.connClose && countConnection(res) === 1 && res.version === 11)) setConnection(res, 'close')
      }
    } else if (req.version === 10) {
      if (!res.connKeepAlive) setConnection(res, 'keep-alive')
    } else if (res.connClose || res.version === 10) {
      setConnection(res, res.version === 10 ? 'keep-alive' : null)
    }
    const restLen = buf.length - res.size
    if (framing === 'none' || (framing === 'length' && st.resRemain === 0)) {
      this.#toClient(res.encode())
      if (restLen > 0) st.srvClose = true // bytes after a complete response: the server is out of step
      this.#responseEnded()
    } else if (restLen > 0) this.#resBody(buf, res.size, res)
    else { this.#toClient(res.encode()); this.#refreshSrv() }
  }

  /** Writes a response head and the body bytes that came with it, `buf[head.size, end)`, in one
   *  write (one system call, the price of a small response): the very bytes received when the
   *  head is as received (the whole buffer when it is all this response, a small keep-alive
   *  answer's usual case), else a copy of both when the body part is small. */
  #toClientWithHead(head: H1Head, buf: Uint8Array, end: number): void {
    if (head.verbatim) {
      this.#toClient(end === buf.length ? buf : buf.subarray(0, end))
      return
    }
    const part = buf.subarray(head.size, end)
    if (part.length <= SMALL_BODY) {
      this.#toClient(Buffer.concat([head.encode(), part]))
    } else {
      this.#toClient(head.encode())
      this.#toClient(part)
    }
  }

  /** Response body bytes `buf[start…]`. `head`: the response head, parsed from the start of
   *  `buf` and still to be written before them (`start` is then its size). */
  #resBody(buf: Uint8Array, start: number, head: H1Head | null): void {
    const st = this.st
    let end: number
    if (st.resFraming === 'length') {
      end = start + Math.min(st.resRemain, buf.length - start)
      st.resRemain -= end - start
    } else if (st.resFraming === 'chunked') {
      end = this.#resChunks!.scan(buf, start, buf.length)
      if (end < 0) { this.#dropSrv(true); this.finish('S', 'D'); return }
    } else end = buf.length
    if (head !== null) this.#toClientWithHead(head, buf, end)
    else if (end > start) this.#toClient(start === 0 && end === buf.length ? buf : buf.subarray(start, end))
    const ended = st.resFraming === 'length' ? st.resRemain === 0 : st.resFraming === 'chunked' ? this.#resChunks!.done : false
    if (ended) {
      // Anything after the end of a response is a server out of step: never reuse it.
      if (end < buf.length) st.srvClose = true
      this.#responseEnded()
    } else this.#refreshSrv()
  }

  #responseEnded(): void {
    const st = this.st
    st.resDone = true
    this.ss = 'res-done'
    this.srvExp = Infinity
    if (!st.reqDone) {
      // Answered before the request ended (an early error, a redirect during an upload): the
      // rest of the request body cannot be told from a next request, so both sides close.
      st.cliClose = true
      st.srvClose = true
    }
    this.#streamEnded()
  }

  /** `http-after-response`: rewrites of every response, the backend's rules then the frontend's. */
  #afterResponse(): void {
    const st = this.st
    const beRules = st.beRules
    const feRules = this.fe.rules
    if (beRules?.has.httpAfterResponse) beRules.httpAfterResponse(st)
    if (feRules !== null && feRules !== beRules && feRules.has.httpAfterResponse) feRules.httpAfterResponse(st)
  }

  /** An answer of edgelb's own, passed through `http-after-response` when some rule wants it:
   *  parsed back into a head the rules can edit, then written anew. */
  #afterOwnResponse(page: Uint8Array): Uint8Array {
    const st = this.st
    const feRules = this.fe.rules
    if (!(st.beRules?.has.httpAfterResponse || feRules?.has.httpAfterResponse)) return page
    const r = this.fe.http!.responseParser().parse(page, page.length)
    if (r.kind !== 'done') return page
    st.sess = this.view
    st.res = r.head
    this.#afterResponse()
    return r.head.changed ? Buffer.concat([r.head.encode(), page.subarray(r.head.size)]) : page
  }

  #startTunnel(res: H1Head, rest: Uint8Array | null): void {
    const st = this.st
    st.res = res
    st.status = res.status
    st.resHeadAt = now()
    this.ss = 'tunnel'
    this.cs = 'tunnel'
    st.srvClose = true
    st.cliClose = true
    this.#toClient(res.encode())
    if (rest) this.#toClient(rest)
    if (this.#in) { const pending = this.#in; this.#in = null; this.#toServer(pending) }
    this.#refreshCli()
    this.#refreshSrv()
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
    this.#refreshSrv()
    if (this.cs === 'req-body' || this.cs === 'tunnel') this.resumeCli()
  }

  onSrvEnd(c: SrvConn): void {
    this.onSrvClose(c, undefined)
  }

  onSrvClose(c: SrvConn, error: Error | undefined): void {
    if (c === this.#idle) { this.#idle = null; return }
    if (c !== this.srv || this.cs === 'closed') return
    this.srv = null
    c.abort()
    const st = this.st
    switch (this.ss) {
      case 'connecting':
        connectFailed(this, st, false)
        return
      case 'res-head':
        if (this.#srvIn === null && st.resBytes === 0 && c.uses > 0 && st.reqFraming === 'none') {
          // A reused connection the server had closed meanwhile: try again on a new one.
          this.srvConnect()
          return
        }
        st.server?.reportResult(error ? 'http-read-error' : 'http-broken-pipe')
        this.#answer(502, 'S', 'H')
        return
      case 'res-body':
        if (st.resFraming === 'eof' && !error) { this.#responseEnded(); return }
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

  /** Stops using the current server connection: parked for reuse when it may carry more. */
  #dropSrv(broken: boolean): void {
    const c = this.srv
    if (!c) return
    this.#resumeSrv() // before letting go of it: an idle connection must be read (close, stray bytes)
    this.srv = null
    this.#srvPaused = false
    if (broken || this.st.srvClose || !this.st.reqDone || c.state !== 'busy') { c.abort(); return }
    if (this.cs === 'closing' || this.st.cliClose) { this.#releaseIdle(c); return }
    c.park()
    this.#idle = c
  }

  // --- the end of an exchange -----------------------------------------------------------------

  #streamEnded(): void {
    const st = this.st
    this.#countBytes()
    if (st.tracked) streamEnd(st)
    this.requests++
    this.#dropSrv(false)
    this.#log()
    this.#releaseServer()
    if (st.cliClose || this.cliEof || this.fe.stopped) {
      this.cs = 'closing'
      this.#in = null
      if (this.toCli.size === 0) this.finish('-', '-')
      else this.#refreshCli()
      return
    }
    // Next request: a fresh exchange; what the client already sent is parsed now.
    this.#st = null
    recycleStream(st)
    this.cs = 'wait-req'
    this.ss = 'none'
    this.srvExp = Infinity
    const to = this.fe.cfg.timeouts
    const t = to.httpKeepAlive ?? to.httpRequest ?? to.client
    this.cliExp = t === undefined ? Infinity : now() + t
    this.#resched()
    this.resumeCli()
    if (this.#in !== null) {
      this.#beginRequestClock()
      this.#parseRequest()
    }
  }

  /** The exchange leaves its backend (once: `st.be` is cleared). */
  #releaseServer(): void {
    const st = this.st
    if (st.be === null) return
    leaveBackend(st, 0, st.bytesOut)
    st.be = null
  }

  /** Answers the current request with edgelb's own response (an error page, the monitor's 200),
   *  then closes: every page edgelb writes says `connection: close`, since after a refused or
   *  failed request the framing of what follows on the connection cannot be trusted. */
  #answer(status: number, by: TermCause, phase: TermPhase, page?: Uint8Array): void {
    const st = this.st
    if (this.ss === 'queued') st.be?.unqueue(this)
    this.#dropSrv(true)
    this.queueExp = this.connExp = this.srvExp = this.tarpitExp = Infinity
    st.status = status
    if (st.sess !== undefined) countHttpResponse(st, status)
    this.#toClient(this.#afterOwnResponse(page ?? this.fe.http!.errors.page(status)))
    st.resDone = true
    this.ss = 'res-done'
    this.termination = { by, phase }
    st.cliClose = true
    this.#log()
    this.#releaseServer()
    this.cs = 'closing'
    this.#in = null
    if (this.toCli.size === 0) this.finish(by, phase)
    else this.#refreshCli()
  }

  // --- writing --------------------------------------------------------------------------------

  #toServer(chunk: Uint8Array): void {
    const sock = this.srv?.sock
    if (!sock || this.ss === 'connecting' || this.ss === 'queued' || this.ss === 'none') {
      this.toSrv.push(chunk)
      if (this.toSrv.size > EARLY_DATA_LIMIT) this.pauseCli()
      return
    }
    if (this.toSrv.size > 0) { this.toSrv.push(chunk); this.pauseCli(); return }
    const n = sock.write(chunk)
    if (n === chunk.length) { this.#refreshSrv(); return }
    if (n < 0) return
    this.toSrv.push(n === 0 ? chunk : chunk.subarray(n))
    this.pauseCli()
  }

  #toClient(chunk: Uint8Array): void {
    const st = this.st
    st.bytesOut += chunk.length
    st.resBytes += chunk.length
    if (this.toCli.size > 0) { this.toCli.push(chunk); this.#pauseSrv(); return }
    const n = this.cli.write(chunk)
    if (n === chunk.length) return
    if (n < 0) return
    this.toCli.push(n === 0 ? chunk : chunk.subarray(n))
    this.#pauseSrv()
    this.#refreshCli()
  }

  onCliDrain(): void {
    if (this.toCli.size === 0) return
    const r = this.toCli.flush(this.cli)
    if (r === CLOSED) return
    if (r !== FLUSHED) { this.#refreshCli(); return }
    if (this.cs === 'closing') { this.finish(this.termination?.by ?? '-', this.termination?.phase ?? '-'); return }
    this.#resumeSrv()
    this.#refreshCli()
  }

  // --- client end -----------------------------------------------------------------------------

  onCliEnd(): void {
    this.cliEof = true
    const st = this.st
    switch (this.cs) {
      case 'wait-req':
        if (this.#in === null || this.#in.length === 0) {
          // A client leaving between requests (or before its first): nothing to answer.
          if (this.requests === 0 && !(this.fe.cfg.options['dontlognull'])) { st.headAt = -1; this.termination = { by: 'C', phase: 'R' }; this.#log() }
          this.finish('-', '-')
        } else {
          st.headAt = now()
          this.#answer(400, 'C', 'R')
        }
        return
      case 'req-body':
        this.finish('C', 'D')
        return
      case 'req-done':
        // A client that half-closed after its request still gets its answer, unless it gave up
        // waiting in a queue or for a connection and `option abortonclose` says to drop it.
        if ((this.ss === 'queued' || this.ss === 'connecting') && this.#abortOnClose()) { this.finish('C', this.ss === 'queued' ? 'Q' : 'C'); return }
        st.cliClose = true
        return
      case 'tunnel':
        if (this.srv?.sock && this.toSrv.size === 0) this.srv.sock.shutdown()
        return
      default:
        return
    }
  }

  /** `option abortonclose` is the backend's (HAProxy 2.6 reads it there only: a frontend's
   *  comes from its defaults and does not count). */
  #abortOnClose(): boolean {
    return this.st.be?.cfg.options['abortonclose'] === true
  }

  onCliClose(error: Error | undefined): void {
    if (this.cs === 'closed') return
    if (this.cs === 'closing' && !error) { this.finish(this.termination?.by ?? '-', this.termination?.phase ?? '-'); return }
    if (this.cs === 'wait-req' && !error && (this.#in === null || this.#in.length === 0)) { this.onCliEnd(); return }
    if (this.cs === 'req-done' && !error && this.toCli.size === 0 && !this.#abortOnClose() && this.ss !== 'res-body') {
      // FIN after the request: the answer can still not be delivered (the socket is gone).
    }
    this.finish('C', this.#termPhase())
  }

  #termPhase(): TermPhase {
    switch (this.ss) {
      case 'queued': return 'Q'
      case 'connecting': return 'C'
      case 'res-head': return 'H'
      case 'res-body':
      case 'tunnel': return 'D'
      default: return this.cs === 'wait-req' || this.cs === 'req-body' ? 'R' : 'D'
    }
  }

  // --- deadlines ------------------------------------------------------------------------------

  #refreshCli(): void {
    const to = this.fe.cfg.timeouts
    let t: number | undefined
    switch (this.cs) {
      case 'req-body':
        t = to.client
        break
      case 'tunnel':
        t = this.st.be?.cfg.timeouts.tunnel ?? to.client
        break
      case 'wait-req':
        return // set when the request clock starts
      default:
        // Waiting for the server: the client has nothing to do unless it is slow to read.
        t = this.toCli.size > 0 ? to.client : undefined
    }
    this.cliExp = t === undefined ? Infinity : now() + t
    this.#resched()
  }

  #refreshSrv(): void {
    const to = this.st.be?.cfg.timeouts
    let t: number | undefined
    if (this.ss === 'res-head' || this.ss === 'res-body') t = to?.server
    else if (this.ss === 'tunnel') t = to?.tunnel ?? to?.server
    this.srvExp = t === undefined ? Infinity : now() + t
    this.#resched()
  }

  #resched(): void {
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
      this.#answer(tp.status, 'P', 'T', tp.page)
      return
    }
    if (this.queueExp <= t) { queueTimedOut(this, this.st); return }
    if (this.connExp <= t) { connectTimedOut(this, this.st); return }
    if (this.cliExp <= t) {
      this.cliExp = Infinity
      if (this.cs === 'wait-req') {
        // An idle keep-alive connection closes silently; a request that did not arrive in time
        // (slowloris, or a connection that never spoke) is answered 408.
        if (this.requests > 0 && (this.#in === null || this.#in.length === 0)) { this.finish('-', '-'); return }
        this.st.headAt = now()
        this.#answer(408, 'c', 'R')
        return
      }
      this.finish('c', this.#termPhase())
      return
    }
    if (this.srvExp <= t) {
      this.srvExp = Infinity
      if (this.ss === 'res-head') { this.st.server?.reportResult('http-read-timeout'); this.#answer(504, 's', 'H'); return }
      this.finish('s', this.#termPhase())
      return
    }
    this.#resched()
  }

  // --- logging and the end ----------------------------------------------------------------------

  #log(): void {
    const st = this.st
    if (st.logged) return
    st.logged = true
    const log = this.fe.httpLogSink
    if (!log) return
    const level = log.trafficLevel(endedInError(this.termination, st.retries) || st.status >= 500, st.logLevel)
    if (level < 0) return
    const t = now()
    const be = st.be ?? this.fe.backend
    const server = st.server
    const tr = st.headAt < 0 ? -1 : Math.round(st.headAt - Math.max(st.start, 0))
    const tw = queueTime(st)
    const tc = connectTime(st)
    const trs = st.resHeadAt < 0 || st.sentAt < 0 ? -1 : Math.round(st.resHeadAt - st.sentAt)
    const req = st.req
    const requestLine = req ? `${req.method} ${req.uri} HTTP/1.${req.version === 10 ? 0 : 1}` : '<BADREQ>'
    const cookieOn = !!be?.cfg.cookie
    const term = this.termination
    const tsc = (term === null ? '--' : formatTermination(term)) + (cookieOn ? st.reqCookie : '-') + (cookieOn ? st.resCookie : '-')
    const lf = this.fe.logFormat
    if (lf !== null) {
      st.sess = this.view
      st.beName = be?.name ?? ''
      st.log = {
        acceptDate: st.date, tq: tr, tw, tc, tr: trs, ta: Math.round(t - (st.start < 0 ? t : st.start)), tt: Math.round(t - this.acceptTime),
        bytesOut: st.bytesOut, status: st.status, termState: tsc, actconn: this.fe.host.actconn, feconn: this.fe.cur, beconn: be?.beconn ?? 0,
        srvconn: server?.cur ?? 0, retries: st.retries, srvQueue: server?.queue.length ?? 0, beQueue: be?.queue.length ?? 0,
        reqCaptures: st.reqCaptures ?? [], resCaptures: st.resCaptures ?? [], requestLine,
      }
      log.send(level, lf(st))
      return
    }
    log.send(level, formatHttpLog({
      clientAddr: this.cliAddr,
      clientPort: this.cliPort,
      requestDate: st.date,
      frontend: this.fe.name,
      backend: be?.name ?? '<NOBACKEND>',
      server: server?.name ?? (be?.dispatch && st.connectStart >= 0 ? '<dispatch>' : '<NOSRV>'),
      tr,
      tw,
      tc,
      trs,
      ta: Math.round(t - (st.start < 0 ? t : st.start)),
      status: st.status,
      bytesOut: st.bytesOut,
      tsc,
      actconn: this.fe.host.actconn,
      feconn: this.fe.cur,
      beconn: be?.beconn ?? 0,
      srvConn: server?.cur ?? 0,
      retries: st.retries,
      redispatched: st.redispatched,
      srvQueue: server?.queue.length ?? 0,
      beQueue: be?.queue.length ?? 0,
      reqCaptures: this.fe.http!.captures.request.length > 0 ? st.reqCaptures ?? [] : null,
      resCaptures: this.fe.http!.captures.response.length > 0 ? st.resCaptures ?? [] : null,
      request: requestLine,
    }))
  }

  /** Ends the session once: both sides closed, slots released, the current exchange logged. */
  finish(by: TermCause, phase: TermPhase): void {
    if (this.cs === 'closed') return
    const st = this.st
    if (this.termination === null || by !== '-') this.termination = { by, phase }
    if (this.ss === 'queued') leaveQueue(this, st)
    this.cs = 'closed'
    wheel.cancel(this.#timer)
    if (this.#reqParser !== null) { this.fe.http!.giveRequestParser(this.#reqParser); this.#reqParser = null }
    this.#releaseResParser()
    const normal = by === '-'
    const c = this.srv
    this.#resumeSrv()
    this.srv = null
    if (c) { if (normal && st.resDone && !st.srvClose) this.#releaseIdle(c); else c.abort() }
    if (this.#idle) { this.#releaseIdle(this.#idle); this.#idle = null }
    if (normal) this.cli.end()
    else this.cli.terminate()
    this.toCli.clear()
    this.toSrv.clear()
    // An exchange cut short is logged with how it ended.
    if (st.req !== null && !st.logged) this.#log()
    this.#releaseServer()
    this.#countBytes()
    if (st.tracked) streamEnd(st)
    this.madeView?.end()
    this.fe.sessionEnded(this)
  }

  /** Soft stop: a connection waiting for its next request closes now. */
  closeIfIdle(): void {
    if (this.cs === 'wait-req' && this.requests > 0 && (this.#in === null || this.#in.length === 0)) this.finish('-', '-')
  }

  kill(): void {
    this.finish('K', this.#termPhase())
  }
}

/** The path of a request target (origin form; the path of an absolute form). */
/** `capture request|response header` values of a head, cut to their lengths. A function of its
 *  own, not a closure in the message handlers: a closure there would make every call of them
 *  allocate a scope, captures configured or not. */
function captured(list: readonly Capture[], h: H1Head): string[] {
  const out: string[] = []
  for (const c of list) out.push((h.headers.get(c.lname) ?? '').slice(0, c.len))
  return out
}

function pathOf(uri: string): string {
  let start = 0
  if (uri.charCodeAt(0) !== 0x2f) {
    const scheme = uri.indexOf('://')
    if (scheme > 0) {
      const slash = uri.indexOf('/', scheme + 3)
      if (slash < 0) return '/'
      start = slash
    }
  }
  const q = uri.indexOf('?', start)
  return q < 0 ? (start === 0 ? uri : uri.slice(start)) : uri.slice(start, q)
}

function countConnection(h: H1Head): number {
  let n = 0
  for (let i = h.headers.find('connection', 0); i >= 0; i = h.headers.find('connection', i + 1)) n++
  return n
}

/** Replaces the Connection header with one token, or removes it (null). */
function setConnection(h: H1Head, token: string | null): void {
  h.headers.remove('connection')
  if (token !== null) h.headers.add('Connection', token)
}
