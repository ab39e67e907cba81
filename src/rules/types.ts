/**
 * The contract between the rules library and the sessions that run it.
 *
 * The sessions (src/proxy) implement SessionView (one client connection) and StreamView (one
 * request/response; in tcp mode, the session's content), and act on the verdicts the compiled
 * rules return. Everything a rule reads at run time comes through these interfaces; everything a
 * rule was configured with was compiled at load into closures (proxy.ts `compileProxyRules`).
 */
import type { H1Head } from '../http/types.ts'
import type { ProxyHeader } from '../net/proxy-protocol.ts'
import type { TlsFacts } from '../net/types.ts'
import type { StickEntry } from './stick-table.ts'

/**
 * A sample: what a fetch produces and a converter transforms. HAProxy's types map onto plain
 * values so that the hot path allocates nothing: `str`/`meth` → string, `sint` → number (an
 * integer), `bool` → boolean, `bin` → Uint8Array, `ipv4`/`ipv6` → string (the address as text).
 * "No sample" (a missing header, an unset variable) is `undefined`.
 */
export type Sample = string | number | boolean | Uint8Array

/** The static type of an expression's output, known at load: picks an ACL's default match
 *  method and checks that a converter accepts its input. `any` = decided at run time (variables). */
export type SampleType = 'str' | 'int' | 'bool' | 'ip' | 'bin' | 'any'

/** What the engine knows about its proxies and servers, shared by every session. */
export interface EngineView {
  /** Usable servers in backend `be` (0 when unknown). */
  nbsrv(be: string): number
  /** Free connection slots plus free queue slots of backend `be` (-1: unlimited). */
  connslots(be: string): number
  /** Current connections of backend `be`. */
  beConn(be: string): number
  /** Current connections of frontend `fe`. */
  feConn(fe: string): number
  /** Whether server `srv` of backend `be` is up. */
  srvIsUp(be: string, srv: string): boolean
  /** The number of the thread running the rule, from 0 (`nbthread`); absent: 0. */
  thread?(): number
}

/** One client connection for its whole life. */
export interface SessionView {
  readonly cliAddr: string
  readonly cliPort: number
  readonly dstAddr: string
  readonly dstPort: number
  readonly feName: string
  /** The name of the listener (`bind … name N`) that accepted the connection, if it has one. */
  readonly soName?: string | undefined
  readonly engine: EngineView
  /** `sess.*` variables, keyed by their full name (`sess.user`). */
  readonly vars: Map<string, Sample>
  /** Entries tracked by `tcp-request connection|session track-scN`: index N, up to 3. */
  readonly sc: (StickEntry | undefined)[]
  /** What the PROXY protocol header this connection began with said, and the socket's own
   *  addresses (`fc_src`, `fc_dst`…), which `cliAddr`/`dstAddr` no longer show when the header
   *  relayed others. Absent or null: the connection began with none. */
  readonly proxied?: ProxiedConn | null
  /** `tcp-request connection expect-proxy layer4`: a PROXY header is read before anything else. */
  expectProxy?(): void
  /** What TLS negotiated with the client (`ssl_fc*`, `ssl_c*`); null or absent: clear text. */
  readonly cliTls?: TlsFacts | null
  /** The current stream's unique id (`unique-id-format`, made on first use; '' without one). */
  uniqueId?(): string
  /** `set-src`/`set-src-port`, `set-dst`/`set-dst-port`: what the connection's addresses are from
   *  then on (an undefined part stays). Absent where they cannot change. */
  setSrc?(addr: string | undefined, port: number | undefined): void
  setDst?(addr: string | undefined, port: number | undefined): void
  /** The current stream's unique id (`unique-id-format`), made on first use; '' without a
   *  format. Absent where there is none (fake sessions). */
  uniqueId?(): string
  /** The connection's own addresses (`fc_src`…), when rules after `tcp-request connection`
   *  changed the session's; absent or null: the session's are the connection's. */
  readonly fc?: ConnAddrs | null
}

export interface ConnAddrs {
  readonly src: string
  readonly srcPort: number
  readonly dst: string
  readonly dstPort: number
}

/** A connection that began with a PROXY protocol header (`accept-proxy`, `expect-proxy`). */
export interface ProxiedConn {
  readonly header: ProxyHeader
  /** The socket's addresses (the sender's, and the address it connected to). */
  readonly fcSrc: string
  readonly fcSrcPort: number
  readonly fcDst: string
  readonly fcDstPort: number
}

/** One request/response pair (in tcp mode, the session's content). */
export interface StreamView {
  readonly sess: SessionView
  /** HTTP heads once parsed (null in tcp mode, and `res` until the response head arrived).
   *  Header and request-line actions edit them in place. */
  readonly req: H1Head | null
  readonly res: H1Head | null
  /** The HTTP request body as far as it arrived with its head (all of it with `option
   *  http-buffer-request`), for `req.body`. */
  readonly reqBody?: Uint8Array | null
  /** Request bytes received so far, for `tcp-request content` (`req.len`, `req.payload`). */
  readonly payload: Uint8Array | null
  /** No more request bytes will be waited for: the inspect delay expired, the buffer is full, the
   *  client closed, or there is no inspect delay. Until then, payload fetches that lack bytes make
   *  `tcpContent` answer `wait` rather than decide on part of the data. */
  readonly payloadFinal: boolean
  /** Response bytes received so far, for `tcp-response content` (`res.len`, `res.payload`), and
   *  whether no more will be waited for (as `payload` and `payloadFinal` for the request). */
  readonly resPayload?: Uint8Array | null
  readonly resPayloadFinal?: boolean
  /** The backend and server chosen so far ('' until known). */
  beName: string
  srvName: string
  /** Whether this is the first request of its client connection (`http_first_req`); tcp
   *  mode and fake streams leave it out (then true). */
  readonly firstReq?: boolean
  /** The chosen server's id (HAProxy's numbering: its rank in the backend, from 1), if any. */
  readonly srvId?: number
  /** `txn.*`, `req.*`, `res.*` variables, keyed by their full name (`txn.host`). */
  readonly vars: Map<string, Sample>
  /** Entries tracked by `tcp-request content`/`http-request`/`http-response` `track-scN`. A
   *  counter is looked up here first, then on the session (as HAProxy does). */
  readonly sc: (StickEntry | undefined)[]
  /** Owned by the rules: where `tcp-request content` resumes after answering `wait`, so that
   *  rules already run are not run twice (start it undefined). */
  tcpRuleAt?: number
  /** The same for `tcp-response content`. */
  tcpResRuleAt?: number
  /** Set by `http-request disable-l7-retry`: retried on connection failures only. */
  l7RetryOff?: boolean
  /** Set by `set-log-level` (`silent` = do not log this stream). */
  logLevel?: string
  /** Filled by `capture` actions, in slot order (`capture … id N` / declaration order). */
  captures?: (string | undefined)[]
  /** `capture request header` / `capture response header` values in declaration order, once
   *  that head arrived (the HTTP session fills them; their slots come before the actions'). */
  readonly reqCaptures?: readonly string[] | null
  readonly resCaptures?: readonly string[] | null
  /** What TLS negotiated with the server (`ssl_bc*`, `ssl_s*`); null or absent: clear text or
   *  no server connection yet. */
  srvTls?: TlsFacts | null
  /** What log-format tags read beyond samples; the session fills it before logging. */
  log?: LogFields
  /** The cache that answered this request (`cache-use`), for `res.cache_hit`/`res.cache_name`;
   *  null or absent: none. */
  cacheHit?: string | null
  /** The algorithm its response is compressed with (`res.comp`, `res.comp_algo`); null or
   *  absent: not compressed. */
  readonly compressedWith?: string | null
  /** `http-response` actions that must see the response body (`cache-store`): `tap` gets its
   *  bytes as the server framed them, then `end()` once the whole body went to the client (never,
   *  if the exchange broke off). Absent where there is no body to see. */
  tapResponse?(tap: BodyTap): void
}

/** What sees a response body go by (see `StreamView.tapResponse`). */
export interface BodyTap {
  data(chunk: Uint8Array): void
  end(): void
}

/** Per-stream values only logs read (HAProxy's `%` tags). Times are ms; -1 = did not happen. */
export interface LogFields {
  /** Wall-clock ms of the accept (for `%t`, `%T`, `%Ts`, `%ms`). */
  acceptDate?: number
  tq?: number
  tw?: number
  tc?: number
  tr?: number
  ta?: number
  tt?: number
  th?: number
  ti?: number
  /** Bytes from the server to the client (`%B`), and from the client (`%U`). */
  bytesOut?: number
  bytesIn?: number
  /** The status sent to the client (`%ST`): the server's, or the one edgelb answered with. */
  status?: number
  /** Two-letter (or four) termination state (`%ts`, `%tsc`). */
  termState?: string
  /** Why a connection failed before it made a session (a TLS handshake), in HAProxy's words
   *  (`fc_err_str`, error-log-format). */
  connError?: string
  srvAddr?: string
  srvPort?: number
  actconn?: number
  feconn?: number
  beconn?: number
  srvconn?: number
  retries?: number
  srvQueue?: number
  beQueue?: number
  /** `capture request header` / `capture response header` values (`%hr`, `%hs`). */
  reqCaptures?: string[]
  resCaptures?: string[]
  /** The request line as received (`%r`), if the session kept it. */
  requestLine?: string
  uniqueId?: string
}

/** A response edgelb builds itself: `return`, `redirect`, and `deny`/`tarpit` with a body. */
export interface HttpReply {
  status: number
  /** Header fields to send, in order (`content-type`, `location`, `set-cookie`, `hdr …`). The
   *  session adds Content-Length (from `body`) and the connection headers itself. */
  headers: [string, string][]
  body: string | Uint8Array
}

/**
 * What the session does after an `http-request` / `http-response` rule set ran.
 *  - `continue`: go on (no rule stopped, or `allow` stopped the set);
 *  - `deny`: answer `status` (the proxy's errorfile for it, unless `reply` carries a body) and
 *    close; on the response side, replace the server's response;
 *  - `tarpit`: hold the request for `timeout tarpit`, then answer like `deny`;
 *  - `reject`: close the connection without answering (`http-request reject`, `silent-drop`);
 *  - `reply`: send `reply` (a `return` or a `redirect`) instead of forwarding.
 */
export type HttpVerdict =
  | { readonly kind: 'continue' }
  | { readonly kind: 'deny'; readonly status: number; readonly reply?: HttpReply }
  | { readonly kind: 'tarpit'; readonly status: number; readonly reply?: HttpReply }
  | { readonly kind: 'reject' }
  | { readonly kind: 'reply'; readonly reply: HttpReply }
  /** `use-service NAME`: a service edgelb runs answers the request. */
  | { readonly kind: 'service'; readonly name: string }

export type TcpVerdict = 'accept' | 'reject'
/** `wait`: a rule needs request bytes that have not arrived yet; call again when more arrive or
 *  when the inspect delay expires (then with `payloadFinal` set). */
export type TcpContentVerdict = 'accept' | 'reject' | 'wait'

export const CONTINUE: HttpVerdict = Object.freeze({ kind: 'continue' })
export const REJECT: HttpVerdict = Object.freeze({ kind: 'reject' })
