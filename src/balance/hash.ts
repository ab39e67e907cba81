import { addressBytes } from '../core/ip.ts'
import { ConfigError } from '../model/source.ts'
import type { CompileCtx } from '../rules/context.ts'
import { compileExpr } from '../rules/expr.ts'
import type { Sample, SampleType } from '../rules/types.ts'
import { noParens } from './args.ts'
import { consistentOnly, createHashState } from './hashing.ts'
import type { BalanceWords, HashKey, LbAlgorithm, LbKey } from './types.ts'

// HAProxy's `balance hash EXPR`: the key is any sample expression (`req.cookie(id)`, `path`,
// `req.hdr(host),lower`, `src`), compiled at load by the rules' compiler and evaluated for each
// request (each connection in tcp mode). Its result is hashed as HAProxy casts it to binary: a
// string's bytes, an address's 4 or 16 bytes (so `hash src` places clients as `source` does), an
// integer's 8 bytes, big-endian. No result: the request is spread by weight.

/** Its arguments in the model (BalanceConfig): the expression, as written. */
type HashArgs = { param: string }

function parse(w: BalanceWords): HashArgs {
  noParens('hash', w)
  if (w.words.length === 0) throw new ConfigError(`'balance hash' expects a sample expression: balance hash req.cookie(id)`, w.at)
  return { param: w.words.join(' ') }
}

/** An integer as HAProxy's int-to-binary cast: 8 bytes, big-endian, two's complement. */
function int64(n: number): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigInt64(0, BigInt(Math.trunc(n)))
  return out
}

function toKey(v: Sample | undefined, type: SampleType): HashKey | undefined {
  if (v === undefined) return undefined
  if (typeof v === 'string') return type === 'ip' ? (addressBytes(v) ?? v) : v
  if (typeof v === 'number') return int64(v)
  if (typeof v === 'boolean') return int64(v ? 1 : 0)
  return v
}

function key(args: HashArgs, ctx: CompileCtx): LbKey {
  const expr = compileExpr(args.param, ctx)
  const fn = expr.fn
  const type = expr.type
  return { from: 'request', readsSession: true, get: (s) => toKey(fn(s), type) }
}

export const hash: LbAlgorithm<HashArgs> = {
  name: 'hash',
  hashes: 'request',
  httpOnly: false,
  dynamicWeights: consistentOnly,
  parse,
  key,
  create: createHashState,
}
