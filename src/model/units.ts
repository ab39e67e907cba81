/**
 * Durations, sizes and bounded integers as HAProxy writes them. Each parser throws a ConfigError
 * that says what was expected, so both readers report the same message for the same mistake.
 */
import { ConfigError, type SourcePos } from './source.ts'

const TIME_UNITS: Readonly<Record<string, number>> = {
  us: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
}

/** `5s`, `500ms`, `2m`, `1h`, `1d`, `100us`; a plain number is in `unit` (ms unless said).
 *  Returns whole milliseconds, rounded up. */
export function parseDuration(text: string, at: SourcePos, unit: 'ms' | 's' = 'ms'): number {
  const m = /^(\d+(?:\.\d+)?)([a-z]*)$/.exec(text)
  if (m) {
    const [, num, suffix] = m as unknown as [string, string, string]
    const mult = suffix === '' ? TIME_UNITS[unit]! : TIME_UNITS[suffix]
    // Rounded up to the millisecond, as HAProxy does, so `100us` does not become 0 (= no
    // timeout); counted in whole microseconds first so that `1.1s` is 1100, not 1101.
    if (mult !== undefined) return Math.ceil(Math.round(Number(num) * mult * 1000) / 1000)
  }
  throw new ConfigError(`invalid duration '${text}'; write a number with a unit: 100ms, 5s, 2m, 1h, 1d (a plain number means ${unit === 'ms' ? 'milliseconds' : 'seconds'})`, at)
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }

/** `16384`, `16k`, `1m`, `2g` (case-insensitive, powers of 1024). */
export function parseSize(text: string, at: SourcePos): number {
  const m = /^(\d+)([kmgKMG]?)$/.exec(text)
  if (m) return Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!
  throw new ConfigError(`invalid size '${text}'; write a number of bytes, optionally with k, m or g: 16384, 16k, 1m`, at)
}

/** A whole number within [min, max]. `what` names it in the message: "weight must be…". */
export function parseIntIn(text: string, at: SourcePos, what: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(text)) throw new ConfigError(`${what} expects a whole number, got '${text}'`, at)
  const n = Number(text)
  if (n < min || n > max) throw new ConfigError(`${what} must be between ${min} and ${max}, got ${n}`, at)
  return n
}

/** Renders milliseconds back the way a person would write them (`5s`, `500ms`, `2m`). */
export function formatDuration(ms: number): string {
  if (ms === Infinity) return 'never'
  for (const [u, f] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= f && ms % f === 0) return `${ms / f}${u}`
  }
  return `${ms}ms`
}
