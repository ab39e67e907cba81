// Frontends: monitor-net, maxconn (frontend and global: a full proxy makes clients wait, it does
// not refuse them), the tcplog line and dontlognull, and binds that fail.
import { expect, test } from 'bun:test'
import { Engine } from '../../src/proxy/engine.ts'
import { cfg, connectClient, connectEchoed, freePort, parseConfig, parseTcpLog, startLb, startServer, startTcpApp, tcpConfig, until, type TestConn } from '../support/harness.ts'

test('monitor-net: a monitor connection is closed at once, never forwarded nor logged', async () => {
  await using srv = startServer('s1')
  await using lb = await startTcpApp(srv.port, 'monitor-net 127.0.0.9/32')
  using probe = await connectClient(lb.port(), { localAddress: '127.0.0.9' })
  await probe.waitClosed()
  expect(probe.received).toBe(0)
  // A regular client right after is served and logged; the probe never was.
  using cli = await connectClient(lb.port(), { localAddress: '127.0.0.2' })
  await cli.waitText('s1')
  cli.shutdown()
  await cli.waitClosed()
  const [line] = await lb.waitLogs(1)
  expect(parseTcpLog(line!).client).toMatch(/^127\.0\.0\.2:\d+$/)
  expect(lb.logs).toHaveLength(1)
  expect(srv.accepted).toBe(1)
  expect(srv.conns[0]!.remoteAddress).not.toContain('127.0.0.9')
  expect(lb.frontend().totalSessions).toBe(1)
})

test('monitor-net matching a wider net (127.0.0.0/8) catches every loopback client', async () => {
  await using srv = startServer('s1')
  await using lb = await startTcpApp(srv.port, 'monitor-net 127.0.0.0/8')
  for (const from of ['127.0.0.1', '127.0.0.5']) {
    using probe = await connectClient(lb.port(), { localAddress: from })
    await probe.waitClosed()
    expect(probe.received).toBe(0)
  }
  expect(srv.accepted).toBe(0)
  expect(lb.logs).toEqual([])
})

test('frontend maxconn 2: the listener pauses, a third client waits in the kernel\'s queue, not refused, and proceeds when one leaves', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startTcpApp(srv.port, 'maxconn 2')
  const fe = lb.frontend()
  using a = await connectClient(lb.port())
  using b = await connectClient(lb.port())
  await srv.waitAccepted(2)
  await until(() => fe.listenersPaused, 'the listener to pause')
  using c = await connectClient(lb.port())
  await c.write('third')
  expect(fe.parked).toBe(0)
  expect(fe.totalSessions).toBe(2)
  expect(fe.cur).toBe(2)
  expect(c.closed).toBe(false)
  expect(srv.accepted).toBe(2)
  a.shutdown()
  await a.waitClosed()
  // Its request, sent while it waited, arrives and is answered.
  await c.waitText('third')
  expect(srv.accepted).toBe(3)
  expect(srv.maxConcurrent).toBe(2)
  expect(fe.parked).toBe(0)
  b.shutdown()
  c.shutdown()
  await Promise.all([b.waitClosed(), c.waitClosed()])
})

test('beyond maxconn, clients wait in the kernel\'s queue: none is accepted early or reset, each is served in turn', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startTcpApp(srv.port, 'maxconn 1')
  const fe = lb.frontend()
  using first = await connectClient(lb.port())
  await srv.waitAccepted(1)
  await until(() => fe.listenersPaused, 'the listener to pause')
  const waiting: (TestConn & Disposable)[] = []
  for (let i = 0; i < 12; i++) {
    const c = await connectClient(lb.port())
    await c.write(`client ${i}`)
    waiting.push(c)
  }
  expect(fe.parked).toBe(0)
  expect(fe.totalSessions).toBe(1)
  first.shutdown()
  for (const c of waiting) {
    await c.waitText(`client ${waiting.indexOf(c)}`)
    expect(c.wasReset).toBe(false)
    c.shutdown()
    await c.waitClosed()
    c[Symbol.dispose]()
  }
  expect(srv.maxConcurrent).toBe(1)
  expect(fe.totalSessions).toBe(13)
})

test('global maxconn counts across frontends', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startLb(cfg`
    global
      maxconn 2
    defaults
      mode tcp
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    listen one
      bind 127.0.0.1:0
      server s1 127.0.0.1:${srv.port}
    listen two
      bind 127.0.0.1:0
      server s1 127.0.0.1:${srv.port}`)
  using a = await connectClient(lb.port('one'))
  using b = await connectClient(lb.port('two'))
  await srv.waitAccepted(2)
  // The engine is full: every frontend's listeners pause, not only the one that filled it.
  await until(() => lb.frontend('one').listenersPaused && lb.frontend('two').listenersPaused, 'both listeners to pause')
  using c = await connectClient(lb.port('two'))
  await c.write('waiting')
  expect(lb.frontend('two').parked).toBe(0)
  expect(lb.engine.actconn).toBe(2)
  expect(srv.accepted).toBe(2)
  // A slot freed on the other frontend lets it go.
  a.shutdown()
  await a.waitClosed()
  await c.waitText('waiting')
  expect(srv.maxConcurrent).toBe(2)
  b[Symbol.dispose]()
})

test('tcplog keeps the client address when the client closes first', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startTcpApp(srv.port)
  const cli = await connectEchoed(lb.port(), 'ping')
  const port = cli.localPort
  cli[Symbol.dispose]()
  const [line] = await lb.waitLogs(1)
  expect(parseTcpLog(line!).client).toBe(`127.0.0.1:${port}`)
})

test('tcplog: one line per session, in HAProxy\'s format, with the real numbers', async () => {
  await using srv = startServer('s1', 'manual')
  srv.onAccept = (c) => { c.onEnd = (cc) => { void cc.write('0123456789').then(() => cc.shutdown()) } }
  await using lb = await startLb(tcpConfig(cfg`
    frontend fe_in
      bind 127.0.0.1:0
      default_backend be_app
    backend be_app
      server app1 127.0.0.1:${srv.port}`))
  const t0 = Date.now()
  using cli = await connectClient(lb.port())
  await cli.write('request')
  cli.shutdown()
  await cli.waitEof()
  await cli.waitClosed()
  const [line] = await lb.waitLogs(1)
  const f = parseTcpLog(line!)
  expect(f.client).toBe(`127.0.0.1:${cli.localPort}`)
  expect(f.frontend).toBe('fe_in')
  expect(f.backend).toBe('be_app')
  expect(f.server).toBe('app1')
  expect(f.tw).toBe(0)
  expect(f.tc).toBeGreaterThanOrEqual(0)
  expect(f.tt).toBeGreaterThanOrEqual(f.tc)
  expect(f.bytes).toBe(10)
  expect(f.term).toBe('--')
  // actconn/feconn/beconn/srv_conn/retries are read as the session ends, itself not counted.
  expect(f.counts).toEqual([0, 0, 0, 0, 0])
  expect(f.queues).toEqual([0, 0])
  // The accept date is local time with milliseconds, within the test's span.
  const [, day, mon, year, hh, mm, ss, ms] = f.date.match(/^(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d)\.(\d{3})$/)!
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  const when = new Date(Number(year), months.indexOf(mon!), Number(day), Number(hh), Number(mm), Number(ss), Number(ms)).getTime()
  expect(when).toBeGreaterThanOrEqual(t0 - 1)
  expect(when).toBeLessThanOrEqual(Date.now())
})

test('option dontlognull: a session that moved no data is not logged; one that did is', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startTcpApp(srv.port, 'option dontlognull')
  {
    using idle = await connectClient(lb.port())
    await srv.waitAccepted(1)
    idle.shutdown()
    await idle.waitClosed()
  }
  {
    using busy = await connectEchoed(lb.port(), 'x')
    busy.shutdown()
    await busy.waitClosed()
  }
  const [line] = await lb.waitLogs(1)
  await until(() => lb.engine.actconn === 0, 'both sessions to end')
  expect(lb.logs).toHaveLength(1)
  expect(parseTcpLog(line!).bytes).toBe(1)
})

test('without dontlognull the empty session is logged too', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startTcpApp(srv.port)
  using idle = await connectClient(lb.port())
  await srv.waitAccepted(1)
  idle.shutdown()
  await idle.waitClosed()
  const [line] = await lb.waitLogs(1)
  expect(parseTcpLog(line!).bytes).toBe(0)
})

test('a bind that fails (port taken): Engine.start throws naming the address, and nothing stays bound', async () => {
  await using taken = startServer('taken')
  // A free port for the first frontend: we show it is released after the failure.
  const free = freePort()
  const config = parseConfig(cfg`
    defaults
      mode tcp
    listen first
      bind 127.0.0.1:${free}
      server s1 127.0.0.1:9
    listen second
      bind 127.0.0.1:0,127.0.0.1:${taken.port}
      server s1 127.0.0.1:9`)
  expect(() => Engine.start(config, { out() {}, err() {} })).toThrow(new RegExp(`second.*127\\.0\\.0\\.1:${taken.port}`))
  // Everything it bound before the failure was released: these ports bind again.
  const again = Bun.listen({ hostname: '127.0.0.1', port: free, socket: { data() {} } })
  again.stop(true)
})
