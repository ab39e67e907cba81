import { expect, test } from 'bun:test'
import { headOf, proxyFixture } from '../../../test/support/proxy.ts'
import { responseHeaders } from './response-head.ts'
import { switching } from './switching.ts'

/** The Connection header of `res` as the client of `req` gets it, `cliClose` as decided. */
function connectionFor(req: string, res: string, cliClose: boolean): string | undefined {
  using f = proxyFixture(`
defaults
  mode http
listen web
  bind 127.0.0.1:0
  capture response header Content-Type len 4
  server s1 127.0.0.1:1
`)
  const { sess } = f.session()
  const st = sess.st
  st.req = headOf(req)
  switching(sess, st)
  st.res = headOf(res, true)
  st.cliClose = cliClose
  expect(responseHeaders(sess, st)).toBe(true)
  return st.res.headers.get('connection')
}

test('a client staying open: HTTP/1.0 is told keep-alive, HTTP/1.1 gets no close from a closing server', () => {
  expect(connectionFor('GET / HTTP/1.0\nConnection: keep-alive\n\n', 'HTTP/1.1 200 OK\nContent-Length: 0\n\n', false)).toBe('keep-alive')
  expect(connectionFor('GET / HTTP/1.1\nHost: a\n\n', 'HTTP/1.1 200 OK\nConnection: close\nContent-Length: 0\n\n', false)).toBeUndefined()
  expect(connectionFor('GET / HTTP/1.1\nHost: a\n\n', 'HTTP/1.0 200 OK\nContent-Length: 0\n\n', false)).toBe('keep-alive')
})

test('a client that closes is told close (HTTP/1.1, or 1.0 with keep-alive)', () => {
  expect(connectionFor('GET / HTTP/1.1\nHost: a\n\n', 'HTTP/1.1 200 OK\nContent-Length: 0\n\n', true)).toBe('close')
  expect(connectionFor('GET / HTTP/1.0\nConnection: keep-alive\n\n', 'HTTP/1.1 200 OK\nConnection: keep-alive\nContent-Length: 0\n\n', true)).toBe('close')
  expect(connectionFor('GET / HTTP/1.0\n\n', 'HTTP/1.1 200 OK\nContent-Length: 0\n\n', true)).toBeUndefined()
})

test('capture response header keeps the values for the log', () => {
  using f = proxyFixture(`
defaults
  mode http
listen web
  bind 127.0.0.1:0
  capture response header Content-Type len 4
  server s1 127.0.0.1:1
`)
  const { sess } = f.session()
  const st = sess.st
  st.req = headOf('GET / HTTP/1.1\nHost: a\n\n')
  switching(sess, st)
  st.res = headOf('HTTP/1.1 200 OK\nContent-Type: text/html\nContent-Length: 0\n\n', true)
  responseHeaders(sess, st)
  expect(st.resCaptures).toEqual(['text'])
})
