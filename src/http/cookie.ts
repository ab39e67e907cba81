/**
 * Reading and editing cookies in header values, without a general cookie parser:
 * `Cookie: a=1; SERVERID=A; b=2` (request, RFC 6265 §5.4: pairs separated by `;` and spaces) and
 * `Set-Cookie: NAME=VALUE; path=/; HttpOnly` (response: one cookie, then attributes).
 */

/** Where one `name=value` pair sits in a Cookie header value. */
export interface CookiePair {
  /** Offset of the name. */
  start: number
  /** Offset just past the value. */
  end: number
  valueStart: number
  value: string
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09

/** The first pair named `name` (case-sensitive, as cookie names are) in a Cookie header value. */
export function findCookie(header: string, name: string): CookiePair | null {
  let i = 0
  const n = header.length
  while (i < n) {
    while (i < n && (isSpace(header.charCodeAt(i)) || header.charCodeAt(i) === 0x3b)) i++
    const start = i
    while (i < n && header.charCodeAt(i) !== 0x3d && header.charCodeAt(i) !== 0x3b) i++
    let nameEnd = i
    while (nameEnd > start && isSpace(header.charCodeAt(nameEnd - 1))) nameEnd--
    if (i >= n || header.charCodeAt(i) === 0x3b) continue // a pair without '=': skip it
    i++ // '='
    while (i < n && isSpace(header.charCodeAt(i))) i++
    const valueStart = i
    while (i < n && header.charCodeAt(i) !== 0x3b) i++
    let end = i
    while (end > valueStart && isSpace(header.charCodeAt(end - 1))) end--
    if (nameEnd - start === name.length && header.startsWith(name, start)) {
      return { start, end, valueStart, value: header.slice(valueStart, end) }
    }
  }
  return null
}

/** The header value without `pair` (and the separator that joined it to its neighbours).
 *  An empty result means the header held nothing else and should be removed. */
export function removeCookie(header: string, pair: CookiePair): string {
  const before = header.slice(0, pair.start).replace(/[;\s]*$/, '')
  const after = header.slice(pair.end).replace(/^[;\s]*/, '')
  if (before === '') return after
  if (after === '') return before
  return `${before}; ${after}`
}

/** The header value with the value of `pair` replaced. */
export function replaceCookieValue(header: string, pair: CookiePair, value: string): string {
  return header.slice(0, pair.valueStart) + value + header.slice(pair.end)
}

/** The cookie a Set-Cookie value sets: its name and where its value lies. */
export function setCookieName(value: string): { name: string; valueStart: number; valueEnd: number } | null {
  const eq = value.indexOf('=')
  if (eq <= 0) return null
  const semi = value.indexOf(';', eq)
  const valueEnd = semi < 0 ? value.length : semi
  return { name: value.slice(0, eq).trim(), valueStart: eq + 1, valueEnd }
}
