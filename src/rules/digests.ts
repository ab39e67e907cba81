/**
 * The digest converters: `sha1`, `sha2([bits])`, `digest(algorithm)`, `hmac(algorithm,key)`
 * (binary results, through node:crypto), and the xxHash ones, `xxh32([seed])`, `xxh64([seed])`,
 * `xxh3([seed])` (integers). Each reads its input as bytes (a string sample's bytes).
 *
 * `digest` and `hmac` take a message digest name as OpenSSL spells it (`sha256`, `sha512-256`,
 * `md5`…); an unknown one is refused at load. The `hmac` key is base64: written in the rule, or a
 * variable (`txn.key`) holding the base64 text, read at run time (no sample when it does not
 * decode).
 */
import { Buffer } from 'node:buffer'
import { createHash, createHmac, getHashes } from 'node:crypto'
import { ConfigError } from '../model/source.ts'
import type { CompileCtx, Converter } from './context.ts'
import type { ConverterDef } from './converters.ts'
import { int64Sample, toBin, toStr } from './sample.ts'
import { compileVarRef, isVarName } from './vars.ts'
import { xxh3, xxh32, xxh64 } from './xxhash.ts'

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

function bytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length)
}

/** The algorithm name if node:crypto has it, else a load-time error. */
function algorithm(name: string | undefined, conv: string, ctx: CompileCtx): string {
  const alg = (name ?? '').toLowerCase()
  try {
    createHash(alg)
  } catch {
    throw new ConfigError(`${conv}: unknown message digest '${name ?? ''}'; known: ${getHashes().join(', ')}`, ctx.at)
  }
  return alg
}

function hashWith(alg: string): Converter {
  return (v) => { const b = toBin(v); return b === undefined ? undefined : bytes(createHash(alg).update(b).digest()) }
}

function compileHmac(args: string[], ctx: CompileCtx): Converter {
  const alg = algorithm(args[0], 'hmac', ctx)
  const keyArg = args[1] ?? ''
  let key: (s: Parameters<Converter>[1]) => Uint8Array | undefined
  if (isVarName(keyArg)) {
    const ref = compileVarRef(keyArg, ctx.at)
    key = (s) => { const t = toStr(ref.get(s)); return t !== undefined && BASE64.test(t) ? bytes(Buffer.from(t, 'base64')) : undefined }
  } else {
    if (keyArg === '' || !BASE64.test(keyArg)) throw new ConfigError(`hmac: the key must be base64 (or a variable holding base64), not '${keyArg}'`, ctx.at)
    const k = bytes(Buffer.from(keyArg, 'base64'))
    key = () => k
  }
  return (v, s) => {
    const b = toBin(v)
    const k = key(s)
    return b === undefined || k === undefined ? undefined : bytes(createHmac(alg, k).update(b).digest())
  }
}

/** A seed argument: a decimal integer, 0 when absent. */
function seedArg(a: string | undefined, conv: string, ctx: CompileCtx): bigint {
  if (a === undefined || a === '') return 0n
  if (!/^-?\d+$/.test(a)) throw new ConfigError(`${conv}: the seed must be an integer, not '${a}'`, ctx.at)
  return BigInt(a)
}

export const DIGEST_CONVERTERS: readonly ConverterDef[] = [
  { name: 'sha1', out: 'bin', compile: () => hashWith('sha1') },
  {
    name: 'sha2', out: 'bin', args: [0, 1],
    compile: (a, ctx) => {
      const bits = a[0] === undefined || a[0] === '' ? '256' : a[0]
      if (!['224', '256', '384', '512'].includes(bits)) throw new ConfigError(`sha2: bits must be 224, 256, 384 or 512, not '${bits}'`, ctx.at)
      return hashWith(`sha${bits}`)
    },
  },
  { name: 'digest', out: 'bin', args: [1, 1], compile: (a, ctx) => hashWith(algorithm(a[0], 'digest', ctx)) },
  { name: 'hmac', out: 'bin', args: [2, 2], compile: compileHmac },
  {
    name: 'xxh32', out: 'int', args: [0, 1],
    compile: (a, ctx) => { const seed = Number(BigInt.asUintN(32, seedArg(a[0], 'xxh32', ctx))); return (v) => { const b = toBin(v); return b === undefined ? undefined : xxh32(b, seed) } },
  },
  {
    name: 'xxh64', out: 'int', args: [0, 1],
    compile: (a, ctx) => { const seed = seedArg(a[0], 'xxh64', ctx); return (v) => { const b = toBin(v); return b === undefined ? undefined : int64Sample(xxh64(b, seed)) } },
  },
  {
    name: 'xxh3', out: 'int', args: [0, 1],
    compile: (a, ctx) => { const seed = seedArg(a[0], 'xxh3', ctx); return (v) => { const b = toBin(v); return b === undefined ? undefined : int64Sample(xxh3(b, seed)) } },
  },
]
