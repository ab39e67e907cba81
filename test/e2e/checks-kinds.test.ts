// Each kind of check against a real server on 127.0.0.1 that the test flips between a good and a
// bad answer: HTTP (every option httpchk form, http-check send/expect, disable-on-404), TLS hello
// against a real TLS server and a plain one, tcp-check scripts over several ports, and the SMTP,
// Redis, MySQL, PostgreSQL and LDAP greetings, and the SPOP hello.
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import tls from 'node:tls'
import { listenSection, LOGGED_GLOBAL, nextChecks, serverOf, stateLines, waitLine } from '../support/checks.ts'
import { ROOT, startLb, startServer, until, type TestConn, type TestServer } from '../support/harness.ts'
import { startHttpServer } from '../support/http-harness.ts'

/** A listen section with one checked server and the given check lines, logging its state lines. */
function checked(port: number, lines: string, server = 'check inter 100 fall 1 rise 1'): string {
  return LOGGED_GLOBAL + listenSection('web', `${lines}\nserver s 127.0.0.1:${port} ${server}`, true)
}

/** A server that runs `onConn` for each connection (greetings) and `onData` for what arrives. */
function protocolServer(name: string, onConn: (c: TestConn) => void, onData?: (c: TestConn, chunk: Buffer) => void): TestServer {
  const srv = startServer(name, 'manual')
  srv.onAccept = (c) => {
    if (onData) c.onData = onData
    onConn(c)
  }
  return srv
}

describe('option httpchk', () => {
  test('default request, 2xx and 3xx are up, a 404 is down with its reason', async () => {
    let status = '200 OK'
    await using origin = startHttpServer('o', () => `HTTP/1.0 ${status}\r\nContent-Length: 0\r\n\r\n`)
    await using lb = await startLb(checked(origin.port, '  option httpchk'))
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    expect(origin.requests[0]!.head).toBe('OPTIONS / HTTP/1.0\r\n\r\n')
    expect(s.lastCheck).toMatchObject({ status: 'L7OK', code: 200, info: '' })
    status = '302 Found'
    await nextChecks(s)
    expect(s.up).toBe(true)
    status = '404 Not Found'
    await waitLine(lb, /is DOWN/)
    expect(stateLines(lb)[0]).toBe('Server web/s is DOWN, reason: Layer7 wrong status, code: 404, info: "Not Found", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
    status = '200 OK'
    await waitLine(lb, /is UP/)
    expect(stateLines(lb)[2]).toBe('Server web/s is UP, reason: Layer7 check passed, code: 200, check duration: Nms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.')
  })

  // [what, the option line, the server's answer, the request it must receive]
  const forms: [string, string, string, string][] = [
    ['the 1.x form sends its embedded headers exactly as written', 'option httpchk OPTIONS * HTTP/1.1\\r\\nHost:\\ www',
      'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', 'OPTIONS * HTTP/1.1\r\nHost: www\r\n\r\n'],
    ['method, URI and version: HEAD /running as in guide §4.1 (a HEAD answer has no body)', 'option httpchk HEAD /running HTTP/1.0',
      'HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n', 'HEAD /running HTTP/1.0\r\n\r\n'],
    ['a URI alone: OPTIONS with it', 'option httpchk /health',
      'HTTP/1.0 200 OK\r\n\r\n', 'OPTIONS /health HTTP/1.0\r\n\r\n'],
  ]
  for (const [what, option, answer, request] of forms) {
    test(what, async () => {
      await using origin = startHttpServer('o', () => answer)
      await using lb = await startLb(checked(origin.port, `  ${option}`))
      const s = serverOf(lb, 'web', 's')
      await nextChecks(s)
      expect(origin.requests[0]!.head).toBe(request)
      expect(s.lastCheck!.status).toBe('L7OK')
    })
  }

  test('http-check expect hdr|fhdr: header names and values by str, beg, end, sub, reg; -lf patterns read http-check set-var variables', async () => {
    let hdr = 'x-test2: true, begin-value, value-end'
    await using origin = startHttpServer('o', () => `HTTP/1.1 202 Accepted\r\nx-test1: true, next value\r\n${hdr}\r\nx-hdr-name: x-test1\r\nContent-Length: 0\r\n\r\n`)
    await using lb = await startLb(checked(origin.port, [
      '  option httpchk',
      '  http-check expect status 200-399',
      '  http-check expect hdr name -m str "X-Test2"',
      '  http-check expect hdr name -m reg "^[a-z]+-Test[0-9]$"',
      '  http-check expect fhdr name "x-test1" value "true, next value"',
      '  http-check expect hdr name -m beg "x-test" value -m end "-end"',
      '  http-check set-var(check.hdr_name) res.fhdr(x-hdr-name)',
      '  http-check expect hdr name-lf -m str "%[var(check.hdr_name)]"',
    ].join('\n')))
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    expect(s.lastCheck).toMatchObject({ status: 'L7OK', code: 202 })
    hdr = 'x-test2: true, begin-value'
    await waitLine(lb, /is DOWN/)
    expect(stateLines(lb)[0]).toStartWith('Server web/s is DOWN, reason: Layer7 invalid response, info: "HTTP header value not found"')
  })

  test('http-check send sets the request line, headers and body', async () => {
    await using origin = startHttpServer('o', () => 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
    await using lb = await startLb(checked(origin.port, '  option httpchk\n  http-check send meth GET uri /status ver HTTP/1.1 hdr Host my-www-host hdr X-Test true body test'))
    await nextChecks(serverOf(lb, 'web', 's'))
    const r = origin.requests[0]!
    expect(r.head).toBe('GET /status HTTP/1.1\r\nHost: my-www-host\r\nX-Test: true\r\nConnection: close\r\nContent-Length: 4\r\n\r\n')
    expect(r.body).toBe('test')
  })

  test('option httpchk in the section drops the http-check send lines of its defaults', async () => {
    await using origin = startHttpServer('o', () => 'HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')
    const defaults = 'defaults\n  option httpchk GET /status HTTP/1.1\n  http-check send hdr Host my-www-host body test\n'
    await using lb = await startLb(LOGGED_GLOBAL + defaults + listenSection('web', `option httpchk\nserver s 127.0.0.1:${origin.port} check inter 100 fall 1 rise 1`, true))
    await nextChecks(serverOf(lb, 'web', 's'))
    expect(origin.requests[0]!.head).toBe('OPTIONS / HTTP/1.0\r\n\r\n')
    expect(origin.requests[0]!.body).toBe('')
  })

  test('http-check expect status, string and ! string', async () => {
    let body = 'service alive'
    await using origin = startHttpServer('o', () => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`)
    await using lb = await startLb(checked(origin.port, '  option httpchk GET /\n  http-check expect status 200\n  http-check expect string alive\n  http-check expect ! string maintenance'))
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    expect(s.up).toBe(true)
    body = 'service dead'
    await waitLine(lb, /is DOWN/)
    expect(stateLines(lb)[0]).toBe('Server web/s is DOWN, reason: Layer7 invalid response, info: "HTTP content check did not match", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
    body = 'alive but in maintenance'
    await nextChecks(s)
    expect(s.lastCheck).toMatchObject({ status: 'L7RSP', info: 'HTTP check matched unwanted content' })
  })

  test('a chunked body is decoded before matching; rstatus matches the code', async () => {
    await using origin = startHttpServer('o', () => 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\nal\r\n3\r\nive\r\n0\r\n\r\n')
    await using lb = await startLb(checked(origin.port, '  option httpchk GET /\n  http-check expect rstatus ^2\n  http-check expect string alive'))
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    expect(s.lastCheck).toMatchObject({ status: 'L7OK', code: 201 })
  })

  test('disable-on-404: a 404 takes the server out of the balancing without marking it down', async () => {
    let status = '200 OK'
    await using origin = startHttpServer('o', () => `HTTP/1.0 ${status}\r\nContent-Length: 0\r\n\r\n`)
    await using other = startServer('other')
    await using lb = await startLb(`${checked(origin.port, '  option httpchk\n  http-check disable-on-404')}  server t 127.0.0.1:${other.port}\n`)
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    status = '404 Not Found'
    await waitLine(lb, /is stopping/)
    expect(stateLines(lb)[0]).toBe('Server web/s is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: Nms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.')
    expect([s.up, s.nolb, s.usable]).toEqual([true, true, false])
    status = '200 OK'
    await waitLine(lb, /is UP/)
    expect(s.usable).toBe(true)
  })

  test('a server that closes without answering, or answers garbage, is an invalid response', async () => {
    let mode: 'close' | 'garbage' = 'close'
    await using srv = protocolServer('bad', () => {}, (c) => { if (mode === 'close') c.shutdown(); else { void c.write('SSH-2.0-OpenSSH\r\n'); c.shutdown() } })
    await using lb = await startLb(checked(srv.port, '  option httpchk'))
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    expect(s.lastCheck).toMatchObject({ status: 'L7RSP', info: 'TCPCHK got an empty response at step 2' })
    mode = 'garbage'
    await nextChecks(s)
    expect(s.lastCheck!.status).toBe('L7RSP')
  })
})

describe('option ssl-hello-chk', () => {
  test('a real TLS server answers the hello: up (L6OK); a plain TCP server is seen down (L6RSP)', async () => {
    const key = readFileSync(join(ROOT, 'test/fixtures/check-tls.key'))
    const cert = readFileSync(join(ROOT, 'test/fixtures/check-tls.crt'))
    const server = tls.createServer({ key, cert }, (s) => { s.end() })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const tlsPort = (server.address() as import('node:net').AddressInfo).port
    await using plain = startServer('plain')
    try {
      await using lb = await startLb(`${checked(tlsPort, '  option ssl-hello-chk')}  server p 127.0.0.1:${plain.port} check inter 100 fall 1\n`)
      const s = serverOf(lb, 'web', 's')
      await nextChecks(s, 2)
      expect(s.lastCheck).toMatchObject({ status: 'L6OK', desc: 'Layer6 check passed' })
      expect(s.up).toBe(true)
      await waitLine(lb, /web\/p is DOWN/)
      expect(stateLines(lb)[0]).toBe('Server web/p is DOWN, reason: Layer6 invalid response, check duration: Nms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
    } finally {
      await new Promise<void>((r) => server.close(() => r()))
    }
  })

  test('a server that closes on the hello: Layer6 invalid response, an empty response at step 2', async () => {
    await using closer = protocolServer('closer', () => {}, (c) => { c.end() })
    await using lb = await startLb(checked(closer.port, '  option ssl-hello-chk'))
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    expect(s.lastCheck).toMatchObject({ status: 'L6RSP', info: 'TCPCHK got an empty response at step 2' })
  })

  test('a server that never answers the hello is a Layer6 timeout', async () => {
    await using mute = startServer('mute', 'manual')
    await using lb = await startLb(checked(mute.port, '  option ssl-hello-chk'))
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    expect(s.lastCheck!.status).toBe('L6TOUT')
  })
})

describe('tcp-check scripts', () => {
  test('banners on two ports, a send and an expect; a failure names its step (min-recv: no waiting for more)', async () => {
    let banner2 = '220 ready\r\n'
    await using p1 = protocolServer('p1', (c) => { void c.write('+OK banner1\r\n') }, (c, chunk) => { if (chunk.toString().includes('PING')) void c.write('PONG\r\n') })
    await using p2 = protocolServer('p2', (c) => { void c.write(banner2) })
    await using lb = await startLb(checked(p1.port, `  option tcp-check
  tcp-check connect port ${p1.port}
  tcp-check expect string +OK
  tcp-check send PING\\r\\n
  tcp-check expect string PONG
  tcp-check comment "second service"
  tcp-check connect port ${p2.port}
  tcp-check expect min-recv 3 rstring ^220`))
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    expect(s.lastCheck).toMatchObject({ status: 'L7OK', info: '(tcp-check)' })
    expect(p1.conns[0]!.text()).toBe('PING\r\n')
    banner2 = '500 go away\r\n'
    await waitLine(lb, /is DOWN/)
    expect(stateLines(lb)[0]).toBe('Server web/s is DOWN, reason: Layer7 invalid response, info: "TCPCHK did not match content (regex) at step 6", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
    banner2 = '220 ready\r\n'
    await waitLine(lb, /is UP/)
    p2.close()
    await lb.logged.until(() => stateLines(lb).filter((l) => l.includes('is DOWN')).length === 2, 'a second DOWN')
    expect(stateLines(lb).filter((l) => l.includes('is DOWN'))[1]).toBe(`Server web/s is DOWN, reason: Layer4 connection problem, info: "Connection refused at step 5 of tcp-check (connect port ${p2.port}) comment: 'second service'", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`)
  })

  test('send-binary and expect binary; an implicit first connect; a timeout names the step', async () => {
    let answer = Buffer.from([0x01, 0x02, 0x03])
    await using srv = protocolServer('bin', () => {}, (c, chunk) => { if (chunk[0] === 0xca) void c.write(answer) })
    await using lb = await startLb(checked(srv.port, '  option tcp-check\n  tcp-check send-binary cafe\n  tcp-check expect binary 0203', 'check inter 200 fall 1 rise 1'))
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    expect(s.lastCheck).toMatchObject({ status: 'L7OK', info: '(tcp-check)' })
    answer = Buffer.from([0x09])
    await nextChecks(s)
    expect(s.lastCheck).toMatchObject({ status: 'L7TOUT', info: " at step 2 of tcp-check (expect binary '0203')" })
  })
})

describe('protocol greetings', () => {
  test('smtpchk: a 2xx greeting and a 2xx answer to HELO; a 4xx greeting is a wrong status', async () => {
    let greeting = '220 mail.example ESMTP\r\n'
    await using srv = protocolServer('smtp', (c) => { void c.write(greeting) }, (c, chunk) => {
      const line = chunk.toString()
      if (line.startsWith('HELO') || line.startsWith('EHLO')) void c.write('250 mail.example hello\r\n')
      if (line.startsWith('QUIT')) { void c.write('221 bye\r\n'); c.shutdown() }
    })
    await using lb = await startLb(checked(srv.port, '  option smtpchk'))
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    expect(s.lastCheck).toMatchObject({ status: 'L7OK', code: 250, info: 'mail.example hello' })
    await until(() => srv.conns[0]!.text().includes('QUIT'), 'QUIT')
    expect(srv.conns[0]!.text()).toBe('HELO localhost\r\nQUIT\r\n')
    greeting = '421 busy, come back later\r\n'
    await waitLine(lb, /is DOWN/)
    expect(stateLines(lb)[0]).toBe('Server web/s is DOWN, reason: Layer7 wrong status, code: 421, info: "busy, come back later", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
  })

  test('smtpchk EHLO domain sends that command', async () => {
    await using srv = protocolServer('smtp', (c) => { void c.write('220 hi\r\n') }, (c, chunk) => { if (chunk.toString().startsWith('EHLO')) void c.write('250-mail\r\n250 OK\r\n') })
    await using lb = await startLb(checked(srv.port, '  option smtpchk EHLO checker.example'))
    await nextChecks(serverOf(lb, 'web', 's'))
    expect(srv.conns[0]!.text()).toStartWith('EHLO checker.example\r\n')
  })

  test('redis-check: PING must get +PONG', async () => {
    let reply = '+PONG\r\n'
    await using srv = protocolServer('redis', () => {}, (c) => { void c.write(reply) })
    await using lb = await startLb(checked(srv.port, '  option redis-check'))
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    expect(s.lastCheck).toMatchObject({ status: 'L7OK', info: 'Redis server is ok' })
    expect(srv.conns[0]!.text()).toBe('*1\r\n$4\r\nPING\r\n')
    reply = '-LOADING Redis is loading the dataset in memory\r\n'
    await waitLine(lb, /is DOWN/)
    expect(stateLines(lb)[0]).toBe('Server web/s is DOWN, reason: Layer7 wrong status, code: 0, info: "-LOADING Redis is loading the dataset in memory", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
  })

  test('mysql-check: the greeting gives the version; with a user, a refused login is a wrong status', async () => {
    const greeting = (() => {
      const payload = Buffer.concat([Buffer.from([0x0a]), Buffer.from('8.0.36\0', 'latin1'), Buffer.alloc(20, 1)])
      return Buffer.concat([Buffer.from([payload.length, 0, 0, 0]), payload])
    })()
    let accept = true
    const ok = Buffer.from([7, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0])
    const denied = (() => {
      const payload = Buffer.concat([Buffer.from([0xff, 0x15, 0x04]), Buffer.from('#28000Access denied', 'latin1')])
      return Buffer.concat([Buffer.from([payload.length, 0, 0, 2]), payload])
    })()
    await using srv = protocolServer('mysql', (c) => { void c.write(greeting) }, (c, chunk) => { if (chunk[3] === 1) void c.write(accept ? ok : denied) })
    await using lb = await startLb(checked(srv.port, '  option mysql-check'))
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    expect(s.lastCheck).toMatchObject({ status: 'L7OK', info: '8.0.36' })
    await using lb2 = await startLb(checked(srv.port, '  option mysql-check user edgelb'))
    const s2 = serverOf(lb2, 'web', 's')
    await nextChecks(s2)
    expect(s2.lastCheck).toMatchObject({ status: 'L7OK', info: '8.0.36' })
    // The 4.1 login packet for 'edgelb' and the QUIT packet, sent together once connected.
    const login = ['280000', '01', '00820000', '00800001', '21', '00'.repeat(23), Buffer.from('edgelb\0').toString('hex'), '00', '0100000001'].join('')
    expect(srv.conns.map((c) => c.bytes().toString('hex'))).toContain(login)
    accept = false
    await waitLine(lb2, /is DOWN/)
    expect(stateLines(lb2)[0]).toBe('Server web/s is DOWN, reason: Layer7 wrong status, code: 1045, info: "#28000Access denied", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
  })

  test('pgsql-check: AuthenticationOk is up, an ErrorResponse is an invalid response', async () => {
    let fail = false
    const authOk = Buffer.from('520000000800000000', 'hex')
    const error = Buffer.concat([Buffer.from('E', 'latin1'), Buffer.from([0, 0, 0, 30]), Buffer.from('SFATAL\0Mrole "x" does not exist\0\0', 'latin1')])
    await using srv = protocolServer('pg', () => {}, (c) => { void c.write(fail ? error : authOk) })
    await using lb = await startLb(checked(srv.port, '  option pgsql-check user x'))
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    expect(s.lastCheck).toMatchObject({ status: 'L7OK', info: 'PostgreSQL server is ok' })
    expect(srv.conns[0]!.bytes().subarray(8).toString('latin1')).toBe('user\0x\0\0')
    fail = true
    await waitLine(lb, /is DOWN/)
    expect(stateLines(lb)[0]).toBe('Server web/s is DOWN, reason: Layer7 invalid response, info: "FATAL", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
  })

  test('ldap-check: a bind response with 4-octet lengths, written in two parts, is a success', async () => {
    const answer = Buffer.from('308400000010020101618400000007' + '0a0100' + '04000400', 'hex')
    await using srv = protocolServer('ldap', () => {}, (c) => {
      void c.write(answer.subarray(0, 17)).then(() => c.write(answer.subarray(17)))
    })
    await using lb = await startLb(checked(srv.port, '  option ldap-check'))
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    expect(s.lastCheck).toMatchObject({ status: 'L7OK', info: 'Success' })
  })

  test('ldap-check: an anonymous bind answered with success; an error code is a wrong status', async () => {
    let code = 0
    await using srv = protocolServer('ldap', () => {}, (c) => { void c.write(Buffer.from([0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0a, 0x01, code, 0x04, 0x00, 0x04, 0x00])) })
    await using lb = await startLb(checked(srv.port, '  option ldap-check'))
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    expect(s.lastCheck).toMatchObject({ status: 'L7OK', info: 'Success' })
    expect(srv.conns[0]!.bytes().toString('hex')).toBe('300c020101600702010304008000')
    code = 49
    await waitLine(lb, /is DOWN/)
    expect(stateLines(lb)[0]).toBe('Server web/s is DOWN, reason: Layer7 wrong status, code: 49, info: "See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
  })
})

describe('option spop-check', () => {
  test('a HAPROXY-HELLO answered by an AGENT-HELLO is up; an unsupported version is an invalid response', async () => {
    const kv = (k: string, type: number, v: number[]) => [k.length, ...Buffer.from(k), type, ...v]
    let vsn = '2.0'
    const agentHello = () => {
      const body = Buffer.from([101, 0, 0, 0, 1, 0, 0, ...kv('version', 8, [vsn.length, ...Buffer.from(vsn)]), ...kv('max-frame-size', 3, [0xfc, 0xf0, 0x06]), ...kv('capabilities', 8, [0])])
      const len = Buffer.alloc(4)
      len.writeUInt32BE(body.length)
      return Buffer.concat([len, body])
    }
    await using srv = protocolServer('spoa', () => {}, (c) => { void c.write(agentHello()) })
    await using lb = await startLb(checked(srv.port, '  option spop-check'))
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    expect(s.lastCheck).toMatchObject({ status: 'L7OK', info: 'SPOA server is ok' })
    const hello = srv.conns[0]!.bytes()
    expect(hello.readUInt32BE(0)).toBe(hello.length - 4)
    expect(hello[4]).toBe(1)
    vsn = '1.0'
    await waitLine(lb, /is DOWN/)
    expect(stateLines(lb)[0]).toStartWith('Server web/s is DOWN, reason: Layer7 invalid response, info: "unsupported version"')
  })
})

describe('check-via-socks4', () => {
  test('the check goes through the SOCKS4 proxy: CONNECT with user id HAProxy, then the HTTP check; a refusal is L4CON', async () => {
    let grant = 0x5a
    const seen: Buffer[] = []
    // A SOCKS4 proxy that answers the CONNECT, then plays the server itself.
    await using socks = protocolServer('socks', () => {}, (c, chunk) => {
      if (chunk.length >= 16 && chunk[0] === 4) {
        seen.push(Buffer.from(chunk.subarray(0, 16)))
        void c.write(Buffer.from([0, grant, 0, 0, 0, 0, 0, 0]))
        if (grant !== 0x5a) c.end()
        return
      }
      void c.write('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')
      c.end()
    })
    await using lb = await startLb(checked(9, '  option httpchk', `check inter 100 fall 1 rise 1 socks4 127.0.0.1:${socks.port} check-via-socks4`))
    const s = serverOf(lb, 'web', 's')
    await nextChecks(s)
    expect(s.lastCheck).toMatchObject({ status: 'L7OK', code: 200 })
    expect(seen[0]).toEqual(Buffer.from([4, 1, 0, 9, 127, 0, 0, 1, ...Buffer.from('HAProxy\0', 'latin1')]))
    grant = 0x5b
    await waitLine(lb, /is DOWN/)
    expect(stateLines(lb)[0]).toStartWith('Server web/s is DOWN, reason: Layer4 connection problem, info: "the SOCKS4 proxy refused the connection (code 91)"')
  })
})
