/**
 * HAProxy 1.x proxy keywords that HAProxy 2.x refuses and edgelb still loads, as HAProxy 1.5
 * loaded 1.1 files: each line works as it did in 1.x and gets a warning naming its modern form
 * (config/legacy-modern.ts), which `edgelb convert` writes in its place where it is exact.
 *
 *   reqrep reqdel reqdeny reqallow reqpass reqtarpit (and reqi…), rsprep rspdel rspdeny (and
 *   rspi…), reqadd, rspadd, block    kept among the proxy's rules, run by rules/legacy-filters.ts
 *   option forceclose                read as option httpclose (HAProxy 1.9 made it so)
 *   option http_proxy                refused: it sends each request to the address in its URI
 *   a server name used twice         the later server gets a derived name (server lines: uniqueServer)
 *
 * Where each may be written is the dictionary's (model/dictionary/legacy.ts, `sections`).
 */
import { ConfigError } from '../../model/source.ts'
import type { ProxyConfig, ServerConfig } from '../../model/types.ts'
import { LEGACY_FILTERS, legacyArity } from '../../rules/legacy-filters.ts'
import { joinWords } from '../haproxy/tokenizer.ts'
import { derivedServerName, modernForm } from '../legacy-modern.ts'
import { optionKeywords } from './options.ts'
import type { KeywordCtx, ProxyKeyword } from './types.ts'

const SINCE = 'is HAProxy 1.x syntax, which HAProxy 2.x refuses'

/** The warning of a 1.x line edgelb runs: its modern form, exact or nearest, or what to write. */
function warning(kw: string, args: string[]): string {
  const form = modernForm({ kw, args, pos: { file: '', line: 0 } })
  const head = `'${kw}' ${SINCE}; edgelb runs it as 1.x did`
  if (form.words === undefined) return `${head}; no modern action does the same: ${form.note ?? 'use http-request/http-response rules'}`
  const line = joinWords(form.words)
  if (form.exact) return `${head}; its modern form is '${line}' (edgelb convert writes it where the order of the rules allows)`
  return `${head}; the nearest modern form is '${line}', not the same: ${form.note}`
}

/** A 1.x line kept for the rules: checked for its words here, compiled with the proxy's rules. */
function filterKeyword(kw: string): ProxyKeyword {
  return {
    kw,
    parse(args, d, p, ctx) {
      const n = kw === 'block' ? 0 : legacyArity(kw)
      if (args.length < n) {
        const usage = kw === 'reqadd' || kw === 'rspadd' ? `a header line: ${kw} X-Proto:\\ SSL` : n === 2 ? `a pattern and a replacement: ${kw} ^Host:\\ old Host:\\ new` : `a pattern: ${kw} ^X-Debug:`
        throw new ConfigError(`'${kw}' expects ${usage} [if|unless COND]`, d.pos)
      }
      p.rules.push({ kw, args, pos: d.pos })
      ctx.warn(warning(kw, args), d.pos)
    },
  }
}

const httpclose = optionKeywords.find((k) => k.kw === 'option httpclose')!

export const legacyProxyKeywords: readonly ProxyKeyword[] = [
  ...LEGACY_FILTERS.map((f) => filterKeyword(f.kw)),
  filterKeyword('reqadd'),
  filterKeyword('rspadd'),
  filterKeyword('block'),
  {
    kw: 'option forceclose',
    parse(args, d, p, ctx) {
      httpclose.parse(args, d, p, ctx)
      ctx.warn(`'option forceclose' ${SINCE}; edgelb reads it as '${d.no ? 'no ' : ''}option httpclose', as HAProxy 1.9 and later do (write that instead)`, d.pos)
    },
  },
  {
    kw: 'option http_proxy',
    parse(_args, d) {
      if (d.no) return
      throw new ConfigError(`'option http_proxy' (HAProxy 1.x: send each request to the IP address and port written in its absolute URI, without servers) is not supported by edgelb, as it decides where requests go; declare the destinations as servers and choose them with use_backend or use-server`, d.pos)
    },
  },
]

/**
 * `s`, a server of `p` being declared, with a name of its own: 1.x let two servers of a backend
 * share a name, 2.x refuses it; edgelb names the later one `NAME-2` (derivedServerName), with a
 * warning, so that logs, stats and the runtime API can tell them apart.
 */
export function uniqueServer(s: ServerConfig, p: ProxyConfig, ctx: KeywordCtx): ServerConfig {
  const first = p.servers.find((x) => x.name === s.name)
  if (first === undefined) return s
  const name = derivedServerName(s.name, new Set(p.servers.map((x) => x.name)))
  ctx.warn(`server '${s.name}' is declared twice in ${p.kind} '${p.name}' (first at line ${first.pos.line}), which HAProxy 1.x allowed and 2.x refuses; edgelb names this one '${name}' in logs, stats and the runtime API (rename it to choose)`, s.pos)
  s.name = name
  return s
}
