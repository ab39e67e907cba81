import { describe, expect, test } from 'bun:test'
import { crc32, djb2, fullHash, hashKey, noHash, sdbm, wt6 } from './hashing.ts'

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
