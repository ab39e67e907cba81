import { expect, test } from 'bun:test'
import { headOf, proxyFixture } from '../../../test/support/proxy.ts'
import { backendRules, frontendRules } from './request-rules.ts'
import { switching } from './switching.ts'

const CONFIG = `
defaults
  mode http
frontend web
  bind 127.0.0.1:0
  tcp-request content reject if { hdr(x-drop) -m found }
  http-request deny deny_status 429 if { path /limited }
  http-request return status 200 content-type text/plain string hi if { path /hi }
  http-request set-header X-Fe 1
  default_backend app
backend app
  http-request deny if { hdr(x-fe) -m found } { path /be-deny }
  http-request set-header X-Be 1
  server a1 127.0.0.1:1
`

function request(text: string) {
  const f = proxyFixture(CONFIG)
  const { sess, cli } = f.session()
  const st = sess.st
  st.req = headOf(text)
  return { f, sess, cli, st }
}

test('the frontend http-request rules edit the request and let it go on', () => {
  const { f, sess, st } = request('GET / HTTP/1.1\nHost: a\n\n')
  using _ = f
  expect(frontendRules(sess, st)).toBe(true)
  expect(st.req!.headers.get('x-fe')).toBe('1')
  expect(st.sess).toBe(sess.view)
})

test('deny answers with its status (PR); return answers locally (LR); the phase says stop', () => {
  const denied = request('GET /limited HTTP/1.1\nHost: a\n\n')
  using _d = denied.f
  expect(frontendRules(denied.sess, denied.st)).toBe(false)
  expect(denied.cli.text()).toStartWith('HTTP/1.1 429 ')
  expect(denied.sess.termination).toEqual({ by: 'P', phase: 'R' })

  const returned = request('GET /hi HTTP/1.1\nHost: a\n\n')
  using _r = returned.f
  expect(frontendRules(returned.sess, returned.st)).toBe(false)
  expect(returned.cli.text()).toStartWith('HTTP/1.1 200 ')
  expect(returned.cli.text()).toEndWith('hi')
  expect(returned.sess.termination).toEqual({ by: 'L', phase: 'R' })
})

test('tcp-request content reject closes without an answer (PR)', () => {
  const { f, sess, cli, st } = request('GET / HTTP/1.1\nHost: a\nX-Drop: 1\n\n')
  using _ = f
  expect(frontendRules(sess, st)).toBe(false)
  expect(cli.sent).toHaveLength(0)
  expect(cli.closed).toBe('terminate')
  expect(sess.termination).toEqual({ by: 'P', phase: 'R' })
})

test('the backend rules run after the frontend ones, on the request as they left it', () => {
  const ok = request('GET / HTTP/1.1\nHost: a\n\n')
  using _o = ok.f
  expect(frontendRules(ok.sess, ok.st) && switching(ok.sess, ok.st) && backendRules(ok.sess, ok.st)).toBe(true)
  expect(ok.st.beRules).toBe(ok.f.fe.host.rulesOf('app'))
  expect(ok.st.req!.headers.get('x-be')).toBe('1')

  const denied = request('GET /be-deny HTTP/1.1\nHost: a\n\n')
  using _d = denied.f
  expect(frontendRules(denied.sess, denied.st) && switching(denied.sess, denied.st)).toBe(true)
  expect(backendRules(denied.sess, denied.st)).toBe(false)
  expect(denied.cli.text()).toStartWith('HTTP/1.1 403 ')
})

test('a listen section is its own backend: its rules run once, as the frontend\'s', () => {
  using f = proxyFixture(`
defaults
  mode http
listen web
  bind 127.0.0.1:0
  http-request add-header X-Seen 1
  server a1 127.0.0.1:1
`)
  const { sess } = f.session()
  const st = sess.st
  st.req = headOf('GET / HTTP/1.1\nHost: a\n\n')
  expect(frontendRules(sess, st) && switching(sess, st) && backendRules(sess, st)).toBe(true)
  expect(st.beRules).toBe(f.fe.rules)
  let n = 0
  for (let i = st.req!.headers.find('x-seen', 0); i >= 0; i = st.req!.headers.find('x-seen', i + 1)) n++
  expect(n).toBe(1)
})

test("a backend's tcp-request content rules run in http mode too, before its http-request rules", () => {
  using f = proxyFixture(`
defaults
  mode http
frontend web
  bind 127.0.0.1:0
  default_backend app
backend app
  tcp-request content set-var(txn.seen) str(be)
  tcp-request content reject if { hdr(x-drop) -m found }
  http-request set-header X-Seen %[var(txn.seen)]
  server a1 127.0.0.1:1
`)
  const run = (text: string) => {
    const { sess, cli } = f.session()
    const st = sess.st
    st.req = headOf(text)
    const ok = frontendRules(sess, st) && switching(sess, st) && backendRules(sess, st)
    return { ok, st, cli, sess }
  }
  const a = run('GET / HTTP/1.1\nHost: a\n\n')
  expect(a.ok).toBe(true)
  expect(a.st.req!.headers.get('x-seen')).toBe('be')
  const b = run('GET / HTTP/1.1\nHost: a\nX-Drop: 1\n\n')
  expect(b.ok).toBe(false)
  expect(b.cli.closed).toBe('terminate')
  expect(b.sess.termination).toEqual({ by: 'P', phase: 'R' })
})
