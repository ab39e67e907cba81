/**
 * Converters that print or join bytes (HAProxy's sample.c and http_conv.c semantics):
 * `be2dec`, `be2hex`, `url_enc`, `add_item`, `secure_memcmp`.
 */
import { timingSafeEqual } from 'node:crypto'
import { ConfigError } from '../model/source.ts'
import type { CompileCtx, Converter } from './context.ts'
import { toBin, toStr } from './sample.ts'
import { compileVarRef, isVarName } from './vars.ts'

interface Def { name: string; out: 'str' | 'bool'; args: [number, number]; compile(args: string[], ctx: CompileCtx): Converter }

function intArg(a: string | undefined, ctx: CompileCtx, what: string, dflt: number): number {
  if (a === undefined || a === '') return dflt
  if (!/^-?\d+$/.test(a)) throw new ConfigError(`${what} must be an integer, not '${a}'`, ctx.at)
  return Number(a)
}

/** `truncate` (the third argument of be2dec/be2hex): 0 keeps a last, shorter chunk, 1 drops it. */
function truncateArg(a: string | undefined, ctx: CompileCtx, conv: string): boolean {
  const t = intArg(a, ctx, `${conv}'s truncate flag`, 0)
  if (t !== 0 && t !== 1) throw new ConfigError(`${conv}: truncate is 0 or 1, not ${t}`, ctx.at)
  return t === 1
}

/** Walks `b` in chunks of `size` bytes (with `truncate`, a last shorter chunk is left out), each
 *  printed by `print`, joined by `sep`. */
function chunked(b: Uint8Array, size: number, truncate: boolean, sep: string, print: (b: Uint8Array, from: number, to: number) => string): string {
  const last = truncate ? b.length - size + 1 : b.length
  let out = ''
  for (let p = 0; p < last; p += size) {
    if (p > 0) out += sep
    out += print(b, p, Math.min(p + size, b.length))
  }
  return out
}

const HEX = '0123456789ABCDEF'

/** `be2dec(separator, chunk_size[, truncate])`: each chunk of big-endian bytes as an unsigned
 *  decimal number. */
function be2dec(args: string[], ctx: CompileCtx): Converter {
  const sep = args[0] ?? ''
  const size = intArg(args[1], ctx, "be2dec's chunk size", 0)
  if (size < 1 || size > 8) throw new ConfigError(`be2dec: the chunk size is 1 to 8 bytes, not ${size}`, ctx.at)
  const truncate = truncateArg(args[2], ctx, 'be2dec')
  const print = (b: Uint8Array, from: number, to: number): string => {
    let n = 0n
    for (let i = from; i < to; i++) n = (n << 8n) + BigInt(b[i]!)
    return n.toString()
  }
  return (v) => { const b = toBin(v); return b === undefined ? undefined : chunked(b, size, truncate, sep, print) }
}

/** `be2hex([separator[, chunk_size[, truncate]]])`: the bytes in upper-case hex, in chunks of
 *  `chunk_size` bytes joined by `separator` (no separator and no truncation: one chunk). */
function be2hex(args: string[], ctx: CompileCtx): Converter {
  const sep = args[0] ?? ''
  const size = intArg(args[1], ctx, "be2hex's chunk size", 0)
  const truncate = truncateArg(args[2], ctx, 'be2hex')
  if (size <= 0 && (sep !== '' || truncate)) throw new ConfigError(`be2hex: the chunk size must be positive, not ${size}`, ctx.at)
  const whole = sep === '' && !truncate
  const print = (b: Uint8Array, from: number, to: number): string => {
    let s = ''
    for (let i = from; i < to; i++) s += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!
    return s
  }
  return (v) => {
    const b = toBin(v)
    if (b === undefined) return undefined
    return chunked(b, whole ? Math.max(1, b.length) : size, truncate, sep, print)
  }
}

/** RFC 3986's unreserved characters stay; every other byte becomes %XX. */
function urlEncode(s: string): string {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) & 255
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e) out += String.fromCharCode(c)
    else out += '%' + HEX[c >> 4]! + HEX[c & 15]!
  }
  return out
}

function urlEnc(args: string[], ctx: CompileCtx): Converter {
  const type = args[0] ?? ''
  if (type !== '' && type !== 'query') throw new ConfigError(`url_enc: the only encoding is 'query', not '${type}'`, ctx.at)
  return (v) => { const s = toStr(v); return s === undefined ? undefined : urlEncode(s) }
}

/** `add_item(delimiter[, var[, suffix]])`: appends the variable's value and the suffix, with the
 *  delimiter first when the input is not empty and something follows it. */
function addItem(args: string[], ctx: CompileCtx): Converter {
  const delim = args[0] ?? ''
  const ref = args[1] !== undefined && args[1] !== '' ? compileVarRef(args[1], ctx.at) : undefined
  const suffix = args[2] ?? ''
  return (v, s) => {
    const input = toStr(v)
    if (input === undefined) return undefined
    const item = ref === undefined ? undefined : toStr(ref.get(s))
    const follows = (item !== undefined && item !== '') || suffix !== ''
    return input + (input !== '' && follows ? delim : '') + (item ?? '') + suffix
  }
}

/** `secure_memcmp(var)`: whether the input's bytes equal the variable's, compared in a time that
 *  does not depend on where they differ. */
function secureMemcmp(args: string[], ctx: CompileCtx): Converter {
  const name = args[0] ?? ''
  if (!isVarName(name)) throw new ConfigError(`secure_memcmp expects a variable name (txn.x), not '${name}'`, ctx.at)
  const ref = compileVarRef(name, ctx.at)
  return (v, s) => {
    const a = toBin(v)
    const b = toBin(ref.get(s))
    if (a === undefined || b === undefined) return undefined
    return a.length === b.length && timingSafeEqual(a, b)
  }
}

export const ENCODING_CONVERTERS: readonly Def[] = [
  { name: 'be2dec', out: 'str', args: [2, 3], compile: be2dec },
  { name: 'be2hex', out: 'str', args: [0, 3], compile: be2hex },
  { name: 'url_enc', out: 'str', args: [0, 1], compile: urlEnc },
  { name: 'add_item', out: 'str', args: [1, 3], compile: addItem },
  { name: 'secure_memcmp', out: 'bool', args: [1, 1], compile: secureMemcmp },
]
