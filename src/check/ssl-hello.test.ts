// The ClientHello ssl-hello-chk sends: a well-formed TLS record a server can parse.
import { expect, test } from 'bun:test'
import { clientHello } from './ssl-hello.ts'

test('the hello is one handshake record whose lengths add up', () => {
  const h = clientHello()
  expect([...h.subarray(0, 3)]).toEqual([0x16, 0x03, 0x01])
  expect(h.readUInt16BE(3)).toBe(h.length - 5)
  expect(h[5]).toBe(1) // client_hello
  expect((h[6]! << 16) | h.readUInt16BE(7)).toBe(h.length - 9)
  expect([h[9], h[10]]).toEqual([0x03, 0x03]) // TLS 1.2
  const suitesAt = 9 + 2 + 32 + 1
  const suites = h.readUInt16BE(suitesAt)
  expect(suites % 2).toBe(0)
  const compAt = suitesAt + 2 + suites
  expect([h[compAt], h[compAt + 1]]).toEqual([1, 0])
  expect(h.readUInt16BE(compAt + 2)).toBe(h.length - compAt - 4)
  expect(clientHello().subarray(11, 43).equals(h.subarray(11, 43))).toBe(false) // fresh random
})
