import { describe, expect, test } from 'bun:test'
import { compileExpr } from './expr.ts'
import { stream, type FakeStream } from '../../test/support/rules.ts'
import { testCtx } from '../../test/support/rules-ctx.ts'

const ctx = testCtx()
const ev = (text: string, s: FakeStream = stream()) => compileExpr(text, ctx).fn(s)
const withVars = (vars: Record<string, string>): FakeStream => { const s = stream(); for (const [k, v] of Object.entries(vars)) s.vars.set(k, v); return s }

describe('be2dec and be2hex (HAProxy reg-test converter/be2dec, be2hex)', () => {
  test('big-endian chunks as decimal numbers; truncate drops a last short chunk', () => {
    expect(ev('str(0123456789),be2dec(:,1)')).toBe('48:49:50:51:52:53:54:55:56:57')
    expect(ev('str(0123456789),be2dec(-,3)')).toBe('3158322-3355701-3553080-57')
    expect(ev('str(0123456789),be2dec(::,3,1)')).toBe('3158322::3355701::3553080')
    expect(ev('str(),be2dec(:,1)')).toBe('')
    expect(() => ev('str(a),be2dec(:,9)')).toThrow('chunk size is 1 to 8')
  })
  test('hex, whole or in chunks', () => {
    expect(ev('str(0123456789),be2hex')).toBe('30313233343536373839')
    expect(ev('str(0123456789),be2hex(--,3)')).toBe('303132--333435--363738--39')
    expect(ev('str(0123456789),be2hex(.,3,1)')).toBe('303132.333435.363738')
  })
})

describe('url_enc, add_item, secure_memcmp', () => {
  test('url_enc keeps only RFC 3986 unreserved characters', () => {
    expect(ev('str("foo=bar+42 42 "),url_enc')).toBe('foo%3Dbar%2B42%2042%20')
    expect(ev('str(a!*~_.-z),url_enc(query)')).toBe('a%21%2A~_.-z')
    expect(() => ev('str(a),url_enc(path)')).toThrow("only encoding is 'query'")
  })
  test('add_item puts the delimiter only between a non-empty input and what follows', () => {
    const s = withVars({ 'txn.var': 'v' })
    expect(ev('str(),add_item(",",txn.var,_s)', s)).toBe('v_s')
    expect(ev('str(in),add_item(",",txn.var,_s)', s)).toBe('in,v_s')
    expect(ev('str(in),add_item(",",txn.none)', s)).toBe('in')
    expect(ev('str(in),add_item(",",,_s)', s)).toBe('in,_s')
  })
  test('secure_memcmp compares with a variable, bytes and length', () => {
    const s = withVars({ 'txn.h': 'abc' })
    expect(ev('str(abc),secure_memcmp(txn.h)', s)).toBe(true)
    expect(ev('str(abd),secure_memcmp(txn.h)', s)).toBe(false)
    expect(ev('str(abcd),secure_memcmp(txn.h)', s)).toBe(false)
    expect(ev('str(abc),secure_memcmp(txn.none)', s)).toBeUndefined()
  })
})
