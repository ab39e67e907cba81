import { describe, expect, test } from 'bun:test'
import { buildProxyV1, buildProxyV2, crc32c, findTlv, parseProxyHeader, PP2_TYPE, tlvText, type PpParse } from './proxy-protocol.ts'

const hex = (s: string): Uint8Array => Uint8Array.from((s.replace(/\s+/g, '').match(/../g) ?? []).map((h) => parseInt(h, 16)))
const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1')
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const SIG = '0d0a0d0a000d0a515549540a'

function done(r: PpParse) {
  if (r.kind !== 'done') throw new Error(`expected a header, got ${JSON.stringify(r)}`)
  return r
}

describe('crc32c', () => {
  test('the check value of the Castagnoli polynomial', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283)
    expect(crc32c(new Uint8Array(0))).toBe(0)
  })
})

describe('building v1', () => {
  test('TCP4, byte for byte', () => {
    const b = buildProxyV1({ src: '192.0.2.1', srcPort: 56324, dst: '198.51.100.11', dstPort: 443 })
    expect(Buffer.from(b).toString('latin1')).toBe('PROXY TCP4 192.0.2.1 198.51.100.11 56324 443\r\n')
  })

  test('TCP6, and an IPv4 address beside an IPv6 one is mapped', () => {
    expect(Buffer.from(buildProxyV1({ src: '2001:DB8:0:0:0:0:0:1', srcPort: 1, dst: '::1', dstPort: 2 })).toString()).toBe('PROXY TCP6 2001:db8::1 ::1 1 2\r\n')
    expect(Buffer.from(buildProxyV1({ src: '10.0.0.1', srcPort: 1, dst: '::1', dstPort: 2 })).toString()).toBe('PROXY TCP6 ::ffff:10.0.0.1 ::1 1 2\r\n')
    expect(Buffer.from(buildProxyV1({ src: '::ffff:127.0.0.1', srcPort: 5, dst: '::ffff:127.0.0.2', dstPort: 6 })).toString()).toBe('PROXY TCP6 ::ffff:127.0.0.1 ::ffff:127.0.0.2 5 6\r\n')
  })

  test('UNKNOWN when an address is no IP address (a UNIX socket) or there is none', () => {
    expect(Buffer.from(buildProxyV1({ src: '', srcPort: 0, dst: '10.0.0.1', dstPort: 80 })).toString()).toBe('PROXY UNKNOWN\r\n')
    expect(Buffer.from(buildProxyV1(null)).toString()).toBe('PROXY UNKNOWN\r\n')
  })
})

describe('building v2', () => {
  test('PROXY over TCP4, byte for byte', () => {
    const b = buildProxyV2({ addrs: { src: '192.0.2.1', srcPort: 56324, dst: '198.51.100.11', dstPort: 443 } })
    expect(toHex(b)).toBe(SIG + '21' + '11' + '000c' + 'c0000201' + 'c633640b' + 'dc04' + '01bb')
  })

  test('PROXY over TCP6, an IPv4 address mapped', () => {
    const b = buildProxyV2({ addrs: { src: '10.0.0.1', srcPort: 1, dst: '2001:db8::2', dstPort: 2 } })
    expect(toHex(b)).toBe(SIG + '21' + '21' + '0024' + '00000000000000000000ffff0a000001' + '20010db8000000000000000000000002' + '0001' + '0002')
  })

  test('LOCAL with family UNSPEC and no address when there are no IP addresses', () => {
    expect(toHex(buildProxyV2({ addrs: null }))).toBe(SIG + '20' + '00' + '0000')
    expect(toHex(buildProxyV2({ addrs: { src: '', srcPort: 0, dst: '', dstPort: 0 } }))).toBe(SIG + '20000000')
  })

  test('TLVs in HAProxy order: CRC32C first (over the whole header), then the others, then SSL', () => {
    const b = buildProxyV2({
      addrs: { src: '127.0.0.1', srcPort: 1000, dst: '127.0.0.2', dstPort: 80 },
      crc32c: true,
      tlvs: [{ type: PP2_TYPE.AUTHORITY, value: ascii('example.com') }, { type: PP2_TYPE.UNIQUE_ID, value: ascii('id-1') }],
      ssl: { client: 0, verify: 0, sub: [] },
    })
    const body = '7f000001' + '7f000002' + '03e8' + '0050'
    const tlvs = '02000b' + toHex(ascii('example.com')) + '050004' + toHex(ascii('id-1')) + '200005' + '00' + '00000000'
    const len = (12 + 7 + 14 + 7 + 8).toString(16).padStart(4, '0')
    const zeroed = hex(SIG + '2111' + len + body + '030004' + '00000000' + tlvs)
    const crc = crc32c(zeroed).toString(16).padStart(8, '0')
    expect(toHex(b)).toBe(SIG + '2111' + len + body + '030004' + crc + tlvs)
    // and it reads back, the checksum verified
    const r = done(parseProxyHeader(b, 16384))
    expect(r.consumed).toBe(b.length)
    expect(tlvText(findTlv(r.header, PP2_TYPE.AUTHORITY)!.value)).toBe('example.com')
  })

  test('an empty TLV value is written (an empty unique id)', () => {
    const b = buildProxyV2({ addrs: null, tlvs: [{ type: PP2_TYPE.UNIQUE_ID, value: new Uint8Array(0) }] })
    expect(toHex(b)).toBe(SIG + '2000' + '0003' + '050000')
  })
})

describe('reading v1', () => {
  test('TCP4: the addresses, and the bytes consumed (what follows is data)', () => {
    const r = done(parseProxyHeader(ascii('PROXY TCP4 192.0.2.1 198.51.100.11 56324 443\r\nGET / HTTP/1.1\r\n'), 16384))
    expect(r.consumed).toBe(46)
    expect(r.header).toEqual({ version: 1, command: 'proxy', addrs: { src: '192.0.2.1', srcPort: 56324, dst: '198.51.100.11', dstPort: 443 }, tlvs: [] })
  })

  test('TCP6, addresses as inet_ntop writes them', () => {
    const r = done(parseProxyHeader(ascii('PROXY TCP6 2001:DB8::1 ::ffff:10.0.0.1 1 65535\r\n'), 16384))
    expect(r.header.addrs).toEqual({ src: '2001:db8::1', srcPort: 1, dst: '::ffff:10.0.0.1', dstPort: 65535 })
  })

  test('UNKNOWN: accepted without addresses, with or without the optional fields', () => {
    expect(done(parseProxyHeader(ascii('PROXY UNKNOWN\r\n'), 16384)).header.addrs).toBeNull()
    const r = done(parseProxyHeader(ascii('PROXY UNKNOWN ffff:f::f ffff:f::f 65535 65535\r\nxy'), 16384))
    expect(r.consumed).toBe(47)
  })

  test('every prefix of a valid line needs more, and the whole line then reads', () => {
    const line = ascii('PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n')
    expect(line.length).toBe(104)
    for (let i = 0; i < line.length; i++) expect(parseProxyHeader(line.subarray(0, i), 16384).kind).toBe('need-more')
    expect(done(parseProxyHeader(line, 16384)).consumed).toBe(104)
  })

  test('refusals, with HAProxy error codes', () => {
    const err = (s: string) => parseProxyHeader(ascii(s), 16384)
    expect(err('GET / HTTP/1.1\r\n')).toEqual({ kind: 'error', error: 'not-header' })
    expect(err('G')).toEqual({ kind: 'error', error: 'not-header' })
    expect(err('PROXZ')).toEqual({ kind: 'error', error: 'not-header' })
    expect(err('PROXY UDP4 1.2.3.4 1.2.3.4 1 2\r\n')).toEqual({ kind: 'error', error: 'bad-proto' })
    expect(err('PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n')).toEqual({ kind: 'error', error: 'bad-header' })
    expect(err('PROXY TCP4 1.2.3.4 1.2.3.4 1 2 garbage\r\n')).toEqual({ kind: 'error', error: 'bad-header' })
    expect(err('PROXY TCP4 1.2.3.4  1.2.3.4 1 2\r\n')).toEqual({ kind: 'error', error: 'bad-header' })
    expect(err('PROXY TCP4 1.2.3.256 1.2.3.4 1 2\r\n')).toEqual({ kind: 'error', error: 'bad-header' })
    expect(err('PROXY TCP4 ::1 1.2.3.4 1 2\r\n')).toEqual({ kind: 'error', error: 'bad-header' })
    expect(err('PROXY TCP4 1.2.3.4 1.2.3.4 1 65536\r\n')).toEqual({ kind: 'error', error: 'bad-header' })
    expect(err('PROXY TCP6 [::1] ::1 1 2\r\n')).toEqual({ kind: 'error', error: 'bad-header' })
    expect(err('PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n')).toEqual({ kind: 'error', error: 'bad-header' })
  })

  test('a line without CRLF in its first 107 bytes is refused (oversized)', () => {
    expect(parseProxyHeader(ascii('PROXY TCP4 ' + '1'.repeat(95)), 16384).kind).toBe('need-more')
    expect(parseProxyHeader(ascii('PROXY TCP4 ' + '1'.repeat(96)), 16384)).toEqual({ kind: 'error', error: 'bad-header' })
  })
})

describe('reading v2', () => {
  const v4 = hex(SIG + '2111000c' + 'c0000201' + 'c633640b' + 'dc04' + '01bb')

  test('PROXY over TCP4', () => {
    const r = done(parseProxyHeader(Buffer.concat([v4, ascii('data')]), 16384))
    expect(r.consumed).toBe(28)
    expect(r.header).toEqual({ version: 2, command: 'proxy', addrs: { src: '192.0.2.1', srcPort: 56324, dst: '198.51.100.11', dstPort: 443 }, tlvs: [] })
  })

  test('PROXY over TCP6', () => {
    const r = done(parseProxyHeader(hex(SIG + '21210024' + '20010db8000000000000000000000001' + '00000000000000000000ffff7f000001' + '0050' + '1f90'), 16384))
    expect(r.header.addrs).toEqual({ src: '2001:db8::1', srcPort: 80, dst: '::ffff:127.0.0.1', dstPort: 8080 })
  })

  test('every prefix needs more', () => {
    for (let i = 0; i < v4.length; i++) expect(parseProxyHeader(v4.subarray(0, i), 16384).kind).toBe('need-more')
  })

  test('LOCAL: no addresses, whatever the family; its TLVs are read', () => {
    const r = done(parseProxyHeader(hex(SIG + '2000' + '0007' + '0500' + '04' + '61626364'), 16384))
    expect(r.header.command).toBe('local')
    expect(r.header.addrs).toBeNull()
    expect(r.header.tlvs).toEqual([{ type: 5, value: ascii('abcd') }])
    expect(done(parseProxyHeader(hex(SIG + '2011000c' + '00'.repeat(12)), 16384)).header.addrs).toBeNull()
  })

  test('families without addresses edgelb uses (UNSPEC, UDP, UNIX) keep the connection\'s own', () => {
    expect(done(parseProxyHeader(hex(SIG + '21000000'), 16384)).header.addrs).toBeNull()
    expect(done(parseProxyHeader(hex(SIG + '2112000c' + '00'.repeat(12)), 16384)).header.addrs).toBeNull()
    expect(done(parseProxyHeader(hex(SIG + '213100d8' + '00'.repeat(216)), 16384)).header.addrs).toBeNull()
  })

  test('TLVs, unknown ones kept', () => {
    const r = done(parseProxyHeader(hex(SIG + '21110018' + '7f000001' + '7f000001' + '0001' + '0002' + 'e00002' + 'abcd' + '040001' + '00' + '02' + '0000'), 16384))
    expect(r.header.tlvs.map((t) => [t.type, toHex(t.value)])).toEqual([[0xe0, 'abcd'], [0x04, '00'], [0x02, '']])
  })

  test('refusals: wrong version, command, family, lengths, TLVs, checksum', () => {
    const err = (h: string) => parseProxyHeader(hex(h), 16384)
    expect(err(SIG + '1111000c')).toEqual({ kind: 'error', error: 'not-header' })
    expect(err(SIG + '2211000c')).toEqual({ kind: 'error', error: 'bad-header' })
    expect(err('0d0a0d0a000d0a5155495420')).toEqual({ kind: 'error', error: 'not-header' })
    expect(err(SIG + '21110008' + '00'.repeat(8))).toEqual({ kind: 'error', error: 'bad-header' }) // shorter than its addresses
    expect(err(SIG + '21210010' + '00'.repeat(16))).toEqual({ kind: 'error', error: 'bad-header' })
    expect(err(SIG + '2141000c' + '00'.repeat(12))).toEqual({ kind: 'error', error: 'bad-header' }) // unknown family
    expect(err(SIG + '2111000e' + '00'.repeat(12) + '0400')).toEqual({ kind: 'error', error: 'bad-header' }) // half a TLV
    expect(err(SIG + '21110010' + '00'.repeat(12) + '040005' + '00')).toEqual({ kind: 'error', error: 'bad-header' }) // TLV past the end
    expect(err(SIG + '21110012' + '00'.repeat(12) + '030003' + '000000')).toEqual({ kind: 'error', error: 'bad-header' }) // CRC of 3 bytes
    expect(err(SIG + '21110013' + '00'.repeat(12) + '030004' + '12345678')).toEqual({ kind: 'error', error: 'bad-header' }) // wrong CRC
    expect(err(SIG + '2111010f' + '00'.repeat(12) + '020100' + '61'.repeat(256))).toEqual({ kind: 'error', error: 'bad-header' }) // authority > 255
    expect(err(SIG + '2111008e' + '00'.repeat(12) + '050081' + '61'.repeat(129))).toEqual({ kind: 'error', error: 'bad-header' }) // unique id > 128
  })

  test('a header longer than the buffer can never arrive whole: truncated, as soon as its length is read', () => {
    expect(parseProxyHeader(hex(SIG + '2111ffff'), 16384)).toEqual({ kind: 'error', error: 'truncated' })
    expect(parseProxyHeader(hex(SIG + '21113ff0'), 16384).kind).toBe('need-more')
  })
})
