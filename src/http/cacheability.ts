/**
 * What HAProxy's cache (2.6) may serve and store, read from the heads alone:
 *
 * - a request is looked up and stored only if it is a GET (HEAD is served from a stored GET) of
 *   HTTP/1.1, without `Authorization`, and without `Cache-Control: no-cache`, `no-store` or
 *   `max-age=0` (nor `Pragma: no-cache` when it has no Cache-Control);
 * - a response is stored only if it is a 200 without `Set-Cookie`, without `Cache-Control:
 *   no-cache`, `no-store`, `private`, `max-age=0` or `s-maxage=0` (nor `Pragma: no-cache`), with
 *   an explicit lifetime (`s-maxage`, `max-age`, `Expires`) or a validator (`ETag`,
 *   `Last-Modified`), and whose `Vary` names only what the cache tells variants by
 *   (`Accept-Encoding`, `Referer`, `Origin`, and only with `process-vary on`);
 * - it is kept for the shortest of the cache's `max-age`, its own `s-maxage`, `max-age` or
 *   `Expires` less `Date`, less the `Age` it came with.
 */
import type { H1Head, HeaderList } from './types.ts'

/** The Cache-Control directives of every field, names in lower case ('' for a bare directive). */
export function cacheControl(h: HeaderList): Map<string, string> {
  const out = new Map<string, string>()
  for (let i = h.find('cache-control', 0); i >= 0; i = h.find('cache-control', i + 1)) {
    for (const part of h.value(i).split(',')) {
      const d = part.trim()
      if (d === '') continue
      const eq = d.indexOf('=')
      if (eq < 0) out.set(d.toLowerCase(), '')
      else out.set(d.slice(0, eq).trim().toLowerCase(), d.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'))
    }
  }
  return out
}

function pragmaNoCache(h: HeaderList): boolean {
  if (h.find('cache-control', 0) >= 0) return false
  const p = h.get('pragma')
  return p !== undefined && /(^|,)\s*no-cache\s*(,|$)/i.test(p)
}

/** Whether the cache may answer or store this request (its method aside: see `cacheUse`). */
export function requestCacheable(req: H1Head): boolean {
  if (req.version < 11 || req.headers.find('authorization', 0) >= 0 || pragmaNoCache(req.headers)) return false
  const cc = cacheControl(req.headers)
  return !cc.has('no-cache') && !cc.has('no-store') && cc.get('max-age') !== '0'
}

/** The headers a response varies on that the cache can tell variants by. */
const VARY_MANAGED = new Set(['accept-encoding', 'referer', 'origin'])

/**
 * The request headers a response varies on (lower case, sorted; empty when it does not vary),
 * or undefined when the cache cannot keep it apart (`Vary: *`, another header, or any `Vary`
 * without `process-vary`).
 */
export function varyOf(res: H1Head, processVary: boolean): string[] | undefined {
  const out: string[] = []
  for (let i = res.headers.find('vary', 0); i >= 0; i = res.headers.find('vary', i + 1)) {
    for (const part of res.headers.value(i).split(',')) {
      const name = part.trim().toLowerCase()
      if (name === '') continue
      if (!processVary || !VARY_MANAGED.has(name)) return undefined
      if (!out.includes(name)) out.push(name)
    }
  }
  return out.sort()
}

/** What tells this request's variant apart for the headers `vary` names. Accept-Encoding is
 *  compared as its set of codings (lower case, sorted, those refused with q=0 left out). */
export function secondaryKey(req: H1Head, vary: readonly string[]): string {
  let key = ''
  for (const name of vary) {
    let v = ''
    for (let i = req.headers.find(name, 0); i >= 0; i = req.headers.find(name, i + 1)) v += (v === '' ? '' : ',') + req.headers.value(i)
    if (name === 'accept-encoding') {
      v = v.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && !/;\s*q=0(\.0*)?$/.test(c))
        .map((c) => c.split(';')[0]!.trim()).sort().join(',')
    }
    key += `${name}=${v}\n`
  }
  return key
}

/** Seconds from a date header's value, or undefined. */
function dateOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const t = Date.parse(v)
  return Number.isNaN(t) ? undefined : t / 1000
}

const DIGITS = /^\d+$/

/**
 * How many seconds the cache may keep a response to a cacheable request, or undefined when it
 * must not store it. `maxAge` is the cache's own bound; `nowSec` the wall clock in seconds.
 */
export function responseLifetime(res: H1Head, maxAge: number, nowSec: number): number | undefined {
  if (res.status !== 200) return undefined
  const h = res.headers
  if (h.find('set-cookie', 0) >= 0 || pragmaNoCache(h)) return undefined
  const cc = cacheControl(h)
  if (cc.has('no-cache') || cc.has('no-store') || cc.has('private')) return undefined
  let own: number | undefined
  const sMax = cc.get('s-maxage')
  const max = cc.get('max-age')
  if (sMax !== undefined && DIGITS.test(sMax)) own = Number(sMax)
  else if (max !== undefined && DIGITS.test(max)) own = Number(max)
  else {
    const expires = dateOf(h.get('expires'))
    if (expires !== undefined) own = Math.max(0, expires - (dateOf(h.get('date')) ?? nowSec))
  }
  if (own === undefined && h.find('etag', 0) < 0 && h.find('last-modified', 0) < 0) return undefined
  let life = own === undefined ? maxAge : Math.min(own, maxAge)
  const age = h.get('age')
  if (age !== undefined && DIGITS.test(age)) life -= Number(age)
  return life > 0 ? Math.floor(life) : undefined
}
