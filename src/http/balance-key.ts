/**
 * What the HTTP hashing algorithms hash, taken from a request:
 * - `uri`: the path (the whole URI with its query string with `whole`), cut after `len`
 *   characters or before the `depth`-th slash after the first;
 * - `url_param NAME`: the value of NAME in the query string;
 * - `hdr(NAME)`: the value of the header (its last occurrence, as HAProxy takes it).
 * Undefined when the request has no such key: the balancer then spreads by weight.
 */
import type { BalanceConfig } from '../model/types.ts'
import { lowerName } from './head.ts'
import type { H1Head } from './types.ts'

export function balanceKey(b: BalanceConfig, req: H1Head): string | undefined {
  switch (b.algo) {
    case 'uri': return uriKey(b, req.uri)
    case 'url_param': return b.param === undefined ? undefined : queryParam(req.uri, b.param)
    case 'hdr': {
      if (b.param === undefined) return undefined
      const h = req.headers
      const name = lowerName(b.param)
      let last = -1
      for (let i = h.find(name, 0); i >= 0; i = h.find(name, i + 1)) last = i
      return last < 0 ? undefined : h.value(last)
    }
    default: return undefined
  }
}

function uriKey(b: BalanceConfig, uri: string): string {
  let key = uri
  if (!b.whole) {
    const q = key.indexOf('?')
    if (q >= 0) key = key.slice(0, q)
  }
  if (b.depth !== undefined) {
    let slashes = 0
    for (let i = 0; i < key.length; i++) {
      if (key.charCodeAt(i) === 0x2f && ++slashes > b.depth) { key = key.slice(0, i); break }
    }
  }
  if (b.len !== undefined && key.length > b.len) key = key.slice(0, b.len)
  return key
}

/** The value of `name` in the query string of `uri` (first occurrence), or undefined. */
export function queryParam(uri: string, name: string): string | undefined {
  const q = uri.indexOf('?')
  if (q < 0) return undefined
  let i = q + 1
  while (i <= uri.length) {
    let amp = uri.indexOf('&', i)
    if (amp < 0) amp = uri.length
    const eq = uri.indexOf('=', i)
    if (eq > 0 && eq < amp && eq - i === name.length && uri.startsWith(name, i)) return uri.slice(eq + 1, amp)
    i = amp + 1
  }
  return undefined
}
