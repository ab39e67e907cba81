import { expect, test } from 'bun:test'
import { pooledCount } from '../srv-conn.ts'
import { proxyFixture, testServer, type TestServer } from '../../../test/support/proxy.ts'

/** A server that answers each request head it receives with `ok` (keep-alive). */
function okServer(): TestServer {
  const answered: number[] = []
  return testServer((conn, received, sock) => {
    const heads = received.split('\r\n\r\n').length - 1
    while ((answered[conn] ?? 0) < heads) {
      answered[conn] = (answered[conn] ?? 0) + 1
      sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
    }
  })
}

function fixture(port: number, lines = '') {
  return proxyFixture(`
defaults
  mode http
listen web
  bind 127.0.0.1:0
  ${lines}
  server s1 127.0.0.1:${port}
`)
}

const GET = (path: string, more = '') => Buffer.from(`GET ${path} HTTP/1.1\r\nHost: a\r\n${more}\r\n`)

test('a request goes out on a new connection; the next one of the session reuses it', async () => {
  using srv = okServer()
  using f = fixture(srv.port)
  const { sess, cli } = f.session()
  sess.start(f.fe.backend)
  sess.onCliData(GET('/1'))
  expect(sess.ss).toBe('connecting')
  await cli.changes.until(() => cli.text().endsWith('ok'), 'the first answer')
  expect(sess.cs).toBe('wait-req')
  expect(sess.srvIdle).not.toBeNull()
  sess.onCliData(GET('/2'))
  expect(sess.ss).toBe('res-head')
  expect(sess.srv!.uses).toBe(1)
  await cli.changes.until(() => cli.text().split('ok').length === 3, 'the second answer')
  expect(srv.accepted).toBe(1)
  expect(srv.received[0]).toBe(GET('/1').toString() + GET('/2').toString())
})

test('http-reuse always: a connection left by a client that closed is pooled, and another session takes it', async () => {
  using srv = okServer()
  using f = fixture(srv.port, 'http-reuse always')
  const a = f.session()
  a.sess.start(f.fe.backend)
  a.sess.onCliData(GET('/a', 'Connection: close\r\n'))
  await a.cli.changes.until(() => a.cli.closed !== null, 'the first client closed')
  const server = f.backends.get('web')!.servers[0]!
  expect(pooledCount(server)).toBe(1)
  const b = f.session()
  b.sess.start(f.fe.backend)
  b.sess.onCliData(GET('/b'))
  expect(pooledCount(server)).toBe(0)
  await b.cli.changes.until(() => b.cli.text().endsWith('ok'), 'the answer on the pooled connection')
  expect(srv.accepted).toBe(1)
})

test('http-reuse safe: the first request of a session never takes a pooled connection', async () => {
  using srv = okServer()
  using f = fixture(srv.port, 'http-reuse safe')
  const a = f.session()
  a.sess.start(f.fe.backend)
  // Keep-alive towards the server while the client closes: the connection goes to the pool.
  a.sess.onCliData(GET('/a'))
  await a.cli.changes.until(() => a.cli.text().endsWith('ok'), 'the first answer')
  a.sess.closeIfIdle()
  const server = f.backends.get('web')!.servers[0]!
  expect(pooledCount(server)).toBe(1)
  const b = f.session()
  b.sess.start(f.fe.backend)
  b.sess.onCliData(GET('/b'))
  expect(b.sess.ss).toBe('connecting')
  await b.cli.changes.until(() => b.cli.text().endsWith('ok'), 'the answer on a new connection')
  expect(srv.accepted).toBe(2)
})

test('http-reuse never: a connection is closed when its session is done with it', async () => {
  using srv = okServer()
  using f = fixture(srv.port, 'http-reuse never')
  const { sess, cli } = f.session()
  sess.start(f.fe.backend)
  sess.onCliData(GET('/a'))
  await cli.changes.until(() => cli.text().endsWith('ok'), 'the answer')
  sess.closeIfIdle()
  expect(pooledCount(f.backends.get('web')!.servers[0]!)).toBe(0)
  await srv.changes.until(() => srv.closed === 1, 'the server connection closed')
})

/** One exchange on a new session of `f`; returns the session once its answer arrived. */
async function exchange(f: ReturnType<typeof fixture>, path: string, more = '') {
  const s = f.session()
  s.sess.start(f.fe.backend)
  s.sess.onCliData(GET(path, more))
  await s.cli.changes.until(() => s.cli.text().endsWith('ok'), `the answer to ${path}`)
  return s
}

test('http-reuse aggressive: a first request takes only a pooled connection that carried more than one request', async () => {
  using srv = okServer()
  using f = fixture(srv.port, 'http-reuse aggressive')
  const server = f.backends.get('web')!.servers[0]!
  const a = await exchange(f, '/a')
  a.sess.closeIfIdle()
  expect(pooledCount(server)).toBe(1)
  const b = await exchange(f, '/b') // the pooled connection carried one request: not proven
  expect(srv.accepted).toBe(2)
  b.sess.onCliData(GET('/b2'))
  await b.cli.changes.until(() => b.cli.text().split('ok').length === 3, 'the second answer')
  b.sess.closeIfIdle()
  expect(pooledCount(server)).toBe(2)
  await exchange(f, '/c') // now one pooled connection carried two: it is taken
  expect(srv.accepted).toBe(2)
  expect(srv.received[1]).toBe(GET('/b').toString() + GET('/b2').toString() + GET('/c').toString())
})

test('pool-max-conn bounds the idle connections: one past it is closed, and the next request takes the pooled one', async () => {
  using srv = okServer()
  using f = proxyFixture(`
defaults
  mode http
listen web
  bind 127.0.0.1:0
  server s1 127.0.0.1:${srv.port} pool-max-conn 1
`)
  const server = f.backends.get('web')!.servers[0]!
  const a = await exchange(f as ReturnType<typeof fixture>, '/a')
  a.sess.closeIfIdle()
  expect(pooledCount(server)).toBe(1)
  const b = await exchange(f as ReturnType<typeof fixture>, '/b')
  expect(b.sess.srvIdle).toBeNull()
  await srv.changes.until(() => srv.closed === 1, 'the connection past the bound closed')
  b.sess.onCliData(GET('/b2'))
  await b.cli.changes.until(() => b.cli.text().split('ok').length === 3, 'the second answer')
  expect(srv.received[0]).toBe(GET('/a').toString() + GET('/b2').toString())
})

test('dispatch: the session keeps its connection to the dispatch address for its next request', async () => {
  using srv = okServer()
  using f = proxyFixture(`
defaults
  mode http
listen web
  bind 127.0.0.1:0
  dispatch 127.0.0.1:${srv.port}
`)
  const a = await exchange(f as ReturnType<typeof fixture>, '/a')
  a.sess.onCliData(GET('/a2'))
  await a.cli.changes.until(() => a.cli.text().split('ok').length === 3, 'the second answer')
  expect(srv.accepted).toBe(1)
})
