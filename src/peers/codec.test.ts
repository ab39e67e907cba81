import { describe, expect, test } from 'bun:test'
import { StickTable } from '../rules/stick-table.ts'
import { Cursor, varintSize, writeVarint } from './varint.ts'
import { MSG_DEFINE, MSG_UPDATE_TIMED, Out, readDefine, readFrame, writeDefine } from './messages.ts'
import { readUpdate, TxDict, writeUpdate } from './update-codec.ts'
import { SyncedTable } from './table-sync.ts'
import { checkHello, helloText, readLines } from './handshake.ts'
import { DATA_TYPES } from './data-types.ts'

const enc = (v: number): number[] => { const b = new Uint8Array(10); return [...b.subarray(0, writeVarint(b, 0, v))] }
const dec = (b: number[]): number => new Cursor(Uint8Array.from(b), 0, b.length).varint()

describe('varints (doc/peers.txt, "Encoding")', () => {
  test("the document's example: 0x1234 is f4 94 01", () => {
    expect(enc(0x1234)).toEqual([0xf4, 0x94, 0x01])
    expect(dec([0xf4, 0x94, 0x01])).toBe(0x1234)
  })
  test('the size boundaries of HAProxy (240, 2288, 264432, 33818864, 2^32) round-trip', () => {
    for (const v of [0, 1, 239, 240, 2287, 2288, 264431, 264432, 33818863, 33818864, 2 ** 32 - 1, 2 ** 40 + 5]) {
      const b = enc(v)
      expect(b.length).toBe(varintSize(v))
      expect(dec(b)).toBe(v)
    }
    expect(enc(239)).toEqual([239])
    expect(enc(240)).toHaveLength(2)
    expect(enc(2288)).toHaveLength(3)
  })
  test('a truncated varint is not ok', () => {
    const c = new Cursor(Uint8Array.of(0xf4, 0x94), 0, 2)
    c.varint()
    expect(c.ok).toBe(false)
  })
})

describe('frames', () => {
  test('control messages are two bytes; table messages carry their length', () => {
    const out = new Out()
    writeDefine(out, { id: 1, name: 'web', keyType: 4, keySize: 4, data: 1, expire: 1000, params: new Map() })
    const b = out.take()
    expect([b[0], b[1]]).toEqual([10, MSG_DEFINE])
    const r = readFrame(b, 0, b.length, 1000)
    expect(r.kind).toBe('frame')
    expect(readFrame(Uint8Array.of(0, 4), 0, 2, 10)).toMatchObject({ kind: 'frame', frame: { cls: 0, type: 4 }, next: 2 })
    expect(readFrame(b, 0, b.length - 1, 1000)).toEqual({ kind: 'need-more' })
    expect(readFrame(Uint8Array.of(255, 0), 0, 2, 10)).toMatchObject({ kind: 'error' })
    expect(readFrame(Uint8Array.of(10, 0x80, 100), 0, 3, 10)).toMatchObject({ kind: 'error', size: true })
  })
  test('a definition carries each rate with its period', () => {
    const t = new StickTable('web', { type: 'string', len: 32, size: 10, expire: 30_000, store: ['gpc0', 'http_req_rate(10s)'] })
    const s = new SyncedTable({ name: 'web', table: t, cfg: { type: 'string', len: 32 } }, { localId: 3, changed: () => {} })
    expect(s.def).toMatchObject({ id: 3, keyType: 6, keySize: 33, expire: 30_000, data: 1 + 4 + 1024 + 2 ** 19 })
    const out = new Out()
    writeDefine(out, s.def)
    const b = out.take()
    const r = readFrame(b, 0, b.length, 1000)
    if (r.kind !== 'frame') throw new Error(r.kind)
    const d = readDefine(r.frame.body!, (x) => DATA_TYPES[x]?.array === true, (x) => DATA_TYPES[x]?.kind === 'freq')
    expect(d).toEqual({ ...s.def, params: new Map([[10, [10_000]]]) })
    s.close()
  })
})

describe('updates', () => {
  test('an entry round-trips: key, server id and name (through the dictionary cache), counters, rates, expiry', () => {
    const cfg = { type: 'ip' as const, size: 10, expire: 60_000, store: ['server_id', 'gpc0', 'http_req_rate(10s)'] }
    const a = new StickTable('web', cfg)
    const b = new StickTable('web', cfg)
    const sa = new SyncedTable({ name: 'web', table: a, cfg }, { localId: 1, changed: () => {} })
    const e = a.get('192.168.1.2')!
    a.setServer(e, 3, 'srv3')
    a.inc(e, 'gpc0', 'http_req_rate', 6)
    const out = new Out()
    const dict = new TxDict()
    for (let i = 0; i < 2; i++) writeUpdate(out, a.snapshot(e), { def: sa.def, shape: sa.shape, dict, updateId: 7 + i, incremental: false, timed: true })
    const bytes = out.take()
    const rx: (string | undefined)[] = []
    let pos = 0
    for (let i = 0; i < 2; i++) {
      const r = readFrame(bytes, pos, bytes.length, 1000)
      if (r.kind !== 'frame') throw new Error(r.kind)
      expect(r.frame.type).toBe(MSG_UPDATE_TIMED)
      const u = readUpdate(r.frame.body!, r.frame.type, { def: sa.def, shape: sa.shape, keyLen: 32, lastId: 0, rxDict: rx })
      if (typeof u === 'string') throw new Error(u)
      expect(u.id).toBe(7 + i)
      expect(u.update).toMatchObject({ key: '192.168.1.2', serverId: 3, serverName: 'srv3', counters: { gpc0: 6 } })
      b.applyRemote(u.update!)
      pos = r.next
    }
    // The second went with the cache id alone.
    expect(bytes.length).toBeLessThan(2 * 40)
    const f = b.lookup('192.168.1.2')!
    expect(b.read(f, 'http_req_rate')).toBe(6)
    expect(Math.abs(f.exp - e.exp)).toBeLessThan(50)
    sa.close()
  })
})

describe('handshake', () => {
  test('a hello is three lines; the checks give HAProxy’s status codes', () => {
    const hello = new TextEncoder().encode(helloText('b', 'a', 42))
    const r = readLines(hello, hello.length, 3)
    expect(r).toMatchObject({ kind: 'lines', lines: ['HAProxyS 2.1', 'b', 'a 42 0'] })
    const known = (n: string) => n === 'a'
    expect(checkHello(['HAProxyS 2.1', 'b', 'a 42 0'], 'b', known)).toEqual({ status: 200, peer: 'a' })
    expect(checkHello(['HAProxyS 3.0', 'b', 'a 42 0'], 'b', known).status).toBe(502)
    expect(checkHello(['HTTP/1.1', 'b', 'a 42 0'], 'b', known).status).toBe(501)
    expect(checkHello(['HAProxyS 2.1', 'c', 'a 42 0'], 'b', known).status).toBe(503)
    expect(checkHello(['HAProxyS 2.1', 'b', 'z 42 0'], 'b', known).status).toBe(504)
  })
})
