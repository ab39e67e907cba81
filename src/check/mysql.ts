/**
 * `option mysql-check [user NAME [post-41|pre-41]]`, as HAProxy does it:
 *
 *   without user: read the server's greeting (initial handshake packet); up when it is not an
 *     error packet, with the server version as info;
 *   with user: send a client authentication packet (no password) and a QUIT packet in one write
 *     right after connecting, read the greeting, then the server's answer to the login: an error
 *     packet (0xff) is a wrong status with the MySQL error code.
 *
 * A truncated or missing packet is an invalid response (L7RSP).
 */
import type { SourcePos } from '../model/source.ts'
import type { CheckOutcome } from './status.ts'
import { cString } from './text.ts'
import { CheckConfigError, type CheckKind, LINGER } from './types.ts'

const QUIT = Buffer.from('0100000001', 'hex')

/** A client authentication packet (sequence id 1) for `user`, post- or pre-4.1 format. */
export function mysqlAuthPacket(user: string, post41: boolean): Buffer {
  const name = Buffer.from(user, 'utf8')
  const body = post41
    ? Buffer.concat([
      Buffer.from('00820000', 'hex'), // capabilities: PROTOCOL_41 | SECURE_CONNECTION
      Buffer.from('00800001', 'hex'), // max packet size (HAProxy's bytes)
      Buffer.from([0x21]), // character set (utf8)
      Buffer.alloc(23), // reserved
      name, Buffer.from([0]), // user name
      Buffer.from([0]), // auth response length: no password
    ])
    : Buffer.concat([
      Buffer.from('0080', 'hex'), // capabilities
      Buffer.from('000001', 'hex'), // max packet size
      name, Buffer.from([0]),
      Buffer.from([0]),
    ])
  const head = Buffer.from([body.length & 0xff, (body.length >> 8) & 0xff, (body.length >> 16) & 0xff, 1])
  return Buffer.concat([head, body])
}

/** What a check with a user sends once connected: the authentication packet, then QUIT, so the
 *  server ends the session after answering the login. */
export function mysqlLoginRequest(user: string, post41: boolean): Buffer {
  return Buffer.concat([mysqlAuthPacket(user, post41), QUIT])
}

/** Reads the packet at `off`: its end offset, `false` for more, or the failure. */
function packet(buf: Buffer, off: number, last: boolean): number | false | CheckOutcome {
  if (buf.length < off + 4) return last ? { status: 'L7RSP' } : false
  const len = buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16)
  if (buf.length < off + 4 + len) return last ? { status: 'L7RSP' } : false
  if (buf[off + 4] === 0xff) {
    return { status: 'L7STS', code: buf[off + 5]! | (buf[off + 6]! << 8), info: buf.toString('latin1', off + 7, off + 4 + len) }
  }
  return off + 4 + len
}

export function compileMysql(args: string[], at: SourcePos): CheckKind {
  let auth: Buffer | undefined
  if (args.length > 0) {
    if (args[0] !== 'user' || args[1] === undefined) throw new CheckConfigError(`'option mysql-check' expects 'user <username>' optionally followed by 'post-41' or 'pre-41'`, at)
    const ver = args[2]
    if (ver !== undefined && ver !== 'post-41' && ver !== 'pre-41') throw new CheckConfigError(`'option mysql-check user ${args[1]}' expects 'post-41' or 'pre-41', got '${ver}'`, at)
    auth = mysqlLoginRequest(args[1], ver !== 'pre-41')
  }
  return {
    name: 'mysql',
    async run(t) {
      const c = await t.connect(LINGER)
      if (auth) c.send(auth)
      let version = ''
      let greetingEnd = 0
      await t.expect(c, (buf, last) => {
        const r = packet(buf, 0, last)
        if (typeof r !== 'number') return r
        greetingEnd = r
        version = cString(buf, 5)
        return true
      })
      if (auth) {
        await t.expect(c, (buf, last) => {
          const r = packet(buf, greetingEnd, last)
          return typeof r === 'number' ? true : r
        })
      }
      return { status: 'L7OK', info: version }
    },
  }
}
