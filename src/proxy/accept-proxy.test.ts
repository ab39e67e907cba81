import { expect, test } from 'bun:test'
import { proxyFixture } from '../../test/support/proxy.ts'
import { ProxyHeaderWait } from './accept-proxy.ts'

const CFG = `defaults
  mode http
  timeout client 5s
listen fe
  bind :0 accept-proxy name edge
  option httplog
  log stdout format raw local0
  server s 127.0.0.1:9
`
const lst = { id: 1, name: 'edge', acceptProxy: true, tls: false, startsTls: null }

test('a header delivered one byte per read is read whole; the bytes after it go to the session', () => {
  using fix = proxyFixture(CFG)
  const { sess, cli } = fix.session()
  const wait = new ProxyHeaderWait(fix.fe, sess, lst)
  const bytes = Buffer.from('PROXY TCP4 192.0.2.1 198.51.100.11 56324 443\r\nGET / HT', 'latin1')
  const headerLen = bytes.indexOf('\n') + 1
  for (let i = 0; i < headerLen - 1; i++) {
    wait.onCliData(bytes.subarray(i, i + 1))
    expect([sess.proxied, cli.closed]).toEqual([null, null])
  }
  expect(fix.fe.handshakes.size).toBe(1)
  wait.onCliData(bytes.subarray(headerLen - 1))
  expect(fix.fe.handshakes.size).toBe(0)
  expect(cli.data).toBe(sess)
  expect([sess.cliAddr, sess.cliPort, sess.dstAddr, sess.dstPort]).toEqual(['192.0.2.1', 56324, '198.51.100.11', 443])
  expect(sess.proxied!.fcSrc).toBe('192.0.2.7')
  expect(Buffer.from(sess.cliIn!).toString('latin1')).toBe('GET / HT')
  expect(fix.lines).toEqual([])
})

test('what is no header closes the connection at once and logs why, with the listener\'s name', () => {
  using fix = proxyFixture(CFG)
  const { sess, cli } = fix.session()
  const wait = new ProxyHeaderWait(fix.fe, sess, lst)
  wait.onCliData(Buffer.from('GET / HTTP/1.1\r\n'))
  expect(cli.closed).toBe('terminate')
  expect(cli.sent).toEqual([])
  expect(fix.lines).toEqual([expect.stringMatching(/^<6>192\.0\.2\.7:40000 \[\d\d\/\w{3}\/\d{4}:[\d:.]+\] fe\/edge: Received something which does not look like a PROXY protocol header$/)])
  wait.onCliClose(undefined)
  expect(fix.lines).toHaveLength(1)
  expect(fix.fe.handshakes.size).toBe(0)
})
