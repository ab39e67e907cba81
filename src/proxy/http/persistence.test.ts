import { expect, test } from 'bun:test'
import { headOf, proxyFixture } from '../../../test/support/proxy.ts'
import { persistCookie, persistence, stickStore, stickStoreRequest } from './persistence.ts'
import { backendRules, frontendRules } from './request-rules.ts'
import { switching } from './switching.ts'

const COOKIE = `
defaults
  mode http
listen web
  bind 127.0.0.1:0
  cookie SRV insert indirect nocache
  ignore-persist if { path /static }
  use-server s1 if { path /one }
  server s1 127.0.0.1:1 cookie c1
  server s2 127.0.0.1:2 cookie c2
`

/** A stream of a new session of `f`, through the phases before persistence. */
function routed(f: ReturnType<typeof proxyFixture>, head: string) {
  const { sess } = f.session()
  const st = sess.st
  st.req = headOf(head)
  if (!(frontendRules(sess, st) && switching(sess, st) && backendRules(sess, st))) throw new Error('not routed')
  return { sess, st }
}

test('the persistence cookie names the server, which the assignment will prefer; the cookie leaves the request', () => {
  using f = proxyFixture(COOKIE)
  const { sess, st } = routed(f, 'GET / HTTP/1.1\nHost: a\nCookie: SRV=c2; app=1\n\n')
  expect(persistence(sess, st)).toBe(true)
  expect(st.persisted?.name).toBe('s2')
  expect(st.reqCookie).toBe('V')
  expect(st.req!.headers.get('cookie')).toBe('app=1')
})

test('a value no server has is flagged I and persists nothing; ignore-persist skips the cookie', () => {
  using f = proxyFixture(COOKIE)
  const unknown = routed(f, 'GET / HTTP/1.1\nHost: a\nCookie: SRV=zz\n\n')
  persistence(unknown.sess, unknown.st)
  expect(unknown.st.persisted).toBeUndefined()
  expect(unknown.st.reqCookie).toBe('I')
  const ignored = routed(f, 'GET /static HTTP/1.1\nHost: a\nCookie: SRV=c2\n\n')
  persistence(ignored.sess, ignored.st)
  expect(ignored.st.persisted).toBeUndefined()
  expect(ignored.st.reqCookie).toBe('-')
})

test('use-server applies when no cookie chose a server', () => {
  using f = proxyFixture(COOKIE)
  const named = routed(f, 'GET /one HTTP/1.1\nHost: a\n\n')
  persistence(named.sess, named.st)
  expect(named.st.persisted?.name).toBe('s1')
  const cookie = routed(f, 'GET /one HTTP/1.1\nHost: a\nCookie: SRV=c2\n\n')
  persistence(cookie.sess, cookie.st)
  expect(cookie.st.persisted?.name).toBe('s2')
})

test('the response inserts the cookie of the server that answered (I), private when cacheable; not again for a client that has it', () => {
  using f = proxyFixture(COOKIE)
  const be = f.backends.get('web')!
  const fresh = routed(f, 'GET / HTTP/1.1\nHost: a\n\n')
  persistence(fresh.sess, fresh.st)
  fresh.st.server = be.servers[0]!
  fresh.st.res = headOf('HTTP/1.1 200 OK\nContent-Length: 0\n\n', true)
  persistCookie(fresh.st)
  expect(fresh.st.resCookie).toBe('I')
  expect(fresh.st.res.headers.get('set-cookie')).toStartWith('SRV=c1; path=/')
  expect(fresh.st.res.headers.get('cache-control')).toBe('private')

  const known = routed(f, 'GET / HTTP/1.1\nHost: a\nCookie: SRV=c1\n\n')
  persistence(known.sess, known.st)
  known.st.server = known.st.persisted!
  known.st.res = headOf('HTTP/1.1 200 OK\nContent-Length: 0\n\n', true)
  persistCookie(known.st)
  expect(known.st.resCookie).toBe('N')
  expect(known.st.res.headers.get('set-cookie')).toBeUndefined()
})

test('stick store-request stores the server a request went to; the next request of that client matches it', () => {
  using f = proxyFixture(`
defaults
  mode http
listen web
  bind 127.0.0.1:0
  stick-table type ip size 10 expire 1m
  stick on src
  server s1 127.0.0.1:1
  server s2 127.0.0.1:2
`)
  const be = f.backends.get('web')!
  const first = routed(f, 'GET / HTTP/1.1\nHost: a\n\n')
  persistence(first.sess, first.st)
  expect(first.st.persisted).toBeUndefined()
  stickStoreRequest(first.st, be.servers[1]!)
  const next = routed(f, 'GET / HTTP/1.1\nHost: a\n\n')
  persistence(next.sess, next.st)
  expect(next.st.persisted).toBe(be.servers[1]!)
})

test('stick store-response stores what the response says, after the response rules', () => {
  using f = proxyFixture(`
defaults
  mode http
listen web
  bind 127.0.0.1:0
  stick-table type string len 32 size 10 expire 1m
  stick match req.cook(sid)
  stick store-response res.cook(sid)
  server s1 127.0.0.1:1
  server s2 127.0.0.1:2
`)
  const be = f.backends.get('web')!
  const first = routed(f, 'GET / HTTP/1.1\nHost: a\n\n')
  first.st.server = be.servers[1]!
  first.st.res = headOf('HTTP/1.1 200 OK\nSet-Cookie: sid=abc\nContent-Length: 0\n\n', true)
  expect(stickStore(first.sess, first.st)).toBe(true)
  const next = routed(f, 'GET / HTTP/1.1\nHost: a\nCookie: sid=abc\n\n')
  persistence(next.sess, next.st)
  expect(next.st.persisted).toBe(be.servers[1]!)
})
