import type { BodyFraming, H1Head, HeaderList, HttpVersion } from './types.ts'
import { Buffer } from 'node:buffer'
import { bytesEqualLower, LOWER } from './h1-chars.ts'

/**
 * Layout of the offsets a parser hands to `new Head()` (an Int32Array it owns afterwards, with
 * room for more fields than it holds): the start line first, then 4 per field: name start, name
 * end, value start, value end (the value already trimmed of OWS). Offsets index the received
 * buffer.
 *
 * A field added or edited later keeps its name (value) as a string instead: its name (value)
 * start is then -1 and the string sits at the same index in `#names` (`#values`).
 */
export const M_START = 0 // first byte of the start line (after tolerated leading empty lines)
export const M_LINE_END = 1 // the CR or LF that ends the start line
export const M_A = 2 // [2, 3): method (request); unused in a response
export const M_B = 4 // [4, 5): request-target (request) or reason phrase (response)
export const M_SIZE = 6 // bytes from buf[0] through the empty line
export const M_VERSION = 7 // 10 | 11
export const M_STATUS = 8 // status code (response)
export const M_FLAGS = 9 // F_* bits
export const M_FIELDS = 10

/** Some line ended with a bare LF: the head is written anew (with CRLFs) when encoded, so that
 *  the next hop never has to agree with us on bare LFs. */
export const F_BARE_LF = 1

const EMPTY: string[] = []

/** Lower-case field names, by name as written. Fields are added, set and looked up by names the
 *  configuration spells (set-header, forwardfor, balance hdr…), the same few strings request
 *  after request: a lookup here costs half a toLowerCase(), which makes a new string each time.
 *  Bounded, in case names ever came from elsewhere. */
const lowerNames = new Map<string, string>()

export function lowerName(name: string): string {
  let l = lowerNames.get(name)
  if (l === undefined) {
    l = name.toLowerCase()
    if (lowerNames.size < 256) lowerNames.set(name, l)
  }
  return l
}

/** Buffer's latin1Slice takes any Uint8Array as `this` and makes the string natively (about
 *  35 ns whatever the length, against 130 ns for 41 bytes in a JS loop). */
const nativeLatin1 = (Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, a: number, b: number) => string }).latin1Slice

/** Latin-1 string of `buf[a, b)` (each byte one UTF-16 unit: no byte is lost or merged). */
export function latin1(buf: Uint8Array, a: number, b: number): string {
  const n = b - a
  if (n <= 0) return ''
  if (n > 4 && nativeLatin1 !== undefined) return nativeLatin1.call(buf, a, b)
  let s = ''
  for (let i = a; i < b; i++) s += String.fromCharCode(buf[i])
  return s
}

/** The methods of RFC 9110 §9 and PATCH, as the strings they are everywhere else in the program:
 *  nearly every request reads its method (HEAD has no response body), and a string made per
 *  request is garbage per request. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']

/** The method token `buf[a, b)`: one of METHODS when it is one, else a string of its own. */
export function methodName(buf: Uint8Array, a: number, b: number): string {
  const n = b - a
  for (let k = 0; k < METHODS.length; k++) {
    const m = METHODS[k]!
    if (m.length !== n) continue
    let i = 0
    while (i < n && buf[a + i] === m.charCodeAt(i)) i++
    if (i === n) return m
  }
  return latin1(buf, a, b)
}

function writeLatin1(out: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    out[p++] = c > 0xff ? 0x3f : c // '?' for what latin1 cannot carry
  }
  return p
}

/** Heads of ended messages kept for the next ones, and the offsets arrays they held: see
 *  Head.make / Head.recycle. */
const spareHeads: Head[] = []
const spareOffsets: Int32Array[] = []
const SPARE_MAX = 1024
const NO_BYTES = new Uint8Array(0)
const NO_OFFSETS = new Int32Array(M_FIELDS)

/**
 * One parsed head. It is also its own header list (`headers` returns `this`), so that a message
 * costs one object plus its offsets array.
 *
 * Reads turn bytes into strings on demand; edits keep the received fields as offsets and hold
 * only what changed as strings; `encode()` copies the untouched parts from the received buffer.
 *
 * Heads are recycled, with their offsets arrays: two per request otherwise, the bulk of what a
 * request leaves to the collector. A session recycles its exchange's heads when the exchange has
 * ended and nothing refers to them; every field is set in `#init`.
 */
export class Head implements H1Head, HeaderList {
  /** Set once per message (by `#init`); not to be changed. */
  kind!: 'request' | 'response'
  framing!: BodyFraming
  contentLength!: number
  connClose!: boolean
  connKeepAlive!: boolean
  connUpgrade!: boolean
  expectContinue!: boolean
  mustClose!: boolean
  /** Set once per message (by `#init`); not to be changed. */
  size!: number

  #buf!: Uint8Array
  #m!: Int32Array
  #count!: number
  #names!: string[]
  /** Lower-case names of added fields, so that lookups compare without lower-casing each time. */
  #lnames!: string[]
  #values!: string[]
  /** Values of received fields already made into strings (rules read Host, Cookie… several
   *  times per request); made on the first read. */
  #read!: (string | undefined)[]
  #method: string | undefined
  #uri: string | undefined
  #reason: string | undefined
  #status!: number
  #version!: HttpVersion
  #lineEdited!: boolean
  #changed!: boolean

  /** `m` follows the M_* layout and holds `count` fields; the head keeps it (and `buf`) and
   *  reads them lazily. */
  constructor(kind: 'request' | 'response', buf: Uint8Array, m: Int32Array, count: number) {
    this.#init(kind, buf, m, count)
  }

  #init(kind: 'request' | 'response', buf: Uint8Array, m: Int32Array, count: number): void {
    this.kind = kind
    this.framing = 'none'
    this.contentLength = -1
    this.connClose = false
    this.connKeepAlive = false
    this.connUpgrade = false
    this.expectContinue = false
    this.mustClose = false
    this.size = m[M_SIZE]!
    this.#buf = buf
    this.#m = m
    this.#count = count
    this.#names = EMPTY
    this.#lnames = EMPTY
    this.#values = EMPTY
    this.#read = EMPTY
    this.#method = undefined
    this.#uri = undefined
    this.#reason = undefined
    this.#status = m[M_STATUS]!
    this.#version = m[M_VERSION] as HttpVersion
    this.#lineEdited = false
    this.#changed = false
  }

  /** A head as `new Head()` makes it, recycled when one is spare. */
  static make(kind: 'request' | 'response', buf: Uint8Array, m: Int32Array, count: number): Head {
    const h = spareHeads.pop()
    if (h === undefined) return new Head(kind, buf, m, count)
    h.#init(kind, buf, m, count)
    return h
  }

  /** `h` is done with: nothing reads it again (its strings, buffer and offsets are let go of).
   *  Its offsets array goes to the next parser that needs one. */
  static recycle(h: H1Head): void {
    if (!(h instanceof Head) || h.#m === NO_OFFSETS) return
    if (spareOffsets.length < SPARE_MAX) spareOffsets.push(h.#m)
    h.#buf = NO_BYTES
    h.#m = NO_OFFSETS
    h.#count = 0
    h.#names = h.#lnames = h.#values = EMPTY
    h.#read = EMPTY
    h.#method = h.#uri = h.#reason = undefined
    if (spareHeads.length < SPARE_MAX) spareHeads.push(h)
  }

  /** An offsets array of at least `n` entries for a parser, recycled when one is spare. Its
   *  contents are stale: a parser writes every entry it later reads. */
  static takeOffsets(n: number): Int32Array {
    const m = spareOffsets.pop()
    return m !== undefined && m.length >= n ? m : new Int32Array(n)
  }

  get headers(): HeaderList {
    return this
  }

  get changed(): boolean {
    return this.#changed
  }

  get verbatim(): boolean {
    return !this.#changed && (this.#m[M_FLAGS] & F_BARE_LF) === 0 && this.#m[M_START] === 0
  }

  get method(): string {
    if (this.kind !== 'request') return ''
    return (this.#method ??= methodName(this.#buf, this.#m[M_A], this.#m[M_A + 1]))
  }
  set method(v: string) {
    this.#method = v
    this.#editLine()
  }

  get uri(): string {
    if (this.kind !== 'request') return ''
    return (this.#uri ??= latin1(this.#buf, this.#m[M_B], this.#m[M_B + 1]))
  }
  set uri(v: string) {
    this.#uri = v
    this.#editLine()
  }

  get status(): number {
    return this.#status
  }
  set status(v: number) {
    this.#status = v
    this.#editLine()
  }

  get reason(): string {
    if (this.kind !== 'response') return ''
    return (this.#reason ??= latin1(this.#buf, this.#m[M_B], this.#m[M_B + 1]))
  }
  set reason(v: string) {
    this.#reason = v
    this.#editLine()
  }

  get version(): HttpVersion {
    return this.#version
  }
  set version(v: HttpVersion) {
    // 11 and 20 (a request that came over HTTP/2, in its HTTP/1.1 form) are both written
    // HTTP/1.1: between them the bytes to send stay the same.
    const same = (v === 20 && this.#version === 11) || (v === 11 && this.#version === 20)
    this.#version = v
    if (!same) this.#editLine()
  }

  #editLine(): void {
    this.#lineEdited = true
    this.#changed = true
  }

  // ---- HeaderList ----

  get count(): number {
    return this.#count
  }

  name(i: number): string {
    if (i < 0 || i >= this.#count) return ''
    const a = this.#m[M_FIELDS + 4 * i]
    return a < 0 ? this.#names[i] : latin1(this.#buf, a, this.#m[M_FIELDS + 4 * i + 1])
  }

  value(i: number): string {
    if (i < 0 || i >= this.#count) return ''
    const a = this.#m[M_FIELDS + 4 * i + 2]
    if (a < 0) return this.#values[i]
    let read = this.#read
    if (read === EMPTY) this.#read = read = new Array<string | undefined>(this.#count)
    return (read[i] ??= latin1(this.#buf, a, this.#m[M_FIELDS + 4 * i + 3]))
  }

  find(lname: string, from: number): number {
    const m = this.#m
    const buf = this.#buf
    const n = lname.length
    const c0 = lname.charCodeAt(0)
    for (let i = from < 0 ? 0 : from, f = M_FIELDS + 4 * i; i < this.#count; i++, f += 4) {
      const a = m[f]
      if (a < 0) {
        if (this.#lnames[i] === lname) return i
      } else if (m[f + 1] - a === n && LOWER[buf[a]] === c0 && bytesEqualLower(buf, a, a + n, lname)) return i
    }
    return -1
  }

  get(lname: string): string | undefined {
    const i = this.find(lname, 0)
    return i < 0 ? undefined : this.value(i)
  }

  add(name: string, value: string): void {
    const i = this.#count
    this.#ensureStrings()
    if (this.#m.length < M_FIELDS + 4 * (i + 1)) {
      const m = new Int32Array(M_FIELDS + 4 * (i + 4 + (i >> 1)))
      m.set(this.#m)
      this.#m = m
    }
    this.#m[M_FIELDS + 4 * i] = -1
    this.#m[M_FIELDS + 4 * i + 2] = -1
    this.#names[i] = name
    this.#lnames[i] = lowerName(name)
    this.#values[i] = value
    this.#count = i + 1
    this.#changed = true
  }

  set(name: string, value: string): void {
    const lname = lowerName(name)
    const i = this.find(lname, 0)
    if (i < 0) {
      this.add(name, value)
      return
    }
    this.setValue(i, value)
    for (let j = this.find(lname, i + 1); j >= 0; j = this.find(lname, j)) this.removeAt(j)
  }

  setValue(i: number, value: string): void {
    if (i < 0 || i >= this.#count) return
    this.#ensureStrings()
    this.#m[M_FIELDS + 4 * i + 2] = -1
    this.#values[i] = value
    this.#changed = true
  }

  remove(lname: string): number {
    let n = 0
    for (let j = this.find(lname, 0); j >= 0; j = this.find(lname, j)) {
      this.removeAt(j)
      n++
    }
    return n
  }

  removeAt(i: number): void {
    const count = this.#count
    if (i < 0 || i >= count) return
    this.#m.copyWithin(M_FIELDS + 4 * i, M_FIELDS + 4 * (i + 1), M_FIELDS + 4 * count)
    if (this.#names !== EMPTY) {
      this.#names.splice(i, 1)
      this.#lnames.splice(i, 1)
      this.#values.splice(i, 1)
    }
    if (this.#read !== EMPTY) {
      this.#read.splice(i, 1)
    }
    this.#count = count - 1
    this.#changed = true
  }

  #ensureStrings(): void {
    if (this.#names !== EMPTY) return
    this.#names = new Array<string>(this.#count)
    this.#lnames = new Array<string>(this.#count)
    this.#values = new Array<string>(this.#count)
  }

  // ---- encoding ----

  /** The received bytes (a subarray, no copy) when nothing was edited, minus any empty lines
   *  tolerated before the start line; written anew when edited or when a line ended with a bare
   *  LF (the next hop then sees CRLFs only). The body still starts at `buf[size]`. */
  encode(): Uint8Array {
    const m = this.#m
    const buf = this.#buf
    if (!this.#changed && (m[M_FLAGS] & F_BARE_LF) === 0) {
      // The received bytes themselves; the whole buffer when it holds just this head (a GET's
      // usual case), which spares creating a view per message.
      return m[M_START] === 0 && this.size === buf.length ? buf : buf.subarray(m[M_START], this.size)
    }

    const line = this.#lineEdited ? this.#startLine() : undefined
    let n = (line === undefined ? m[M_LINE_END] - m[M_START] : line.length) + 4
    for (let i = 0; i < this.#count; i++) {
      const f = M_FIELDS + 4 * i
      n += (m[f] < 0 ? this.#names[i].length : m[f + 1] - m[f]) + 4
      n += m[f + 2] < 0 ? this.#values[i].length : m[f + 3] - m[f + 2]
    }
    const out = new Uint8Array(n)
    let p: number
    if (line === undefined) {
      out.set(buf.subarray(m[M_START], m[M_LINE_END]))
      p = m[M_LINE_END] - m[M_START]
    } else {
      p = writeLatin1(out, 0, line)
    }
    out[p++] = 0x0d
    out[p++] = 0x0a
    for (let i = 0; i < this.#count; i++) {
      const f = M_FIELDS + 4 * i
      if (m[f] < 0) p = writeLatin1(out, p, this.#names[i])
      else {
        out.set(buf.subarray(m[f], m[f + 1]), p)
        p += m[f + 1] - m[f]
      }
      out[p++] = 0x3a
      out[p++] = 0x20
      if (m[f + 2] < 0) p = writeLatin1(out, p, this.#values[i])
      else {
        out.set(buf.subarray(m[f + 2], m[f + 3]), p)
        p += m[f + 3] - m[f + 2]
      }
      out[p++] = 0x0d
      out[p++] = 0x0a
    }
    out[p++] = 0x0d
    out[p++] = 0x0a
    return out
  }

  #startLine(): string {
    const v = this.#version === 10 ? 'HTTP/1.0' : 'HTTP/1.1'
    if (this.kind === 'request') return `${this.method} ${this.uri} ${v}`
    return `${v} ${String(this.#status).padStart(3, '0')} ${this.reason}`
  }
}
