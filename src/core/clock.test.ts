import { describe, expect, test } from 'bun:test'
import { holdClock, now, releaseClock } from './clock.ts'

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
})
