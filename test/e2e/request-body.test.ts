/**
 * The request body in rules: `option http-buffer-request` waits for it, `req.body`,
 * `req.body_len`, `req.body_size` and `req.body_param` read it; `http-request wait-for-body`.
 */
import { describe, expect, test } from 'bun:test'
import { buildConfig } from '../../src/config/build.ts'
import { readHaproxy } from '../../src/config/haproxy/reader.ts'
import { formatDiagnostic } from '../../src/model/source.ts'
import { cfg, startLb } from '../support/harness.ts'
import { httpClient, rawExchange, startHttpServer, traffic } from '../support/http-harness.ts'

const T = 'timeout connect 5s\n  timeout client 5s\n  timeout server 5s'
const post = (uri: string, body: string): string =>
  `POST ${uri} HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`

test('req.body_param: a url-encoded parameter as written, the first without a name, ignoring case with i', async () => {
  await using app = startHttpServer('app')
  await using lb = await startLb(cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      option http-buffer-request
      http-request deny if { req.body_param(user) -m str root }
      http-request set-header X-P "%[req.body_param(tries)]|%[req.body_param]|%[req.body_param(TS,i)]|%[req.body_param(ts)]|%[req.body_len]|%[req.body_size]"
      server a 127.0.0.1:${app.port}
    `)
  await rawExchange(lb.port(), post('/1', 'a=1&tries=3&ts=x%20y&empty'))
  await rawExchange(lb.port(), post('/2', 'tries=&TS=9'))
  expect(await rawExchange(lb.port(), post('/3', 'x=1&user=bob&user=root'))).toStartWith('HTTP/1.1 403')
  expect(traffic(app).map((r) => r.header('x-p'))).toEqual(['3|1|x%20y|x%20y|26|26', '||9||11|11'])
})

describe('http-request wait-for-body', () => {
  const head = (n: number, uri = '/'): string => `POST ${uri} HTTP/1.1\r\nHost: a\r\nContent-Length: ${n}\r\nConnection: close\r\n\r\n`

  test('the rules see the whole body, sent in two parts', async () => {
    await using app = startHttpServer('app')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        http-request wait-for-body time 5s
        http-request deny if { req.body -m sub evil }
        server a 127.0.0.1:${app.port}
    `)
    using c = await httpClient(lb.port())
    await c.write(head(12) + 'harmless')
    // Nothing reaches the server while the body is incomplete.
    await c.write('evil')
    await c.waitText('HTTP/1.1 403')
    expect(app.tcp.conns.length).toBe(0)
  })

  test('at-least N: the request goes on once N bytes are in', async () => {
    await using app = startHttpServer('app')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        http-request wait-for-body time 5s at-least 4
        http-request set-header X-Len %[req.body_len]
        server a 127.0.0.1:${app.port}
    `)
    using c = await httpClient(lb.port())
    await c.write(head(10) + 'ab')
    await c.write('cd')
    await app.tcp.changed.until(() => app.tcp.conns.length > 0 && app.tcp.conns[0]!.text().includes('\r\n\r\nabcd'), 'the head and 4 bytes at the server')
    expect(app.tcp.conns[0]!.text()).toContain('\r\nX-Len: 4\r\n')
    await c.write('efghij')
    await c.waitText('HTTP/1.1 200')
  })

  test('a body that does not arrive in time is answered 408; a condition that fails waits for nothing', async () => {
    await using app = startHttpServer('app')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        http-request wait-for-body time 50ms if { path /wait }
        server a 127.0.0.1:${app.port}
    `)
    using c = await httpClient(lb.port())
    await c.write(head(10, '/wait') + 'abc')
    await c.waitText('HTTP/1.1 408')
    expect(app.tcp.conns.length).toBe(0)
    using d = await httpClient(lb.port())
    await d.write(head(10, '/other') + 'abc')
    await app.tcp.changed.until(() => app.tcp.conns.some((x) => x.text().startsWith('POST /other ') && x.text().endsWith('\r\n\r\nabc')), 'the request and its first bytes at the server')
  })

  test('anywhere but first in a frontend or listen, it is an error that says so', () => {
    const text = 'listen web\n  bind 127.0.0.1:0\n  mode http\n  http-request set-header X a\n  http-request wait-for-body time 1s\n  server a 127.0.0.1:9\n'
    const read = readHaproxy(text, 'w.cfg')
    const built = buildConfig(read.sections, ['w.cfg'])
    expect(built.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([
      "w.cfg:5: error: 'http-request wait-for-body' is implemented as the first http-request rule of a frontend or listen only (the body is then waited for before any rule runs); move it there, or use 'option http-buffer-request'",
    ])
  })
})
