import { describe, expect, test } from 'bun:test'
import { StickTable } from '../rules/stick-table.ts'
import { until } from '../../test/support/wait.ts'
import { PeersService } from './service.ts'
import { Out, writeDefine } from './messages.ts'
import type { PeerTimeouts } from './session.ts'

const CFG = { type: 'ip' as const, size: 1000, expire: 60_000, store: ['server_id', 'gpc0', 'http_req_rate(10s)'] }

interface Node extends Disposable {
  svc: PeersService
  table: StickTable
  logs: string[]
}

/** A node named `name` listening on 127.0.0.1:0 with links to `peers` (pointed at their
 *  listeners by `mesh`). */
function node(name: string, peers: string[], o: { aloneMs?: number; port?: number; timeouts?: PeerTimeouts } = {}): Node {
  const table = new StickTable('web', CFG)
  const logs: string[] = []
  const svc = new PeersService({
    section: 'mesh', localName: name, bind: { kind: 'tcp', host: '127.0.0.1', port: o.port ?? 0 },
    peers: peers.map((p) => ({ name: p, host: '127.0.0.1', port: 1 })),
    tables: [{ name: 'web', table, cfg: CFG }], log: (l) => logs.push(l), aloneMs: o.aloneMs ?? 300,
    ...(o.timeouts ? { timeouts: o.timeouts } : {}),
  })
  svc.listen()
  return { svc, table, logs, [Symbol.dispose]: () => svc.stop() }
}

/** Points each node's links at the others' listeners, then connects them all. */
function mesh(...nodes: Node[]): void {
  for (const n of nodes) for (const l of n.svc.links) { const m = nodes.find((x) => x.svc.localName === l.name); if (m) l.port = m.svc.port }
  for (const n of nodes) n.svc.dialAll()
}

/** A raw TCP client playing a peer by hand. */
async function rawPeer(port: number): Promise<{ write(b: string | Uint8Array): void; bytes(): Buffer; closed: () => boolean } & Disposable> {
  let buf = Buffer.alloc(0)
  let closed = false
  const s = await Bun.connect({
    hostname: '127.0.0.1', port,
    socket: { data(_s, c) { buf = Buffer.concat([buf, c]) }, close() { closed = true }, error() {} },
  })
  return { write: (b) => { s.write(b) }, bytes: () => buf, closed: () => closed, [Symbol.dispose]: () => s.end() }
}

const stored = (n: Node, key: string): number | undefined => {
  const e = n.table.lookup(key)
  return e === undefined ? undefined : n.table.read(e, 'gpc0')
}

describe('peers between two edgelb nodes', () => {
  test('an update on one reaches the other: server, counters, rates', async () => {
    using a = node('a', ['b'])
    using b = node('b', ['a'])
    mesh(a, b)
    await until(() => a.svc.connected === 1 && b.svc.connected === 1, 'a and b connected')
    const e = a.table.get('10.0.0.1')!
    a.table.setServer(e, 2, 's2')
    a.table.inc(e, 'gpc0', 'http_req_rate', 3)
    await until(() => stored(b, '10.0.0.1') === 3, 'the entry on b')
    const f = b.table.lookup('10.0.0.1')!
    expect([f.serverId, f.serverName]).toEqual([2, 's2'])
    expect(b.table.read(f, 'http_req_rate')).toBe(3)
    // And back: b's own write reaches a.
    b.table.inc(f, 'gpc0', null, 2)
    await until(() => stored(a, '10.0.0.1') === 5, 'b’s write on a')
  })

  test('a node that starts later is taught everything by a full resync, expiry with it', async () => {
    using a = node('a', ['b'])
    for (let i = 0; i < 500; i++) a.table.inc(a.table.get(`10.1.${i >> 8}.${i & 255}`)!, 'gpc0', null, i)
    a.svc.dialAll()
    await until(() => a.svc.resynced, 'a alone to consider itself resynced')
    using b = node('b', ['a'], { aloneMs: 10_000 })
    mesh(a, b)
    await until(() => b.svc.resynced, 'b resynced')
    expect(b.table.count).toBe(500)
    expect(stored(b, '10.1.1.243')).toBe(499)
    expect(b.logs.some((l) => /resynced from peer a/.test(l))).toBe(true)
    const exp = b.table.lookup('10.1.0.7')!.exp - a.table.lookup('10.1.0.7')!.exp
    expect(Math.abs(exp)).toBeLessThan(1000)
  })

  test('a partitioned peer catches up with what it missed when the link returns', async () => {
    using a = node('a', ['b'])
    using b = node('b', ['a'])
    mesh(a, b)
    await until(() => a.svc.connected === 1 && b.svc.resynced && a.svc.resynced, 'a and b connected')
    const port = { a: a.svc.port, b: b.svc.port }
    // The partition: each side's link points nowhere, and the connection is cut.
    a.svc.links[0]!.port = 1
    b.svc.links[0]!.port = 1
    a.svc.links[0]!.session!.sock.terminate()
    await until(() => a.svc.connected === 0 && b.svc.connected === 0, 'the link down')
    a.table.inc(a.table.get('10.2.0.1')!, 'gpc0', null, 7)
    b.table.inc(b.table.get('10.2.0.2')!, 'gpc0', null, 8)
    a.svc.links[0]!.port = port.b
    b.svc.links[0]!.port = port.a
    await until(() => stored(b, '10.2.0.1') === 7 && stored(a, '10.2.0.2') === 8, 'both sides caught up', 10_000)
  })
})

test('two tables on one connection: updates interleaved, each acknowledged up to its last id', async () => {
  const make = (name: string, peer: string): { svc: PeersService; t1: StickTable; t2: StickTable } => {
    const t1 = new StickTable('one', CFG)
    const t2 = new StickTable('two', { ...CFG, type: 'string' as const, len: 16 })
    const svc = new PeersService({
      section: 'mesh', localName: name, bind: { kind: 'tcp', host: '127.0.0.1', port: 0 }, peers: [{ name: peer, host: '127.0.0.1', port: 1 }],
      tables: [{ name: 'one', table: t1, cfg: CFG }, { name: 'two', table: t2, cfg: { type: 'string', len: 16 } }], log: () => {}, aloneMs: 300,
    })
    svc.listen()
    return { svc, t1, t2 }
  }
  const a = make('a', 'b')
  const b = make('b', 'a')
  try {
    a.svc.links[0]!.port = b.svc.port
    b.svc.links[0]!.port = a.svc.port
    a.svc.dialAll()
    b.svc.dialAll()
    await until(() => a.svc.connected === 1 && a.svc.resynced && b.svc.resynced, 'connected and resynced')
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) {
        a.t1.inc(a.t1.get(`10.7.${round}.${i}`)!, 'gpc0', null, i + 1)
        a.t2.inc(a.t2.get(`k${round}-${i}`)!, 'gpc0', null, i + 2)
      }
      await new Promise((r) => setImmediate(r))
    }
    const g = (t: StickTable, k: string): number | undefined => { const e = t.lookup(k); return e && t.read(e, 'gpc0') }
    await until(() => g(b.t1, '10.7.2.19') === 20 && g(b.t2, 'k2-19') === 21, 'every update on b')
    expect(b.t1.count).toBe(60)
    expect(b.t2.count).toBe(60)
    const link = a.svc.links[0]!
    await until(() => a.svc.tables.every((t) => link.acked.get(t) === t.update), 'every update acknowledged')
  } finally {
    a.svc.stop()
    b.svc.stop()
  }
})

describe('handover to the next process (binary upgrade)', () => {
  test('the old process teaches the new one every entry, its own and those it learned; the new one is resynced', async () => {
    using a = node('a', ['b'])
    using b = node('b', ['a'])
    mesh(a, b)
    await until(() => a.svc.connected === 1, 'a and b connected')
    a.table.inc(a.table.get('10.5.0.1')!, 'gpc0', null, 1)
    b.table.inc(b.table.get('10.5.0.2')!, 'gpc0', null, 2)
    await until(() => stored(a, '10.5.0.2') === 2 && stored(b, '10.5.0.1') === 1, 'both entries on both')
    // The next process: same name, same port (SO_REUSEPORT), its own empty table.
    using next = node('a', ['b'], { port: a.svc.port, aloneMs: 10_000 })
    await a.svc.handover()
    expect(a.logs).toContain('peers mesh: tables handed over to the next process')
    expect(stored(next, '10.5.0.1')).toBe(1)
    expect(stored(next, '10.5.0.2')).toBe(2)
    expect(next.svc.resynced).toBe(true)
    expect(next.logs.some((l) => /resynced from the previous process/.test(l))).toBe(true)
  })

  test('nobody in its place: the handover ends at once', async () => {
    using a = node('a', [])
    a.svc.dialAll()
    await a.svc.handover()
    expect(a.logs.filter((l) => /handover|handed/.test(l))).toEqual([])
  })
})

describe('bad input: the peer is disconnected and logged, the tables stay intact, the rest goes on', () => {
  /** a and b connected, with an entry; returns them for a test to attack a with a raw client. */
  async function pair(): Promise<{ a: Node; b: Node }> {
    const a = node('a', ['b', 'c'])
    const b = node('b', ['a'])
    mesh(a, b)
    await until(() => b.svc.connected === 1, 'a and b connected')
    b.table.inc(b.table.get('10.9.9.9')!, 'gpc0', null, 4)
    await until(() => stored(a, '10.9.9.9') === 4, 'the entry on a')
    return { a, b }
  }

  async function stillWorks(a: Node, b: Node, n: number): Promise<void> {
    expect(stored(a, '10.9.9.9')).toBe(4)
    b.table.inc(b.table.get('10.9.9.8')!, 'gpc0', null, n)
    await until(() => stored(a, '10.9.9.8') === n, 'a later update on a')
  }

  async function refused(hello: string, status: string, why: RegExp): Promise<void> {
    const { a, b } = await pair()
    using _a = a
    using _b = b
    using c = await rawPeer(a.svc.port)
    c.write(hello)
    await until(() => c.closed(), 'the connection closed')
    expect(c.bytes().toString('latin1')).toBe(status)
    expect(a.logs.some((l) => why.test(l))).toBe(true)
    await stillWorks(a, b, 1)
  }

  test('garbage instead of a hello: 501', () => refused('GET / HTTP/1.1\r\nHost: x\r\n\r\n', '501\n', /not a peers hello.*disconnected/))
  test('a wrong protocol version: 502', () => refused('HAProxyS 3.0\na\nc 1 0\n', '502\n', /protocol version 3\.0.*disconnected/))
  test('a hello addressed to another peer: 503; from an unknown one: 504', async () => {
    await refused('HAProxyS 2.1\nzz\nc 1 0\n', '503\n', /addressed to peer 'zz'/)
    await refused('HAProxyS 2.1\na\nmallory 1 0\n', '504\n', /unknown peer 'mallory'/)
  })

  /** A raw client that passed the handshake as peer `c`. */
  async function asC(a: Node): Promise<Awaited<ReturnType<typeof rawPeer>>> {
    const c = await rawPeer(a.svc.port)
    c.write('HAProxyS 2.1\na\nc 1 0\n')
    await until(() => c.bytes().toString('latin1').startsWith('200\n'), 'status 200')
    return c
  }

  test('an update for a table never defined: protocol error', async () => {
    const { a, b } = await pair()
    using _a = a
    using _b = b
    using c = await asC(a)
    c.write(Uint8Array.of(10, 0x80, 9, 0, 0, 0, 1, 10, 0, 0, 1, 0))
    await until(() => c.closed(), 'the connection closed')
    expect(c.bytes().subarray(-2)).toEqual(Buffer.from([1, 0]))
    expect(a.logs.some((l) => /peer c: update for a table never defined; disconnected/.test(l))).toBe(true)
    await stillWorks(a, b, 2)
  })

  test('a table this node does not share: its updates are ignored, logged once', async () => {
    const { a, b } = await pair()
    using _a = a
    using _b = b
    using c = await asC(a)
    const out = new Out()
    writeDefine(out, { id: 1, name: 'other', keyType: 4, keySize: 4, data: 4, expire: 0, params: new Map() })
    c.write(out.take())
    c.write(Uint8Array.of(10, 0x80, 9, 0, 0, 0, 1, 10, 9, 9, 9, 40))
    await until(() => a.logs.some((l) => /table 'other' is not shared here/.test(l)), 'the log line')
    expect(c.closed()).toBe(false)
    expect(stored(a, '10.9.9.9')).toBe(4)
  })

  test('an oversized message: size error', async () => {
    const { a, b } = await pair()
    using _a = a
    using _b = b
    using c = await asC(a)
    c.write(Uint8Array.of(10, 0x80, 0xf0, 0xff, 0x7f)) // a length of about 2 MB
    await until(() => c.closed(), 'the connection closed')
    expect(c.bytes().subarray(-2)).toEqual(Buffer.from([1, 1]))
    expect(a.logs.some((l) => /limit 65536.*disconnected/.test(l))).toBe(true)
    await stillWorks(a, b, 3)
  })

  test('a malformed update: protocol error, what was applied before stays', async () => {
    const { a, b } = await pair()
    using _a = a
    using _b = b
    using c = await asC(a)
    const out = new Out()
    writeDefine(out, { id: 1, name: 'web', keyType: 4, keySize: 4, data: 4, expire: 0, params: new Map() })
    c.write(out.take())
    c.write(Uint8Array.of(10, 0x80, 3, 0, 0, 0))
    await until(() => c.closed(), 'the connection closed')
    expect(a.logs.some((l) => /table 'web': truncated update key; disconnected/.test(l))).toBe(true)
    await stillWorks(a, b, 5)
  })

  test('a peer that goes silent (no heartbeat) is disconnected; one that never finishes its hello too', async () => {
    using a = node('a', ['c', 'd'], { timeouts: { heartbeat: 100, dead: 300, handshake: 300 } })
    a.svc.dialAll()
    using c = await asC(a)
    // c sends nothing more: a heartbeats, then gives up on it.
    await until(() => c.closed(), 'c disconnected', 3000)
    expect(a.logs.some((l) => /peer c: nothing received for 0\.3 s; disconnected/.test(l))).toBe(true)
    expect(c.bytes().includes(Buffer.from([0, 4]))).toBe(true)
    using d = await rawPeer(a.svc.port)
    d.write('HAProxyS 2.1\n')
    await until(() => d.closed(), 'd disconnected', 3000)
    expect(a.logs.some((l) => /handshake timed out; disconnected/.test(l))).toBe(true)
  })

  test('a peer that disappears in the middle of teaching a resync: another peer is asked', async () => {
    using b = node('b', ['a'])
    for (let i = 0; i < 50; i++) b.table.inc(b.table.get(`10.3.0.${i}`)!, 'gpc0', null, 1)
    b.svc.dialAll()
    await until(() => b.svc.resynced, 'b resynced (alone)')
    using a = node('a', ['b', 'c'], { aloneMs: 10_000 })
    // c connects first: a asks it for the resync, c leaves without teaching.
    using c = await asC(a)
    await until(() => c.bytes().includes(Buffer.from([0, 0])), 'a resync request to c')
    c[Symbol.dispose]()
    await until(() => a.logs.some((l) => /peer c: closed during a resync/.test(l)), 'the log line')
    mesh(a, b)
    await until(() => a.svc.resynced, 'a resynced from b')
    expect(a.table.count).toBe(50)
  })
})
