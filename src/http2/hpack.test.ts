import { expect, test } from 'bun:test'
import { COMPRESSION_ERROR } from './frames.ts'
import { HpackDecoder, HpackEncoder, TOO_LARGE } from './hpack.ts'

const fields = [':method', 'GET', ':path', '/a?b=c', ':scheme', 'https', 'user-agent', 'edgelb-test/1.0', 'cookie', 'a=1', 'x-bin', '\u00ff\u0080']

test('blocks round-trip, and the dynamic table makes a repeated block smaller', () => {
  const enc = new HpackEncoder()
  const dec = new HpackDecoder(4096)
  const a = enc.encode(fields)
  const b = enc.encode(fields)
  expect(b.length).toBeLessThan(a.length)
  for (const block of [a, b]) {
    const out: string[] = []
    expect(dec.decode(block, out, 65536, 100)).toBe(0)
    expect(out).toEqual(fields)
  }
})

test('a list above the size or field limit decodes (the table stays in step) but says TOO_LARGE', () => {
  const enc = new HpackEncoder()
  const dec = new HpackDecoder(4096)
  const big = enc.encode(['x-big', 'v'.repeat(1000)])
  const out: string[] = []
  expect(dec.decode(big, out, 500, 100)).toBe(TOO_LARGE)
  // The entry it added is there: the next block naming it decodes.
  const next: string[] = []
  expect(dec.decode(enc.encode(['x-big', 'v'.repeat(1000)]), next, 65536, 100)).toBe(0)
  expect(next).toEqual(['x-big', 'v'.repeat(1000)])
  const many: string[] = []
  expect(dec.decode(enc.encode(Array.from({ length: 20 }, (_, i) => [`x-${i}`, 'v']).flat()), many, 65536, 10)).toBe(TOO_LARGE)
  expect(many.length).toBe(20)
})

test('an HPACK bomb (one entry named thousands of times) stops collecting at the limit', () => {
  const dec = new HpackDecoder(4096)
  const enc = new HpackEncoder()
  const first: string[] = []
  dec.decode(enc.encode(['x-big', 'a'.repeat(1000)]), first, 65536, 100)
  const out: string[] = []
  expect(dec.decode(Buffer.alloc(5000, 0x80 | 62), out, 16384, 101)).toBe(TOO_LARGE)
  expect(out.length).toBeLessThanOrEqual(2 * Math.ceil(16384 / 1037)) // what fits in 16 KiB, not 5000 copies
})

test('table size updates: above the size announced, or after a field, are compression errors', () => {
  expect(new HpackDecoder(4096).decode(Buffer.from([0x3f, 0xe2, 0x1f]), [], 65536, 100)).toBe(COMPRESSION_ERROR) // 4097
  expect(new HpackDecoder(4096).decode(Buffer.from([0x3f, 0xe1, 0x1f]), [], 65536, 100)).toBe(0) // 4096
  expect(new HpackDecoder(4096).decode(Buffer.from([0x82, 0x20]), [], 65536, 100)).toBe(COMPRESSION_ERROR)
  expect(new HpackDecoder(4096).decode(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]), [], 65536, 100)).toBe(COMPRESSION_ERROR)
})

test('the encoder announces a smaller table when the peer asks, and never grows past 4096', () => {
  const enc = new HpackEncoder()
  enc.setPeerTableSize(100)
  const block = enc.encode([':method', 'GET'])
  expect(block[0]! & 0xe0).toBe(0x20) // a size update first
  const dec = new HpackDecoder(4096)
  const out: string[] = []
  expect(dec.decode(block, out, 65536, 100)).toBe(0)
  expect(out).toEqual([':method', 'GET'])
  const enc2 = new HpackEncoder()
  enc2.setPeerTableSize(1 << 20)
  expect(new HpackDecoder(4096).decode(enc2.encode(fields), [], 65536, 100)).toBe(0)
})
