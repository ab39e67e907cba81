// The bytes the protocol checks send: MySQL login packets, the PostgreSQL startup message.
import { expect, test } from 'bun:test'
import { mysqlAuthPacket } from './mysql.ts'
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

test('pgsql: a protocol 3.0 startup message for the user', () => {
  const p = pgsqlStartup('check')
  expect(p.readUInt32BE(0)).toBe(p.length)
  expect(p.readUInt32BE(4)).toBe(0x00030000)
  expect(p.subarray(8).toString('latin1')).toBe('user\0check\0\0')
})
