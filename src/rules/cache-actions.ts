/**
 * `http-request cache-use NAME` and `http-response cache-store NAME`, HAProxy's cache actions.
 *
 * cache-use answers a GET or HEAD from cache NAME when it holds a fresh object for it (rules
 * after it do not run, no server is reached), with the stored head and an `Age` field. It lets
 * the request go on otherwise. cache-store stores a cacheable response (http/cacheability.ts) as
 * its body goes by, once the whole of it went to the client, unless it outgrows
 * `max-object-size`. What is stored is the head as the rules before cache-store left it, without
 * its connection fields and framing (the session frames what it serves).
 */
import { now, wallNow } from '../core/clock.ts'
import { ConfigError } from '../model/source.ts'
import { requestCacheable, responseLifetime, varyOf, secondaryKey } from '../http/cacheability.ts'
import { Dechunker } from '../http/dechunk.ts'
import type { H1Head } from '../http/types.ts'
import { HttpCache, type CacheObject } from './cache.ts'
import type { ActionCtx, ActionKeyword } from './common-actions.ts'
import type { HttpAction } from './http-actions.ts'
import type { FetchDef } from './fetches.ts'
import type { BodyTap, HttpVerdict } from './types.ts'

function cacheArg(kw: string, args: string[], ctx: ActionCtx): HttpCache {
  if (args.length !== 1) throw new ConfigError(`'${kw}' expects the name of a cache section: ${kw} NAME`, ctx.at)
  const c = ctx.caches?.get(args[0]!)
  if (c === undefined) {
    const known = [...(ctx.caches?.keys() ?? [])]
    throw new ConfigError(`${kw}: no cache section named '${args[0]}'${known.length > 0 ? `; known: ${known.join(', ')}` : ''}`, ctx.at)
  }
  return c
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'content-length', 'te', 'trailer', 'upgrade'])

/** The fields of a response head that a cached copy serves. */
function storedFields(res: H1Head): [string, string][] {
  const h = res.headers
  const listed = new Set<string>()
  for (let i = h.find('connection', 0); i >= 0; i = h.find('connection', i + 1)) {
    for (const t of h.value(i).split(',')) listed.add(t.trim().toLowerCase())
  }
  const out: [string, string][] = []
  for (let i = 0; i < h.count; i++) {
    const name = h.name(i)
    const l = name.toLowerCase()
    if (!HOP_BY_HOP.has(l) && !listed.has(l) && l !== 'age') out.push([name, h.value(i)])
  }
  return out
}

const cacheUse: ActionKeyword<HttpAction> = {
  kw: 'cache-use',
  compile(args, ctx) {
    const cache = cacheArg('cache-use', args, ctx)
    return (s): HttpVerdict | undefined => {
      const req = s.req
      if (req === null || (req.method !== 'GET' && req.method !== 'HEAD') || !requestCacheable(req)) return undefined
      const t = now()
      const o = cache.lookup(req, t)
      if (o === undefined) return undefined
      const age = o.age + Math.floor((t - o.storedAt) / 1000)
      s.cacheHit = cache.cfg.name
      // HAProxy's logs name the cache as the server of a request it answered.
      if (s.srvName === '') s.srvName = '<CACHE>'
      return { kind: 'reply', reply: { status: o.status, headers: [...o.headers, ['Age', String(age)]], body: o.body } }
    }
  },
}

/** Collects a response body for the cache, and stores it when the body ends. */
class StoreTap implements BodyTap {
  #parts: Uint8Array[] = []
  #size: number
  #dechunk: Dechunker | null
  #over = false
  #cache: HttpCache
  #make: (body: Uint8Array, size: number) => CacheObject

  constructor(cache: HttpCache, chunked: boolean, headSize: number, make: (body: Uint8Array, size: number) => CacheObject) {
    this.#cache = cache
    this.#size = headSize
    this.#dechunk = chunked ? new Dechunker() : null
    this.#make = make
  }

  data(chunk: Uint8Array): void {
    if (this.#over) return
    if (this.#dechunk !== null) this.#dechunk.feed(chunk, (d) => this.#keep(d))
    else this.#keep(chunk)
  }

  #keep(d: Uint8Array): void {
    if (this.#over || d.length === 0) return
    this.#size += d.length
    if (!this.#cache.fits(this.#size)) { this.#over = true; this.#parts = []; return }
    // The session may reuse the buffer the bytes came in: keep a copy.
    this.#parts.push(Buffer.from(d))
  }

  end(): void {
    if (this.#over) return
    this.#cache.insert(this.#make(Buffer.concat(this.#parts), this.#size))
  }
}

const cacheStore: ActionKeyword<HttpAction> = {
  kw: 'cache-store',
  compile(args, ctx) {
    const cache = cacheArg('cache-store', args, ctx)
    const cfg = cache.cfg
    return (s) => {
      const req = s.req
      const res = s.res
      if (req === null || res === null || req.method !== 'GET' || !requestCacheable(req) || s.tapResponse === undefined) return undefined
      if (res.framing !== 'length' && res.framing !== 'chunked' && !(res.framing === 'none' && res.status === 200)) return undefined
      const life = responseLifetime(res, cfg.maxAge, wallNow() / 1000)
      const vary = varyOf(res, cfg.processVary)
      if (life === undefined || vary === undefined) return undefined
      const headers = storedFields(res)
      let headSize = 17
      for (const [n, v] of headers) headSize += n.length + v.length + 4
      if (!cache.fits(headSize + (res.framing === 'length' ? res.contentLength : 0))) return undefined
      const primary = HttpCache.keyOf(req)
      const secondary = vary.length > 0 ? secondaryKey(req, vary) : ''
      const age = Number(res.headers.get('age') ?? '0') || 0
      const status = res.status
      s.tapResponse(new StoreTap(cache, res.framing === 'chunked', headSize, (body, size) => {
        const t = now()
        return { primary, vary, secondary, status, headers, body, storedAt: t, expiresAt: t + life * 1000, age, size }
      }))
      return undefined
    }
  },
}

/** `res.cache_hit`, `res.cache_name`: whether (and which) cache answered; `res.comp`,
 *  `res.comp_algo`: whether (and how) the response is compressed. */
export const CACHE_FETCHES: readonly FetchDef[] = [
  { name: 'res.cache_hit', type: 'bool', compile: () => (s) => (s.cacheHit ?? null) !== null },
  { name: 'res.cache_name', type: 'str', compile: () => (s) => s.cacheHit ?? undefined },
  { name: 'res.comp', type: 'bool', compile: () => (s) => (s.compressedWith ?? null) !== null },
  { name: 'res.comp_algo', type: 'str', compile: () => (s) => s.compressedWith ?? undefined },
]

export const CACHE_REQUEST_ACTIONS: readonly ActionKeyword<HttpAction>[] = [cacheUse]
export const CACHE_RESPONSE_ACTIONS: readonly ActionKeyword<HttpAction>[] = [cacheStore]
