/**
 * HTTP/2 framing (RFC 9113 §4, §6): the frame types, flags, error codes and the 9-byte frame
 * header; building frames. Reading them is the connection's (connection.ts): a frame header is
 * read in place, the payload is a subarray of what was received.
 *
 *   +-----------------------------------------------+
 *   |                 Length (24)                   |
 *   +---------------+---------------+---------------+
 *   |   Type (8)    |   Flags (8)   |
 *   +-+-------------+---------------+-------------------------------+
 *   |R|                 Stream Identifier (31)                      |
 *   +=+=============================================================+
 *   |                   Frame Payload (0...)                      ...
 */

export const FRAME_HEADER_SIZE = 9

export const DATA = 0x0
export const HEADERS = 0x1
export const PRIORITY = 0x2
export const RST_STREAM = 0x3
export const SETTINGS = 0x4
export const PUSH_PROMISE = 0x5
export const PING = 0x6
export const GOAWAY = 0x7
export const WINDOW_UPDATE = 0x8
export const CONTINUATION = 0x9

export const FLAG_END_STREAM = 0x1
export const FLAG_ACK = 0x1
export const FLAG_END_HEADERS = 0x4
export const FLAG_PADDED = 0x8
export const FLAG_PRIORITY = 0x20

/** Error codes (RFC 9113 §7). */
export const NO_ERROR = 0x0
export const PROTOCOL_ERROR = 0x1
export const INTERNAL_ERROR = 0x2
export const FLOW_CONTROL_ERROR = 0x3
export const SETTINGS_TIMEOUT = 0x4
export const STREAM_CLOSED = 0x5
export const FRAME_SIZE_ERROR = 0x6
export const REFUSED_STREAM = 0x7
export const CANCEL = 0x8
export const COMPRESSION_ERROR = 0x9
export const CONNECT_ERROR = 0xa
export const ENHANCE_YOUR_CALM = 0xb
export const INADEQUATE_SECURITY = 0xc
export const HTTP_1_1_REQUIRED = 0xd

const ERROR_NAMES = ['NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT',
  'STREAM_CLOSED', 'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM', 'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED']

export function errorName(code: number): string {
  return ERROR_NAMES[code] ?? `0x${code.toString(16)}`
}

/** What a client sends first on every HTTP/2 connection (RFC 9113 §3.4). */
export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1')

/** Whether `buf` begins with the client preface, or with as much of it as it holds
 *  (`partial`: the rest may still come). */
export function prefaceMatch(buf: Uint8Array): 'yes' | 'no' | 'partial' {
  const n = Math.min(buf.length, PREFACE.length)
  for (let i = 0; i < n; i++) if (buf[i] !== PREFACE[i]) return 'no'
  return n === PREFACE.length ? 'yes' : 'partial'
}

/** The largest stream id and window (2^31 - 1). */
export const MAX_ID = 0x7fffffff
export const MAX_WINDOW = 0x7fffffff

/** A frame: its header and `payload`. */
export function frame(type: number, flags: number, id: number, payload?: Uint8Array): Buffer {
  const len = payload?.length ?? 0
  const b = Buffer.allocUnsafe(FRAME_HEADER_SIZE + len)
  writeHeader(b, 0, len, type, flags, id)
  if (payload !== undefined) b.set(payload, FRAME_HEADER_SIZE)
  return b
}

export function writeHeader(b: Uint8Array, at: number, len: number, type: number, flags: number, id: number): void {
  b[at] = (len >>> 16) & 0xff
  b[at + 1] = (len >>> 8) & 0xff
  b[at + 2] = len & 0xff
  b[at + 3] = type
  b[at + 4] = flags
  b[at + 5] = (id >>> 24) & 0x7f
  b[at + 6] = (id >>> 16) & 0xff
  b[at + 7] = (id >>> 8) & 0xff
  b[at + 8] = id & 0xff
}

/** A 31-bit number at `at` (stream ids, window increments: the reserved bit ignored). */
export function readU31(b: Uint8Array, at: number): number {
  return ((b[at]! & 0x7f) * 0x1000000) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!
}

export function readU32(b: Uint8Array, at: number): number {
  return (b[at]! * 0x1000000) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4)
  b.writeUInt32BE(n >>> 0, 0)
  return b
}

export function rstStreamFrame(id: number, code: number): Buffer {
  return frame(RST_STREAM, 0, id, u32(code))
}

export function windowUpdateFrame(id: number, increment: number): Buffer {
  return frame(WINDOW_UPDATE, 0, id, u32(increment & MAX_WINDOW))
}

export function pingFrame(data: Uint8Array, ack: boolean): Buffer {
  return frame(PING, ack ? FLAG_ACK : 0, 0, data)
}

export function goawayFrame(lastId: number, code: number, debug?: string): Buffer {
  const d = debug === undefined ? undefined : Buffer.from(debug, 'latin1')
  const p = Buffer.allocUnsafe(8 + (d?.length ?? 0))
  p.writeUInt32BE(lastId & MAX_ID, 0)
  p.writeUInt32BE(code >>> 0, 4)
  if (d !== undefined) p.set(d, 8)
  return frame(GOAWAY, 0, 0, p)
}

/** DATA frames of `chunk` (one unless it is longer than `maxFrame`), END_STREAM on the last when
 *  `end`. An empty chunk with `end` is one empty frame. */
export function dataFrames(id: number, chunk: Uint8Array, end: boolean, maxFrame: number): Buffer {
  const n = Math.max(1, Math.ceil(chunk.length / maxFrame))
  const out = Buffer.allocUnsafe(chunk.length + n * FRAME_HEADER_SIZE)
  let p = 0
  for (let i = 0; i < n; i++) {
    const a = i * maxFrame
    const len = Math.min(maxFrame, chunk.length - a)
    writeHeader(out, p, len, DATA, end && i === n - 1 ? FLAG_END_STREAM : 0, id)
    out.set(chunk.subarray(a, a + len), p + FRAME_HEADER_SIZE)
    p += FRAME_HEADER_SIZE + len
  }
  return out
}

/** A header block as HEADERS then CONTINUATION frames of at most `maxFrame` bytes each. */
export function headerFrames(id: number, block: Uint8Array, endStream: boolean, maxFrame: number): Buffer {
  const n = Math.max(1, Math.ceil(block.length / maxFrame))
  const out = Buffer.allocUnsafe(block.length + n * FRAME_HEADER_SIZE)
  if (n === 1) {
    // The usual case, without a view of the block.
    writeHeader(out, 0, block.length, HEADERS, endStream ? FLAG_END_HEADERS | FLAG_END_STREAM : FLAG_END_HEADERS, id)
    out.set(block, FRAME_HEADER_SIZE)
    return out
  }
  let p = 0
  for (let i = 0; i < n; i++) {
    const a = i * maxFrame
    const len = Math.min(maxFrame, block.length - a)
    let flags = i === n - 1 ? FLAG_END_HEADERS : 0
    if (i === 0 && endStream) flags |= FLAG_END_STREAM
    writeHeader(out, p, len, i === 0 ? HEADERS : CONTINUATION, flags, id)
    out.set(block.subarray(a, a + len), p + FRAME_HEADER_SIZE)
    p += FRAME_HEADER_SIZE + len
  }
  return out
}
