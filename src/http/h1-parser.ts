import type { H1ErrorStatus, H1Limits, H1Parser, H1Result } from './types.ts'
import { bytesEqualLower, C_DIGIT, C_FIELD, C_TCHAR, C_VCHAR, CHARS, COMMA, CR, HT, LF, SEMI, SP, COLON } from './h1-chars.ts'
import { F_BARE_LF, Head, latin1, M_A, M_B, M_FIELDS, M_FLAGS, M_LINE_END, M_SIZE, M_START, M_STATUS, M_VERSION } from './head.ts'

/*
 * HTTP/1.x head parser (RFC 9112 §2-§6), incremental at every byte.
 *
 *   BEFORE ─(CR LF | LF)*─> request:  METHOD ─SP─> URI ─SP─> RQ_VERSION ─┐
 *                           response: RS_VERSION ─SP─> RS_CODE ─SP?─> RS_REASON ─┤
 *                                                                 (CR) LINE_LF  │ (LF)
 *   ┌───────────────────────────────────────────────────────────────────────────┘
 *   └> FIELD_START ─tchar─> NAME ─:─> OWS ─> VALUE ─(CR) LINE_LF ─LF─> FIELD_START …
 *      FIELD_START ─CR─> EOH_LF ─LF─> done            FIELD_START ─LF─> done
 *
 * Each state reads with a tight loop over one byte class and stops at the first byte outside
 * it; when the bytes run out, the state, the position and the marks are kept (the checkpoint),
 * and the next call resumes exactly there. Nothing is read twice except the version token and
 * the trailing OWS of a value, both a few bytes long.
 */

const ST_BEFORE = 0
const ST_BEFORE_LF = 1
const ST_METHOD = 2
const ST_URI = 3
const ST_RQ_VERSION = 4
const ST_RS_VERSION = 5
const ST_RS_CODE = 6
const ST_RS_REASON = 7
const ST_LINE_LF = 8
const ST_FIELD_START = 9
const ST_NAME = 10
const ST_OWS = 11
const ST_VALUE = 12
const ST_EOH_LF = 13

const NEED_MORE: H1Result = Object.freeze({ kind: 'need-more' }) as H1Result

/** Field slots the offsets of a message get beyond those of the message before it: room for the
 *  fields a proxy adds (X-Forwarded-For…) without the head growing its array. */
const SPARE_FIELDS = 2
/** Field slots of a parser's first offsets array. */
const FIRST_FIELDS = 16

/** The version of `HTTP/1.x` in `buf[a, b)`: 10, 11 (any later minor version reads as 1.1), or 0. */
function versionAt(buf: Uint8Array, a: number, b: number): number {
  if (b - a !== 8) return 0
  if (buf[a] !== 0x48 || buf[a + 1] !== 0x54 || buf[a + 2] !== 0x54 || buf[a + 3] !== 0x50) return 0
  if (buf[a + 4] !== 0x2f || buf[a + 5] !== 0x31 || buf[a + 6] !== 0x2e) return 0
  const minor = buf[a + 7]
  if (minor === 0x30) return 10
  return minor > 0x30 && minor <= 0x39 ? 11 : 0
}

class Parser implements H1Parser {
  readonly #req: boolean
  readonly #maxHead: number
  readonly #maxHeaders: number
  /** Offsets of the message being read (M_* layout). The head takes the array as it is when
   *  done (no copy): `reset()` then takes the next one, as long as this one's fields plus
   *  SPARE_FIELDS (a recycled head's when one is spare), and a longer message grows it as its
   *  fields come. */
  #m: Int32Array
  #lent = false
  #state = ST_BEFORE
  #pos = 0
  /** Start of the token being read (method, target, version, code, reason, name). */
  #mark = 0
  /** End of the field name being read (its colon). */
  #nameEnd = 0
  /** Start of the field value being read (after leading OWS). */
  #valStart = 0
  #count = 0
  #flags = 0
  #last: H1Result | undefined

  constructor(req: boolean, limits: H1Limits) {
    this.#req = req
    this.#maxHead = Math.max(1, limits.maxHead | 0)
    this.#maxHeaders = Math.max(0, limits.maxHeaders | 0)
    this.#m = new Int32Array(M_FIELDS + 4 * Math.min(this.#maxHeaders, FIRST_FIELDS))
  }

  reset(): void {
    if (this.#lent) {
      this.#m = Head.takeOffsets(M_FIELDS + 4 * Math.min(this.#maxHeaders, this.#count + SPARE_FIELDS))
      this.#lent = false
    }
    this.#state = ST_BEFORE
    this.#pos = 0
    this.#mark = 0
    this.#count = 0
    this.#flags = 0
    this.#last = undefined
  }

  parse(buf: Uint8Array, len: number): H1Result {
    if (this.#last !== undefined) return this.#last
    if (len > buf.length) len = buf.length
    const maxHead = this.#maxHead
    const lim = len < maxHead ? len : maxHead
    let m = this.#m
    let slots = (m.length - M_FIELDS) >> 2
    let p = this.#pos
    let st = this.#state
    let mark = this.#mark
    let nameEnd = this.#nameEnd
    let valStart = this.#valStart
    let count = this.#count
    let flags = this.#flags
    const maxHeaders = this.#maxHeaders
    const chars = CHARS
    let c = 0
    for (;;) {
      switch (st) {
        case ST_BEFORE:
          if (p >= lim) break
          c = buf[p]
          if (c === LF) {
            p++
            continue
          }
          if (c === CR) {
            p++
            st = ST_BEFORE_LF
            continue
          }
          m[M_START] = mark = p
          st = this.#req ? ST_METHOD : ST_RS_VERSION
          continue

        case ST_BEFORE_LF:
          if (p >= lim) break
          if (buf[p] !== LF) return this.#fail(400, p, 'bare CR before the start line')
          p++
          st = ST_BEFORE
          continue

        case ST_METHOD:
          while (p < lim && (chars[buf[p]] & C_TCHAR) !== 0) p++
          if (p >= lim) break
          if (p === mark) return this.#fail(400, p, 'invalid character at the start of the request line')
          if (buf[p] !== SP) return this.#fail(400, p, 'invalid character in method')
          m[M_A] = mark
          m[M_A + 1] = p
          mark = ++p
          st = ST_URI
          continue

        case ST_URI:
          while (p < lim && (chars[buf[p]] & C_VCHAR) !== 0) p++
          if (p >= lim) break
          c = buf[p]
          if (c === SP) {
            if (p === mark) return this.#fail(400, p, 'empty request target')
            m[M_B] = mark
            m[M_B + 1] = p
            mark = ++p
            st = ST_RQ_VERSION
            continue
          }
          if (c === CR || c === LF) return this.#fail(400, p, 'missing HTTP version (HTTP/0.9 is not supported)')
          return this.#fail(400, p, 'invalid character in request target')

        case ST_RQ_VERSION: {
          while (p < lim && (chars[buf[p]] & C_VCHAR) !== 0) p++
          if (p >= lim) break
          c = buf[p]
          if (c !== CR && c !== LF) return this.#fail(400, p, 'invalid character after HTTP version')
          const v = versionAt(buf, mark, p)
          if (v === 0) return this.#fail(400, mark, 'unsupported HTTP version')
          m[M_VERSION] = v
          m[M_LINE_END] = p++
          if (c === CR) st = ST_LINE_LF
          else {
            flags |= F_BARE_LF
            st = ST_FIELD_START
          }
          continue
        }

        case ST_RS_VERSION: {
          while (p < lim && (chars[buf[p]] & C_VCHAR) !== 0) p++
          if (p >= lim) break
          if (buf[p] !== SP) return this.#fail(502, p, 'invalid status line')
          const v = versionAt(buf, mark, p)
          if (v === 0) return this.#fail(502, mark, 'unsupported HTTP version')
          m[M_VERSION] = v
          mark = ++p
          st = ST_RS_CODE
          continue
        }

        case ST_RS_CODE:
          while (p < lim && (chars[buf[p]] & C_DIGIT) !== 0 && p - mark < 3) p++
          if (p >= lim) break
          c = buf[p]
          if (p - mark !== 3 || (c !== SP && c !== CR && c !== LF)) return this.#fail(502, p, 'invalid status code')
          m[M_STATUS] = (buf[mark] - 0x30) * 100 + (buf[mark + 1] - 0x30) * 10 + (buf[mark + 2] - 0x30)
          if (c === SP) {
            mark = ++p
            st = ST_RS_REASON
            continue
          }
          mark = p // no reason phrase, not even its SP: tolerated
          st = ST_RS_REASON
          continue

        case ST_RS_REASON:
          while (p < lim && (chars[buf[p]] & C_FIELD) !== 0) p++
          if (p >= lim) break
          c = buf[p]
          if (c !== CR && c !== LF) return this.#fail(502, p, 'invalid character in reason phrase')
          m[M_B] = mark
          m[M_B + 1] = p
          m[M_LINE_END] = p++
          if (c === CR) st = ST_LINE_LF
          else {
            flags |= F_BARE_LF
            st = ST_FIELD_START
          }
          continue

        case ST_LINE_LF:
          if (p >= lim) break
          if (buf[p] !== LF) return this.#fail(400, p, 'bare CR')
          p++
          st = ST_FIELD_START
          continue

        case ST_FIELD_START:
          // Whole `name: value CRLF` lines in one go, the common case. Anything else (a line cut
          // by the end of the bytes, a bare LF, an error) goes on in the per-token states below,
          // from where this loop stopped.
          while (p < lim && (chars[buf[p]] & C_TCHAR) !== 0) {
            mark = p++
            while (p < lim && (chars[buf[p]] & C_TCHAR) !== 0) p++
            if (p >= lim || buf[p] !== COLON) {
              st = ST_NAME
              break
            }
            nameEnd = p++
            while (p < lim && ((c = buf[p]) === SP || c === HT)) p++
            if (p >= lim) {
              st = ST_OWS
              break
            }
            valStart = p
            while (p < lim && (chars[buf[p]] & C_FIELD) !== 0) p++
            if (p + 1 >= lim || buf[p] !== CR || buf[p + 1] !== LF) {
              st = ST_VALUE
              break
            }
            if (count >= slots) {
              if (count >= maxHeaders) return this.#fail(400, mark, 'too many header fields')
              slots = ((m = this.#grow(count)).length - M_FIELDS) >> 2
            }
            let ve = p
            while (ve > valStart && ((c = buf[ve - 1]) === SP || c === HT)) ve--
            const f = M_FIELDS + 4 * count++
            m[f] = mark
            m[f + 1] = nameEnd
            m[f + 2] = valStart
            m[f + 3] = ve
            p += 2
          }
          if (st !== ST_FIELD_START) continue
          if (p >= lim) break
          c = buf[p]
          if (c === CR) {
            p++
            st = ST_EOH_LF
            continue
          }
          if (c === LF) return this.#finish(buf, p + 1, count, flags | F_BARE_LF)
          if (c === SP || c === HT) return this.#fail(400, p, 'obsolete line folding')
          return this.#fail(400, p, 'invalid character in header name')

        case ST_NAME:
          while (p < lim && (chars[buf[p]] & C_TCHAR) !== 0) p++
          if (p >= lim) break
          c = buf[p]
          if (c === COLON) {
            nameEnd = p++
            st = ST_OWS
            continue
          }
          if (c === SP || c === HT) return this.#fail(400, p, 'whitespace before colon in header name')
          if (c === CR || c === LF) return this.#fail(400, p, 'header line without colon')
          return this.#fail(400, p, 'invalid character in header name')

        case ST_OWS:
          while (p < lim && ((c = buf[p]) === SP || c === HT)) p++
          if (p >= lim) break
          valStart = p
          st = ST_VALUE
          continue

        case ST_VALUE: {
          while (p < lim && (chars[buf[p]] & C_FIELD) !== 0) p++
          if (p >= lim) break
          c = buf[p]
          if (c !== CR && c !== LF) return this.#fail(400, p, c === 0 ? 'NUL in header value' : 'invalid character in header value')
          if (count >= slots) {
            if (count >= maxHeaders) return this.#fail(400, mark, 'too many header fields')
            slots = ((m = this.#grow(count)).length - M_FIELDS) >> 2
          }
          let ve = p
          while (ve > valStart && ((c = buf[ve - 1]) === SP || c === HT)) ve--
          const f = M_FIELDS + 4 * count++
          m[f] = mark
          m[f + 1] = nameEnd
          m[f + 2] = valStart
          m[f + 3] = ve
          if (buf[p++] === CR) st = ST_LINE_LF
          else {
            flags |= F_BARE_LF
            st = ST_FIELD_START
          }
          continue
        }

        case ST_EOH_LF:
          if (p >= lim) break
          if (buf[p] !== LF) return this.#fail(400, p, 'bare CR')
          return this.#finish(buf, p + 1, count, flags)
      }
      break
    }
    // Out of bytes (or at the size limit) inside the head.
    this.#pos = p
    this.#state = st
    this.#mark = mark
    this.#nameEnd = nameEnd
    this.#valStart = valStart
    this.#count = count
    this.#flags = flags
    if (len < maxHead) return NEED_MORE
    if (st <= ST_RQ_VERSION && this.#req) return this.#fail(414, maxHead, 'request line too long')
    return this.#fail(431, maxHead, 'header section too large')
  }

  /** A longer offsets array for a message with more than `count` fields, its offsets kept. */
  #grow(count: number): Int32Array {
    const m = new Int32Array(M_FIELDS + 4 * Math.min(this.#maxHeaders, 2 * count + SPARE_FIELDS))
    m.set(this.#m)
    return (this.#m = m)
  }

  /** Responses are always refused with 502: the client is told the server misbehaved. */
  #fail(status: H1ErrorStatus, pos: number, reason: string): H1Result {
    const r: H1Result = { kind: 'error', status: this.#req ? status : 502, pos, reason }
    this.#last = r
    return r
  }

  #finish(buf: Uint8Array, size: number, count: number, flags: number): H1Result {
    const m = this.#m
    m[M_SIZE] = size
    m[M_FLAGS] = flags
    if (!this.#req) m[M_A] = m[M_A + 1] = 0
    else m[M_STATUS] = 0
    this.#lent = true
    this.#count = count
    const head = Head.make(this.#req ? 'request' : 'response', buf, m, count)
    const err = this.#req ? analyzeRequest(head, buf, m, count) : analyzeResponse(head, buf, m, count)
    if (err !== undefined) return this.#fail(err.status, err.pos, err.reason)
    const r: H1Result = { kind: 'done', head }
    this.#last = r
    return r
  }
}

// ---- what the fields say: framing, connection, expect, host ----

interface FieldError {
  status: H1ErrorStatus
  pos: number
  reason: string
}

/** What one pass over the fields finds; reused, the parser being synchronous. */
const seen = {
  hosts: 0,
  clFields: 0,
  clFirst: -1,
  clValue: -1,
  clMerged: false,
  clError: undefined as FieldError | undefined,
  teFields: 0,
  teChunked: 0,
  teChunkedLast: false,
  /** A coding other than chunked is named (HAProxy refuses any: 422 for a request, 502 for a
   *  response). */
  teOther: false,
  teError: undefined as FieldError | undefined,
  close: false,
  keepAlive: false,
  upgrade: false,
  expect100: false,
}

/** Reads the fields that matter to the proxy, comparing names as bytes (no strings made). */
function scanFields(buf: Uint8Array, m: Int32Array, count: number, req: boolean): void {
  const s = seen
  s.hosts = s.clFields = s.teFields = s.teChunked = 0
  s.clFirst = s.clValue = -1
  s.clMerged = s.teChunkedLast = s.teOther = s.close = s.keepAlive = s.upgrade = s.expect100 = false
  s.clError = s.teError = undefined
  for (let i = 0; i < count; i++) {
    const f = M_FIELDS + 4 * i
    const a = m[f]
    switch (m[f + 1] - a) {
      case 4:
        if (bytesEqualLower(buf, a, m[f + 1], 'host')) s.hosts++
        break
      case 6:
        if (req && bytesEqualLower(buf, a, m[f + 1], 'expect')) {
          if (bytesEqualLower(buf, m[f + 2], m[f + 3], '100-continue')) s.expect100 = true
        }
        break
      case 10:
        if (bytesEqualLower(buf, a, m[f + 1], 'connection')) scanConnection(buf, m[f + 2], m[f + 3])
        break
      case 14:
        if (bytesEqualLower(buf, a, m[f + 1], 'content-length')) {
          if (s.clFields++ === 0) s.clFirst = i
          if (s.clError === undefined) scanContentLength(buf, m[f + 2], m[f + 3])
        }
        break
      case 17:
        if (bytesEqualLower(buf, a, m[f + 1], 'transfer-encoding')) {
          s.teFields++
          if (s.teError === undefined) scanTransferEncoding(buf, m[f + 2], m[f + 3], req)
        }
        break
    }
  }
}

function scanConnection(buf: Uint8Array, a: number, b: number): void {
  let p = a
  while (p < b) {
    let c = buf[p]
    while (p < b && ((c = buf[p]) === SP || c === HT || c === COMMA)) p++
    const t = p
    while (p < b && (c = buf[p]) !== COMMA && c !== SP && c !== HT) p++
    switch (p - t) {
      case 5:
        if (bytesEqualLower(buf, t, p, 'close')) seen.close = true
        break
      case 7:
        if (bytesEqualLower(buf, t, p, 'upgrade')) seen.upgrade = true
        break
      case 10:
        if (bytesEqualLower(buf, t, p, 'keep-alive')) seen.keepAlive = true
        break
    }
  }
}

// The first error of each kind is kept with a request's status; #fail turns it into 502 for a
// response.
function badLength(pos: number, reason: string): void {
  seen.clError = { status: 400, pos, reason }
}

function badCoding(status: H1ErrorStatus, pos: number, reason: string): void {
  seen.teError = { status, pos, reason }
}

/** Content-Length: 1*DIGIT, or a list of them that must all be equal (RFC 9110 §8.6). */
function scanContentLength(buf: Uint8Array, a: number, b: number): void {
  const s = seen
  if (a === b) return badLength(a, 'empty Content-Length')
  let p = a
  let elems = 0
  for (;;) {
    while (p < b && (buf[p] === SP || buf[p] === HT)) p++
    const d = p
    let n = 0
    while (p < b && (CHARS[buf[p]] & C_DIGIT) !== 0) {
      n = n * 10 + (buf[p] - 0x30)
      if (n > Number.MAX_SAFE_INTEGER) return badLength(d, 'Content-Length too large')
      p++
    }
    if (p === d) return badLength(p, 'invalid Content-Length')
    while (p < b && (buf[p] === SP || buf[p] === HT)) p++
    if (s.clValue >= 0 && s.clValue !== n) return badLength(d, 'different Content-Length values')
    s.clValue = n
    elems++
    if (p >= b) break
    if (buf[p] !== COMMA) return badLength(p, 'invalid Content-Length')
    p++
  }
  if (elems > 1) s.clMerged = true
}

/** Transfer-Encoding: a list of codings over all fields; chunked must come last, once. */
function scanTransferEncoding(buf: Uint8Array, a: number, b: number, req: boolean): void {
  const s = seen
  if (a === b) return badCoding(400, a, 'empty Transfer-Encoding')
  let p = a
  for (;;) {
    while (p < b && (buf[p] === SP || buf[p] === HT)) p++
    const t = p
    while (p < b && (CHARS[buf[p]] & C_TCHAR) !== 0) p++
    const e = p
    while (p < b && (buf[p] === SP || buf[p] === HT)) p++
    if (p < b && buf[p] !== COMMA) {
      return badCoding(400, p, buf[p] === SEMI ? 'parameters on a transfer coding' : 'invalid Transfer-Encoding')
    }
    if (e > t) {
      if (bytesEqualLower(buf, t, e, 'chunked')) {
        if (s.teChunked++ > 0) return badCoding(400, t, 'chunked twice in Transfer-Encoding')
        s.teChunkedLast = true
      } else {
        if (req && s.teChunkedLast) return badCoding(400, t, 'chunked is not the last transfer coding')
        s.teChunkedLast = false
        s.teOther = true
      }
    }
    if (p >= b) return
    p++
  }
}

/** Mends the head after the fields were read: Content-Length dropped (TE + CL) or merged. */
function applyContentLength(head: Head, teWins: boolean): void {
  const s = seen
  if (s.clFields === 0) return
  if (teWins) {
    head.remove('content-length')
    head.mustClose = true
    return
  }
  if (s.clFields > 1 || s.clMerged) {
    for (let j = head.find('content-length', s.clFirst + 1); j >= 0; j = head.find('content-length', j)) head.removeAt(j)
    head.setValue(s.clFirst, String(s.clValue))
  }
}

const SLASH = 0x2f
const STAR = 0x2a
const AT = 0x40

/** An absolute-form target (`scheme://authority/…`, RFC 9112 §3.2.2): its authority replaces
 *  the Host field toward the server (a Host that said otherwise is not what the target names;
 *  one is added to a request that had none), userinfo left out. An empty authority is refused
 *  (RFC 9110 §4.2.1). Other targets (authority-form, a scheme without `//`) are left alone. */
function absoluteFormHost(head: Head, buf: Uint8Array, a: number, b: number): FieldError | undefined {
  let p = a
  const c0 = buf[p] | 0x20
  if (c0 < 0x61 || c0 > 0x7a) return undefined
  while (p < b) {
    const c = buf[p]
    if (((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) p++
    else break
  }
  if (b - p < 3 || buf[p] !== COLON || buf[p + 1] !== SLASH || buf[p + 2] !== SLASH) return undefined
  const auth = p + 3
  let e = auth
  let h = auth
  for (; e < b; e++) {
    const c = buf[e]
    if (c === SLASH || c === 0x3f || c === 0x23) break
    if (c === AT) h = e + 1
  }
  if (h === e) return { status: 400, pos: auth, reason: 'empty authority in an absolute-form target' }
  const host = latin1(buf, h, e)
  const cur = head.get('host')
  if (cur === undefined || cur.toLowerCase() !== host.toLowerCase()) head.set('Host', host)
  return undefined
}

function analyzeRequest(head: Head, buf: Uint8Array, m: Int32Array, count: number): FieldError | undefined {
  scanFields(buf, m, count, true)
  const s = seen
  const pos = m[M_START]
  const v11 = m[M_VERSION] === 11
  if (s.teFields > 0) {
    if (s.teError !== undefined) return s.teError
    if (!s.teChunkedLast) return { status: 400, pos, reason: 'Transfer-Encoding without chunked last' }
    // As HAProxy: a coding edgelb would pass on without reading it is refused, with 422.
    if (s.teOther) return { status: 422, pos, reason: 'transfer coding other than chunked' }
  } else if (s.clError !== undefined) return s.clError
  if (s.hosts > 1) return { status: 400, pos, reason: 'more than one Host field' }
  if (s.hosts === 0 && v11) return { status: 400, pos, reason: 'missing Host field in an HTTP/1.1 request' }
  const t = buf[m[M_B]]
  if (t !== SLASH && t !== STAR) {
    const err = absoluteFormHost(head, buf, m[M_B], m[M_B + 1])
    if (err !== undefined) return err
  }
  if (s.teFields > 0) {
    head.framing = 'chunked'
    applyContentLength(head, true)
    // HTTP/1.0 with Transfer-Encoding: read as chunked, then the connection closes (RFC 9112
    // §6.1: the framing is faulty, the connection closes after the message). It goes on as it
    // came, as HAProxy sends it, and the server is told to close after it (serverHeaders): a
    // server that would read it as body-less may not read what follows as another request.
    if (!v11) head.mustClose = true
  } else if (s.clFields > 0) {
    head.framing = 'length'
    head.contentLength = s.clValue
    applyContentLength(head, false)
  }
  head.connClose = s.close || (!v11 && !s.keepAlive)
  head.connKeepAlive = s.keepAlive
  head.connUpgrade = s.upgrade
  head.expectContinue = s.expect100 && v11 // an HTTP/1.0 client cannot wait for 100 (RFC 9110 §10.1.1)
  return undefined
}

function analyzeResponse(head: Head, buf: Uint8Array, m: Int32Array, count: number): FieldError | undefined {
  scanFields(buf, m, count, false)
  const s = seen
  const pos = m[M_START]
  const v11 = m[M_VERSION] === 11
  const status = m[M_STATUS]
  if (status < 100) return { status: 502, pos, reason: 'invalid status code' }
  if (status < 200 || status === 204 || status === 304) {
    head.framing = 'none'
  } else if (s.teFields > 0) {
    if (s.teError !== undefined) return s.teError
    // As HAProxy: a coding other than chunked (chunked not last, or absent) is a bad response.
    if (s.teOther || !s.teChunkedLast) return { status: 502, pos, reason: 'transfer coding other than chunked' }
    head.framing = 'chunked'
    applyContentLength(head, true)
    if (!v11) head.mustClose = true // read as chunked, then closed (RFC 9112 §6.1)
  } else if (s.clFields > 0) {
    if (s.clError !== undefined) return s.clError
    head.framing = 'length'
    head.contentLength = s.clValue
    applyContentLength(head, false)
  } else {
    head.framing = 'eof'
  }
  head.connClose = s.close || (!v11 && !s.keepAlive)
  head.connKeepAlive = s.keepAlive
  head.connUpgrade = s.upgrade
  return undefined
}

/** A parser of request heads (errors carry 400, 414, 422 or 431). */
export function createRequestParser(limits: H1Limits): H1Parser {
  return new Parser(true, limits)
}

/** A parser of response heads (every error carries 502). */
export function createResponseParser(limits: H1Limits): H1Parser {
  return new Parser(false, limits)
}
