/** Small text helpers the protocol checks share. */

/** The bytes up to the first CR or LF, as text (HAProxy's `cut_crlf`). */
export function firstLine(buf: Buffer, from = 0): string {
  let end = from
  while (end < buf.length && buf[end] !== 13 && buf[end] !== 10) end++
  return buf.toString('latin1', from, end)
}

/** A NUL-terminated string at `from` (C strings in binary protocols). */
export function cString(buf: Buffer, from: number): string {
  const end = buf.indexOf(0, from)
  return buf.toString('latin1', from, end < 0 ? buf.length : end)
}
