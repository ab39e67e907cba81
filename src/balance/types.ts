// What the server-selection algorithms share. The backend owns the servers and their counters;
// an algorithm keeps only what it derives from them (tables, rings, positions), rebuilt in
// update(). One interface, many implementations, one conformance suite (test/conformance/lb.ts).
//
// An algorithm is one file under src/balance/ that says everything about it: its name, what it
// hashes, whether its weights are dynamic, how it reads its arguments, how a session gets its key,
// and how it picks. registry.ts is the only list of them; the config, the health checks (slowstart)
// and the sessions ask the algorithm, never its name.
import type { SourcePos } from '../model/source.ts'
import type { HashType } from '../model/types.ts'
import type { CompileCtx } from '../rules/context.ts'
import type { StreamView } from '../rules/types.ts'

/** What an algorithm sees of a server. The backend owns these objects and mutates them;
 *  algorithms must not copy them. */
export interface LbServer {
  readonly name: string
  /** Declaration order in the backend, from 0. */
  readonly index: number
  /** The server's number in its backend (HAProxy's puid): the points of consistent hashing derive from it. */
  readonly puid: number
  /** Effective weight 0..256; may change at runtime (slowstart, agent). 0 = no new traffic. */
  weight: number
  readonly backup: boolean
  /** Up and not in maintenance or drain, as the backend sees it now. */
  usable: boolean
  /** Current connections on it (the backend updates it). */
  cur: number
  /** 0 = no limit. The backend queues; `cur >= maxconn > 0` tells an algorithm to skip it. */
  maxconn: number
}

/** What a hashing algorithm hashes. Strings are hashed as their UTF-8 bytes. For `source`, the
 *  raw address bytes (4 for IPv4, 16 for IPv6), as HAProxy hashes them. */
export type HashKey = Uint8Array | string

/** What hashing algorithms hash: client address bytes, a URI, a header value… */
export interface LbRequest {
  hashKey?: HashKey
}

export type { HashType }

export interface LbOptions {
  /** `option allbackups`: balance over all usable backups, not just the first. */
  allBackups: boolean
  /** For hashing algorithms; default map-based sdbm without avalanche, as HAProxy. */
  hashType?: HashType
  /** The algorithm's own arguments, as its parse() read them from the `balance` line (`random`:
   *  `draws`, how many servers to draw before keeping the least loaded, default 2). */
  readonly [arg: string]: string | number | boolean | HashType | undefined
}

/** The arguments of a `balance` line, as its algorithm names them in the model (BalanceConfig). */
export type BalanceArgs = { readonly [arg: string]: string | number | boolean | undefined }

/** `balance NAME[(PARAM)] [WORDS…]`, as the config hands it to the algorithm named NAME. */
export interface BalanceWords {
  /** What the parentheses after the name hold, when written: `random(3)`, `hdr(Host)`. */
  readonly param: string | undefined
  /** The words after the name. */
  readonly words: readonly string[]
  readonly at: SourcePos
  /** Reports an argument HAProxy knows that edgelb accepts but does not act on yet (`why`: what
   *  it would take). */
  notBuilt(what: string, why: string): void
}

/** How a session gets the key of a hashing algorithm, compiled at load: from the client's
 *  address, or from the request (its HTTP head, the tcp payload received so far, or any sample).
 *  Undefined: this request has no key, and the balancer spreads it by weight. */
export type LbKey =
  | { readonly from: 'source'; get(cliAddr: string): HashKey | undefined }
  | {
    readonly from: 'request'
    /** The key reads the session (`s.sess`): the caller sets it before asking. */
    readonly readsSession: boolean
    get(s: StreamView): HashKey | undefined
  }

/** `A`: its arguments in the model, as its parse() returns them and its key() reads them. */
export interface LbAlgorithm<A extends BalanceArgs = BalanceArgs> {
  /** The `balance` keyword. */
  readonly name: string
  /** What it hashes: nothing, the client's source address, or something of the request (a URI,
   *  a query parameter, a header, an RDP cookie, a sample expression); `key` compiles the getter. */
  readonly hashes: 'nothing' | 'source' | 'request'
  /** Its key exists only in `mode http` (elsewhere the `balance` line is ignored, with a warning). */
  readonly httpOnly: boolean
  /** HAProxy's dynamic algorithms: weights may change at run time, so slowstart ramps them and
   *  `set weight` takes any value. Static ones keep the full weight (0% and 100% only). Hashing
   *  ones are dynamic with consistent hashing only. */
  dynamicWeights(hashType: HashType): boolean
  /** Reads the arguments of its `balance` line into the model; throws ConfigError. */
  parse(w: BalanceWords): A
  /** Compiles how a session gets the key to hash (hashing algorithms only), once, at load; `ctx`
   *  compiles samples. Throws ConfigError. */
  key?(args: A, ctx: CompileCtx): LbKey
  create(servers: readonly LbServer[], options: LbOptions): LbState
}

/** One backend's selection state. The backend calls update() after it changes `usable`,
 *  `weight` or `maxconn` of any server, and maintains `cur`, calling taken()/released() when
 *  an algorithm defines them. */
export interface LbState {
  /** The server for a new connection or request, or undefined when none can take it: none is
   *  usable, or every candidate is full where the algorithm skips full servers (then the backend
   *  queues). Never a server that is !usable or of weight 0. roundrobin, static-rr, leastconn and
   *  first skip full servers; hashing ones return the hashed server even if full, so the caller
   *  queues on it; random prefers a non-full draw. */
  pick(req?: LbRequest): LbServer | undefined
  /** The usable set or some weight changed: rebuild what depends on it. Called on state
   *  changes, not per request. */
  update(): void
  /** A connection was taken on / released from `s` (after `cur` changed). */
  taken?(s: LbServer): void
  released?(s: LbServer): void
}
