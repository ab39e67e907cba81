import { describe, expect, test } from 'bun:test'
import { makeServers } from '../../test/conformance/lb.ts'
import { crc32, djb2, fullHash, hashKey, noHash, sdbm, wt6 } from './hashing.ts'
import { source } from './source.ts'
import type { LbState } from './types.ts'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

// Reference values computed with HAProxy's src/hash.c and full_hash(), compiled with gcc.
const vectors: [string, number, number, number, number][] = [
  ['', 0x00000000, 0x00001505, 0xf99a0360, 0x00000000],
  ['a', 0x00000061, 0x0002b606, 0x714bf225, 0xe8b7be43],
  ['123456789', 0x68a07035, 0x35cdbb82, 0x84a16c1d, 0xcbf43926],
  ['10.0.0.1', 0x8ac57d46, 0x92045e21, 0xa8071466, 0x26fec193],
  ['/index.html?user=42', 0xf3e15ae7, 0x3992b930, 0xb96d1fcf, 0xc037c595],
  ['The quick brown fox jumps over the lazy dog', 0x8ca77173, 0x34cc38de, 0xe4e7b045, 0x414fa339],
  ['été', 0xadee62f4, 0x16265db1, 0x194f1da3, 0x44d16cd4],
]

describe('hash functions match HAProxy', () => {
  for (const [key, s, d, w, c] of vectors) {
    test(`"${key}"`, () => {
      const b = bytes(key)
      expect(sdbm(b, b.length)).toBe(s)
      expect(djb2(b, b.length)).toBe(d)
      expect(wt6(b, b.length)).toBe(w)
      expect(crc32(b, b.length)).toBe(c)
    })
  }

  test('raw IPv4 address bytes', () => {
    const ip = new Uint8Array([192, 168, 1, 20])
    expect(sdbm(ip, 4)).toBe(0x37d7bc3b)
    expect(djb2(ip, 4)).toBe(0x7cc92322)
    expect(wt6(ip, 4)).toBe(0x7ffb5b6a)
    expect(crc32(ip, 4)).toBe(0x83a3d8fe)
  })

  test('full avalanche', () => {
    expect(fullHash(0)).toBe(0xab4ed927)
    expect(fullHash(1)).toBe(0x348681b6)
    expect(fullHash(42)).toBe(0xc343bb70)
    expect(fullHash(0xffffffff)).toBe(0x7e64c182)
    expect(fullHash(123456789)).toBe(0x99ab9e21)
  })

  test('only the first len bytes count', () => {
    const b = bytes('123456789xyz')
    expect(crc32(b, 9)).toBe(0xcbf43926)
  })

  test('none reads the key as a decimal number', () => {
    expect(noHash(bytes('42'), 2)).toBe(42)
    expect(noHash(bytes('4294967297'), 10)).toBe(1)
    expect(noHash(bytes('-1'), 2)).toBe(0xffffffff)
    expect(noHash(bytes('17abc'), 5)).toBe(17)
    expect(noHash(bytes(''), 0)).toBe(0)
  })
})

describe('hashKey', () => {
  test('hashes strings as their UTF-8 bytes', () => {
    for (const fn of ['sdbm', 'djb2', 'wt6', 'crc32', 'none'] as const) {
      for (const key of ['été', '10.0.0.1', 'x'.repeat(1000), '']) {
        const type = { method: 'map-based' as const, fn, avalanche: false }
        expect(hashKey(key, type)).toBe(hashKey(bytes(key), type))
      }
    }
  })

  test('applies the avalanche when asked', () => {
    const type = { method: 'consistent' as const, fn: 'crc32' as const, avalanche: true }
    expect(hashKey('123456789', type)).toBe(fullHash(0xcbf43926))
  })
})

// --- Distribution over realistic keys ------------------------------------------------------------
// Four equal servers, every hash function, both hash types, with and without the avalanche, over
// the keys the hashing algorithms see: paths (`balance uri`), parameter values (`url_param`, `hdr`)
// and client addresses as raw bytes (`source`). The expectations are HAProxy's functions' own:
//   - with the avalanche, every function but `none` spreads every kind of key, either way;
//   - map-based without it: sdbm, djb2 and crc32 spread (hash % N), wt6 not evenly;
//   - consistent without it: crc32 and wt6 spread; sdbm and djb2 of keys that differ only in
//     their last bytes differ only in their low bits, so they sit side by side on the ring and
//     reach one or two servers. Hence `hash-type consistent` alone means sdbm with the avalanche.
//   - `none` takes a key as the decimal number it must be: numbers spread map-based (n % N), and
//     consistent with the avalanche; anything else reads as 0, one server.

const FNS = ['sdbm', 'djb2', 'wt6', 'crc32', 'none'] as const
const METHODS = ['map-based', 'consistent'] as const
type Fn = (typeof FNS)[number]
type Method = (typeof METHODS)[number]

/** Deterministic pseudo-random 32-bit numbers. */
function lcg(seed: number): () => number {
  return () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0)
}

const SECTIONS = ['static/img', 'api/v1/users', 'k', 'blog/2024', 'assets/js', 'products']
const KEYS: Record<string, readonly (string | Uint8Array)[]> = {
  // The report: 40 paths /k/1 … /k/40.
  'paths /k/1 … /k/40': Array.from({ length: 40 }, (_, i) => `/k/${i + 1}`),
  'paths of a site': Array.from({ length: 2000 }, (_, i) => `/${SECTIONS[i % 6]}/${Math.floor(i / 6) + 1}${i % 3 === 0 ? '.jpg' : ''}`),
  'numeric ids': Array.from({ length: 2000 }, (_, i) => `${i + 1}`),
  'user names': Array.from({ length: 2000 }, (_, i) => `user-${(i * 7) % 5000}`),
  'session ids': (() => { const r = lcg(11); return Array.from({ length: 2000 }, () => r().toString(16).padStart(8, '0') + r().toString(16).padStart(8, '0')) })(),
  'IPv4 clients of one /21': Array.from({ length: 2000 }, (_, i) => new Uint8Array([10, 0, i >> 8, i & 255])),
  'IPv4 clients anywhere': (() => { const r = lcg(7); return Array.from({ length: 2000 }, () => new Uint8Array([r() >>> 24, r() >>> 24, r() >>> 24, r() >>> 24])) })(),
  'IPv6 clients of one /112': Array.from({ length: 2000 }, (_, i) => new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, i >> 8, i & 255])),
}
/** Keys that never begin with a digit: `none` reads them all as 0. */
const NON_NUMERIC = new Set(['paths /k/1 … /k/40', 'paths of a site', 'user names', 'IPv4 clients of one /21', 'IPv6 clients of one /112'])
/** Keys that differ only in their last two characters or bytes. */
const TAIL_VARYING = new Set(['paths /k/1 … /k/40', 'IPv4 clients of one /21', 'IPv6 clients of one /112'])
/** Keys of four bytes or fewer: their djb2 hash stays in one band of the 32 bits. */
const SHORT = new Set(['numeric ids', 'IPv4 clients anywhere'])

type Spread = 'even' | 'uneven' | 'bunched' | 'one'

function expected(fn: Fn, method: Method, avalanche: boolean, keys: string): Spread {
  if (fn === 'none') {
    if (NON_NUMERIC.has(keys)) return 'one'
    if (keys !== 'numeric ids') return 'uneven' // digits first, then anything
    return method === 'map-based' || avalanche ? 'even' : 'one'
  }
  if (avalanche || fn === 'crc32') return 'even'
  if (method === 'map-based') return fn === 'wt6' ? 'uneven' : 'even'
  if (fn === 'wt6') return 'even'
  // sdbm and djb2 on the ring without the avalanche.
  return TAIL_VARYING.has(keys) || (fn === 'djb2' && SHORT.has(keys)) ? 'bunched' : 'uneven'
}

/** The bounds of each server's share, as a multiple of its fair share, for keys that spread:
 *  the ring's 16 points a server leave shares of about 18% to 30%; the table is exact. A few
 *  keys (the 40 paths) vary more: each server gets some, none twice its share. */
function bounds(method: Method, keys: number): [number, number] {
  if (keys < 100) return [0.25, 2]
  return method === 'consistent' ? [0.5, 1.5] : [0.85, 1.15]
}

function fourServers() {
  return makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }])
}

function spreadOf(state: LbState, keys: readonly (string | Uint8Array)[]): number[] {
  const c: Record<string, number> = { a: 0, b: 0, c: 0, d: 0 }
  for (const k of keys) c[state.pick({ hashKey: k })?.name ?? '-']++
  return [c.a, c.b, c.c, c.d]
}

describe('distribution over request keys, four equal servers', () => {
  for (const [name, keys] of Object.entries(KEYS)) {
    for (const fn of FNS) {
      for (const method of METHODS) {
        for (const avalanche of [false, true]) {
          const want = expected(fn, method, avalanche, name)
          if (want === 'uneven') continue // neither promised nor excluded
          test(`${name}: ${method} ${fn}${avalanche ? ' avalanche' : ''} → ${want}`, () => {
            const state = source.create(fourServers(), { allBackups: false, hashType: { method, fn, avalanche } })
            const counts = spreadOf(state, keys)
            const fair = keys.length / 4
            const used = counts.filter((n) => n > 0).length
            if (want === 'one') expect(used).toBe(1)
            else if (want === 'bunched') expect(used).toBeLessThanOrEqual(2)
            else {
              const [lo, hi] = bounds(method, keys.length)
              for (const n of counts) expect(n / fair).toBeWithin(lo, hi)
            }
          })
        }
      }
    }
  }

  test('none with map-based and equal weights puts the number n on server n % N', () => {
    const state = source.create(fourServers(), { allBackups: false, hashType: { method: 'map-based', fn: 'none', avalanche: false } })
    expect(spreadOf(state, KEYS['numeric ids']!)).toEqual([500, 500, 500, 500])
  })
})

describe('consistent hashing when a server goes down and comes back', () => {
  for (const fn of FNS) {
    for (const avalanche of [false, true]) {
      for (const [name, keys] of Object.entries(KEYS)) {
        if (expected(fn, 'consistent', avalanche, name) !== 'even') continue
        test(`${name}, ${fn}${avalanche ? ' avalanche' : ''}: only the down server's keys move, and they all come back`, () => {
          const servers = fourServers()
          const state = source.create(servers, { allBackups: false, hashType: { method: 'consistent', fn, avalanche } })
          const before = keys.map((k) => state.pick({ hashKey: k })?.name)
          servers[2]!.usable = false
          state.update()
          const during = keys.map((k) => state.pick({ hashKey: k })?.name)
          let moved = 0
          for (let i = 0; i < keys.length; i++) {
            if (during[i] === before[i]) continue
            moved++
            expect(before[i]).toBe('c')
          }
          expect(during).not.toContain('c')
          // What moved is exactly c's share: about a quarter, never much more.
          expect(moved).toBe(before.filter((s) => s === 'c').length)
          expect(moved / keys.length).toBeLessThanOrEqual(0.25 * bounds('consistent', keys.length)[1])
          servers[2]!.usable = true
          state.update()
          expect(keys.map((k) => state.pick({ hashKey: k })?.name)).toEqual(before)
        })
      }
    }
  }

  test('map-based hashing, for comparison, moves most keys', () => {
    const servers = fourServers()
    const state = source.create(servers, { allBackups: false, hashType: { method: 'map-based', fn: 'sdbm', avalanche: true } })
    const keys = KEYS['paths of a site']!
    const before = keys.map((k) => state.pick({ hashKey: k })?.name)
    servers[2]!.usable = false
    state.update()
    const moved = keys.filter((k, i) => state.pick({ hashKey: k })?.name !== before[i]).length
    expect(moved / keys.length).toBeGreaterThan(0.5)
  })
})

describe('consistent ring lookup', () => {
  test('a key goes to the nearest point, on either side (HAProxy chash)', () => {
    // hash-type none makes the key its own position: each key sits just after, or just before,
    // one of the points of a server, and must reach that server either way.
    const servers = fourServers()
    const state = source.create(servers, { allBackups: false, hashType: { method: 'consistent', fn: 'none', avalanche: false } })
    for (let s = 0; s < 4; s++) {
      for (let n = 0; n < 16; n++) {
        const point = fullHash((s + 1) * 4096 + n)
        for (const delta of [0, 1, -1]) {
          const key = String((point + delta) >>> 0)
          expect([key, state.pick({ hashKey: key })?.name]).toEqual([key, servers[s]!.name])
        }
      }
    }
  })
})
