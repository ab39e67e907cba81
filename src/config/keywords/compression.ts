/**
 * `compression algo|algo-res ALGO…`, `compression type|type-res TYPE…`, `compression offload`
 * `compression direction response|request|both`, and for request bodies `compression algo-req
 * ALGO` and `compression type-req TYPE…` (HAProxy 2.6); proxy/http/compression.ts does the work.
 */
import { ConfigError } from '../../model/source.ts'
import type { CompressionAlgo, CompressionConfig, ProxyConfig } from '../../model/types.ts'
import type { ProxyKeyword } from './types.ts'

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
      comp(p).direction = v
    },
  },
  {
    kw: 'compression algo-req',
    parse(args, d, p) {
      const a = args[0]
      if (args.length !== 1 || a === undefined || !(ALGOS as readonly string[]).includes(a)) throw new ConfigError(`'compression algo-req' expects one algorithm: ${ALGOS.join(', ')}`, d.pos)
      comp(p).algoReq = a as CompressionAlgo
    },
  },
  {
    kw: 'compression type-req',
    parse(args, d, p) {
      if (args.length === 0) throw new ConfigError(`'compression type-req' expects one or more content types`, d.pos)
      ;(comp(p).typesReq ??= []).push(...args.map((t) => t.toLowerCase()))
    },
  },
]
