/**
 * HAProxy 1.x configurations end to end: the header filters, block, option forceclose and
 * duplicate server names through edgelb on real sockets, checking the bytes each server receives
 * and each client gets; and the YAML `edgelb convert` writes for them behaving the same.
 */
import { describe, expect, test } from 'bun:test'
import { buildConfig } from '../../src/config/build.ts'
import { modernizeSections } from '../../src/config/legacy-modern.ts'
import { readHaproxy } from '../../src/config/haproxy/reader.ts'
import { readYaml } from '../../src/config/yaml/reader.ts'
import { writeYaml } from '../../src/config/yaml/writer.ts'
import { Engine } from '../../src/proxy/engine.ts'
import { formatDiagnostic } from '../../src/model/source.ts'
import { within } from '../support/wait.ts'
import { cfg, spawnEdgelb, startLb } from '../support/harness.ts'
import { okResponse, rawExchange, startHttpServer, traffic } from '../support/http-harness.ts'

const T = 'timeout connect 5s\n  timeout client 5s\n  timeout server 5s'

/** A request closing its connection, with these extra header lines. */
const get = (uri: string, extra = ''): string => `GET ${uri} HTTP/1.1\r\nHost: www.local\r\n${extra}Connection: close\r\n\r\n`
const headOf = (response: string): string => response.slice(0, response.indexOf('\r\n\r\n') + 4)

describe('request filters', () => {
  test('reqadd, reqidel, reqirep and a request line reqrep: what the server receives', async () => {
    await using app = startHttpServer('app')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        reqidel ^X-Forwarded-For:.*
        reqirep ^Host:\\ (.*)\\.local Host:\\ \\1.example.com
        reqrep ^([^\\ :]*)\\ /static/(.*) \\1\\ /assets/\\2
        reqadd X-Proto:\\ http
        server a 127.0.0.1:${app.port}
    `)
    await rawExchange(lb.port(), get('/static/app.css', 'x-forwarded-for: 6.6.6.6\r\nX-Keep: 1\r\nX-Forwarded-For: 7.7.7.7\r\n'))
    expect(traffic(app)[0]!.head).toBe('GET /assets/app.css HTTP/1.1\r\nHost: www.example.com\r\nX-Keep: 1\r\nConnection: close\r\nX-Proto: http\r\n\r\n')
  })

  test('reqideny answers 403 and reqitarpit 500 after timeout tarpit; neither reaches the server', async () => {
    await using app = startHttpServer('app')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        timeout tarpit 50ms
        reqideny ^User-Agent:\\ .*sqlmap
        reqitarpit ^[^\\ ]*\\ /wp-login
        server a 127.0.0.1:${app.port}
    `)
    expect(await rawExchange(lb.port(), get('/', 'User-Agent: SQLMap/1.0\r\n'))).toStartWith('HTTP/1.1 403 Forbidden\r\n')
    expect(await rawExchange(lb.port(), get('/wp-login.php'))).toStartWith('HTTP/1.1 500 ')
    expect(await rawExchange(lb.port(), get('/', 'User-Agent: curl\r\n'))).toStartWith('HTTP/1.1 200 OK\r\n')
    expect(traffic(app).map((r) => r.uri)).toEqual(['/'])
  })

  test("a frontend's reqallow passes a request over its backend's reqdeny; block denies before any http-request rule", async () => {
    await using app = startHttpServer('app')
    await using lb = await startLb(cfg`
      defaults
        mode http
        ${T}
      frontend fe
        bind 127.0.0.1:0
        http-request allow
        block if { path_beg /admin }
        reqiallow ^X-Internal:\\ yes
        default_backend be
      backend be
        reqideny ^[^\\ ]*\\ /private
        server a 127.0.0.1:${app.port}
    `)
    expect(await rawExchange(lb.port(), get('/admin/x', 'X-Internal: yes\r\n'))).toStartWith('HTTP/1.1 403 Forbidden\r\n')
    expect(await rawExchange(lb.port(), get('/private/x'))).toStartWith('HTTP/1.1 403 Forbidden\r\n')
    expect(await rawExchange(lb.port(), get('/private/y', 'X-Internal: yes\r\n'))).toStartWith('HTTP/1.1 200 OK\r\n')
    expect(traffic(app).map((r) => r.uri)).toEqual(['/private/y'])
  })

  test("a frontend's reqadd is seen by its backend's filters, which run after", async () => {
    await using app = startHttpServer('app')
    await using lb = await startLb(cfg`
      defaults
        mode http
        ${T}
      frontend fe
        bind 127.0.0.1:0
        reqadd X-Stage:\\ front
        default_backend be
      backend be
        reqrep ^X-Stage:\\ (.*) X-Stage:\\ \\1,back
        server a 127.0.0.1:${app.port}
    `)
    await rawExchange(lb.port(), get('/'))
    expect(traffic(app)[0]!.header('x-stage')).toBe('front,back')
  })
})

describe('response filters', () => {
  test('rspadd, rspidel, rsprep with its condition: what the client gets', async () => {
    await using app = startHttpServer('app', () => 'HTTP/1.1 200 OK\r\nServer: Apache/2.2\r\nSet-Cookie: sid=1\r\nContent-Length: 2\r\n\r\nok')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        acl secure hdr(x-forwarded-proto) https
        rspidel ^Server:
        rsprep ^Set-Cookie:\\ (.*) Set-Cookie:\\ \\1;\\ Secure if secure
        rspadd Strict-Transport-Security:\\ max-age=31536000 if secure
        rspadd X-Frame-Options:\\ DENY
        server a 127.0.0.1:${app.port}
    `)
    const plain = await rawExchange(lb.port(), get('/'))
    expect(headOf(plain)).toBe('HTTP/1.1 200 OK\r\nSet-Cookie: sid=1\r\nContent-Length: 2\r\nX-Frame-Options: DENY\r\nConnection: close\r\n\r\n')
    const secure = await rawExchange(lb.port(), get('/', 'X-Forwarded-Proto: https\r\n'))
    expect(headOf(secure)).toBe('HTTP/1.1 200 OK\r\nSet-Cookie: sid=1; Secure\r\nContent-Length: 2\r\nStrict-Transport-Security: max-age=31536000\r\nX-Frame-Options: DENY\r\nConnection: close\r\n\r\n')
  })

  test('rspideny replaces a response the pattern matches with a 502; rsprep rewrites the status line', async () => {
    await using app = startHttpServer('app', (req) => req.uri === '/doc'
      ? 'HTTP/1.1 200 OK\r\nContent-Type: application/msword\r\nContent-Length: 6\r\n\r\nsecret'
      : 'HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        rspideny ^Content-Type:\\ .*/ms-?word
        rsprep ^HTTP/1\\.1\\ 302\\ .* HTTP/1.1\\ 303\\ See\\ Other
        server a 127.0.0.1:${app.port}
    `)
    const denied = await rawExchange(lb.port(), get('/doc'))
    expect(denied).toStartWith('HTTP/1.1 502 Bad Gateway\r\n')
    expect(denied).not.toContain('secret')
    expect(await rawExchange(lb.port(), get('/a'))).toStartWith('HTTP/1.1 303 See Other\r\nLocation: /b\r\n')
  })
})

test('option forceclose closes both sides, as option httpclose', async () => {
  await using app = startHttpServer('app')
  await using lb = await startLb(cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      option forceclose
      server a 127.0.0.1:${app.port}
  `)
  const r = await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: a\r\n\r\n')
  expect(headOf(r)).toContain('\r\nConnection: close\r\n')
  expect(traffic(app)[0]!.header('connection')).toBe('close')
})

test('two servers with one name: both serve, the second under its derived name', async () => {
  await using one = startHttpServer('one')
  await using two = startHttpServer('two')
  await using lb = await startLb(cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      balance roundrobin
      server a 127.0.0.1:${one.port}
      server a 127.0.0.1:${two.port}
  `)
  const bodies = []
  for (let i = 0; i < 4; i++) bodies.push((await rawExchange(lb.port(), get('/'))).split('\r\n\r\n')[1])
  expect(bodies).toEqual(['one', 'two', 'one', 'two'])
  expect(lb.backend('web').servers.map((s) => s.name)).toEqual(['a', 'a-2'])
})

test('a real edgelb process runs a 1.x file, warning once per 1.x line', async () => {
  await using app = startHttpServer('app')
  await using lb = await spawnEdgelb(cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      reqadd X-Proto:\\ http
      rspadd X-Via:\\ edgelb
      server a 127.0.0.1:${app.port}
  `)
  expect(lb.stderr.filter((l) => l.includes('HAProxy 1.x syntax'))).toEqual([
    expect.stringMatching(/edgelb\.cfg:7: warning: 'reqadd' is HAProxy 1\.x syntax.*'http-request add-header X-Proto http'/),
    expect.stringMatching(/edgelb\.cfg:8: warning: 'rspadd' is HAProxy 1\.x syntax.*'http-response add-header X-Via edgelb'/),
  ])
  const r = await rawExchange(lb.ports.get('web')!, get('/'))
  expect(headOf(r)).toContain('\r\nX-Via: edgelb\r\n')
  expect(traffic(app)[0]!.header('x-proto')).toBe('http')
})

describe('what edgelb convert writes behaves as the 1.x lines', () => {
  const original = (port: number) => cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      http-request set-header X-Seen %[req.hdr(x-forwarded-for)]
      block if { path_beg /admin }
      reqidel ^X-Forwarded-For:.*
      reqirep ^Host:\\ (.*) Host:\\ edge-\\1
      reqadd X-Proto:\\ http
      rspidel ^Server:
      rspadd X-Rate:\\ 100%
      server a 127.0.0.1:${port}
  `

  /** Runs `config` in-process and returns what the server and the client saw for two requests. */
  async function exchange(config: ReturnType<typeof buildConfig>['config'], app: ReturnType<typeof startHttpServer>): Promise<string[]> {
    const engine = Engine.start(config, { out: () => {}, err: () => {} })
    try {
      const port = engine.portOf('web')
      const out = [
        headOf(await rawExchange(port, get('/a', 'X-Forwarded-For: 1.2.3.4\r\n'))),
        headOf(await rawExchange(port, get('/admin'))),
      ]
      return [...out, ...traffic(app).map((r) => r.head)]
    } finally {
      engine.stop()
      await within(5000, engine.done, 'the engine to stop')
    }
  }

  test('the same bytes reach the server and the client', async () => {
    await using app = startHttpServer('app', (req) => okResponse(req.uri, 'Server: origin\r\nConnection: close\r\n'))
    const text = original(app.port)
    const cfgBuilt = buildConfig(readHaproxy(text, 'x.cfg').sections, ['x.cfg'])
    const yaml = writeYaml(modernizeSections(readHaproxy(text, 'x.cfg').sections))
    expect(yaml).not.toMatch(/^\s*(reqidel|reqirep|reqadd|rspidel|rspadd|block):/m)
    const yamlBuilt = buildConfig(readYaml(yaml, 'x.yaml').sections, ['x.yaml'])
    expect(yamlBuilt.diagnostics.map(formatDiagnostic)).toEqual([])
    const before = await exchange(cfgBuilt.config, app)
    app.requests.length = 0
    const after = await exchange(yamlBuilt.config, app)
    expect(after).toEqual(before)
    expect(before).toEqual([
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\nX-Rate: 100%\r\n\r\n',
      'HTTP/1.1 403 Forbidden\r\ncontent-length: 104\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n',
      'GET /a HTTP/1.1\r\nHost: edge-www.local\r\nConnection: close\r\nX-Seen: 1.2.3.4\r\nX-Proto: http\r\n\r\n',
    ])
  })
})
