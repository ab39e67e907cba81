/**
 * Variables: `proc.*` (process), `sess.*` (session), `txn.*`, `req.*`, `res.*` (stream).
 * A reference is resolved to its map at load; at run time it is one Map access.
 */
import { ConfigError, type SourcePos } from '../model/source.ts'
import { procVars } from './context.ts'
import type { Sample, StreamView } from './types.ts'

export interface VarRef {
  readonly name: string
  get(s: StreamView): Sample | undefined
  /** Sets the variable, when `cond` (the conditions written after its name) allows; says whether
   *  it did. */
  set(s: StreamView, v: Sample, cond?: VarCond): boolean
  unset(s: StreamView): void
}

/** HAProxy's conditions of `set-var(NAME,COND…)`: on the variable's existence, on whether it
 *  holds a value (it exists without one once unset, or after a condition refused to set it), on
 *  the new value being empty (strings and binaries; other types never are), or on an integer
 *  variable's value being greater (`ifgt`) or less (`iflt`) than the new one. */
export const VAR_CONDS = ['ifexists', 'ifnotexists', 'ifempty', 'ifnotempty', 'ifset', 'ifnotset', 'ifgt', 'iflt'] as const
export type VarCond = ReadonlySet<(typeof VAR_CONDS)[number]>

/** Parses the conditions after a variable name (`txn.x,ifnotset,ifnotempty` gives the words
 *  after the first comma). */
export function parseVarConds(words: readonly string[], at: SourcePos): VarCond | undefined {
  if (words.length === 0) return undefined
  for (const w of words) {
    if (!(VAR_CONDS as readonly string[]).includes(w)) throw new ConfigError(`unknown variable condition '${w}'; known: ${VAR_CONDS.join(', ')}`, at)
  }
  return new Set(words as (typeof VAR_CONDS)[number][])
}

/** Variables that exist without a value, by the map that holds their scope's. */
const declared = new WeakMap<Map<string, Sample>, Set<string>>()

function declare(m: Map<string, Sample>, name: string): void {
  let d = declared.get(m)
  if (!d) declared.set(m, (d = new Set()))
  d.add(name)
}

function setIf(m: Map<string, Sample>, name: string, v: Sample, c: VarCond): boolean {
  const cur = m.get(name)
  const exists = cur !== undefined || declared.get(m)?.has(name) === true
  if (exists ? c.has('ifnotexists') : c.has('ifexists')) return false
  if (!exists) declare(m, name)
  if (c.has('ifset') && cur === undefined) return false
  if (c.has('ifnotset') && cur !== undefined) return false
  const text = typeof v === 'string' || v instanceof Uint8Array
  if (c.has('ifempty') && (!text || v.length > 0)) return false
  if (c.has('ifnotempty') && text && v.length === 0) return false
  if (typeof v === 'number' && typeof cur === 'number') {
    if (c.has('ifgt') && !(cur > v)) return false
    if (c.has('iflt') && !(cur < v)) return false
  }
  m.set(name, v)
  return true
}

const SCOPES: Readonly<Record<string, (s: StreamView) => Map<string, Sample>>> = {
  proc: () => procVars,
  sess: (s) => s.sess.vars,
  txn: (s) => s.vars,
  req: (s) => s.vars,
  res: (s) => s.vars,
  /** A health check's own variables (`http-check set-var(check.x)`). */
  check: (s) => s.vars,
}

export function isVarName(name: string): boolean {
  const dot = name.indexOf('.')
  return dot > 0 && Object.hasOwn(SCOPES, name.slice(0, dot)) && /^[A-Za-z0-9_.]+$/.test(name.slice(dot + 1))
}

export function compileVarRef(name: string, at: SourcePos): VarRef {
  const dot = name.indexOf('.')
  const scope = dot > 0 ? name.slice(0, dot) : ''
  const map = Object.hasOwn(SCOPES, scope) ? SCOPES[scope]! : undefined
  if (!map || !/^[A-Za-z0-9_.]+$/.test(name.slice(dot + 1))) {
    throw new ConfigError(`invalid variable name '${name}'; write SCOPE.NAME with a scope among proc, sess, txn, req, res, check (e.g. txn.host)`, at)
  }
  // A process variable a configuration names exists from the start (HAProxy creates it while
  // parsing): `ifexists` holds for it, `ifnotexists` never does.
  if (scope === 'proc') declare(procVars, name)
  return {
    name,
    get: (s) => map(s).get(name),
    set: (s, v, c) => {
      const m = map(s)
      if (c === undefined) { m.set(name, v); return true }
      return setIf(m, name, v, c)
    },
    unset: (s) => { const m = map(s); if (m.delete(name)) declare(m, name) },
  }
}
