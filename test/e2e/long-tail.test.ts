/**
 * Fetches and keywords operators' configurations use that edgelb gained one by one: `unique-id`,
 * `acl()`, TCP keep-alive on each side.
 */
import { expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { cfg, startLb } from '../support/harness.ts'
import { httpClient, rawExchange, startHttpServer, traffic } from '../support/http-harness.ts'

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

/** The keep-alive timer of each 127.0.0.1 TCP socket whose local or remote port is `port`, from
 *  /proc/net/tcp: 'keepalive' when SO_KEEPALIVE armed it, with its delay in jiffies. */
function tcpTimers(port: number, side: 'local' | 'remote'): { timer: string; when: number }[] {
  const hex = port.toString(16).toUpperCase().padStart(4, '0')
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).flatMap((line) => {
    const f = line.trim().split(/\s+/)
    if (f.length < 6 || f[3] !== '01') return [] // established
    const addr = side === 'local' ? f[1]! : f[2]!
    if (!addr.endsWith(`:${hex}`)) return []
    const [tr, when] = f[5]!.split(':')
    return [{ timer: tr === '02' ? 'keepalive' : tr === '00' ? 'none' : tr!, when: parseInt(when!, 16) }]
  })
}

test('option clitcpka, srvtcpka (and tcpka for both): SO_KEEPALIVE on each side, the first probe after clitcpka-idle/srvtcpka-idle', async () => {
  await using app = startHttpServer('app')
  await using lb = await startLb(cfg`
    frontend ka
      bind 127.0.0.1:0
      mode http
      ${T}
      option clitcpka
      clitcpka-idle 70s
      default_backend be
    frontend plain
      bind 127.0.0.1:0
      mode http
      ${T}
      default_backend be2
    backend be
      mode http
      ${T}
      option srvtcpka
      srvtcpka-idle 50s
      server a 127.0.0.1:${app.port}
    backend be2
      mode http
      ${T}
      server a 127.0.0.1:${app.port}
  `)
  using c = await httpClient(lb.port('ka'))
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n')
  await c.waitText('HTTP/1.1 200')
  const cli = tcpTimers(lb.port('ka'), 'local')
  expect(cli.map((t) => t.timer)).toEqual(['keepalive'])
  const toServer = tcpTimers(app.port, 'remote')
  expect(toServer.map((t) => t.timer)).toEqual(['keepalive'])
  // Jiffies (HZ is 100 to 1000): the server side's delay is the shorter one.
  expect(toServer[0]!.when).toBeLessThan(cli[0]!.when)
  using d = await httpClient(lb.port('plain'))
  await d.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n')
  await d.waitText('HTTP/1.1 200')
  expect(tcpTimers(lb.port('plain'), 'local').map((t) => t.timer)).toEqual(['none'])
})

test('gpt(N) and gpc(N) arrays: sc-set-gpt, sc-inc-gpc, sc_get_gpt, sc_get_gpc, sc_inc_gpc, sc_clr_gpc', async () => {
  await using app = startHttpServer('app')
  await using lb = await startLb(cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      stick-table type ip size 1m expire 1h store gpt(2),gpc(2)
      http-request track-sc0 src
      http-request sc-set-gpt(1,0) 7 if { path /mark }
      http-request sc-inc-gpc(0,0)
      http-request set-header X-Gp "%[sc_get_gpt(1,0)]/%[sc_get_gpt(0,0)]/%[sc_get_gpc(0,0)]"
      http-request set-header X-Inc %[sc_inc_gpc(1,0)] if { path /inc }
      http-request set-header X-Clr %[sc_clr_gpc(0,0)] if { path /clr }
      http-request deny if { path /gated } !{ sc_get_gpt(1,0) gt 0 }
      server a 127.0.0.1:${app.port}
  `)
  expect(await rawExchange(lb.port(), get('/gated'))).toStartWith('HTTP/1.1 403')
  await rawExchange(lb.port(), get('/mark'))
  expect(await rawExchange(lb.port(), get('/gated'))).toStartWith('HTTP/1.1 200')
  await rawExchange(lb.port(), get('/inc'))
  await rawExchange(lb.port(), get('/clr'))
  await rawExchange(lb.port(), get('/after'))
  const seen = traffic(app)
  expect(seen.map((r) => r.header('x-gp'))).toEqual(['7/0/2', '7/0/3', '7/0/4', '7/0/5', '7/0/1'])
  expect(seen[2]!.header('x-inc')).toBe('1')
  expect(seen[3]!.header('x-clr')).toBe('5')
})

test('table_cnt and table_avl: the entries of a stick table and the room left', async () => {
  await using app = startHttpServer('app')
  await using lb = await startLb(cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      stick-table type string len 32 size 10 expire 1h store http_req_cnt
      http-request track-sc0 path
      http-request set-header X-T "%[table_cnt]/%[table_avl(web)]"
      server a 127.0.0.1:${app.port}
  `)
  for (const p of ['/a', '/b', '/a']) await rawExchange(lb.port(), get(p))
  expect(traffic(app).map((r) => r.header('x-t'))).toEqual(['1/9', '2/8', '2/8'])
})
