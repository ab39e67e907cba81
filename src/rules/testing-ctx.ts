/**
 * Test support: a compile context with a stick table or two and the fixture map directory.
 */
import { join } from 'node:path'
import { TimerWheel } from '../core/timer-wheel.ts'
import type { CompileCtx } from './context.ts'
import { MapStore } from './maps.ts'
import { StickTable } from './stick-table.ts'

export const FIXTURES = join(import.meta.dir, '..', '..', 'test', 'fixtures', 'rules-maps')
export const AT = { file: 'test.cfg', line: 7 }

/** A clock the tests move by hand, and a wheel driven by it. */
export function manualClock(start = 1_000_000): { now: () => number; set(t: number): void; advance(ms: number): void; wheel: TimerWheel } {
  let t = start
  const wheel = new TimerWheel({ tickMs: 10, start })
  return {
    now: () => t,
    set(v) { t = v },
    advance(ms) { t += ms; wheel.advance(t) },
    wheel,
  }
}

export function testCtx(over: Partial<CompileCtx> = {}): CompileCtx {
  const clock = manualClock()
  const tables = new Map<string, StickTable>([
    ['www', new StickTable('www', { type: 'ip', size: 100, expire: 60_000, store: ['http_req_rate(10s)', 'conn_cur', 'conn_cnt', 'conn_rate(10s)', 'gpc0', 'gpc0_rate(10s)', 'gpt0', 'http_req_cnt', 'http_err_rate(10s)', 'http_err_cnt', 'sess_cnt', 'bytes_in_rate(10s)', 'bytes_out_rate(10s)'] }, { wheel: clock.wheel, now: clock.now })],
    ['users', new StickTable('users', { type: 'string', len: 16, size: 10, store: ['gpc0'] }, { wheel: clock.wheel, now: clock.now })],
  ])
  return { tables, maps: new MapStore(), fileDir: FIXTURES, backends: new Set(['app', 'api', 'static', 'be_example.com']), proxy: 'www', at: AT, ...over }
}
