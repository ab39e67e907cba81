/**
 * xxHash: XXH32, XXH64 and XXH3 (64-bit output), seeded, as the `xxh32`, `xxh64` and `xxh3`
 * converters use them. Written from the algorithm's specification (xxHash's doc/xxhash_spec.md);
 * xxh3 with a seed is XXH3_64bits_withSeed. Results are the unsigned values the reference
 * implementation returns.
 *
 * XXH32 runs on 32-bit integers; XXH64 and XXH3 on BigInt, which keeps them short and exact at
 * the price of speed (a few microseconds for a URL), enough for a converter.
 */

const M32 = 0xffffffff
const M64 = (1n << 64n) - 1n

const P32_1 = 0x9e3779b1
const P32_2 = 0x85ebca77
const P32_3 = 0xc2b2ae3d
const P32_4 = 0x27d4eb2f
const P32_5 = 0x165667b1

const P64_1 = 0x9e3779b185ebca87n
const P64_2 = 0xc2b2ae3d27d4eb4fn
const P64_3 = 0x165667b19e3779f9n
const P64_4 = 0x85ebca77c2b2ae63n
const P64_5 = 0x27d4eb2f165667c5n
const PMX_1 = 0x165667919e3779f9n
const PMX_2 = 0x9fb21c651e98df25n

function le32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0
}

function le64(b: Uint8Array, i: number): bigint {
  return BigInt(le32(b, i)) | (BigInt(le32(b, i + 4)) << 32n)
}

const rotl32 = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0
const rotl64 = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M64
const mul32 = (a: number, b: number): number => Math.imul(a, b) >>> 0
const mul64 = (a: bigint, b: bigint): bigint => (a * b) & M64

// --- XXH32 ---------------------------------------------------------------------------------------

function round32(acc: number, lane: number): number {
  return mul32(rotl32((acc + mul32(lane, P32_2)) >>> 0, 13), P32_1)
}

/** XXH32 of `b` with `seed` (taken modulo 2^32). */
export function xxh32(b: Uint8Array, seed = 0): number {
  const len = b.length
  seed >>>= 0
  let i = 0
  let acc: number
  if (len >= 16) {
    let a1 = (seed + P32_1 + P32_2) >>> 0
    let a2 = (seed + P32_2) >>> 0
    let a3 = seed
    let a4 = (seed - P32_1) >>> 0
    for (; i + 16 <= len; i += 16) {
      a1 = round32(a1, le32(b, i))
      a2 = round32(a2, le32(b, i + 4))
      a3 = round32(a3, le32(b, i + 8))
      a4 = round32(a4, le32(b, i + 12))
    }
    acc = (rotl32(a1, 1) + rotl32(a2, 7) + rotl32(a3, 12) + rotl32(a4, 18)) >>> 0
  } else {
    acc = (seed + P32_5) >>> 0
  }
  acc = (acc + len) >>> 0
  for (; i + 4 <= len; i += 4) acc = mul32(rotl32((acc + mul32(le32(b, i), P32_3)) >>> 0, 17), P32_4)
  for (; i < len; i++) acc = mul32(rotl32((acc + mul32(b[i]!, P32_5)) >>> 0, 11), P32_1)
  acc = mul32(acc ^ (acc >>> 15), P32_2)
  acc = mul32(acc ^ (acc >>> 13), P32_3)
  return (acc ^ (acc >>> 16)) >>> 0
}

// --- XXH64 ---------------------------------------------------------------------------------------

function round64(acc: bigint, lane: bigint): bigint {
  return mul64(rotl64((acc + mul64(lane, P64_2)) & M64, 31n), P64_1)
}

function merge64(acc: bigint, a: bigint): bigint {
  return (mul64(acc ^ round64(0n, a), P64_1) + P64_4) & M64
}

function avalanche64(h: bigint): bigint {
  h = mul64(h ^ (h >> 33n), P64_2)
  h = mul64(h ^ (h >> 29n), P64_3)
  return h ^ (h >> 32n)
}

/** XXH64 of `b` with `seed` (taken modulo 2^64). */
export function xxh64(b: Uint8Array, seed = 0n): bigint {
  const len = b.length
  seed &= M64
  let i = 0
  let acc: bigint
  if (len >= 32) {
    let a1 = (seed + P64_1 + P64_2) & M64
    let a2 = (seed + P64_2) & M64
    let a3 = seed
    let a4 = (seed - P64_1) & M64
    for (; i + 32 <= len; i += 32) {
      a1 = round64(a1, le64(b, i))
      a2 = round64(a2, le64(b, i + 8))
      a3 = round64(a3, le64(b, i + 16))
      a4 = round64(a4, le64(b, i + 24))
    }
    acc = (rotl64(a1, 1n) + rotl64(a2, 7n) + rotl64(a3, 12n) + rotl64(a4, 18n)) & M64
    acc = merge64(merge64(merge64(merge64(acc, a1), a2), a3), a4)
  } else {
    acc = (seed + P64_5) & M64
  }
  acc = (acc + BigInt(len)) & M64
  for (; i + 8 <= len; i += 8) acc = (mul64(rotl64(acc ^ round64(0n, le64(b, i)), 27n), P64_1) + P64_4) & M64
  if (i + 4 <= len) {
    acc = (mul64(rotl64(acc ^ mul64(BigInt(le32(b, i)), P64_1), 23n), P64_2) + P64_3) & M64
    i += 4
  }
  for (; i < len; i++) acc = mul64(rotl64(acc ^ mul64(BigInt(b[i]!), P64_5), 11n), P64_1)
  return avalanche64(acc)
}

// --- XXH3, 64-bit output -------------------------------------------------------------------------

/** The default secret (192 bytes), as the specification gives it. */
const SECRET = Uint8Array.from([
  0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
  0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
  0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
  0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
  0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
  0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
  0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
  0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
  0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
  0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
  0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
  0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
])

/** The low and high halves of the 128-bit product, xored. */
function fold128(a: bigint, b: bigint): bigint {
  const p = a * b
  return (p & M64) ^ (p >> 64n)
}

function avalanche3(h: bigint): bigint {
  h = mul64(h ^ (h >> 37n), PMX_1)
  return h ^ (h >> 32n)
}

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0
}

function bswap64(x: bigint): bigint {
  return (BigInt(bswap32(Number(x & 0xffffffffn))) << 32n) | BigInt(bswap32(Number(x >> 32n)))
}

function mixStep(b: Uint8Array, i: number, secret: Uint8Array, s: number, seed: bigint): bigint {
  return fold128(le64(b, i) ^ ((le64(secret, s) + seed) & M64), le64(b, i + 8) ^ ((le64(secret, s + 8) - seed) & M64))
}

function upTo16(b: Uint8Array, seed: bigint): bigint {
  const len = b.length
  if (len > 8) {
    const lo = ((le64(SECRET, 24) ^ le64(SECRET, 32)) + seed) & M64 ^ le64(b, 0)
    const hi = ((le64(SECRET, 40) ^ le64(SECRET, 48)) - seed) & M64 ^ le64(b, len - 8)
    return avalanche3((BigInt(len) + bswap64(lo) + hi + fold128(lo, hi)) & M64)
  }
  if (len >= 4) {
    const s = seed ^ (BigInt(bswap32(Number(seed & 0xffffffffn))) << 32n)
    const combined = BigInt(le32(b, len - 4)) | (BigInt(le32(b, 0)) << 32n)
    let v = ((le64(SECRET, 8) ^ le64(SECRET, 16)) - s) & M64 ^ combined
    v ^= rotl64(v, 49n) ^ rotl64(v, 24n)
    v = mul64(v, PMX_2)
    v ^= (v >> 35n) + BigInt(len)
    v = mul64(v, PMX_2)
    return v ^ (v >> 28n)
  }
  if (len > 0) {
    const combined = (b[len - 1]! | (len << 8) | (b[0]! << 16) | (b[len >> 1]! << 24)) >>> 0
    return avalanche64((BigInt((le32(SECRET, 0) ^ le32(SECRET, 4)) >>> 0) + seed) & M64 ^ BigInt(combined))
  }
  return avalanche64(seed ^ le64(SECRET, 56) ^ le64(SECRET, 64))
}

function upTo240(b: Uint8Array, seed: bigint): bigint {
  const len = b.length
  let acc = mul64(BigInt(len), P64_1)
  if (len <= 128) {
    for (let r = ((len - 1) >> 5); r >= 0; r--) {
      acc += mixStep(b, r * 16, SECRET, r * 32, seed)
      acc += mixStep(b, len - r * 16 - 16, SECRET, r * 32 + 16, seed)
    }
    return avalanche3(acc & M64)
  }
  for (let k = 0; k < 8; k++) acc += mixStep(b, k * 16, SECRET, k * 16, seed)
  acc = avalanche3(acc & M64)
  const chunks = len >> 4
  for (let k = 8; k < chunks; k++) acc += mixStep(b, k * 16, SECRET, (k - 8) * 16 + 3, seed)
  acc += mixStep(b, len - 16, SECRET, 119, seed)
  return avalanche3(acc & M64)
}

/** The secret of a seeded hash of a long input: the default one, its 64-bit words moved by the
 *  seed (added to even words, taken from odd ones). */
function derivedSecret(seed: bigint): Uint8Array {
  if (seed === 0n) return SECRET
  const out = new Uint8Array(SECRET.length)
  const view = new DataView(out.buffer)
  for (let w = 0; w < SECRET.length / 8; w++) view.setBigUint64(w * 8, (le64(SECRET, w * 8) + (w % 2 === 0 ? seed : -seed)) & M64, true)
  return out
}

function accumulate(acc: bigint[], b: Uint8Array, i: number, secret: Uint8Array, s: number): void {
  for (let k = 0; k < 8; k++) {
    const lane = le64(b, i + k * 8)
    const v = lane ^ le64(secret, s + k * 8)
    acc[k ^ 1] = (acc[k ^ 1]! + lane) & M64
    acc[k] = (acc[k]! + (v & 0xffffffffn) * (v >> 32n)) & M64
  }
}

function long(b: Uint8Array, seed: bigint): bigint {
  const secret = derivedSecret(seed)
  const len = b.length
  const acc = [BigInt(P32_3), P64_1, P64_2, P64_3, P64_4, BigInt(P32_2), P64_5, BigInt(P32_1)]
  const stripes = (secret.length - 64) / 8
  const block = stripes * 64
  let i = 0
  for (; len - i > block; i += block) {
    for (let n = 0; n < stripes; n++) accumulate(acc, b, i + n * 64, secret, n * 8)
    for (let k = 0; k < 8; k++) {
      let a = acc[k]!
      a ^= a >> 47n
      a ^= le64(secret, secret.length - 64 + k * 8)
      acc[k] = mul64(a, BigInt(P32_1))
    }
  }
  const full = Math.floor((len - i - 1) / 64)
  for (let n = 0; n < full; n++) accumulate(acc, b, i + n * 64, secret, n * 8)
  accumulate(acc, b, len - 64, secret, secret.length - 71)
  let h = mul64(BigInt(len), P64_1)
  for (let k = 0; k < 4; k++) h += fold128(acc[2 * k]! ^ le64(secret, 11 + 16 * k), acc[2 * k + 1]! ^ le64(secret, 19 + 16 * k))
  return avalanche3(h & M64)
}

/** XXH3 (64-bit output) of `b` with `seed` (taken modulo 2^64). */
export function xxh3(b: Uint8Array, seed = 0n): bigint {
  seed &= M64
  if (b.length <= 16) return upTo16(b, seed)
  if (b.length <= 240) return upTo240(b, seed)
  return long(b, seed)
}
