// What the server-selection algorithms share. The backend owns the servers and their counters;
// an algorithm keeps only what it derives from them (tables, rings, positions), rebuilt in
// update(). One interface, many implementations, one conformance suite (test/conformance/lb.ts).

/** What an algorithm sees of a server. The backend owns these objects and mutates them;
 *  algorithms must not copy them. */
export interface LbServer {
  readonly name: string
  /** Declaration order in the backend, from 0. */
  readonly index: number
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

/** What hashing algorithms hash: client address bytes, a URI, a header value… */
export interface LbRequest {
  /** Strings are hashed as their UTF-8 bytes. For `source`, pass the raw address bytes
   *  (4 for IPv4, 16 for IPv6), as HAProxy hashes them. */
  hashKey?: Uint8Array | string
}

/** HAProxy's `hash-type <method> <function> [avalanche]`. */
export interface HashType {
  /** map-based: hash modulo a weighted table (best spread, but a change remaps most keys);
   *  consistent: a ring of weight × 16 points per server (a change moves about 1/N of keys). */
  method: 'map-based' | 'consistent'
  fn: 'sdbm' | 'djb2' | 'wt6' | 'crc32' | 'none'
  /** Passes the hash through Bob Jenkins' full avalanche before use. */
  avalanche: boolean
}

export interface LbOptions {
  /** `option allbackups`: balance over all usable backups, not just the first. */
  allBackups: boolean
  /** For hashing algorithms; default map-based sdbm without avalanche, as HAProxy. */
  hashType?: HashType
  /** For `random`: how many servers to draw before keeping the least loaded (default 2). */
  draws?: number
}

export interface LbAlgorithm {
  /** The `balance` keyword. */
  readonly name: string
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
