import { expect, test } from 'bun:test'
import { headOf, proxyFixture } from '../../../test/support/proxy.ts'
import { serverHeaders, waitRequest } from './request-head.ts'
import { switching } from './switching.ts'

test('monitor-uri is answered 200 by edgelb itself, and the request goes no further', () => {
  using f = proxyFixture(`
defaults
  mode http
listen web
  bind 127.0.0.1:0
  monitor-uri /healthz
  server s1 127.0.0.1:1
`)
  const { sess, cli } = f.session()
  const st = sess.st
  st.req = headOf('GET /healthz?x=1 HTTP/1.1\nHost: a\n\n')
  expect(waitRequest(sess, st)).toBe(false)
  expect(cli.text()).toStartWith('HTTP/1.1 200 ')
  expect(sess.termination).toEqual({ by: '-', phase: '-' })
  const other = f.session()
  other.sess.st.req = headOf('GET /healthz/not HTTP/1.1\nHost: a\n\n')
  expect(waitRequest(other.sess, other.sess.st)).toBe(true)
})

test('monitor-uri: one starting with / matches the path of an absolute-form URI; another, the whole URI', () => {
  const answered = (mon: string, uri: string): boolean => {
    using f = proxyFixture(`
defaults
  mode http
listen web
  bind 127.0.0.1:0
  monitor-uri ${mon}
  server s1 127.0.0.1:1
`)
    const { sess } = f.session()
    sess.st.req = headOf(`GET ${uri} HTTP/1.1\nHost: www.haproxy.org\n\n`)
    return !waitRequest(sess, sess.st)
  }
  expect(answered('/health', 'http://www.haproxy.org/health')).toBe(true)
  expect(answered('http://www.haproxy.org/health', 'http://www.haproxy.org/health')).toBe(true)
  expect(answered('http://www.haproxy.org/health', '/health')).toBe(false)
  expect(answered('/health', '/hEAlth')).toBe(false)
})

test('capture request header keeps the values for the log as the head arrived', () => {
  using f = proxyFixture(`
defaults
  mode http
listen web
  bind 127.0.0.1:0
  capture request header Host len 5
  capture request header X-Id len 8
  server s1 127.0.0.1:1
`)
  const { sess } = f.session()
  const st = sess.st
  st.req = headOf('GET / HTTP/1.1\nHost: www.example.com\n\n')
  expect(waitRequest(sess, st)).toBe(true)
  expect(st.reqCaptures).toEqual(['www.e', ''])
})

/** A request through switching and serverHeaders, on a listen section with `lines`. */
function prepared(lines: string, head: string) {
  const f = proxyFixture(`
defaults
  mode http
listen web
  bind 127.0.0.1:0
  ${lines}
  server s1 127.0.0.1:1
`)
  const { sess } = f.session()
  const st = sess.st
  st.req = headOf(head)
  if (!switching(sess, st)) throw new Error('no backend')
  expect(serverHeaders(sess, st)).toBe(true)
  return { f, st }
}

test('keep-alive on both sides: nothing closes, the Connection header is left alone', () => {
  const { f, st } = prepared('', 'GET / HTTP/1.1\nHost: a\n\n')
  using _ = f
  expect([st.cliClose, st.srvClose, st.upgrade]).toEqual([false, false, false])
  expect(st.req!.headers.get('connection')).toBeUndefined()
})

test('http-server-close: the server is asked to close, the client keeps its connection', () => {
  const { f, st } = prepared('option http-server-close', 'GET / HTTP/1.1\nHost: a\n\n')
  using _ = f
  expect([st.cliClose, st.srvClose]).toEqual([false, true])
  expect(st.req!.headers.get('connection')).toBe('close')
})

test('a client that closes (HTTP/1.0, Connection: close) closes the server side too, unless http-reuse always', () => {
  const old = prepared('', 'GET / HTTP/1.0\nHost: a\n\n')
  using _o = old.f
  expect([old.st.cliClose, old.st.srvClose]).toEqual([true, true])
  expect(old.st.req!.headers.get('connection')).toBeUndefined() // HTTP/1.0 closes by itself
  const always = prepared('http-reuse always', 'GET / HTTP/1.1\nHost: a\nConnection: close\n\n')
  using _a = always.f
  expect([always.st.cliClose, always.st.srvClose]).toEqual([true, false])
})

test('an Upgrade request keeps its Connection header; option forwardfor adds the client address', () => {
  const { f, st } = prepared('option forwardfor\n  option http-server-close', 'GET /ws HTTP/1.1\nHost: a\nConnection: upgrade\nUpgrade: websocket\n\n')
  using _ = f
  expect(st.upgrade).toBe(true)
  expect(st.req!.headers.get('connection')).toBe('upgrade')
  expect(st.req!.headers.get('x-forwarded-for')).toBe('192.0.2.7')
})

test('option http-restrict-req-hdr-names: delete drops header names with other characters than letters, digits and -, reject answers 403', () => {
  const run = (how: string) => {
    const f = proxyFixture(`
defaults
  mode http
listen web
  bind 127.0.0.1:0
  option http-restrict-req-hdr-names ${how}
  server s1 127.0.0.1:1
`)
    const { sess, cli } = f.session()
    const st = sess.st
    st.req = headOf('GET / HTTP/1.1\nHost: a\nX-my_hdr: on\nX-Ok-1: yes\n\n')
    switching(sess, st)
    const goes = serverHeaders(sess, st)
    const names = st.req === null ? [] : Array.from({ length: st.req.headers.count }, (_, i) => st.req!.headers.name(i))
    f[Symbol.dispose]()
    return { goes, names, answer: cli.text() }
  }
  expect(run('preserve')).toMatchObject({ goes: true, names: ['Host', 'X-my_hdr', 'X-Ok-1'] })
  expect(run('delete')).toMatchObject({ goes: true, names: ['Host', 'X-Ok-1'] })
  const rejected = run('reject')
  expect(rejected.goes).toBe(false)
  expect(rejected.answer).toStartWith('HTTP/1.1 403 ')
})
