/**
 * The `json([input-code])` converter: the input as the inside of a JSON string, in ASCII.
 *
 * The input is a byte string (one UTF-16 unit per byte, as every string sample). `ascii` (the
 * default) takes each byte as a character; the `utf8` codes decode UTF-8 first and differ in what
 * they do with what does not decode, as HAProxy's do:
 *
 *   utf8     no sample on any error          utf8s    drops what does not decode
 *   utf8p    fixes overlong forms, else no sample      utf8ps   fixes overlong forms, drops the rest
 *
 * A character above U+FFFF cannot be written with one `\uXXXX`: an error (dropped by the `s` codes).
 */
import { ConfigError } from '../model/source.ts'
import type { CompileCtx, Converter } from './context.ts'
import { toStr } from './sample.ts'

type InputCode = 'ascii' | 'utf8' | 'utf8s' | 'utf8p' | 'utf8ps'
const CODES: readonly InputCode[] = ['ascii', 'utf8', 'utf8s', 'utf8p', 'utf8ps']

// What a UTF-8 sequence can be wrong in (several at once).
const OVERLONG = 1
const INVALID_RANGE = 2
const BAD_SEQUENCE = 4

/** The sequence `utf8At` read last: its code point, its length in bytes, what is wrong with it. */
const seq = { c: 0, len: 0, err: 0 }

/** Reads the UTF-8 sequence at `i` of `s` into `seq`. A lead byte without its continuation bytes
 *  is one bad byte; a continuation byte that is not one ends the sequence before it. Lead bytes of
 *  5 and 6 bytes are read as the original UTF-8 defined them. */
export function utf8At(s: string, i: number): void {
  const b = s.charCodeAt(i) & 0xff
  seq.err = 0
  seq.c = b
  seq.len = 1
  if (b < 0x80) return
  let more: number
  let c: number
  if (b < 0xc0 || b >= 0xfe) { seq.err = BAD_SEQUENCE; return }
  if (b < 0xe0) { more = 1; c = b & 0x1f }
  else if (b < 0xf0) { more = 2; c = b & 0x0f }
  else if (b < 0xf8) { more = 3; c = b & 0x07 }
  else if (b < 0xfc) { more = 4; c = b & 0x03 }
  else { more = 5; c = b & 0x01 }
  if (s.length - i <= more) { seq.err = BAD_SEQUENCE; return }
  let p = i + 1
  for (const end = p + more; p < end; p++) {
    const x = s.charCodeAt(p) & 0xff
    if ((x & 0xc0) !== 0x80) { seq.c = c; seq.len = p - i; seq.err = BAD_SEQUENCE; return }
    c = c * 64 + (x & 0x3f)
  }
  const len = p - i
  seq.c = c
  seq.len = len
  if ((c <= 0x7f && len > 1) || (c <= 0x7ff && len > 2) || (c <= 0xffff && len > 3) || (c <= 0x1fffff && len > 4)) seq.err |= OVERLONG
  if ((c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) seq.err |= INVALID_RANGE
}

const ESCAPES: Readonly<Record<number, string>> = { 34: '\\"', 92: '\\\\', 47: '\\/', 8: '\\b', 12: '\\f', 13: '\\r', 10: '\\n', 9: '\\t' }

function escapeChar(c: number): string {
  const e = ESCAPES[c]
  if (e !== undefined) return e
  if (c >= 0x20 && c < 0x7f) return String.fromCharCode(c)
  return '\\u' + c.toString(16).padStart(4, '0')
}

/** `s` escaped for the inside of a JSON string, or undefined when `code` refuses what it holds. */
export function jsonString(s: string, code: InputCode): string | undefined {
  let out = ''
  let i = 0
  while (i < s.length) {
    let c: number
    if (code === 'ascii') {
      c = s.charCodeAt(i++)
    } else {
      utf8At(s, i)
      i += seq.len
      c = seq.c
      const permissive = code === 'utf8p' || code === 'utf8ps'
      const fatal = permissive ? seq.err & (INVALID_RANGE | BAD_SEQUENCE) : seq.err
      const silent = code === 'utf8s' || code === 'utf8ps'
      if (fatal !== 0) { if (silent) continue; return undefined }
      if (c > 0xffff) { if (silent) continue; return undefined }
    }
    out += escapeChar(c)
  }
  return out
}

export function compileJson(args: string[], ctx: CompileCtx): Converter {
  const code = (args[0] === undefined || args[0] === '' ? 'ascii' : args[0]) as InputCode
  if (!CODES.includes(code)) throw new ConfigError(`json: unknown input code '${args[0]}'; use ${CODES.join(', ')}`, ctx.at)
  return (v) => { const s = toStr(v); return s === undefined ? undefined : jsonString(s, code) }
}
