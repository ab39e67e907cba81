import { describe, expect, test } from 'bun:test'
import { FreqCtr } from './freq.ts'

describe('FreqCtr', () => {
  test('counts events within the current period', () => {
    const f = new FreqCtr()
    for (let i = 0; i < 5; i++) f.add(1000 + i, 1000)
    expect(f.read(1500, 1000)).toBe(5)
  })
  test('the previous period weighs by how much of it is still in the window', () => {
    const f = new FreqCtr()
    for (let i = 0; i < 10; i++) f.add(0, 1000)
    expect(f.read(1000, 1000)).toBe(10) // prev=10, 0 ms into the new period
    expect(f.read(1250, 1000)).toBe(7) // 10 × 0.75
    f.add(1500, 1000)
    expect(f.read(1500, 1000)).toBe(1 + 5)
    expect(f.read(2000, 1000)).toBe(1)
    expect(f.read(2999, 1000)).toBe(0)
    expect(f.read(3000, 1000)).toBe(0)
  })
  test('a long pause forgets everything', () => {
    const f = new FreqCtr()
    f.add(0, 100, 50)
    f.add(10_000, 100)
    expect(f.read(10_000, 100)).toBe(1)
  })
})
