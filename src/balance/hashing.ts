import { crc32, djb2, fullHash, sdbm, wt6, type HashFunction } from '../core/hash.ts'
import { selectPool } from './pool.ts'
import { buildSmoothMap } from './smooth-map.ts'
import type { HashKey, HashType, LbOptions, LbRequest, LbServer, LbState } from './types.ts'

export { crc32, djb2, fullHash, sdbm, wt6, type HashFunction }

// The hashing layer under `source`, `uri`, `url_param`, `hdr`, `rdp-cookie` and `hash`: HAProxy's hash
// functions (src/hash.c), its avalanche (full_hash), and its two ways from a hash to a server:
//
//   map-based:  table[hash % table.length], the table holding each server weight times, smoothly
//               interleaved. Even spread; any change of the usable set remaps most keys.
//   consistent: a ring of weight × 16 points per server (HAProxy's BE_WEIGHT_SCALE), placed by
//               the avalanche of (server number × 4096 + point number) as HAProxy places them; the
//               key goes to the nearest point. A point's position depends only on its server and
//               its number, so removing a server moves only that server's keys (about 1/N of
//               them), and raising a weight only adds points. The key's hash is its position on
//               the ring, so it must spread over all 32 bits: `hash-type consistent` written
//               without a function is sdbm with the avalanche (as in HAProxy), for sdbm or djb2
//               alone leave keys that differ only in their last characters side by side.
//
// The hashed server is returned even when full, so that the caller queues on it and stickiness
// holds. All hashes are unsigned 32-bit.

/** `none`: the key is already a hash, written in decimal (an optional '-', then digits). */
export function noHash(key: Uint8Array, len: number): number {
  let i = 0
  const neg = len > 0 && key[0] === 0x2d
  if (neg) i++
  let h = 0
  for (; i < len; i++) {
    const d = key[i] - 0x30
    if (d < 0 || d > 9) break
    h = (h * 10 + d) >>> 0
  }
  return (neg ? -h : h) >>> 0
}

export const hashFunctions: Readonly<Record<HashType['fn'], HashFunction>> = {
  sdbm,
  djb2,
  wt6,
  crc32,
  none: noHash,
}

export const defaultHashType: HashType = { method: 'map-based', fn: 'sdbm', avalanche: false }

const encoder = new TextEncoder()
let scratch = new Uint8Array(256)

/** The hash of a key as `type` defines it. Strings are hashed as UTF-8 without allocating. */
export function hashKey(key: HashKey, type: HashType = defaultHashType): number {
  const fn = hashFunctions[type.fn]
  let h: number
  if (typeof key === 'string') {
    if (key.length * 3 > scratch.length) scratch = new Uint8Array(key.length * 3)
    h = fn(scratch, encoder.encodeInto(key, scratch).written)
  } else h = fn(key, key.length)
  return type.avalanche ? fullHash(h) : h
}

/** The dynamicWeights() of every hashing algorithm: a ring takes weight changes (HAProxy's
 *  consistent hashing is dynamic), a table is built once from the weights (static). */
export function consistentOnly(t: HashType): boolean {
  return t.method === 'consistent'
}

/** Ring points per unit of weight. */
const POINTS_PER_WEIGHT = 16
/** Point numbers per server: weight 256 × 16 points, so puid × this + point is unique. */
const POINT_RANGE = 256 * POINTS_PER_WEIGHT
const OWNER_BITS = 2 ** 20

/** Builds the ring: sorted point keys, and for each the position in `pool` of its server. */
function buildRing(pool: readonly LbServer[]): { keys: Uint32Array; owners: Uint32Array } {
  if (pool.length > OWNER_BITS) throw new RangeError(`consistent hashing supports up to ${OWNER_BITS} servers`)
  let count = 0
  for (const s of pool) count += Math.min(s.weight, 256) * POINTS_PER_WEIGHT
  // key × 2^20 + owner stays exact in a double, so one native numeric sort orders both.
  const packed = new Float64Array(count)
  let j = 0
  for (let p = 0; p < pool.length; p++) {
    const s = pool[p]
    const points = Math.min(s.weight, 256) * POINTS_PER_WEIGHT
    for (let n = 0; n < points; n++) packed[j++] = fullHash((s.puid * POINT_RANGE + n) >>> 0) * OWNER_BITS + p
  }
  packed.sort()
  const keys = new Uint32Array(count)
  const owners = new Uint32Array(count)
  for (let i = 0; i < count; i++) {
    keys[i] = Math.floor(packed[i] / OWNER_BITS)
    owners[i] = packed[i] % OWNER_BITS
  }
  return { keys, owners }
}

/** The selection state shared by every hashing algorithm: pick() hashes `req.hashKey` as
 *  `options.hashType` says. Without a key (e.g. a client on a UNIX socket) it spreads requests
 *  over the same table or ring, by weight, as HAProxy falls back to round robin. */
export function createHashState(servers: readonly LbServer[], options: LbOptions): LbState {
  const type = options.hashType ?? defaultHashType
  const consistent = type.method === 'consistent'
  let pool: LbServer[] = []
  let table: LbServer[] = []
  let keys: Uint32Array = new Uint32Array(0)
  let owners: Uint32Array = new Uint32Array(0)
  let unkeyed = 0

  const lookup = (h: number): LbServer | undefined => {
    if (!consistent) return table.length === 0 ? undefined : table[h % table.length]
    const n = keys.length
    if (n === 0) return undefined
    let lo = 0
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (keys[mid] < h) lo = mid + 1
      else hi = mid
    }
    // The nearer of the points on either side of the key, the ring wrapping around (HAProxy's
    // chash lookup): keys bunched between two servers' points still reach both.
    const next = lo === n ? 0 : lo
    const prev = (next === 0 ? n : next) - 1
    if (owners[prev] === owners[next]) return pool[owners[next]]
    return pool[owners[((h - keys[prev]) >>> 0) <= ((keys[next] - h) >>> 0) ? prev : next]]
  }

  const state: LbState = {
    pick(req?: LbRequest): LbServer | undefined {
      const key = req?.hashKey
      return lookup(key === undefined ? fullHash(unkeyed++ >>> 0) : hashKey(key, type))
    },
    update(): void {
      pool = selectPool(servers, options.allBackups)
      if (consistent) ({ keys, owners } = buildRing(pool))
      else table = buildSmoothMap(pool, pool.map((s) => s.weight))
    },
  }
  state.update()
  return state
}
