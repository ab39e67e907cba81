/**
 * The general purpose arrays of stick tables (HAProxy 2.5+): `store gpt(N)` tags and `gpc(N)`
 * counters, element IDX of the entry tracked by stick counter SC:
 *
 *   http-request sc-set-gpt(IDX,SC) INT|EXPR      sc_get_gpt(IDX,SC[,TABLE])
 *   http-request sc-inc-gpc(IDX,SC)               sc_get_gpc(IDX,SC[,TABLE])
 *                                                 sc_inc_gpc(IDX,SC[,TABLE]), sc_clr_gpc(IDX,SC[,TABLE])
 *
 * A fetch gives no sample when the counter tracks nothing or the table stores no such element.
 * The actions are in gp-actions.ts.
 */
import { ConfigError } from '../model/source.ts'
import type { CompileCtx } from './context.ts'
import type { FetchDef } from './fetches.ts'
import type { StickEntry, StickTable } from './stick-table.ts'
import { trackedAt } from './tracking.ts'

export function index(v: string | undefined, what: string, max: number, ctx: { at: CompileCtx['at'] }): number {
  if (v === undefined || !/^\d+$/.test(v.trim()) || Number(v) > max) throw new ConfigError(`${what} must be a number from 0 to ${max}, not '${v ?? ''}'`, ctx.at)
  return Number(v)
}

type ArrayOp = (e: StickEntry, t: StickTable, idx: number) => number | undefined

function gpFetch(name: string, op: ArrayOp): FetchDef {
  return {
    name, type: 'int', args: [2, 3],
    compile(args, ctx) {
      const idx = index(args[0], `${name}: the element`, 99, ctx)
      const ctr = index(args[1], `${name}: the stick counter`, 2, ctx)
      const tname = args[2] ?? ''
      const other = tname === '' ? undefined : ctx.tables.get(tname)
      if (tname !== '' && other === undefined) throw new ConfigError(`no stick table named '${tname}' (a table is named after the proxy that declares it)`, ctx.at)
      return (s) => {
        const e = trackedAt(s, ctr)
        if (e === undefined) return undefined
        if (other === undefined || other === e.table) return op(e, e.table, idx)
        const o = other.lookup(e.key)
        return o === undefined ? 0 : op(o, other, idx)
      }
    },
  }
}

export const GP_FETCHES: readonly FetchDef[] = [
  gpFetch('sc_get_gpt', (e, t, i) => t.readArray(e, 'gpt', i)),
  gpFetch('sc_get_gpc', (e, t, i) => t.readArray(e, 'gpc', i)),
  gpFetch('sc_inc_gpc', (e, t, i) => {
    const v = t.readArray(e, 'gpc', i)
    if (v === undefined) return undefined
    t.setArray(e, 'gpc', i, v + 1)
    return v + 1
  }),
  gpFetch('sc_clr_gpc', (e, t, i) => {
    const v = t.readArray(e, 'gpc', i)
    if (v !== undefined) t.setArray(e, 'gpc', i, 0)
    return v
  }),
]

