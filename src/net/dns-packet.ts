/**
 * DNS messages (RFC 1035) as a resolver needs them: a query for one name and type, with an EDNS0
 * OPT record when more than 512 bytes of answer are accepted (RFC 6891); an answer's A, AAAA and
 * SRV records, names decompressed. Pure functions: a packet that does not parse (cut short, a
 * loop of name pointers) is `null`, never an exception.
 */

export const DNS_A = 1
export const DNS_AAAA = 28
export const DNS_SRV = 33
const DNS_OPT = 41

/** Response codes a resolver tells apart. */
export const RCODE_NXDOMAIN = 3
export const RCODE_REFUSED = 5

export type DnsRecord =
  | { type: typeof DNS_A | typeof DNS_AAAA; name: string; ttl: number; address: string }
  | { type: typeof DNS_SRV; name: string; ttl: number; priority: number; weight: number; port: number; target: string }

export interface DnsAnswer {
  id: number
  rcode: number
  /** TC: the answer did not fit (over UDP, with `accepted_payload_size`). */
  truncated: boolean
  /** The question's name, lower case. */
  question: string
  answers: DnsRecord[]
  /** A and AAAA records of the additional section (SRV targets' addresses). */
  additional: DnsRecord[]
}

/** A query for `name` of `type`, recursion desired. */
export function encodeQuery(id: number, name: string, type: number, payloadSize = 512): Uint8Array {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '')
  const qname = labels.reduce((n, l) => n + 1 + Buffer.byteLength(l), 1)
  const edns = payloadSize > 512
  const buf = Buffer.alloc(12 + qname + 4 + (edns ? 11 : 0))
  buf.writeUInt16BE(id, 0)
  buf.writeUInt16BE(0x0100, 2) // RD
  buf.writeUInt16BE(1, 4)
  buf.writeUInt16BE(edns ? 1 : 0, 10)
  let o = 12
  for (const l of labels) {
    const n = buf.write(l, o + 1, 'ascii')
    buf[o] = n
    o += 1 + n
  }
  buf[o++] = 0
  buf.writeUInt16BE(type, o)
  buf.writeUInt16BE(1, o + 2) // IN
  o += 4
  if (edns) {
    buf[o] = 0
    buf.writeUInt16BE(DNS_OPT, o + 1)
    buf.writeUInt16BE(payloadSize, o + 3)
    // extended rcode, version, flags, rdlength: zero
  }
  return buf
}

/** Reads the name at `off`; returns it and where the name ended in the packet, or null. */
function readName(b: Uint8Array, off: number): { name: string; end: number } | null {
  const labels: string[] = []
  let end = -1
  let jumps = 0
  for (;;) {
    if (off >= b.length) return null
    const len = b[off]!
    if (len === 0) { if (end < 0) end = off + 1; break }
    if ((len & 0xc0) === 0xc0) {
      if (off + 1 >= b.length || ++jumps > 32) return null
      if (end < 0) end = off + 2
      off = ((len & 0x3f) << 8) | b[off + 1]!
      continue
    }
    if ((len & 0xc0) !== 0 || off + 1 + len > b.length) return null
    labels.push(Buffer.from(b.buffer, b.byteOffset + off + 1, len).toString('latin1'))
    off += 1 + len
  }
  return { name: labels.join('.').toLowerCase(), end }
}

function u16(b: Uint8Array, o: number): number { return (b[o]! << 8) | b[o + 1]! }
function u32(b: Uint8Array, o: number): number { return ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]! }

function ipv6Text(b: Uint8Array, o: number): string {
  const parts: string[] = []
  for (let i = 0; i < 8; i++) parts.push(u16(b, o + 2 * i).toString(16))
  // The shortest form (RFC 5952): the longest run of zero groups becomes '::'.
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8;) {
    if (parts[i] !== '0') { i++; continue }
    let j = i
    while (j < 8 && parts[j] === '0') j++
    if (j - i > bestLen) { best = i; bestLen = j - i }
    i = j
  }
  if (best < 0) return parts.join(':')
  return `${parts.slice(0, best).join(':')}::${parts.slice(best + bestLen).join(':')}`
}

/** Parses an answer; null when the packet is not a well-formed DNS response. */
export function parseAnswer(b: Uint8Array): DnsAnswer | null {
  if (b.length < 12) return null
  const flags = u16(b, 2)
  if ((flags & 0x8000) === 0) return null // not a response
  const qd = u16(b, 4)
  const an = u16(b, 6)
  const ns = u16(b, 8)
  const ar = u16(b, 10)
  let o = 12
  let question = ''
  for (let i = 0; i < qd; i++) {
    const n = readName(b, o)
    if (n === null || n.end + 4 > b.length) return null
    if (i === 0) question = n.name
    o = n.end + 4
  }
  const answers: DnsRecord[] = []
  const additional: DnsRecord[] = []
  for (let i = 0; i < an + ns + ar; i++) {
    const n = readName(b, o)
    if (n === null || n.end + 10 > b.length) return null
    const type = u16(b, n.end)
    const ttl = u32(b, n.end + 4)
    const rdlen = u16(b, n.end + 8)
    const rd = n.end + 10
    if (rd + rdlen > b.length) return null
    o = rd + rdlen
    let rec: DnsRecord | undefined
    if (type === DNS_A && rdlen === 4) rec = { type, name: n.name, ttl, address: `${b[rd]}.${b[rd + 1]}.${b[rd + 2]}.${b[rd + 3]}` }
    else if (type === DNS_AAAA && rdlen === 16) rec = { type, name: n.name, ttl, address: ipv6Text(b, rd) }
    else if (type === DNS_SRV && rdlen >= 7) {
      const t = readName(b, rd + 6)
      if (t === null) return null
      rec = { type, name: n.name, ttl, priority: u16(b, rd), weight: u16(b, rd + 2), port: u16(b, rd + 4), target: t.name }
    }
    if (rec === undefined) continue
    if (i < an) answers.push(rec)
    else if (i >= an + ns) additional.push(rec)
  }
  return { id: u16(b, 0), rcode: flags & 0x000f, truncated: (flags & 0x0200) !== 0, question, answers, additional }
}
