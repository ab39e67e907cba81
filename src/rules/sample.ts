/**
 * Casts between sample types, as HAProxy's cast table does when a converter or a match method
 * wants another type than the fetch produced. All return `undefined` when the cast fails.
 */
import { latin1 } from '../http/head.ts'
import type { Sample } from './types.ts'

/** To a string; binary stops at its first NUL byte, as HAProxy's cast does (a converter that
 *  reads bytes takes `toBin`, or `binToStr` for all of them as a string). */
export function toStr(v: Sample | undefined): string | undefined {
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  if (typeof v === 'boolean') return v ? '1' : '0'
  if (v === undefined) return undefined
  const nul = v.indexOf(0)
  return latin1(v, 0, nul < 0 ? v.length : nul)
}

/** Strings cast like strtoll: optional sign, leading digits; no digits = no sample. */
export function toInt(v: Sample | undefined): number | undefined {
  if (typeof v === 'number') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'string') {
    const n = parseInt(v, 10)
    return Number.isNaN(n) ? undefined : n
  }
  return undefined
}

export function toBool(v: Sample | undefined): boolean | undefined {
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return v !== 0
  if (typeof v === 'string') {
    const n = toInt(v)
    return n === undefined ? undefined : n !== 0
  }
  if (v === undefined) return undefined
  return v.length > 0
}

export function toBin(v: Sample | undefined): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v
  const s = toStr(v)
  if (s === undefined) return undefined
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 255
  return out
}

/** Binary as a latin1 string of the same bytes (for byte-wise string operations): one UTF-16
 *  unit per byte. (A TextDecoder('latin1') would not do: the label means windows-1252, which
 *  turns 0x80-0x9f into other characters, € for 0x80.) */
export function binToStr(b: Uint8Array): string {
  return latin1(b, 0, b.length)
}

/** A signed 64-bit integer result (`xxh64`, `xxh3`) as a sample. Integer samples are numbers,
 *  exact up to 2^53; beyond that the value is carried as its decimal text, so that it prints as
 *  HAProxy prints it (casts to an integer read it back, rounded). */
export function int64Sample(v: bigint): number | string {
  const s = BigInt.asIntN(64, v)
  return s >= -MAX_SAFE && s <= MAX_SAFE ? Number(s) : s.toString()
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
