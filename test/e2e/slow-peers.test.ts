/**
 * Slow peers cost a buffer, not megabytes: with a client that stops reading (or a server that
 * stops reading an upload), edgelb holds about one `tune.bufsize` for it (the pull path,
 * src/proxy/pull.ts); the rest waits in the kernel's socket buffers and at the sender. Once the
 * slow side reads again, every byte arrives, in order.
 */
import { expect, test } from 'bun:test'
import { cfg, connectClient, randomBytes, sha256, startLb, startServer, startTcpApp, until, type TestConn } from '../support/harness.ts'

const MB = 1024 * 1024
const BUFSIZE = 16384

/** Resolves once `progress()` stopped moving for many event-loop turns (the sender is held back). */
function stalled(progress: () => number, what: string): Promise<void> {
  let last = -1
  let still = 0
  return until(() => {
    const p = progress()
    if (p === last) still++
    else { still = 0; last = p }
    return still > 200
  }, what, 8000)
}

/** Writes `data` in 256 KiB steps, counting what the kernel took so far into `progress.n`. */
function feed(c: TestConn, data: Buffer, progress: { n: number }, after?: () => void): void {
  void (async () => {
    for (let off = 0; off < data.length; off += 256 * 1024) {
      await c.write(data.subarray(off, off + 256 * 1024))
      progress.n = off + 256 * 1024
    }
    after?.()
  })()
}

function web(port: number): string {
  return cfg`
    global
      tune.bufsize ${BUFSIZE}
    listen web
      bind 127.0.0.1:0
      mode http
      timeout connect 5s
      timeout client 20s
      timeout server 20s
      server s 127.0.0.1:${port}
  `
}

test('http: a client that stops reading a response holds about a buffer in edgelb', async () => {
  const body = randomBytes(16 * MB)
  const head = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`
  await using srv = startServer('s', 'manual')
  const sent = { n: 0 }
  srv.onAccept = (c) => { c.onData = () => { void c.write(head); feed(c, body, sent) } }
  await using lb = await startLb(web(srv.port))
  using cli = await connectClient(lb.port())
  cli.pause()
  await cli.write('GET /big HTTP/1.1\r\nHost: a\r\n\r\n')
  await stalled(() => sent.n, 'the server to be held back')
  expect(sent.n).toBeLessThan(body.length)
  const [sess] = lb.sessions()
  expect(sess!.toCli.size).toBeLessThanOrEqual(BUFSIZE)
  cli.resume()
  await cli.waitBytes(head.length + body.length, 20_000)
  const got = Buffer.concat(cli.chunks)
  expect(got.subarray(0, head.length).toString()).toBe(head)
  expect(sha256(got.subarray(head.length))).toBe(sha256(body))
})

test('http: a server that stops reading an upload holds about a buffer in edgelb', async () => {
  const body = randomBytes(16 * MB)
  await using srv = startServer('s', 'manual')
  let up: TestConn | undefined
  srv.onAccept = (c) => { up = c; c.pause() }
  await using lb = await startLb(web(srv.port))
  using cli = await connectClient(lb.port())
  const head = `PUT /up HTTP/1.1\r\nHost: a\r\nContent-Length: ${body.length}\r\n\r\n`
  await cli.write(head)
  const sent = { n: 0 }
  feed(cli, body, sent)
  await srv.waitAccepted(1)
  await stalled(() => sent.n, 'the client to be held back')
  expect(sent.n).toBeLessThan(body.length)
  const [sess] = lb.sessions()
  expect(sess!.toSrv.size).toBeLessThanOrEqual(BUFSIZE)
  up!.resume()
  await up!.changed.until(() => up!.received >= head.length + body.length, 'the upload to arrive', 20_000)
  const got = Buffer.concat(up!.chunks)
  const start = got.indexOf('\r\n\r\n') + 4
  expect(got.length - start).toBe(body.length)
  expect(sha256(got.subarray(start))).toBe(sha256(body))
})

test('tcp: a client that stops reading holds about a buffer in edgelb', async () => {
  const data = randomBytes(16 * MB)
  await using srv = startServer('s', 'manual')
  const sent = { n: 0 }
  srv.onAccept = (c) => feed(c, data, sent, () => c.shutdown())
  await using lb = await startTcpApp(srv.port, 'timeout client 20s', 'timeout server 20s')
  using cli = await connectClient(lb.port())
  cli.pause()
  await srv.waitAccepted(1)
  await stalled(() => sent.n, 'the server to be held back')
  expect(sent.n).toBeLessThan(data.length)
  const [sess] = lb.sessions()
  expect((sess as unknown as { toCli: { size: number } }).toCli.size).toBeLessThanOrEqual(lb.engine.config.global.tune.bufsize)
  cli.resume()
  await cli.waitEof(20_000)
  expect(sha256(cli.chunks)).toBe(sha256(data))
})

test('tcp with option splice-auto: bytes move both ways through kernel pipes, intact, a slow reader included', async () => {
  const down = randomBytes(16 * MB)
  const up = randomBytes(8 * MB)
  await using srv = startServer('s', 'manual')
  const sent = { n: 0 }
  let conn: TestConn | undefined
  srv.onAccept = (c) => { conn = c; feed(c, down, sent, () => c.shutdown()) }
  await using lb = await startTcpApp(srv.port, 'option splice-auto', 'timeout client 20s', 'timeout server 20s')
  using cli = await connectClient(lb.port())
  cli.pause()
  await srv.waitAccepted(1)
  await stalled(() => sent.n, 'the server to be held back')
  expect(sent.n).toBeLessThan(down.length)
  const [sess] = lb.sessions()
  expect((sess as unknown as { toCli: { size: number } }).toCli.size).toBeLessThanOrEqual(64 * 1024)
  cli.resume()
  feed(cli, up, { n: 0 }, () => cli.shutdown())
  await cli.waitEof(20_000)
  await conn!.changed.until(() => conn!.received >= up.length, 'the upload to arrive', 20_000)
  expect(sha256(cli.chunks)).toBe(sha256(down))
  expect(sha256(conn!.chunks)).toBe(sha256(up))
})

test('http with option splice-response: a body moves through a kernel pipe, intact, and the connection carries the next request', async () => {
  const body = randomBytes(16 * MB)
  const head = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`
  await using srv = startServer('s', 'manual')
  const sent = { n: 0 }
  srv.onAccept = (c) => {
    let n = 0
    c.onData = () => { if (n++ === 0) { void c.write(head); feed(c, body, sent) } else void c.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext') }
  }
  await using lb = await startLb(web(srv.port).replace('mode http', 'mode http\n      option splice-response'))
  using cli = await connectClient(lb.port())
  cli.pause()
  await cli.write('GET /big HTTP/1.1\r\nHost: a\r\n\r\n')
  await stalled(() => sent.n, 'the server to be held back')
  expect(sent.n).toBeLessThan(body.length)
  cli.resume()
  await cli.waitBytes(head.length + body.length, 20_000)
  await cli.write('GET /next HTTP/1.1\r\nHost: a\r\n\r\n')
  await cli.waitBytes(head.length + body.length + 42, 5000)
  const got = Buffer.concat(cli.chunks)
  expect(got.subarray(0, head.length).toString()).toBe(head)
  expect(sha256(got.subarray(head.length, head.length + body.length))).toBe(sha256(body))
  expect(got.subarray(head.length + body.length).toString()).toBe('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext')
})
