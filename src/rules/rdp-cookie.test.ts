import { describe, expect, test } from 'bun:test'
import { compileCondition, AclSet, FAIL, MISS, PASS } from './acl.ts'
import { compileExpr } from './expr.ts'
import { rdpCookieValue } from './rdp-cookie.ts'
import { rdpRequest, stream } from '../../test/support/rules.ts'
import { testCtx } from '../../test/support/rules-ctx.ts'

describe('the cookie of an RDP connection request', () => {
  const req = rdpRequest('Cookie: mstshash=alice\r\n')

  test('by name, without case, or whichever comes', () => {
    expect(rdpCookieValue(req, 'mstshash')).toBe('alice')
    expect(rdpCookieValue(req, 'MSTSHash')).toBe('alice')
    expect(rdpCookieValue(req, '')).toBe('alice')
    expect(rdpCookieValue(rdpRequest('cookie:    msts=3640205228.15629.0000\r\n'), 'msts')).toBe('3640205228.15629.0000')
  })

  test('another name, no cookie line, or a line not ended by CRLF: none', () => {
    expect(rdpCookieValue(req, 'msts')).toBe(false)
    expect(rdpCookieValue(req, 'mstshas')).toBe(false)
    expect(rdpCookieValue(rdpRequest(''), 'mstshash')).toBe(false)
    expect(rdpCookieValue(rdpRequest('Cookie: mstshash=alice\rX'), 'mstshash')).toBe(false)
    expect(rdpCookieValue(rdpRequest('Cookie: \r\n'), '')).toBe(false)
  })

  test('a request cut anywhere before the end of the cookie line needs more bytes', () => {
    const end = 11 + 'Cookie: mstshash=alice\r\n'.length
    for (let n = 0; n < end; n++) expect([n, rdpCookieValue(req.subarray(0, n), 'mstshash')]).toEqual([n, null])
    expect(rdpCookieValue(req.subarray(0, end), 'mstshash')).toBe('alice')
  })
})

describe('req.rdp_cookie, req.rdp_cookie_cnt and RDP_COOKIE', () => {
  const ctx = testCtx()
  const ev = (text: string, payload: Uint8Array | null, payloadFinal = true) => compileExpr(text, ctx).fn(stream({ payload, payloadFinal }))

  test('fetch the value, or count the cookie', () => {
    const req = rdpRequest('Cookie: mstshash=bob\r\n')
    expect(ev('req.rdp_cookie(mstshash)', req)).toBe('bob')
    expect(ev('rdp_cookie', req)).toBe('bob')
    expect(ev('req.rdp_cookie(msts)', req)).toBeUndefined()
    expect(ev('req.rdp_cookie_cnt', req)).toBe(1)
    expect(ev('req.rdp_cookie_cnt(msts)', req)).toBe(0)
  })

  test('RDP_COOKIE waits while the cookie may still come, as tcp-request content needs', () => {
    const rdp = compileCondition(['RDP_COOKIE'], new AclSet([], { ...ctx }), ctx)
    const req = rdpRequest('Cookie: mstshash=bob\r\n')
    expect(rdp(stream({ payload: req.subarray(0, 14), payloadFinal: false }))).toBe(MISS)
    expect(rdp(stream({ payload: req, payloadFinal: false }))).toBe(PASS)
    expect(rdp(stream({ payload: req.subarray(0, 14), payloadFinal: true }))).toBe(FAIL)
    const acl = compileCondition(['{', 'req_rdp_cookie', 'bob', '}'], new AclSet([], { ...ctx }), ctx)
    expect(acl(stream({ payload: req }))).toBe(PASS)
  })
})
