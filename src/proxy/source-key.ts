/**
 * `balance source` hashes the client address as raw bytes, as HAProxy does: 4 bytes for IPv4
 * (IPv4-mapped IPv6 addresses included, so a dual-stack listener places a v4 client where a v4
 * listener would), 16 for IPv6.
 */
import { mappedIpv4, parseIpv4, parseIpv6 } from '../rules/ip.ts'

/** The address bytes of `ip` (dotted IPv4 or textual IPv6), or undefined when it is neither
 *  (a UNIX socket client: the balancer then spreads without a key). */
export function addressBytes(ip: string): Uint8Array | undefined {
  // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d: read those without the v6 parser.
  let v4 = parseIpv4(ip.startsWith('::ffff:') ? ip.slice(7) : ip)
  if (v4 < 0) {
    const w = parseIpv6(ip)
    if (w === undefined) return undefined
    v4 = mappedIpv4(w)
    if (v4 < 0) {
      const out = new Uint8Array(16)
      const view = new DataView(out.buffer)
      for (let i = 0; i < 4; i++) view.setUint32(4 * i, w[i]!)
      return out
    }
  }
  return new Uint8Array([v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255])
}
