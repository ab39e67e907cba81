/**
 * The PROXY protocol, both versions (HAProxy's doc/proxy-protocol.txt): reading the header a
 * connection begins with (`accept-proxy`, `expect-proxy`), and building the one a connection to a
 * server begins with (`send-proxy`, `send-proxy-v2`, health checks). Pure functions over bytes.
 *
 *   v1: "PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n"   (TCP6, UNKNOWN; at most 107 bytes)
 *   v2: 12-byte signature, version|command, family|transport, length (big endian), addresses,
 *       then TLVs (type, length, value) up to the length
 *
 * Reading follows HAProxy 2.6 (conn_recv_proxy), with one difference: HAProxy peeks at the first
 * read only, and a header split over two reads fails there; here bytes are gathered until the
 * header is complete, bounded by 107 bytes (v1) and the buffer size (v2).
 */
import { formatIpv4, formatIpv6, mappedIpv4, parseIpv4, parseIpv6 } from '../core/ip.ts'

/** The registered TLV types (PP2_TYPE_*, PP2_SUBTYPE_SSL_*). */
export const PP2_TYPE = {
  ALPN: 0x01,
  AUTHORITY: 0x02,
  CRC32C: 0x03,
  NOOP: 0x04,
  UNIQUE_ID: 0x05,
  SSL: 0x20,
  SSL_VERSION: 0x21,
  SSL_CN: 0x22,
  SSL_CIPHER: 0x23,
  SSL_SIG_ALG: 0x24,
  SSL_KEY_ALG: 0x25,
  NETNS: 0x30,
} as const

/** PP2_CLIENT_* bits of the SSL TLV's first byte. */
export const PP2_CLIENT_SSL = 0x01
export const PP2_CLIENT_CERT_CONN = 0x02
export const PP2_CLIENT_CERT_SESS = 0x04

const V2_SIG = Uint8Array.of(0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a)
const V1_SIG = Uint8Array.of(0x50, 0x52, 0x4f, 0x58, 0x59, 0x20) // "PROXY "
/** The longest v1 line, CRLF included (the specification's worst case). */
export const PP1_MAX_LEN = 107
const PP2_HEADER_LEN = 16
/** HAProxy's limits on two TLVs it keeps (PP2_AUTHORITY_MAX, UNIQUEID_LEN). */
const AUTHORITY_MAX = 255
const UNIQUE_ID_MAX = 128

export interface PpTlv {
  readonly type: number
  readonly value: Uint8Array
}

/** The addresses of the connection a header relays, as text (`192.0.2.1`, `2001:db8::1`). */
export interface PpAddrs {
  readonly src: string
  readonly srcPort: number
  readonly dst: string
  readonly dstPort: number
}

/** A PROXY protocol header as received. */
export interface ProxyHeader {
  readonly version: 1 | 2
  /** `local`: a v2 LOCAL command (a health check of the sender's own). */
  readonly command: 'proxy' | 'local'
  /** The relayed addresses; null when the header carries none edgelb uses (LOCAL, v1 UNKNOWN,
   *  v2 UNSPEC, UNIX or UDP families): the connection's own addresses stand. */
  readonly addrs: PpAddrs | null
  /** v2 TLVs in header order (v1: none), the CRC32C one included once verified. */
  readonly tlvs: readonly PpTlv[]
}

/** Why a header was refused or never came (HAProxy's CO_ER_PRX_* connection error codes). */
export type PpError = 'empty' | 'abort' | 'timeout' | 'truncated' | 'not-header' | 'bad-header' | 'bad-proto'

/** HAProxy's text for each (conn_err_code_str), which ends the log line of a refused connection. */
export const PP_ERROR_TEXT: Readonly<Record<PpError, string>> = {
  empty: 'Connection closed while waiting for PROXY protocol header',
  abort: 'Connection error while waiting for PROXY protocol header',
  timeout: 'Timeout while waiting for PROXY protocol header',
  truncated: 'Truncated PROXY protocol header received',
  'not-header': 'Received something which does not look like a PROXY protocol header',
  'bad-header': 'Received an invalid PROXY protocol header',
  'bad-proto': 'Received an unhandled protocol in the PROXY protocol header',
}

export type PpParse =
  | { readonly kind: 'need-more' }
  | { readonly kind: 'error'; readonly error: PpError }
  | { readonly kind: 'done'; readonly consumed: number; readonly header: ProxyHeader }

const NEED_MORE: PpParse = Object.freeze({ kind: 'need-more' })
const fail = (error: PpError): PpParse => ({ kind: 'error', error })

/**
 * Reads the header at the start of `buf` (the bytes received so far). `need-more` has no side
 * effects: call again with more bytes. `maxLen` bounds a v2 header (HAProxy reads it into one
 * buffer of `tune.bufsize`; a longer one can never arrive whole: `truncated`). Bytes that cannot
 * begin a header fail at once, whatever their number.
 */
export function parseProxyHeader(buf: Uint8Array, maxLen: number): PpParse {
  const n = buf.length
  if (n === 0) return NEED_MORE
  if (buf[0] === 0x50) {
    for (let i = 1; i < V1_SIG.length; i++) {
      if (i >= n) return NEED_MORE
      if (buf[i] !== V1_SIG[i]) return fail('not-header')
    }
    return parseV1(buf)
  }
  for (let i = 0; i < V2_SIG.length; i++) {
    if (i >= n) return NEED_MORE
    if (buf[i] !== V2_SIG[i]) return fail('not-header')
  }
  if (n <= 12) return NEED_MORE
  if ((buf[12]! & 0xf0) !== 0x20) return fail('not-header')
  if ((buf[12]! & 0x0f) > 1) return fail('bad-header')
  if (n < PP2_HEADER_LEN) return NEED_MORE
  const total = PP2_HEADER_LEN + ((buf[14]! << 8) | buf[15]!)
  if (total > maxLen) return fail('truncated')
  if (n < total) return NEED_MORE
  return parseV2(buf.subarray(0, total))
}

// --- version 1 ---------------------------------------------------------------------------------

const PORT = /^\d{1,5}$/

function parseV1(buf: Uint8Array): PpParse {
  const lim = Math.min(buf.length, PP1_MAX_LEN)
  let lf = -1
  for (let i = V1_SIG.length; i < lim; i++) {
    if (buf[i] === 0x0a) { lf = i; break }
  }
  if (lf < 0) return buf.length >= PP1_MAX_LEN ? fail('bad-header') : NEED_MORE
  if (buf[lf - 1] !== 0x0d) return fail('bad-header')
  const line = Buffer.from(buf.buffer, buf.byteOffset + V1_SIG.length, lf - 1 - V1_SIG.length).toString('latin1')
  const consumed = lf + 1
  const sp = line.indexOf(' ')
  const proto = sp < 0 ? line : line.slice(0, sp)
  // UNKNOWN: whatever follows before the CRLF is ignored (the specification; HAProxy 2.6 takes
  // the short form "PROXY UNKNOWN\r\n" only, which is what every sender it knows writes).
  if (proto === 'UNKNOWN') return { kind: 'done', consumed, header: { version: 1, command: 'proxy', addrs: null, tlvs: [] } }
  if (proto !== 'TCP4' && proto !== 'TCP6') return fail('bad-proto')
  const f = line.split(' ')
  if (f.length !== 5 || !PORT.test(f[3]!) || !PORT.test(f[4]!)) return fail('bad-header')
  const srcPort = Number(f[3])
  const dstPort = Number(f[4])
  if (srcPort > 65535 || dstPort > 65535) return fail('bad-header')
  let src: string | undefined
  let dst: string | undefined
  if (proto === 'TCP4') {
    const s = parseIpv4(f[1]!)
    const d = parseIpv4(f[2]!)
    if (s >= 0 && d >= 0) { src = formatIpv4(s); dst = formatIpv4(d) }
  } else {
    src = strictIpv6(f[1]!)
    dst = strictIpv6(f[2]!)
  }
  if (src === undefined || dst === undefined) return fail('bad-header')
  return { kind: 'done', consumed, header: { version: 1, command: 'proxy', addrs: { src, srcPort, dst, dstPort }, tlvs: [] } }
}

/** An IPv6 address as inet_pton reads it (no brackets, no zone) → its text as inet_ntop writes it. */
function strictIpv6(s: string): string | undefined {
  if (s.includes('[') || s.includes('%')) return undefined
  const w = parseIpv6(s)
  return w === undefined ? undefined : ntop6(w)
}

// --- version 2 ---------------------------------------------------------------------------------

/** Bytes of the address block before the TLVs, by family|transport byte; undefined: unknown. */
function addrBlockLen(fam: number): number | undefined {
  switch (fam) {
    case 0x00: return 0
    case 0x11: case 0x12: return 12
    case 0x21: case 0x22: return 36
    case 0x31: case 0x32: return 216
    default: return undefined
  }
}

/** `h` is the whole header (16 + its length). */
function parseV2(h: Uint8Array): PpParse {
  const local = (h[12]! & 0x0f) === 0
  const fam = h[13]!
  const total = h.length
  const len = total - PP2_HEADER_LEN
  let addrs: PpAddrs | null = null
  let block = addrBlockLen(fam)
  if (local) {
    // LOCAL: the family is ignored, and so are addresses; TLVs follow a block of known length.
    if (block !== undefined && block > len) block = undefined
  } else {
    if (block === undefined || block > len) return fail('bad-header')
    if (fam === 0x11) {
      addrs = {
        src: formatIpv4(readU32(h, 16)), dst: formatIpv4(readU32(h, 20)),
        srcPort: (h[24]! << 8) | h[25]!, dstPort: (h[26]! << 8) | h[27]!,
      }
    } else if (fam === 0x21) {
      addrs = {
        src: ntop6(words(h, 16)), dst: ntop6(words(h, 32)),
        srcPort: (h[48]! << 8) | h[49]!, dstPort: (h[50]! << 8) | h[51]!,
      }
    }
  }
  const tlvs: PpTlv[] = []
  let off = block === undefined ? total : PP2_HEADER_LEN + block
  while (off < total) {
    if (off + 3 > total) return fail('bad-header')
    const type = h[off]!
    const l = (h[off + 1]! << 8) | h[off + 2]!
    const v = off + 3
    if (v + l > total) return fail('bad-header')
    if (type === PP2_TYPE.CRC32C) {
      if (l !== 4) return fail('bad-header')
      const sent = readU32(h, v)
      const copy = h.slice()
      copy.fill(0, v, v + 4)
      if (crc32c(copy) !== sent) return fail('bad-header')
    } else if ((type === PP2_TYPE.AUTHORITY && l > AUTHORITY_MAX) || (type === PP2_TYPE.UNIQUE_ID && l > UNIQUE_ID_MAX)) {
      return fail('bad-header')
    }
    tlvs.push({ type, value: h.slice(v, v + l) })
    off = v + l
  }
  return { kind: 'done', consumed: total, header: { version: 2, command: local ? 'local' : 'proxy', addrs, tlvs } }
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0
}

function words(b: Uint8Array, at: number): Uint32Array {
  return Uint32Array.of(readU32(b, at), readU32(b, at + 4), readU32(b, at + 8), readU32(b, at + 12))
}

/** IPv6 text as inet_ntop writes it: an IPv4-mapped address as `::ffff:a.b.c.d`, one with only
 *  its last 32 bits set (and not `::1`-like) as `::a.b.c.d`. */
function ntop6(w: Uint32Array): string {
  const v4 = mappedIpv4(w)
  if (v4 >= 0) return `::ffff:${formatIpv4(v4)}`
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3]! >>> 16 !== 0) return `::${formatIpv4(w[3]!)}`
  return formatIpv6(w)
}

/** The TLV's value as text, bytes kept as they are (latin1), for the string fetches. */
export function tlvText(v: Uint8Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.length).toString('latin1')
}

/** The first TLV of `type` in `h`, if any. */
export function findTlv(h: ProxyHeader, type: number): PpTlv | undefined {
  for (const t of h.tlvs) if (t.type === type) return t
  return undefined
}

// --- building ----------------------------------------------------------------------------------

type Family = { v: 4; n: number } | { v: 6; w: Uint32Array }

function familyOf(addr: string): Family | undefined {
  const n = parseIpv4(addr)
  if (n >= 0) return { v: 4, n }
  if (addr.includes('/') || addr.includes('%')) return undefined
  const w = parseIpv6(addr)
  return w === undefined ? undefined : { v: 6, w }
}

function asV6(f: Family): Uint32Array {
  return f.v === 6 ? f.w : Uint32Array.of(0, 0, 0xffff, f.n)
}

const UNKNOWN_V1 = Buffer.from('PROXY UNKNOWN\r\n', 'latin1')

/**
 * The v1 line for a connection (HAProxy's make_proxy_line_v1): TCP4 when both addresses are
 * IPv4, TCP6 when either is IPv6 (an IPv4 one mapped), UNKNOWN when either is not an IP address
 * (a UNIX socket) or `a` is null.
 */
export function buildProxyV1(a: PpAddrs | null): Uint8Array {
  const s = a === null ? undefined : familyOf(a.src)
  const d = a === null ? undefined : familyOf(a.dst)
  if (a === null || s === undefined || d === undefined) return UNKNOWN_V1
  const line = s.v === 4 && d.v === 4
    ? `PROXY TCP4 ${formatIpv4(s.n)} ${formatIpv4(d.n)} ${a.srcPort} ${a.dstPort}\r\n`
    : `PROXY TCP6 ${ntop6(asV6(s))} ${ntop6(asV6(d))} ${a.srcPort} ${a.dstPort}\r\n`
  return Buffer.from(line, 'latin1')
}

/** What the PP2_TYPE_SSL TLV says of a client connection (send-proxy-v2-ssl, -ssl-cn,
 *  proxy-v2-options ssl, cert-cn, ssl-cipher, cert-sig, cert-key). */
export interface PpSsl {
  /** PP2_CLIENT_* bits; 0 for a connection that is not TLS (then nothing else is sent). */
  client: number
  /** The client certificate's verification result (0: verified, or none was presented). */
  verify: number
  /** Sub-TLVs in HAProxy's order: SSL_VERSION, SSL_CN, SSL_KEY_ALG, SSL_SIG_ALG, SSL_CIPHER. */
  sub: readonly PpTlv[]
}

export interface PpV2Options {
  /** The relayed connection's addresses; null (or not both IP addresses): a LOCAL header. */
  addrs: PpAddrs | null
  /** Adds PP2_TYPE_CRC32C, computed over the whole header. */
  crc32c?: boolean
  /** TLVs in the order HAProxy writes them after the CRC (ALPN, AUTHORITY, UNIQUE_ID). */
  tlvs?: readonly PpTlv[]
  ssl?: PpSsl
}

/** The v2 header (HAProxy's make_proxy_line_v2): PROXY over TCP4 or TCP6 (an IPv4 address mapped
 *  when the other is IPv6), else LOCAL with family UNSPEC; then CRC32C, the TLVs, SSL. */
export function buildProxyV2(o: PpV2Options): Uint8Array {
  const a = o.addrs
  const s = a === null ? undefined : familyOf(a.src)
  const d = a === null ? undefined : familyOf(a.dst)
  const proxied = a !== null && s !== undefined && d !== undefined
  const addrLen = !proxied ? 0 : s.v === 4 && d.v === 4 ? 12 : 36
  let len = PP2_HEADER_LEN + addrLen
  if (o.crc32c) len += 7
  for (const t of o.tlvs ?? []) len += 3 + t.value.length
  if (o.ssl) {
    len += 3 + 5
    for (const t of o.ssl.sub) len += 3 + t.value.length
  }
  const h = new Uint8Array(len)
  h.set(V2_SIG, 0)
  h[12] = proxied ? 0x21 : 0x20
  writeU16(h, 14, len - PP2_HEADER_LEN)
  let off = PP2_HEADER_LEN
  if (proxied) {
    if (addrLen === 12) {
      h[13] = 0x11
      writeU32(h, 16, (s as { n: number }).n)
      writeU32(h, 20, (d as { n: number }).n)
      writeU16(h, 24, a.srcPort)
      writeU16(h, 26, a.dstPort)
    } else {
      h[13] = 0x21
      const sw = asV6(s)
      const dw = asV6(d)
      for (let i = 0; i < 4; i++) { writeU32(h, 16 + 4 * i, sw[i]!); writeU32(h, 32 + 4 * i, dw[i]!) }
      writeU16(h, 48, a.srcPort)
      writeU16(h, 50, a.dstPort)
    }
    off += addrLen
  }
  let crcAt = -1
  if (o.crc32c) {
    h[off] = PP2_TYPE.CRC32C
    writeU16(h, off + 1, 4)
    crcAt = off + 3
    off += 7
  }
  for (const t of o.tlvs ?? []) off = writeTlv(h, off, t)
  if (o.ssl) {
    let subLen = 0
    for (const t of o.ssl.sub) subLen += 3 + t.value.length
    h[off] = PP2_TYPE.SSL
    writeU16(h, off + 1, 5 + subLen)
    h[off + 3] = o.ssl.client
    writeU32(h, off + 4, o.ssl.verify)
    off += 8
    for (const t of o.ssl.sub) off = writeTlv(h, off, t)
  }
  if (crcAt >= 0) writeU32(h, crcAt, crc32c(h))
  return h
}

function writeTlv(h: Uint8Array, off: number, t: PpTlv): number {
  h[off] = t.type
  writeU16(h, off + 1, t.value.length)
  h.set(t.value, off + 3)
  return off + 3 + t.value.length
}

function writeU16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff
  b[at + 1] = v & 0xff
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24
  b[at + 1] = (v >>> 16) & 0xff
  b[at + 2] = (v >>> 8) & 0xff
  b[at + 3] = v & 0xff
}

// --- CRC32C (Castagnoli, RFC 4960 appendix B) --------------------------------------------------

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let i = 0; i < 256; i++) {
    let c = i
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
    t[i] = c >>> 0
  }
  return t
})()

export function crc32c(b: Uint8Array): number {
  let c = 0xffffffff
  for (let i = 0; i < b.length; i++) c = CRC32C_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
