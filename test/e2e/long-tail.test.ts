/**
 * Fetches and keywords operators' configurations use that edgelb gained one by one: `unique-id`,
 * `acl()`.
 */
import { expect, test } from 'bun:test'
import { cfg, startLb } from '../support/harness.ts'
import { rawExchange, startHttpServer, traffic } from '../support/http-harness.ts'

const T = 'timeout connect 5s\n  timeout client 5s\n  timeout server 5s'
const get = (uri: string, extra = ''): string => `GET ${uri} HTTP/1.1\r\nHost: a\r\n${extra}Connection: close\r\n\r\n`

test('unique-id: the request id of unique-id-format, the same wherever it is read; empty without a format', async () => {
  await using app = startHttpServer('app')
  await using lb = await startLb(cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      unique-id-format %ci-%cp-%[uuid()]
      http-request set-header X-Id %[unique-id]
      http-request set-header X-Id2 %[unique-id]
      server a 127.0.0.1:${app.port}
    listen plain
      bind 127.0.0.1:0
      mode http
      ${T}
      http-request set-header X-Id "<%[unique-id]>"
      server a 127.0.0.1:${app.port}
  `)
  await rawExchange(lb.port('web'), get('/1'))
  await rawExchange(lb.port('web'), get('/2'))
  const [a, b] = traffic(app)
  expect(a!.header('x-id')).toMatch(/^127\.0\.0\.1-\d+-[0-9a-f-]{36}$/)
  expect(a!.header('x-id')).toBe(a!.header('x-id2'))
  expect(b!.header('x-id')).not.toBe(a!.header('x-id'))
  await rawExchange(lb.port('plain'), get('/3'))
  expect(traffic(app)[2]!.header('x-id')).toBe('<>')
})

test('acl(): every named ACL holds, ! negates one', async () => {
  await using app = startHttpServer('app')
  await using lb = await startLb(cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      acl p path_beg /p
      acl ua hdr(User-Agent) -m beg Mozilla/
      acl both acl(p,ua)
      http-request deny if both
      http-request set-header X-Not-UA %[acl(p,!ua)]
      server a 127.0.0.1:${app.port}
  `)
  expect(await rawExchange(lb.port(), get('/p', 'User-Agent: Mozilla/5.0\r\n'))).toStartWith('HTTP/1.1 403')
  await rawExchange(lb.port(), get('/p', 'User-Agent: curl\r\n'))
  await rawExchange(lb.port(), get('/q', 'User-Agent: Mozilla/5.0\r\n'))
  expect(traffic(app).map((r) => r.header('x-not-ua'))).toEqual(['1', '0'])
})
