/**
 * `http-request wait-for-body time T [at-least N]`: the request's rules wait until its body has
 * arrived (or N bytes of it, or a buffer's worth), at most T; past T the client gets 408, as in
 * HAProxy. edgelb waits before any rule runs, so it takes the action where that is the same thing:
 * as the first `http-request` rule of a frontend or listen (with its condition, evaluated on the
 * head). Anywhere else, the line is an error that says so.
 */
import { ConfigError } from '../model/source.ts'
import type { ProxyConfig } from '../model/types.ts'
import { parseDuration, parseSize } from '../model/units.ts'
import { splitCondition, type AclSet, type Test } from './acl.ts'
import type { ActionKeyword } from './common-actions.ts'
import type { CompileCtx } from './context.ts'
import type { HttpAction } from './http-actions.ts'

export interface WaitForBody {
  /** ms the body is waited for. */
  time: number
  /** Bytes enough to go on (0: the whole body). */
  atLeast: number
  cond: Test | undefined
}

function parseArgs(args: readonly string[], ctx: { at: CompileCtx['at'] }): { time: number; atLeast: number } {
  if (args[0] !== 'time' || args[1] === undefined || (args.length !== 2 && !(args.length === 4 && args[2] === 'at-least'))) {
    throw new ConfigError(`'wait-for-body' expects 'time DURATION [at-least SIZE]': http-request wait-for-body time 1s at-least 1k`, ctx.at)
  }
  return { time: parseDuration(args[1], ctx.at), atLeast: args[3] === undefined ? 0 : parseSize(args[3], ctx.at) }
}

/** The action itself does nothing: the session waited before the rules (see `waitForBodyOf`). */
export const WAIT_FOR_BODY_ACTION: ActionKeyword<HttpAction> = {
  kw: 'wait-for-body',
  compile(args, ctx) {
    parseArgs(args, ctx)
    return () => undefined
  },
}

/** The wait a proxy's first `http-request` rule asks for, if it is `wait-for-body`; throws at a
 *  `wait-for-body` edgelb cannot honour where it is written. */
export function waitForBodyOf(p: ProxyConfig, acls: AclSet, base: Omit<CompileCtx, 'at'>, guard: <T>(fn: () => T) => T | undefined): WaitForBody | null {
  let out: WaitForBody | null = null
  let first = true
  for (const r of p.rules) {
    if (r.kw !== 'http-request') continue
    const isWait = (r.args[0] ?? '') === 'wait-for-body'
    if (isWait) {
      const w = guard(() => {
        const ctx: CompileCtx = { ...base, at: r.pos }
        if (!first || p.kind === 'backend') {
          throw new ConfigError(`'http-request wait-for-body' is implemented as the first http-request rule of a frontend or listen only (the body is then waited for before any rule runs); move it there, or use 'option http-buffer-request'`, r.pos)
        }
        const { head, cond } = splitCondition(r.args, acls, ctx)
        return { ...parseArgs(head.slice(1), ctx), cond }
      })
      if (w !== undefined && first) out = w
    }
    first = false
  }
  return out
}
