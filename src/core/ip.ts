/**
 * IP addresses and networks as numbers, for matching and masking without strings on the hot
 * path: the one module every layer reads addresses with (ACL patterns and converters, stick
 * tables, `monitor-net`, `option forwardfor except`, `balance source`).
 * IPv4 is one uint32; IPv6 is four uint32 words, most significant first. Networks are parsed
 * once, at load (`parseNet`); at run time only the client's address is read (`inNet`).
 */

/** 4 or 6 for an IPv4 or IPv6 address literal (an IPv6 one may carry a `%zone`), else 0: what
 *  node:net's isIP answers, without loading node:net. */
export function ipFamily(s: string): 0 | 4 | 6 {
  if (parseIpv4(s) >= 0) return /(?:^|\.)0\d/.test(s) ? 0 : 4
  const zone = s.indexOf('%')
  return parseIpv6(zone < 0 ? s : s.slice(0, zone)) !== undefined ? 6 : 0
}

/** `a.b.c.d` → uint32, or -1. */
export function parseIpv4(s: string): number {
  return ipv4At(s, 0, s.length)
}

/** `a.b.c.d` in `s[a, b)` → uint32, or -1. */
function ipv4At(s: string, a: number, b: number): number {
  let n = 0
  let part = 0
  let digits = 0
  let dots = 0
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1
      n = n * 256 + part
      part = 0
      digits = 0
      dots++
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48)
      if (++digits > 3 || part > 255) return -1
    } else return -1
  }
  if (dots !== 3 || digits === 0) return -1
  return n * 256 + part
}

export function formatIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
}

/** The value of a hex digit, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  c |= 0x20
  return c >= 97 && c <= 102 ? c - 87 : -1
}

/** The 16-bit groups of the address being parsed (parsing is synchronous). */
const groups = new Uint16Array(8)

/**
 * An IPv6 address → four words, or undefined: 8 groups of 1 to 4 hex digits, or fewer with one
 * `::` standing for at least one zero group; the last two groups may be written as an IPv4
 * address; `[…]` around it and a `%zone` after it are ignored. One pass over the characters:
 * rules and `balance source` parse the client address of every IPv6 request.
 */
export function parseIpv6(s: string): Uint32Array | undefined {
  let i = 0
  let end = s.length
  if (end >= 2 && s.charCodeAt(0) === 0x5b && s.charCodeAt(end - 1) === 0x5d) { i = 1; end-- } // [ ]
  const pct = s.indexOf('%', i)
  if (pct >= 0 && pct < end) end = pct
  let n = 0 // groups read
  let gap = -1 // where `::` stands, in groups
  if (i + 1 < end && s.charCodeAt(i) === 0x3a && s.charCodeAt(i + 1) === 0x3a) {
    gap = 0
    i += 2
  }
  while (i < end) {
    const start = i
    let v = 0
    let d: number
    while (i < end && i - start < 5 && (d = hexValue(s.charCodeAt(i))) >= 0) {
      v = v * 16 + d
      i++
    }
    if (i < end && s.charCodeAt(i) === 0x2e) { // '.': the rest is an IPv4 address
      const v4 = ipv4At(s, start, end)
      if (v4 < 0 || n > 6) return undefined
      groups[n++] = v4 >>> 16
      groups[n++] = v4 & 0xffff
      i = end
      break
    }
    if (i === start || i - start > 4 || n === 8) return undefined
    groups[n++] = v
    if (i === end) break
    if (s.charCodeAt(i) !== 0x3a) return undefined
    i++
    if (i < end && s.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return undefined
      gap = n
      i++
    } else if (i === end) return undefined // a trailing single ':'
  }
  if (gap < 0 ? n !== 8 : n > 7) return undefined
  if (gap >= 0) {
    const tail = n - gap
    groups.copyWithin(8 - tail, gap, n)
    groups.fill(0, gap, 8 - tail)
  }
  const w = new Uint32Array(4)
  for (let k = 0; k < 4; k++) w[k] = (groups[2 * k]! * 65536 + groups[2 * k + 1]!) >>> 0
  return w
}

export function formatIpv6(w: Uint32Array): string {
  // IPv4-mapped: `::ffff:a.b.c.d`, as inet_ntop writes it.
  if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) return `::ffff:${formatIpv4(w[3]!)}`
  const g: number[] = []
  for (let i = 0; i < 4; i++) g.push(w[i]! >>> 16, w[i]! & 0xffff)
  // Longest run of zero groups (2 or more) becomes '::'.
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && g[j] === 0) j++
    if (j - i > bestLen) { best = i; bestLen = j - i }
    i = j
  }
  const hex = g.map((x) => x.toString(16))
  if (best < 0) return hex.join(':')
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`
}

/** An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as its IPv4 number, else -1. */
export function mappedIpv4(w: Uint32Array): number {
  return w[0] === 0 && w[1] === 0 && w[2] === 0xffff ? w[3]! : -1
}

/** The mask of a prefix length, as a uint32 (len 0..32). */
export function maskOf(len: number): number {
  return len <= 0 ? 0 : len >= 32 ? 0xffffffff : (0xffffffff << (32 - len)) >>> 0
}

export type IpNet =
  | { v: 4; addr: number; len: number }
  | { v: 6; addr: Uint32Array; len: number }

/** `10.0.0.0/8`, `10.0.0.1`, `10.0.0.0/255.0.0.0`, `2001:db8::/32`, `::1` → a network with its
 *  address already masked; undefined when it is none of these. */
export function parseNet(s: string): IpNet | undefined {
  const slash = s.indexOf('/')
  const addrText = slash >= 0 ? s.slice(0, slash) : s
  const lenText = slash >= 0 ? s.slice(slash + 1) : undefined
  const v4 = parseIpv4(addrText)
  if (v4 >= 0) {
    let len = 32
    if (lenText !== undefined) {
      if (/^\d{1,2}$/.test(lenText)) len = Number(lenText)
      else {
        const m = parseIpv4(lenText)
        if (m < 0) return undefined
        len = popcount(m)
        if (maskOf(len) !== m) return undefined // contiguous masks only
      }
      if (len > 32) return undefined
    }
    return { v: 4, addr: (v4 & maskOf(len)) >>> 0, len }
  }
  const v6 = parseIpv6(addrText)
  if (!v6) return undefined
  let len = 128
  if (lenText !== undefined) {
    if (!/^\d{1,3}$/.test(lenText)) return undefined
    len = Number(lenText)
    if (len > 128) return undefined
  }
  return { v: 6, addr: maskV6(v6, len), len }
}

function popcount(n: number): number {
  let c = 0
  for (let x = n >>> 0; x !== 0; x = (x & (x - 1)) >>> 0) c++
  return c
}

export function maskV6(w: Uint32Array, len: number): Uint32Array {
  const out = new Uint32Array(4)
  for (let i = 0; i < 4; i++) out[i] = (w[i]! & maskOf(len - 32 * i)) >>> 0
  return out
}

/** Whether the address `ip` (dotted IPv4, or IPv6 text) is in `net`. An IPv4-mapped IPv6 address
 *  (`::ffff:a.b.c.d`, how a dual-stack listener reports an IPv4 client) is its IPv4 address, and
 *  an IPv4 address is its mapped form for an IPv6 network, as ACL patterns match them. Anything
 *  else (a UNIX socket client: '') is in no network. */
export function inNet(net: IpNet, ip: string): boolean {
  let a = parseIpv4(ip)
  let w: Uint32Array | undefined
  if (a < 0) {
    w = parseIpv6(ip)
    if (w === undefined) return false
    a = mappedIpv4(w)
  }
  if (net.v === 4) return a >= 0 && ((a & maskOf(net.len)) >>> 0) === net.addr
  const words = w ?? Uint32Array.of(0, 0, 0xffff, a)
  for (let i = 0; i < 4; i++) if (((words[i]! & maskOf(net.len - 32 * i)) >>> 0) !== net.addr[i]) return false
  return true
}

/** The address bytes of `ip` (dotted IPv4 or textual IPv6), as HAProxy hashes a client for
 *  `balance source`: 4 bytes for IPv4, IPv4-mapped IPv6 addresses included (so a dual-stack
 *  listener places an IPv4 client where an IPv4 listener would), 16 for IPv6. Undefined when it
 *  is neither (a UNIX socket client). */
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
