import { Buffer } from 'node:buffer'
import type { ChunkedOutput, ChunkedScanner } from './types.ts'
import { C_FIELD, C_HEX, C_TCHAR, C_VCHAR, CHARS, COLON, CR, HT, LF, SEMI, SP } from './h1-chars.ts'

/*
 * Chunked body (RFC 9112 §7.1), followed byte by byte, and re-encoded as it goes:
 *
 *   SIZE_START ─hex─> SIZE ─(SP|HT)─> SIZE_BWS ─;─> EXT…    (SIZE ─;─> EXT…)
 *   EXT…: BWS name [BWS = BWS (token | quoted-string)] BWS, then ; (another one) or CR
 *   SIZE, SIZE_BWS, EXT… ─CR─> SIZE_LF ─LF─┬─ size > 0 ─> DATA ─(size bytes)─> DATA_CR ─CR─> DATA_LF ─LF─> SIZE_START
 *                                          └─ size = 0 ─> TRAILER_START
 *   TRAILER_START ─tchar─> TNAME ─:─> TVALUE ─CR─> TLINE_LF ─LF─> TRAILER_START
 *   TRAILER_START ─CR─> END_LF ─LF─> done
 *
 * Every line ends with CRLF: a bare LF, like a bare CR, a CTL or a malformed size or extension,
 * is an error (RFC 9112 §7.1 writes CRLF; a proxy that read a bare LF as a line end would let a
 * peer that does not hand a second message past it). A size line is bounded (15 hex digits,
 * MAX_EXT bytes of extensions), and so is the trailer section (`maxTrailers` bytes).
 *
 * Output (`reset(output)`): `none` follows the framing only; `canonical` gives the body as the
 * next hop must see it: sizes in lower-case hex without leading zeros, no extensions, CRLFs, the trailer
 * lines as received (each one validated); `data` gives the chunks' data alone (de-chunked, for
 * an HTTP/1.0 client). The output of one `scan` is `out`: subarrays of the scanned buffer (data
 * is never copied; a run of canonical framing stays one subarray with the data around it), and
 * size lines or CRLFs written anew where the received ones were not canonical or began in an
 * earlier buffer. Nothing of a line is output before the line was read and found valid: an error
 * in a scan leaves nothing of it to forward.
 */

const SIZE_START = 0
const SIZE = 1
const SIZE_BWS = 2
const EXT_NAME_START = 3
const EXT_NAME = 4
const EXT_NAME_END = 5
const EXT_VAL_START = 6
const EXT_TOKEN = 7
const EXT_QUOTED = 8
const EXT_QPAIR = 9
const EXT_VAL_END = 10
const SIZE_LF = 11
const DATA = 12
const DATA_CR = 13
const DATA_LF = 14
const TRAILER_START = 15
const TNAME = 16
const TVALUE = 17
const TLINE_LF = 18
const END_LF = 19
const DONE = 20
const ERROR = 21

const OUT_NONE = 0
const OUT_CANONICAL = 1
const OUT_DATA = 2

/** Most hex digits in a chunk size (16^15 > 2^53: larger sizes are refused on their value). */
const MAX_SIZE_DIGITS = 15
/** Most bytes of chunk extensions on one size line. */
const MAX_EXT = 4096

const CRLF = new Uint8Array([CR, LF])
const LAST_CHUNK = new Uint8Array([0x30, CR, LF])
const DQUOTE = 0x22
const BACKSLASH = 0x5c
const EQUALS = 0x3d

/** Whether a scan that stops in state `st` stopped inside a line (not at a line's start, and
 *  not in chunk data). */
function inLine(st: number): boolean {
  return (st >= SIZE && st <= SIZE_LF) || st === DATA_LF || (st >= TNAME && st <= END_LF)
}

/** Size lines made so far, by size: a stream's chunks are mostly of one or a few sizes. */
const sizeLines = new Map<number, Uint8Array>()

/** `n` as a chunk-size line (never changed once made: it may be written several times). */
function sizeLine(n: number): Uint8Array {
  if (n === 0) return LAST_CHUNK
  let l = sizeLines.get(n)
  if (l === undefined) {
    l = Buffer.from(n.toString(16) + '\r\n', 'latin1')
    if (sizeLines.size < 256) sizeLines.set(n, l)
  }
  return l
}

/** `buf[a, b)`: `buf` itself when that is all of it (no view made). */
function part(buf: Uint8Array, a: number, b: number): Uint8Array {
  return a === 0 && b === buf.length ? buf : buf.subarray(a, b)
}

export interface ChunkedOptions {
  /** Most bytes of trailer section (default 16384, counted from the last chunk's line end). */
  maxTrailers?: number
}

class Scanner implements ChunkedScanner {
  readonly #maxTrailers: number
  readonly out: Uint8Array[] = []
  #mode = OUT_NONE
  #st = SIZE_START
  /** Bytes of chunk data left (DATA), or the size being read (SIZE). */
  #left = 0
  /** Digits (SIZE), extension bytes (EXT…) or trailer bytes (TRAILER_*) read so far. */
  #n = 0
  /** The size line being read is canonical so far (no leading zero, no whitespace, no extension). */
  #canon = true
  /** The trailer line being read, as far as earlier buffers held it. */
  #held: Uint8Array[] = []
  #error: string | undefined

  constructor(options?: ChunkedOptions) {
    this.#maxTrailers = options?.maxTrailers ?? 16384
  }

  get done(): boolean {
    return this.#st === DONE
  }

  get error(): string | undefined {
    return this.#error
  }

  reset(output: ChunkedOutput = 'none'): void {
    this.#mode = output === 'canonical' ? OUT_CANONICAL : output === 'data' ? OUT_DATA : OUT_NONE
    this.#st = SIZE_START
    this.#left = 0
    this.#n = 0
    this.#canon = true
    if (this.#held.length > 0) this.#held = []
    this.out.length = 0
    this.#error = undefined
  }

  scan(buf: Uint8Array, start: number, end: number): number {
    const out = this.out
    if (out.length > 0) out.length = 0
    let st = this.#st
    if (st === DONE) return start
    if (st === ERROR) return -1
    const mode = this.#mode
    let p = start
    let c = 0
    /** Start of the bytes to output as received (`canonical`: framing and data; `data`: data), or -1. */
    let run = (mode === OUT_CANONICAL && !inLine(st)) || (mode === OUT_DATA && st === DATA) ? start : -1
    /** Start of the line being read, when it began in this buffer; else -1. */
    let line = -1
    while (p < end) {
      switch (st) {
        case DATA: {
          const take = end - p < this.#left ? end - p : this.#left
          p += take
          this.#left -= take
          if (this.#left === 0) {
            st = DATA_CR
            if (mode === OUT_DATA) {
              if (p > run) out.push(part(buf, run, p))
              run = -1
            }
          }
          continue
        }
        case SIZE_START:
          c = buf[p]
          if ((CHARS[c] & C_HEX) === 0) return this.#fail('invalid chunk size')
          line = p
          this.#left = 0
          this.#n = 0
          this.#canon = true
          st = SIZE
          continue
        case SIZE:
          c = buf[p]
          if ((CHARS[c] & C_HEX) !== 0) {
            if (++this.#n > MAX_SIZE_DIGITS) return this.#fail('chunk size too large')
            if ((this.#n > 1 && this.#left === 0) || c < 0x30 || c > 0x39 && c < 0x61) this.#canon = false // a leading zero, upper case
            this.#left = this.#left * 16 + (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57)
            if (this.#left > Number.MAX_SAFE_INTEGER) return this.#fail('chunk size too large')
            p++
            continue
          }
          p++
          if (c === CR) st = SIZE_LF
          else if (c === SEMI) st = this.#extStart()
          else if (c === SP || c === HT) {
            this.#canon = false
            st = SIZE_BWS
          } else if (c === LF) return this.#fail('bare LF in chunk size line')
          else return this.#fail('invalid chunk size')
          continue
        case SIZE_BWS:
          c = buf[p++]
          if (c === SEMI) st = this.#extStart()
          else if (c !== SP && c !== HT) return this.#fail('whitespace after chunk size')
          continue
        case EXT_NAME_START:
        case EXT_NAME:
        case EXT_NAME_END:
        case EXT_VAL_START:
        case EXT_TOKEN:
        case EXT_QUOTED:
        case EXT_QPAIR:
        case EXT_VAL_END:
          c = buf[p++]
          if (c === CR && st !== EXT_QUOTED && st !== EXT_QPAIR && st !== EXT_NAME_START && st !== EXT_VAL_START) {
            st = SIZE_LF
            continue
          }
          if (++this.#n > MAX_EXT) return this.#fail('chunk extensions too long')
          st = this.#ext(st, c)
          if (st === ERROR) return -1
          continue
        case SIZE_LF:
          if (buf[p++] !== LF) return this.#fail('bare CR in chunk size line')
          if (mode === OUT_CANONICAL && !(this.#canon && line >= 0)) {
            if (line > run && run >= 0) out.push(buf.subarray(run, line))
            out.push(sizeLine(this.#left))
            run = p
          }
          if (this.#left > 0) {
            st = DATA
            if (mode === OUT_DATA) run = p
          } else {
            this.#n = 0
            st = TRAILER_START
          }
          continue
        case DATA_CR:
          if (buf[p] !== CR) return this.#fail('missing CRLF after chunk data')
          line = p++
          st = DATA_LF
          continue
        case DATA_LF:
          if (buf[p++] !== LF) return this.#fail('missing CRLF after chunk data')
          if (mode === OUT_CANONICAL && line < 0) {
            out.push(CRLF)
            run = p
          }
          st = SIZE_START
          continue
        case TRAILER_START:
          c = buf[p]
          if (++this.#n > this.#maxTrailers) return this.#fail('trailer section too large')
          line = p++
          if ((CHARS[c] & C_TCHAR) !== 0) st = TNAME
          else if (c === CR) st = END_LF
          else if (c === LF) return this.#fail('bare LF in trailers')
          else if (c === SP || c === HT) return this.#fail('obsolete line folding in trailers')
          else return this.#fail('invalid character in trailer name')
          continue
        case TNAME:
          c = buf[p]
          if (++this.#n > this.#maxTrailers) return this.#fail('trailer section too large')
          p++
          if ((CHARS[c] & C_TCHAR) !== 0) continue
          if (c === COLON) st = TVALUE
          else if (c === SP || c === HT) return this.#fail('whitespace before colon in trailer name')
          else if (c === CR || c === LF) return this.#fail('trailer line without colon')
          else return this.#fail('invalid character in trailer name')
          continue
        case TVALUE:
          c = buf[p]
          if (++this.#n > this.#maxTrailers) return this.#fail('trailer section too large')
          p++
          if ((CHARS[c] & C_FIELD) !== 0) continue
          if (c === CR) st = TLINE_LF
          else if (c === LF) return this.#fail('bare LF in trailers')
          else return this.#fail('invalid character in trailer value')
          continue
        case TLINE_LF:
        case END_LF:
          if (buf[p++] !== LF) return this.#fail('bare CR in trailers')
          if (mode === OUT_CANONICAL && line < 0) {
            const held = this.#held
            held.push(buf.subarray(start, p))
            out.push(held.length === 1 ? held[0] : Buffer.concat(held))
            this.#held = []
            run = p
          }
          if (st === END_LF) {
            this.#st = DONE
            if (mode === OUT_CANONICAL && p > run && run >= 0) out.push(part(buf, run, p))
            return p
          }
          this.#n++
          st = TRAILER_START
          continue
      }
    }
    // Out of bytes: what was read and validated is output, a line begun is kept back.
    if (mode === OUT_CANONICAL && run >= 0) {
      const upto = inLine(st) && line >= 0 ? line : inLine(st) ? run : end
      if (upto > run) out.push(part(buf, run, upto))
    } else if (mode === OUT_DATA && st === DATA && run >= 0 && end > run) out.push(part(buf, run, end))
    if (mode === OUT_CANONICAL && st >= TNAME && st <= END_LF) this.#held.push(buf.subarray(line >= 0 ? line : start, end))
    this.#st = st
    return end
  }

  /** After `;`: the first extension's name follows, after optional whitespace. */
  #extStart(): number {
    this.#canon = false
    this.#n = 0
    return EXT_NAME_START
  }

  /** One byte `c` (not the CR that ends the line) of the extensions, in state `st`:
   *  chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), ext-val = token / quoted-string. */
  #ext(st: number, c: number): number {
    const tchar = (CHARS[c] & C_TCHAR) !== 0
    const ws = c === SP || c === HT
    switch (st) {
      case EXT_NAME_START:
        if (ws) return st
        if (tchar) return EXT_NAME
        break
      case EXT_NAME:
        if (tchar) return st
        if (ws) return EXT_NAME_END
        if (c === EQUALS) return EXT_VAL_START
        if (c === SEMI) return EXT_NAME_START
        break
      case EXT_NAME_END:
        if (ws) return st
        if (c === EQUALS) return EXT_VAL_START
        if (c === SEMI) return EXT_NAME_START
        break
      case EXT_VAL_START:
        if (ws) return st
        if (tchar) return EXT_TOKEN
        if (c === DQUOTE) return EXT_QUOTED
        break
      case EXT_TOKEN:
        if (tchar) return st
        if (ws) return EXT_VAL_END
        if (c === SEMI) return EXT_NAME_START
        break
      case EXT_QUOTED:
        if (c === DQUOTE) return EXT_VAL_END
        if (c === BACKSLASH) return EXT_QPAIR
        if ((CHARS[c] & C_FIELD) !== 0) return st
        break
      case EXT_QPAIR:
        if ((CHARS[c] & (C_FIELD | C_VCHAR)) !== 0) return EXT_QUOTED
        break
      case EXT_VAL_END:
        if (ws) return st
        if (c === SEMI) return EXT_NAME_START
        break
    }
    if (c === LF) this.#fail('bare LF in chunk size line')
    else this.#fail('invalid character in chunk extension')
    return ERROR
  }

  #fail(reason: string): number {
    this.#st = ERROR
    this.#error = reason
    this.out.length = 0
    return -1
  }
}

/** A scanner for one chunked body at a time; `reset()` before the next body. */
export function createChunkedScanner(options?: ChunkedOptions): ChunkedScanner {
  return new Scanner(options)
}
