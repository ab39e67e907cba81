/**
 * The cookie of an RDP connection request, for `balance rdp-cookie` and the `req.rdp_cookie`
 * fetches: after the TPKT header (4 bytes) and the X.224 Connection Request header (7 bytes), a
 * client may send one line `Cookie: NAME=VALUE\r\n` (MS-RDPBCGR 2.2.1.1), NAME being `mstshash`
 * (the user name) or `msts` (a routing token). Read where HAProxy reads it; the name is matched
 * without case. Reads the bytes received so far and says when it needs more.
 */
import { latin1 } from '../http/head.ts'

/** Where the cookie line starts: after the TPKT and X.224 headers. */
const COOKIE_AT = 11
const COOKIE = 'cookie:'

/** The value of the cookie `name` ('' = whichever name comes); null: the bytes so far could
 *  still become one, need more; false: there is none. */
export function rdpCookieValue(p: Uint8Array, name: string): string | null | false {
  let i = COOKIE_AT
  for (let k = 0; k < COOKIE.length; k++, i++) {
    if (i >= p.length) return null
    if ((p[i]! | 0x20) !== COOKIE.charCodeAt(k)) return false
  }
  while (i < p.length && p[i] === 0x20) i++
  if (name !== '') {
    for (let k = 0; k < name.length; k++, i++) {
      if (i >= p.length) return null
      if (lower(p[i]!) !== lower(name.charCodeAt(k))) return false
    }
    if (i >= p.length) return null
    if (p[i] !== 0x3d) return false // '='
  } else {
    for (; i < p.length && p[i] !== 0x3d; i++) if (p[i] === 0x0d || p[i] === 0x0a) return false
    if (i >= p.length) return null
  }
  const start = ++i
  while (i < p.length && p[i] !== 0x0d) i++
  if (i + 1 >= p.length) return null
  if (p[i + 1] !== 0x0a) return false
  return latin1(p, start, i)
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c
}
