// Every timeout fires about when configured (within a tick or two; the slack below is for a
// loaded machine): these check which timeout governs each phase, not speed.
import { expect, test } from 'bun:test'
import { cfg, connectClient, connectEchoed, parseTcpLog, startBlackhole, startLb, startServer, startTcpApp, type Lb } from '../support/harness.ts'

const SLACK = 150

function expectAbout(elapsed: number, ms: number): void {
  expect(elapsed).toBeGreaterThanOrEqual(ms - 5)
  expect(elapsed).toBeLessThanOrEqual(ms + SLACK)
}

async function term(lb: Lb): Promise<ReturnType<typeof parseTcpLog>> {
  const [line] = await lb.waitLogs(1)
  return parseTcpLog(line!)
}

test('timeout client: an idle client is disconnected (cD) while timeout server is long', async () => {
  await using srv = startServer('s1', 'manual')
  await using lb = await startTcpApp(srv.port, 'timeout client 200ms', 'timeout server 5s', 'timeout connect 1s')
  const t0 = performance.now()
  using cli = await connectClient(lb.port())
  await cli.waitClosed(3000)
  expectAbout(cli.closedAt - t0, 200)
  expect((await term(lb)).term).toBe('cD')
  await srv.conns[0]!.waitClosed()
})

test('timeout server: an idle server is disconnected (sD) while timeout client is long', async () => {
  await using srv = startServer('s1', 'manual')
  await using lb = await startTcpApp(srv.port, 'timeout client 5s', 'timeout server 200ms', 'timeout connect 1s')
  using cli = await connectClient(lb.port())
  await srv.waitAccepted(1)
  const t0 = performance.now()
  await cli.waitClosed(3000)
  expectAbout(cli.closedAt - t0, 200)
  expect((await term(lb)).term).toBe('sD')
  await srv.conns[0]!.waitClosed()
})

test('activity keeps a session alive past its timeouts', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startTcpApp(srv.port, 'timeout client 150ms', 'timeout server 150ms', 'timeout connect 1s')
  using cli = await connectClient(lb.port())
  // 8 exchanges 60 ms apart (the gaps are the scenario): 480 ms in all, each gap under 150 ms.
  let t0 = 0
  for (let i = 0; i < 8; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 60))
    await cli.write(`ping${i};`)
    await cli.waitText(`ping${i};`)
    t0 = performance.now()
  }
  expect(cli.closed).toBe(false)
  await cli.waitClosed(3000)
  expectAbout(cli.closedAt - t0, 150)
})

test('timeout connect: a server that never answers the SYN; each retry waits the timeout again (sC)', async () => {
  await using hole = await startBlackhole()
  await using lb = await startTcpApp(hole.port, 'retries 1', 'timeout client 5s', 'timeout server 5s', 'timeout connect 150ms')
  const t0 = performance.now()
  using cli = await connectClient(lb.port())
  await cli.waitClosed(3000)
  expectAbout(cli.closedAt - t0, 300)
  const f = await term(lb)
  expect(f.term).toBe('sC')
  expect(f.counts[4]).toBe(1)
  const s1 = lb.backend('app').servers[0]!
  expect(s1.counters.econ).toBe(2)
  expect(s1.cur).toBe(0)
})

test('timeout client-fin: once we sent FIN to the client, it has client-fin to close (cD)', async () => {
  await using srv = startServer('s1', 'manual')
  srv.onAccept = (c) => { void c.write('bye').then(() => c.shutdown()) }
  await using lb = await startTcpApp(srv.port, 'timeout client 5s', 'timeout client-fin 200ms', 'timeout server 5s', 'timeout connect 1s')
  using cli = await connectClient(lb.port())
  await cli.waitEof()
  const t0 = performance.now()
  expect(cli.text()).toBe('bye')
  // The client keeps its side open and says nothing.
  await cli.waitClosed(3000)
  expectAbout(cli.closedAt - t0, 200)
  expect((await term(lb)).term).toBe('cD')
})

test('timeout server-fin: once we sent FIN to the server, it has server-fin to close (sD)', async () => {
  await using srv = startServer('s1', 'manual')
  await using lb = await startTcpApp(srv.port, 'timeout client 5s', 'timeout server 5s', 'timeout server-fin 200ms', 'timeout connect 1s')
  using cli = await connectClient(lb.port())
  await cli.write('request')
  cli.shutdown()
  await srv.waitAccepted(1)
  const s = srv.conns[0]!
  await s.waitEof()
  const t0 = performance.now()
  // The server neither answers nor closes.
  await cli.waitClosed(3000)
  expectAbout(cli.closedAt - t0, 200)
  expect((await term(lb)).term).toBe('sD')
  await s.waitClosed()
})

test('a request ended with FIN waits for a slow server under timeout server, not timeout client', async () => {
  await using srv = startServer('s1', 'manual')
  srv.onAccept = (c) => {
    c.onEnd = (cc) => { setTimeout(() => void cc.write('late answer').then(() => cc.shutdown()), 400) }
  }
  await using lb = await startTcpApp(srv.port, 'timeout client 100ms', 'timeout server 2s', 'timeout connect 1s')
  using cli = await connectClient(lb.port())
  await cli.write('request')
  cli.shutdown()
  await cli.waitEof(3000)
  expect(cli.text()).toBe('late answer')
  await cli.waitClosed()
  expect(cli.wasReset).toBe(false)
  expect((await term(lb)).term).toBe('--')
})

test('timeout tunnel supersedes timeout client and server once data flows', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startTcpApp(srv.port, 'timeout client 100ms', 'timeout server 100ms', 'timeout tunnel 400ms', 'timeout connect 1s')
  using cli = await connectEchoed(lb.port(), 'hello')
  const t0 = performance.now()
  await cli.waitClosed(3000)
  expectAbout(cli.closedAt - t0, 400)
  expect(['cD', 'sD']).toContain((await term(lb)).term)
})

test('two engines in one process: stopping one leaves the other\'s timeouts running', async () => {
  await using srv = startServer('s1', 'manual')
  await using keep = await startTcpApp(srv.port, 'timeout client 300ms', 'timeout server 5s', 'timeout connect 1s')
  {
    await using other = await startLb(cfg`
      listen other
        bind 127.0.0.1:0
        timeout client 5s
        server s1 127.0.0.1:${srv.port}`)
    expect(other.port()).toBeGreaterThan(0)
  }
  const t0 = performance.now()
  using cli = await connectClient(keep.port())
  await cli.waitClosed(3000)
  expectAbout(cli.closedAt - t0, 300)
})
