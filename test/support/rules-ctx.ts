/**
 * Test support: a compile context with a stick table or two and the fixture map directory.
 */
import { join } from 'node:path'
import { buildConfig } from '../../src/config/build.ts'
import { readHaproxy } from '../../src/config/haproxy/reader.ts'
import { ConfigError, formatDiagnostic } from '../../src/model/source.ts'
import { TimerWheel } from '../../src/core/timer-wheel.ts'
import type { CompileCtx } from '../../src/rules/context.ts'
import { MapStore } from '../../src/rules/maps.ts'
import { compileRules, type CompiledRules } from '../../src/rules/proxy.ts'
import { StickTable } from '../../src/rules/stick-table.ts'

export const FIXTURES = join(import.meta.dir, '..', 'fixtures', 'rules-maps')
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

/** Builds a configuration from HAProxy text and compiles its rules, on a hand-driven clock.
 *  Throws with the builder's errors if the text does not build. */
export function rulesFrom(text: string, options: { allowUnimplemented?: boolean } = {}): { rules: CompiledRules; clock: ReturnType<typeof manualClock>; warnings: string[] } {
  const file = join(FIXTURES, 'test.cfg') // relative map files are read from FIXTURES
  const read = readHaproxy(text, file)
  const built = buildConfig(read.sections, [file], options)
  const errors = [...read.diagnostics, ...built.diagnostics].filter((d) => d.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map(formatDiagnostic).join('\n'))
  const clock = manualClock()
  const warnings: string[] = []
  try {
    const rules = compileRules(built.config, { tables: { wheel: clock.wheel, now: clock.now }, warn: (m, at) => warnings.push(`${at.line}: ${m}`) })
    return { rules, clock, warnings }
  } catch (e) {
    if (e instanceof ConfigError) throw new Error(formatDiagnostic({ severity: 'error', pos: e.pos, message: e.message }))
    throw e
  }
}
