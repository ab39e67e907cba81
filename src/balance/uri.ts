import { ConfigError } from '../model/source.ts'
import { parseIntIn } from '../model/units.ts'
import { noParens } from './args.ts'
import { consistentOnly, createHashState } from './hashing.ts'
import type { BalanceWords, LbAlgorithm, LbKey } from './types.ts'

// HAProxy's `balance uri [path-only] [whole] [len N] [depth N]`: the same URI goes to the same
// server, so a farm of caches holds each object once. The key is the URI as written (an
// absolute-form URI with its scheme and authority) without its query string (all of it with
// `whole`), cut after `len` characters or before the `depth`-th slash after the first;
// `path-only` starts it at the path, so that `GET http://h/a` and `GET /a` go to one server.

/** Its arguments in the model (BalanceConfig). */
type UriArgs = { whole?: boolean; pathOnly?: boolean; len?: number; depth?: number }

function parse(w: BalanceWords): UriArgs {
  noParens('uri', w)
  const out: UriArgs = {}
  const words = w.words
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    if (word === 'whole') out.whole = true
    else if (word === 'len') out.len = parseIntIn(words[++i] ?? '', w.at, "'balance uri len'", 1, 65535)
    else if (word === 'depth') out.depth = parseIntIn(words[++i] ?? '', w.at, "'balance uri depth'", 1, 65535)
    else if (word === 'path-only') out.pathOnly = true
    else throw new ConfigError(`unexpected '${word}' after 'balance uri'; expected whole, len N, depth N or path-only`, w.at)
  }
  return out
}

/** Where the path of an absolute-form URI starts (0 for origin form). */
function pathStart(uri: string): number {
  if (uri.charCodeAt(0) === 0x2f) return 0
  const scheme = uri.indexOf('://')
  if (scheme < 0) return 0
  const slash = uri.indexOf('/', scheme + 3)
  return slash < 0 ? uri.length : slash
}

function uriKey(uri: string, a: UriArgs): string {
  let key = a.pathOnly ? uri.slice(pathStart(uri)) : uri
  if (!a.whole) {
    const q = key.indexOf('?')
    if (q >= 0) key = key.slice(0, q)
  }
  if (a.depth !== undefined) {
    let slashes = 0
    for (let i = 0; i < key.length; i++) {
      if (key.charCodeAt(i) === 0x2f && ++slashes > a.depth) { key = key.slice(0, i); break }
    }
  }
  if (a.len !== undefined && key.length > a.len) key = key.slice(0, a.len)
  return key
}

function key(args: UriArgs): LbKey {
  return { from: 'request', readsSession: false, get: (s) => (s.req === null ? undefined : uriKey(s.req.uri, args)) }
}

export const uri: LbAlgorithm<UriArgs> = {
  name: 'uri',
  hashes: 'request',
  httpOnly: true,
  dynamicWeights: consistentOnly,
  parse,
  key,
  create: createHashState,
}
