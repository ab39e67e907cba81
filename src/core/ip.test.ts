import { describe, expect, test } from 'bun:test'
import { addressBytes, formatIpv4, formatIpv6, inNet, parseIpv4, parseIpv6, parseNet, ipFamily } from './ip.ts'

describe('ip', () => {
  test('IPv4 parses to a uint32 and back', () => {
    expect(parseIpv4('10.1.2.3')).toBe(0x0a010203)
    expect(formatIpv4(parseIpv4('255.255.255.255'))).toBe('255.255.255.255')
    for (const bad of ['10.1.2', '10.1.2.3.4', '256.1.1.1', '1..2.3', 'a.b.c.d', '']) expect(parseIpv4(bad)).toBe(-1)
  })
  test('IPv6 parses with :: and an IPv4 tail, and formats compressed', () => {
    expect(formatIpv6(parseIpv6('2001:db8::1')!)).toBe('2001:db8::1')
    expect(formatIpv6(parseIpv6('::ffff:10.0.0.1')!)).toBe('::ffff:10.0.0.1') // inet_ntop's form, as HAProxy prints it
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

describe('addressBytes (balance source)', () => {
  test('IPv4 and IPv4-mapped IPv6 addresses give their 4 bytes', () => {
    expect([...addressBytes('127.0.0.2')!]).toEqual([127, 0, 0, 2])
    expect([...addressBytes('::ffff:10.1.2.3')!]).toEqual([10, 1, 2, 3])
    expect([...addressBytes('::ffff:a01:203')!]).toEqual([10, 1, 2, 3])
  })

  test('IPv6 addresses give 16 bytes, with :: expanded and zones ignored', () => {
    expect([...addressBytes('::1')!]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    expect([...addressBytes('2001:db8::ff00:42:8329')!]).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0x00, 0, 0x42, 0x83, 0x29])
    expect([...addressBytes('fe80::1%eth0')!].slice(0, 2)).toEqual([0xfe, 0x80])
    expect([...addressBytes('64:ff9b::192.0.2.33')!].slice(12)).toEqual([192, 0, 2, 33])
  })

  test('anything else has no key', () => {
    expect(addressBytes('')).toBeUndefined()
    expect(addressBytes('/run/x.sock')).toBeUndefined()
    expect(addressBytes('1::2::3')).toBeUndefined()
    expect(addressBytes('1:2:3:4:5:6:7:8:9')).toBeUndefined()
  })
})

describe('inNet (monitor-net, forwardfor except)', () => {
  const net = (text: string) => parseNet(text)!
  test('a /31 holds exactly two addresses', () => {
    expect(['192.168.1.251', '192.168.1.252', '192.168.1.253', '192.168.1.254'].map((ip) => inNet(net('192.168.1.252/31'), ip))).toEqual([false, true, true, false])
  })

  test('IPv4-mapped IPv6 clients match; other IPv6 clients never do', () => {
    expect(inNet(net('192.168.1.252/31'), '::ffff:192.168.1.253')).toBe(true)
    expect(inNet(net('0.0.0.0/0'), '::1')).toBe(false)
  })

  test('/0 matches every IPv4 address; a bare address matches only itself', () => {
    expect(inNet(net('0.0.0.0/0'), '203.0.113.9')).toBe(true)
    expect([inNet(net('10.0.0.1'), '10.0.0.1'), inNet(net('10.0.0.1'), '10.0.0.2')]).toEqual([true, false])
  })

  test('IPv6 networks, by any prefix length; IPv4 clients as their mapped form', () => {
    expect(['2001:db8::1', '2001:db8:0:1::1', '2001:db8:1::1', '2001:db9::1', '10.0.0.1'].map((ip) => inNet(net('2001:db8::/48'), ip))).toEqual([true, true, false, false, false])
    expect(['fe80::1', 'fe80::1:0:0:2', 'fe80:0:0:1::2', 'fe81::1'].map((ip) => inNet(net('fe80::/64'), ip))).toEqual([true, true, false, false])
    expect([inNet(net('::1'), '::1'), inNet(net('::1'), '::2'), inNet(net('::/0'), '::1')]).toEqual([true, false, true])
    expect([inNet(net('::ffff:10.0.0.0/104'), '10.1.2.3'), inNet(net('::ffff:10.0.0.0/104'), '11.1.2.3')]).toEqual([true, false])
    expect(inNet(net('2001:db8::/33'), '2001:db8:8000::1')).toBe(false)
    expect(inNet(net('2001:db8::/33'), '2001:db8:7fff::1')).toBe(true)
  })

  test('what is no address is in no network', () => {
    expect([inNet(net('0.0.0.0/0'), ''), inNet(net('::/0'), ''), inNet(net('0.0.0.0/0'), '/run/x.sock')]).toEqual([false, false, false])
  })
})

test('ipFamily answers as node:net isIP does', () => {
  const cases: [string, number][] = [['1.2.3.4', 4], ['::1', 6], ['fe80::1%eth0', 6], ['::ffff:1.2.3.4', 6], ['2001:db8::', 6], ['256.1.1.1', 0], ['1.2.3', 0], ['1.2.3.04', 0], ['', 0], ['example.com', 0]]
  for (const [s, f] of cases) expect([s, ipFamily(s) as number]).toEqual([s, f])
})
