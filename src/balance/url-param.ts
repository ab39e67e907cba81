import { ConfigError } from '../model/source.ts'
import { urlParam as queryParam } from '../rules/http-sample.ts'
import { noParens } from './args.ts'
import { consistentOnly, createHashState } from './hashing.ts'
import type { BalanceWords, LbAlgorithm, LbKey } from './types.ts'

// HAProxy's `balance url_param NAME [check_post …]`: requests carrying the same value of
// a query-string parameter (a user or session id) go to the same server. The key is the value of
// the first NAME=VALUE of the query string; a request without it, or with an empty value, is
// spread by weight. `check_post` (looking in a form body too) is accepted, not acted on: the
// server is chosen before a body is read.

/** Its arguments in the model (BalanceConfig). */
type UrlParamArgs = { param: string }

function parse(w: BalanceWords): UrlParamArgs {
  noParens('url_param', w)
  const [name, modifier] = w.words
  if (!name) throw new ConfigError(`'balance url_param' expects a parameter name: balance url_param userid`, w.at)
  if (modifier !== undefined) {
    // As HAProxy, what follows check_post (1.x's MAX_WAIT, `max_wait N`) is not read.
    if (modifier !== 'check_post') throw new ConfigError(`unexpected '${modifier}' after 'balance url_param ${name}'; only 'check_post [MAX_WAIT]' may follow`, w.at)
    w.notBuilt(`'balance url_param ${name} check_post'`, 'edgelb reads the parameter from the query string only')
  }
  return { param: name }
}

function key(args: UrlParamArgs): LbKey {
  const name = args.param
  return {
    from: 'request',
    readsSession: false,
    get(s) {
      const v = s.req === null ? undefined : queryParam(s.req.uri, name)
      return v === '' ? undefined : v
    },
  }
}

export const urlParam: LbAlgorithm<UrlParamArgs> = {
  name: 'url_param',
  hashes: 'request',
  httpOnly: true,
  dynamicWeights: consistentOnly,
  parse,
  key,
  create: createHashState,
}
