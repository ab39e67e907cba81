import { describe, expect, test } from 'bun:test'
import { ConfigError } from '../model/source.ts'
import { StickTable } from './stick-table.ts'
import { manualClock } from '../../test/support/rules-ctx.ts'

function table(cfg: Partial<ConstructorParameters<typeof StickTable>[1]> = {}) {
  const clock = manualClock()
  const t = new StickTable('t', { type: 'ip', size: 3, expire: 1000, store: ['http_req_rate(10s)', 'gpc0', 'conn_cur'], ...cfg }, { wheel: clock.wheel, now: clock.now })
  return { t, clock }
}

describe('StickTable', () => {
  test('keys follow the table type', () => {
    const ip = table().t
    expect(ip.keyOf('10.0.0.1')).toBe('10.0.0.1')
    expect(ip.keyOf('::ffff:10.0.0.1')).toBe('10.0.0.1')
    expect(ip.keyOf('2001:db8::1')).toBeUndefined()
    expect(ip.keyOf('nope')).toBeUndefined()
    expect(table({ type: 'ipv6' }).t.keyOf('10.0.0.1')).toBe('::ffff:10.0.0.1')
    expect(table({ type: 'integer' }).t.keyOf('42')).toBe(42)
    expect(table({ type: 'string', len: 4 }).t.keyOf('abcdef')).toBe('abcd')
    expect(table({ type: 'binary', len: 4 }).t.keyOf(new Uint8Array([1, 2]))).toBe('\x01\x02\0\0')
  })
  test("entries as `show table` lists them: key, use, exp, then the stored data in HAProxy's order", () => {
    const { t } = table({ store: ['http_fail_rate(10s)', 'conn_rate(10s)', 'http_req_cnt', 'http_fail_cnt', 'gpt0', 'gpc0'] })
    const e = t.get('127.0.0.1')!
    t.inc(e, 'http_req_cnt', 'conn_rate')
    t.inc(e, 'http_fail_cnt', 'http_fail_rate', 2)
    expect(t.dumpEntries()).toEqual(['key=127.0.0.1 use=0 exp=1000 gpt0=0 gpc0=0 conn_rate(10000)=1 http_req_cnt=1 http_fail_cnt=2 http_fail_rate(10000)=2'])
  })
  test('store lists are checked at load', () => {
    expect(() => table({ store: ['http_req_rate'] })).toThrow(/needs a period/)
    expect(() => table({ store: ['gpc0(1s)'] })).toThrow(/takes no period/)
    expect(() => table({ store: ['bogus'] })).toThrow(ConfigError)
  })
  test('rates count within the window and fade after it', () => {
    const { t, clock } = table()
    const e = t.get('1.2.3.4')!
    for (let i = 0; i < 5; i++) t.inc(e, 'http_req_cnt', 'http_req_rate')
    expect(t.read(e, 'http_req_rate')).toBe(5)
    expect(t.read(e, 'http_req_cnt')).toBeUndefined() // not stored
    clock.set(clock.now() + 15_000)
    expect(t.read(e, 'http_req_rate')).toBe(2) // 5 × 0.5 of the previous period
    clock.set(clock.now() + 10_000)
    expect(t.read(e, 'http_req_rate')).toBe(0)
  })
  test('entries expire on the wheel; a touch postpones it', () => {
    const { t, clock } = table()
    t.get('1.1.1.1')
    clock.advance(500)
    t.get('2.2.2.2')
    clock.advance(600) // 1.1.1.1 is 1100 ms old, 2.2.2.2 600 ms
    expect(t.lookup('1.1.1.1')).toBeUndefined()
    expect(t.lookup('2.2.2.2')).toBeDefined()
    t.get('2.2.2.2') // touched
    clock.advance(900)
    expect(t.lookup('2.2.2.2')).toBeDefined()
    clock.advance(200)
    expect(t.count).toBe(0)
  })
  test('an expired entry is never returned, even before the purge ran', () => {
    const { t, clock } = table()
    const e = t.get('3.3.3.3')!
    t.inc(e, 'gpc0', null, 5)
    clock.set(clock.now() + 1000) // the wheel did not run
    expect(t.lookup('3.3.3.3')).toBeUndefined()
    expect(t.read(t.get('3.3.3.3')!, 'gpc0')).toBe(0)
  })
  test('a full table evicts the least recently used entry, never a tracked one', () => {
    const { t } = table({ expire: undefined })
    const a = t.get('1.0.0.1')!
    t.get('1.0.0.2')
    t.get('1.0.0.3')
    t.get('1.0.0.1') // a is now the youngest
    t.get('1.0.0.4')
    expect(t.lookup('1.0.0.2')).toBeUndefined()
    expect([...t.entries()].map((e) => e.key)).toEqual(['1.0.0.3', '1.0.0.1', '1.0.0.4'])
    for (const e of t.entries()) e.refs++
    expect(t.get('1.0.0.5')).toBeUndefined()
    a.refs--
    expect(t.get('1.0.0.5')).toBeDefined()
    expect(t.lookup('1.0.0.1')).toBeUndefined()
  })
  test('tracked entries outlive their expiry until released', () => {
    const { t, clock } = table()
    const e = t.get('9.9.9.9')!
    e.refs = 1
    clock.advance(5000)
    expect(t.lookup('9.9.9.9')).toBe(e)
    e.refs = 0
    clock.advance(1100)
    expect(t.lookup('9.9.9.9')).toBeUndefined()
  })
  test('what a peer would send applies to another table', () => {
    const a = table().t
    const b = table().t
    const e = a.get('5.5.5.5')!
    a.inc(e, 'gpc0', null, 3)
    a.inc(e, null, 'http_req_rate', 7)
    a.setServer(e, 2, 's2')
    const seen: string[] = []
    a.onUpdate = (x) => seen.push(String(x.key))
    a.inc(e, 'gpc0', null)
    expect(seen).toEqual(['5.5.5.5'])
    const u = a.exportEntry(e)
    expect(u).toEqual({ key: '5.5.5.5', serverId: 2, serverName: 's2', counters: { conn_cur: 0, gpc0: 4 }, rates: { http_req_rate: 7 } })
    const f = b.apply(u)!
    expect(b.read(f, 'gpc0')).toBe(4)
    expect(b.read(f, 'http_req_rate')).toBe(7)
    expect(f.serverName).toBe('s2')
  })
})
