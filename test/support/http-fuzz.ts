/**
 * Fuzzes the HTTP/1 head parser and the chunked scanner (src/http/).
 *
 *   ./node_modules/.bin/bun bench/http-fuzz.ts [--iterations N] [--seed S] [--save-limit K]
 *
 * Each case is a request head, a response head or a chunked body, made from a valid message by
 * random mutations, or assembled from random tokens, or a known smuggling vector. Checks:
 *   1. the parser never throws;
 *   2. feeding the bytes in pieces (every byte boundary, or a few random cuts) gives the same
 *      result, error reason and position included, as feeding them at once;
 *   3. the result equals the one of a reference written differently (line by line, with regular
 *      expressions, on strings), the error status only for errors;
 *   4. an accepted request is unambiguous when forwarded: its encoded head has CRLF line ends,
 *      no folded line, token names, one Content-Length at most and none next to
 *      Transfer-Encoding, chunked once and last, and parsing it again gives the same head;
 *   5. the known smuggling vectors get exactly the outcome the table below gives them.
 * A case that breaks any of these is saved under test/fixtures/http-fuzz/ (with the reference's
 * outcome as the expected one) and replayed by test/http-fuzz-regressions.test.ts.
 */
import { createChunkedScanner } from '../../src/http/chunked.ts'
import { createRequestParser, createResponseParser } from '../../src/http/h1-parser.ts'
import type { H1Limits, H1Parser, H1Result } from '../../src/http/types.ts'

export type FuzzTarget = 'request' | 'response' | 'chunked'

export interface FuzzCase {
  target: FuzzTarget
  /** Latin-1: one char per byte. */
  input: string
  limits: H1Limits
}

/** A parse result as plain data. Errors carry reason and position only in `ours` (not compared
 *  with the reference). Chunked results: `end` is where the body ended. */
export type Outcome =
  | { kind: 'need-more' }
  | { kind: 'error'; status: number; reason?: string; pos?: number }
  | { kind: 'done'; end: number }
  | ({ kind: 'done' } & HeadSummary)

export interface HeadSummary {
  size: number
  version: number
  method: string
  uri: string
  status: number
  reason: string
  framing: string
  contentLength: number
  connClose: boolean
  connKeepAlive: boolean
  connUpgrade: boolean
  expectContinue: boolean
  mustClose: boolean
  fields: [string, string][]
  encoded: string
}

export const MAX_TRAILERS = 256

// ---- helpers ----

function bytesOf(s: string): Uint8Array {
  const b = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i)
  return b
}

function str(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i])
  return s
}

function summarize(r: H1Result): Outcome {
  if (r.kind === 'need-more') return { kind: 'need-more' }
  if (r.kind === 'error') return { kind: 'error', status: r.status, reason: r.reason, pos: r.pos }
  const h = r.head
  const fields: [string, string][] = []
  for (let i = 0; i < h.headers.count; i++) fields.push([h.headers.name(i), h.headers.value(i)])
  return {
    kind: 'done', size: h.size, version: h.version, method: h.method, uri: h.uri, status: h.status, reason: h.reason,
    framing: h.framing, contentLength: h.contentLength, connClose: h.connClose, connKeepAlive: h.connKeepAlive,
    connUpgrade: h.connUpgrade, expectContinue: h.expectContinue, mustClose: h.mustClose, fields, encoded: str(h.encode()),
  }
}

function parserFor(c: FuzzCase): H1Parser {
  return c.target === 'request' ? createRequestParser(c.limits) : createResponseParser(c.limits)
}

// ---- our parser, in one piece or in pieces ----

/** Parses in pieces ending at each of `cuts` (increasing), then at the end. Bytes past `len`
 *  hold garbage, so that a parser reading past what it was given would be caught. */
export function ours(c: FuzzCase, cuts: readonly number[] = []): Outcome {
  const src = bytesOf(c.input)
  if (c.target === 'chunked') return oursChunked(src, cuts)
  const p = parserFor(c)
  const buf = new Uint8Array(src.length).fill(0x0d)
  let have = 0
  for (const len of [...cuts, src.length]) {
    buf.set(src.subarray(have, len), have)
    have = len
    const r = p.parse(buf, len)
    if (r.kind !== 'need-more') return summarize(r)
  }
  return { kind: 'need-more' }
}

function oursChunked(src: Uint8Array, cuts: readonly number[]): Outcome {
  const s = createChunkedScanner({ maxTrailers: MAX_TRAILERS })
  let at = 0
  for (const end of [...cuts, src.length]) {
    if (end < at) continue
    const r = s.scan(src, at, end)
    if (r < 0) return { kind: 'error', status: 0, reason: s.error }
    if (s.done) return { kind: 'done', end: r }
    if (r !== end) return { kind: 'error', status: -1, reason: `scan returned ${r} for a range ending at ${end} without being done` }
    at = end
  }
  return { kind: 'need-more' }
}

// ---- the reference: the same rules, written line by line with regular expressions ----

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const REQ_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([\x21-\x7e]+) HTTP\/1\.([0-9])$/
const REQ_LINE_PREFIX = /^(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]*|[!#$%&'*+\-.^_`|~0-9A-Za-z]+ [\x21-\x7e]*|[!#$%&'*+\-.^_`|~0-9A-Za-z]+ [\x21-\x7e]+ [\x21-\x7e]*)$/
const STATUS_LINE = /^HTTP\/1\.([0-9]) ([0-9]{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/
const STATUS_LINE_PREFIX = /^(?:[\x21-\x7e]*|HTTP\/1\.[0-9] [0-9]{0,3}|HTTP\/1\.[0-9] [0-9]{3} [\t\x20-\x7e\x80-\xff]*)$/
const FIELD_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([\t\x20-\x7e\x80-\xff]*?)[ \t]*$/
const FIELD_LINE_PREFIX = /^(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]*|[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*)$/

function trimOws(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, '')
}

interface RefLine {
  content: string
  /** crlf, lf; `cr-end`: a CR is the last byte available; `bare-cr`: a CR then something else; none: no end yet. */
  term: 'crlf' | 'lf' | 'cr-end' | 'bare-cr' | 'none'
  next: number
}

function lineAt(t: string, p: number): RefLine {
  const m = /[\r\n]/.exec(t.slice(p))
  if (m === null) return { content: t.slice(p), term: 'none', next: t.length }
  const i = p + m.index
  const content = t.slice(p, i)
  if (t[i] === '\n') return { content, term: 'lf', next: i + 1 }
  if (i + 1 === t.length) return { content, term: 'cr-end', next: i + 1 }
  if (t[i + 1] === '\n') return { content, term: 'crlf', next: i + 2 }
  return { content, term: 'bare-cr', next: i + 1 }
}

/** What the rules say about a head (see src/http/h1-parser.ts and its tests). */
export function reference(c: FuzzCase): Outcome {
  if (c.target === 'chunked') return referenceChunked(c.input, MAX_TRAILERS)
  const req = c.target === 'request'
  const { maxHead, maxHeaders } = c.limits
  const cut = c.input.length >= maxHead
  const t = cut ? c.input.slice(0, maxHead) : c.input
  const err = (status: number): Outcome => ({ kind: 'error', status: req ? status : 502 })
  const needMore = (inStartLine: boolean): Outcome => (cut ? err(inStartLine && req ? 414 : 431) : { kind: 'need-more' })

  let p = 0
  for (;;) {
    if (p >= t.length) return needMore(true)
    if (t[p] === '\n') p++
    else if (t[p] === '\r') {
      if (p + 1 >= t.length) return needMore(true)
      if (t[p + 1] !== '\n') return err(400)
      p += 2
    } else break
  }
  const start = p
  let bareLf = false
  const sl = lineAt(t, p)
  if (sl.term === 'none') return (req ? REQ_LINE_PREFIX : STATUS_LINE_PREFIX).test(sl.content) ? needMore(true) : err(400)
  const lm = (req ? REQ_LINE : STATUS_LINE).exec(sl.content)
  if (lm === null) return err(400)
  if (sl.term === 'bare-cr') return err(400)
  if (sl.term === 'cr-end') return needMore(false)
  if (sl.term === 'lf') bareLf = true
  const version = lm[req ? 3 : 1] === '0' ? 10 : 11
  p = sl.next

  const fields: [string, string][] = []
  let size = -1
  for (;;) {
    const l = lineAt(t, p)
    if (l.term === 'none') return FIELD_LINE_PREFIX.test(l.content) ? needMore(false) : err(400)
    if (l.content === '') {
      if (l.term === 'bare-cr') return err(400)
      if (l.term === 'cr-end') return needMore(false)
      if (l.term === 'lf') bareLf = true
      size = l.next
      break
    }
    const fm = FIELD_LINE.exec(l.content)
    if (fm === null) return err(400)
    if (fields.length >= maxHeaders) return err(400)
    fields.push([fm[1], fm[2]])
    if (l.term === 'bare-cr') return err(400)
    if (l.term === 'cr-end') return needMore(false)
    if (l.term === 'lf') bareLf = true
    p = l.next
  }

  // What the fields say.
  const lower = fields.map(([n]) => n.toLowerCase())
  const values = (n: string): string[] => fields.filter((_, i) => lower[i] === n).map(([, v]) => v)
  const te = values('transfer-encoding')
  const cl = values('content-length')
  const conn = values('connection').flatMap((v) => v.split(/[ \t,]+/)).map((x) => x.toLowerCase())
  const status = req ? 0 : Number(lm[2])

  let teError: number | undefined
  let chunkedSeen = false
  let chunkedLast = false
  /** A coding other than chunked (422 in a request once the rest is sound, 502 in a response). */
  let teOther = false
  for (const v of te) {
    if (teError !== undefined) break
    if (v === '') {
      teError = 400
      break
    }
    for (const el of v.split(',')) {
      const tok = trimOws(el)
      if (tok === '') continue
      if (!TOKEN.test(tok)) {
        teError = 400
        break
      }
      const lt = tok.toLowerCase()
      if (lt === 'chunked') {
        if (chunkedSeen) {
          teError = 400
          break
        }
        chunkedSeen = chunkedLast = true
      } else {
        if (req && chunkedLast) {
          teError = 400
          break
        }
        chunkedLast = false
        teOther = true
      }
    }
  }
  let clError = false
  let clValue = -1
  let clList = false
  for (const v of cl) {
    const els = v.split(',')
    if (els.length > 1) clList = true
    for (const el of els) {
      const d = trimOws(el)
      if (!/^[0-9]+$/.test(d) || BigInt(d) > BigInt(Number.MAX_SAFE_INTEGER)) clError = true
      else if (clValue >= 0 && Number(d) !== clValue) clError = true
      else clValue = Number(d)
      if (clError) break
    }
    if (v === '' || clError) {
      clError = true
      break
    }
  }

  let framing = 'none'
  let authority: string | undefined
  let contentLength = -1
  let mustClose = false
  let outFields = fields
  const dropCl = (): void => {
    if (cl.length === 0) return
    outFields = fields.filter((_, i) => lower[i] !== 'content-length')
    mustClose = true
  }
  const mergeCl = (): void => {
    if (cl.length <= 1 && !clList) return
    const first = lower.indexOf('content-length')
    outFields = fields.filter((_, i) => lower[i] !== 'content-length' || i === first)
    outFields = outFields.map(([n, v], i) => (i === first ? [n, String(clValue)] : [n, v]))
  }
  if (req) {
    if (te.length > 0) {
      if (teError !== undefined) return err(teError)
      if (!chunkedLast) return err(400)
      if (teOther) return err(422)
    } else if (clError) return err(400)
    const hosts = values('host').length
    if (hosts > 1 || (hosts === 0 && version === 11)) return err(400)
    // An absolute-form target's authority replaces Host (RFC 9112 §3.2.2), userinfo left out.
    const am = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(lm[2]!)
    if (am !== null) {
      authority = am[1]!.slice(am[1]!.lastIndexOf('@') + 1)
      if (authority === '') return err(400)
    }
    if (te.length > 0) {
      framing = 'chunked'
      dropCl()
      if (version === 10) mustClose = true
    } else if (cl.length > 0) {
      framing = 'length'
      contentLength = clValue
      mergeCl()
    }
  } else {
    if (status < 100) return err(502)
    if (status < 200 || status === 204 || status === 304) framing = 'none'
    else if (te.length > 0) {
      if (teError !== undefined || teOther || !chunkedLast) return err(502)
      framing = 'chunked'
      dropCl()
      if (version === 10) mustClose = true
    } else if (cl.length > 0) {
      if (clError) return err(502)
      framing = 'length'
      contentLength = clValue
      mergeCl()
    } else framing = 'eof'
  }
  if (authority !== undefined) {
    const hi = outFields.findIndex(([n]) => n.toLowerCase() === 'host')
    if (hi < 0) outFields = [...outFields, ['Host', authority]]
    else if (outFields[hi]![1].toLowerCase() !== authority.toLowerCase()) {
      outFields = outFields.map(([n, v], i): [string, string] => (i === hi ? [n, authority!] : [n, v]))
    }
  }
  const keepAlive = conn.includes('keep-alive')
  const changed = outFields !== fields
  const encoded =
    changed || bareLf
      ? sl.content + '\r\n' + outFields.map(([n, v]) => `${n}: ${v}\r\n`).join('') + '\r\n'
      : t.slice(start, size)
  return {
    kind: 'done', size, version, method: req ? lm[1] : '', uri: req ? lm[2] : '', status,
    reason: req ? '' : (lm[3] ?? ''), framing, contentLength,
    connClose: conn.includes('close') || (version === 10 && !keepAlive), connKeepAlive: keepAlive,
    connUpgrade: conn.includes('upgrade'),
    expectContinue: req && version === 11 && values('expect').some((v) => v.toLowerCase() === '100-continue'),
    mustClose, fields: outFields, encoded,
  }
}

/** What the rules say about a chunked body: where it ends, or that no completion is valid. */
export function referenceChunked(s: string, maxTrailers: number): Outcome {
  return referenceChunkedOut(s, maxTrailers).o
}

const HEX_LINE = /^([0-9a-fA-F]+)(.*)$/s
const QS = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t \\x21-\\x7e\\x80-\\xff])*"'
const TOK = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+"
/** What may follow the size on its line: nothing, or extensions (RFC 9112 §7.1.1) with BWS. */
const EXTENSIONS = new RegExp(`^(?:(?:[ \\t]*;[ \\t]*${TOK}(?:[ \\t]*=[ \\t]*(?:${TOK}|${QS}))?)+[ \\t]*)?$`)
/** Endings that complete any valid beginning of a size line into a valid line. */
const COMPLETIONS = ['', ';x', 'x', '"', 'x"', '0']

/** Whether `line` (without its CRLF) is a valid chunk-size line; its size. */
function sizeLineOf(line: string): { ok: boolean; size: number } {
  const m = HEX_LINE.exec(line)
  if (m === null) return { ok: false, size: 0 }
  const digits = m[1]!
  const rest = m[2]!
  if (digits.length > 15 || parseInt(digits, 16) > Number.MAX_SAFE_INTEGER) return { ok: false, size: 0 }
  const semi = rest.indexOf(';')
  if (semi >= 0 && rest.length - semi - 1 > 4096) return { ok: false, size: 0 }
  return { ok: EXTENSIONS.test(rest), size: parseInt(digits, 16) }
}

/** Whether some ending makes `prefix` a valid size line. */
function sizeLinePrefix(prefix: string): boolean {
  const semi = prefix.indexOf(';')
  if (semi >= 0 && prefix.length - semi - 1 > 4096) return false
  const m = HEX_LINE.exec(prefix)
  if (m !== null && (m[1]!.length > 15 || parseInt(m[1]!, 16) > Number.MAX_SAFE_INTEGER)) return false
  return COMPLETIONS.some((end) => sizeLineOf(prefix + end).ok)
}

/** The reference's reading of a chunked body, strictly (every line ends with CRLF): its outcome;
 *  `canon`, what a strict proxy forwards of it: sizes in lowercase hex without leading zeros,
 *  no extensions, the data, CRLFs, the trailer lines as received; `data`, the chunks' data
 *  alone. For a body refused or incomplete, `canon` and `data` cover what was read and valid
 *  before the fault or the end (the data of a chunk counts as it arrives). */
export function referenceChunkedOut(s: string, maxTrailers: number): { o: Outcome; canon: string; data: string } {
  let canon = ''
  let data = ''
  const ERR = (): { o: Outcome; canon: string; data: string } => ({ o: { kind: 'error', status: 0 }, canon, data })
  const MORE = (): { o: Outcome; canon: string; data: string } => ({ o: { kind: 'need-more' }, canon, data })
  let p = 0
  for (;;) {
    const l = lineAt(s, p)
    if (l.term === 'none') return l.content === '' || sizeLinePrefix(l.content) ? MORE() : ERR()
    if (l.term === 'lf' || l.term === 'bare-cr') return ERR()
    const sl = sizeLineOf(l.content)
    if (!sl.ok) return ERR()
    if (l.term === 'cr-end') return MORE()
    p = l.next
    canon += sl.size.toString(16) + '\r\n'
    if (sl.size === 0) break
    if (s.length - p < sl.size) {
      canon += s.slice(p)
      data += s.slice(p)
      return MORE()
    }
    canon += s.slice(p, p + sl.size)
    data += s.slice(p, p + sl.size)
    p += sl.size
    if (p === s.length) return MORE()
    if (s[p] !== '\r') return ERR()
    if (p + 1 === s.length) return MORE()
    if (s[p + 1] !== '\n') return ERR()
    p += 2
    canon += '\r\n'
  }
  const tstart = p
  for (;;) {
    const l = lineAt(s, p)
    const used = (end: number, finalCrlf: boolean): number => end - tstart - (finalCrlf ? 1 : 0)
    if (l.term === 'none') {
      if (used(s.length, false) > maxTrailers) return ERR()
      return FIELD_LINE_PREFIX.test(l.content) ? MORE() : ERR()
    }
    if (l.term === 'lf' || l.term === 'bare-cr') return ERR()
    if (l.content === '') {
      if (used(l.next, l.term === 'crlf') > maxTrailers) return ERR()
      if (l.term === 'cr-end') return MORE()
      canon += '\r\n'
      return { o: { kind: 'done', end: l.next }, canon, data }
    }
    if (!FIELD_LINE.test(l.content)) return ERR()
    if (used(l.next, false) > maxTrailers) return ERR()
    if (l.term === 'cr-end') return MORE()
    canon += l.content + '\r\n'
    p = l.next
  }
}

// ---- the smuggling oracle ----

/** Why an accepted request would be ambiguous to the next hop, or undefined. */
export function ambiguity(c: FuzzCase, o: Outcome): string | undefined {
  if (c.target !== 'request' || o.kind !== 'done' || !('encoded' in o)) return undefined
  const e = o.encoded
  if (!e.endsWith('\r\n\r\n')) return 'encoded head does not end with CRLF CRLF'
  const lines = e.slice(0, -4).split('\r\n')
  if (/[\r\n\x00]/.test(lines.join(''))) return 'bare CR, LF or NUL in the encoded head'
  let cl = 0
  let te: string[] = []
  for (const line of lines.slice(1)) {
    if (/^[ \t]/.test(line)) return 'folded line forwarded'
    const colon = line.indexOf(':')
    if (colon <= 0 || !TOKEN.test(line.slice(0, colon))) return `field name not a token: ${JSON.stringify(line)}`
    const name = line.slice(0, colon).toLowerCase()
    const value = trimOws(line.slice(colon + 1))
    if (name === 'content-length') {
      cl++
      if (!/^[0-9]+$/.test(value)) return `Content-Length forwarded as ${JSON.stringify(value)}`
      if (o.framing !== 'length' || Number(value) !== o.contentLength) return 'Content-Length disagrees with framing'
    }
    if (name === 'transfer-encoding') te = te.concat(value.split(',').map((x) => trimOws(x).toLowerCase()).filter((x) => x !== ''))
  }
  if (cl > 1) return 'several Content-Length fields forwarded'
  if (te.length > 0) {
    if (cl > 0) return 'Content-Length forwarded next to Transfer-Encoding'
    if (te[te.length - 1] !== 'chunked' || te.indexOf('chunked') !== te.length - 1) return 'chunked not once and last'
    if (o.framing !== 'chunked') return 'Transfer-Encoding present but framing is not chunked'
    // HTTP/1.0 with Transfer-Encoding goes on as it came (HAProxy's way) only on a connection
    // that closes after it.
    if (o.version !== 11 && !o.mustClose) return 'Transfer-Encoding forwarded in HTTP/1.0 on a connection kept open'
  } else if (o.framing === 'chunked') return 'chunked framing without Transfer-Encoding'
  if (cl === 0 && o.framing === 'length') return 'length framing without Content-Length'
  const again = ours({ target: 'request', input: e, limits: { maxHead: Math.max(c.limits.maxHead, e.length + 1), maxHeaders: c.limits.maxHeaders } })
  if (again.kind !== 'done' || !('framing' in again)) return `re-parsing the encoded head gives ${again.kind}`
  if (again.framing !== o.framing || again.contentLength !== o.contentLength || again.encoded !== e) return 're-parsing the encoded head changes it'
  return undefined
}

// ---- one case ----

function stable(o: Outcome, withDetail: boolean): string {
  if (o.kind === 'error' && !withDetail) return JSON.stringify({ kind: 'error', status: o.status })
  return JSON.stringify(o)
}

/** Runs every check on `c`; returns what went wrong, or undefined. `cuts` lists the piece ends to
 *  try besides byte by byte (when `bytewise`). */
export function checkCase(c: FuzzCase, options: { cutSets?: number[][]; bytewise?: boolean } = {}): string | undefined {
  let whole: Outcome
  try {
    whole = ours(c)
  } catch (e) {
    return `threw: ${(e as Error).stack ?? String(e)}`
  }
  const w = stable(whole, true)
  const sets = options.cutSets ?? []
  if (options.bytewise) sets.push(Array.from({ length: c.input.length }, (_, i) => i))
  for (const cuts of sets) {
    let o: Outcome
    try {
      o = ours(c, cuts)
    } catch (e) {
      return `threw when sliced at ${JSON.stringify(cuts)}: ${(e as Error).stack ?? String(e)}`
    }
    if (stable(o, true) !== w) return `slicing at ${cuts.length > 8 ? 'every byte' : JSON.stringify(cuts)} gives ${stable(o, true)} instead of ${w}`
  }
  let ref: Outcome
  try {
    ref = reference(c)
  } catch (e) {
    return `the reference threw: ${String(e)}`
  }
  if (stable(whole, false) !== stable(ref, false)) return `parser says ${stable(whole, true)}, reference says ${stable(ref, false)}`
  return ambiguity(c, whole)
}

// ---- inputs ----

/** mulberry32: small, fast, reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const REQUESTS = [
  'GET /search?q=edgelb&lang=en HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\nAccept: text/html,application/xhtml+xml,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\nCookie: session=abc123; theme=dark\r\n\r\n',
  'POST /api/v1/items HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"a":1,"b":2}',
  'POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  'PUT /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n',
  'GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n',
  'GET / HTTP/1.0\r\n\r\n',
  '\r\nGET /a HTTP/1.1\nHost: b\nX-Empty:\n\n',
  'OPTIONS * HTTP/1.1\r\nHost: a\r\nContent-Length: 0, 0\r\ncontent-length: 0\r\n\r\n',
  'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, close\r\nUpgrade: websocket\r\nX-Obs: caf\xe9\t \r\n\r\n',
]

const RESPONSES = [
  'HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  'HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n',
  'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n',
  'HTTP/1.1 100 Continue\r\n\r\n',
  'HTTP/1.0 200\r\nContent-Type: text/plain\r\n\r\nbody until close',
  'HTTP/1.1 302 \r\nLocation: /\r\nContent-Length: 0\r\nTransfer-Encoding: gzip\r\n\r\n',
  'HTTP/1.1 500 Internal Server Error\nContent-Length: 3, 3\n\n',
]

const CHUNKED = [
  '5\r\nhello\r\n0\r\n\r\n',
  '1a;name=value;q="x y"\r\n' + 'z'.repeat(26) + '\r\n0\r\nExpires: never\r\nX: 1\r\n\r\n',
  '3\nabc\n0\n\n',
  '00000f\r\n' + 'a'.repeat(15) + '\r\nA\r\n0123456789\r\n0;last\r\n\r\n',
]

/** Known request-smuggling vectors and what must become of them. `done-chunked-close`: accepted
 *  as chunked, Content-Length removed, and the connection closed after the exchange when there
 *  was a Content-Length or the request was HTTP/1.0; `done-length`: read by Content-Length (the other field is not framing). */
export const SMUGGLING: readonly { input: string; expect: 'error' | 'done-chunked-close' | 'done-length' }[] = [
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n', expect: 'done-chunked-close' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n', expect: 'done-chunked-close' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4, 5\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length : 4\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\nContent-Length: 4\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\nContent-Length: 4\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\nContent-Length: 4\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nX: y\r\n Transfer-Encoding: chunked\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \x0bchunked\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\x00\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "chunked"\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;q=1\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer_Encoding: chunked\r\nContent-Length: 4\r\n\r\n', expect: 'done-length' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\rX: y\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\rContent-Length: 4\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n', expect: 'done-chunked-close' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +4\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x4\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4 4\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551620\r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n', expect: 'error' },
  { input: 'POST / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', expect: 'error' },
  { input: 'GET / HTTP/1.1\r\nHost: a\r\n\x00\r\n\r\n', expect: 'error' },
  { input: 'GET /\x00 HTTP/1.1\r\nHost: a\r\n\r\n', expect: 'error' },
  { input: 'GET / HTTP/1.1\r\n Host: a\r\n\r\n', expect: 'error' },
  { input: 'GET /a b HTTP/1.1\r\nHost: a\r\n\r\n', expect: 'error' },
  { input: 'GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:chunked\r\n\r\n0\r\n\r\n', expect: 'done-chunked-close' },
]

/** Chunk-size smuggling vectors: each must be a framing error. */
export const CHUNKED_VECTORS: readonly string[] = [
  '-1\r\n', '+5\r\nhello\r\n0\r\n\r\n', '0x5\r\nhello\r\n0\r\n\r\n', '5 5\r\nhello\r\n0\r\n\r\n',
  'fffffffffffffffff\r\n', '10000000000000000005\r\nhello\r\n', '5\rhello\r\n0\r\n\r\n',
  '5\r\nhelloXX0\r\n\r\n', '5\r\nhello\r0\r\n\r\n', '\r\n', ';ext\r\n', '5;\x00\r\nhello\r\n0\r\n\r\n',
  '0\r\nX : y\r\n\r\n', '0\r\nX: y\r\n z\r\n\r\n', '0\r\n\rX',
]

const INTERESTING = ['\r', '\n', '\r\n', ' ', '\t', ':', ',', ';', '\x00', '\x0b', '\x7f', '\x80', '\xff', '"', '0', '-', '+', 'a', 'F', '9']
const TOKENS = [
  '\r\n', '\n', ' ', '\t', ':', ', ', ';', '=', '\r\n ', 'chunked', 'CHUNKED', 'identity', 'gzip', 'xchunked', '0', '5', '18446744073709551616',
  '-1', '0x10', 'Transfer-Encoding: chunked\r\n', 'Content-Length: 5\r\n', 'Content-Length: 6\r\n', 'transfer-encoding : chunked\r\n',
  'Host: x\r\n', 'Connection: close\r\n', 'Expect: 100-continue\r\n', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'GET', ' / ', '\r\n\r\n',
]

function pick<T>(r: () => number, a: readonly T[]): T {
  return a[Math.floor(r() * a.length)]
}

function int(r: () => number, n: number): number {
  return Math.floor(r() * n)
}

/** One to four random edits of `s`. */
export function mutate(r: () => number, s: string): string {
  const n = 1 + int(r, 4)
  for (let k = 0; k < n; k++) {
    const at = int(r, s.length + 1)
    switch (int(r, 10)) {
      case 0:
        s = s.slice(0, at) + String.fromCharCode(int(r, 256)) + s.slice(at + 1)
        break
      case 1:
        s = s.slice(0, at) + pick(r, INTERESTING) + s.slice(at + 1)
        break
      case 2:
        s = s.slice(0, at) + pick(r, INTERESTING) + s.slice(at)
        break
      case 3:
        s = s.slice(0, at) + pick(r, TOKENS) + s.slice(at)
        break
      case 4:
        s = s.slice(0, at) + s.slice(at + 1 + int(r, 3))
        break
      case 5: {
        const lines = s.split('\r\n')
        const i = int(r, lines.length)
        lines.splice(int(r, lines.length), 0, lines[i])
        s = lines.join('\r\n')
        break
      }
      case 6: {
        const lines = s.split('\r\n')
        const i = int(r, lines.length)
        const j = int(r, lines.length)
        ;[lines[i], lines[j]] = [lines[j], lines[i]]
        s = lines.join('\r\n')
        break
      }
      case 7: {
        const lines = s.split('\r\n')
        lines.splice(int(r, lines.length), 1)
        s = lines.join('\r\n')
        break
      }
      case 8: {
        const e = at + int(r, 12)
        const part = s.slice(at, e)
        const flip = r() < 0.5 ? /[a-z]/g : /[A-Z]/g // ASCII only: the input stays one byte per char
        s = s.slice(0, at) + part.replace(flip, (ch) => String.fromCharCode(ch.charCodeAt(0) ^ 0x20)) + s.slice(e)
        break
      }
      default:
        s = s.slice(0, at) + s.slice(at).replace(/\r\n/, pick(r, ['\n', '\r', '\r\r\n', '\r\n\r\n', '\r\n\t', '\n\r']))
    }
  }
  return s
}

/** A message assembled from random tokens (mostly invalid, some valid-looking). */
function assemble(r: () => number, target: FuzzTarget): string {
  if (target === 'chunked') {
    let s = ''
    const n = int(r, 4)
    for (let i = 0; i < n; i++) {
      const len = int(r, 20)
      s += len.toString(16) + (r() < 0.2 ? ';' + pick(r, TOKENS) : '') + pick(r, ['\r\n', '\r\n', '\n', ' \r\n', '\r']) + 'x'.repeat(len) + pick(r, ['\r\n', '\r\n', '\n', '', 'x'])
    }
    return s + '0' + pick(r, ['\r\n', '\n']) + (r() < 0.3 ? 'T: v\r\n' : '') + pick(r, ['\r\n', '\n', '\r', ''])
  }
  let s = target === 'request' ? pick(r, ['GET / HTTP/1.1\r\n', 'POST /p HTTP/1.1\r\n', 'GET / HTTP/1.0\r\n']) : pick(r, ['HTTP/1.1 200 OK\r\n', 'HTTP/1.0 204 X\r\n'])
  const n = int(r, 8)
  for (let i = 0; i < n; i++) s += pick(r, TOKENS)
  return s + (r() < 0.7 ? '\r\n' : '')
}

const NORMAL: H1Limits = { maxHead: 8192, maxHeaders: 100 }

function limitsFor(r: () => number): H1Limits {
  return r() < 0.8 ? NORMAL : { maxHead: 16 + int(r, 200), maxHeaders: int(r, 8) }
}

/** The i-th case of a run. */
export function makeCase(r: () => number): { c: FuzzCase; bytewise: boolean } {
  const x = r()
  const target: FuzzTarget = x < 0.5 ? 'request' : x < 0.8 ? 'response' : 'chunked'
  const seeds = target === 'request' ? REQUESTS : target === 'response' ? RESPONSES : CHUNKED
  const y = r()
  let input: string
  if (y < 0.05) input = pick(r, seeds)
  else if (y < 0.1 && target === 'request') input = pick(r, SMUGGLING).input
  else if (y < 0.1 && target === 'chunked') input = pick(r, CHUNKED_VECTORS)
  else if (y < 0.85) input = mutate(r, pick(r, seeds))
  else if (y < 0.9 && target === 'request') input = mutate(r, pick(r, SMUGGLING).input)
  else if (y < 0.97) input = assemble(r, target)
  else input = Array.from({ length: int(r, 40) }, () => String.fromCharCode(int(r, 256))).join('')
  return { c: { target, input, limits: target === 'chunked' ? NORMAL : limitsFor(r) }, bytewise: y < 0.05 || r() < 0.1 }
}

/** Checks the smuggling and chunked vector tables; returns the problems. */
export function checkVectors(): string[] {
  const problems: string[] = []
  for (const v of SMUGGLING) {
    const o = ours({ target: 'request', input: v.input, limits: NORMAL })
    if (v.expect === 'error' && o.kind !== 'error') problems.push(`smuggling vector accepted: ${JSON.stringify(v.input)}`)
    if (v.expect === 'done-length' && (o.kind !== 'done' || !('framing' in o) || o.framing !== 'length')) {
      problems.push(`vector not read by its Content-Length: ${JSON.stringify(v.input)} → ${JSON.stringify(o)}`)
    }
    if (v.expect === 'done-chunked-close') {
      const mustClose = /content-length/i.test(v.input) || / HTTP\/1\.0\r\n/.test(v.input)
      if (o.kind !== 'done' || !('framing' in o) || o.framing !== 'chunked' || o.mustClose !== mustClose || /content-length/i.test(o.encoded)) {
        problems.push(`TE+CL vector not made chunked-and-close: ${JSON.stringify(v.input)} → ${JSON.stringify(o)}`)
      }
    }
  }
  for (const v of CHUNKED_VECTORS) {
    if (ours({ target: 'chunked', input: v, limits: NORMAL }).kind !== 'error') problems.push(`chunked vector accepted: ${JSON.stringify(v)}`)
  }
  return problems
}

/** One to three random places to cut `len` bytes at, in order. */
export function randomCuts(r: () => number, len: number): number[] {
  const k = 1 + int(r, 3)
  const cuts = Array.from({ length: k }, () => int(r, len + 1))
  return cuts.sort((a, b) => a - b)
}

// ---- whole messages: what reaches the next hop ----

/** A message (head and body) as a proxy forwards it; `output`: how a chunked body goes on
 *  (re-encoded, or its data alone for an HTTP/1.0 client). */
export interface MessageCase {
  target: 'request' | 'response'
  input: string
  limits: H1Limits
  output: 'canonical' | 'data'
}

/** What goes on of a message (latin1): for `done`, all of it; for `need-more`, what could go on
 *  so far; for `error`, at most what was valid before the fault. */
export interface Forward {
  kind: 'done' | 'error' | 'need-more'
  bytes: string
}

/** The reference's forwarding: the head as it encodes it, then the body: Content-Length's bytes
 *  as received, a chunked body re-encoded (referenceChunkedOut), a response to the close. */
export function referenceForward(c: MessageCase): Forward {
  const head = reference({ target: c.target, input: c.input, limits: c.limits })
  if (head.kind !== 'done' || !('encoded' in head)) return { kind: head.kind, bytes: '' }
  const rest = c.input.slice(head.size)
  switch (head.framing) {
    case 'chunked': {
      const r = referenceChunkedOut(rest, MAX_TRAILERS)
      return { kind: r.o.kind, bytes: head.encoded + (c.output === 'data' ? r.data : r.canon) }
    }
    case 'length':
      if (rest.length < head.contentLength) return { kind: 'need-more', bytes: head.encoded + rest }
      return { kind: 'done', bytes: head.encoded + rest.slice(0, head.contentLength) }
    case 'eof':
      return { kind: 'need-more', bytes: head.encoded + rest }
    default:
      return { kind: 'done', bytes: head.encoded }
  }
}

/** edgelb's forwarding, in process: the parser, then the chunked scanner on the body received in
 *  pieces ending at `cuts` (offsets into the body; each piece a buffer of its own, as sockets
 *  deliver them), its output of each piece appended only when the piece scanned without error. */
export function oursForward(c: MessageCase, cuts: readonly number[] = []): Forward {
  const src = bytesOf(c.input)
  const r = parserFor(c).parse(src, src.length)
  if (r.kind !== 'done') return { kind: r.kind, bytes: '' }
  const h = r.head
  let bytes = str(h.encode())
  const rest = src.length - h.size
  switch (h.framing) {
    case 'chunked': {
      const sc = createChunkedScanner({ maxTrailers: MAX_TRAILERS })
      sc.reset(c.output)
      let at = h.size
      for (const cut of [...cuts.map((x) => x + h.size).filter((x) => x > h.size && x < src.length), src.length]) {
        if (cut < at) continue
        const piece = src.slice(at, cut)
        if (sc.scan(piece, 0, piece.length) < 0) return { kind: 'error', bytes }
        for (const o of sc.out) bytes += str(o)
        if (sc.done) return { kind: 'done', bytes }
        at = cut
      }
      return { kind: 'need-more', bytes }
    }
    case 'length':
      if (rest < h.contentLength) return { kind: 'need-more', bytes: bytes + str(src.subarray(h.size)) }
      return { kind: 'done', bytes: bytes + str(src.subarray(h.size, h.size + h.contentLength)) }
    case 'eof':
      return { kind: 'need-more', bytes: bytes + str(src.subarray(h.size)) }
    default:
      return { kind: 'done', bytes }
  }
}

/** Where edgelb's forwarding of `c` differs from the reference's, or undefined: the same outcome,
 *  the same bytes (a refused body: what went on before the fault, a prefix of the valid part). */
export function checkMessage(c: MessageCase, cuts: readonly number[] = []): string | undefined {
  let o: Forward
  try {
    o = oursForward(c, cuts)
  } catch (e) {
    return `threw: ${(e as Error).stack ?? String(e)}`
  }
  const ref = referenceForward(c)
  if (o.kind !== ref.kind) return `forwarding ends ${o.kind}, reference says ${ref.kind}`
  if (o.kind === 'error' ? !ref.bytes.startsWith(o.bytes) : o.bytes !== ref.bytes) {
    return `forwarded ${JSON.stringify(o.bytes.slice(0, 400))}, reference ${JSON.stringify(ref.bytes.slice(0, 400))}`
  }
  return undefined
}

const MESSAGE_REQUESTS = [
  'POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1A;name=value;q="x y"\r\n' + 'z'.repeat(26) + '\r\n0\r\nExpires: never\r\n\r\n',
  'POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n',
  'PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0005 ; a=b\r\nhello\r\n0;last\r\nT: 1\r\n\r\n',
  'POST /cl HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello',
  'POST /old HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
]
const MESSAGE_RESPONSES = [
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x="1"\r\n world\r\n0\r\n\r\n',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged',
  'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello',
]
/** The request head the socket sample sends; the mutations are in its body. */
export const SOCKET_HEAD = 'POST /f HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n'

/** A chunked body, valid or mutated. */
export function makeBody(r: () => number): string {
  const y = r()
  if (y < 0.1) return pick(r, CHUNKED)
  if (y < 0.2) return pick(r, CHUNKED_VECTORS)
  if (y < 0.7) return mutate(r, pick(r, CHUNKED))
  return assemble(r, 'chunked')
}

/** One whole message: a seed mutated as a whole (head included), or a valid head and a body. */
export function makeMessage(r: () => number): MessageCase {
  const target = r() < 0.7 ? 'request' : 'response'
  const seeds = target === 'request' ? MESSAGE_REQUESTS : MESSAGE_RESPONSES
  const y = r()
  let input: string
  if (y < 0.05) input = pick(r, seeds)
  else if (y < 0.5) input = mutate(r, pick(r, seeds))
  else {
    const seed = pick(r, seeds)
    const head = seed.slice(0, seed.indexOf('\r\n\r\n') + 4)
    input = head + (head.includes('chunked') ? makeBody(r) : mutate(r, seed.slice(head.length)))
  }
  return { target, input, limits: NORMAL, output: target === 'response' && r() < 0.3 ? 'data' : 'canonical' }
}

// ---- saving what broke ----

export const FIXTURES = new URL('../fixtures/http-fuzz/', import.meta.url).pathname

export interface Fixture extends FuzzCase {
  /** The outcome the rules give (from the reference; reviewed when saved by hand). */
  expect: Outcome
  problem: string
  found: string
}

function fnv(s: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(16).padStart(8, '0')
}

export async function save(c: FuzzCase, problem: string, found: string): Promise<string> {
  const { mkdirSync, writeFileSync } = await import('node:fs')
  mkdirSync(FIXTURES, { recursive: true })
  let expect: Outcome
  try {
    expect = reference(c)
  } catch {
    expect = { kind: 'error', status: 0 }
  }
  const name = `${c.target}-${fnv(c.target + c.input + JSON.stringify(c.limits))}.json`
  const f: Fixture = { ...c, expect, problem: problem.slice(0, 2000), found }
  writeFileSync(FIXTURES + name, JSON.stringify(f, null, 2) + '\n')
  return name
}

