import { expect, test } from 'bun:test'
import { proxyFixture, testServer } from '../../../test/support/proxy.ts'

/** A session of a listen section in front of a server that answers every request with
 *  `answer` (written as given, possibly several packets). */
function through(answer: string[], lines = '') {
  const srv = testServer((_conn, received, sock) => {
    if (received.endsWith('\r\n\r\n')) for (const a of answer) sock.write(a)
  })
  const f = proxyFixture(`
defaults
  mode http
  timeout server 5s
listen web
  bind 127.0.0.1:0
  ${lines}
  server s1 127.0.0.1:${srv.port}
`)
  const x = f.session()
  x.sess.start(f.fe.backend)
  return { ...x, srv, f, [Symbol.dispose]() { f[Symbol.dispose](); srv[Symbol.dispose]() } }
}

const GET = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n')

test('a response whole in one packet goes to the client as received; the session waits for the next request', async () => {
  const answer = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Y: z\r\n\r\nhello'
  using x = through([answer])
  x.sess.onCliData(GET)
  await x.cli.changes.until(() => x.cli.text().endsWith('hello'), 'the answer')
  expect(x.cli.text()).toBe(answer)
  expect([x.sess.cs, x.sess.ss, x.sess.requests]).toEqual(['wait-req', 'none', 1])
})

test('1xx heads are forwarded, then the final response', async () => {
  using x = through(['HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'])
  x.sess.onCliData(GET)
  await x.cli.changes.until(() => x.cli.text().includes('200 OK'), 'the final answer')
  expect(x.cli.text()).toMatch(/^HTTP\/1.1 103 Early Hints\r\n.*\r\n\r\nHTTP\/1.1 200 OK\r\n/s)
})

test('a chunked body passes to its end; bytes after it leave the server connection unused', async () => {
  using x = through(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n', '0\r\n\r\nJUNK'])
  x.sess.onCliData(GET)
  await x.cli.changes.until(() => x.cli.text().endsWith('0\r\n\r\n'), 'the last chunk')
  expect(x.sess.requests).toBe(1)
  expect(x.sess.srvIdle).toBeNull()
  await x.srv.changes.until(() => x.srv.closed === 1, 'the server connection closed')
})

test('HEAD: a Content-Length announces no body, the exchange ends with the head', async () => {
  using x = through(['HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'])
  x.sess.onCliData(Buffer.from('HEAD / HTTP/1.1\r\nHost: a\r\n\r\n'))
  await x.cli.changes.until(() => x.cli.text().endsWith('\r\n\r\n'), 'the head')
  expect(x.cli.text()).toBe('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n')
  expect(x.sess.requests).toBe(1)
  expect(x.sess.srvIdle).not.toBeNull()
})

test('a response head that does not parse is answered 502 (PH)', async () => {
  using x = through(['HTTP/1.1 abc\r\n\r\n'])
  x.sess.onCliData(GET)
  await x.cli.changes.until(() => x.cli.closed !== null, 'the client closed')
  expect(x.cli.text()).toStartWith('HTTP/1.1 502 ')
  expect(x.sess.termination).toEqual({ by: 'P', phase: 'H' })
})
