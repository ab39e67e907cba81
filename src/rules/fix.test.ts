import { describe, expect, test } from 'bun:test'
import { compileExpr } from './expr.ts'
import { stream } from '../../test/support/rules.ts'
import { testCtx } from '../../test/support/rules-ctx.ts'
import { fixTagValue, fixValidate } from './fix.ts'

/** A FIX message from its fields written with | for SOH. */
const fix = (s: string): Uint8Array => Buffer.from(s.replace(/\|/g, '\x01'), 'latin1')
// HAProxy's reg-test converter/fix.vtc: a valid FIX 4.4 logon and its variants.
const LOGON = '8=FIX.4.4|9=102|35=A|49=CLIENT1|56=EXECUTOR|34=1|52=20201029-13:02:44.528|98=0|108=30|141=Y|553=Username|554=Password|10=252|'

describe('FIX messages', () => {
  test('a whole message with the right body length and checksum is valid', () => {
    expect(fixValidate(fix(LOGON))).toBe(1)
    expect(fixValidate(fix(LOGON.replace('10=252', '10=253')))).toBe(-1)
    expect(fixValidate(fix(LOGON.replace('10=252', '10=2520')))).toBe(-1)
    expect(fixValidate(fix(LOGON.replace('9=102', '9=101')))).toBe(-1)
    expect(fixValidate(fix(LOGON.replace('8=FIX.4.4', '8=FIX.9.9')))).toBe(-1)
    expect(fixValidate(fix(LOGON.replace('35=A|', '')))).toBe(-1)
  })
  test('a message cut short needs more data', () => {
    expect(fixValidate(fix(LOGON.slice(0, 60)))).toBe(0)
    expect(fixValidate(fix('8=FIX.4.4|'))).toBe(0)
  })
  test('tag values by number or name, converters included', () => {
    expect(Buffer.from(fixTagValue(fix(LOGON), 49) as Uint8Array).toString()).toBe('CLIENT1')
    expect(fixTagValue(fix(LOGON), 999)).toBeUndefined()
    expect(fixTagValue(fix('8=FIX.4.4|9=1'), 35)).toBe('more')
    const s = stream({ payload: fix(LOGON) })
    const ev = (e: string) => compileExpr(e, testCtx()).fn(s)
    expect(ev('req.payload(0,0),fix_is_valid')).toBe(true)
    expect(Buffer.from(ev('req.payload(0,0),fix_tag_value(SenderCompID)') as Uint8Array).toString()).toBe('CLIENT1')
    expect(Buffer.from(ev('req.payload(0,0),fix_tag_value(10)') as Uint8Array).toString()).toBe('252')
    expect(() => ev('req.payload(0,0),fix_tag_value(Nope)')).toThrow("unknown FIX tag name 'Nope'")
  })
})
