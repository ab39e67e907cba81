/**
 * `edgelb check` for rules: compiles every proxy's ACLs, rules, maps and stick tables as the
 * engine will, and reports each problem at its line instead of stopping at the first.
 */
import type { Protection } from '../model/dictionary/types.ts'
import type { SourcePos } from '../model/source.ts'
import type { Config } from '../model/types.ts'
import { TimerWheel } from '../core/timer-wheel.ts'
import { compileRules, type CompiledRules } from './proxy.ts'

export interface RulesReport {
  warn(message: string, at: SourcePos): void
  error(message: string, at: SourcePos): void
  /** A rule edgelb knows but does not implement, and what it protects. */
  unimplemented(what: string, at: SourcePos, protects: Protection): void
}

/** Returns what it compiled with (the stick tables and maps), for what else compiles samples. */
export function checkRules(config: Config, report: RulesReport): CompiledRules {
  // A rule inherited from a defaults section is compiled once per proxy: report it once.
  const seen = new Set<string>()
  const once = (sink: (m: string, at: SourcePos) => void, kind: string, message: string, at: SourcePos): void => {
    const key = `${kind}\0${at.file}\0${at.line}\0${message}`
    if (seen.has(key)) return
    seen.add(key)
    sink(message, at)
  }
  return compileRules(config, {
    warn: (m, at) => once(report.warn, 'w', m, at),
    unimplemented: (what, at, protects) => once((m, pos) => report.unimplemented(m, pos, protects), 'u', what, at),
    onError: (e) => once(report.error, 'e', e.message, e.pos),
    // Tables built for checking never expire anything: keep them off the process wheel.
    tables: { wheel: new TimerWheel() },
  })
}
