/**
 * Byte classes of HTTP/1.x (RFC 9110 §5.6, RFC 9112), one table lookup per byte for the parser,
 * the head and the chunked scanner.
 */

/** tchar: ! # $ % & ' * + - . ^ _ ` | ~ DIGIT ALPHA (field names, methods, tokens). */
export const C_TCHAR = 1
/** VCHAR: 0x21..0x7e (request-target, version). */
export const C_VCHAR = 2
/** A byte a field value may hold: VCHAR, obs-text (0x80..0xff), SP, HTAB. */
export const C_FIELD = 4
export const C_DIGIT = 8
export const C_HEX = 16

export const HT = 0x09
export const LF = 0x0a
export const CR = 0x0d
export const SP = 0x20
export const COMMA = 0x2c
export const COLON = 0x3a
export const SEMI = 0x3b

function buildClasses(): Uint8Array {
  const t = new Uint8Array(256)
  for (let c = 0x21; c <= 0x7e; c++) t[c] |= C_VCHAR | C_FIELD
  for (let c = 0x80; c <= 0xff; c++) t[c] |= C_FIELD
  t[SP] |= C_FIELD
  t[HT] |= C_FIELD
  for (const ch of "!#$%&'*+-.^_`|~") t[ch.charCodeAt(0)] |= C_TCHAR
  for (let c = 0x30; c <= 0x39; c++) t[c] |= C_TCHAR | C_DIGIT | C_HEX
  for (let c = 0x41; c <= 0x5a; c++) t[c] |= C_TCHAR
  for (let c = 0x61; c <= 0x7a; c++) t[c] |= C_TCHAR
  for (let c = 0x41; c <= 0x46; c++) t[c] |= C_HEX
  for (let c = 0x61; c <= 0x66; c++) t[c] |= C_HEX
  return t
}

/** Class bits of every byte. */
export const CHARS: Uint8Array = buildClasses()

function buildLower(): Uint8Array {
  const t = new Uint8Array(256)
  for (let c = 0; c < 256; c++) t[c] = c >= 0x41 && c <= 0x5a ? c + 0x20 : c
  return t
}

/** ASCII lower case of every byte (other bytes unchanged). */
export const LOWER: Uint8Array = buildLower()

/** Whether `buf[a, b)` equals the lower-case ASCII `lname` without regard to case. */
export function bytesEqualLower(buf: Uint8Array, a: number, b: number, lname: string): boolean {
  if (b - a !== lname.length) return false
  for (let i = 0; i < lname.length; i++) {
    if (LOWER[buf[a + i]] !== lname.charCodeAt(i)) return false
  }
  return true
}
