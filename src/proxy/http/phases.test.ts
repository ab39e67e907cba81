import { expect, test } from 'bun:test'
import { headOf, proxyFixture } from '../../../test/support/proxy.ts'
import { requestPhases, responsePhases } from './phases.ts'

const CONFIG = `
defaults
  mode http
frontend web
  bind 127.0.0.1:0
  monitor-uri /healthz
  http-request deny if { path_beg / } { hdr(x-deny) -m found }
  http-after-response set-header X-After 1
  default_backend app
backend app
  stick-table type string len 32 size 10 expire 1m
  stick store-response res.hdr(x-sid)
  stick match req.hdr(x-sid)
  http-response deny if { res.hdr(x-bad) -m found }
  server s1 127.0.0.1:1
`

test('the request phases run in order and stop at the first that answers', () => {
  using f = proxyFixture(CONFIG)
  const app = f.backends.get('app')!
  // monitor-uri (waitRequest) answers before the frontend rules would deny.
  const monitor = f.session()
  monitor.sess.st.req = headOf('GET /healthz HTTP/1.1\nHost: a\nX-Deny: 1\n\n')
  expect(requestPhases(monitor.sess, monitor.sess.st)).toBe(false)
  expect(monitor.cli.text()).toStartWith('HTTP/1.1 200 ')
  // A frontend deny stops before switching: no backend is entered.
  const denied = f.session()
  denied.sess.st.req = headOf('GET / HTTP/1.1\nHost: a\nX-Deny: 1\n\n')
  expect(requestPhases(denied.sess, denied.sess.st)).toBe(false)
  expect(denied.cli.text()).toStartWith('HTTP/1.1 403 ')
  expect(app.beconn).toBe(0)
  // Otherwise every phase runs: the backend entered, persistence and the server's headers done.
  const ok = f.session()
  ok.sess.st.req = headOf('GET / HTTP/1.1\nHost: a\n\n')
  expect(requestPhases(ok.sess, ok.sess.st)).toBe(true)
  expect(ok.sess.st.be).toBe(app)
  expect(ok.sess.st.reqCookie).toBe('-')
  expect(ok.cli.sent).toHaveLength(0)
})

test('the response phases: rules, then stick store, then http-after-response; a deny skips the rest', () => {
  using f = proxyFixture(CONFIG)
  const app = f.backends.get('app')!
  function response(res: string) {
    const x = f.session()
    const st = x.sess.st
    st.req = headOf('GET / HTTP/1.1\nHost: a\n\n')
    if (!requestPhases(x.sess, st)) throw new Error('request stopped')
    st.server = app.servers[0]!
    st.res = headOf(res, true)
    st.status = st.res.status
    return { ...x, st }
  }
  const bad = response('HTTP/1.1 200 OK\nX-Bad: 1\nX-Sid: s-bad\nContent-Length: 0\n\n')
  expect(responsePhases(bad.sess, bad.st)).toBe(false)
  expect(bad.cli.text()).toStartWith('HTTP/1.1 502 ')
  const good = response('HTTP/1.1 200 OK\nX-Sid: s-good\nContent-Length: 0\n\n')
  expect(responsePhases(good.sess, good.st)).toBe(true)
  expect(good.st.res!.headers.get('x-after')).toBe('1')
  // Only the response that went on was stored.
  const table = f.fe.host.rulesOf('app')!
  const next = (sid: string) => {
    const x = f.session()
    x.sess.st.req = headOf(`GET / HTTP/1.1\nHost: a\nX-Sid: ${sid}\n\n`)
    requestPhases(x.sess, x.sess.st)
    return x.sess.st.persisted
  }
  expect(table.has.stick).toBe(true)
  expect(next('s-good')).toBe(app.servers[0]!)
  expect(next('s-bad')).toBeUndefined()
})
