// The bytes the protocol checks send: MySQL login packets, the PostgreSQL startup message.
import { expect, test } from 'bun:test'
import { mysqlAuthPacket, mysqlLoginRequest } from './mysql.ts'
import { pgsqlStartup } from './pgsql.ts'

test('mysql: a login packet with sequence id 1 and the user name', () => {
  const p = mysqlAuthPacket('edgelb', true)
  expect(p.readUIntLE(0, 3)).toBe(p.length - 4)
  expect(p[3]).toBe(1)
  expect(p.subarray(4 + 4 + 4 + 1 + 23, 4 + 4 + 4 + 1 + 23 + 7).toString('latin1')).toBe('edgelb\0')
  const old = mysqlAuthPacket('u', false)
  expect(old.readUIntLE(0, 3)).toBe(old.length - 4)
  expect(old.subarray(4 + 2 + 3).toString('latin1')).toBe('u\0\0')
})

test('mysql: with a user, the login packet and QUIT go together, in HAProxy\'s bytes', () => {
  const hex = (...parts: string[]) => parts.join('')
  const user = Buffer.from('user\0').toString('hex')
  const quit = hex('010000', '00', '01') // length 1, sequence 0, COM_QUIT
  // Pre-4.1: length 11, sequence 1; capabilities 0x8000; max packet 0x010000; user; empty auth.
  expect(mysqlLoginRequest('user', false).toString('hex')).toBe(hex('0b0000', '01', '0080', '000001', user, '00', quit))
  // 4.1: length 38, sequence 1; capabilities PROTOCOL_41|SECURE_CONNECTION; max packet bytes
  // 00 80 00 01; character set 0x21; 23 zero bytes; user; empty auth.
  expect(mysqlLoginRequest('user', true).toString('hex')).toBe(hex('260000', '01', '00820000', '00800001', '21', '00'.repeat(23), user, '00', quit))
})

test('pgsql: a protocol 3.0 startup message for the user', () => {
  const p = pgsqlStartup('check')
  expect(p.readUInt32BE(0)).toBe(p.length)
  expect(p.readUInt32BE(4)).toBe(0x00030000)
  expect(p.subarray(8).toString('latin1')).toBe('user\0check\0\0')
})
