/**
 * HTTP/2 on the client side, with real clients (node:http2, curl): prior knowledge on a clear
 * bind, ALPN on a TLS bind, HTTP/1.1 still served on the same port, requests through the same
 * phases and HTTP/1.1 servers, logs saying HTTP/2.0.
 */
import { expect, test } from 'bun:test'
import http2 from 'node:http2'
import https from 'node:https'
import net from 'node:net'
import { cfg, Signal, startLb } from '../support/harness.ts'
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

test('the request phases read req.ver 2.0; a request denied there is logged HTTP/2.0', async () => {
  using srv = Bun.serve({ port: 0, fetch: (r) => new Response(`ver ${r.headers.get('x-ver')}`) })
  await using lb = await startLb(webConfig(srv.port!, '', [
    'http-request deny deny_status 403 if { path /deny } { req.ver 2.0 }',
    'http-request set-header x-ver %[req.ver]',
  ]))
  const url = `http://127.0.0.1:${lb.port()}`
  const a = await h2Get(url, '/a')
  expect(a.body.toString()).toBe('ver 2.0')
  const d = await h2Get(url, '/deny')
  expect(d.status).toBe(403)
  const logs = await lb.waitLogs(2)
  expect(logs.some((l) => l.includes(' 403 ') && l.includes('"GET /deny HTTP/2.0"'))).toBe(true)
  // HTTP/1.1 on the same port still reads 1.1, and is not denied.
  const r1 = await fetch(`${url}/deny`)
  expect(await r1.text()).toBe('ver 1.1')
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
  // HAProxy's h2 counters on the frontend.
  const h2 = lb.frontend().counters.h2
  expect([h2.totalConns, h2.totalStreams, h2.headersRcvd, h2.connProtoErr]).toEqual([1, 100, 100, 0])
})

test('counted as HAProxy counts HTTP/2: the connection is the frontend session, each stream a request and a backend session', async () => {
  using srv = echoServer()
  await using lb = await startLb(webConfig(srv.port))
  const c = http2.connect(`http://127.0.0.1:${lb.port()}`)
  const one = (i: number) => new Promise<void>((resolve, reject) => {
    const req = c.request({ ':path': `/n${i}` })
    req.on('data', () => {})
    req.on('end', resolve)
    req.on('error', reject)
    req.end()
  })
  await Promise.all(Array.from({ length: 10 }, (_, i) => one(i)))
  const fe = lb.frontend()
  // While the connection is open: one session on the frontend, whatever its streams.
  expect([fe.cur, fe.counters.cumSess, fe.counters.reqTot]).toEqual([1, 1, 10])
  c.close()
  const be = lb.backend('web')
  expect([be.counters.total, be.servers[0]!.counters.total]).toEqual([10, 10])
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

/** A gRPC-style echo on node:http2 in clear (h2c): each length-prefixed message it receives is
 *  sent back at once; the response ends with `grpc-status` trailers when the request ends. */
async function grpcEcho(): Promise<{ port: number; streams: number; connections: number } & AsyncDisposable> {
  const srv = http2.createServer()
  const counts = { streams: 0, connections: 0 }
  srv.on('session', () => { counts.connections++ })
  srv.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    counts.streams++
    if (headers['content-type'] !== 'application/grpc') { stream.respond({ ':status': 415 }); stream.end(); return }
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true })
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': `echoed ${headers[':path']}` }))
    stream.on('data', (d: Buffer) => stream.write(d))
    stream.on('end', () => stream.end())
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  return {
    port: (srv.address() as { port: number }).port,
    get streams() { return counts.streams },
    get connections() { return counts.connections },
    [Symbol.asyncDispose]: () => new Promise<void>((r) => srv.close(() => r())),
  }
}

function grpcMessage(text: string): Buffer {
  const b = Buffer.from(text)
  const h = Buffer.alloc(5)
  h.writeUInt32BE(b.length, 1)
  return Buffer.concat([h, b])
}

test('gRPC through edgelb to an HTTP/2 server (proto h2): unary and streaming, with grpc-status trailers; streams share a connection', async () => {
  await using g = await grpcEcho()
  await using lb = await startLb(webConfig(0, '', []).replace(`server s1 127.0.0.1:0`, `server s1 127.0.0.1:${g.port} proto h2`))
  const c = http2.connect(`http://127.0.0.1:${lb.port()}`)
  // Unary.
  const unary = await new Promise<{ body: Buffer; trailers: http2.IncomingHttpHeaders; headers: http2.IncomingHttpHeaders }>((resolve, reject) => {
    const req = c.request({ ':method': 'POST', ':path': '/echo.Echo/Say', 'content-type': 'application/grpc', te: 'trailers' })
    const parts: Buffer[] = []
    let headers: http2.IncomingHttpHeaders = {}
    let trailers: http2.IncomingHttpHeaders = {}
    req.on('response', (h) => { headers = h })
    req.on('trailers', (t) => { trailers = t })
    req.on('data', (d: Buffer) => parts.push(d))
    req.on('end', () => resolve({ body: Buffer.concat(parts), trailers, headers }))
    req.on('error', reject)
    req.end(grpcMessage('hi'))
  })
  expect(unary.headers['content-type']).toBe('application/grpc')
  expect(unary.body).toEqual(grpcMessage('hi'))
  expect(unary.trailers['grpc-status']).toBe('0')
  expect(unary.trailers['grpc-message']).toBe('echoed /echo.Echo/Say')
  // Streaming: each message comes back before the next is sent.
  const req = c.request({ ':method': 'POST', ':path': '/echo.Echo/Chat', 'content-type': 'application/grpc', te: 'trailers' })
  const got: Buffer[] = []
  let trailers: http2.IncomingHttpHeaders = {}
  const changed = new Signal()
  req.on('data', (d: Buffer) => { got.push(d); changed.notify() })
  req.on('trailers', (t) => { trailers = t })
  const ended = new Promise<void>((r) => req.on('end', () => r()))
  for (const m of ['one', 'two', 'three']) {
    const want = Buffer.concat([...got, grpcMessage(m)]).length
    req.write(grpcMessage(m))
    await changed.until(() => Buffer.concat(got).length >= want, `the echo of ${m}`, 5000)
  }
  req.end()
  await ended
  expect(Buffer.concat(got)).toEqual(Buffer.concat(['one', 'two', 'three'].map(grpcMessage)))
  expect(trailers['grpc-status']).toBe('0')
  // 20 requests at once over HTTP/2 to the server: one connection carries them.
  const many = await Promise.all(Array.from({ length: 20 }, (_, i) => new Promise<string>((resolve, reject) => {
    const r = c.request({ ':method': 'POST', ':path': `/m${i}`, 'content-type': 'application/grpc' })
    const parts: Buffer[] = []
    r.on('data', (d: Buffer) => parts.push(d))
    r.on('end', () => resolve(Buffer.concat(parts).subarray(5).toString()))
    r.on('error', reject)
    r.end(grpcMessage(`m${i}`))
  })))
  c.close()
  expect(many).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`))
  expect(g.streams).toBe(22)
  expect(g.connections).toBe(1)
})

test('send-proxy on HTTP/2 server connections: the PROXY header first, and a connection shared only by requests with the same header', async () => {
  const seen: string[] = []
  const h2srv = http2.createServer()
  h2srv.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    stream.respond({ ':status': 200 })
    stream.end(`${headers[':path']} via ${(stream.session!.socket as unknown as { pp: string }).pp}`)
  })
  // Reads the PROXY line, then hands the connection to the HTTP/2 server.
  const front = net.createServer((sock) => {
    let buf = Buffer.alloc(0)
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d])
      const eol = buf.indexOf('\r\n')
      if (eol < 0) return
      sock.off('data', onData)
      const line = buf.subarray(0, eol).toString('latin1')
      seen.push(line)
      ;(sock as unknown as { pp: string }).pp = line.split(' ').slice(0, 3).join(' ')
      sock.pause()
      sock.unshift(buf.subarray(eol + 2))
      h2srv.emit('connection', sock)
      sock.resume()
    }
    sock.on('data', onData)
  })
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r))
  try {
    const port = (front.address() as net.AddressInfo).port
    await using lb = await startLb(webConfig(0, '', ['http-reuse always']).replace('server s1 127.0.0.1:0', `server s1 127.0.0.1:${port} proto h2 send-proxy`))
    const url = `http://127.0.0.1:${lb.port()}`
    // Two requests on one client connection: one server connection, one PROXY header.
    const c = http2.connect(url)
    const get = (path: string) => new Promise<string>((resolve, reject) => {
      const req = c.request({ ':path': path })
      const parts: Buffer[] = []
      req.on('data', (d: Buffer) => parts.push(d))
      req.on('end', () => resolve(Buffer.concat(parts).toString()))
      req.on('error', reject)
      req.end()
    })
    expect(await get('/a')).toBe('/a via PROXY TCP4 127.0.0.1')
    expect(await get('/b')).toBe('/b via PROXY TCP4 127.0.0.1')
    expect(seen.length).toBe(1)
    // Another client connection (another source port): a connection of its own.
    const r = await fetch(`${url}/c`)
    expect(await r.text()).toBe('/c via PROXY TCP4 127.0.0.1')
    c.close()
    expect(seen.length).toBe(2)
    expect(seen[0]).not.toBe(seen[1])
    expect(seen.every((l) => /^PROXY TCP4 127\.0\.0\.1 127\.0\.0\.1 \d+ \d+$/.test(l))).toBe(true)
  } finally {
    await new Promise<void>((r) => front.close(() => r()))
    h2srv.close()
  }
})

test('server ssl alpn h2,http/1.1: a server that chooses http/1.1 by ALPN is spoken HTTP/1.1', async () => {
  const srv = https.createServer({ key: pki.read('a.key'), cert: pki.read('a.crt') }, (req, res) => {
    res.end(`${req.url} over ${req.httpVersion}`)
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  try {
    const port = (srv.address() as net.AddressInfo).port
    await using lb = await startLb(webConfig(0).replace('server s1 127.0.0.1:0', `server s1 127.0.0.1:${port} ssl verify none alpn h2,http/1.1`))
    const c = http2.connect(`http://127.0.0.1:${lb.port()}`)
    const get = (path: string) => new Promise<string>((resolve, reject) => {
      const req = c.request({ ':path': path })
      const parts: Buffer[] = []
      req.on('data', (d: Buffer) => parts.push(d))
      req.on('end', () => resolve(Buffer.concat(parts).toString()))
      req.on('error', reject)
      req.end()
    })
    // Five at once: they wait for the first connection, which turns out HTTP/1.1.
    expect(await Promise.all([0, 1, 2, 3, 4].map((i) => get(`/${i}`)))).toEqual([0, 1, 2, 3, 4].map((i) => `/${i} over 1.1`))
    expect(await get('/later')).toBe('/later over 1.1')
    c.close()
    const r = await fetch(`http://127.0.0.1:${lb.port()}/h1`)
    expect(await r.text()).toBe('/h1 over 1.1')
  } finally {
    srv.closeAllConnections()
    await new Promise<void>((r) => srv.close(() => r()))
  }
})

test('HTTP/1.1 clients to an HTTP/2 server over TLS (ssl alpn h2): bodies both ways, the response chunked or with its length', async () => {
  const srv = http2.createSecureServer({ key: pki.read('a.key'), cert: pki.read('a.crt'), allowHTTP1: false })
  srv.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    const parts: Buffer[] = []
    stream.on('data', (d: Buffer) => parts.push(d))
    stream.on('end', () => {
      const body = `${headers[':method']} ${headers[':path']} ${headers[':authority']} ${Buffer.concat(parts).length}`
      const sized = headers[':path'] === '/sized'
      stream.respond({ ':status': 201, 'x-h2': 'yes', ...(sized ? { 'content-length': String(body.length) } : {}) })
      stream.end(body)
    })
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  try {
    const port = (srv.address() as { port: number }).port
    await using lb = await startLb(webConfig(0).replace('server s1 127.0.0.1:0', `server s1 127.0.0.1:${port} ssl verify none alpn h2`))
    const a = await fetch(`http://127.0.0.1:${lb.port()}/chunked`, { method: 'POST', body: 'abc' })
    expect([a.status, a.headers.get('x-h2'), a.headers.get('transfer-encoding'), await a.text()]).toEqual([201, 'yes', 'chunked', `POST /chunked 127.0.0.1:${lb.port()} 3`])
    const b = await fetch(`http://127.0.0.1:${lb.port()}/sized`)
    const want = `GET /sized 127.0.0.1:${lb.port()} 0`
    expect([b.status, b.headers.get('content-length'), await b.text()]).toEqual([201, String(want.length), want])
  } finally {
    await new Promise<void>((r) => srv.close(() => r()))
  }
})

test('WebSocket over HTTP/2 (extended CONNECT, RFC 8441) to an HTTP/1.1 server', async () => {
  using srv = Bun.serve({
    port: 0,
    fetch(r, s) { return s.upgrade(r) ? undefined : new Response('no', { status: 400 }) },
    websocket: { message(ws, m) { ws.send(`echo ${m}`) } },
  }) as unknown as { port: number } & Disposable
  await using lb = await startLb(webConfig(srv.port))
  const c = http2.connect(`http://127.0.0.1:${lb.port()}`)
  await new Promise<void>((r) => c.once('remoteSettings', () => r()))
  expect(c.remoteSettings.enableConnectProtocol).toBe(true)
  const req = c.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':path': '/ws', ':scheme': 'http', ':authority': `127.0.0.1:${lb.port()}`, 'sec-websocket-version': '13' })
  const status = await new Promise<number>((r) => req.on('response', (h) => r(Number(h[':status']))))
  expect(status).toBe(200)
  // A masked text frame "hi" (RFC 6455 §5.2), then the server's unmasked answer.
  const mask = Buffer.from([1, 2, 3, 4])
  const payload = Buffer.from('hi').map((b, i) => b ^ mask[i % 4]!)
  req.write(Buffer.concat([Buffer.from([0x81, 0x80 | 2]), mask, payload]))
  const got = await new Promise<Buffer>((r) => req.once('data', (d: Buffer) => r(d)))
  expect(got.subarray(2).toString()).toBe('echo hi')
  c.destroy()
})

test('bind proto h2: HTTP/2 with prior knowledge; HTTP/1.1 on it is refused', async () => {
  using srv = echoServer()
  await using lb = await startLb(webConfig(srv.port, 'proto h2'))
  expect((await h2Get(`http://127.0.0.1:${lb.port()}`, '/p')).body.toString()).toBe('GET /p 0 - -')
  const r = await fetch(`http://127.0.0.1:${lb.port()}/p`).then((x) => x.status, () => 'refused')
  expect(r).toBe('refused')
})
