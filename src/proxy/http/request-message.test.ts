import { expect, test } from 'bun:test'
import { proxyFixture, testServer } from '../../../test/support/proxy.ts'

const MONITOR = `
defaults
  mode http
listen web
  bind 127.0.0.1:0
  monitor-uri /healthz
  server s1 127.0.0.1:1
`

test('a head that arrives in pieces is taken when it is whole', () => {
  using f = proxyFixture(MONITOR)
  const { sess, cli } = f.session()
  sess.start(f.fe.backend)
  sess.onCliData(Buffer.from('GET /hea'))
  sess.onCliData(Buffer.from('lthz HTTP/1.1\r\nHo'))
  expect(cli.sent).toHaveLength(0)
  expect(sess.cs).toBe('wait-req')
  sess.onCliData(Buffer.from('st: a\r\n\r\n'))
  expect(cli.text()).toStartWith('HTTP/1.1 200 ')
})

test('a head that does not parse is answered 400 (PR), and the connection closes', () => {
  using f = proxyFixture(MONITOR)
  const { sess, cli } = f.session()
  sess.start(f.fe.backend)
  sess.onCliData(Buffer.from('GET / HTTP/1.1\r\nbad header line\r\n\r\n'))
  expect(cli.text()).toStartWith('HTTP/1.1 400 ')
  expect(sess.termination).toEqual({ by: 'P', phase: 'R' })
  expect(cli.closed).not.toBeNull()
})

test('chunked framing lost before the request went out: 400 (PD)', () => {
  using f = proxyFixture(MONITOR)
  const { sess, cli } = f.session()
  sess.start(f.fe.backend)
  sess.onCliData(Buffer.from('POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'))
  expect(cli.text()).toStartWith('HTTP/1.1 400 ')
  expect(sess.termination).toEqual({ by: 'P', phase: 'D' })
})

test('a body goes to the server whole; the request after it waits for the answer to this one', async () => {
  const answered: number[] = []
  using srv = testServer((conn, received, sock) => {
    const n = received.split('HTTP/1.1\r\n').length - 1
    if (received.endsWith('\r\n\r\nhello') && (answered[conn] ?? 0) === 0) { answered[conn] = 1; sock.write('HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n') }
    if (n === 2 && received.endsWith('\r\n\r\n') && answered[conn] === 1) { answered[conn] = 2; sock.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n') }
  })
  using f = proxyFixture(`
defaults
  mode http
listen web
  bind 127.0.0.1:0
  server s1 127.0.0.1:${srv.port}
`)
  const { sess, cli } = f.session()
  sess.start(f.fe.backend)
  const post = 'POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello'
  const next = 'GET /next HTTP/1.1\r\nHost: a\r\n\r\n'
  sess.onCliData(Buffer.from(post + next))
  await srv.changes.until(() => srv.received[0] === post, 'the request and its body')
  await cli.changes.until(() => cli.text().includes(' 200 OK'), 'both answers')
  expect(srv.received[0]).toBe(post + next)
  expect(cli.text()).toMatch(/^HTTP\/1.1 201 Created\r\n.*HTTP\/1.1 200 OK\r\n/s)
  expect(sess.requests).toBe(2)
})
