import { describe, expect, test } from 'bun:test'
import { compileExpr } from './expr.ts'
import { request, stream } from '../../test/support/rules.ts'
import { testCtx } from '../../test/support/rules-ctx.ts'
import { formatG } from './json-query.ts'

const ctx = testCtx()
const q = (json: string, args: string) => compileExpr(`req.body,json_query(${args})`, ctx).fn(stream({ req: request('POST', '/'), reqBody: Buffer.from(json) }))

describe('json_query (HAProxy reg-test converter/json_query)', () => {
  test('strings, numbers as %g or as integers, booleans; nothing for null, arrays, objects and missing paths', () => {
    expect(q('{"iss":"kubernetes.io/serviceaccount"}', "'$.iss'")).toBe('kubernetes.io/serviceaccount')
    expect(q('{"integer":-4}', "'$.integer','int'")).toBe(-4)
    expect(q('{"double":4.5}', "'$.double'")).toBe('4.5')
    expect(q('{"b":true,"f":false}', "'$.b'")).toBe(true)
    expect(q('{"b":true,"f":false}', "'$.f'")).toBe(false)
    expect(q('{"a":{"b":[1,{"c":"deep"}]}}', "'$.a.b[1].c'")).toBe('deep')
    expect(q('{"my.key":"myvalue"}', "'$.my\\.key'")).toBe('myvalue')
    expect(q('{"n":null,"o":{}}', "'$.n'")).toBeUndefined()
    expect(q('{"n":null,"o":{}}', "'$.o'")).toBeUndefined()
    expect(q('not json', "'$.a'")).toBeUndefined()
    expect(() => q('{}', "'a'")).toThrow("a path starts with '$'")
  })
  test("numbers print as C's %g", () => {
    expect([4.5, 4, 0.1, 123456, 1234567, 0.00001234, -2.5e-7, 3.14159265].map(formatG)).toEqual(['4.5', '4', '0.1', '123456', '1.23457e+06', '1.234e-05', '-2.5e-07', '3.14159'])
  })
  test('req.body, req.body_len and req.body_size', () => {
    const s = stream({ req: request('POST', '/', [['Content-Length', '10']]), reqBody: Buffer.from('hello') })
    expect(Buffer.from(compileExpr('req.body', ctx).fn(s) as Uint8Array).toString()).toBe('hello')
    expect(compileExpr('req.body_len', ctx).fn(s)).toBe(5)
  })
})
