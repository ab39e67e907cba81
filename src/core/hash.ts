/**
 * HAProxy's hash functions (its src/hash.c) over bytes, and its avalanche (full_hash): what
 * `balance` hashes keys with (balance/hashing.ts) and what the `sdbm`, `djb2`, `wt6`, `crc32`
 * and `crc32c` converters compute (rules/converters.ts). All results are unsigned 32-bit.
 */

/** Hashes the first `len` bytes of `key`. */
export type HashFunction = (key: Uint8Array, len: number) => number

export function sdbm(key: Uint8Array, len: number): number {
  let h = 0
  for (let i = 0; i < len; i++) h = (key[i] + (h << 6) + (h << 16) - h) | 0
  return h >>> 0
}

export function djb2(key: Uint8Array, len: number): number {
  let h = 5381
  for (let i = 0; i < len; i++) h = ((h << 5) + h + key[i]) | 0
  return h >>> 0
}

/** Willy Tarreau's wt6. Rotations by 0 shift by 32, which x86 (and JS) reduce to 0. */
export function wt6(key: Uint8Array, len: number): number {
  let h0 = 0xa53c965a | 0
  let h1 = 0x5ca6953a | 0
  let step0 = 6
  let step1 = 18
  for (let i = 0; i < len; i++) {
    const c = key[i]
    h0 = ~(h0 ^ c)
    h1 = ~((h1 + c) | 0)
    const t = (h1 << step0) | (h1 >>> (32 - step0))
    h1 = (h0 << step1) | (h0 >>> (32 - step1))
    h0 = t
    const u = ((h0 >>> 16) ^ h1) & 0xffff
    step0 = u & 0x1f
    step1 = u >>> 11
  }
  return (h0 ^ h1) >>> 0
}

/** CRC-32 (IEEE 802.3, reflected, as zlib), bit by bit as HAProxy does, sparing the cache a table. */
export function crc32(key: Uint8Array, len: number): number {
  let h = ~0
  for (let i = 0; i < len; i++) {
    h ^= key[i]
    for (let bit = 0; bit < 8; bit++) h = (h >>> 1) ^ (h & 1 ? 0xedb88320 : 0)
  }
  return ~h >>> 0
}

/** CRC-32C (Castagnoli, reflected polynomial 0x82f63b78, RFC 4960 appendix B), by table. */
let crc32cTable: Uint32Array | undefined
export function crc32c(key: Uint8Array, len: number): number {
  let t = crc32cTable
  if (t === undefined) {
    t = crc32cTable = new Uint32Array(256)
    for (let n = 0; n < 256; n++) { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1; t[n] = c >>> 0 }
  }
  let c = 0xffffffff
  for (let i = 0; i < len; i++) c = t[(c ^ key[i]!) & 255]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** Bob Jenkins' full avalanche integer hash, then spread by a large prime, as HAProxy's full_hash(). */
export function fullHash(a: number): number {
  a = (a + 0x7ed55d16 + (a << 12)) | 0
  a = a ^ 0xc761c23c ^ (a >>> 19)
  a = (a + 0x165667b1 + (a << 5)) | 0
  a = ((a + 0xd3a2646c) | 0) ^ (a << 9)
  a = (a + 0xfd7046c5 + (a << 3)) | 0
  a = a ^ 0xb55a4f09 ^ (a >>> 16)
  return Math.imul(a, 3221225473 | 0) >>> 0
}

