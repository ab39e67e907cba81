// The connection of a check: addresses TCP cannot reach fail at once with the system's reason.
import { expect, test } from 'bun:test'
import { CheckConn, notUnicast } from './conn.ts'
import { errnoText } from './status.ts'

test('broadcast and multicast addresses are not unicast; other addresses and names are', () => {
  expect(['255.255.255.255', '224.0.0.1', '239.255.255.250', 'ff02::1', 'FF05::2', '[ff02::1]'].filter(notUnicast)).toHaveLength(6)
  expect(['127.0.0.1', '10.0.0.255', '223.255.255.255', '240.0.0.1', '::1', 'fe80::1', 'localhost', 'ff.example.com'].filter(notUnicast)).toEqual([])
})

test('connecting to the limited broadcast fails at once: "Network is unreachable"', () => {
  const c = new CheckConn(1024)
  c.start({ host: '255.255.255.255', port: 11111 })
  expect(c.state).toBe('closed')
  expect(c.failedAtOnce).toBe(true)
  expect(errnoText(c.error)).toBe('Network is unreachable')
})
