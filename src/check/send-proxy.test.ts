import { expect, test } from 'bun:test'
import { parseConfig } from '../../test/support/config.ts'
import type { Sock } from '../net/runtime.ts'
import { checkProxyHeader } from './send-proxy.ts'

const sock = { localAddress: '10.0.0.9', localPort: 40001, remoteAddress: '10.0.0.1', remotePort: 80 } as Sock<unknown>
const headerOf = (opts: string) => {
  const s = parseConfig(`backend be\n  server s 10.0.0.1:80 check ${opts}\n`).proxies[0]!.servers[0]!
  const h = checkProxyHeader(s)
  return h === undefined ? undefined : Buffer.from(h(sock)).toString('latin1')
}

test('which checks send a header, and which one (HAProxy: check-send-proxy, or the server\'s flags without port/addr)', () => {
  expect(headerOf('')).toBeUndefined()
  expect(headerOf('check-send-proxy')).toBe('PROXY TCP4 10.0.0.9 10.0.0.1 40001 80\r\n')
  expect(headerOf('send-proxy')).toBe('PROXY TCP4 10.0.0.9 10.0.0.1 40001 80\r\n')
  expect(headerOf('send-proxy port 8080')).toBeUndefined()
  expect(headerOf('send-proxy addr 10.0.0.2')).toBeUndefined()
  expect(headerOf('send-proxy port 8080 check-send-proxy')).toBe('PROXY TCP4 10.0.0.9 10.0.0.1 40001 80\r\n')
  // no-check-send-proxy does not stop what the server's own flags ask (HAProxy ORs them in after).
  expect(headerOf('send-proxy no-check-send-proxy')).toBe('PROXY TCP4 10.0.0.9 10.0.0.1 40001 80\r\n')
  const local = '\r\n\r\n\0\r\nQUIT\n\x20\x00\x00\x00'
  expect(headerOf('send-proxy-v2')).toBe(local)
  expect(headerOf('check-send-proxy send-proxy-v2 port 8080')).toBe(local)
  expect(headerOf('send-proxy-v2-ssl')).toBe('\r\n\r\n\0\r\nQUIT\n\x20\x00\x00\x08\x20\x00\x05\x00\x00\x00\x00\x00')
})

test('pp2-never-send-local: a v2 PROXY command with the check connection\'s addresses', () => {
  const s = parseConfig('global\n  pp2-never-send-local\nbackend be\n  server s 10.0.0.1:80 check send-proxy-v2\n')
  expect(s.global.pp2NeverSendLocal).toBe(true)
  const h = checkProxyHeader(s.proxies[0]!.servers[0]!, true)!
  expect(Buffer.from(h(sock)).toString('hex')).toBe('0d0a0d0a000d0a515549540a' + '2111000c' + '0a000009' + '0a000001' + '9c41' + '0050')
})
