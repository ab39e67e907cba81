import { describe, expect, test } from 'bun:test'
import type { Backend } from '../backend/backend.ts'
import type { WaitQueue } from '../backend/queue.ts'
import type { Server } from '../backend/server.ts'
import { now } from '../core/clock.ts'
import type { Sock } from '../net/runtime.ts'
import {
  assignServer, connectFailed, connectTimedOut, enterBackend, grantServer, leaveBackend, openServer, queueTimedOut,
  type ServerSession, type SrvSide,
} from './server-side.ts'
import type { SrvConn } from './srv-conn.ts'
import type { TermCause, TermPhase } from './termination.ts'
import { backendOf } from '../../test/support/proxy.ts'

/** A server on 127.0.0.1:0; `closed` resolves when a connection it accepted closes. */
function listener(): { port: number; closed: Promise<void> } & Disposable {
  const closed = Promise.withResolvers<void>()
  const l = Bun.listen({
    hostname: '127.0.0.1',
    port: 0,
    socket: { data() {}, close() { closed.resolve() } },
  })
  return { port: l.port, closed: closed.promise, [Symbol.dispose]: () => l.stop(true) }
}

/** A port nothing listens on (bound, then released): connections to it are refused. */
function refusedPort(): number {
  const l = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = l.port
  l.stop(true)
  return port
}

/** An exchange and its session in one, as a tcp session is: it records what the server side
 *  asks of it, and resolves `settled` when the exchange connected or was refused. */
class Exchange implements ServerSession, SrvSide, Disposable {
  queuedAt = 0
  _qPrev = null
  _qNext = null
  _queue: WaitQueue | null = null
  readonly cli = { localPort: 8080 } as Sock<unknown>
  dstAddr = '127.0.0.1'
  dstPort = 8080
  srv: SrvConn | null = null
  queueExp = Infinity
  connExp = Infinity
  inQueue = false
  be: Backend | null = null
  server: Server | null = null
  holdsSlot = false
  persisted: Server | undefined = undefined
  retriesLeft = 0
  retries = 0
  redispatched = false
  queueStart = -1
  queueEnd = -1
  connectStart = -1
  connectEnd = -1
  key: Uint8Array | string | undefined = undefined
  /** What happened: 'queued', 'connect', 'open', or the refusal's termination ('SC', 'sQ' …). */
  readonly events: string[] = []
  readonly #done = Promise.withResolvers<string>()
  readonly settled = this.#done.promise

  constructor(be: Backend) {
    enterBackend(this, be)
  }

  grant(server: Server): void { grantServer(this, this, server) }
  balanceKey(): Uint8Array | string | undefined { return this.key }
  proxyHeaderFor(): Uint8Array { return new Uint8Array(0) }
  srvQueued(): void { this.inQueue = true; this.events.push('queued') }
  srvConnect(): void {
    this.inQueue = false
    this.events.push('connect')
    this.connectStart = now()
    openServer(this, this)
  }
  srvRefused(by: TermCause, phase: TermPhase): void {
    this.inQueue = false
    this.events.push(by + phase)
    this.#done.resolve(by + phase)
  }
  onSrvOpen(c: SrvConn): void {
    if (c !== this.srv) { c.close(); return }
    this.connExp = Infinity
    this.connectEnd = now()
    this.events.push('open')
    this.#done.resolve('open')
  }
  onSrvConnectFailed(c: SrvConn): void {
    if (c !== this.srv) return
    this.srv = null
    connectFailed(this, this, false)
  }
  onSrvData(): void {}
  onSrvDrain(): void {}
  onSrvEnd(): void {}
  onSrvClose(): void {}

  [Symbol.dispose](): void {
    this.srv?.abort()
    if (this.inQueue) this.be?.unqueue(this)
    leaveBackend(this, 0, 0)
  }
}

describe('assign', () => {
  test('a server with a free slot takes the exchange, which connects to it', async () => {
    using s1 = listener()
    const be = backendOf(`backend app\n  server s1 127.0.0.1:${s1.port}`)
    using x = new Exchange(be)
    assignServer(x, x, undefined)
    expect(await x.settled).toBe('open')
    expect(x.events).toEqual(['connect', 'open'])
    expect(x.server?.name).toBe('s1')
    expect(x.holdsSlot).toBe(true)
    expect(be.servers[0]!.cur).toBe(1)
    expect(x.connectEnd).toBeGreaterThanOrEqual(x.connectStart)
  })

  test('leaving the backend counts the bytes, frees the slot and beconn', async () => {
    using s1 = listener()
    const be = backendOf(`backend app\n  server s1 127.0.0.1:${s1.port}`)
    const x = new Exchange(be)
    assignServer(x, x, undefined)
    await x.settled
    leaveBackend(x, 10, 20)
    expect([be.servers[0]!.cur, be.beconn]).toEqual([0, 0])
    expect([be.counters.bytesIn, be.counters.bytesOut]).toEqual([10, 20])
    expect([be.servers[0]!.counters.bytesIn, be.servers[0]!.counters.bytesOut]).toEqual([10, 20])
    expect(x.holdsSlot).toBe(false)
    x.srv?.abort()
  })

  test('every server full: the exchange waits under timeout queue; a freed slot grants it and it connects', async () => {
    using s1 = listener()
    const be = backendOf(`backend app\n  timeout queue 3s\n  server s1 127.0.0.1:${s1.port} maxconn 1`)
    const first = new Exchange(be)
    using second = new Exchange(be)
    assignServer(first, first, undefined)
    await first.settled
    assignServer(second, second, undefined)
    expect(second.events).toEqual(['queued'])
    expect(second.queueExp).toBe(second.queueStart + 3000)
    expect(be.queue.length).toBe(1)
    first.srv?.abort()
    leaveBackend(first, 0, 0)
    expect(await second.settled).toBe('open')
    expect(second.events).toEqual(['queued', 'connect', 'open'])
    expect(second.queueExp).toBe(Infinity)
    expect(second.queueEnd).toBeGreaterThanOrEqual(second.queueStart)
    expect(be.servers[0]!.cur).toBe(1)
  })

  test('a grant that comes after the exchange left its queue gives the slot back', () => {
    const be = backendOf('backend app\n  server s1 127.0.0.1:1')
    using x = new Exchange(be)
    const s1 = be.servers[0]!
    be.take(s1)
    grantServer(x, x, s1)
    expect(s1.cur).toBe(0)
    expect(x.events).toEqual([])
  })

  test('the server persistence chose is preferred; its queue full is RC', () => {
    const be = backendOf('backend app\n  server s1 127.0.0.1:1 maxconn 1 maxqueue 1\n  server s2 127.0.0.1:2')
    const s1 = be.servers[0]!
    be.take(s1)
    using waits = new Exchange(be)
    waits.persisted = s1
    assignServer(waits, waits, undefined)
    expect(waits.events).toEqual(['queued'])
    expect(s1.queue.length).toBe(1)
    using full = new Exchange(be)
    full.persisted = s1
    assignServer(full, full, undefined)
    expect(full.events).toEqual(['RC'])
    be.release(s1)
  })

  test('no usable server is SC; with dispatch, the exchange connects to that address', async () => {
    const none = backendOf('backend app\n  server s1 127.0.0.1:1 disabled')
    using x = new Exchange(none)
    assignServer(x, x, undefined)
    expect(x.events).toEqual(['SC'])
    expect(none.counters.noServer).toBe(1)

    using d = listener()
    const dispatch = backendOf(`backend app\n  dispatch 127.0.0.1:${d.port}`)
    using y = new Exchange(dispatch)
    assignServer(y, y, undefined)
    expect(await y.settled).toBe('open')
    expect(y.server).toBeNull()
    expect(y.holdsSlot).toBe(false)
  })

  test('the balance key the session gives is the one hashed', () => {
    const be = backendOf('backend app\n  balance source\n  server s1 127.0.0.1:1 maxconn 1\n  server s2 127.0.0.1:2 maxconn 1')
    const picks = new Set<string>()
    for (let i = 0; i < 4; i++) {
      const x = new Exchange(be)
      x.key = new Uint8Array([10, 0, 0, 9])
      x.srvConnect = () => { x.events.push('connect') }
      assignServer(x, x, undefined)
      picks.add(x.server?.name ?? x.events.join())
      x[Symbol.dispose]()
    }
    expect(picks.size).toBe(1)
  })
})

describe('connect', () => {
  test('a refused connection is retried on its server, then redispatched on the last retry', async () => {
    using s2 = listener()
    const be = backendOf(`backend app\n  retries 2\n  option redispatch\n  server s1 127.0.0.1:${refusedPort()}\n  server s2 127.0.0.1:${s2.port}`)
    using x = new Exchange(be)
    x.persisted = be.servers[0]!
    assignServer(x, x, undefined)
    expect(await x.settled).toBe('open')
    expect(x.events).toEqual(['connect', 'connect', 'connect', 'open'])
    expect(x.server?.name).toBe('s2')
    expect([x.retries, x.retriesLeft, x.redispatched]).toEqual([2, 0, true])
    expect(x.persisted).toBeUndefined()
    const [s1, srv2] = be.servers
    expect([s1!.cur, srv2!.cur]).toEqual([0, 1])
    expect([s1!.counters.econ, s1!.counters.wretr, s1!.counters.wredis]).toEqual([2, 2, 1])
    expect([be.counters.retries, be.counters.redispatches, be.counters.connectErrors]).toEqual([2, 1, 2])
  })

  test('out of retries: SC when refused', async () => {
    const be = backendOf(`backend app\n  retries 1\n  server s1 127.0.0.1:${refusedPort()}`)
    using x = new Exchange(be)
    assignServer(x, x, undefined)
    expect(await x.settled).toBe('SC')
    expect(x.events).toEqual(['connect', 'connect', 'SC'])
    expect(x.retries).toBe(1)
  })

  test('timeout connect: the attempt is dropped (closed if it opens later), and out of retries it is sC', async () => {
    using s1 = listener()
    const be = backendOf(`backend app\n  timeout connect 5s\n  retries 0\n  server s1 127.0.0.1:${s1.port}`)
    using x = new Exchange(be)
    assignServer(x, x, undefined)
    expect(x.connExp).toBe(x.connectStart + 5000)
    const attempt = x.srv!
    connectTimedOut(x, x)
    expect(x.events).toEqual(['connect', 'sC'])
    expect(x.srv).toBeNull()
    expect(attempt.state).toBe('closed')
    expect(be.counters.connectErrors).toBe(1)
    await s1.closed
  })
})

test('queue timeout: sQ, and the exchange is out of its queue', () => {
  const be = backendOf('backend app\n  timeout queue 1s\n  server s1 127.0.0.1:1 maxconn 1')
  const s1 = be.servers[0]!
  be.take(s1)
  using x = new Exchange(be)
  assignServer(x, x, undefined)
  expect(x.events).toEqual(['queued'])
  queueTimedOut(x, x)
  expect(x.events).toEqual(['queued', 'sQ'])
  expect(be.queue.length).toBe(0)
  expect(x.queueExp).toBe(Infinity)
  expect(x.queueEnd).toBeGreaterThanOrEqual(x.queueStart)
  be.release(s1)
  expect(x.events).toEqual(['queued', 'sQ'])
})
