// The LDAP bind response as ldap-check reads it: short and long BER lengths, in one read or several.
import { describe, expect, test } from 'bun:test'
import { bindAnswer } from './ldap.ts'
import type { CheckOutcome } from './status.ts'

const hex = (h: string) => Buffer.from(h.replace(/ /g, ''), 'hex')
const NOT_LDAP: CheckOutcome = { status: 'L7RSP', info: 'Not LDAPv3 protocol' }

describe('ldap-check bind response', () => {
  test('short lengths: success, a result code, not a bind response', () => {
    expect(bindAnswer(hex('30 0c 020101 61 07 0a0100 0400 0400'), false)).toBe(true)
    expect(bindAnswer(hex('30 0c 020101 61 07 0a0131 0400 0400'), false)).toEqual({ status: 'L7STS', code: 49, info: 'See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9' })
    expect(bindAnswer(hex('30 0c 020101 60 07 0a0100 0400 0400'), false)).toEqual(NOT_LDAP)
  })
  test('4-octet long-form lengths arriving in two reads (as Active Directory answers)', () => {
    const whole = hex('30 84 00000010 020101 61 84 00000007 0a0100 0400 0400')
    const first = whole.subarray(0, 17) // up to the result code, which comes in the second read
    expect(bindAnswer(first, false)).toBe(false)
    expect(bindAnswer(whole.subarray(0, 3), false)).toBe(false)
    expect(bindAnswer(whole, false)).toBe(true)
  })
  test('1 and 2-octet long forms; a message cut short is invalid once nothing more comes', () => {
    expect(bindAnswer(hex('30 81 0e 020101 61 82 0007 0a0100 0400 0400'), false)).toBe(true)
    expect(bindAnswer(hex('30 0c 020101 61 07 0a01'), true)).toEqual(NOT_LDAP)
    expect(bindAnswer(hex('30 85 0000000010'), false)).toEqual(NOT_LDAP)
    expect(bindAnswer(Buffer.alloc(0), true)).toEqual(NOT_LDAP)
  })
})
