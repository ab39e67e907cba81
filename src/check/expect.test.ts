// tcp-check / http-check expect rules: parsing, and when the bytes seen are enough to decide.
import { describe, expect, test } from 'bun:test'
import { compileExpect, evalTcpExpect, matchBody, matchStatus } from './expect.ts'
import { CheckConfigError } from './types.ts'

const at = { file: 't.cfg', line: 3 }
const b = (s: string): Buffer => Buffer.from(s, 'latin1')

describe('compileExpect', () => {
  test('reads options, negation, match and pattern', () => {
    const r = compileExpect(['min-recv', '4', 'error-status', 'L7STS', '!', 'string', 'ERR'], false, at)
    expect(r).toMatchObject({ type: 'string', pattern: 'ERR', inverse: true, minRecv: 4, errorStatus: 'L7STS' })
    expect(compileExpect(['status', '200,300-399'], true, at).codes).toEqual([[200, 200], [300, 399]])
  })

  test('options may follow the pattern, and ! may be glued to the match word, as HAProxy reads them', () => {
    const r = compileExpect(['min-recv', '5', '!rstring', '^error', 'comment', 'negative check'], false, at)
    expect(r).toMatchObject({ type: 'rstring', pattern: '^error', inverse: true, minRecv: 5, comment: 'negative check' })
    expect(compileExpect(['string', 'valid', 'comment', 'positive'], false, at)).toMatchObject({ type: 'string', inverse: false, comment: 'positive' })
  })

  test('refuses what cannot work, naming the file and line', () => {
    expect(() => compileExpect(['binary', 'abc'], false, at)).toThrow('t.cfg:3: error: \'tcp-check expect binary\' expects an even number of hex digits')
    expect(() => compileExpect(['status', '200'], false, at)).toThrow(CheckConfigError)
    expect(() => compileExpect(['rstring', '('], false, at)).toThrow('invalid regular expression')
    expect(() => compileExpect(['ok-status', 'GOOD', 'string', 'x'], false, at)).toThrow('expects a check status')
  })
})

describe('evalTcpExpect', () => {
  test('string: waits for as many bytes as the pattern, then for more on a mismatch', () => {
    const r = compileExpect(['string', '+PONG'], false, at)
    expect(evalTcpExpect(r, b('+PO'), false, 2)).toBe(false)
    expect(evalTcpExpect(r, b('-ERR x'), false, 2)).toBe(false)
    expect(evalTcpExpect(r, b('+PONG'), false, 2)).toBe(true)
    expect(evalTcpExpect(r, b('-ERR x'), true, 2)).toEqual({ status: 'L7RSP', info: "TCPCHK did not match content '+PONG' at step 2" })
  })

  test('with min-recv, a mismatch is conclusive', () => {
    const r = compileExpect(['min-recv', '3', 'rstring', '^OK'], false, at)
    expect(evalTcpExpect(r, b('NO'), false, 1)).toBe(false)
    expect(evalTcpExpect(r, b('NOPE'), false, 1)).toEqual({ status: 'L7RSP', info: 'TCPCHK did not match content (regex) at step 1' })
  })

  test('negation, binary, comments and custom messages', () => {
    expect(evalTcpExpect(compileExpect(['!', 'string', 'ERR'], false, at), b('ERR'), false, 3)).toEqual({ status: 'L7RSP', info: "TCPCHK matched unwanted content 'ERR' at step 3" })
    expect(evalTcpExpect(compileExpect(['binary', '0d0a'], false, at), b('a\r\n'), false, 1)).toBe(true)
    expect(evalTcpExpect(compileExpect(['rbinary', '^1[56]'], false, at), Buffer.from([0x16, 3, 3]), false, 1)).toBe(true)
    expect(evalTcpExpect(compileExpect(['comment', 'banner', 'string', 'x'], false, at), b(''), true, 1)).toEqual({ status: 'L7RSP', info: "TCPCHK got an empty response at step 1 comment: 'banner'" })
    expect(evalTcpExpect(compileExpect(['on-error', 'no banner', 'error-status', 'L7STS', 'string', 'x'], false, at), b('y'), true, 1)).toEqual({ status: 'L7STS', info: 'no banner' })
  })
})

describe('http matches', () => {
  test('status codes, ranges and regex; bodies by string and regex', () => {
    expect(matchStatus(compileExpect(['status', '200-399'], true, at), 302)).toBe(true)
    expect(matchStatus(compileExpect(['status', '200'], true, at), 404)).toBe(false)
    expect(matchStatus(compileExpect(['rstatus', '^2'], true, at), 204)).toBe(true)
    expect(matchBody(compileExpect(['string', 'alive'], true, at), b('I am alive'))).toBe(true)
    expect(matchBody(compileExpect(['rstring', 'v[0-9]+'], true, at), b('version v12'))).toBe(true)
  })
})
