import { expect, test } from 'bun:test'
import { headOf, proxyFixture } from '../../../test/support/proxy.ts'
import { backendRules, frontendRules } from './request-rules.ts'
import { afterOwnResponse, afterResponse, responseRules } from './response-rules.ts'
import { switching } from './switching.ts'

const CONFIG = `
defaults
  mode http
frontend web
  bind 127.0.0.1:0
  http-response set-header X-Order fe-after-be if { res.hdr(x-order) be }
  http-after-response set-header X-After fe
  default_backend app
backend app
  http-response set-header X-Order be
  http-response deny if { status 500 }
  http-after-response set-header X-After-Be 1
  server s1 127.0.0.1:1
`

function answered(f: ReturnType<typeof proxyFixture>, status: number) {
  const { sess, cli } = f.session()
  const st = sess.st
  st.req = headOf('GET / HTTP/1.1\nHost: a\n\n')
  if (!(frontendRules(sess, st) && switching(sess, st) && backendRules(sess, st))) throw new Error('not routed')
  st.res = headOf(`HTTP/1.1 ${status} X\nContent-Length: 0\n\n`, true)
  st.status = status
  return { sess, cli, st }
}

test('http-response: the backend rules, then the frontend rules', () => {
  using f = proxyFixture(CONFIG)
  const { sess, st } = answered(f, 200)
  expect(responseRules(sess, st)).toBe(true)
  expect(st.res!.headers.get('x-order')).toBe('fe-after-be')
})

test('http-response deny replaces the server answer with 502 (PH)', () => {
  using f = proxyFixture(CONFIG)
  const { sess, cli, st } = answered(f, 500)
  expect(responseRules(sess, st)).toBe(false)
  expect(cli.text()).toStartWith('HTTP/1.1 502 ')
  expect(sess.termination).toEqual({ by: 'P', phase: 'H' })
})

test('http-after-response edits server responses and edgelb\'s own pages alike', () => {
  using f = proxyFixture(CONFIG)
  const { sess, st } = answered(f, 200)
  expect(afterResponse(sess, st)).toBe(true)
  expect(st.res!.headers.get('x-after')).toBe('fe')
  expect(st.res!.headers.get('x-after-be')).toBe('1')

  const own = answered(f, 200)
  const page = Buffer.from(afterOwnResponse(own.sess, own.st, f.fe.http!.errors.page(503))).toString('latin1')
  expect(page).toStartWith('HTTP/1.1 503 ')
  expect(page.toLowerCase()).toContain('x-after: fe\r\n')
})

test('without http-after-response rules edgelb\'s page is sent as it is', () => {
  using f = proxyFixture(`
defaults
  mode http
listen web
  bind 127.0.0.1:0
  server s1 127.0.0.1:1
`)
  const { sess } = f.session()
  const page = f.fe.http!.errors.page(503)
  expect(afterOwnResponse(sess, sess.st, page)).toBe(page)
})

test('a request that could not be read gets its page without http-after-response, as no stream saw it', () => {
  using f = proxyFixture(CONFIG)
  const { sess } = f.session()
  const page = f.fe.http!.errors.page(400)
  expect(sess.st.req).toBeNull()
  expect(afterOwnResponse(sess, sess.st, page)).toBe(page)
})
