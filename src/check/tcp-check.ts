/**
 * `option tcp-check` with a `tcp-check` script, compiled from the backend's rule lines:
 *
 *   tcp-check connect [port N] [addr A] [default] [linger] [comment C]
 *   tcp-check send <string> [comment C]        tcp-check send-binary <hex> [comment C]
 *   tcp-check expect [min-recv N] [ok-status S] [error-status S] [tout-status S]
 *                    [on-success T] [on-error T] [comment C] [!] string|rstring|binary|rbinary <pattern>
 *   tcp-check comment C                        (names the next step in failure messages)
 *
 * As in HAProxy: without a leading `connect` the script starts with an implicit one to the check
 * address; a `send` clears what was received; a new `connect` closes the previous connection.
 * Steps are numbered from 1 (comments not counted) in failure messages. The check passes with
 * the last step's status: the last expect's `ok-status` (default L7OK) and "(tcp-check)".
 */
import type { SourcePos } from '../model/source.ts'
import type { RuleConfig } from '../model/types.ts'
import type { CheckConn } from './conn.ts'
import { parseConnectArgs, type ConnectOverride } from './connect-args.ts'
import { compileExpect, evalTcpExpect, type ExpectRule } from './expect.ts'
import type { CheckOutcome } from './status.ts'
import { CheckConfigError, CheckEnd, type CheckKind, type CheckRun } from './types.ts'

/** `no`: the step's number in failure messages (0 for the implicit connect). */
type Step =
  | { op: 'connect'; no: number; to?: ConnectOverride; comment?: string; implicit: boolean }
  | { op: 'send'; data: Buffer; comment?: string }
  | { op: 'expect'; no: number; rule: ExpectRule; test: (buf: Buffer, last: boolean) => CheckOutcome | boolean }

function splitComment(args: string[], kw: string, at: SourcePos): { rest: string[]; comment?: string } {
  const i = args.indexOf('comment')
  if (i < 0) return { rest: args }
  const c = args[i + 1]
  if (c === undefined) throw new CheckConfigError(`'${kw} comment' expects a text`, at)
  return { rest: [...args.slice(0, i), ...args.slice(i + 2)], comment: c }
}

export function compileTcpCheck(rules: readonly RuleConfig[]): CheckKind {
  const steps: Step[] = []
  let pendingComment: string | undefined
  for (const r of rules) {
    if (!r.kw.startsWith('tcp-check ')) continue
    const verb = r.kw.slice('tcp-check '.length)
    const at = r.pos
    switch (verb) {
      case 'comment':
        pendingComment = r.args.join(' ')
        break
      case 'connect': {
        if (steps.length > 0 && steps[0]!.op !== 'connect') throw new CheckConfigError(`'tcp-check connect' must be the first step when a script has one (only comments may come before it)`, at)
        const { to, comment } = parseConnectArgs(r.args, r.kw, at)
        const step: Step = { op: 'connect', no: steps.length + 1, implicit: false }
        if (to !== undefined) step.to = to
        const c = comment ?? pendingComment
        if (c !== undefined) step.comment = c
        steps.push(step)
        pendingComment = undefined
        break
      }
      case 'send':
      case 'send-binary': {
        const { rest, comment } = splitComment(r.args, r.kw, at)
        if (rest.length !== 1) throw new CheckConfigError(`'${r.kw}' expects one ${verb === 'send' ? 'string' : 'hex string'}${rest.length > 1 ? `; remove '${rest.slice(1).join(' ')}'` : ''}`, at)
        const text = rest[0]!
        if (verb === 'send-binary' && !/^(?:[0-9a-fA-F]{2})+$/.test(text)) throw new CheckConfigError(`'tcp-check send-binary' expects an even number of hex digits, got '${text}'`, at)
        const step: Step = { op: 'send', data: verb === 'send' ? Buffer.from(text, 'latin1') : Buffer.from(text, 'hex') }
        const c = comment ?? pendingComment
        if (c !== undefined) step.comment = c
        steps.push(step)
        pendingComment = undefined
        break
      }
      case 'expect': {
        let rule = compileExpect(r.args, false, at)
        if (rule.comment === undefined && pendingComment !== undefined) rule = { ...rule, comment: pendingComment }
        const no = steps.length + 1
        steps.push({ op: 'expect', no, rule, test: (buf, last) => evalTcpExpect(rule, buf, last, no) })
        pendingComment = undefined
        break
      }
      default:
        throw new CheckConfigError(`'${r.kw}' is not supported yet; edgelb knows tcp-check connect, send, send-binary, expect and comment`, at)
    }
  }
  if (steps[0]?.op !== 'connect') steps.unshift({ op: 'connect', no: 0, implicit: true })
  return { name: 'tcp-check', run: (t) => runScript(t, steps) }
}

async function runScript(t: CheckRun, steps: readonly Step[]): Promise<CheckOutcome> {
  let conn: CheckConn | null = null
  for (const step of steps) {
    switch (step.op) {
      case 'connect': {
        conn?.close()
        try {
          conn = await t.connect(step.implicit ? undefined : step.to ?? {})
        } catch (e) {
          if (!(e instanceof CheckEnd)) throw e
          const port = step.to?.port
          const where = step.implicit ? ' at initial connection step of tcp-check' : ` at step ${step.no} of tcp-check (connect${port !== undefined ? ` port ${port}` : ''})${step.comment !== undefined ? ` comment: '${step.comment}'` : ''}`
          throw new CheckEnd({ ...e.outcome, info: (e.outcome.info ?? '') + where })
        }
        break
      }
      case 'send':
        conn!.consume()
        conn!.send(step.data)
        break
      case 'expect': {
        const rule = step.rule
        try {
          await t.expect(conn!, step.test, rule.timeoutStatus ?? 'L7TOUT')
        } catch (e) {
          if (!(e instanceof CheckEnd) || e.outcome.info !== undefined) throw e
          const what = rule.type === 'string' ? `expect string '${rule.pattern}'` : rule.type === 'binary' ? `expect binary '${rule.pattern}'` : rule.type === 'rstring' ? 'expect regex' : 'expect binary regex'
          throw new CheckEnd({ ...e.outcome, info: ` at step ${step.no} of tcp-check (${what})${rule.comment !== undefined ? ` comment: '${rule.comment}'` : ''}` })
        }
        break
      }
    }
  }
  // The script passes with its last step's status.
  const last = steps[steps.length - 1]!
  if (last.op === 'expect') return { status: last.rule.okStatus ?? 'L7OK', info: last.rule.onSuccess ?? '(tcp-check)' }
  if (last.op === 'connect') return last.implicit ? { status: 'L4OK' } : { status: 'L4OK', info: '(tcp-check)' }
  return { status: 'L7OK', info: '(tcp-check)' }
}
