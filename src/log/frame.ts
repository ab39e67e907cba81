/**
 * A log line's length limit (`log … len N`, 1024 by default), as HAProxy applies it: the header
 * and the message together are cut to N - 1 bytes, and a line feed ends the line, so nothing
 * sent is longer than N bytes.
 */

/** HAProxy's default `len`, and the bounds it accepts. */
export const DEFAULT_LOG_LEN = 1024
export const MIN_LOG_LEN = 80
export const MAX_LOG_LEN = 65535

const LF = 0x0a

/** The datagram for `line` (header + message): its UTF-8 bytes, cut to `maxLen - 1`, and a LF. */
export function frameBytes(line: string, maxLen: number): Buffer {
  const b = Buffer.from(line + '\n')
  if (b.length <= maxLen) return b
  b[maxLen - 1] = LF
  return b.subarray(0, maxLen)
}

/** `line` cut to `maxBytes` bytes of UTF-8 (for writers that add the line feed themselves). A
 *  character cut in the middle is dropped whole. */
export function clampLine(line: string, maxBytes: number): string {
  // A UTF-16 unit is at most 3 bytes of UTF-8: short lines need no counting, and counting
  // allocates nothing; only a line that is cut is encoded.
  if (line.length * 3 <= maxBytes || Buffer.byteLength(line) <= maxBytes) return line
  const b = Buffer.from(line)
  let end = maxBytes
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--
  return b.subarray(0, end).toString()
}
