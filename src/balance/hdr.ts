import { lowerName } from '../http/head.ts'
import { ConfigError } from '../model/source.ts'
import { consistentOnly, createHashState } from './hashing.ts'
import type { BalanceWords, LbAlgorithm, LbKey } from './types.ts'

// HAProxy's `balance hdr(NAME) [use_domain_only]`: requests with the same value of a header (Host,
// a tenant id) go to the same server. The key is the value of the header's last occurrence, as
// HAProxy takes it; with `use_domain_only`, only the domain's main label ("1wt" of Host
// "haproxy.1wt.eu"). Without the header, or with an empty value, requests are spread by weight.

/** Its arguments in the model (BalanceConfig): `whole: false` is `use_domain_only`. */
type HdrArgs = { param: string; whole?: boolean }

function parse(w: BalanceWords): HdrArgs {
  if (!w.param) throw new ConfigError(`'balance hdr' expects a header name: balance hdr(Host)`, w.at)
  const out: HdrArgs = { param: w.param }
  for (const word of w.words) {
    if (word !== 'use_domain_only') throw new ConfigError(`unexpected '${word}' after 'balance hdr(${w.param})'; only 'use_domain_only' may follow`, w.at)
    out.whole = false
  }
  return out
}

/** The label before the last dot-separated one ("1wt" of "haproxy.1wt.eu", "example" of
 *  "example.com:8080"); a value without a dot is kept whole. */
export function domainOnly(v: string): string {
  const end = v.lastIndexOf('.')
  if (end < 0) return v
  const start = end === 0 ? 0 : v.lastIndexOf('.', end - 1) + 1
  return v.slice(start, end)
}

function key(args: HdrArgs): LbKey {
  const name = lowerName(args.param)
  const domain = args.whole === false
  return {
    from: 'request',
    readsSession: false,
    get(s) {
      if (s.req === null) return undefined
      const h = s.req.headers
      let last = -1
      for (let i = h.find(name, 0); i >= 0; i = h.find(name, i + 1)) last = i
      if (last < 0) return undefined
      const v = domain ? domainOnly(h.value(last)) : h.value(last)
      return v === '' ? undefined : v
    },
  }
}

export const hdr: LbAlgorithm<HdrArgs> = {
  name: 'hdr',
  hashes: 'request',
  httpOnly: true,
  dynamicWeights: consistentOnly,
  parse,
  key,
  create: createHashState,
}
