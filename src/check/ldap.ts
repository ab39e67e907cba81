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

/** The length of a BER element whose length octets start at `i`: `{ len, at }` (`at`: where its
 *  contents start), `false` when the octets have not all arrived, undefined when the length is
 *  not one this check reads (an indefinite form, or more than 4 octets). */
function berLength(buf: Buffer, i: number): { len: number; at: number } | false | undefined {
  if (buf.length <= i) return false
  const first = buf[i]!
  if ((first & 0x80) === 0) return { len: first, at: i + 1 }
  const n = first & 0x7f
  if (n === 0 || n > 4) return undefined
  if (buf.length < i + 1 + n) return false
  return { len: buf.readUIntBE(i + 1, n), at: i + 1 + n }
}

/** Reads the bind response (CheckRun.expect's test): true when its result code is 0. The whole
 *  LDAPMessage is waited for, however many reads it takes; its lengths may be in short form or in
 *  long form (Active Directory writes 4 length octets). */
export function bindAnswer(buf: Buffer, last: boolean): CheckOutcome | boolean {
  if (buf.length === 0) return last ? NOT_LDAP : false
  if (buf[0] !== 0x30) return NOT_LDAP
  const msg = berLength(buf, 1)
  if (msg === undefined) return NOT_LDAP
  if (msg === false || buf.length < msg.at + msg.len) return last ? NOT_LDAP : false
  const end = msg.at + msg.len
  // messageID INTEGER 1, then the bindResponse [APPLICATION 1].
  if (end < msg.at + 4 || !buf.subarray(msg.at, msg.at + 4).equals(BIND_RESPONSE)) return NOT_LDAP
  const op = berLength(buf.subarray(0, end), msg.at + 4)
  if (!op) return NOT_LDAP
  // LDAPResult: resultCode ENUMERATED (one octet).
  if (op.at + 3 > end || !buf.subarray(op.at, op.at + 2).equals(ENUMERATED)) return NOT_LDAP
  const code = buf[op.at + 2]!
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
