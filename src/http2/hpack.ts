/**
 * HPACK (RFC 7541) for one connection: a decoder for the peer's header blocks and an encoder for
 * ours, each with its dynamic table.
 *
 * The integer, string and Huffman codecs and the tables are hpack.js's (the library spdy uses);
 * the loops over a block are edgelb's, not hpack.js's Compressor/Decompressor streams, for three
 * reasons: they run synchronously on one block with no stream object per connection; the
 * decoded size is bounded as fields come (an HPACK bomb, a few bytes naming a large table entry
 * again and again, never builds its list); and a table size update is accepted only at the start
 * of a block and never above the size announced (hpack.js's table refuses the latter, edgelb
 * checks the former). Names and values are latin1 strings (one char per byte).
 */
import hpack from 'hpack.js'
import { COMPRESSION_ERROR } from './frames.ts'

/** What `decode` found wrong with a block that decoded: more than `maxSize` bytes of fields
 *  (RFC 9113 §10.5.1, counted as names + values + 32 each) or more than `maxFields` fields. */
export const TOO_LARGE = -1

export class HpackDecoder {
  readonly #dec = hpack.decoder.create()
  readonly #table: ReturnType<typeof hpack.table.create>

  /** `maxTableSize`: the SETTINGS_HEADER_TABLE_SIZE announced to the peer. */
  constructor(maxTableSize: number) {
    this.#table = hpack.table.create({ maxSize: maxTableSize })
  }

  /** Decodes one complete header block into `out` (name, value, name, value…). Returns 0;
   *  TOO_LARGE (the block decoded, the table is in step, `out` holds what fit); or
   *  COMPRESSION_ERROR, after which the connection must close (the table is out of step). */
  decode(block: Uint8Array, out: string[], maxSize: number, maxFields: number): number {
    const d = this.#dec
    const t = this.#table
    d.push(Buffer.from(block.buffer, block.byteOffset, block.length))
    let size = 0
    let fields = 0
    let tooLarge = false
    try {
      while (!d.isEmpty()) {
        let name: string
        let value: string
        if (d.decodeBit() === 1) {
          const e = t.lookup(d.decodeInt())
          name = e.name
          value = e.value
        } else {
          const inc = d.decodeBit() === 1
          if (!inc) {
            if (d.decodeBit() === 1) {
              // Dynamic table size update: first in a block only (RFC 7541 §4.2).
              if (fields > 0) return COMPRESSION_ERROR
              t.updateSize(d.decodeInt())
              continue
            }
            d.decodeBit() // never indexed: edgelb forwards it as it is
          }
          const idx = d.decodeInt()
          let nameSize: number
          if (idx === 0) {
            const raw = d.decodeStr()
            nameSize = raw.length
            name = hpack.utils.stringify(raw)
          } else {
            const e = t.lookup(idx)
            name = e.name
            nameSize = e.nameSize
          }
          const raw = d.decodeStr()
          value = hpack.utils.stringify(raw)
          if (inc) t.add(name, value, nameSize, raw.length)
        }
        fields++
        size += name.length + value.length + 32
        if (size > maxSize || fields > maxFields) tooLarge = true
        if (!tooLarge) out.push(name, value)
      }
    } catch {
      return COMPRESSION_ERROR
    }
    return tooLarge ? TOO_LARGE : 0
  }
}

/** Names whose values are never put in the table: secrets, and values that change with each
 *  message (they would only push useful entries out). */
const NOT_INDEXED = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', ':path', 'content-length',
  'date', 'etag', 'last-modified', 'age', 'expires', 'location', 'content-range', 'grpc-message'])

export class HpackEncoder {
  /** Our table never grows past 4096 bytes, whatever the peer allows. */
  static readonly MAX_TABLE = 4096
  readonly #table = hpack.table.create({ maxSize: HpackEncoder.MAX_TABLE })
  /** A size to announce at the start of the next block; -1: none. */
  #pendingSize = -1

  /** The peer's SETTINGS_HEADER_TABLE_SIZE: our table shrinks to it when smaller. */
  setPeerTableSize(n: number): void {
    const size = Math.min(n, HpackEncoder.MAX_TABLE)
    if (size !== this.#table.maxSize || this.#pendingSize >= 0) this.#pendingSize = size
  }

  /** `fields`: name, value, name, value… (lower-case names, latin1 strings). Strings are written
   *  as they are, without Huffman coding (as HAProxy does: a block is a few bytes longer, and
   *  made without a pass per character). */
  encode(fields: readonly string[]): Buffer {
    const t = this.#table
    let w = scratch
    let p = 0
    if (this.#pendingSize >= 0) {
      p = writeInt(w, p, 0x20, 5, this.#pendingSize)
      t.updateSize(this.#pendingSize)
      this.#pendingSize = -1
    }
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const name = fields[i]!
      const value = fields[i + 1]!
      // Room for the two strings, their lengths and the index, whatever they are.
      const need = p + name.length + value.length + 16
      if (need > w.length) w = grow(w, need)
      const index = t.reverseLookup(name, value)
      if (index > 0) {
        p = writeInt(w, p, 0x80, 7, index)
        continue
      }
      const inc = !NOT_INDEXED.has(name) && name.length + value.length + 32 <= t.maxSize / 2
      // With incremental indexing (01xxxxxx), else without indexing (0000xxxx).
      p = inc ? writeInt(w, p, 0x40, 6, -index) : writeInt(w, p, 0x00, 4, -index)
      if (index === 0) p = writeStr(w, p, name)
      p = writeStr(w, p, value)
      if (inc) t.add(name, value, name.length, value.length)
    }
    const out = Buffer.allocUnsafe(p)
    w.copy(out, 0, 0, p)
    return out
  }
}

/** The encoder's working buffer, shared (encode runs to its end without yielding). */
let scratch: Buffer = Buffer.allocUnsafe(4096)

function grow(w: Buffer, n: number): Buffer {
  const b = Buffer.allocUnsafe(Math.max(n, w.length * 2))
  b.set(w)
  scratch = b
  return b
}

/** An integer with an `n`-bit prefix (RFC 7541 §5.1), the byte's other bits from `flags`. */
function writeInt(w: Buffer, p: number, flags: number, n: number, v: number): number {
  const max = (1 << n) - 1
  if (v < max) { w[p++] = flags | v; return p }
  w[p++] = flags | max
  v -= max
  while (v >= 128) { w[p++] = (v & 0x7f) | 0x80; v = Math.floor(v / 128) }
  w[p++] = v
  return p
}

/** A string literal, not Huffman-coded (RFC 7541 §5.2): one byte per latin1 char. */
function writeStr(w: Buffer, p: number, s: string): number {
  p = writeInt(w, p, 0x00, 7, s.length)
  if (s.length > 8) return p + w.write(s, p, s.length, 'latin1')
  for (let i = 0; i < s.length; i++) w[p++] = s.charCodeAt(i) & 0xff
  return p
}
