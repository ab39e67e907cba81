import { describe, expect, test } from 'bun:test'
import { countHttpRequest, countHttpResponse, countBytes, sessionEnd, streamEnd } from './tracking.ts'
import { request, response, session, stream } from '../../test/support/rules.ts'
import { rulesFrom } from '../../test/support/rules-ctx.ts'

const bytes = (t: string) => new TextEncoder().encode(t)
const get = (host: string, uri: string, method = 'GET') => stream({ req: request(method, uri, [['Host', host]]) })

const SWITCHING = `
frontend www
  mode http
  bind :0
  acl host_api hdr(host) -i api.example.com
  acl is_static path_beg /static /images
  acl is_static path_end .css .js
  acl is_write method POST PUT DELETE
  use_backend api if host_api
  use_backend static if is_static !is_write
  use_backend writers if is_write
  use_backend %[req.hdr(host),lower,map(hosts.map)] if { req.hdr(host),lower,map(hosts.map) -m found }
  use_backend be_%[req.hdr(x-tenant)] if { req.hdr(x-tenant) -m found }
  default_backend app
backend app
  mode http
backend api
  mode http
backend static
  mode http
backend writers
  mode http
backend be_acme
  mode http
`

describe('content switching', () => {
  const { rules } = rulesFrom(SWITCHING)
  const fe = rules.proxies.get('www')!
  test('by host, path and method, in rule order, with default_backend', () => {
    expect(fe.selectBackend(get('API.example.com', '/static/x.css'))).toBe('api')
    expect(fe.selectBackend(get('www.example.com', '/static/a.png'))).toBe('static')
    expect(fe.selectBackend(get('www.example.com', '/js/app.js'))).toBe('static')
    expect(fe.selectBackend(get('www.example.com', '/static/a.png', 'POST'))).toBe('writers')
    expect(fe.selectBackend(get('other.org', '/'))).toBe('app')
    expect(fe.has.switching).toBe(true)
  })
  test('a map picks the backend; a dynamic name that is no backend falls back to default_backend', () => {
    expect(fe.selectBackend(get('STATIC.example.com', '/'))).toBe('static')
    const t = get('x', '/')
    t.req!.headers.add('X-Tenant', 'acme')
    expect(fe.selectBackend(t)).toBe('be_acme')
    const u = get('x', '/')
    u.req!.headers.add('X-Tenant', 'nobody')
    expect(fe.selectBackend(u)).toBe('app')
  })
  test('an unknown static backend is an error at the line', () => {
    expect(() => rulesFrom('frontend f\n  bind :0\n  use_backend nope if TRUE\nbackend app\n')).toThrow(/test.cfg:3: error: use_backend.*'nope'/)
  })
  test('a proxy without rules has nothing to run', () => {
    const p = rules.proxies.get('app')!
    expect(p.has).toEqual({ tcpConnection: false, tcpContent: false, tcpResponse: false, httpRequest: false, httpResponse: false, httpAfterResponse: false, switching: false, stick: false, persist: false, useServer: false, stats: false })
    expect(p.httpRequest(get('x', '/'))).toEqual({ kind: 'continue' })
    expect(p.tcpConnection(session())).toBe('accept')
    expect(p.selectBackend(get('x', '/'))).toBeUndefined()
  })
})

describe('tcp-request', () => {
  test('connection rules accept or reject on the address, and track', () => {
    const { rules } = rulesFrom(`
frontend f
  bind :0
  stick-table type ip size 10 store conn_cnt,conn_cur,sess_cnt
  tcp-request connection reject if { src 10.0.0.0/8 }
  tcp-request connection track-sc0 src
  tcp-request connection reject if { sc0_conn_cnt gt 2 }
  default_backend b
backend b
`)
    const fe = rules.proxies.get('f')!
    expect(fe.tcpConnection(session({ cliAddr: '10.1.1.1' }))).toBe('reject')
    const sessions = [session(), session(), session()]
    expect(sessions.map((s) => fe.tcpConnection(s))).toEqual(['accept', 'accept', 'reject'])
    const t = rules.tables.get('f')!
    const e = t.lookup('192.168.1.10')!
    expect([t.read(e, 'conn_cnt'), t.read(e, 'conn_cur'), t.read(e, 'sess_cnt')]).toEqual([3, 3, 3])
    for (const s of sessions) sessionEnd(s)
    expect([t.read(e, 'conn_cur'), e.refs]).toEqual([0, 0])
  })
  test('content inspection routes two protocols on one port, waiting for enough bytes', () => {
    const { rules } = rulesFrom(`
frontend mux
  bind :0
  tcp-request inspect-delay 5s
  acl is_ssh req.payload(0,7) -m bin 5353482d322e30
  tcp-request content accept if is_ssh
  tcp-request content accept if HTTP
  tcp-request content reject if WAIT_END
  use_backend ssh if is_ssh
  use_backend web if HTTP
backend ssh
backend web
`)
    const fe = rules.proxies.get('mux')!
    expect(fe.inspectDelay).toBe(5000)
    const ssh = stream({ payload: bytes('SSH'), payloadFinal: false })
    expect(fe.tcpContent(ssh)).toBe('wait')
    ssh.payload = bytes('SSH-2.0-OpenSSH_9\r\n')
    expect(fe.tcpContent(ssh)).toBe('accept')
    expect(fe.selectBackend(ssh)).toBe('ssh')
    const web = stream({ payload: bytes('GET / HT'), payloadFinal: false })
    expect(fe.tcpContent(web)).toBe('wait')
    web.payload = bytes('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    expect(fe.tcpContent(web)).toBe('accept')
    expect(fe.selectBackend(web)).toBe('web')
    const junk = stream({ payload: bytes('\x00\x01'), payloadFinal: false })
    expect(fe.tcpContent(junk)).toBe('wait')
    junk.payloadFinal = true // the inspect delay expired
    expect(fe.tcpContent(junk)).toBe('reject')
  })
  test('content rules resume where they waited: effects run once', () => {
    const { rules } = rulesFrom(`
frontend f
  bind :0
  stick-table type ip size 10 store gpc0
  tcp-request inspect-delay 1s
  tcp-request content track-sc1 src
  tcp-request content sc-inc-gpc0(1)
  tcp-request content accept if { req.len ge 4 }
  default_backend b
backend b
`)
    const fe = rules.proxies.get('f')!
    const s = stream({ payload: bytes('ab'), payloadFinal: false })
    expect(fe.tcpContent(s)).toBe('wait')
    s.payload = bytes('abcd')
    expect(fe.tcpContent(s)).toBe('accept')
    const t = rules.tables.get('f')!
    expect(t.read(t.lookup('192.168.1.10')!, 'gpc0')).toBe(1)
  })
  test('set-var and the default verdict', () => {
    const { rules } = rulesFrom('frontend f\n  bind :0\n  tcp-request content set-var(sess.proto) str(ssh) if { req.len gt 0 }\n  default_backend b\nbackend b\n')
    const s = stream({ payload: bytes('x') })
    expect(rules.proxies.get('f')!.tcpContent(s)).toBe('accept')
    expect(s.sess.vars.get('sess.proto')).toBe('ssh')
  })
})

describe('rate limiting', () => {
  const CFG = `
frontend www
  mode http
  bind :0
  stick-table type ip size 100k expire 30s store http_req_rate(10s),http_err_rate(10s),bytes_out_rate(10s),gpc0
  http-request track-sc0 src
  http-request deny deny_status 429 if { sc_http_req_rate(0) gt 10 }
  default_backend app
backend app
  mode http
`
  test('answers 429 past 10 requests in the window, and recovers after it', () => {
    const { rules, clock } = rulesFrom(CFG)
    const fe = rules.proxies.get('www')!
    const sess = session()
    const run = () => {
      const s = stream({ sess, req: request('GET', '/') })
      const v = fe.httpRequest(s)
      streamEnd(s)
      return v.kind === 'deny' ? v.status : 200
    }
    const first = Array.from({ length: 12 }, run)
    expect(first).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 429, 429])
    clock.set(clock.now() + 5_000)
    expect(run()).toBe(429) // still within the window
    clock.set(clock.now() + 25_000) // two periods later: forgotten
    expect(run()).toBe(200)
    // Another client is not limited by the first one.
    const other = stream({ sess: session({ cliAddr: '192.168.1.11' }), req: request('GET', '/') })
    expect(fe.httpRequest(other)).toEqual({ kind: 'continue' })
  })
  test('session-tracked entries count each request, errors and bytes', () => {
    const { rules } = rulesFrom(CFG.replace('http-request track-sc0 src', 'tcp-request connection track-sc0 src'))
    const fe = rules.proxies.get('www')!
    const sess = session()
    expect(fe.tcpConnection(sess)).toBe('accept')
    const t = rules.tables.get('www')!
    const e = t.lookup('192.168.1.10')!
    for (let i = 0; i < 3; i++) {
      const s = stream({ sess, req: request('GET', '/') })
      countHttpRequest(s)
      fe.httpRequest(s)
      s.res = response(i === 0 ? 404 : i === 1 ? 401 : 200)
      countHttpResponse(s, s.res.status)
      countBytes(s, 100, 1000)
      streamEnd(s)
    }
    expect(t.read(e, 'http_req_rate')).toBe(3)
    expect(t.read(e, 'http_err_rate')).toBe(1) // 404 counts, 401 does not
    expect(t.read(e, 'bytes_out_rate')).toBe(3000)
    sessionEnd(sess)
    expect(e.refs).toBe(0)
  })
})

describe('persistence', () => {
  const CFG = `
backend app
  mode http
  stick-table type string len 32 size 1k expire 30m
  stick on src table ip_tbl
  stick match req.cook(JSESSIONID)
  stick store-response res.cook(JSESSIONID)
  ignore-persist if { path_beg /static }
  force-persist if { req.hdr(x-debug) -m found }
  use-server s2 if { path_beg /admin }
  server s1 127.0.0.1:1
  server s2 127.0.0.1:2
backend ip_tbl
  stick-table type ip size 1k expire 30m
`
  test('stick on src: learn then match', () => {
    const { rules } = rulesFrom(CFG)
    const be = rules.proxies.get('app')!
    const s = get('x', '/')
    expect(be.stickMatch(s)).toBeUndefined()
    be.stickStoreRequest(s, { id: 2, name: 's2' })
    expect(be.stickMatch(get('x', '/'))).toBe('s2')
    expect(rules.tables.get('ip_tbl')!.lookup('192.168.1.10')!.serverId).toBe(2)
  })
  test('store-response learns a Set-Cookie; the next request matches its cookie', () => {
    const { rules } = rulesFrom(CFG)
    const be = rules.proxies.get('app')!
    const s = stream({ sess: session({ cliAddr: '10.9.9.9' }), req: request('GET', '/login') })
    s.res = response(200, [['Set-Cookie', 'JSESSIONID=abc123; Path=/']])
    be.stickStoreResponse(s, { id: 1, name: 's1' })
    const next = stream({ sess: session({ cliAddr: '10.8.8.8' }), req: request('GET', '/', [['Cookie', 'JSESSIONID=abc123']]) })
    expect(be.stickMatch(next)).toBe('s1')
  })
  test('ignore-persist, force-persist, use-server', () => {
    const { rules } = rulesFrom(CFG)
    const be = rules.proxies.get('app')!
    expect(be.ignorePersist(get('x', '/static/a'))).toBe(true)
    expect(be.ignorePersist(get('x', '/a'))).toBe(false)
    const dbg = get('x', '/')
    dbg.req!.headers.add('X-Debug', '1')
    expect(be.forcePersist(dbg)).toBe(true)
    expect(be.useServer(get('x', '/admin'))).toBe('s2')
    expect(be.useServer(get('x', '/'))).toBeUndefined()
    expect(be.has.stick && be.has.persist && be.has.useServer).toBe(true)
    expect(() => rulesFrom('backend b\n  use-server nope if TRUE\n  server s1 127.0.0.1:1\n')).toThrow(/no server named 'nope'/)
    expect(() => rulesFrom('backend b\n  stick on src\n')).toThrow(/has no stick-table/)
  })
})
