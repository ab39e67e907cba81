import { ConfigError } from '../model/source.ts'
import { rdpCookieValue } from '../rules/rdp-cookie.ts'
import { consistentOnly, createHashState } from './hashing.ts'
import type { BalanceWords, LbAlgorithm, LbKey } from './types.ts'

// HAProxy's `balance rdp-cookie[(NAME)]`: RDP connections carrying the same cookie NAME (default
// `mstshash`, the user name the client sends) go to the same server, a degraded persistence for
// terminal server farms. The key is the cookie's value in the RDP connection request, in tcp
// mode: the frontend must hold the first bytes until it has come, as in HAProxy, e.g.
//   tcp-request inspect-delay 5s
//   tcp-request content accept if RDP_COOKIE
// Without the cookie (or without those bytes yet), connections are spread by weight.

/** Its arguments in the model (BalanceConfig): the cookie name, when not the default. */
type RdpCookieArgs = { param?: string }

const DEFAULT_NAME = 'mstshash'

function parse(w: BalanceWords): RdpCookieArgs {
  if (w.words.length > 0) throw new ConfigError(`'balance rdp-cookie' takes only a cookie name, in parentheses: balance rdp-cookie(mstshash)`, w.at)
  return w.param ? { param: w.param } : {}
}

function key(args: RdpCookieArgs): LbKey {
  const name = args.param ?? DEFAULT_NAME
  return {
    from: 'request',
    readsSession: false,
    get(s) {
      const v = s.payload === null ? false : rdpCookieValue(s.payload, name)
      return typeof v === 'string' && v !== '' ? v : undefined
    },
  }
}

export const rdpCookie: LbAlgorithm<RdpCookieArgs> = {
  name: 'rdp-cookie',
  hashes: 'request',
  httpOnly: false,
  dynamicWeights: consistentOnly,
  parse,
  key,
  create: createHashState,
}
