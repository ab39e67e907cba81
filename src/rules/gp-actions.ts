/**
 * `sc-set-gpt(IDX,SC) INT|EXPR` and `sc-inc-gpc(IDX,SC)`: element IDX of the `gpt(N)` tags and
 * `gpc(N)` counters of the entry stick counter SC tracks (gp-arrays.ts has the fetches).
 */
import { ConfigError } from '../model/source.ts'
import type { ActionCtx, ActionKeyword, Effect } from './common-actions.ts'
import { compileExpr } from './expr.ts'
import { index } from './gp-arrays.ts'
import { toInt } from './sample.ts'
import { trackedAt } from './tracking.ts'

function params(kw: string, ctx: ActionCtx): [number, number] {
  const [a, b, ...rest] = (ctx.param ?? '').split(',')
  if (rest.length > 0 || b === undefined) throw new ConfigError(`'${kw}' expects an element and a stick counter: ${kw}(1,0)`, ctx.at)
  return [index(a, `'${kw}': the element`, 99, ctx), index(b, `'${kw}': the stick counter`, 2, ctx)]
}

export const GP_EFFECTS: readonly ActionKeyword<Effect>[] = [
  {
    kw: 'sc-set-gpt', param: 'required',
    compile(args, ctx) {
      const [idx, sc] = params('sc-set-gpt', ctx)
      if (args.length !== 1) throw new ConfigError(`'sc-set-gpt(${ctx.param})' expects a value or an expression`, ctx.at)
      const k = /^-?\d+$/.test(args[0]!) ? Number(args[0]) : undefined
      const v = k === undefined ? compileExpr(args[0]!, ctx).fn : undefined
      return (s) => {
        const e = trackedAt(s, sc)
        const x = k ?? toInt(v!(s))
        if (e !== undefined && x !== undefined) e.table.setArray(e, 'gpt', idx, x)
      }
    },
  },
  {
    kw: 'sc-inc-gpc', param: 'required',
    compile(args, ctx) {
      const [idx, sc] = params('sc-inc-gpc', ctx)
      if (args.length !== 0) throw new ConfigError(`'sc-inc-gpc(${ctx.param})' takes no value`, ctx.at)
      return (s) => {
        const e = trackedAt(s, sc)
        if (e === undefined) return
        const v = e.table.readArray(e, 'gpc', idx)
        if (v !== undefined) e.table.setArray(e, 'gpc', idx, v + 1)
      }
    },
  },
]
