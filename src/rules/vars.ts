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
  set(s: StreamView, v: Sample): void
  unset(s: StreamView): void
}

const SCOPES: Readonly<Record<string, (s: StreamView) => Map<string, Sample>>> = {
  proc: () => procVars,
  sess: (s) => s.sess.vars,
  txn: (s) => s.vars,
  req: (s) => s.vars,
  res: (s) => s.vars,
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
    throw new ConfigError(`invalid variable name '${name}'; write SCOPE.NAME with a scope among proc, sess, txn, req, res (e.g. txn.host)`, at)
  }
  return {
    name,
    get: (s) => map(s).get(name),
    set: (s, v) => { map(s).set(name, v) },
    unset: (s) => { map(s).delete(name) },
  }
}
