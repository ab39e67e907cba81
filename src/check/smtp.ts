/**
 * `option smtpchk [EHLO|HELO domain]`: HAProxy's SMTP dialogue. The greeting must be a 2xx reply,
 * then `HELO localhost` (or the given command) must be answered 2xx; the check ends with QUIT and
 * a clean close (FIN, as HAProxy's `connect linger`), so a server still writing its EHLO lines
 * sees no reset.
 * A reply that is not `NNN ` is an invalid response (L7RSP); a non-2xx one a wrong status
 * (L7STS) with its code. Up: L7OK with the reply's code and text.
 */
import type { SourcePos } from '../model/source.ts'
import type { CheckOutcome } from './status.ts'
import { firstLine } from './text.ts'
import { type CheckKind, LINGER } from './types.ts'

const QUIT = Buffer.from('QUIT\r\n')

/** Reads one reply: `more` until 4 bytes, then its code or the failure. */
function reply(buf: Buffer, last: boolean, sep: RegExp): CheckOutcome | number | false {
  if (!last && buf.length < 4) return false
  const line = firstLine(buf)
  if (!sep.test(buf.toString('latin1', 0, 4))) return { status: 'L7RSP', info: line }
  const code = Number(line.slice(0, 3))
  if (code < 200 || code > 299) return { status: 'L7STS', code, info: line.slice(4).trimStart() }
  return code
}

export function compileSmtp(args: string[], _at: SourcePos): CheckKind {
  const verb = args[0]?.toUpperCase()
  const cmd = (verb === 'EHLO' || verb === 'HELO') && args[1] !== undefined ? `${args[0]} ${args[1]}` : 'HELO localhost'
  const hello = Buffer.from(`${cmd}\r\n`)
  return {
    name: 'smtp',
    async run(t) {
      const c = await t.connect(LINGER)
      await t.expect(c, (buf, last) => {
        const r = reply(buf, last, /^[0-9]{3}[ \r]/)
        return typeof r === 'number' ? true : r
      })
      c.consume()
      c.send(hello)
      let ok: CheckOutcome = { status: 'L7OK' }
      await t.expect(c, (buf, last) => {
        const r = reply(buf, last, /^[0-9]{3}[- \r]/)
        if (typeof r !== 'number') return r
        ok = { status: 'L7OK', code: r, info: firstLine(buf, 4).trimStart() }
        return true
      })
      c.send(QUIT)
      return ok
    },
  }
}
