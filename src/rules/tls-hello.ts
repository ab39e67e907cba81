/**
 * Just enough of a TLS ClientHello to route on it from `tcp-request content`
 * (`req.ssl_hello_type`, `req.ssl_sni`): the record header, the handshake type, and the
 * server_name extension. Reads the bytes received so far and says when it needs more.
 */
import { latin1 } from '../http/head.ts'

/** The handshake type of the first record (1 = ClientHello); -1: need more bytes; -2: not a
 *  TLS handshake. */
export function sslHelloType(p: Uint8Array): number {
  if (p.length < 1) return -1
  if (p[0] !== 0x16) return -2
  if (p.length < 6) return -1
  if (p[1] !== 3) return -2
  return p[5]!
}

/** The SNI host name of a ClientHello; null: need more bytes; false: not a ClientHello, or none. */
export function parseSni(p: Uint8Array): string | null | false {
  const type = sslHelloType(p)
  if (type === -1) return null
  if (type !== 1) return false
  const recLen = (p[3]! << 8) | p[4]!
  if (p.length < 5 + recLen) return null
  const end = 5 + recLen
  let i = 9 // record header (5) + handshake type (1) + length (3)
  i += 2 + 32 // client version, random
  if (i >= end) return false
  i += 1 + p[i]! // session id
  if (i + 2 > end) return false
  i += 2 + ((p[i]! << 8) | p[i + 1]!) // cipher suites
  if (i >= end) return false
  i += 1 + p[i]! // compression methods
  if (i + 2 > end) return false
  const extEnd = Math.min(end, i + 2 + ((p[i]! << 8) | p[i + 1]!))
  i += 2
  while (i + 4 <= extEnd) {
    const extType = (p[i]! << 8) | p[i + 1]!
    const extLen = (p[i + 2]! << 8) | p[i + 3]!
    i += 4
    if (extType === 0 && i + 5 <= extEnd) {
      // server_name_list length (2), name_type (1), host_name length (2), host_name
      const nameLen = (p[i + 3]! << 8) | p[i + 4]!
      if (p[i + 2] !== 0 || i + 5 + nameLen > extEnd) return false
      return latin1(p, i + 5, i + 5 + nameLen)
    }
    i += extLen
  }
  return false
}
