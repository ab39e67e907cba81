/**
 * Rules end to end: content switching, actions, maps, stick tables and rate limiting, through
 * edgelb on real sockets with real backends.
 */
import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cfg, connectClient, startLb, startServer, until } from '../support/harness.ts'
import { bodyOf, httpClient, rawExchange, startHttpServer, waitResponses } from '../support/http-harness.ts'

const T = 'timeout connect 5s\n  timeout client 5s\n  timeout server 5s'
/** A defaults section carrying the timeouts, for configs split into frontends and backends. */
const D = 'defaults\n  timeout connect 5s\n  timeout client 5s\n  timeout server 5s'

describe('content switching', () => {
  test('by host, path and method, with default_backend for the rest', async () => {
    await using api = startHttpServer('api')
    await using stat = startHttpServer('static')
    await using www = startHttpServer('www')
    await using lb = await startLb(cfg`
      ${D}
      frontend web
        bind 127.0.0.1:0
        mode http
        acl is_api hdr(host) -i api.example.com
        acl is_static path_beg /static/ /img/
        acl is_static path_end .css .js
        use_backend api if is_api || METH_POST
        use_backend static if is_static
        default_backend www
      backend api
        mode http
        server a 127.0.0.1:${api.port}
      backend static
        mode http
        server s 127.0.0.1:${stat.port}
      backend www
        mode http
        server w 127.0.0.1:${www.port}
    `)
    const get = async (req: string) => bodyOf(await rawExchange(lb.port(), req))
    expect(await get('GET / HTTP/1.1\r\nHost: API.example.com\r\nConnection: close\r\n\r\n')).toBe('api')
    expect(await get('GET /static/a.png HTTP/1.1\r\nHost: www\r\nConnection: close\r\n\r\n')).toBe('static')
    expect(await get('GET /app/site.css HTTP/1.1\r\nHost: www\r\nConnection: close\r\n\r\n')).toBe('static')
    expect(await get('POST /form HTTP/1.1\r\nHost: www\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')).toBe('api')
    expect(await get('GET /index.html HTTP/1.1\r\nHost: www\r\nConnection: close\r\n\r\n')).toBe('www')
  })

  test('a map chooses the backend by host, with a default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgelb-map-'))
    try {
      writeFileSync(join(dir, 'hosts.map'), '# host backend\nshop.example.com shop\nblog.example.com blog\n')
      await using shop = startHttpServer('shop')
      await using blog = startHttpServer('blog')
      await using www = startHttpServer('www')
      const text = cfg`
        ${D}
        frontend web
          bind 127.0.0.1:0
          mode http
          use_backend %[req.hdr(host),lower,map(${join(dir, 'hosts.map')},www)]
        backend shop
          mode http
          server s 127.0.0.1:${shop.port}
        backend blog
          mode http
          server b 127.0.0.1:${blog.port}
        backend www
          mode http
          server w 127.0.0.1:${www.port}
      `
      await using lb = await startLb(text)
      const get = async (host: string) => bodyOf(await rawExchange(lb.port(), `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`))
      expect(await get('SHOP.example.com')).toBe('shop')
      expect(await get('blog.example.com')).toBe('blog')
      expect(await get('other.example.com')).toBe('www')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('http-request and http-response actions', () => {
  test('deny, return, redirect, header edits, set-path', async () => {
    await using a = startHttpServer('A', (r) => `HTTP/1.1 200 OK\r\nServer: secret/1.0\r\nContent-Length: ${r.uri.length}\r\n\r\n${r.uri}`)
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        http-request deny deny_status 403 if { path_beg /admin }
        http-request return status 200 content-type text/plain string "pong" if { path /ping }
        http-request redirect scheme https code 301 if { hdr(host) -i secure.example.com }
        http-request set-header X-Client %[src]
        http-request del-header X-Debug
        http-request set-path /v2%[path] if { path_beg /api }
        http-response del-header Server
        http-response set-header X-Served-By edgelb
        server a 127.0.0.1:${a.port}
    `)
    const x = (req: string) => rawExchange(lb.port(), req)
    expect(await x('GET /admin/users HTTP/1.1\r\nHost: h\r\n\r\n')).toStartWith('HTTP/1.1 403 Forbidden\r\n')
    const pong = await x('GET /ping HTTP/1.1\r\nHost: h\r\n\r\n')
    expect(pong).toStartWith('HTTP/1.1 200 OK\r\n')
    expect(pong).toContain('content-type: text/plain')
    expect(bodyOf(pong)).toBe('pong')
    const redir = await x('GET /login?x=1 HTTP/1.1\r\nHost: secure.example.com\r\n\r\n')
    expect(redir).toStartWith('HTTP/1.1 301 ')
    expect(redir).toMatch(/\r\n[Ll]ocation: https:\/\/secure\.example\.com\/login\?x=1\r\n/)
    const ok = await x('GET /api/items HTTP/1.1\r\nHost: h\r\nX-Debug: 1\r\nConnection: close\r\n\r\n')
    expect(bodyOf(ok)).toBe('/v2/api/items')
    expect(ok).not.toContain('secret/1.0')
    expect(ok).toContain('X-Served-By: edgelb')
    const seen = a.requests.at(-1)!
    expect(seen.header('x-client')).toBe('127.0.0.1')
    expect(seen.header('x-debug')).toBeUndefined()
    // The denied, returned and redirected requests never reached the server.
    expect(a.requests.map((r) => r.uri)).toEqual(['/v2/api/items'])
  })
})

describe("edgelb's answers keep the client connection (HAProxy 2.x)", () => {
  test('return, redirect, deny and monitor-uri answer and the next request follows on the same connection', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        monitor-uri /alive
        http-request return status 200 content-type text/plain string pong if { path /ping }
        http-request redirect location /new code 301 if { path /old }
        http-request deny if { path /admin }
        server a 127.0.0.1:${a.port}
    `)
    using c = await httpClient(lb.port())
    const sent = ['/ping', '/old', '/admin', '/alive', '/app']
    for (let i = 0; i < sent.length; i++) {
      await c.write(`GET ${sent[i]} HTTP/1.1\r\nHost: h\r\n\r\n`)
      await waitResponses(c, i + 1)
    }
    const rs = await waitResponses(c, 5)
    expect(rs.map((r) => r.slice(0, 12))).toEqual(['HTTP/1.1 200', 'HTTP/1.1 301', 'HTTP/1.1 403', 'HTTP/1.1 200', 'HTTP/1.1 200'])
    expect(rs.some((r) => /\r\nconnection: close/i.test(r))).toBe(false)
    expect(bodyOf(rs[0]!)).toBe('pong')
    expect(c.eof).toBe(false)
    expect(a.requests.map((r) => r.uri)).toEqual(['/app'])
  })

  test('a HEAD request answered by edgelb gets the head alone, and the next response follows it on the connection', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        http-request return status 200 content-type text/plain string "hello" if { path /r }
        http-request deny if { path /d }
        server a 127.0.0.1:${a.port}
    `)
    using c = await httpClient(lb.port())
    await c.write('HEAD /r HTTP/1.1\r\nHost: h\r\n\r\n')
    await c.write('HEAD /d HTTP/1.1\r\nHost: h\r\n\r\n')
    await c.write('GET /r HTTP/1.1\r\nHost: h\r\n\r\n')
    await c.changed.until(() => c.text().endsWith('hello'), 'the GET answer')
    const parts = c.text().split(/(?=HTTP\/1\.1 )/)
    expect(parts.map((p) => p.slice(0, 12))).toEqual(['HTTP/1.1 200', 'HTTP/1.1 403', 'HTTP/1.1 200'])
    expect(parts[0]).toEndWith('content-length: 5\r\n\r\n')
    expect(parts[1]).toEndWith('\r\n\r\n')
    expect(parts[2]).toEndWith('\r\n\r\nhello')
  })

  test('http-request auth: 401 with WWW-Authenticate (the realm, else the proxy name); nothing reaches the server', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        http-request auth realm "Admin area" if { path_beg /admin }
        http-request auth if { path /private }
        server a 127.0.0.1:${a.port}
    `)
    using c = await httpClient(lb.port())
    await c.write('GET /admin/x HTTP/1.1\r\nHost: h\r\n\r\n')
    await c.write('GET /private HTTP/1.1\r\nHost: h\r\n\r\n')
    await c.write('GET /app HTTP/1.1\r\nHost: h\r\n\r\n')
    const rs = await waitResponses(c, 3)
    expect(rs[0]).toStartWith('HTTP/1.1 401 Unauthorized\r\n')
    expect(rs[0]).toMatch(/\r\nwww-authenticate: Basic realm="Admin area"\r\n/i)
    expect(bodyOf(rs[0]!)).toContain('401 Unauthorized')
    expect(rs[1]).toMatch(/\r\nwww-authenticate: Basic realm="web"\r\n/i)
    expect(rs[2]).toStartWith('HTTP/1.1 200 ')
    expect(a.requests.map((r) => r.uri)).toEqual(['/app'])
  })

  test('so_name is the name of the bind line that accepted the connection; srv_id the server rank', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(cfg`
      frontend web
        bind 127.0.0.1:0 name public
        mode http
        ${T}
        http-request return status 200 hdr so-name %[so_name] if { path /so }
        http-response set-header srv-id %[srv_id]
        default_backend app
      backend app
        mode http
        ${T}
        server z 127.0.0.1:1 disabled
        server a 127.0.0.1:${a.port}
    `)
    expect(await rawExchange(lb.port(), 'GET /so HTTP/1.1\r\nHost: h\r\n\r\n')).toContain('\r\nso-name: public\r\n')
    expect(await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')).toMatch(/\r\nsrv-id: 2\r\n/i)
  })

  test('http-request set-src and set-dst change what option forwardfor and originalto write, except ones included', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        http-request set-src hdr(x-src)
        http-request set-dst hdr(x-dst)
        option forwardfor except 10.0.0.0/25
        option originalto except 10.0.0.0/25
        server a 127.0.0.1:${a.port}
    `)
    await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\nX-Src: 10.0.0.1\r\nX-Dst: 10.0.0.1\r\n\r\n')
    await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\nX-Src: 10.0.0.128\r\nX-Dst: ::2\r\n\r\n')
    expect(a.requests.map((r) => [r.header('x-forwarded-for'), r.header('x-original-to')])).toEqual([[undefined, undefined], ['10.0.0.128', '::2']])
  })

  test('option transparent connects to the address the client connected to, as set-dst-port left it, and reuses that connection', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        option transparent
        http-request set-dst-port int(${a.port})
    `)
    using c = await httpClient(lb.port())
    await c.write('GET /1 HTTP/1.1\r\nHost: h\r\n\r\n')
    await waitResponses(c, 1)
    await c.write('GET /2 HTTP/1.1\r\nHost: h\r\n\r\n')
    const rs = await waitResponses(c, 2)
    expect(rs.map(bodyOf)).toEqual(['A', 'A'])
    expect(a.tcp.conns.length).toBe(1)
  })

  test('a server at port 0 takes the port set-dst-port left; a connection to one port is not reused for another', async () => {
    await using a = startHttpServer('A')
    await using b = startHttpServer('B')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        http-reuse always
        http-request set-dst-port hdr(x-port)
        server s 127.0.0.1:0
    `)
    using c = await httpClient(lb.port())
    const ports = [a.port, b.port, a.port, b.port]
    for (let i = 0; i < ports.length; i++) {
      await c.write(`GET /${i} HTTP/1.1\r\nHost: h\r\nX-Port: ${ports[i]}\r\n\r\n`)
      await waitResponses(c, i + 1)
    }
    expect((await waitResponses(c, 4)).map(bodyOf)).toEqual(['A', 'B', 'A', 'B'])
    expect([a.requests.map((r) => r.uri), b.requests.map((r) => r.uri)]).toEqual([['/0', '/2'], ['/1', '/3']])
    expect([a.tcp.conns.length, b.tcp.conns.length]).toEqual([1, 1])
  })

  test('option http-buffer-request: the rules see the whole body, sent in several writes, through req.body', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        option http-buffer-request
        http-request set-header X-User %[req.body,json_query('$.user')]
        server a 127.0.0.1:${a.port}
    `)
    using c = await httpClient(lb.port())
    await c.write('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 16\r\n\r\n{"user":')
    await c.write('"alice"}')
    await waitResponses(c, 1)
    expect(a.requests[0]!.header('x-user')).toBe('alice')
    expect(a.requests[0]!.body).toBe('{"user":"alice"}')
  })

  test('http_first_req is true for the first request of a connection only', async () => {
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        http-request return status 200 hdr first %[http_first_req]
    `)
    using c = await httpClient(lb.port())
    await c.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n')
    await waitResponses(c, 1)
    await c.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n')
    const rs = await waitResponses(c, 2)
    expect(rs.map((r) => /\r\nfirst: (\d)\r\n/.exec(r)?.[1])).toEqual(['1', '0'])
  })

  test('the connection closes after the answer when the client asked to, or its request body was not read', async () => {
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        http-request return status 200
        server a 127.0.0.1:1
    `)
    expect(await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')).toContain('\r\nconnection: close\r\n')
    expect(await rawExchange(lb.port(), 'GET / HTTP/1.0\r\n\r\n')).toContain('\r\nconnection: close\r\n')
    expect(await rawExchange(lb.port(), 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n')).toContain('\r\nconnection: close\r\n')
  })
})

describe('stick tables', () => {
  test('rate limiting answers 429 above 10 requests in the window, and recovers after it', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(cfg`
      ${D}
      frontend web
        bind 127.0.0.1:0
        mode http
        stick-table type ip size 100k expire 30s store http_req_rate(1s)
        http-request track-sc0 src
        http-request deny deny_status 429 if { sc_http_req_rate(0) gt 10 }
        default_backend app
      backend app
        mode http
        server a 127.0.0.1:${a.port}
    `)
    using c = await httpClient(lb.port())
    for (let i = 0; i < 10; i++) await c.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n')
    const rs = await waitResponses(c, 10)
    expect(rs.every((r) => r.startsWith('HTTP/1.1 200 '))).toBe(true)
    expect(await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')).toStartWith('HTTP/1.1 429 ')
    // A rate over 1 s weighs the previous second by the part of it still in the window: it falls
    // as the window moves past the burst, until the next request (counted too) is within 10.
    const table = lb.engine.rules.tables.get('web')!
    const entry = table.lookup('127.0.0.1')!
    await until(() => table.read(entry, 'http_req_rate')! < 10, 'the request rate to fall under 10', 3000)
    expect(await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')).toStartWith('HTTP/1.1 200 ')
  })

  test('stick on src keeps a client on its first server', async () => {
    await using a = startHttpServer('A')
    await using b = startHttpServer('B')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        balance roundrobin
        stick-table type ip size 1k expire 1m
        stick on src
        server a 127.0.0.1:${a.port}
        server b 127.0.0.1:${b.port}
    `)
    const seen = new Set<string>()
    for (let i = 0; i < 6; i++) seen.add(bodyOf(await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')))
    expect(seen.size).toBe(1)
    const other = new Set<string>()
    for (let i = 0; i < 4; i++) other.add(bodyOf(await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n', { from: '127.0.0.5' })))
    expect(other.size).toBe(1)
  })
})

describe('tcp rules', () => {
  test('tcp-request content with inspect-delay serves two protocols on one port', async () => {
    await using ssh = startServer('ssh-backend', 'tag')
    await using web = startServer('web-backend', 'tag')
    await using lb = await startLb(cfg`
      ${D}
      frontend mux
        bind 127.0.0.1:0
        mode tcp
        tcp-request inspect-delay 2s
        tcp-request content accept if { req.payload(0,4) -m str SSH- }
        tcp-request content accept if HTTP
        use_backend ssh if { req.payload(0,4) -m str SSH- }
        default_backend web
      backend ssh
        mode tcp
        server s 127.0.0.1:${ssh.port}
      backend web
        mode tcp
        server w 127.0.0.1:${web.port}
    `)
    using s = await connectClient(lb.port())
    await s.write('SSH-2.0-OpenSSH_9.6\r\n')
    await s.waitText('ssh-backend')
    using h = await connectClient(lb.port())
    await h.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await h.waitText('web-backend')
    // What the client sent before the decision reached the server whole.
    await s.waitText('SSH-2.0-OpenSSH_9.6\r\n')
  })

  test('tcp-request connection reject closes at once, before any byte', async () => {
    await using a = startServer('A', 'tag')
    await using lb = await startLb(cfg`
      listen l
        bind 127.0.0.1:0
        mode tcp
        ${T}
        tcp-request connection reject if { src 127.0.0.7 }
        server a 127.0.0.1:${a.port}
    `)
    using bad = await connectClient(lb.port(), { localAddress: '127.0.0.7' })
    await bad.waitClosed()
    expect(bad.text()).toBe('')
    using good = await connectClient(lb.port(), { localAddress: '127.0.0.8' })
    await good.waitText('A')
  })
})

describe('http-after-response', () => {
  test('rewrites server responses and edgelb\'s own answers alike', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        http-request deny if { path /forbidden }
        http-after-response set-header Strict-Transport-Security max-age=63072000
        server a 127.0.0.1:${a.port}
    `)
    const ok = await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')
    expect(ok).toContain('\r\nStrict-Transport-Security: max-age=63072000\r\n')
    const denied = await rawExchange(lb.port(), 'GET /forbidden HTTP/1.1\r\nHost: h\r\n\r\n')
    expect(denied).toStartWith('HTTP/1.1 403 ')
    expect(denied).toContain('\r\nStrict-Transport-Security: max-age=63072000\r\n')
  })

  test('tracked entries count the bytes of each exchange', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        stick-table type ip size 1k expire 1m store bytes_out_cnt,bytes_in_cnt
        http-request track-sc0 src
        server a 127.0.0.1:${a.port}
    `)
    const req = 'GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'
    const res = await rawExchange(lb.port(), req)
    const t = lb.engine.rules.tables.get('web')!
    const e = t.lookup('127.0.0.1')!
    expect(e).toBeDefined()
    expect(t.read(e, 'bytes_out_cnt')).toBe(res.length)
    expect(t.read(e, 'bytes_in_cnt')).toBe(req.length)
  })
})

describe('samples as HAProxy computes them', () => {
  test('the WebSocket accept key from a captured header, sha1 and base64 (RFC 6455 §1.3)', async () => {
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        capture request header Sec-WebSocket-Key len 128
        http-request return status 200 hdr Sec-WebSocket-Accept "%[capture.req.hdr(0),concat(258EAFA5-E914-47DA-95CA-C5AB0DC85B11,,),sha1,base64]" hdr X-Uri "%[capture.req.uri]"
    `)
    const res = await rawExchange(lb.port(), 'GET /chat?x=1 HTTP/1.1\r\nHost: h\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nConnection: close\r\n\r\n')
    expect(res).toContain('\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n')
    expect(res).toContain('\r\nX-Uri: /chat?x=1\r\n')
  })

  test('url_dec, json, field, the first cookie, digests, binary and trimmed header values', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        http-request set-var(txn.url) url
        http-request set-var(txn.ck) req.cook_val()
        http-request set-header X-Pad "  padded  "
        http-request set-header X-Read "<%[req.fhdr(x-pad)]>"
        http-response set-header url-dec0 "%[var(txn.url),url_dec]"
        http-response set-header url-dec1 "%[var(txn.url),url_dec(1)]"
        http-response set-header json0 "%[str(foo 1/2),json]"
        http-response set-header json1 "%[str(\\xE0),json(utf8)]"
        http-response set-header json2 "%[str(-\\xE0-),json(utf8s)]"
        http-response set-header found "%[var(txn.url),field(3,/)]" if { var(txn.url),field(3,/) -m found }
        http-response set-header cookie-val "%[var(txn.ck)]"
        http-response set-header sha256 "%[str(1),sha2(256),hex,lower]"
        http-response set-header hmac "%[str(1),hmac(sha1,a2V5),hex,lower]"
        http-response set-header xxh3 "%[str(1),xxh3]"
        http-response set-header raw "%[bin(4142004344)]"
        server a 127.0.0.1:${a.port}
    `)
    const res = await rawExchange(lb.port(), 'GET /bla+%20?foo%3Dbar%2B42+42%20 HTTP/1.1\r\nHost: h\r\nCookie: cook1=0; cook2=123\r\nConnection: close\r\n\r\n')
    const header = (name: string) => new RegExp(`\r\n${name}: ([^\r]*)\r\n`).exec(res)?.[1]
    expect(header('url-dec0')).toBe('/bla+ ?foo=bar+42 42 ')
    expect(header('url-dec1')).toBe('/bla  ?foo=bar+42 42 ')
    expect([header('json0'), header('json1'), header('json2')]).toEqual(['foo 1\\/2', '', '--'])
    expect(header('found')).toBeUndefined()
    expect(header('cookie-val')).toBe('0')
    expect(header('sha256')).toBe('6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b')
    expect(header('hmac')).toBe('e23feb105f9622241bf23db1638cd2b4208b1f53')
    expect(header('xxh3')).toBe('7335560060985733464')
    expect(header('raw')).toBe('AB')
    const seen = a.requests.at(-1)!
    expect(seen.header('x-read')).toBe('<padded>')
  })
})

describe('set-src and set-dst at each level, as HAProxy scopes them', () => {
  test("connection rules change the connection's addresses (fc_src), session rules the session's, http rules one request's only", async () => {
    await using lb = await startLb(cfg`
      defaults
        mode http
        timeout client 5s
        timeout server 5s
        timeout connect 1s
      frontend fe
        bind 127.0.0.1:0
        tcp-request connection set-src ipv4(10.0.0.1)
        tcp-request connection set-dst ipv4(10.0.0.2)
        tcp-request session set-src ipv4(10.1.0.1)
        tcp-request session set-var(sess.fc) fc_src
        tcp-request session set-var(sess.src) src
        http-request set-src hdr(x-forwarded-for) if { req.hdr(x-forwarded-for) -m found }
        http-request return status 200 hdr fc %[fc_src] hdr src %[src] hdr fcdst %[fc_dst] hdr dst %[dst] hdr sess-fc %[var(sess.fc)] hdr sess-src %[var(sess.src)]`)
    using c = await connectClient(lb.port())
    await c.write('GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 192.168.0.1\r\n\r\n')
    await waitResponses(c, 1)
    await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n')
    const [first, second] = await waitResponses(c, 2)
    const h = (r: string, n: string) => new RegExp(`\\r\\n${n}: ([^\\r]*)\\r\\n`, 'i').exec(r)?.[1]
    expect(['fc', 'src', 'fcdst', 'dst', 'sess-fc', 'sess-src'].map((n) => h(first!, n))).toEqual(['10.0.0.1', '192.168.0.1', '10.0.0.2', '10.0.0.2', '10.0.0.1', '10.1.0.1'])
    // The next request on the connection starts again from the session's address.
    expect(['fc', 'src'].map((n) => h(second!, n))).toEqual(['10.0.0.1', '10.1.0.1'])
  })
})
