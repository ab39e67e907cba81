import { describe, expect, test } from 'bun:test'
import { bucketOf, LatencyHistogram } from './histogram.ts'

describe('LatencyHistogram', () => {
  test('values below 128 µs are exact; larger ones land in a bucket at most 1/64 of their size wide', () => {
    for (const v of [0, 1, 63, 127]) expect(bucketOf(v)).toEqual([v, v + 1])
    for (const v of [128, 1000, 12_345, 1e6, 3e9, 6e10]) {
      const [lo, hi] = bucketOf(v)
      expect(lo).toBeLessThanOrEqual(v)
      expect(hi).toBeGreaterThan(v)
      expect((hi - lo) / v).toBeLessThanOrEqual(1 / 64)
    }
  })

  test('percentiles of 1..10000 µs are within 1.6 %', () => {
    const h = new LatencyHistogram()
    for (let v = 1; v <= 10_000; v++) h.record(v)
    for (const p of [50, 90, 99, 99.9]) {
      const want = (p / 100) * 10_000
      expect(Math.abs(h.percentile(p) - want) / want).toBeLessThan(0.016)
    }
    expect(h.percentile(100)).toBe(10_000)
    expect(h.min).toBe(1)
    expect(h.count).toBe(10_000)
  })

  test('merging and the JSON form keep every count', () => {
    const a = new LatencyHistogram(), b = new LatencyHistogram()
    for (let i = 0; i < 1000; i++) { a.record(100 + i); b.record(5000 + i) }
    const m = LatencyHistogram.fromJSON(JSON.parse(JSON.stringify(a.toJSON())))
    m.merge(LatencyHistogram.fromJSON(b.toJSON()))
    expect(m.count).toBe(2000)
    expect(m.min).toBe(100)
    expect(m.max).toBe(5999)
    expect(m.percentile(50)).toBeLessThan(1100)
    expect(m.percentile(51)).toBeGreaterThan(5000)
  })

  test('an empty histogram has no percentiles', () => {
    expect(new LatencyHistogram().percentile(50)).toBeNaN()
  })
})
