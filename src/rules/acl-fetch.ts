/**
 * `acl([!]NAME[,…])`: true when every named ACL of the proxy (declared or predefined) holds, each
 * `!NAME` negated, as HAProxy evaluates them; no sample while one cannot tell yet (payload still
 * arriving). A name the proxy does not declare is an error at load.
 */
import { ConfigError } from '../model/source.ts'
import type { FetchDef } from './fetches.ts'

const MISS = 1
const PASS = 3

export const ACL_FETCH: FetchDef = {
  name: 'acl', type: 'bool', args: [1, 1_000],
  compile(args, ctx) {
    const terms = args.map((a) => {
      const neg = a.startsWith('!')
      const name = neg ? a.slice(1) : a
      const t = ctx.acl?.(name, ctx.at)
      if (t === undefined) throw new ConfigError(`acl(): no ACL named '${name}' in this proxy`, ctx.at)
      return { neg, t }
    })
    return (s) => {
      for (const { neg, t } of terms) {
        const r = t(s)
        if (r === MISS) return undefined
        if ((r === PASS) === neg) return false
      }
      return true
    }
  },
}
