/**
 * Process variables at run time: `get var proc.NAME`, and (with `experimental-mode on`, as in
 * HAProxy) `set var proc.NAME [expr] EXPR` or `set var proc.NAME fmt FORMAT`.
 */
import { ConfigError } from '../model/source.ts'
import { procVars } from '../rules/context.ts'
import { compileExpr } from '../rules/expr.ts'
import { compileLogFormat } from '../rules/log-format.ts'
import { toStr } from '../rules/sample.ts'
import type { Sample, SessionView, StreamView } from '../rules/types.ts'
import { compileVarRef } from '../rules/vars.ts'
import { AdminError, type AdminCommand, type AdminCtx } from './types.ts'

/** HAProxy's name for a sample's type. */
function typeOf(v: Sample): string {
  if (typeof v === 'number') return 'sint'
  if (typeof v === 'boolean') return 'bool'
  if (v instanceof Uint8Array) return 'bin'
  return 'str'
}

/** What an admin command's expression sees: no connection, no stream. */
function noStream(): StreamView {
  const sess: SessionView = {
    cliAddr: '', cliPort: 0, dstAddr: '', dstPort: 0, feName: '', vars: new Map(), sc: [undefined, undefined, undefined],
    engine: { nbsrv: () => 0, connslots: () => 0, beConn: () => 0, feConn: () => 0, srvIsUp: () => false },
  }
  return { sess, req: null, res: null, payload: null, payloadFinal: true, beName: '', srvName: '', vars: new Map(), sc: sess.sc }
}

function procName(name: string | undefined): string {
  if (name === undefined || !name.startsWith('proc.')) throw new AdminError(`Missing a variable name of the proc scope (proc.NAME).\n`)
  return name
}

export const varCommands: readonly AdminCommand[] = [
  {
    words: ['get', 'var'], usage: 'get var <name>', level: 'operator',
    run(args) {
      const name = procName(args[0])
      const v = procVars.get(name)
      if (v === undefined) throw new AdminError(`Variable not found.\n`)
      // HAProxy's line has no newline of its own: the one ending every answer follows it.
      const text = (toStr(v) ?? '').replace(/[^\x20-\x7e]/g, '.')
      return `${name}: type=${typeOf(v)} value=<${text}>`
    },
  },
  {
    words: ['set', 'var'], usage: 'set var <name> [expr] <expression> | set var <name> fmt <format>', level: 'operator',
    run(args, ctx: AdminCtx) {
      if (!ctx.experimental) throw new AdminError(`This command is restricted to experimental mode only.\n`)
      const name = procName(args[0])
      let rest = args.slice(1)
      const how = rest[0] === 'fmt' || rest[0] === 'expr' ? rest[0] : 'expr'
      if (rest[0] === 'fmt' || rest[0] === 'expr') rest = rest.slice(1)
      if (rest.length === 0) throw new AdminError(`Missing an expression.\n`)
      const at = { file: 'admin socket', line: 1 }
      const r = ctx.engine.rules
      const cctx = { tables: r.tables, maps: r.maps, fileDir: '.', proxy: '', at }
      const s = noStream()
      let v: Sample | undefined
      try {
        v = how === 'fmt' ? compileLogFormat(rest.join(' '), cctx)(s) : compileExpr(rest.join(' '), cctx).fn(s)
      } catch (e) {
        throw new AdminError(`${e instanceof ConfigError ? e.message.replace(/^admin socket:1: error: /, '') : (e as Error).message}\n`)
      }
      if (v !== undefined) compileVarRef(name, at).set(s, v)
      return ''
    },
  },
]
