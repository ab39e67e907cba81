/**
 * `server-template PREFIX NUM|FIRST-LAST FQDN[:PORT] [options…]`: servers PREFIX1…PREFIXN (or
 * PREFIXFIRST…PREFIXLAST), all named FQDN, each given one of the addresses DNS answers for it
 * (proxy/resolution.ts); a slot without an address waits in maintenance.
 */
import { ConfigError } from '../../model/source.ts'
import { uniqueServer } from './legacy.ts'
import { parseServerLine, type NotBuiltSink } from './servers.ts'
import type { KeywordCtx, ProxyKeyword } from './types.ts'

export const serverTemplateKeyword: ProxyKeyword = {
  kw: 'server-template',
  parse(args, d, p, ctx) {
    const [prefix, range, fqdn, ...opts] = args
    if (prefix === undefined || range === undefined || fqdn === undefined) {
      throw new ConfigError(`'server-template' expects a prefix, a number or range, and a name: server-template srv 1-3 app.example.com:80 [options]`, d.pos)
    }
    const m = /^(\d+)(?:-(\d+))?$/.exec(range)
    const first = m ? (m[2] === undefined ? 1 : Number(m[1])) : NaN
    const last = m ? Number(m[2] ?? m[1]) : NaN
    if (!(first >= 1) || !(last >= first) || last - first >= 10_000) throw new ConfigError(`'server-template' expects a number of servers or a range FIRST-LAST, got '${range}'`, d.pos)
    for (let i = first; i <= last; i++) {
      p.servers.push(uniqueServer(parseServerLine([`${prefix}${i}`, fqdn, ...opts], d, p, ctx as KeywordCtx & NotBuiltSink), p, ctx))
    }
  },
}
