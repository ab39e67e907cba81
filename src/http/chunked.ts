import type { ChunkedScanner } from './types.ts'
import { C_FIELD, C_HEX, C_TCHAR, CHARS, COLON, CR, HT, LF, SEMI, SP } from './h1-chars.ts'

/*
 * Chunked body (RFC 9112 §7.1), followed byte by byte without decoding it:
 *
 *   SIZE_START ─hex─> SIZE ─(SP|HT)─> SIZE_BWS ─;─> EXT      (SIZE ─;─> EXT)
 *   SIZE, EXT ─CR─> SIZE_LF ─LF─┬─ size > 0 ─> DATA ─(size bytes)─> DATA_CR ─CR─> DATA_LF ─LF─> SIZE_START
 *   SIZE, EXT ─LF───────────────┘  size = 0 ─> TRAILER_START
 *   TRAILER_START ─tchar─> TNAME ─:─> TVALUE ─CR─> TLINE_LF ─LF─> TRAILER_START
 *   TRAILER_START ─CR─> END_LF ─LF─> done            TRAILER_START ─LF─> done
 *
 * Bare LFs are accepted as line ends (RFC 9112 §2.2); a bare CR, a CTL or a malformed size is an
 * error. A size line is bounded (15 hex digits, MAX_EXT bytes of extensions), and so is the
 * trailer section (`maxTrailers` bytes), so that a peer cannot keep the scanner busy forever.
 */

const SIZE_START = 0
const SIZE = 1
const SIZE_BWS = 2
const EXT = 3
const SIZE_LF = 4
const DATA = 5
const DATA_CR = 6
const DATA_LF = 7
const TRAILER_START = 8
const TNAME = 9
const TVALUE = 10
const TLINE_LF = 11
const END_LF = 12
const DONE = 13
const ERROR = 14

/** Most hex digits in a chunk size (16^15 > 2^53: larger sizes are refused on their value). */
const MAX_SIZE_DIGITS = 15
/** Most bytes of chunk extensions on one size line. */
const MAX_EXT = 4096

export interface ChunkedOptions {
  /** Most bytes of trailer section (default 16384, counted from the last chunk's line end). */
  maxTrailers?: number
}

class Scanner implements ChunkedScanner {
  readonly #maxTrailers: number
  #st = SIZE_START
  /** Bytes of chunk data left (DATA), or the size being read (SIZE). */
  #left = 0
  /** Digits (SIZE), extension bytes (EXT) or trailer bytes (TRAILER_*) read so far. */
  #n = 0
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

  reset(): void {
    this.#st = SIZE_START
    this.#left = 0
    this.#n = 0
    this.#error = undefined
  }

  scan(buf: Uint8Array, start: number, end: number): number {
    let st = this.#st
    if (st === DONE) return start
    if (st === ERROR) return -1
    let p = start
    let c = 0
    while (p < end) {
      switch (st) {
        case DATA: {
          const take = end - p < this.#left ? end - p : this.#left
          p += take
          this.#left -= take
          if (this.#left === 0) st = DATA_CR
          continue
        }
        case SIZE_START:
          c = buf[p]
          if ((CHARS[c] & C_HEX) === 0) return this.#fail('invalid chunk size')
          this.#left = 0
          this.#n = 0
          st = SIZE
          continue
        case SIZE:
          c = buf[p]
          if ((CHARS[c] & C_HEX) !== 0) {
            if (++this.#n > MAX_SIZE_DIGITS) return this.#fail('chunk size too large')
            this.#left = this.#left * 16 + (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57)
            if (this.#left > Number.MAX_SAFE_INTEGER) return this.#fail('chunk size too large')
            p++
            continue
          }
          p++
          if (c === CR) st = SIZE_LF
          else if (c === LF) st = this.#sizeLineEnd()
          else if (c === SEMI) {
            this.#n = 0
            st = EXT
          } else if (c === SP || c === HT) st = SIZE_BWS
          else return this.#fail('invalid chunk size')
          continue
        case SIZE_BWS:
          c = buf[p++]
          if (c === SEMI) {
            this.#n = 0
            st = EXT
          } else if (c !== SP && c !== HT) return this.#fail('whitespace after chunk size')
          continue
        case EXT:
          c = buf[p++]
          if ((CHARS[c] & C_FIELD) !== 0) {
            if (++this.#n > MAX_EXT) return this.#fail('chunk extensions too long')
            continue
          }
          if (c === CR) st = SIZE_LF
          else if (c === LF) st = this.#sizeLineEnd()
          else return this.#fail('invalid character in chunk extension')
          continue
        case SIZE_LF:
          if (buf[p++] !== LF) return this.#fail('bare CR in chunk size line')
          st = this.#sizeLineEnd()
          continue
        case DATA_CR:
          c = buf[p++]
          if (c === CR) st = DATA_LF
          else if (c === LF) st = SIZE_START
          else return this.#fail('missing CRLF after chunk data')
          continue
        case DATA_LF:
          if (buf[p++] !== LF) return this.#fail('missing CRLF after chunk data')
          st = SIZE_START
          continue
        case TRAILER_START:
          c = buf[p]
          if (++this.#n > this.#maxTrailers) return this.#fail('trailer section too large')
          p++
          if ((CHARS[c] & C_TCHAR) !== 0) st = TNAME
          else if (c === CR) st = END_LF
          else if (c === LF) {
            this.#st = DONE
            return p
          } else if (c === SP || c === HT) return this.#fail('obsolete line folding in trailers')
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
          else if (c === LF) st = TRAILER_START
          else return this.#fail('invalid character in trailer value')
          continue
        case TLINE_LF:
          if (buf[p++] !== LF) return this.#fail('bare CR in trailers')
          this.#n++
          st = TRAILER_START
          continue
        case END_LF:
          if (buf[p++] !== LF) return this.#fail('bare CR in trailers')
          this.#st = DONE
          return p
      }
    }
    this.#st = st
    return end
  }

  /** The state after a size line: the data, or the trailers after the last chunk. */
  #sizeLineEnd(): number {
    if (this.#left > 0) return DATA
    this.#n = 0
    return TRAILER_START
  }

  #fail(reason: string): number {
    this.#st = ERROR
    this.#error = reason
    return -1
  }
}

/** A scanner for one chunked body at a time; `reset()` before the next body. */
export function createChunkedScanner(options?: ChunkedOptions): ChunkedScanner {
  return new Scanner(options)
}
