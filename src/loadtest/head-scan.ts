/**
 * The few facts of an HTTP/1 head that the built-in load generator and backends need: the start
 * line, and the framing (Content-Length, chunked, Connection). One pass over the bytes, no string
 * per header, no allocation per message: the result object is reused.
 *
 * Why not the project's parser (src/http/h1-parser.ts): that one builds a header list a proxy can
 * edit and re-encode, and validates everything a proxy must refuse. The load generator must keep
 * up with wrk on one core and reads only five facts, so it has this small fast path; the bench
 * tests cross-check it on the same messages. It is strict where framing is at stake (a bad
 * Content-Length or an unknown transfer coding is an error), lenient elsewhere.
 */
import { bytesEqualLower, LOWER } from '../http/h1-chars.ts'
import { latin1, methodName } from '../http/head.ts'

export interface HeadFacts {
  /** Bytes of the head, start line to the empty line included. */
  size: number
  /** Response: the status code. Request: 0. */
  status: number
  /** Request: the method (a shared string when a known one) and target as written. Response: ''. */
  method: string
  target: string
  /** 10 for HTTP/1.0, 11 for HTTP/1.1. */
  version: 10 | 11
  /** -1 when absent. */
  contentLength: number
  chunked: boolean
  connClose: boolean
  connKeepAlive: boolean
}

export function newHeadFacts(): HeadFacts {
  return { size: 0, status: 0, method: '', target: '', version: 11, contentLength: -1, chunked: false, connClose: false, connKeepAlive: false }
}

const CR = 13
const LF = 10

/** The index just past the empty line that ends the head starting at `start`, or -1 if `buf`
 *  does not hold it yet. Lone LF line ends are accepted, as most servers do. */
export function headEnd(buf: Uint8Array, start: number, end: number): number {
  let i = buf.indexOf(LF, start)
  while (i !== -1 && i < end) {
    // LF found at i: the head ends if the next line is empty (CRLF or LF)
    const n = i + 1
    if (n < end && buf[n] === LF) return n + 1
    if (n + 1 < end && buf[n] === CR && buf[n + 1] === LF) return n + 2
    if (n >= end || (n + 1 >= end && buf[n] === CR)) return -1
    i = buf.indexOf(LF, n)
  }
  return -1
}

function hasToken(buf: Uint8Array, from: number, to: number, token: string): boolean {
  // comma-separated tokens, compared without case
  let i = from
  while (i < to) {
    while (i < to && (buf[i] === 32 || buf[i] === 9 || buf[i] === 44)) i++
    let j = i
    while (j < to && buf[j] !== 44) j++
    let k = j
    while (k > i && (buf[k - 1] === 32 || buf[k - 1] === 9)) k--
    if (bytesEqualLower(buf, i, k, token)) return true
    i = j + 1
  }
  return false
}

/**
 * Reads the head in buf[start, end) (`end` from `headEnd`) into `out`. Returns an error message
 * or undefined. `kind` chooses the start line's form.
 */
export function scanHead(buf: Uint8Array, start: number, end: number, kind: 'request' | 'response', out: HeadFacts): string | undefined {
  out.size = end - start
  out.status = 0
  out.method = ''
  out.target = ''
  out.contentLength = -1
  out.chunked = false
  out.connClose = false
  out.connKeepAlive = false
  let eol = buf.indexOf(LF, start)
  if (eol === -1 || eol >= end) return 'no start line'
  const lineEnd = eol > start && buf[eol - 1] === CR ? eol - 1 : eol
  if (kind === 'response') {
    // HTTP/1.x SP 3DIGIT [SP reason]
    if (lineEnd - start < 12 || buf[start] !== 72 || buf[start + 1] !== 84 || buf[start + 2] !== 84 || buf[start + 3] !== 80 || buf[start + 4] !== 47 || buf[start + 5] !== 49 || buf[start + 6] !== 46 || buf[start + 8] !== 32) return 'bad status line'
    out.version = buf[start + 7] === 48 ? 10 : 11
    const d0 = buf[start + 9]! - 48, d1 = buf[start + 10]! - 48, d2 = buf[start + 11]! - 48
    if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return 'bad status code'
    out.status = d0 * 100 + d1 * 10 + d2
  } else {
    const sp1 = buf.indexOf(32, start)
    const sp2 = sp1 === -1 ? -1 : buf.indexOf(32, sp1 + 1)
    if (sp1 <= start || sp2 === -1 || sp2 >= lineEnd || lineEnd - sp2 !== 9) return 'bad request line'
    if (buf[sp2 + 1] !== 72 || buf[sp2 + 5] !== 47 || buf[sp2 + 6] !== 49 || buf[sp2 + 7] !== 46) return 'bad HTTP version'
    out.version = buf[sp2 + 8] === 48 ? 10 : 11
    out.method = methodName(buf, start, sp1)
    out.target = latin1(buf, sp1 + 1, sp2)
  }
  for (let ls = eol + 1; ls < end; ls = eol + 1) {
    eol = buf.indexOf(LF, ls)
    if (eol === -1 || eol >= end) break
    const le = eol > ls && buf[eol - 1] === CR ? eol - 1 : eol
    if (le === ls) break // the empty line
    const c = LOWER[buf[ls]!]
    if (c !== 99 && c !== 116) continue // only c… and t… names matter
    const colon = buf.indexOf(58, ls)
    if (colon === -1 || colon > le) return 'header line without a colon'
    let vs = colon + 1
    while (vs < le && (buf[vs] === 32 || buf[vs] === 9)) vs++
    let ve = le
    while (ve > vs && (buf[ve - 1] === 32 || buf[ve - 1] === 9)) ve--
    if (bytesEqualLower(buf, ls, colon, 'content-length')) {
      if (ve === vs) return 'empty Content-Length'
      let n = 0
      for (let i = vs; i < ve; i++) {
        const d = buf[i]! - 48
        if (d < 0 || d > 9) return 'bad Content-Length'
        n = n * 10 + d
      }
      if (out.contentLength !== -1 && out.contentLength !== n) return 'conflicting Content-Length'
      out.contentLength = n
    } else if (bytesEqualLower(buf, ls, colon, 'transfer-encoding')) {
      if (!hasToken(buf, vs, ve, 'chunked')) return 'unsupported transfer coding'
      out.chunked = true
    } else if (bytesEqualLower(buf, ls, colon, 'connection')) {
      if (hasToken(buf, vs, ve, 'close')) out.connClose = true
      if (hasToken(buf, vs, ve, 'keep-alive')) out.connKeepAlive = true
    }
  }
  if (out.chunked) out.contentLength = -1
  return undefined
}
