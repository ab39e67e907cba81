import { describe, expect, test } from 'bun:test'
import type { SourcePos } from './source.ts'
import { configErrorOf } from '../../test/support/config.ts'
import { formatDuration, parseDuration, parseIntIn, parseSize } from './units.ts'

const at: SourcePos = { file: 'edgelb.cfg', line: 12 }

/** The message of the ConfigError `fn` throws, which must carry `at`. */
function messageOf(fn: () => unknown): string {
  const e = configErrorOf(fn)
  expect(e.pos).toEqual(at)
  return e.message
}

describe('parseDuration', () => {
  test('units us, ms, s, m, h, d', () => {
    expect([parseDuration('1000us', at), parseDuration('250ms', at), parseDuration('5s', at), parseDuration('2m', at), parseDuration('1h', at), parseDuration('1d', at)])
      .toEqual([1, 250, 5000, 120_000, 3_600_000, 86_400_000])
  })

  test('a plain number is milliseconds, or seconds where the keyword says so (cookie maxidle)', () => {
    expect(parseDuration('10000', at)).toBe(10000)
    expect(parseDuration('30', at, 's')).toBe(30_000)
  })

  test('zero is zero; a fraction of a millisecond is rounded up, never down to zero', () => {
    expect(parseDuration('0', at)).toBe(0)
    expect(parseDuration('0s', at)).toBe(0)
    expect(parseDuration('100us', at)).toBe(1)
    expect(parseDuration('1500us', at)).toBe(2)
    expect(parseDuration('1.5s', at)).toBe(1500)
    expect(['1.1s', '0.3s', '2.55s', '0.7m'].map((t) => parseDuration(t, at))).toEqual([1100, 300, 2550, 42_000])
  })

  test('anything else is refused with a message that shows the forms', () => {
    const msg = (t: string): string => `invalid duration '${t}'; write a number with a unit: 100ms, 5s, 2m, 1h, 1d (a plain number means milliseconds)`
    for (const bad of ['5x', '-1', '', '5 s', '5S', '5sec', '1e3', '1.5.2', 's']) expect(messageOf(() => parseDuration(bad, at))).toBe(msg(bad))
    expect(messageOf(() => parseDuration('x', at, 's'))).toBe(`invalid duration 'x'; write a number with a unit: 100ms, 5s, 2m, 1h, 1d (a plain number means seconds)`)
  })
})

describe('parseSize', () => {
  test('bytes, and k/m/g in powers of 1024, either case', () => {
    expect(['0', '16384', '16k', '16K', '1m', '2g', '2G'].map((s) => parseSize(s, at))).toEqual([0, 16384, 16384, 16384, 1048576, 2 * 1024 ** 3, 2 * 1024 ** 3])
  })

  test('anything else is refused', () => {
    for (const bad of ['10q', '1.5k', '16kb', '', '-1', '1t', 'k']) {
      expect(messageOf(() => parseSize(bad, at))).toBe(`invalid size '${bad}'; write a number of bytes, optionally with k, m or g: 16384, 16k, 1m`)
    }
  })
})

describe('parseIntIn', () => {
  test('a whole number within bounds, bounds included', () => {
    expect([parseIntIn('0', at, 'weight', 0, 256), parseIntIn('256', at, 'weight', 0, 256), parseIntIn('-3', at, 'offset', -5, 5)]).toEqual([0, 256, -3])
  })

  test('out of bounds names the setting and the bounds', () => {
    expect(messageOf(() => parseIntIn('257', at, 'weight', 0, 256))).toBe('weight must be between 0 and 256, got 257')
    expect(messageOf(() => parseIntIn('-1', at, 'weight', 0, 256))).toBe('weight must be between 0 and 256, got -1')
  })

  test('not a whole number', () => {
    for (const bad of ['abc', '1.0', '+3', '', '1k']) expect(messageOf(() => parseIntIn(bad, at, "'retries'", 0, 100))).toBe(`'retries' expects a whole number, got '${bad}'`)
  })
})

describe('formatDuration', () => {
  test('the largest unit that divides exactly', () => {
    expect([0, 999, 1000, 1500, 60_000, 90_000, 3_600_000, 86_400_000].map(formatDuration)).toEqual(['0ms', '999ms', '1s', '1500ms', '1m', '90s', '1h', '1d'])
  })

  test('Infinity is never', () => {
    expect(formatDuration(Infinity)).toBe('never')
  })

  test('reads back to the same value', () => {
    for (const ms of [1, 20_000, 61_000, 7_200_000, 172_800_000]) expect(parseDuration(formatDuration(ms), at)).toBe(ms)
  })
})
