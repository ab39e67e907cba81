/**
 * `balance source` hashes the client address as raw bytes, as HAProxy does: 4 bytes for IPv4
 * (IPv4-mapped IPv6 addresses included, so a dual-stack listener places a v4 client where a v4
 * listener would), 16 for IPv6.
 */
import { ipv4ToInt } from '../config/address.ts'

/** The address bytes of `ip` (dotted IPv4 or textual IPv6), or undefined when it is neither
 *  (a UNIX socket client: the balancer then spreads without a key). */
export function addressBytes(ip: string): Uint8Array | undefined {
  const v4 = ipv4ToInt(ip.startsWith('::ffff:') ? ip.slice(7) : ip)
  if (v4 !== undefined) return new Uint8Array([v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255])
  if (!ip.includes(':')) return undefined
  const zone = ip.indexOf('%')
  const text = zone >= 0 ? ip.slice(0, zone) : ip
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const words = (part: string): number[] | undefined => {
    if (part === '') return []
    const out: number[] = []
    const groups = part.split(':')
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!
      if (i === groups.length - 1 && g.includes('.')) {
        const n = ipv4ToInt(g)
        if (n === undefined) return undefined
        out.push(n >>> 16, n & 0xffff)
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(parseInt(g, 16))
      else return undefined
    }
    return out
  }
  const head = words(halves[0]!)
  const tail = halves.length === 2 ? words(halves[1]!) : []
  if (!head || !tail) return undefined
  const fill = 8 - head.length - tail.length
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail]
  const out = new Uint8Array(16)
  all.forEach((w, i) => { out[2 * i] = w >>> 8; out[2 * i + 1] = w & 255 })
  return out
}
