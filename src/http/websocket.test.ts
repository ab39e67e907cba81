import { expect, test } from 'bun:test'
import { headOf } from '../../test/support/proxy.ts'
import { isWebSocketUpgrade, missingWebSocketKey } from './websocket.ts'

test('a WebSocket upgrade is Connection: upgrade with websocket among the Upgrade tokens', () => {
  expect(isWebSocketUpgrade(headOf('GET / HTTP/1.1\nHost: a\nConnection: keep-alive, Upgrade\nUpgrade: h2c, WebSocket\n\n'))).toBe(true)
  expect(isWebSocketUpgrade(headOf('GET / HTTP/1.1\nHost: a\nUpgrade: websocket\n\n'))).toBe(false)
  expect(isWebSocketUpgrade(headOf('GET / HTTP/1.1\nHost: a\nConnection: upgrade\nUpgrade: h2c\n\n'))).toBe(false)
})

test('the key a handshake lacks: Sec-WebSocket-Key in the request, Sec-WebSocket-Accept in the 101', () => {
  const up = 'Connection: upgrade\nUpgrade: websocket\n'
  expect(missingWebSocketKey(headOf(`GET / HTTP/1.1\nHost: a\n${up}\n`))).toBe('sec-websocket-key')
  expect(missingWebSocketKey(headOf(`GET / HTTP/1.1\nHost: a\n${up}Sec-WebSocket-Key: x\n\n`))).toBeUndefined()
  expect(missingWebSocketKey(headOf(`HTTP/1.1 101 Switching Protocols\n${up}\n`, true))).toBe('sec-websocket-accept')
  expect(missingWebSocketKey(headOf(`HTTP/1.1 101 Switching Protocols\n${up}Sec-WebSocket-Accept: y\n\n`, true))).toBeUndefined()
  expect(missingWebSocketKey(headOf('GET / HTTP/1.1\nHost: a\n\n'))).toBeUndefined()
})
