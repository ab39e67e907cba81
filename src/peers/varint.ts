/**
 * The variable-length integers of HAProxy's peers protocol (doc/peers.txt, "Encoding"): values
 * below 240 take one byte; above, the first byte carries the low 4 bits with its top 4 bits set,
 * then 7 bits per byte, the high bit set on every byte but the last.
 *
 *   0x1234 → f4 94 01
 *
 * Values are JavaScript numbers: exact up to 2^53, which covers every field edgelb sends or reads
 * (u32 counters and ids, 64-bit byte counters below 2^53).
 */

/** Bytes `v` takes. */
export function varintSize(v: number): number {
  if (v < 0xf0) return 1
  let n = 2
  v = Math.floor((v - 0xf0) / 16)
  while (v >= 0x80) { v = Math.floor((v - 0x80) / 128); n++ }
  return n
}

/** Writes `v` (a whole number ≥ 0) at `out[at]`; returns the offset after it. */
export function writeVarint(out: Uint8Array, at: number, v: number): number {
  if (v < 0xf0) { out[at] = v; return at + 1 }
  out[at++] = (v % 256) | 0xf0
  v = Math.floor((v - 0xf0) / 16)
  while (v >= 0x80) {
    out[at++] = (v % 128) | 0x80
    v = Math.floor((v - 0x80) / 128)
  }
  out[at++] = v
  return at
}

/** A decoding cursor over one buffer; `ok` turns false (and stays so) when a read runs past `end`. */
export class Cursor {
  pos: number
  ok = true
  constructor(readonly buf: Uint8Array, pos: number, readonly end: number) {
    this.pos = pos
  }

  get left(): number {
    return this.end - this.pos
  }

  varint(): number {
    if (this.pos >= this.end) { this.ok = false; return 0 }
    let v = this.buf[this.pos++]!
    if (v < 0xf0) return v
    let shift = 16 // 2^4: the first continuation byte adds at bit 4
    let b: number
    do {
      if (this.pos >= this.end || shift > 2 ** 60) { this.ok = false; return 0 }
      b = this.buf[this.pos++]!
      v += b * shift
      shift *= 128
    } while (b >= 0x80)
    return v
  }

  u32(): number {
    if (this.pos + 4 > this.end) { this.ok = false; this.pos = this.end; return 0 }
    const b = this.buf
    const p = this.pos
    this.pos += 4
    return ((b[p]! << 24) >>> 0) + (b[p + 1]! << 16) + (b[p + 2]! << 8) + b[p + 3]!
  }

  bytes(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.end) { this.ok = false; this.pos = this.end; return new Uint8Array(0) }
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }
}
