/**
 * `mode http` end to end: bad requests stopped at the door, bodies streamed both ways, the
 * connection rules of HTTP/1.0 and 1.1, server connection reuse, upgrades, edgelb's own answers
 * (400/408/414/422/431/502/503/504, errorfile, monitor-uri, monitor-net), per-request balancing.
 */
import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { countNames } from '../conformance/lb.ts'
import { cfg, closedPort, startLb, until, within } from '../support/harness.ts'
import { answer, bodyOf, httpClient, okResponse, rawExchange, responses, type SeenRequest, startHttpServer, tapChunks, waitResponses } from '../support/http-harness.ts'

const TIMEOUTS = 'timeout connect 5s\n  timeout client 5s\n  timeout server 5s'

function web(servers: string, extra = ''): string {
  return cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      option httplog
      log stdout format raw local0
      ${TIMEOUTS}
      ${extra}
      ${servers}
  `
}

describe('bad requests never reach a server', () => {
  const cases: [string, string, number][] = [
    ['whitespace before the colon', 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\nhello', 400],
    ['two different Content-Length values', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!', 400],
    ['chunked not last', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n', 400],
    ['a transfer coding other than chunked', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: foo, chunked\r\n\r\n0\r\n\r\n', 422],
    ['gzip before chunked', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n', 422],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n', 400],
    ['a bare CR', 'GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n', 400],
    ['a space in the method', 'G ET / HTTP/1.1\r\nHost: a\r\n\r\n', 400],
    ['a control character in the URI', 'GET /a\x01b HTTP/1.1\r\nHost: a\r\n\r\n', 400],
    ['HTTP/1.1 without Host', 'GET / HTTP/1.1\r\n\r\n', 400],
    ['an HTTP/0.9 request line', 'GET /\r\n\r\n', 400],
    ['a bad chunk size', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n', 400],
  ]
  for (const [what, request, status] of cases) {
    test(`${what}: ${status}`, async () => {
      await using a = startHttpServer('A')
      await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`))
      const r = await rawExchange(lb.port(), request)
      expect(r).toStartWith(`HTTP/1.1 ${status} `)
      expect(r).toContain('\r\nconnection: close\r\n')
      // A bad chunk size is found in the body, after the head went out; every other case is
      // refused before anything is sent.
      if (what !== 'a bad chunk size') expect(a.requests).toEqual([])
      else expect(a.requests.every((x) => !x.body.includes('hello'))).toBe(true)
      const [line] = await lb.waitLogs(1)
      expect(line).toContain(` ${status} `)
    })
  }

  test('Transfer-Encoding with Content-Length: read as chunked, Content-Length dropped, then closed', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`))
    using c = await httpClient(lb.port())
    // A smuggling attempt: by Content-Length the body is "0\r\n\r\nGET /admin…", by chunked it ends at 0.
    await c.write('POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 30\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n')
    await c.waitEof()
    expect(a.requests.map((r) => r.uri)).toEqual(['/form'])
    expect(a.requests[0]!.head).not.toContain('Content-Length')
  })

  test('HTTP/1.0 with Transfer-Encoding: read as chunked, forwarded, then the client connection closes (HAProxy, RFC 9112 §6.1)', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`))
    const r = await rawExchange(lb.port(), 'POST /old HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /next HTTP/1.0\r\n\r\n')
    expect(r).toStartWith('HTTP/1.1 200 ')
    expect(a.requests.map((x) => [x.uri, x.body])).toEqual([['/old', '5\r\nhello\r\n0\r\n\r\n']])
    // Asked to keep the connection alive, it still closes, and the server is told to close too.
    const kept = await rawExchange(lb.port(), 'POST /kept HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')
    expect(kept).toStartWith('HTTP/1.1 200 ')
    expect(a.requests[1]!.header('connection')).toBe('close')
  })

  test('TE reaches the server as `trailers` alone, or not at all, as HAProxy sends it', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`))
    using c = await httpClient(lb.port())
    for (const te of ['trailers, gzip', 'gzip', 'trailers;q=0.5', 'deflate, trailers']) await c.write(`GET / HTTP/1.1\r\nHost: a\r\nTE: ${te}\r\n\r\n`)
    await waitResponses(c, 4)
    expect(a.requests.map((x) => x.headers.filter(([n]) => n.toLowerCase() === 'te').map(([, v]) => v))).toEqual([['trailers'], [], [], ['trailers']])
  })

  test('a response with a transfer coding other than chunked is 502; an HTTP/1.0 one with chunked is read as chunked, then both sides close', async () => {
    let answer = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx'
    await using a = startHttpServer('A', () => answer)
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`))
    expect(await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: a\r\n\r\n')).toStartWith('HTTP/1.1 502 ')
    answer = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nxx'
    expect(await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: a\r\n\r\n')).toStartWith('HTTP/1.1 502 ')
    answer = 'HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'
    const r = await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: a\r\n\r\n')
    expect(r).toMatch(/^HTTP\/1\.[01] 200 OK\r\n/)
    expect(r).toMatch(/\r\ntransfer-encoding: chunked\r\n/i)
    expect(r).toEndWith('\r\n\r\n5\r\nhello\r\n0\r\n\r\n')
  })

  test('a head larger than tune.bufsize allows: 431; a URI alone too long: 414', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(cfg`
      global
        tune.bufsize 4096
      listen web
        bind 127.0.0.1:0
        mode http
        ${TIMEOUTS}
        server a 127.0.0.1:${a.port}
    `)
    const big = await rawExchange(lb.port(), `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'x'.repeat(5000)}\r\n\r\n`)
    expect(big).toStartWith('HTTP/1.1 431 ')
    const long = await rawExchange(lb.port(), `GET /${'u'.repeat(5000)} HTTP/1.1\r\nHost: a\r\n\r\n`)
    expect(long).toStartWith('HTTP/1.1 414 ')
    expect(a.requests).toEqual([])
  })

  test('more header fields than tune.http.maxhdr (the request line counted, as HAProxy): 400', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(cfg`
      global
        tune.http.maxhdr 10
      listen web
        bind 127.0.0.1:0
        mode http
        ${TIMEOUTS}
        server a 127.0.0.1:${a.port}
    `)
    const fields = Array.from({ length: 11 }, (_, i) => `X-${i}: v\r\n`).join('')
    expect(await rawExchange(lb.port(), `GET / HTTP/1.1\r\nHost: a\r\n${fields}\r\n`)).toStartWith('HTTP/1.1 400 ')
    expect(await rawExchange(lb.port(), `GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`)).toStartWith('HTTP/1.1 200 ')
  })

  test('timeout http-request: a request head dripping in too slowly (slowloris) gets 408', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`, 'timeout http-request 200ms'))
    using c = await httpClient(lb.port())
    await c.write('GET / HTTP/1.1\r\nHost: a\r\n')
    const t0 = performance.now()
    await c.waitEof(3000)
    expect(performance.now() - t0).toBeLessThan(1500)
    expect(c.text()).toStartWith('HTTP/1.1 408 ')
    expect(a.requests).toEqual([])
    const [line] = await lb.waitLogs(1)
    expect(line).toContain(' 408 ')
    expect(line).toContain(' cR-- ')
  })

  test('one bad client does not disturb another on the same frontend', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`))
    using good = await httpClient(lb.port())
    await good.write('GET /1 HTTP/1.1\r\nHost: a\r\n\r\n')
    await waitResponses(good, 1)
    expect(await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n')).toStartWith('HTTP/1.1 400 ')
    await good.write('GET /2 HTTP/1.1\r\nHost: a\r\n\r\n')
    expect((await waitResponses(good, 2)).length).toBe(2)
  })
})

describe('bodies', () => {
  test('a Content-Length upload is streamed to the server as sent, a chunked one re-encoded (no extensions)', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`))
    using c = await httpClient(lb.port())
    await c.write('POST /cl HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello')
    await c.write(' world')
    await c.write('POST /ch HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n')
    await c.write('6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n')
    await waitResponses(c, 2)
    expect(a.requests.map((r) => r.body)).toEqual(['hello world', '5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n'])
  })

  test('a large chunked response streams through with backpressure and arrives intact', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'z')
    const chunks = 64 // 4 MiB
    await using a = startHttpServer('A', (_r, o) => {
      const c = o.tcp.conns.at(-1)!
      void (async () => {
        await c.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')
        for (let i = 0; i < chunks; i++) await c.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]))
        await c.write('0\r\n\r\n')
      })()
      return null
    })
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`))
    using c = await httpClient(lb.port())
    c.pause() // a slow reader: edgelb must stop reading the server, not buffer 4 MiB
    await c.write('GET /big HTTP/1.1\r\nHost: a\r\n\r\n')
    await a.waitRequests(1)
    await until(() => (a.tcp.conns[0]?.pendingOut ?? 0) > 0, 'the server to be held back')
    const s = lb.sessions()[0]!
    expect(s.toCli.size).toBeLessThan(2 * 1024 * 1024)
    c.resume()
    const expected = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'.length + chunks * (chunk.length + 9) + 5
    await c.waitBytes(expected, 10_000)
    expect(c.received).toBe(expected)
    expect(c.text().endsWith('0\r\n\r\n')).toBe(true)
  })

  test('HEAD, 204 and 304 responses have no body even when they announce a length', async () => {
    await using a = startHttpServer('A', (r) => {
      if (r.uri === '/204') return 'HTTP/1.1 204 No Content\r\n\r\n'
      if (r.uri === '/304') return 'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n'
      return 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'
    })
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`))
    using c = await httpClient(lb.port())
    await c.write('HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /204 HTTP/1.1\r\nHost: a\r\n\r\nGET /304 HTTP/1.1\r\nHost: a\r\n\r\n')
    await c.waitText('304 Not Modified\r\nContent-Length: 10\r\n\r\n')
    expect(c.text()).toBe('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n')
    expect(a.tcp.conns.length).toBe(1)
  })

  test('Expect: 100-continue: the server\'s 100 reaches the client, then the body goes up', async () => {
    // The origin records the request once its body is in; the head alone gets the 100.
    await using a = startHttpServer('A', () => okResponse('stored'))
    tapChunks(a, (cc, chunk) => {
      if (chunk.toString().includes('Expect: 100-continue')) void cc.write('HTTP/1.1 100 Continue\r\n\r\n')
      return true
    })
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`))
    using c = await httpClient(lb.port())
    await c.write('PUT /f HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n')
    await c.waitText('HTTP/1.1 100 Continue\r\n\r\n')
    await c.write('data')
    await c.waitText('stored')
    expect(c.text()).toBe('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nstored')
    expect(a.requests[0]!.body).toBe('data')
  })
})

describe('connections', () => {
  test('keep-alive both ways: requests on one client connection are balanced one by one and reuse server connections', async () => {
    await using a = startHttpServer('A')
    await using b = startHttpServer('B')
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}\n  server b 127.0.0.1:${b.port}`))
    using c = await httpClient(lb.port())
    for (let i = 0; i < 6; i++) {
      await c.write(`GET /${i} HTTP/1.1\r\nHost: h\r\n\r\n`)
      await waitResponses(c, i + 1)
    }
    expect(responses(c).map(bodyOf)).toEqual(['A', 'B', 'A', 'B', 'A', 'B'])
    expect(a.requests.length).toBe(3)
    // safe reuse: the server connections stay up and carry the later requests.
    expect(a.tcp.conns.length).toBe(1)
    expect(b.tcp.conns.length).toBe(1)
  })

  test('a server that closes after each response (without saying so): every request of a kept-alive client is served', async () => {
    // The closed idle connection must be forgotten, not handed to the pool where a later request
    // would be written to it and wait for `timeout server`.
    await using a = startHttpServer('A', (req, o) => { const c = o.tcp.conns[req.conn]!; void c.write(okResponse('A')); c.end(); return null })
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`))
    using c = await httpClient(lb.port())
    for (let i = 0; i < 6; i++) {
      await c.write(`GET /${i} HTTP/1.1\r\nHost: h\r\n\r\n`)
      await waitResponses(c, i + 1)
    }
    expect(responses(c).map(bodyOf)).toEqual(['A', 'A', 'A', 'A', 'A', 'A'])
    expect(a.requests.length).toBe(6)
  })

  test('a HEAD the rules turn into GET: the server body is read and dropped, and the next response is intact', async () => {
    await using a = startHttpServer('A', (r) => okResponse(`${r.method} ${r.uri}`))
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`, 'http-request set-method GET if METH_HEAD'))
    using c = await httpClient(lb.port())
    await c.write('HEAD /1 HTTP/1.1\r\nHost: h\r\n\r\n')
    await c.changed.until(() => c.text().includes('\r\n\r\n'), 'the head')
    await c.write('GET /2 HTTP/1.1\r\nHost: h\r\n\r\n')
    await c.changed.until(() => c.text().endsWith('GET /2'), 'the second response')
    const text = c.text()
    expect(text.startsWith('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nHTTP/1.1 200 OK\r\n')).toBe(true)
    expect(text).not.toContain('GET /1')
    expect(a.requests.map((r) => `${r.method} ${r.uri}`)).toEqual(['GET /1', 'GET /2'])
  })

  test('empty bodies (Content-Length: 0) end their message at once, both ways, on a kept-alive connection', async () => {
    await using a = startHttpServer('A', () => 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`))
    using c = await httpClient(lb.port())
    await c.write('POST /1 HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n')
    await waitResponses(c, 1)
    await c.write('GET /2 HTTP/1.1\r\nHost: h\r\n\r\n')
    await waitResponses(c, 2)
    expect(a.requests.map((r) => r.uri)).toEqual(['/1', '/2'])
    expect(a.tcp.conns.length).toBe(1)
    expect(c.closed).toBe(false)
  })

  test('exchanges on kept-alive connections carry nothing of the ones before (their streams and heads are reused)', async () => {
    await using a = startHttpServer('A', (r) => (r.method === 'HEAD' ? 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n' : okResponse(`${r.method} ${r.uri}`, r.uri === '/set' ? 'Set-Cookie: s=1\r\n' : '')))
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`, 'option forwardfor\n  http-request set-header X-Path %[path] if { path /edit }'))
    using one = await httpClient(lb.port())
    using two = await httpClient(lb.port())
    await one.write('POST /edit HTTP/1.1\r\nHost: h1\r\nX-One: 1\r\nContent-Length: 3\r\n\r\nabc')
    await waitResponses(one, 1)
    await two.write('PUT /set HTTP/1.1\r\nHost: h2\r\nContent-Length: 0\r\n\r\n')
    await waitResponses(two, 1)
    await one.write('HEAD /h HTTP/1.1\r\nHost: h1\r\n\r\n')
    await one.waitText('Content-Length: 5\r\n\r\n')
    await two.write('GET /plain HTTP/1.1\r\nHost: h2\r\n\r\n')
    await waitResponses(two, 2)
    await one.write('GET /last HTTP/1.1\r\nHost: h1\r\n\r\n')
    await one.waitText('GET /last')
    expect(a.requests.map((r) => r.head)).toEqual([
      'POST /edit HTTP/1.1\r\nHost: h1\r\nX-One: 1\r\nContent-Length: 3\r\nX-Path: /edit\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n',
      'PUT /set HTTP/1.1\r\nHost: h2\r\nContent-Length: 0\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n',
      'HEAD /h HTTP/1.1\r\nHost: h1\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n',
      'GET /plain HTTP/1.1\r\nHost: h2\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n',
      'GET /last HTTP/1.1\r\nHost: h1\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n',
    ])
    expect(a.requests[0]!.body).toBe('abc')
    // the HEAD answer announced 5 bytes and sent none; the next answer on that connection is whole
    expect(one.text()).toBe('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nPOST /edit' + 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n' + 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nGET /last')
    expect(responses(two).map(bodyOf)).toEqual(['PUT /set', 'GET /plain'])
    expect(responses(two)[0]).toContain('Set-Cookie: s=1\r\n')
    expect(responses(two)[1]).not.toContain('Set-Cookie')
  })

  test('pipelined requests are answered in order', async () => {
    await using a = startHttpServer('A', (r) => okResponse(r.uri))
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`))
    using c = await httpClient(lb.port())
    await c.write(Array.from({ length: 10 }, (_, i) => `GET /p${i} HTTP/1.1\r\nHost: h\r\n\r\n`).join(''))
    const rs = await waitResponses(c, 10)
    expect(rs.map(bodyOf)).toEqual(Array.from({ length: 10 }, (_, i) => `/p${i}`))
  })

  test('http-server-close: the client stays, each request gets its own server connection', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`, 'option http-server-close'))
    using c = await httpClient(lb.port())
    for (let i = 0; i < 3; i++) {
      await c.write(`GET /${i} HTTP/1.1\r\nHost: h\r\n\r\n`)
      await waitResponses(c, i + 1)
    }
    expect(a.tcp.conns.length).toBe(3)
    expect(a.requests.every((r) => r.header('connection') === 'close')).toBe(true)
    expect(c.closed).toBe(false)
  })

  test('http-reuse never: a later client does not get another client\'s idle connection; always: it does', async () => {
    for (const [mode, conns] of [['never', 2], ['always', 1]] as const) {
      await using a = startHttpServer('A')
      await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`, `http-reuse ${mode}`))
      for (let i = 0; i < 2; i++) {
        using c = await httpClient(lb.port())
        await c.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n')
        await waitResponses(c, 1)
      }
      expect(a.tcp.conns.length).toBe(conns)
    }
  })

  test('HTTP/1.0 with keep-alive is kept alive and told so', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`))
    using c = await httpClient(lb.port())
    await c.write('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
    const [r] = await waitResponses(c, 1)
    expect(r).toBe('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\nA')
    await c.write('GET / HTTP/1.0\r\n\r\n')
    await c.waitEof()
    expect(responses(c).map(bodyOf)).toEqual(['A', 'A'])
  })

  test('a server answering HTTP/1.0 without length: the body runs to its close, then the client closes too', async () => {
    await using a = startHttpServer('A', () => 'HTTP/1.0 200 OK\r\n\r\nuntil close')
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`))
    using c = await httpClient(lb.port())
    await c.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n')
    await c.waitEof()
    expect(c.text()).toBe('HTTP/1.0 200 OK\r\nConnection: close\r\n\r\nuntil close')
  })

  test('Upgrade: websocket turns the connection into a tunnel both ways', async () => {
    await using a = startHttpServer('A', (r) => (r.header('upgrade') === 'websocket' ? 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n' : okResponse('no')))
    // Once the upgrade request is in, the origin echoes whatever comes instead of parsing it.
    tapChunks(a, (cc, chunk) => {
      if (a.requests.length === 0) return true
      void cc.write(`echo:${chunk.toString()}`)
      return false
    })
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`, 'timeout tunnel 10s'))
    using c = await httpClient(lb.port())
    await c.write('GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
    await c.waitText('\r\n\r\n')
    expect(c.text()).toStartWith('HTTP/1.1 101 Switching Protocols\r\n')
    await c.write('frame1')
    await c.waitText('echo:frame1')
    expect(a.requests[0]!.header('connection')).toBe('Upgrade')
  })

  test('a WebSocket upgrade without Sec-WebSocket-Key is refused (400); a 101 without Sec-WebSocket-Accept is 502', async () => {
    await using a = startHttpServer('A', () => 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n')
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`))
    const noKey = await rawExchange(lb.port(), 'GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n')
    expect(noKey).toStartWith('HTTP/1.1 400 ')
    expect(a.requests).toEqual([])
    const noAccept = await rawExchange(lb.port(), 'GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
    expect(noAccept).toStartWith('HTTP/1.1 502 ')
    expect(a.requests).toHaveLength(1)
  })
})

describe('soft stop', () => {
  test('idle keep-alive clients are closed, a request in flight finishes with Connection: close, then the engine stops', async () => {
    const held: SeenRequest[] = []
    await using a = startHttpServer('A', (r) => { if (r.uri === '/slow') { held.push(r); return null } return okResponse('A') })
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`))
    using idle = await httpClient(lb.port())
    await idle.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n')
    await waitResponses(idle, 1)
    using busy = await httpClient(lb.port())
    await busy.write('GET /slow HTTP/1.1\r\nHost: h\r\n\r\n')
    await until(() => held.length === 1, 'the slow request at the server')
    lb.engine.softStop()
    await idle.waitEof()
    expect(busy.closed).toBe(false)
    answer(a, held[0]!, okResponse('late'))
    await busy.waitEof()
    expect(busy.text()).toBe('HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nlate')
    await within(5000, lb.engine.done, 'the engine to stop once the last request is answered')
  })
})

describe("edgelb's own answers", () => {
  test('503 when no server can be reached; retries then redispatch moves a cookie user and re-issues the cookie', async () => {
    const dead = closedPort()
    await using b = startHttpServer('B')
    await using lb = await startLb(web(`server a 127.0.0.1:${dead} cookie A\n  server b 127.0.0.1:${b.port} cookie B`, 'cookie SERVERID insert indirect\n  option redispatch\n  retries 2'))
    const r = await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\nCookie: SERVERID=A\r\nConnection: close\r\n\r\n')
    expect(r).toStartWith('HTTP/1.1 200 OK\r\n')
    expect(r).toContain('Set-Cookie: SERVERID=B; path=/\r\n')
    const [line] = await lb.waitLogs(1)
    expect(line).toContain(' web/b ')
    expect(line).toMatch(/\/\+2 0\/0 /)

    await using lb2 = await startLb(web(`server a 127.0.0.1:${dead}`, 'retries 1'))
    const r2 = await rawExchange(lb2.port(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')
    expect(r2).toStartWith('HTTP/1.1 503 Service Unavailable\r\n')
    const [line2] = await lb2.waitLogs(1)
    expect(line2).toContain(' 503 ')
    expect(line2).toContain(' SC-- ')
  })

  test('502 for a malformed response, 504 when timeout server expires first', async () => {
    await using bad = startHttpServer('bad', () => 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok')
    await using lb = await startLb(web(`server s 127.0.0.1:${bad.port}`))
    expect(await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')).toStartWith('HTTP/1.1 502 Bad Gateway\r\n')
    await using slow = startHttpServer('slow', () => null)
    await using lb2 = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        timeout connect 5s
        timeout client 5s
        timeout server 200ms
        server s 127.0.0.1:${slow.port}
    `)
    expect(await rawExchange(lb2.port(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')).toStartWith('HTTP/1.1 504 Gateway Timeout\r\n')
  })

  test('errorfile replaces a page with the file\'s bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgelb-errorfile-'))
    try {
      const file = join(dir, '503.http')
      writeFileSync(file, 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nback soon!\n')
      await using lb = await startLb(web(`server a 127.0.0.1:${closedPort()}`, `retries 0\n  errorfile 503 ${file}`))
      expect(await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')).toBe('HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nback soon!\n')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('monitor-uri answers 200 itself; monitor-net in http mode too, and neither reaches a server', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`, 'monitor-uri /haproxy_up\n  monitor-net 127.0.0.9/32'))
    expect(await rawExchange(lb.port(), 'GET /haproxy_up HTTP/1.1\r\nHost: h\r\n\r\n')).toStartWith('HTTP/1.1 200 OK\r\n')
    expect(await rawExchange(lb.port(), 'GET /anything HTTP/1.1\r\nHost: h\r\n\r\n', { from: '127.0.0.9' })).toStartWith('HTTP/1.1 200 OK\r\n')
    expect(a.requests).toEqual([])
  })
})

describe('balancing on the request', () => {
  test('balance uri, url_param, hdr and hash keep a key on one server and spread the keys; capture headers appear in the log', async () => {
    await using a = startHttpServer('A')
    await using b = startHttpServer('B')
    await using c = startHttpServer('C')
    const servers = `server a 127.0.0.1:${a.port}\n  server b 127.0.0.1:${b.port}\n  server c 127.0.0.1:${c.port}`
    for (const [balance, req] of [
      ['uri', (i: number) => `GET /static/img${i % 4}.png?v=${i} HTTP/1.1\r\nHost: h\r\n\r\n`],
      ['url_param user', (i: number) => `GET /app?x=${i}&user=u${i % 4} HTTP/1.1\r\nHost: h\r\n\r\n`],
      ['hdr(X-Tenant)', (i: number) => `GET /${i} HTTP/1.1\r\nHost: h\r\nX-Tenant: t${i % 4}\r\n\r\n`],
      ['hash req.cook(SID),lower', (i: number) => `GET /${i} HTTP/1.1\r\nHost: h\r\nCookie: a=${i}; SID=S${i % 4}\r\n\r\n`],
    ] as const) {
      await using lb = await startLb(web(servers, `balance ${balance}\n  capture request header Host len 10\n  capture response header Content-Length len 5`))
      const seen = new Map<number, Set<string>>()
      for (let i = 0; i < 16; i++) {
        const r = await rawExchange(lb.port(), req(i).replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'))
        const set = seen.get(i % 4) ?? new Set<string>()
        set.add(r.slice(-1))
        seen.set(i % 4, set)
      }
      for (const s of seen.values()) expect(s.size).toBe(1)
      // The keys are spread too: one server for everything would pass the line above.
      expect(new Set([...seen.values()].flatMap((s) => [...s])).size).toBeGreaterThan(1)
      const lines = await lb.waitLogs(16)
      expect(lines[0]).toMatch(/ \{h\} \{1\} "GET /)
    }
  })

  test('hash-type consistent spreads 40 paths (balance uri) or parameter values (url_param) over four servers, each key kept on its server', async () => {
    const origins = ['A', 'B', 'C', 'D'].map((n) => startHttpServer(n))
    try {
      for (const [balance, path, check] of [
        ['uri', (i: number) => `/k/${i}`, ''],
        ['url_param id', (i: number) => `/item?id=${i}`, ' check inter 1s'],
      ] as const) {
        const servers = origins.map((o) => `server ${o.name.toLowerCase()} 127.0.0.1:${o.port}${check}`).join('\n  ')
        await using lb = await startLb(web(servers, `balance ${balance}\n  hash-type consistent`))
        const serverOf = async (i: number): Promise<string> => bodyOf(await rawExchange(lb.port(), `GET ${path(i)} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`))
        const first: string[] = []
        for (let i = 1; i <= 40; i++) first.push(await serverOf(i))
        const counts = countNames(first)
        // Every server takes a fair part (10 each on average): none is left out, none takes half.
        expect(Object.keys(counts).sort()).toEqual(['A', 'B', 'C', 'D'])
        for (const n of Object.values(counts)) expect(n).toBeWithin(3, 20)
        const again: string[] = []
        for (let i = 1; i <= 40; i++) again.push(await serverOf(i))
        expect(again).toEqual(first)
      }
    } finally {
      for (const o of origins) await o[Symbol.asyncDispose]()
    }
  })
})

describe('log-format', () => {
  test('a custom line per request, with samples and the common tags', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(web(`server a 127.0.0.1:${a.port}`, 'log-format "%ci %ft %b/%s %ST %B %HM %HP %[req.hdr(host),lower] %tsc"'))
    await rawExchange(lb.port(), 'GET /p?q=1 HTTP/1.1\r\nHost: WWW.Example.com\r\nConnection: close\r\n\r\n')
    await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\nBad Header: 1\r\n\r\n')
    const lines = await lb.waitLogs(2)
    expect(lines[0]).toMatch(/^127\.0\.0\.1 web web\/a 200 \d+ GET \/p www\.example\.com ----$/)
    expect(lines[1]).toMatch(/^127\.0\.0\.1 web web\/- 400 \d+ - - - PR--$/)
  })
})
