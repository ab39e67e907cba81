/**
 * The messages of HAProxy's peers protocol 2.1 after the handshake (doc/peers.txt, "Messages"):
 * a class byte, a type byte, and for types ≥ 128 a varint length and that many bytes.
 *
 *   class 0 control:  0 resync request · 1 resync finished · 2 resync partial · 3 resync confirm
 *                     4 heartbeat
 *   class 1 error:    0 protocol error · 1 size limit
 *   class 10 tables:  0x80 update · 0x81 incremental update (id = previous + 1) · 0x82 table
 *                     definition · 0x83 switch (unused) · 0x84 ack · 0x85/0x86 the same two
 *                     updates with the time left before expiry
 *
 * Pure functions and one frame reader; no socket.
 */
import { Cursor, varintSize, writeVarint } from './varint.ts'

export const CLASS_CONTROL = 0
export const CLASS_ERROR = 1
export const CLASS_TABLE = 10
export const CLASS_RESERVED = 255

export const CTRL_RESYNC_REQ = 0
export const CTRL_RESYNC_FINISHED = 1
export const CTRL_RESYNC_PARTIAL = 2
export const CTRL_RESYNC_CONFIRM = 3
export const CTRL_HEARTBEAT = 4

export const ERR_PROTOCOL = 0
export const ERR_SIZE = 1

export const MSG_UPDATE = 0x80
export const MSG_INC_UPDATE = 0x81
export const MSG_DEFINE = 0x82
export const MSG_SWITCH = 0x83
export const MSG_ACK = 0x84
export const MSG_UPDATE_TIMED = 0x85
export const MSG_INC_UPDATE_TIMED = 0x86

/** One message as read: its class, type, and for a table message its body (a view into the
 *  read buffer, valid until the next read). */
export interface Frame {
  cls: number
  type: number
  body: Uint8Array | null
}

export type ReadResult =
  | { kind: 'need-more' }
  | { kind: 'error'; reason: string; size?: true }
  | { kind: 'frame'; frame: Frame; next: number }

/** Reads the message at `buf[pos]`; a body longer than `maxBody` is refused (size limit). */
export function readFrame(buf: Uint8Array, pos: number, end: number, maxBody: number): ReadResult {
  if (end - pos < 2) return { kind: 'need-more' }
  const cls = buf[pos]!
  const type = buf[pos + 1]!
  if (cls !== CLASS_CONTROL && cls !== CLASS_ERROR && cls !== CLASS_TABLE) return { kind: 'error', reason: `unknown message class ${cls}` }
  if (type < 0x80) {
    if (cls === CLASS_TABLE) return { kind: 'error', reason: `table message of fixed type ${type}` }
    return { kind: 'frame', frame: { cls, type, body: null }, next: pos + 2 }
  }
  if (cls !== CLASS_TABLE) return { kind: 'error', reason: `class ${cls} message of variable type ${type}` }
  const c = new Cursor(buf, pos + 2, end)
  // A length takes at most 5 bytes here (up to 2^32); more is garbage, not a short read.
  const len = c.varint()
  if (!c.ok) return end - pos - 2 >= 5 ? { kind: 'error', reason: 'bad message length' } : { kind: 'need-more' }
  if (len > maxBody) return { kind: 'error', reason: `message of ${len} bytes (limit ${maxBody})`, size: true }
  if (c.left < len) return { kind: 'need-more' }
  return { kind: 'frame', frame: { cls, type, body: buf.subarray(c.pos, c.pos + len) }, next: c.pos + len }
}

/** A growing output buffer that messages are written into, then handed to the socket at once. */
export class Out {
  buf: Uint8Array
  len = 0
  constructor(size = 4096) {
    this.buf = new Uint8Array(size)
  }

  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.len + n) size *= 2
    const b = new Uint8Array(size)
    b.set(this.buf.subarray(0, this.len))
    this.buf = b
  }

  /** The bytes written, handed over: the buffer starts afresh. */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.len)
    this.buf = new Uint8Array(Math.max(4096, Math.min(this.buf.length, 1 << 20)))
    this.len = 0
    return out
  }

  byte(v: number): void {
    this.reserve(1)
    this.buf[this.len++] = v
  }

  varint(v: number): void {
    this.reserve(10)
    this.len = writeVarint(this.buf, this.len, v)
  }

  u32(v: number): void {
    this.reserve(4)
    const b = this.buf
    const p = this.len
    b[p] = (v >>> 24) & 255; b[p + 1] = (v >>> 16) & 255; b[p + 2] = (v >>> 8) & 255; b[p + 3] = v & 255
    this.len += 4
  }

  bytes(v: Uint8Array): void {
    this.reserve(v.length)
    this.buf.set(v, this.len)
    this.len += v.length
  }

  /** Starts a table message; returns the mark `end` takes. The body's length is not known yet:
   *  room for the longest length is left and the body moved back once it is. */
  begin(type: number): number {
    this.reserve(7)
    this.buf[this.len] = CLASS_TABLE
    this.buf[this.len + 1] = type
    this.len += 7
    return this.len
  }

  end(mark: number): void {
    const bodyLen = this.len - mark
    const head = mark - 5
    const at = writeVarint(this.buf, head, bodyLen)
    if (at !== mark) this.buf.copyWithin(at, mark, this.len)
    this.len = at + bodyLen
  }
}

export function control(out: Out, type: number): void {
  out.byte(CLASS_CONTROL)
  out.byte(type)
}

export function errorMsg(out: Out, type: number): void {
  out.byte(CLASS_ERROR)
  out.byte(type)
}

/** A table definition as it travels. `params`: for each frequency counter (and array) type in
 *  `data`, its parameters (period; element count). */
export interface TableDef {
  id: number
  name: string
  keyType: number
  keySize: number
  /** Bit N = data type N (data-types.ts). */
  data: number
  expire: number
  /** Per data type id: its parameters, in order. */
  params: Map<number, number[]>
}

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

export function writeDefine(out: Out, d: TableDef): void {
  const m = out.begin(MSG_DEFINE)
  out.varint(d.id)
  const name = utf8.encode(d.name)
  out.varint(name.length)
  out.bytes(name)
  out.varint(d.keyType)
  out.varint(d.keySize)
  out.varint(d.data)
  out.varint(d.expire)
  for (const [type, ps] of [...d.params].sort((a, b) => a[0] - b[0])) {
    out.varint(type)
    for (const p of ps) out.varint(p)
  }
  out.end(m)
}

/** Reads a definition; `arrays` and `freqs`: which data type ids take parameters (the element
 *  count of an array, then a period for one of frequency counters; a period for a counter). */
export function readDefine(body: Uint8Array, isArray: (t: number) => boolean, isFreq: (t: number) => boolean): TableDef | string {
  const c = new Cursor(body, 0, body.length)
  const id = c.varint()
  const nameLen = c.varint()
  if (!c.ok || nameLen === 0 || nameLen > c.left) return 'bad table name'
  const name = fromUtf8.decode(c.bytes(nameLen))
  const keyType = c.varint()
  const keySize = c.varint()
  const data = c.varint()
  if (!c.ok) return 'truncated table definition'
  const d: TableDef = { id, name, keyType, keySize, data, expire: 0, params: new Map() }
  if (c.left === 0) return d // an old peer: no expiry, no parameters
  d.expire = c.varint()
  for (let t = 0; t < 32; t++) {
    if (Math.floor(data / 2 ** t) % 2 === 0) continue
    if (!isArray(t) && !isFreq(t)) continue
    const type = c.varint()
    if (!c.ok || type !== t) return `parameters of data type ${t} missing`
    const ps = [c.varint()]
    if (isArray(t) && isFreq(t)) ps.push(c.varint())
    if (!c.ok) return `parameters of data type ${t} truncated`
    d.params.set(t, ps)
  }
  return d
}

export function writeAck(out: Out, remoteTableId: number, updateId: number): void {
  const m = out.begin(MSG_ACK)
  out.varint(remoteTableId)
  out.u32(updateId)
  out.end(m)
}

export function readAck(body: Uint8Array): { table: number; update: number } | string {
  const c = new Cursor(body, 0, body.length)
  const table = c.varint()
  const update = c.u32()
  return c.ok ? { table, update } : 'truncated ack'
}

export { fromUtf8, utf8, varintSize }
