/**
 * The configuration model: what the engine reads. Format-neutral (both readers build it through
 * the same keyword tables) and fully resolved: defaults are already applied, durations are
 * milliseconds (`Infinity` = never), sizes are bytes, addresses are parsed.
 *
 * Vocabulary is HAProxy's: a *proxy* is a frontend, a backend, or a listen section (both at once).
 */
import type { SourcePos } from './source.ts'
import type { BindTls, GlobalTls, ServerTls } from './tls.ts'

export type Mode = 'tcp' | 'http'

/** A listening address after expansion of lists and port ranges. `host` '' = every address. */
export type ListenAddr =
  | { family: 'ipv4' | 'ipv6'; host: string; port: number }
  | { family: 'unix'; path: string }
  /** `fd@3`; `systemd@http` names sockets systemd passed (`fd` is then -1, resolved when binding). */
  | { family: 'fd'; fd: number; name?: string }

export interface BindConfig {
  /** The address text as written (`:3389,:1494`, `10.0.0.1:8000-8010`, `unix@/run/x.sock`). */
  spec: string
  addrs: ListenAddr[]
  pos: SourcePos
  name?: string
  backlog?: number
  maxconn?: number
  /** `accept-proxy`: each connection begins with a PROXY protocol header (v1 or v2), whose
   *  addresses become the session's; one without a valid header is closed. */
  acceptProxy?: boolean
  /** `ssl`: the listener speaks TLS (model/tls.ts). */
  ssl?: boolean
  /** The TLS options of the line, whether or not `ssl` is there. */
  tls?: BindTls
  /** `proto h2`: clients speak HTTP/2 with prior knowledge (an HTTP/2 preface is recognized on
   *  every clear HTTP bind; with this, HTTP/1.1 is refused); `proto h1`: HTTP/1.1 only. */
  proto?: 'h1' | 'h2'
  /** Options that parse but whose behaviour is not built yet, kept for `convert` and warnings. */
  options: Record<string, string | true>
}

/** Where a server lives. `port` undefined: the port the client connected to, plus `portOffset`. */
export interface ServerAddr {
  host: string
  port?: number
  portOffset?: number
  /** `unix@/path` servers. */
  path?: string
}

export type OnError = 'fastinter' | 'fail-check' | 'sudden-death' | 'mark-down'

/** HAProxy's server PROXY protocol flags (SRV_PP_*), by the words of `proxy-v2-options`. */
export type PpFlag = 'v1' | 'v2' | 'ssl' | 'cert-cn' | 'ssl-cipher' | 'cert-sig' | 'cert-key' | 'authority' | 'crc32c' | 'unique-id'

/** Server options, as written on `server` and `default-server` lines. */
export interface ServerOptions {
  /** `id N` (server lines only): the number this server forces (HAProxy's puid). */
  id?: number
  check: boolean
  inter: number
  fastinter?: number
  downinter?: number
  rise: number
  fall: number
  checkPort?: number
  checkAddr?: string
  backup: boolean
  weight: number
  maxconn: number // 0 = no limit
  minconn: number // 0 = equal to maxconn
  maxqueue: number // 0 = no limit
  /** `pool-max-conn N`: the most idle connections to this server kept for reuse (-1: no limit
   *  of its own, 0: none). */
  poolMaxConn?: number
  slowstart: number
  track?: string // 'backend/server' or 'server'
  source?: string
  disabled: boolean
  cookie?: string
  agentCheck: boolean
  agentPort?: number
  agentInter?: number
  agentSend?: string
  agentAddr?: string
  observe?: 'layer4' | 'layer7'
  errorLimit: number
  onError: OnError
  onMarkedDown?: 'shutdown-sessions'
  onMarkedUp?: 'shutdown-backup-sessions'
  /** The PROXY protocol to the server, as HAProxy's flags (`pp_opts`): `send-proxy` (v1),
   *  `send-proxy-v2` (v2, which wins), the `-ssl`/`-ssl-cn` forms and `proxy-v2-options` (what a
   *  v2 header carries). Any flag makes each connection begin with a header. Unset: none. */
  sendProxy?: PpFlag[]
  /** `check-send-proxy`: health checks send a header too (they do anyway when `sendProxy` is set
   *  and neither `port` nor `addr` moves the check elsewhere). */
  checkSendProxy?: boolean
  /** `ssl` (`no-ssl` clears one a default-server set). */
  ssl?: boolean
  /** The TLS options of the line (model/tls.ts). */
  tls?: ServerTls
  /** `socks4 ADDR:PORT`: the SOCKS4 proxy to reach the server through (health checks only, with
   *  `check-via-socks4`). */
  socks4?: string
  checkViaSocks4?: boolean
  /** `proto h2`: HTTP/2 to the server in clear (h2c with prior knowledge); `proto h1`: HTTP/1.1.
   *  With `ssl`, an `alpn` naming h2 asks for HTTP/2 as well (proxy/h2/back.ts). */
  proto?: 'h1' | 'h2'
  /** `resolvers NAME`: the address is resolved at run time with that section's name servers. */
  resolvers?: string
  /** `resolve-prefer ipv4|ipv6` (HAProxy's default: ipv6). */
  resolvePrefer?: 'ipv4' | 'ipv6'
  /** `init-addr last,libc,none,IP`: how the address is found at start, in order. */
  initAddr?: string[]
  /** Options that parse but are not built yet (`ssl`, `send-proxy`, …), kept for warnings. */
  extra: Record<string, string | true>
}

export interface ServerConfig extends ServerOptions {
  name: string
  addr: ServerAddr
  pos: SourcePos
  /** Declaration order within the backend, from 0; algorithms that care use it. */
  index: number
  /** The server's number in its backend (src/model/ids.ts); index + 1 until assigned. */
  puid?: number
}

/** `balance NAME[(PARAM)] [WORDS…]`: the algorithm's name, as src/balance/registry.ts lists them,
 *  and its arguments, named and read by that algorithm's own file under src/balance/
 *  (`random(3)`: draws 3; `uri whole len 10`: whole, len; `hdr(Host)`: param). */
export interface BalanceConfig {
  readonly algo: string
  readonly [arg: string]: string | number | boolean | undefined
}

/** `hash-type <method> [<function> [avalanche]]`, for the hashing algorithms. */
export interface HashType {
  /** map-based: hash modulo a weighted table (best spread, but a change remaps most keys);
   *  consistent: a ring of weight × 16 points per server (a change moves about 1/N of keys). */
  method: 'map-based' | 'consistent'
  fn: 'sdbm' | 'djb2' | 'wt6' | 'crc32' | 'none'
  /** Passes the hash through Bob Jenkins' full avalanche before use. */
  avalanche: boolean
}

export interface CookieConfig {
  name: string
  /** `insert`, `rewrite`, `prefix`, or none: passive (read and route, never write). */
  method?: 'insert' | 'rewrite' | 'prefix'
  indirect: boolean
  nocache: boolean
  postonly: boolean
  preserve: boolean
  httponly: boolean
  secure: boolean
  domains: string[]
  maxidle?: number
  maxlife?: number
  dynamic: boolean
  attrs: string[]
  pos: SourcePos
}

/** Every timeout, in ms. Unset ones are `undefined` (the engine chooses what "unset" means). */
export interface Timeouts {
  connect?: number
  client?: number
  server?: number
  queue?: number
  tunnel?: number
  clientFin?: number
  serverFin?: number
  httpRequest?: number
  httpKeepAlive?: number
  check?: number
  tarpit?: number
}

export interface ForwardForConfig {
  except?: string // CIDR
  header: string
  ifNone: boolean
}

export interface OriginalToConfig {
  except?: string
  header: string
}

export interface HttpCheckConfig {
  method: string
  uri: string
  version: string
  /** Header lines embedded in the 1.x version word (`HTTP/1.1\r\nHost:\ www`), sent as written. */
  rawHeaders?: string
}

/** `http-request …`, `tcp-request …`, `acl …`, `stick …`: kept as words until rules are compiled. */
export interface RuleConfig {
  kw: string
  args: string[]
  pos: SourcePos
}

export interface StickTableConfig {
  type: 'ip' | 'ipv6' | 'integer' | 'string' | 'binary'
  len?: number
  size: number
  expire?: number
  store: string[]
  peers?: string
  pos: SourcePos
}

/** A `log` line. The address is kept as written and read by src/log/target-address.ts (which
 *  refuses a bad one at load). */
export interface LogTarget {
  /** `stdout`, `stderr`, `udp@host:port`, `127.0.0.1`, `/dev/log`, `global`… as written. */
  address: string
  facility?: string
  /** The least severe level sent (`level`), and the most severe one written (`minlevel`). */
  level?: string
  minLevel?: string
  /** `format`: local (default), rfc3164, rfc5424, priority, short, timed, iso, raw. */
  format?: string
  /** `len`: bytes per line (80 to 65535; 1024 when unset). */
  len?: number
  /** `sample RANGES:SIZE`, as written. */
  sample?: string
  pos: SourcePos
}

export interface CaptureConfig {
  kind: 'request' | 'response'
  header: string
  len: number
}

/** The stats page of a proxy (`stats enable`, `stats uri`, `stats auth`…; any of them enables
 *  it, as in HAProxy; a defaults section hands it to the proxies that follow). */
export interface StatsConfig {
  /** The URI prefix the page answers (`/haproxy?stats` by default). */
  uri: string
  /** `stats realm` (the 401's realm; `HAProxy Statistics` by default). */
  realm?: string
  /** `stats auth USER:PASSWORD` lines: with any, the page needs one of these credentials. */
  auths: { user: string; password: string }[]
  /** `stats refresh` (ms): the page reloads itself. */
  refresh?: number
  hideVersion: boolean
  showLegends: boolean
  /** `stats show-node [NAME]` ('' = the host name) and `stats show-desc [TEXT]`. */
  showNode?: string
  showDesc?: string
  /** `stats scope NAME` lines: only these proxies (`.` = this one); none = every proxy. */
  scope: string[]
}

/** `retry-on`: the failures after which a request is sent again, each while `retries` remain.
 *  HAProxy's `retry_type`; `none` is every field false and no status. */
export interface RetryOn {
  /** The connection (or its TLS handshake) failed: nothing of the request was sent. */
  connFailure: boolean
  /** The server closed after the request was sent, with nothing received. */
  emptyResponse: boolean
  /** The server sent what is not a complete response head. */
  junkResponse: boolean
  /** `timeout server` ran out waiting for the response head. */
  responseTimeout: boolean
  /** Early data (0-RTT) the server refused. edgelb sends no early data: accepted, never met. */
  zeroRttRejected: boolean
  /** Response statuses that send the request again (401 403 404 408 425 500 501 502 503 504). */
  statuses: number[]
}

export interface ProxyConfig {
  kind: 'frontend' | 'backend' | 'listen' | 'defaults'
  name: string
  pos: SourcePos
  /** `id N`: the number this proxy forces (HAProxy's uuid). */
  id?: number
  /** The proxy's number (src/model/ids.ts), assigned when the configuration is validated. */
  uuid?: number
  /** Named defaults this section took its settings from, if any. */
  from?: string
  mode: Mode
  disabled: boolean
  binds: BindConfig[]
  maxconn?: number
  backlog?: number
  fullconn?: number
  retries: number
  /** `option redispatch [N]`: which retries go to another server. -1 (no N): the last one; N > 0:
   *  every Nth; N < 0: the |N|th from the last; 0: none. Only read when the option is on. */
  redispatchAfter: number
  /** `retry-on`: which failures send a request again (the default: connection failures). */
  retryOn: RetryOn
  grace: number
  balance: BalanceConfig
  hashType: HashType
  timeouts: Timeouts
  /** `option NAME` flags as written, after `no option` and defaults: name → enabled. */
  options: Record<string, boolean>
  /** Words after `option NAME` for options that take some and have no typed field below. */
  optionArgs: Record<string, string[]>
  forwardFor?: ForwardForConfig
  originalTo?: OriginalToConfig
  httpCheck?: HttpCheckConfig
  /** `option http-restrict-req-hdr-names`: what to do with a request header whose name has other
   *  characters than letters, digits and `-` (unset: preserve). */
  restrictReqHdrNames?: 'preserve' | 'delete' | 'reject'
  cookie?: CookieConfig
  defaultServer: ServerOptions
  servers: ServerConfig[]
  dispatch?: ServerAddr
  source?: string
  monitorNet: string[]
  monitorUri?: string
  /** `clitcpka-idle`, `srvtcpka-idle`: ms of silence before the first keep-alive probe, with
   *  `option clitcpka`/`srvtcpka`/`tcpka` (absent: the system's). */
  cliTcpkaIdle?: number
  srvTcpkaIdle?: number
  /** `external-check command CMD` and `external-check path PATH` (with `option external-check`). */
  externalCheck?: { command?: string; path?: string }
  /** `compression algo|type|offload|direction` (absent: none written). */
  compression?: CompressionConfig
  defaultBackend?: string
  /** `use_backend NAME [if|unless cond]` in order; `args[0]` is the backend name (may be `%[…]`). */
  useBackends: RuleConfig[]
  acls: RuleConfig[]
  /** Every other rule keyword (`http-request`, `http-response`, `tcp-request`, `stick`,
   *  `http-check`, `tcp-check`, `redirect`, …) in declaration order. */
  rules: RuleConfig[]
  stickTable?: StickTableConfig
  logs: LogTarget[]
  logFormat?: string
  /** `unique-id-format`: each stream's unique id (`%ID`, the PROXY header's UNIQUE_ID), a
   *  log-format string. */
  uniqueIdFormat?: string
  /** `load-server-state-from-file global|local|none` (none by default) and `server-state-file-name
   *  [use-backend-name|FILE]` (a local file; the backend's name by default). */
  loadServerState?: 'global' | 'local' | 'none'
  serverStateFileName?: string
  /** `error-log-format`: the log-format of connection error lines (a failed TLS handshake). */
  errorLogFormat?: string
  /** `unique-id-header NAME`: the request sent to the server carries the unique id in this header. */
  uniqueIdHeader?: string
  /** `log-tag`: the program tag of this proxy's log lines (the global one when unset). */
  logTag?: string
  captures: CaptureConfig[]
  errorFiles: Record<number, string>
  /** `http-reuse`: which idle server connections a request may use (HAProxy's default: safe). */
  httpReuse: 'never' | 'safe' | 'aggressive' | 'always'
  /** The stats page, when a `stats` keyword enables it. */
  stats?: StatsConfig
}

/** One `cpu-map [auto:]1[/THREADS] CPUS…` line: threads 1-based (`odd`, `even`, `all` resolved
 *  once the thread count is known, cli/threads.ts `threadCpus`). */
export interface CpuMapLine {
  threads: 'all' | 'odd' | 'even' | number[]
  cpus: number[]
  /** `auto:`: the n-th thread of the set to the n-th CPU of the set. */
  auto: boolean
}

export interface GlobalConfig {
  maxconn?: number
  nbthread?: number
  /** `cpu-map` lines, in order (a later line for the same thread wins). */
  cpuMap?: CpuMapLine[]
  pidfile?: string
  daemon: boolean
  quiet: boolean
  logs: LogTarget[]
  /** `log-tag` (edgelb when unset). */
  logTag?: string
  /** `log-send-hostname [NAME]`: the hostname field of syslog headers ('' = the system's name). */
  logSendHostname?: string
  /** `stats socket` lines as written (model/stats-socket.ts reads them), and `stats timeout`
   *  (ms; 10 s when unset). */
  /** `uid`/`gid`: the socket file's owner, names resolved at load (`user`/`group` options). */
  statsSockets: { address: string; options: string[]; pos: SourcePos; uid?: number; gid?: number }[]
  statsTimeout?: number
  /** `server-state-file FILE` and `server-state-base DIR`: where `load-server-state-from-file`
   *  reads the servers' states at start (HAProxy's `show servers state` format). */
  serverStateFile?: string
  serverStateBase?: string
  /** `set-var NAME EXPR` / `set-var-fmt NAME FMT`: process variables set at load, in order. */
  setVars: { kw: 'set-var' | 'set-var-fmt'; name: string; value: string; pos: SourcePos }[]
  spreadChecks: number
  /** `pp2-never-send-local`: health checks send a PROXY v2 header with the PROXY command and their
   *  connection's addresses instead of LOCAL (HAProxy before 2.2 did, and some servers need it). */
  pp2NeverSendLocal?: boolean
  hardStopAfter?: number
  /** `tune.*` values that edgelb reads: `tune.bufsize` (16384), `tune.http.maxhdr` (101), and when
   *  set `tune.rcvbuf.client`, `tune.rcvbuf.server`, `tune.sndbuf.client`, `tune.sndbuf.server`
   *  (bytes; keyed by those names less `tune.`). */
  tune: { bufsize: number; maxhdr: number; [k: string]: number }
  localPeer?: string
  /** `chroot DIR`, applied once the listeners are bound. */
  chroot?: string
  /** `user NAME` / `uid N` and `group NAME` / `gid N`, resolved to numbers at load. */
  uid?: number
  gid?: number
  /** `crt-base`, `ca-base`, `ssl-default-*`, `ssl-server-verify` (model/tls.ts). */
  tls?: GlobalTls
  /** `otel` and the `otel-*` keywords (edgelb's own): OpenTelemetry traces and metrics. */
  otel?: OtelConfig
  /** `setenv`, `presetenv`, `unsetenv`, `resetenv` lines, words as written, in order: the reader
   *  applied them to what the configuration expands; `run` applies them to the process's
   *  environment (programs and checks see it). */
  envEdits?: string[][]
  /** `external-check [preserve-env]`: external checks may run (with edgelb's environment too). */
  externalCheck?: { preserveEnv: boolean }
}

/** OpenTelemetry as the configuration asks for it; a setting left out comes from the standard
 *  `OTEL_*` environment variables (stats/otel.ts resolves both). */
export interface OtelConfig {
  /** `otel [traces] [metrics]`: turned on (undefined: only `otel-*` settings were written), and
   *  which signals (both when neither word is written). */
  on?: { traces: boolean; metrics: boolean; pos: SourcePos }
  /** `otel-endpoint URL`: the OTLP/HTTP base URL (`/v1/traces`, `/v1/metrics` appended). */
  endpoint?: string
  /** `otel-service-name NAME`: the `service.name` resource attribute. */
  serviceName?: string
  /** `otel-sampler NAME [ARG]`: as OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG. */
  sampler?: string
  samplerArg?: string
  /** `otel-metrics-interval DURATION` (ms): how often metrics are exported. */
  metricsInterval?: number
}

/** `peers NAME`: the peers (`peer NAME ADDR:PORT`, or `server NAME [ADDR:PORT]` with `bind`
 *  in the 2.x form), and the tables declared in the section (shared as `NAME/TABLE`). Which peer
 *  is this process is known at start (`-L`, `localpeer`, else the host name). */
export interface PeersConfig {
  name: string
  pos: SourcePos
  /** Each peer; `address` is '' for a `server` line without one (the local peer, with `bind`). */
  peers: { name: string; address: string; pos: SourcePos }[]
  /** `bind ADDR:PORT` lines: where the local peer listens in the 2.x form. */
  binds?: { address: string; pos: SourcePos }[]
  /** `table NAME …` lines. */
  tables?: { name: string; cfg: StickTableConfig }[]
  /** `disabled`: the section is not started. */
  disabled?: true
}

/** `userlist NAME`: users and groups for `http_auth`/`http_auth_group`. */
export interface UserlistConfig {
  name: string
  pos: SourcePos
  users: UserConfig[]
  /** Every group the section declares, with the users each holds (from both sides: `group …
   *  users` and `user … groups`). */
  groups: Map<string, Set<string>>
}

export interface UserConfig {
  name: string
  /** `password HASH` (a crypt(3) hash), `insecure-password TEXT`; none: the user never matches. */
  password?: { kind: 'crypt' | 'insecure'; value: string }
  pos: SourcePos
}

/** The compression algorithms of `compression algo`. */
export type CompressionAlgo = 'identity' | 'gzip' | 'deflate' | 'raw-deflate'

/** A proxy's `compression` lines (a backend's apply, else its frontend's, as in HAProxy). */
export interface CompressionConfig {
  /** `compression algo` / `algo-res`: in the order written. */
  algos: CompressionAlgo[]
  /** `compression type` / `type-res`: Content-Type prefixes (empty: every type). */
  types: string[]
  /** `compression offload`: Accept-Encoding removed from requests it compresses for. */
  offload: boolean
  /** `compression direction` (default response). */
  direction?: 'response' | 'request' | 'both'
  /** `compression algo-req ALGO`, `compression type-req TYPE…`: request bodies. */
  algoReq?: CompressionAlgo
  typesReq?: string[]
}

/** `resolvers NAME`: name servers the servers' addresses are resolved with at run time. */
export interface ResolversConfig {
  name: string
  pos: SourcePos
  /** `nameserver NAME ADDRESS:PORT` (UDP), and those of /etc/resolv.conf (`parse-resolv-conf`). */
  nameservers: { name: string; host: string; port: number; pos: SourcePos }[]
  /** `resolve_retries N` (default 3). */
  retries: number
  /** `timeout resolve` (default 1 s: how often addresses are asked for) and `timeout retry`
   *  (default 1 s: how long an answer is waited for before asking again), ms. */
  timeoutResolve: number
  timeoutRetry: number
  /** `hold STATUS PERIOD`, ms: how long the last good address stays in use after an answer of
   *  that kind (nx, other, refused, timeout: 30 s; valid: 10 s; obsolete: 0). */
  hold: { nx: number; other: number; refused: number; timeout: number; valid: number; obsolete: number }
  /** `accepted_payload_size` (default 512; above it, EDNS0 says so). */
  payloadSize: number
}

/** `cache NAME`: HAProxy's small HTTP object cache. */
export interface CacheConfig {
  name: string
  pos: SourcePos
  /** `total-max-size` (given in megabytes), in bytes. */
  totalMaxSize: number
  /** `max-object-size`, bytes (default: a 256th of the total). */
  maxObjectSize: number
  /** `max-age`, seconds (default 60): no object is served older than this. */
  maxAge: number
  /** `process-vary on`: responses with `Vary` (on Accept-Encoding, Referer, Origin) are cached
   *  per variant; off (the default), they are not cached. */
  processVary: boolean
  /** `max-secondary-entries` (default 10): variants kept per URL. */
  maxSecondaryEntries: number
}

/** `program NAME`: a process the master starts before the listeners and stops with edgelb. */
export interface ProgramConfig {
  name: string
  /** `command` words; a first word `edgelb` means this same edgelb executable. */
  command: string[]
  pos: SourcePos
}

export interface Config {
  global: GlobalConfig
  /** Every proxy (frontend, backend, listen) in declaration order; `defaults` are folded in. */
  proxies: ProxyConfig[]
  peers: PeersConfig[]
  /** `userlist` sections (absent: none). */
  userlists?: UserlistConfig[]
  /** `cache` sections (absent: none). */
  caches?: CacheConfig[]
  /** `resolvers` sections (absent: none). */
  resolvers?: ResolversConfig[]
  programs: ProgramConfig[]
  /** `ring` sections, in declaration order (absent: none). */
  rings?: RingConfig[]
  /** The files it was read from, in order. */
  files: string[]
}

/** A `ring` section: a buffer of log lines in memory (`log ring@NAME`), which `show events NAME`
 *  prints and which its `server` lines forward over TCP. */
export interface RingConfig {
  name: string
  description?: string
  /** `format`: the syslog header of the lines it stores, as `log … format` (raw by default, as HAProxy). */
  format?: string
  /** `maxlen`: bytes per line, header included (longer ones are cut). */
  maxLen?: number
  /** `size`: bytes of lines it holds; the oldest go first (16384 by default, HAProxy's bufsize). */
  size: number
  /** `timeout connect` and `timeout server` of its servers (ms). */
  timeoutConnect?: number
  timeoutServer?: number
  servers: RingServerConfig[]
  pos: SourcePos
}

/** A ring's `server NAME ADDRESS [log-proto legacy|octet-count]`: a syslog server over TCP. */
export interface RingServerConfig {
  name: string
  /** The address as written (host:port). */
  address: string
  /** `log-proto octet-count` (RFC 6587 octet counting); otherwise each line ends with a line feed. */
  octetCount: boolean
  pos: SourcePos
}
