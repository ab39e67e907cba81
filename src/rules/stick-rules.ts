/**
 * Persistence through stick tables:
 *
 *   stick match KEY [table T] [if|unless COND]            look the key up before load balancing
 *   stick on KEY [table T] [if|unless COND]               match, and store-request
 *   stick store-request KEY [table T] [if|unless COND]    learn key → server once it is chosen
 *   stick store-response KEY [table T] [if|unless COND]   learn from the response (a Set-Cookie)
 *
 * The session calls `match` before load balancing (a server it returns is used if it is up, or
 * whatever `force-persist` allows), `storeRequest` once the server is known, and
 * `storeResponse` when the response head arrived.
 */
import { ConfigError } from '../model/source.ts'
import type { RuleConfig } from '../model/types.ts'
import { PASS, splitCondition, type AclSet, type Test } from './acl.ts'
import type { CompileCtx, Fetch } from './context.ts'
import { compileExpr } from './expr.ts'
import { tableArg } from './fetches.ts'
import type { StickTable } from './stick-table.ts'
import type { StreamView } from './types.ts'

interface StickRule {
  key: Fetch
  table: StickTable
  cond: Test | undefined
}

export interface ServerRef {
  /** HAProxy's numeric id (declaration order from 1 unless `id` is set). */
  id: number
  name: string
}

export interface StickRules {
  readonly any: boolean
  match(s: StreamView): string | undefined
  storeRequest(s: StreamView, srv: ServerRef): void
  storeResponse(s: StreamView, srv: ServerRef): void
}

const KINDS = ['stick match', 'stick on', 'stick store-request', 'stick store-response'] as const

export function compileStickRules(
  rules: readonly RuleConfig[], acls: AclSet, base: Omit<CompileCtx, 'at'>,
  guard: <T>(fn: () => T) => T | undefined = (fn) => fn(),
): StickRules {
  const matchRules: StickRule[] = []
  const reqStores: StickRule[] = []
  const resStores: StickRule[] = []
  for (const r of rules) {
    if (!(KINDS as readonly string[]).includes(r.kw)) continue
    guard(() => compileOne(r))
  }
  function compileOne(r: RuleConfig): void {
    const ctx: CompileCtx = { ...base, at: r.pos }
    const { head, cond } = splitCondition(r.args, acls, ctx)
    const [keyText, ...rest] = head
    if (keyText === undefined) throw new ConfigError(`'${r.kw}' expects a key expression: ${r.kw} src`, r.pos)
    let tname: string | undefined
    if (rest.length > 0) {
      if (rest[0] !== 'table' || rest.length !== 2) throw new ConfigError(`unexpected '${rest.join(' ')}' in '${r.kw}'; write '${r.kw} KEY [table NAME] [if COND]'`, r.pos)
      tname = rest[1]
    }
    const rule: StickRule = { key: compileExpr(keyText, ctx).fn, table: tableArg(tname, ctx), cond }
    if (r.kw === 'stick match' || r.kw === 'stick on') matchRules.push(rule)
    if (r.kw === 'stick store-request' || r.kw === 'stick on') reqStores.push(rule)
    if (r.kw === 'stick store-response') resStores.push(rule)
  }
  const store = (list: StickRule[]) => (s: StreamView, srv: ServerRef): void => {
    for (const r of list) {
      if (r.cond !== undefined && r.cond(s) !== PASS) continue
      const k = r.table.keyOf(r.key(s))
      if (k === undefined) continue
      const e = r.table.get(k)
      if (e !== undefined) r.table.setServer(e, srv.id, srv.name)
    }
  }
  return {
    any: matchRules.length + reqStores.length + resStores.length > 0,
    match(s) {
      for (const r of matchRules) {
        if (r.cond !== undefined && r.cond(s) !== PASS) continue
        const k = r.table.keyOf(r.key(s))
        if (k === undefined) continue
        const e = r.table.lookup(k)
        if (e !== undefined && e.serverName !== '') return e.serverName
      }
      return undefined
    },
    storeRequest: store(reqStores),
    storeResponse: store(resStores),
  }
}
