import { expect, test } from 'bun:test'
import { headOf, proxyFixture } from '../../../test/support/proxy.ts'
import { frontendRules } from './request-rules.ts'
import { switching } from './switching.ts'

const CONFIG = `
defaults
  mode http
frontend web
  bind 127.0.0.1:0
  use_backend api if { hdr(host) -i api.example.com }
  use_backend %[req.hdr(x-to)] if { req.hdr(x-to) -m found }
  default_backend app
backend app
  retries 2
  server a1 127.0.0.1:1
backend api
  retries 5
  server p1 127.0.0.1:2
`

test('a use_backend rule chooses the backend, else default_backend; the request enters it', () => {
  using f = proxyFixture(CONFIG)
  for (const [host, be, retries] of [['api.example.com', 'api', 5], ['www.example.com', 'app', 2]] as const) {
    const { sess } = f.session()
    const st = sess.st
    st.req = headOf(`GET / HTTP/1.1\nHost: ${host}\n\n`)
    expect(frontendRules(sess, st)).toBe(true)
    expect(switching(sess, st)).toBe(true)
    expect(st.be).toBe(f.backends.get(be)!)
    expect(st.beName).toBe(be)
    expect(st.retriesLeft).toBe(retries)
    expect(f.backends.get(be)!.beconn).toBe(1)
  }
})

test('a dynamic name that matches no backend falls through to the next rule', () => {
  using f = proxyFixture(CONFIG)
  const { sess } = f.session()
  const st = sess.st
  st.req = headOf('GET / HTTP/1.1\nHost: a\nX-To: nowhere\n\n')
  expect(frontendRules(sess, st) && switching(sess, st)).toBe(true)
  expect(st.beName).toBe('app')
})

test('no backend at all is answered 503 with SC, and no backend is entered', () => {
  using f = proxyFixture(`
defaults
  mode http
frontend web
  bind 127.0.0.1:0
  use_backend api if { hdr(host) -i api.example.com }
backend api
  server p1 127.0.0.1:2
`)
  const { sess, cli } = f.session()
  const st = sess.st
  st.req = headOf('GET / HTTP/1.1\nHost: www.example.com\n\n')
  expect(frontendRules(sess, st)).toBe(true)
  expect(switching(sess, st)).toBe(false)
  expect(cli.text()).toStartWith('HTTP/1.1 503 ')
  expect(sess.termination).toEqual({ by: 'S', phase: 'C' })
  expect(st.be).toBeNull()
  for (const be of f.backends.values()) expect(be.beconn).toBe(0)
})
