import { describe, expect, test } from 'bun:test'
import { cfg, startLb } from '../../test/support/harness.ts'
import { rawExchange } from '../../test/support/http-harness.ts'
import { proxyFixture, headOf } from '../../test/support/proxy.ts'
import { logRequest, logSession } from './traffic-log.ts'

const DATE = /\[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]/.source

function tcp(lines: string) {
  return proxyFixture(`
defaults
  mode tcp
  log stdout format raw local0
listen app
  bind 127.0.0.1:0
  ${lines}
  server s1 127.0.0.1:1
`)
}

describe('a tcp session', () => {
  test('tcplog: Tw/Tc/Tt, bytes to the client, termination, counts, queues', () => {
    using f = tcp('option tcplog\n  option log-separate-errors')
    const be = f.backends.get('app')!
    const { sess } = f.tcpSession()
    sess.be = be
    sess.server = be.servers[0]!
    sess.queueStart = sess.acceptTime
    sess.queueEnd = sess.acceptTime + 4
    sess.connectStart = sess.acceptTime + 4
    sess.connectEnd = sess.acceptTime + 6
    sess.bytesIn = 7
    sess.bytesOut = 120
    sess.retries = 1
    sess.termination = { by: '-', phase: '-' }
    logSession(sess)
    expect(f.lines).toHaveLength(1)
    // A retry is an error: `option log-separate-errors` sends it at err (3).
    expect(f.lines[0]).toMatch(new RegExp(`^<3>192\\.0\\.2\\.7:40000 ${DATE} app app/s1 4/2/\\d+ 120 -- 0/0/0/0/1 0/0$`))
  })

  test('no server: <NOSRV>; no backend: <NOBACKEND>; dontlognull drops a session that moved no byte', () => {
    using f = tcp('option tcplog\n  option dontlognull')
    const be = f.backends.get('app')!
    const nosrv = f.tcpSession().sess
    nosrv.be = be
    nosrv.bytesIn = 1
    nosrv.termination = { by: 'S', phase: 'C' }
    logSession(nosrv)
    const nobe = f.tcpSession().sess
    nobe.bytesIn = 1
    nobe.termination = { by: 'P', phase: 'R' }
    logSession(nobe)
    const silent = f.tcpSession().sess
    silent.termination = { by: 'C', phase: 'R' }
    logSession(silent)
    expect(f.lines).toHaveLength(2)
    expect(f.lines[0]).toContain(' app app/<NOSRV> -1/-1/')
    expect(f.lines[0]).toContain(' SC ')
    expect(f.lines[1]).toContain(' app <NOBACKEND>/<NOSRV> ')
  })

  test('log-format reads the same record; what tcp lines lack (status) prints as -', () => {
    using f = tcp(`log-format "%ST %U %B %ts %Tw %rc"`)
    const { sess } = f.tcpSession()
    sess.be = f.backends.get('app')!
    sess.bytesIn = 3
    sess.bytesOut = 5
    sess.termination = { by: 'c', phase: 'D' }
    logSession(sess)
    expect(f.lines).toEqual(['<6>- 3 5 cD -1 0'])
  })
})

function http(lines: string) {
  return proxyFixture(`
defaults
  mode http
  log stdout format raw local0
listen web
  bind 127.0.0.1:0
  ${lines}
  server s1 127.0.0.1:1
`)
}

describe('an http request', () => {
  test('httplog: TR/Tw/Tc/Tr/Ta, status, cookie flags, captures, the request line, + when redispatched', () => {
    using f = http('option httplog\n  cookie SRV insert\n  capture request header Host len 8')
    const be = f.backends.get('web')!
    const { sess } = f.session()
    const st = sess.st
    st.req = headOf('GET /a?b HTTP/1.1\nHost: a\n\n')
    st.be = be
    st.server = be.servers[0]!
    st.headAt = st.start + 3
    st.connectStart = st.headAt
    st.connectEnd = st.sentAt = st.headAt + 1
    st.resHeadAt = st.sentAt + 10
    st.status = 200
    st.bytesOut = 99
    st.reqCookie = 'N'
    st.resCookie = 'I'
    st.reqCaptures = ['a']
    st.retries = 1
    st.redispatched = true
    logRequest(sess, st)
    expect(f.lines).toHaveLength(1)
    expect(f.lines[0]).toMatch(new RegExp(`^<6>192\\.0\\.2\\.7:40000 ${DATE} web web/s1 3/0/1/10/\\d+ 200 99 - - --NI 0/0/0/0/\\+1 0/0 \\{a\\} "GET /a\\?b HTTP/1.1"$`))
  })

  test('a request that never got a head is <BADREQ>, and a 5xx is an error', () => {
    using f = http('option httplog\n  option log-separate-errors')
    const { sess } = f.session()
    sess.termination = { by: 'c', phase: 'R' }
    sess.st.status = 408
    logRequest(sess, sess.st)
    const other = f.session().sess
    other.st.req = headOf('GET / HTTP/1.0\n\n')
    other.st.status = 503
    other.termination = { by: 'S', phase: 'C' }
    logRequest(other, other.st)
    expect(f.lines[0]).toMatch(/^<3>.* web web\/<NOSRV> -1\/-1\/-1\/-1\/\d+ 408 0 - - cR-- .* "<BADREQ>"$/)
    expect(f.lines[1]).toMatch(/^<3>.* 503 0 - - SC-- .* "GET \/ HTTP\/1.0"$/)
  })

  test('log-format reads the same record; what http lines lack (bytes in) prints as -', () => {
    using f = http(`log-format "%ST %U %B %tsc %TR %b %r"`)
    const { sess } = f.session()
    const st = sess.st
    st.req = headOf('GET /x HTTP/1.1\nHost: a\n\n')
    st.be = f.backends.get('web')!
    st.headAt = st.start
    st.status = 204
    st.bytesOut = 12
    sess.termination = { by: '-', phase: '-' }
    logRequest(sess, st)
    expect(f.lines).toEqual(['<6>204 - 12 ---- 0 web GET /x HTTP/1.1'])
  })

  test('set-log-level silent keeps the line out', () => {
    using f = http('option httplog')
    const { sess } = f.session()
    sess.st.req = headOf('GET / HTTP/1.1\nHost: a\n\n')
    sess.st.logLevel = 'silent'
    logRequest(sess, sess.st)
    expect(f.lines).toEqual([])
  })
})

describe('a frontend that logs without a log format', () => {
  test("each accepted connection gets HAProxy's 'Connect from SRC to DST (FE/MODE)' line at info; none with tcplog/httplog", async () => {
    await using lb = await startLb(cfg`
      global
        log stdout format raw local0
      defaults
        timeout client 5s
        timeout server 5s
        timeout connect 1s
        log global
      frontend plain
        bind 127.0.0.1:0
        mode http
        http-request return status 200
      frontend formatted
        bind 127.0.0.1:0
        mode http
        option httplog
        http-request return status 200`)
    await rawExchange(lb.port('plain'), 'GET / HTTP/1.0\r\n\r\n')
    const lines = await lb.waitLogs(1)
    expect(lines[0]).toMatch(/^Connect from 127\.0\.0\.1:\d+ to 127\.0\.0\.1:\d+ \(plain\/HTTP\)$/)
    expect(lines[0]).toContain(`to 127.0.0.1:${lb.port('plain')} `)
    await rawExchange(lb.port('formatted'), 'GET / HTTP/1.0\r\n\r\n')
    await lb.waitLogs(2)
    expect(lb.logs.filter((l) => l.startsWith('Connect from'))).toHaveLength(1)
  })
})
