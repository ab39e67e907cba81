/**
 * `compression algo|type|offload`: responses compressed as they stream, under HAProxy's
 * conditions (Accept-Encoding and its q-values, the status, the method, the versions, an existing
 * Content-Encoding, no-transform, the content type, the ETag).
 */
import { describe, expect, test } from 'bun:test'
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib'
import { cfg, connectClient, startLb } from '../support/harness.ts'
import { okResponse, startHttpServer, traffic, type SeenRequest } from '../support/http-harness.ts'

const T = 'timeout connect 5s\n  timeout client 5s\n  timeout server 5s'
const TEXT = 'All work and no play makes Jack a dull boy. '.repeat(200)

interface Reply { head: string; status: number; header(name: string): string | undefined; body: Buffer }

/** Reads `n` responses from a connection; bodies by Content-Length or chunked, de-chunked. */
async function exchange(port: number, requests: string[]): Promise<Reply[]> {
  using c = await connectClient(port)
  await c.write(requests.join(''))
  let out: Reply[] = []
  const parse = (): boolean => {
    out = []
    const buf = c.bytes()
    let i = 0
    while (out.length < requests.length) {
      const end = buf.indexOf('\r\n\r\n', i)
      if (end < 0) return false
      const head = buf.subarray(i, end + 2).toString('latin1')
      const status = Number(head.slice(9, 12))
      const header = (name: string): string | undefined => new RegExp(`\r\n${name}: *([^\r]*)\r\n`, 'i').exec(head)?.[1]
      let p = end + 4
      let body: Buffer
      const isHead = requests[out.length]!.startsWith('HEAD ')
      if (isHead) body = Buffer.alloc(0)
      else if (/chunked/i.test(header('transfer-encoding') ?? '')) {
        const parts: Buffer[] = []
        for (;;) {
          const eol = buf.indexOf('\r\n', p)
          if (eol < 0) return false
          const size = parseInt(buf.subarray(p, eol).toString('latin1'), 16)
          if (size === 0) { if (buf.length < eol + 4) return false; p = eol + 4; break }
          if (buf.length < eol + 2 + size + 2) return false
          parts.push(buf.subarray(eol + 2, eol + 2 + size))
          p = eol + 2 + size + 2
        }
        body = Buffer.concat(parts)
      } else {
        const n = Number(header('content-length') ?? '0')
        if (buf.length < p + n) return false
        body = buf.subarray(p, p + n)
        p += n
      }
      out.push({ head, status, header, body })
      i = p
    }
    return true
  }
  await c.changed.until(parse, `${requests.length} responses (have ${c.received} bytes)`, 5000)
  return out
}

const get = (uri: string, extra = '', method = 'GET', version = '1.1'): string => `${method} ${uri} HTTP/${version}\r\nHost: a\r\n${extra}\r\n`

/** The origin's answer follows the query: `?ct=TYPE`, `?h=Name:value`, `?status=N`, `?chunked`. */
function origin(): ReturnType<typeof startHttpServer> {
  return startHttpServer('app', (r: SeenRequest) => {
    const q = new URLSearchParams(r.uri.split('?')[1] ?? '')
    const extra = [`Content-Type: ${q.get('ct') ?? 'text/html; charset=utf-8'}`, ...q.getAll('h')].map((h) => `${h}\r\n`).join('')
    const status = q.get('status') ?? '200'
    if (q.has('chunked')) {
      const pieces = [TEXT.slice(0, 1000), TEXT.slice(1000, 5000), TEXT.slice(5000)]
      return `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n${extra}\r\n${pieces.map((s) => `${s.length.toString(16)}\r\n${s}\r\n`).join('')}0\r\n\r\n`
    }
    if (status !== '200') return `HTTP/1.1 ${status} X\r\nContent-Length: ${TEXT.length}\r\n${extra}\r\n${TEXT}`
    return okResponse(TEXT, extra)
  })
}

async function lbWith(port: number, lines: string): Promise<Awaited<ReturnType<typeof startLb>>> {
  return startLb(cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      ${lines}
      server a 127.0.0.1:${port}
  `)
}

describe('compression', () => {
  test('gzip: chunked, Content-Encoding and Vary added, ETag weakened, on a kept-alive connection', async () => {
    await using app = origin()
    await using lb = await lbWith(app.port, 'compression algo gzip\n  compression type text/html text/plain')
    const [a, b] = await exchange(lb.port(), [get('/a?h=ETag:"v1"', 'Accept-Encoding: gzip, deflate\r\n'), get('/b?chunked', 'Accept-Encoding: gzip\r\n')])
    for (const r of [a!, b!]) {
      expect(r.status).toBe(200)
      expect(r.header('content-encoding')).toBe('gzip')
      expect(r.header('content-length')).toBeUndefined()
      expect(r.header('vary')).toBe('Accept-Encoding')
      expect(gunzipSync(r.body).toString()).toBe(TEXT)
      expect(r.body.length).toBeLessThan(TEXT.length / 10)
    }
    expect(a!.header('etag')).toBe('W/"v1"')
    // The server saw the client's Accept-Encoding (no offload).
    expect(traffic(app)[0]!.header('accept-encoding')).toBe('gzip, deflate')
  })

  test('the client picks by q-value among the configured algorithms; deflate and raw-deflate', async () => {
    await using app = origin()
    await using lb = await lbWith(app.port, 'compression algo raw-deflate gzip')
    const [a, b, c] = await exchange(lb.port(), [
      get('/1', 'Accept-Encoding: gzip;q=0.5, deflate\r\n'),
      get('/2', 'Accept-Encoding: deflate;q=0.1, gzip;q=0.9\r\n'),
      get('/3', 'Accept-Encoding: br\r\n'),
    ])
    expect(a!.header('content-encoding')).toBe('deflate')
    expect(inflateRawSync(a!.body).toString()).toBe(TEXT)
    expect(b!.header('content-encoding')).toBe('gzip')
    expect(c!.header('content-encoding')).toBeUndefined()
    expect(c!.body.toString()).toBe(TEXT)
    await using lb2 = await lbWith(app.port, 'compression algo deflate')
    const [d] = await exchange(lb2.port(), [get('/4', 'Accept-Encoding: deflate\r\n')])
    expect(inflateSync(d!.body).toString()).toBe(TEXT)
  })

  test('filter compression (and filter cache) are accepted as declarations', async () => {
    await using app = origin()
    await using lb = await startLb(cfg`
      cache c
        total-max-size 1
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        filter compression
        filter cache c
        compression algo gzip
        server a 127.0.0.1:${app.port}
    `)
    const [r] = await exchange(lb.port(), [get('/', 'Accept-Encoding: gzip\r\n')])
    expect(gunzipSync(r!.body).toString()).toBe(TEXT)
  })

  test('compression offload: the server does not see Accept-Encoding', async () => {
    await using app = origin()
    await using lb = await lbWith(app.port, 'compression algo gzip\n  compression offload')
    const [r] = await exchange(lb.port(), [get('/', 'Accept-Encoding: gzip\r\n')])
    expect(gunzipSync(r!.body).toString()).toBe(TEXT)
    expect(traffic(app)[0]!.header('accept-encoding')).toBeUndefined()
  })

  test('what HAProxy does not compress goes as the server sent it', async () => {
    await using app = origin()
    await using lb = await lbWith(app.port, 'compression algo gzip\n  compression type text/html')
    const ae = 'Accept-Encoding: gzip\r\n'
    const cases = [
      get('/already?h=Content-Encoding:gzip', ae), // a gzip request for an already compressed body
      get('/type?ct=image/png', ae),
      get('/no-transform?h=Cache-Control:no-transform', ae),
      get('/status?status=404', ae),
      get('/bad-etag?h=ETag:v1', ae),
      get('/head', ae, 'HEAD'),
      get('/refused', 'Accept-Encoding: gzip;q=0\r\n'),
      get('/none'),
      get('/old-agent', `${ae}User-Agent: Mozilla/4.0 (compatible; MSIE 5.5; Windows 98)\r\n`),
    ]
    const replies = await exchange(lb.port(), cases)
    for (const r of replies) {
      expect(r.header('content-encoding') === 'gzip' && r.body.length < TEXT.length).toBe(false)
      expect(r.header('vary')).toBeUndefined()
    }
    expect(replies[0]!.body.toString()).toBe(TEXT)
    // HTTP/1.0 is never compressed.
    const [old] = await exchange(lb.port(), [get('/http10', `${ae}Connection: keep-alive\r\n`, 'GET', '1.0')])
    expect(old!.header('content-encoding')).toBeUndefined()
    // A modern MSIE announcing Mozilla/4 is compressed.
    const [ie] = await exchange(lb.port(), [get('/ie8', `${ae}User-Agent: Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1)\r\n`)])
    expect(ie!.header('content-encoding')).toBe('gzip')
  })

  test('a large chunked body streams through', async () => {
    const big = Buffer.alloc(3_000_000)
    for (let i = 0; i < big.length; i++) big[i] = 97 + ((i * 7919) % 26)
    await using app = startHttpServer('app', () => {
      const parts: string[] = []
      for (let i = 0; i < big.length; i += 65536) {
        const s = big.subarray(i, i + 65536).toString('latin1')
        parts.push(`${s.length.toString(16)}\r\n${s}\r\n`)
      }
      return Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n${parts.join('')}0\r\n\r\n`, 'latin1')
    })
    await using lb = await lbWith(app.port, 'compression algo gzip')
    const [r] = await exchange(lb.port(), [get('/', 'Accept-Encoding: gzip\r\n')])
    expect(gunzipSync(r!.body).equals(big)).toBe(true)
  })
})

test('res.comp and res.comp_algo in the log line', async () => {
  await using app = origin()
  await using lb = await startLb(cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      log stdout format raw local0
      log-format "%HP %[res.comp] %[res.comp_algo]"
      compression algo gzip deflate
      server a 127.0.0.1:${app.port}
  `)
  await exchange(lb.port(), [get('/a', 'Accept-Encoding: deflate\r\n'), get('/b')])
  expect(await lb.waitLogs(2)).toEqual(['/a 1 deflate', '/b 0 -'])
})

test('a large body that makes zlib fall behind, then the next request on the same connections', async () => {
  const big = Buffer.from('<p>compressible markup, line after line</p>\n'.repeat(60_000))
  await using app = startHttpServer('app', () => Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${big.length}\r\n\r\n`), big]))
  await using lb = await startLb(cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      compression algo gzip
      server a 127.0.0.1:${app.port}
  `)
  const rs = await exchange(lb.port(), [get('/1', 'Accept-Encoding: gzip\r\n'), get('/2', 'Accept-Encoding: gzip\r\n'), get('/3', 'Accept-Encoding: gzip\r\n')])
  for (const r of rs) expect(gunzipSync(r.body).equals(big)).toBe(true)
  // One server connection carried the three (it was not left paused).
  expect(app.tcp.conns.length).toBe(1)
})

test('compression direction both with algo-req: a request body goes to the server compressed', async () => {
  await using app = startHttpServer('app')
  await using lb = await startLb(cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      compression direction both
      compression algo gzip
      compression algo-req gzip
      compression type-req application/json
      server a 127.0.0.1:${app.port}
  `)
  const json = JSON.stringify({ rows: Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `row ${i}` })) })
  const post = (type: string, body: string, extra = ''): string =>
    `POST /up HTTP/1.1\r\nHost: a\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`
  await exchange(lb.port(), [post('application/json', json), post('text/plain', 'plain text'), post('application/json', 'already', 'Content-Encoding: br\r\n')])
  const [a, b, c] = traffic(app)
  expect(a!.header('content-encoding')).toBe('gzip')
  expect(a!.header('content-length')).toBeUndefined()
  expect(a!.header('transfer-encoding')).toBe('chunked')
  const chunks: Buffer[] = []
  const raw = Buffer.from(a!.body, 'latin1')
  for (let i = 0; ;) {
    const eol = raw.indexOf('\r\n', i)
    const size = parseInt(raw.subarray(i, eol).toString('latin1'), 16)
    if (size === 0) break
    chunks.push(raw.subarray(eol + 2, eol + 2 + size))
    i = eol + 2 + size + 2
  }
  expect(gunzipSync(Buffer.concat(chunks)).toString()).toBe(json)
  // Another type, or a body already encoded: as sent.
  expect([b!.header('content-encoding'), b!.body]).toEqual([undefined, 'plain text'])
  expect([c!.header('content-encoding'), c!.body]).toEqual(['br', 'already'])
})
