/**
 * The stream of a `mode http` session: one request/response exchange (HAProxy's stream and its
 * http transaction), what its phases decide and what its log line reports.
 */
import type { Backend } from '../../backend/backend.ts'
import type { Server } from '../../backend/server.ts'
import { Head } from '../../http/head.ts'
import type { ReqCookieFlag, ResCookieFlag } from '../../http/persist.ts'
import type { BodyFraming, H1Head } from '../../http/types.ts'
import type { BodyCompressor } from '../../http/compressor.ts'
import type { Dechunker } from '../../http/dechunk.ts'
import type { CompressionAlgo } from '../../model/types.ts'
import type { ProxyRules } from '../../rules/proxy.ts'
import type { StickEntry } from '../../rules/stick-table.ts'
import type { BodyTap, LogFields, Sample, SessionView, StreamView } from '../../rules/types.ts'
import type { TlsFacts } from '../../net/types.ts'
import type { SrvSide } from '../server-side.ts'
import type { RequestTrace } from '../tracer.ts'

/** One request/response exchange: what the log line and the decisions need, what rules read of
 *  it (StreamView: `sess` is set before any rule runs), and its server side (SrvSide).
 *
 *  Streams are recycled, with their heads (see takeStream/recycleStream): one is made per request
 *  otherwise, the largest object a request makes, and garbage per request is collection pauses
 *  per second at a steady load. Every field is therefore set in `reset()`, the one list of its
 *  starting values. */
export class Stream implements StreamView, SrvSide {
  readonly payload = null
  readonly payloadFinal = true
  sess!: SessionView
  beName!: string
  srvName!: string
  /** The first request of its client connection (`http_first_req`). */
  firstReq!: boolean
  /** The request body bytes that came with its head (`req.body`). */
  reqBody!: Uint8Array | null
  /** The client sent HEAD (whatever method the rules made of it): it gets no response body. */
  cliHead!: boolean
  /** The response body is read from the server and not sent to the client. */
  dropBody!: boolean
  /** The cache `cache-use` answered from (rules/types.ts). */
  cacheHit!: string | null
  /** The algorithm the response is compressed with (compression.ts). */
  compressedWith!: string | null
  /** Monotonic ms until which `wait-for-body` waits for the request body (-1: not waiting). */
  bodyWaitUntil!: number
  /** What sees the response body go by (`cache-store`), if anything. */
  resTap!: BodyTap | null
  /** The compression algorithm the request and the configuration agreed on (compression.ts),
   *  the compressor the response body goes through, and what takes its chunked framing off. */
  compAlgo!: CompressionAlgo | null
  resXform!: BodyCompressor | null
  resDechunk!: Dechunker | null
  /** The same for a request body (`compression direction request|both`). */
  reqXform!: BodyCompressor | null
  reqDechunk!: Dechunker | null
  #vars: Map<string, Sample> | undefined
  #sc: (StickEntry | undefined)[] | undefined
  logLevel: string | undefined
  captures: (string | undefined)[] | undefined
  tcpRuleAt: number | undefined
  log: LogFields | undefined
  /** Its unique id (`unique-id-format`), once made (unique-id.ts). */
  uniqueId: string | undefined
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
  /** `http-request disable-l7-retry`: sent again on connection failures only. */
  l7RetryOff!: boolean
  /** The request body as sent so far, kept while it may be sent again (l7-retry.ts); `retryKeep`:
   *  0 not decided yet, 1 keeping, 2 not replayable (a method that is not idempotent, no
   *  retry-on condition after sending, or more body than a buffer holds). */
  retryBody!: Uint8Array[] | null
  retryBytes!: number
  retryKeep!: 0 | 1 | 2
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
  /** What TLS negotiated with the server (`ssl_bc*`); null: clear text, or not connected yet. */
  srvTls!: TlsFacts | null
  /** Its trace, when its frontend traces and it was sampled (ended by logRequest). */
  trace!: RequestTrace | null

  constructor() {
    this.reset()
  }

  tapResponse(tap: BodyTap): void { this.resTap = tap }
  get srvId(): number | undefined { return this.server === null || this.srvName === '' ? undefined : this.server.puid }
  get vars(): Map<string, Sample> { return (this.#vars ??= new Map()) }
  get sc(): (StickEntry | undefined)[] { return (this.#sc ??= [undefined, undefined, undefined]) }
  /** Whether rules tracked or stored anything that must be released at its end. */
  get tracked(): boolean { return this.#sc !== undefined }

  reset(): void {
    this.srvTls = null
    this.trace = null
    this.sess = undefined as unknown as SessionView
    this.beName = ''
    this.firstReq = true
    this.cliHead = false
    this.reqBody = null
    this.dropBody = false
    this.resTap = null
    this.bodyWaitUntil = -1
    this.cacheHit = null
    this.compressedWith = null
    this.compAlgo = null
    this.resXform?.destroy()
    this.resXform = null
    this.resDechunk = null
    this.reqXform?.destroy()
    this.reqXform = null
    this.reqDechunk = null
    this.srvName = ''
    this.#vars = undefined
    this.#sc = undefined
    this.logLevel = undefined
    this.captures = undefined
    this.tcpRuleAt = undefined
    this.log = undefined
    this.uniqueId = undefined
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
    this.l7RetryOff = false
    this.retryBody = null
    this.retryBytes = 0
    this.retryKeep = 0
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

export function takeStream(): Stream {
  return spareStreams.pop() ?? new Stream()
}

/** `st` has ended and nothing refers to it, nor to its heads, any more (its session has let go
 *  of it). */
export function recycleStream(st: Stream): void {
  if (st.req !== null) Head.recycle(st.req)
  if (st.res !== null) Head.recycle(st.res)
  if (spareStreams.length >= SPARE_STREAMS_MAX) return
  st.reset()
  spareStreams.push(st)
}
