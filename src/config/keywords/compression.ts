/**
 * `compression algo|algo-res ALGO…`, `compression type|type-res TYPE…`, `compression offload`
 * and `compression direction response|request|both` (HAProxy 2.6). Response compression is
 * implemented (proxy/http/compression.ts); compressing request bodies (`algo-req`, `type-req`,
 * a direction other than `response`) is not yet: those lines are reported as not implemented.
 */
import { ConfigError } from '../../model/source.ts'
import type { CompressionAlgo, CompressionConfig, ProxyConfig } from '../../model/types.ts'
import type { NotBuiltSink } from './servers.ts'
import type { KeywordCtx, ProxyKeyword } from './types.ts'

const ALGOS: readonly CompressionAlgo[] = ['identity', 'gzip', 'deflate', 'raw-deflate']

function comp(p: ProxyConfig): CompressionConfig {
  return (p.compression ??= { algos: [], types: [], offload: false })
}

const algo = (kw: string): ProxyKeyword => ({
  kw,
  parse(args, d, p) {
    if (args.length === 0) throw new ConfigError(`'${kw}' expects one or more of: ${ALGOS.join(', ')}`, d.pos)
    for (const a of args) {
      if (!(ALGOS as readonly string[]).includes(a)) throw new ConfigError(`unknown compression algorithm '${a}'; known: ${ALGOS.join(', ')}`, d.pos)
      const c = comp(p)
      if (!c.algos.includes(a as CompressionAlgo)) c.algos.push(a as CompressionAlgo)
    }
  },
})

const type = (kw: string): ProxyKeyword => ({
  kw,
  parse(args, d, p) {
    if (args.length === 0) throw new ConfigError(`'${kw}' expects one or more content types: ${kw} text/html text/plain`, d.pos)
    comp(p).types.push(...args.map((t) => t.toLowerCase()))
  },
})

export const compressionKeywords: readonly ProxyKeyword[] = [
  algo('compression algo'),
  algo('compression algo-res'),
  type('compression type'),
  type('compression type-res'),
  {
    kw: 'compression offload',
    parse(args, d, p) {
      if (args.length > 0) throw new ConfigError(`'compression offload' takes no value`, d.pos)
      comp(p).offload = true
    },
  },
  {
    kw: 'compression direction',
    parse(args, d, p, ctx) {
      const v = args[0]
      if (args.length !== 1 || (v !== 'response' && v !== 'request' && v !== 'both')) throw new ConfigError(`'compression direction' expects response, request or both`, d.pos)
      if (v !== 'response') (ctx as KeywordCtx & NotBuiltSink).notBuilt(`'compression direction ${v}'`, d.pos, { area: 'request body compression', instead: 'edgelb compresses responses only for now' })
      comp(p)
    },
  },
  { kw: 'compression algo-req', notBuilt: 'request body compression', parse() {} },
  { kw: 'compression type-req', notBuilt: 'request body compression', parse() {} },
]
