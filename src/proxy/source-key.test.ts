import { expect, test } from 'bun:test'
import { addressBytes } from './source-key.ts'

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
