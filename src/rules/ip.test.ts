import { describe, expect, test } from 'bun:test'
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6, parseNet } from './ip.ts'

describe('ip', () => {
  test('IPv4 parses to a uint32 and back', () => {
    expect(parseIpv4('10.1.2.3')).toBe(0x0a010203)
    expect(formatIpv4(parseIpv4('255.255.255.255'))).toBe('255.255.255.255')
    for (const bad of ['10.1.2', '10.1.2.3.4', '256.1.1.1', '1..2.3', 'a.b.c.d', '']) expect(parseIpv4(bad)).toBe(-1)
  })
  test('IPv6 parses with :: and an IPv4 tail, and formats compressed', () => {
    expect(formatIpv6(parseIpv6('2001:db8::1')!)).toBe('2001:db8::1')
    expect(formatIpv6(parseIpv6('::ffff:10.0.0.1')!)).toBe('::ffff:a00:1')
    expect(formatIpv6(parseIpv6('[::1]')!)).toBe('::1')
    expect(parseIpv6('1::2::3')).toBeUndefined()
    expect(parseIpv6('12345::')).toBeUndefined()
    expect(Array.from(parseIpv6('::')!)).toEqual([0, 0, 0, 0])
    expect(Array.from(parseIpv6('1:2:3:4:5:6:7:8')!)).toEqual([0x10002, 0x30004, 0x50006, 0x70008])
    expect(Array.from(parseIpv6('1:2:3:4:5:6:10.0.0.1')!)).toEqual([0x10002, 0x30004, 0x50006, 0x0a000001])
    expect(Array.from(parseIpv6('FE80::1%eth0')!)).toEqual([0xfe800000, 0, 0, 1])
    expect(formatIpv6(parseIpv6('1::')!)).toBe('1::')
    for (const bad of ['', ':', ':1::', '1:', '1::2:', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4::5:6:7:8', 'g::1',
      '1.2.3.4::', '::1.2.3.4:5', '1:2:3:4:5:6:7:1.2.3.4', '::256.0.0.1', '[::1]%eth0', '1:::2']) {
      expect([bad, parseIpv6(bad)]).toEqual([bad, undefined])
    }
  })
  test('networks are masked; dotted masks must be contiguous', () => {
    expect(parseNet('10.1.2.3/8')).toEqual({ v: 4, addr: 0x0a000000, len: 8 })
    expect(parseNet('10.1.2.3/255.255.0.0')).toEqual({ v: 4, addr: 0x0a010000, len: 16 })
    expect(parseNet('10.0.0.0/255.0.255.0')).toBeUndefined()
    expect(parseNet('10.0.0.1')!.len).toBe(32)
    expect(parseNet('2001:db8::/32')!.len).toBe(32)
    expect(parseNet('10.0.0.0/33')).toBeUndefined()
  })
})
