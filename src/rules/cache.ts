/**
 * One `cache` section at run time: the objects it holds, found by URL (host and path with query,
 * HAProxy's primary key) and, for responses that vary, by the request headers they vary on (the
 * secondary key). Memory is bounded by `total-max-size`: the least recently used objects go
 * first; an object larger than `max-object-size` is never kept; at most `max-secondary-entries`
 * variants per URL.
 */
import type { CacheConfig } from '../model/types.ts'
import { secondaryKey } from '../http/cacheability.ts'
import type { H1Head } from '../http/types.ts'
import { firstValue, uriAuthority, uriPathq } from './http-sample.ts'

export interface CacheObject {
  readonly primary: string
  readonly vary: readonly string[]
  readonly secondary: string
  readonly status: number
  readonly headers: readonly [string, string][]
  readonly body: Uint8Array
  /** Monotonic ms when stored, and when it expires. */
  readonly storedAt: number
  readonly expiresAt: number
  /** The `Age` the response came with, seconds. */
  readonly age: number
  readonly size: number
}

export class HttpCache {
  readonly cfg: CacheConfig
  #byUrl = new Map<string, CacheObject[]>()
  /** Every object, least recently used first. */
  #lru = new Set<CacheObject>()
  #used = 0
  hits = 0
  lookups = 0

  constructor(cfg: CacheConfig) {
    this.cfg = cfg
  }

  get used(): number { return this.#used }
  get count(): number { return this.#lru.size }
  objects(): IterableIterator<CacheObject> { return this.#lru.values() }

  /** HAProxy's primary key: the host (the absolute URI's authority, else the Host field) and
   *  the path with its query. */
  static keyOf(req: H1Head): string {
    const host = uriAuthority(req.uri) || (firstValue(req.headers, 'host') ?? '')
    return `${host.toLowerCase()}\n${uriPathq(req.uri)}`
  }

  /** The fresh object for this request, if any (expired ones found on the way are dropped). */
  lookup(req: H1Head, now: number): CacheObject | undefined {
    this.lookups++
    const list = this.#byUrl.get(HttpCache.keyOf(req))
    if (list === undefined) return undefined
    for (const o of [...list]) {
      if (o.expiresAt <= now) { this.#remove(o); continue }
      if (o.vary.length > 0 && secondaryKey(req, o.vary) !== o.secondary) continue
      this.#lru.delete(o)
      this.#lru.add(o)
      this.hits++
      return o
    }
    return undefined
  }

  /** Whether an object of `size` bytes may be kept at all. */
  fits(size: number): boolean {
    return size <= this.cfg.maxObjectSize && size <= this.cfg.totalMaxSize
  }

  /** Keeps `o`, replacing the same variant of its URL; false when it may not be kept. */
  insert(o: CacheObject): boolean {
    if (!this.fits(o.size)) return false
    const list = this.#byUrl.get(o.primary) ?? []
    const same = list.find((x) => x.secondary === o.secondary)
    if (same !== undefined) this.#remove(same)
    else if (list.length >= this.cfg.maxSecondaryEntries) return false
    for (const old of this.#lru) {
      if (this.#used + o.size <= this.cfg.totalMaxSize) break
      this.#remove(old)
    }
    const now = this.#byUrl.get(o.primary)
    if (now === undefined) this.#byUrl.set(o.primary, [o])
    else now.push(o)
    this.#lru.add(o)
    this.#used += o.size
    return true
  }

  #remove(o: CacheObject): void {
    if (!this.#lru.delete(o)) return
    this.#used -= o.size
    const list = this.#byUrl.get(o.primary)
    if (list === undefined) return
    const i = list.indexOf(o)
    if (i >= 0) list.splice(i, 1)
    if (list.length === 0) this.#byUrl.delete(o.primary)
  }
}
