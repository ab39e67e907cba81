import { describe, expect, test } from 'bun:test'
import { clocked, holdClock, now, releaseClock } from './clock.ts'

function spin(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) { /* wait */ }
}

describe('clock', () => {
  test('outside an event now() follows the clock', () => {
    const a = now()
    spin(2)
    expect(now() - a).toBeGreaterThanOrEqual(2)
  })

  test('within an event now() is the reading taken at its start, then follows the clock again', () => {
    holdClock()
    try {
      const a = now()
      spin(2)
      expect(now()).toBe(a)
      releaseClock()
      expect(now() - a).toBeGreaterThanOrEqual(2)
    } finally {
      releaseClock()
    }
  })

  test('a nested event reads the clock anew and never moves the time back', () => {
    holdClock()
    const outer = now()
    spin(1)
    holdClock() // an event handled inside the first
    const inner = now()
    releaseClock()
    expect(inner).toBeGreaterThan(outer)
    expect(now()).toBeGreaterThanOrEqual(inner)
    releaseClock()
  })

  test('a clocked handler sees one reading, and the clock runs again after it, even when it throws', () => {
    const seen: number[] = []
    const h = clocked((a: number, b: number) => { seen.push(now()); spin(a + b); seen.push(now()); if (a > 0) throw new Error('boom') })
    h(0, 2)
    expect(seen[1]).toBe(seen[0])
    expect(() => h(1, 1)).toThrow('boom')
    expect(seen[3]).toBe(seen[2])
    const after = now()
    spin(2)
    expect(now() - after).toBeGreaterThanOrEqual(2)
  })
})
