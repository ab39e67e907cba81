/**
 * `retry-on` and `http-request disable-l7-retry` end to end: a request its server failed (closed
 * without answering, answered junk, timed out, answered a listed status) is sent again while
 * `retries` remain, on another server on `option redispatch`'s turn; only an idempotent request
 * whose body edgelb still holds is.
 */
import { describe, expect, test } from 'bun:test'
import { cfg, closedPort, startLb } from '../support/harness.ts'
import { okResponse, rawExchange, startHttpServer, type HttpOrigin, type SeenRequest } from '../support/http-harness.ts'

function web(servers: string, extra: string, timeoutServer = '5s'): string {
  return cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      balance first
      option httplog
      log stdout format raw local0
      timeout connect 5s
      timeout client 5s
      timeout server ${timeoutServer}
      ${extra}
      ${servers}
  `
}

/** An origin that closes each connection as a request arrives, without answering. */
function closer(name: string): HttpOrigin {
  return startHttpServer(name, (req: SeenRequest, o: HttpOrigin) => { o.tcp.conns[req.conn]!.shutdown(); return null })
}

const two = (a: HttpOrigin, b: HttpOrigin): string => `server a 127.0.0.1:${a.port}\n  server b 127.0.0.1:${b.port}`

describe('retry-on after the request was sent', () => {
  test('a server that closes before answering: 502 by default, the next server with empty-response and redispatch', async () => {
    await using a = closer('A')
    await using b = startHttpServer('B')
    await using plain = await startLb(web(two(a, b), 'option redispatch\n  retries 1'))
    expect(await rawExchange(plain.port(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')).toStartWith('HTTP/1.1 502 Bad Gateway\r\n')
    expect(b.requests.length).toBe(0)

    await using lb = await startLb(web(two(a, b), 'option redispatch\n  retries 1\n  retry-on empty-response'))
    const r = await rawExchange(lb.port(), 'GET /x HTTP/1.1\r\nHost: h\r\n\r\n')
    expect(r).toStartWith('HTTP/1.1 200 OK\r\n')
    expect(r).toEndWith('B')
    expect(b.requests.map((q) => q.uri)).toEqual(['/x'])
    const [line] = await lb.waitLogs(1)
    expect(line).toContain(' web/b ')
    expect(line).toMatch(/\/\+1 0\/0 /)
    expect(lb.backend('web').counters.retries).toBe(1)
    expect(lb.backend('web').counters.redispatches).toBe(1)
  })

  test('without option redispatch the retry goes to the same server', async () => {
    let n = 0
    await using a = startHttpServer('A', (req, o) => {
      if (n++ === 0) { o.tcp.conns[req.conn]!.shutdown(); return null }
      return okResponse('A')
    })
    await using b = startHttpServer('B')
    await using lb = await startLb(web(two(a, b), 'retries 2\n  retry-on empty-response'))
    const r = await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')
    expect(r).toEndWith('A')
    expect(a.requests.length).toBe(2)
    expect(b.requests.length).toBe(0)
    const [line] = await lb.waitLogs(1)
    expect(line).toMatch(/ \d+\/\d+\/\d+\/\d+\/1 0\/0 /) // one retry, no redispatch (+)
  })

  test('a listed status is retried, an unlisted one forwarded; the retries run out on the last answer', async () => {
    await using a = startHttpServer('A', () => 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown')
    await using b = startHttpServer('B')
    await using lb = await startLb(web(two(a, b), 'option redispatch\n  retries 1\n  retry-on 503'))
    expect(await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')).toEndWith('B')

    await using lb404 = await startLb(web(two(a, b), 'option redispatch\n  retries 1\n  retry-on 404'))
    expect(await rawExchange(lb404.port(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')).toStartWith('HTTP/1.1 503 Service Unavailable\r\n')

    await using only = await startLb(web(`server a 127.0.0.1:${a.port}`, 'retries 2\n  retry-on all-retryable-errors'))
    const r = await rawExchange(only.port(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')
    expect(r).toStartWith('HTTP/1.1 503 Service Unavailable\r\n')
    expect(r).toEndWith('down')
    const [line] = await only.waitLogs(1)
    expect(line).toMatch(/ \d+\/\d+\/\d+\/\d+\/2 0\/0 /)
  })

  test('response-timeout and junk-response', async () => {
    await using silent = startHttpServer('S', () => null)
    await using junk = startHttpServer('J', () => 'SSH-2.0-OpenSSH\r\n\r\n')
    await using b = startHttpServer('B')
    await using lb = await startLb(web(two(silent, b), 'option redispatch\n  retries 1\n  retry-on response-timeout', '300ms'))
    expect(await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')).toEndWith('B')
    await using lb2 = await startLb(web(two(junk, b), 'option redispatch\n  retries 1\n  retry-on junk-response'))
    expect(await rawExchange(lb2.port(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')).toEndWith('B')
    expect(b.requests.length).toBe(2)
  })

  test('a PUT is sent again with its whole body; a POST, or a request under disable-l7-retry, is not', async () => {
    await using a = closer('A')
    await using b = startHttpServer('B', (req) => okResponse(`got ${req.body}`))
    const extra = 'option redispatch\n  retries 1\n  retry-on all-retryable-errors\n  http-request disable-l7-retry if { path /once }'
    await using lb = await startLb(web(two(a, b), extra))
    const body = 'x'.repeat(3000)
    const put = await rawExchange(lb.port(), `PUT /p HTTP/1.1\r\nHost: h\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
    expect(put).toEndWith(`got ${body}`)
    expect(await rawExchange(lb.port(), 'POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi')).toStartWith('HTTP/1.1 502 Bad Gateway\r\n')
    expect(await rawExchange(lb.port(), 'GET /once HTTP/1.1\r\nHost: h\r\n\r\n')).toStartWith('HTTP/1.1 502 Bad Gateway\r\n')
    expect(b.requests.map((q) => `${q.method} ${q.uri} ${q.body.length}`)).toEqual(['PUT /p 3000'])
  })

  test('a body larger than a buffer is not kept, so not sent again', async () => {
    await using a = closer('A')
    await using b = startHttpServer('B')
    await using lb = await startLb(cfg`
      global
        tune.bufsize 4096
      ${web(two(a, b), 'option redispatch\n  retries 1\n  retry-on empty-response')}
    `)
    const body = 'y'.repeat(5000)
    expect(await rawExchange(lb.port(), `PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: ${body.length}\r\n\r\n${body}`)).toStartWith('HTTP/1.1 502 Bad Gateway\r\n')
    expect(b.requests.length).toBe(0)
  })
})

describe('retry-on and connection failures', () => {
  test('conn-failure is the default; retry-on none, or a list without it, retries no connection', async () => {
    const dead = closedPort()
    await using b = startHttpServer('B')
    const servers = `server a 127.0.0.1:${dead}\n  server b 127.0.0.1:${b.port}`
    await using lb = await startLb(web(servers, 'option redispatch\n  retries 1'))
    expect(await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')).toEndWith('B')
    await using none = await startLb(web(servers, 'option redispatch\n  retries 1\n  retry-on none'))
    expect(await rawExchange(none.port(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')).toStartWith('HTTP/1.1 503 Service Unavailable\r\n')
    await using st = await startLb(web(servers, 'option redispatch\n  retries 1\n  retry-on 503'))
    expect(await rawExchange(st.port(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')).toStartWith('HTTP/1.1 503 Service Unavailable\r\n')
    expect(b.requests.length).toBe(1)
  })
})
