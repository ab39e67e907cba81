// mode tcp relay: bytes arrive exactly, both ways, with half-close and backpressure honoured.
import { expect, test } from 'bun:test'
import { connectClient, parseTcpLog, randomBytes, sha256, startServer, startTcpApp, until } from '../support/harness.ts'

const MB = 1024 * 1024

test('large random payloads cross the proxy byte-exact in both directions at once', async () => {
  await using srv = startServer('s1', 'manual')
  await using lb = await startTcpApp(srv.port)
  const up = randomBytes(24 * MB)
  const down = randomBytes(16 * MB)
  srv.onAccept = (c) => {
    void c.write(down).then(() => c.shutdown())
  }
  using cli = await connectClient(lb.port())
  void cli.write(up).then(() => cli.shutdown())
  await srv.waitAccepted(1)
  const s = srv.conns[0]!
  await Promise.all([cli.waitEof(15000), s.waitEof(15000)])
  expect(cli.received).toBe(down.length)
  expect(s.received).toBe(up.length)
  expect(sha256(cli.chunks)).toBe(sha256(down))
  expect(sha256(s.chunks)).toBe(sha256(up))
  // Both sides sent FIN and got FIN: the session ends normally and both connections close.
  await Promise.all([cli.waitClosed(), s.waitClosed()])
  expect(cli.wasReset).toBe(false)
  expect(s.wasReset).toBe(false)
  await until(() => lb.engine.actconn === 0, 'the session to end')
})

test('half-close: the client shuts down writing, the server still answers and the answer arrives', async () => {
  await using srv = startServer('s1', 'manual')
  await using lb = await startTcpApp(srv.port)
  srv.onAccept = (c) => {
    // Answers only once the request is complete (its FIN arrived), like an rsh/`nc -q` peer.
    c.onEnd = (cc) => { void cc.write(`got ${cc.text().length} bytes: ${cc.text()}`).then(() => cc.shutdown()) }
  }
  using cli = await connectClient(lb.port())
  await cli.write('question')
  cli.shutdown()
  await cli.waitEof()
  expect(cli.text()).toBe('got 8 bytes: question')
  expect(srv.conns[0]!.eof).toBe(true)
  await cli.waitClosed()
  expect(cli.wasReset).toBe(false)
})

test('half-close the other way: the server shuts down writing, the client still sends and it arrives', async () => {
  await using srv = startServer('s1', 'manual')
  await using lb = await startTcpApp(srv.port)
  srv.onAccept = (c) => { void c.write('banner, then nothing more from me').then(() => c.shutdown()) }
  using cli = await connectClient(lb.port())
  await cli.waitEof()
  expect(cli.text()).toBe('banner, then nothing more from me')
  expect(cli.closed).toBe(false)
  // The client side is still open for writing: a late upload reaches the server.
  const late = randomBytes(2 * MB)
  await cli.write(late)
  const s = srv.conns[0]!
  await s.waitBytes(late.length)
  expect(sha256(s.chunks)).toBe(sha256(late))
  cli.shutdown()
  await s.waitEof()
  await cli.waitClosed()
  await s.waitClosed()
  expect(cli.wasReset).toBe(false)
})

test('a client that stops reading pauses the server; the proxy holds little, and all arrives later', async () => {
  await using srv = startServer('s1', 'manual')
  await using lb = await startTcpApp(srv.port, 'timeout client 10s', 'timeout server 10s')
  const total = 64 * MB
  const payload = randomBytes(total)
  let serverWritten = 0
  srv.onAccept = (c) => {
    // Feed in 256 KiB steps so that we can see how far the server got before it was stopped.
    void (async () => {
      for (let off = 0; off < total; off += 256 * 1024) {
        await c.write(payload.subarray(off, off + 256 * 1024))
        serverWritten = off + 256 * 1024
      }
      c.shutdown()
    })()
  }
  using cli = await connectClient(lb.port())
  cli.pause()
  await srv.waitAccepted(1)
  const rss0 = process.memoryUsage().rss
  // Wait until the server is stuck: its writes stop progressing for several event-loop turns
  // because the kernel buffers on both legs are full and the proxy stopped reading.
  let last = -1
  let stable = 0
  await until(() => {
    if (serverWritten === last && srv.conns[0]!.pendingOut > 0) stable++
    else { stable = 0; last = serverWritten }
    return stable > 200 || serverWritten >= total
  }, 'the server to be held back', 4000)
  const [sess] = lb.sessions()
  expect(sess).toBeDefined()
  // Backpressure: far from everything was accepted from the server.
  expect(serverWritten).toBeLessThan(total / 2)
  // The proxy holds at most about one read's worth for the client, not megabytes (the rest sits
  // in the kernel's socket buffers on both legs, a few MB each).
  expect(sess!.toCli.size).toBeLessThan(512 * 1024)
  // Buffering it all would grow the process by ~50 MB; a few MB is this test's own noise.
  expect(process.memoryUsage().rss - rss0).toBeLessThan(16 * MB)
  cli.resume()
  await cli.waitEof(20000)
  expect(cli.received).toBe(total)
  expect(sha256(cli.chunks)).toBe(sha256(payload))
})

test('a server that resets mid-stream: the client connection is closed and the log says SD', async () => {
  await using srv = startServer('s1', 'manual')
  await using lb = await startTcpApp(srv.port)
  srv.onAccept = (c) => { void c.write('partial answer') }
  using cli = await connectClient(lb.port())
  await cli.waitText('partial answer')
  srv.resetAll()
  await cli.waitClosed()
  const [line] = await lb.waitLogs(1)
  const f = parseTcpLog(line!)
  expect(f.term).toBe('SD')
  expect(f.server).toBe('s1')
  expect(f.bytes).toBe('partial answer'.length)
})

test('a client that resets mid-stream: the server connection is closed and the log says CD', async () => {
  await using srv = startServer('s1', 'manual')
  await using lb = await startTcpApp(srv.port)
  using cli = await connectClient(lb.port())
  await cli.write('hello')
  await srv.waitAccepted(1)
  const s = srv.conns[0]!
  await s.waitText('hello')
  cli.reset()
  await s.waitClosed()
  const f = parseTcpLog((await lb.waitLogs(1))[0]!)
  expect(f.term).toBe('CD')
  expect(lb.backend('app').servers[0]!.cur).toBe(0)
})
