/**
 * `option ldap-check`: an anonymous simple bind (LDAPv3), HAProxy's request byte for byte; up when
 * the bind response's result code is 0 ("Success"). A reply that is not an LDAPv3 bind response
 * is an invalid response; a non-zero result code a wrong status with that code.
 */
import type { CheckOutcome } from './status.ts'
import type { CheckKind } from './types.ts'

const BIND = Buffer.from('300C020101600702010304008000', 'hex')
const BIND_RESPONSE = Buffer.from('02010161', 'hex')
const ENUMERATED = Buffer.from('0a01', 'hex')
const NOT_LDAP: CheckOutcome = { status: 'L7RSP', info: 'Not LDAPv3 protocol' }
const UP: CheckOutcome = { status: 'L7OK', info: 'Success' }

/** Reads the bind response (CheckRun.expect's test): true when its result code is 0. */
function bindAnswer(buf: Buffer, last: boolean): CheckOutcome | boolean {
  if (!last && buf.length < 14) return false
  if (buf.length < 14 || buf[0] !== 0x30) return NOT_LDAP
  // LDAPMessage length: short form, or long form with up to 2 more bytes.
  let n = buf[1]! & 0x80 ? buf[1]! & 0x7f : 0
  if (n > 2 || !buf.subarray(2 + n, 6 + n).equals(BIND_RESPONSE)) return NOT_LDAP
  n += buf[n + 6]! & 0x80 ? buf[n + 6]! & 0x7f : 0
  if (n > 4 || buf.length < n + 10 || !buf.subarray(7 + n, 9 + n).equals(ENUMERATED)) return NOT_LDAP
  const code = buf[n + 9]!
  if (code !== 0) return { status: 'L7STS', code, info: 'See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9' }
  return true
}

export const ldapCheck: CheckKind = {
  name: 'ldap',
  async run(t) {
    const c = await t.connect()
    c.send(BIND)
    await t.expect(c, bindAnswer)
    return UP
  },
}
