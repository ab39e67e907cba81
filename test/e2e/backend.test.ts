// Backends through the proxy: connect retries and redispatch, server queues (maxconn, timeout
// queue), dynamic limits (minconn/fullconn, guide §7) and backup takeover.
import { expect, test } from 'bun:test'
import { cfg, closedPort, connectClient, parseTcpLog, startLb, startServer, tagsOf, until, type Lb, type TestConn, type TestServer } from '../support/harness.ts'

/** Connects `n` clients one after another, each counted by the engine before the next. */
async function connectInOrder(lb: Lb, n: number, write?: (i: number) => string): Promise<(TestConn & Disposable)[]> {
  const out: (TestConn & Disposable)[] = []
  const fe = lb.frontend()
  for (let i = 0; i < n; i++) {
    const c = await connectClient(lb.port())
    if (write) await c.write(write(i))
    await until(() => fe.totalSessions + fe.parked >= i + 1, `client ${i} to be accepted`)
    out.push(c)
  }
  return out
}

/** Closes `srv`'s listener and marks its server in backend `app` down, as a failed check would. */
function takeDown(lb: Lb, srv: TestServer): void {
  srv.close()
  const be = lb.backend('app')
  const s = be.findServer(srv.name)!
  s.up = false
  be.serverStateChanged(s)
}

/** The ids the server received first on each of its connections, in connection order. */
function idsSeen(srv: TestServer): string[] {
  return srv.conns.filter((c) => c.received > 0).map((c) => c.text().split('\n')[0]!)
}

/** `listen app` in front of a server `dead` (refused) and then `ok` at `okPort`, timeouts connect
 *  1s, client and server 2s; `lines` (balance, retries, redispatch) are what the test is about. */
function startDeadThenOk(okPort: number, ...lines: string[]): Promise<Lb> {
  return startLb(cfg`
    listen app
      bind 127.0.0.1:0
      ${lines.join('\n      ')}
      timeout connect 1s
      timeout client 2s
      timeout server 2s
      server dead 127.0.0.1:${closedPort()}
      server ok 127.0.0.1:${okPort}`)
}

test('a refused connect is retried `retries` times, then the session ends with SC', async () => {
  await using lb = await startLb(cfg`
    global
      log stdout format raw local0
    listen app
      bind 127.0.0.1:0
      option tcplog
      log global
      retries 2
      timeout connect 1s
      timeout client 2s
      timeout server 2s
      server dead 127.0.0.1:${closedPort()}`)
  using cli = await connectClient(lb.port())
  await cli.waitClosed()
  const be = lb.backend('app')
  const dead = be.servers[0]!
  expect(dead.counters.econ).toBe(3)
  expect(dead.counters.wretr).toBe(2)
  expect(be.counters.retries).toBe(2)
  expect(be.counters.redispatches).toBe(0)
  const [line] = await lb.waitLogs(1)
  const f = parseTcpLog(line!)
  expect(f.term).toBe('SC')
  expect(f.counts[4]).toBe(2)
  expect(f.bytes).toBe(0)
  expect(dead.cur).toBe(0)
})

test('option redispatch moves the session to another server on the last retry, and the client is served', async () => {
  await using ok = startServer('ok')
  // `balance first` picks the dead server every time: only redispatch can reach the live one.
  await using lb = await startDeadThenOk(ok.port, 'balance first', 'retries 2', 'option redispatch')
  using cli = await connectClient(lb.port())
  await cli.waitText('ok')
  const be = lb.backend('app')
  const [dead, live] = be.servers
  expect(dead!.counters.econ).toBe(2)
  expect(dead!.counters.wredis).toBe(1)
  expect(be.counters.retries).toBe(2)
  expect(be.counters.redispatches).toBe(1)
  expect(dead!.cur).toBe(0)
  expect(live!.cur).toBe(1)
  expect(ok.accepted).toBe(1)
})

test('option redispatch N picks the retries that move: 1 = the first retry, -2 = the second from the last', async () => {
  // retries 4 and `balance first` (the dead server every time): the retry that redispatches is
  // the one the dead server sees no more attempts after.
  for (const [interval, attempts] of [['1', 1], ['-2', 3], ['', 4]] as const) {
    await using ok = startServer('ok')
    await using lb = await startDeadThenOk(ok.port, 'balance first', 'retries 4', `option redispatch ${interval}`)
    using cli = await connectClient(lb.port())
    await cli.waitText('ok')
    const be = lb.backend('app')
    expect({ interval, econ: be.servers[0]!.counters.econ, redispatches: be.counters.redispatches }).toEqual({ interval, econ: attempts, redispatches: 1 })
  }
})

test('option redispatch 0 never moves the session: the retries stay on their server', async () => {
  await using ok = startServer('ok')
  await using lb = await startDeadThenOk(ok.port, 'balance first', 'retries 2', 'option redispatch 0')
  using cli = await connectClient(lb.port())
  await cli.waitClosed()
  const be = lb.backend('app')
  expect(be.servers[0]!.counters.econ).toBe(3)
  expect(be.counters.redispatches).toBe(0)
  expect(ok.accepted).toBe(0)
})

test('option redispatch with roundrobin: every client ends up on the live server', async () => {
  await using ok = startServer('ok')
  await using lb = await startDeadThenOk(ok.port, 'balance roundrobin', 'retries 1', 'option redispatch')
  for (let i = 0; i < 4; i++) {
    using cli = await connectClient(lb.port())
    await cli.waitText('ok')
  }
  expect(ok.accepted).toBe(4)
  // Without health checks the dead server keeps its turn: every client tries it once (its only
  // try, retries 1 = the redispatch), then goes to the live one.
  const be = lb.backend('app')
  expect(be.counters.redispatches).toBe(4)
  expect(be.servers[0]!.counters.econ).toBe(4)
})

test('server maxconn 2: ten clients holding connections, never more than 2 at once, served in arrival order', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startLb(cfg`
    listen app
      bind 127.0.0.1:0
      timeout client 5s
      timeout server 5s
      timeout connect 1s
      timeout queue 5s
      server s1 127.0.0.1:${srv.port} maxconn 2`)
  const clients = await connectInOrder(lb, 10, (i) => `c${i}\n`)
  const be = lb.backend('app')
  await srv.waitAccepted(2)
  expect(be.queue.length + be.servers[0]!.queue.length).toBe(8)
  for (let k = 0; k < 10; k++) {
    await srv.changed.until(() => idsSeen(srv).length > k, `client ${k} to reach the server`)
    expect(idsSeen(srv)[k]).toBe(`c${k}`)
    expect(srv.current).toBeLessThanOrEqual(2)
    await clients[k]!.waitText(`c${k}\n`)
    clients[k]!.shutdown()
    await clients[k]!.waitClosed()
  }
  expect(idsSeen(srv)).toEqual(Array.from({ length: 10 }, (_, i) => `c${i}`))
  expect(srv.maxConcurrent).toBe(2)
  expect(be.servers[0]!.counters.maxCur).toBe(2)
  expect(be.counters.queueMax).toBe(8)
  for (const c of clients) c[Symbol.dispose]()
})

test('timeout queue ends a session still queued when it expires (sQ), and only that one', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startLb(cfg`
    global
      log stdout format raw local0
    listen app
      bind 127.0.0.1:0
      option tcplog
      log global
      timeout client 5s
      timeout server 5s
      timeout connect 1s
      timeout queue 200ms
      server s1 127.0.0.1:${srv.port} maxconn 1`)
  using holder = await connectClient(lb.port())
  await srv.waitAccepted(1)
  const t0 = performance.now()
  using queued = await connectClient(lb.port())
  await queued.waitClosed(3000)
  const elapsed = queued.closedAt - t0
  expect(elapsed).toBeGreaterThanOrEqual(190)
  expect(elapsed).toBeLessThanOrEqual(200 + 150)
  expect(srv.accepted).toBe(1)
  const f = parseTcpLog((await lb.waitLogs(1))[0]!)
  expect(f.term).toBe('sQ')
  // It waited in the backend's queue, not on a server: no server was ever assigned.
  expect(f.server).toBe('<NOSRV>')
  expect(f.tw).toBeGreaterThanOrEqual(190)
  expect(f.tc).toBe(-1)
  // The holder is untouched.
  await holder.write('still here')
  await holder.waitText('still here')
})

test('minconn 2 maxconn 6 fullconn 12: the limit is 2 under low load and rises as the backend fills (guide §7)', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startLb(cfg`
    listen app
      bind 127.0.0.1:0
      fullconn 12
      timeout client 5s
      timeout server 5s
      timeout connect 1s
      timeout queue 5s
      server s1 127.0.0.1:${srv.port} minconn 2 maxconn 6`)
  const be = lb.backend('app')
  const s1 = be.servers[0]!
  // max(minconn, maxconn × beconn / fullconn), capped at maxconn once beconn reaches fullconn.
  const limit = (n: number): number => (n >= 12 ? 6 : Math.max(2, Math.floor((6 * n) / 12)))
  const clients: (TestConn & Disposable)[] = []
  for (let n = 1; n <= 14; n++) {
    const c = await connectClient(lb.port())
    clients.push(c)
    await c.write(`c${n}\n`)
    await until(() => be.beconn === n, `beconn ${n}`)
    expect(s1.maxconn).toBe(limit(n))
    const served = Math.min(n, limit(n))
    expect(s1.cur).toBe(served)
    await srv.changed.until(() => srv.current === served && idsSeen(srv).length === served, `the server to hold ${served} connection(s) with ${n} clients`)
    // A raised limit admits the oldest queued client, not the newcomer.
    expect(idsSeen(srv)).toEqual(Array.from({ length: served }, (_, i) => `c${i + 1}`))
  }
  expect(srv.maxConcurrent).toBe(6)
  // As sessions leave the limit falls back, never below what is already served.
  for (const c of clients) c[Symbol.dispose]()
  await until(() => be.beconn === 0, 'every session to end')
  expect(s1.maxconn).toBe(2)
  expect(s1.cur).toBe(0)
})

test('backup servers take traffic only when no active server is usable; the first backup only', async () => {
  await using a1 = startServer('a1')
  await using a2 = startServer('a2')
  await using b1 = startServer('b1')
  await using b2 = startServer('b2')
  await using lb = await startLb(cfg`
    listen app
      bind 127.0.0.1:0
      balance roundrobin
      timeout client 2s
      timeout server 2s
      timeout connect 1s
      server a1 127.0.0.1:${a1.port}
      server a2 127.0.0.1:${a2.port}
      server b1 127.0.0.1:${b1.port} backup
      server b2 127.0.0.1:${b2.port} backup`)
  expect((await tagsOf(lb.port(), 4)).sort()).toEqual(['a1', 'a1', 'a2', 'a2'])
  takeDown(lb, a1)
  expect(await tagsOf(lb.port(), 3)).toEqual(['a2', 'a2', 'a2'])
  takeDown(lb, a2)
  expect(await tagsOf(lb.port(), 4)).toEqual(['b1', 'b1', 'b1', 'b1'])
  expect(b2.accepted).toBe(0)
})

test('option allbackups spreads over every backup when the actives are gone', async () => {
  await using a1 = startServer('a1')
  await using b1 = startServer('b1')
  await using b2 = startServer('b2')
  await using lb = await startLb(cfg`
    listen app
      bind 127.0.0.1:0
      balance roundrobin
      option allbackups
      timeout client 2s
      timeout server 2s
      timeout connect 1s
      server a1 127.0.0.1:${a1.port}
      server b1 127.0.0.1:${b1.port} backup
      server b2 127.0.0.1:${b2.port} backup`)
  takeDown(lb, a1)
  expect((await tagsOf(lb.port(), 4)).sort()).toEqual(['b1', 'b1', 'b2', 'b2'])
  expect(a1.accepted).toBe(0)
})
