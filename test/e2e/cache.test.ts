/**
 * `cache` sections with `http-request cache-use` and `http-response cache-store`: what is served
 * from the cache never reaches the server; what HAProxy would not cache (Cache-Control, Set-Cookie,
 * Vary, Authorization, Age, size) reaches it every time.
 */
import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startStatsSockets } from '../../src/admin/socket.ts'
import { buildConfig } from '../../src/config/build.ts'
import { readHaproxy } from '../../src/config/haproxy/reader.ts'
import { formatDiagnostic } from '../../src/model/source.ts'
import { cfg, startLb } from '../support/harness.ts'
import { bodyOf, okResponse, rawExchange, startHttpServer, traffic, type SeenRequest } from '../support/http-harness.ts'

const T = 'timeout connect 5s\n  timeout client 5s\n  timeout server 5s'

function req(uri: string, extra = '', method = 'GET'): string {
  return `${method} ${uri} HTTP/1.1\r\nHost: site\r\n${extra}Connection: close\r\n\r\n`
}

/** The origin answers each path as its query says: `?h=Name:value` adds a field, `?n=SIZE` sets
 *  the body's size, `?chunked` frames it in chunks. The body names the request's rank. */
function origin(): ReturnType<typeof startHttpServer> {
  let n = 0
  return startHttpServer('app', (r: SeenRequest) => {
    n++
    const q = new URLSearchParams(r.uri.split('?')[1] ?? '')
    const size = Number(q.get('n') ?? '0')
    const body = size > 0 ? 'x'.repeat(size) : `answer ${n}`
    const extra = q.getAll('h').map((h) => `${h}\r\n`).join('')
    if (q.has('chunked')) {
      const half = Math.floor(body.length / 2)
      const chunk = (s: string): string => `${s.length.toString(16)}\r\n${s}\r\n`
      return `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n${extra}\r\n${chunk(body.slice(0, half))}${chunk(body.slice(half))}0\r\n\r\n`
    }
    return okResponse(body, extra)
  })
}

async function lbWith(port: number, cache = 'total-max-size 4\n  max-age 240'): Promise<Awaited<ReturnType<typeof startLb>>> {
  return startLb(cfg`
    cache c
      ${cache}
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      http-request cache-use c
      http-response cache-store c
      server a 127.0.0.1:${port}
  `)
}

const CC = 'h=Cache-Control:max-age%3D60'

describe('cache', () => {
  test('a second GET is served from the cache without touching the server, with Age; HEAD too', async () => {
    await using app = origin()
    await using lb = await lbWith(app.port)
    const first = await rawExchange(lb.port(), req(`/a?${CC}`))
    const second = await rawExchange(lb.port(), req(`/a?${CC}`))
    expect(bodyOf(first)).toBe('answer 1')
    expect(bodyOf(second)).toBe('answer 1')
    expect(second).toStartWith('HTTP/1.1 200 OK\r\n')
    expect(second).toMatch(/\r\nAge: 0\r\n/)
    expect(second).toMatch(/\r\nCache-Control: max-age=60\r\n/)
    const head = await rawExchange(lb.port(), req(`/a?${CC}`, '', 'HEAD'))
    expect(head).toStartWith('HTTP/1.1 200 OK\r\n')
    expect(head).toEndWith('\r\n\r\n')
    // Another URL, another object; another host, another object.
    expect(bodyOf(await rawExchange(lb.port(), req(`/b?${CC}`)))).toBe('answer 2')
    expect(bodyOf(await rawExchange(lb.port(), `GET /a?${CC} HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n`))).toBe('answer 3')
    expect(traffic(app).length).toBe(3)
  })

  test('a chunked response is stored out of its framing and served whole', async () => {
    await using app = origin()
    await using lb = await lbWith(app.port)
    const uri = `/c?chunked&n=5000&${CC}`
    await rawExchange(lb.port(), req(uri))
    const hit = await rawExchange(lb.port(), req(uri))
    expect(bodyOf(hit)).toBe('x'.repeat(5000))
    expect(hit.toLowerCase()).toContain('\r\ncontent-length: 5000\r\n')
    expect(hit.toLowerCase()).not.toContain('transfer-encoding')
    expect(traffic(app).length).toBe(1)
  })

  test('what HAProxy does not cache reaches the server every time', async () => {
    await using app = origin()
    await using lb = await lbWith(app.port, 'total-max-size 1\n  max-object-size 3000')
    const cases: [string, string][] = [
      ['/no-store?h=Cache-Control:no-store', ''],
      ['/private?h=Cache-Control:private,max-age%3D60', ''],
      ['/no-cache?h=Cache-Control:no-cache', ''],
      ['/zero?h=Cache-Control:max-age%3D0', ''],
      ['/cookie?h=Set-Cookie:a%3D1&' + CC, ''],
      ['/vary?h=Vary:Accept-Encoding&' + CC, ''],
      ['/no-lifetime', ''], // no max-age, Expires, ETag or Last-Modified
      ['/aged?h=Age:600&' + CC, ''], // older than its max-age already
      ['/big?n=4000&' + CC, ''], // over max-object-size
      ['/big-chunked?chunked&n=4000&' + CC, ''],
      ['/auth?' + CC, 'Authorization: Basic YTpi\r\n'],
      ['/req-no-cache?' + CC, 'Cache-Control: no-cache\r\n'],
      ['/pragma?' + CC, 'Pragma: no-cache\r\n'],
    ]
    for (const [uri, extra] of cases) {
      await rawExchange(lb.port(), req(uri, extra))
      await rawExchange(lb.port(), req(uri, extra))
    }
    expect(traffic(app).length).toBe(cases.length * 2)
    // An ETag alone makes an object cacheable (for the cache's max-age).
    await rawExchange(lb.port(), req('/etag?h=ETag:"v1"'))
    await rawExchange(lb.port(), req('/etag?h=ETag:"v1"'))
    expect(traffic(app).length).toBe(cases.length * 2 + 1)
  })

  test('a request with Cache-Control: no-cache is not answered from the cache, but others still are', async () => {
    await using app = origin()
    await using lb = await lbWith(app.port)
    await rawExchange(lb.port(), req(`/r?${CC}`))
    expect(bodyOf(await rawExchange(lb.port(), req(`/r?${CC}`, 'Cache-Control: no-cache\r\n')))).toBe('answer 2')
    expect(bodyOf(await rawExchange(lb.port(), req(`/r?${CC}`)))).toBe('answer 1')
  })

  test('process-vary on: one object per Accept-Encoding', async () => {
    await using app = origin()
    await using lb = await lbWith(app.port, 'total-max-size 4\n  process-vary on\n  max-secondary-entries 2')
    const uri = `/v?h=Vary:Accept-Encoding&${CC}`
    const ae = (v: string): string => `Accept-Encoding: ${v}\r\n`
    expect(bodyOf(await rawExchange(lb.port(), req(uri, ae('gzip'))))).toBe('answer 1')
    expect(bodyOf(await rawExchange(lb.port(), req(uri, ae('br, gzip'))))).toBe('answer 2')
    expect(bodyOf(await rawExchange(lb.port(), req(uri, ae('gzip'))))).toBe('answer 1')
    expect(bodyOf(await rawExchange(lb.port(), req(uri, ae('gzip, br'))))).toBe('answer 2')
    // A third variant is over max-secondary-entries: served, never stored.
    expect(bodyOf(await rawExchange(lb.port(), req(uri, ae('deflate'))))).toBe('answer 3')
    expect(bodyOf(await rawExchange(lb.port(), req(uri, ae('deflate'))))).toBe('answer 4')
  })

  test('total-max-size: the least recently used object makes room', async () => {
    await using app = origin()
    // 1 MB in all, objects up to 500 kB: two 400 kB objects do not fit together.
    await using lb = await lbWith(app.port, 'total-max-size 1\n  max-object-size 500000')
    const a = `/a?n=400000&${CC}`
    const b = `/b?n=400000&${CC}`
    const c = `/c?n=400000&${CC}`
    await rawExchange(lb.port(), req(a))
    await rawExchange(lb.port(), req(b))
    await rawExchange(lb.port(), req(a)) // a hit: a is now the most recent
    await rawExchange(lb.port(), req(c)) // b goes
    expect(traffic(app).map((r) => r.uri.split('?')[0])).toEqual(['/a', '/b', '/c'])
    await rawExchange(lb.port(), req(a))
    await rawExchange(lb.port(), req(b))
    expect(traffic(app).map((r) => r.uri.split('?')[0])).toEqual(['/a', '/b', '/c', '/b'])
  })

  test('errors at load: an unknown cache, a cache without total-max-size, an object size over half', () => {
    const text = 'cache c\n  max-age 10\ncache d\n  total-max-size 1\n  max-object-size 600000\nlisten web\n  bind 127.0.0.1:0\n  mode http\n  http-request cache-use nope\n  server a 127.0.0.1:9\n'
    const read = readHaproxy(text, 'c.cfg')
    const built = buildConfig(read.sections, ['c.cfg'])
    expect(built.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([
      "c.cfg:1: error: cache 'c' needs 'total-max-size MEGABYTES'",
      "c.cfg:5: error: 'max-object-size' 600000 is more than half of 'total-max-size' (1048576 bytes)",
      "c.cfg:9: error: cache-use: no cache section named 'nope'; known: c, d",
    ])
  })
})

test('show cache on the runtime API lists each cache and its objects', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-cache-cli-'))
  try {
    await using app = origin()
    await using lb = await startLb(cfg`
      global
        stats socket ${join(dir, 'admin.sock')} level admin
      cache c
        total-max-size 1
        max-age 60
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        http-request cache-use c
        http-response cache-store c
        server a 127.0.0.1:${app.port}
    `)
    const sockets = startStatsSockets(lb.engine, lb.engine.config.global)
    try {
      await rawExchange(lb.port(), req(`/a?n=3000&${CC}`))
      const out = await new Promise<string>((resolve) => {
        let text = ''
        void Bun.connect({ unix: join(dir, 'admin.sock'), socket: { open(s) { s.write('show cache\n'); s.shutdown() }, data(_s, b) { text += b.toString() }, close() { resolve(text) }, error() {} } })
      })
      expect(out).toMatch(/^0x[0-9a-f]+: c \(shctx:0x[0-9a-f]+, available blocks:1021\)\n0x[0-9a-f]+ hash:\d+ vary:0x0 size:\d+ \(3 blocks\), refcount:0, expire:(59|60)\n/)
    } finally {
      sockets.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('res.cache_hit and res.cache_name say which requests the cache answered', async () => {
  await using app = origin()
  await using lb = await startLb(cfg`
    cache c
      total-max-size 1
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      log stdout format raw local0
      log-format "%HP %[res.cache_hit] %[res.cache_name] %s"
      http-request cache-use c
      http-response cache-store c
      http-after-response set-header X-Cache %[res.cache_hit]
      server a 127.0.0.1:${app.port}
  `)
  await rawExchange(lb.port(), req(`/x?${CC}`))
  const hit = await rawExchange(lb.port(), req(`/x?${CC}`))
  expect(hit).toContain('\r\nX-Cache: 1\r\n')
  expect(await lb.waitLogs(2)).toEqual(['/x 0 - a', '/x 1 c <CACHE>'])
})
