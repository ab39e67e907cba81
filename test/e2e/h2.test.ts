/**
 * HTTP/2 on the client side, with real clients (node:http2, curl): prior knowledge on a clear
 * bind, ALPN on a TLS bind, HTTP/1.1 still served on the same port, requests through the same
 * phases and HTTP/1.1 servers, logs saying HTTP/2.0.
 */
import { expect, test } from 'bun:test'
import http2 from 'node:http2'
import { cfg, startLb } from '../support/harness.ts'
import { runCmd, testPki } from '../support/tls.ts'

const pki = testPki()

/** `listen web` with `bind` options, in front of an HTTP/1.1 server on `port`, logging httplog. */
function webConfig(port: number, bind = '', lines: string[] = []): string {
  return cfg`
    global
      log stdout format raw local0
    defaults
      mode http
      log global
      option httplog
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    listen web
      bind 127.0.0.1:0 ${bind}
      ${lines.join('\n      ')}
      server s1 127.0.0.1:${port}`
}

/** An HTTP/1.1 server that echoes the method, path, body length and a header. */
function echoServer(): { port: number } & Disposable {
  return Bun.serve({
    port: 0,
    async fetch(r: Request) {
      const body = await r.arrayBuffer()
      return new Response(`${r.method} ${new URL(r.url).pathname} ${body.byteLength} ${r.headers.get('content-length') ?? '-'} ${r.headers.get('cookie') ?? '-'}`)
    },
  }) as unknown as { port: number } & Disposable
}

function h2Get(url: string, path: string, headers: Record<string, string> = {}, body?: Uint8Array): Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: Buffer; trailers: http2.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const c = http2.connect(url)
    c.on('error', reject)
    const req = c.request({ ':path': path, ':method': body ? 'POST' : 'GET', ...headers })
    let status = 0
    let hdrs: http2.IncomingHttpHeaders = {}
    let trailers: http2.IncomingHttpHeaders = {}
    const parts: Buffer[] = []
    req.on('response', (h) => { status = Number(h[':status']); hdrs = h })
    req.on('trailers', (t) => { trailers = t })
    req.on('data', (d: Buffer) => parts.push(d))
    req.on('end', () => { c.close(); resolve({ status, headers: hdrs, body: Buffer.concat(parts), trailers }) })
    req.on('error', (e) => { c.close(); reject(e) })
    if (body) req.end(body)
    else req.end()
  })
}

test('h2c with prior knowledge: a GET goes to an HTTP/1.1 server and comes back as HTTP/2, logged HTTP/2.0', async () => {
  using srv = Bun.serve({ port: 0, fetch: (r) => new Response(`hello ${new URL(r.url).pathname} ${r.headers.get('x-a')}`, { headers: { 'x-srv': '1' } }) })
  await using lb = await startLb(cfg`
    global
      log stdout format raw local0
    defaults
      mode http
      log global
      option httplog
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    listen web
      bind 127.0.0.1:0
      server s1 127.0.0.1:${srv.port}`)
  const r = await h2Get(`http://127.0.0.1:${lb.port()}`, '/a/b', { 'x-a': 'yes' })
  expect(r.status).toBe(200)
  expect(r.body.toString()).toBe('hello /a/b yes')
  expect(r.headers['x-srv']).toBe('1')
  const logs = await lb.waitLogs(1)
  expect(logs[0]).toContain('"GET /a/b HTTP/2.0"')
  // HTTP/1.1 still served on the same port.
  const r1 = await fetch(`http://127.0.0.1:${lb.port()}/one`)
  expect(await r1.text()).toBe('hello /one null')
})

test('request bodies: with Content-Length, and without (sent chunked); cookie crumbs joined', async () => {
  using srv = echoServer()
  await using lb = await startLb(webConfig(srv.port))
  const url = `http://127.0.0.1:${lb.port()}`
  const a = await h2Get(url, '/up', { 'content-length': '5' }, Buffer.from('hello'))
  expect(a.body.toString()).toBe('POST /up 5 5 -')
  const b = await h2Get(url, '/up', {}, Buffer.alloc(100000, 1))
  expect(b.body.toString()).toBe('POST /up 100000 - -')
  const c = await h2Get(url, '/c', { cookie: 'a=1' })
  expect(c.body.toString()).toBe('GET /c 0 - a=1')
})

test('100 concurrent streams on one connection, each its own request', async () => {
  using srv = echoServer()
  await using lb = await startLb(webConfig(srv.port))
  const c = http2.connect(`http://127.0.0.1:${lb.port()}`)
  const one = (i: number) => new Promise<string>((resolve, reject) => {
    const req = c.request({ ':path': `/s${i}` })
    const parts: Buffer[] = []
    req.on('data', (d: Buffer) => parts.push(d))
    req.on('end', () => resolve(Buffer.concat(parts).toString()))
    req.on('error', reject)
    req.end()
  })
  const got = await Promise.all(Array.from({ length: 100 }, (_, i) => one(i)))
  c.close()
  expect(got).toEqual(Array.from({ length: 100 }, (_, i) => `GET /s${i} 0 - -`))
})

test('a large response crosses the flow-control windows', async () => {
  const big = Buffer.alloc(3 * 1024 * 1024, 0x61)
  using srv = Bun.serve({ port: 0, fetch: () => new Response(big) }) as unknown as { port: number } & Disposable
  await using lb = await startLb(webConfig(srv.port))
  const r = await h2Get(`http://127.0.0.1:${lb.port()}`, '/big')
  expect(r.body.length).toBe(big.length)
})

test('curl --http2-prior-knowledge on a clear bind', async () => {
  using srv = echoServer()
  await using lb = await startLb(webConfig(srv.port))
  const r = await runCmd(['curl', '-sS', '--max-time', '5', '--http2-prior-knowledge', '-w', ' %{http_version}', `http://127.0.0.1:${lb.port()}/pk`])
  expect(r.out).toBe('GET /pk 0 - - 2')
})

test('TLS bind with alpn h2,http/1.1: curl --http2 and node:http2 speak HTTP/2, curl --http1.1 HTTP/1.1', async () => {
  using srv = echoServer()
  await using lb = await startLb(webConfig(srv.port, `ssl crt ${pki.file('a.pem')} alpn h2,http/1.1`))
  const port = lb.port()
  const curl = (v: string) => runCmd(['curl', '-sS', '--max-time', '5', v, '-w', ' %{http_version}', '--cacert', pki.file('srvca.crt'), '--resolve', `a.test:${port}:127.0.0.1`, `https://a.test:${port}/t`])
  const c2 = await curl('--http2')
  expect(c2.out).toBe('GET /t 0 - - 2')
  expect((await curl('--http1.1')).out).toBe('GET /t 0 - - 1.1')
  const r = await new Promise<string>((resolve, reject) => {
    const c = http2.connect(`https://a.test:${port}`, { ca: pki.ca, servername: 'a.test', host: '127.0.0.1' } as http2.SecureClientSessionOptions)
    c.on('error', reject)
    const req = c.request({ ':path': '/n' })
    const parts: Buffer[] = []
    req.on('data', (d: Buffer) => parts.push(d))
    req.on('end', () => { c.close(); resolve(Buffer.concat(parts).toString()) })
    req.end()
  })
  expect(r).toBe('GET /n 0 - -')
})
