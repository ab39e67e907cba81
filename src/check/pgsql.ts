/**
 * `option pgsql-check user NAME`: sends a startup message (protocol 3.0) for NAME and expects
 * AuthenticationOk, as HAProxy does: an ErrorResponse is an invalid response (L7RSP) with its
 * severity as info; any other authentication request is a wrong status ("PostgreSQL unknown
 * error"). Up: "PostgreSQL server is ok".
 */
import type { SourcePos } from '../model/source.ts'
import type { CheckOutcome } from './status.ts'
import { cString } from './text.ts'
import { CheckConfigError, type CheckKind, LINGER } from './types.ts'

/** 'R', length 8, AuthenticationOk (0). */
const AUTH_OK = Buffer.from('520000000800000000', 'hex')
const UP: CheckOutcome = { status: 'L7OK', info: 'PostgreSQL server is ok' }
const UNKNOWN: CheckOutcome = { status: 'L7STS', info: 'PostgreSQL unknown error' }

export function pgsqlStartup(user: string): Buffer {
  const body = Buffer.concat([Buffer.from('00030000', 'hex'), Buffer.from('user\0', 'latin1'), Buffer.from(user, 'utf8'), Buffer.from([0, 0])])
  const len = Buffer.alloc(4)
  len.writeUInt32BE(body.length + 4)
  return Buffer.concat([len, body])
}

/** Reads the answer to the startup message (CheckRun.expect's test). */
function startupAnswer(buf: Buffer, last: boolean): CheckOutcome | boolean {
  if (!last && buf.length < 5) return false
  if (buf[0] === 0x45) return { status: 'L7RSP', info: cString(buf, 6) }
  if (!last && buf.length < 9) return false
  if (buf.length >= 9 && buf.subarray(0, 9).equals(AUTH_OK)) return true
  return UNKNOWN
}

export function compilePgsql(args: string[], at: SourcePos): CheckKind {
  let user = ''
  if (args.length > 0) {
    if (args[0] !== 'user' || args[1] === undefined || args.length > 2) throw new CheckConfigError(`'option pgsql-check' expects 'user <username>'`, at)
    user = args[1]
  }
  const startup = pgsqlStartup(user)
  return {
    name: 'pgsql',
    async run(t) {
      const c = await t.connect(LINGER)
      c.send(startup)
      await t.expect(c, startupAnswer)
      return UP
    },
  }
}
