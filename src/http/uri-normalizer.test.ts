// The normalize-uri normalizers, on the cases of HAProxy's reg-test http-rules/normalize_uri.vtc.
import { describe, expect, test } from 'bun:test'
import { fragmentEncode, fragmentStrip, mergeSlashes, percentDecodeUnreserved, percentUpper, sortQuery, stripDot, stripDotdot } from './uri-normalizer.ts'

describe('normalize-uri normalizers', () => {
  test('path-merge-slashes', () => {
    expect(['/foo/bar', '/foo//bar', '///foo///bar///', '///'].map(mergeSlashes)).toEqual(['/foo/bar', '/foo/bar', '/foo/bar/', '/'])
  })
  test('path-strip-dotdot, and with full', () => {
    const cases: [string, string, string][] = [
      ['/foo/..', '/', '/'], ['/foo/bar/../', '/foo/', '/foo/'], ['/foo/../bar', '/bar', '/bar'],
      ['/foo/../../bar/', '/../bar/', '/bar/'], ['/foo//../../bar/', '/bar/', '/bar/'], ['/foo/bar', '/foo/bar', '/foo/bar'],
    ]
    for (const [path, normal, full] of cases) expect([path, stripDotdot(path, false), stripDotdot(path, true)]).toEqual([path, normal, full])
  })
  test('path-strip-dot', () => {
    expect(['/.', '/./', '/a/.', '/a.', '/.a', '/a/./a', '/a/../'].map(stripDot)).toEqual(['/', '/', '/a/', '/a.', '/.a', '/a/a', '/a/../'])
  })
  test('query-sort-by-name keeps the order of parameters of one name', () => {
    expect(['?z=z&a=a', '?c&b&a&z&x&y', '?aaaa=&a=&aa=&aaa=', '?a=5&b=3&a=1&a=2&b=4', '?'].map(sortQuery))
      .toEqual(['?a=a&z=z', '?a&b&c&x&y&z', '?a=&aa=&aaa=&aaaa=', '?a=5&a=1&a=2&b=3&b=4', '?'])
  })
  test('percent-to-uppercase and percent-decode-unreserved; strict refuses a bad escape', () => {
    expect(percentUpper('/%aa?a=%aa', false)).toBe('/%AA?a=%AA')
    expect(percentUpper('/%zz?a=%zz', false)).toBe('/%zz?a=%zz')
    expect(percentUpper('/%zz', true)).toBeUndefined()
    expect(percentDecodeUnreserved('/%61?%61=%61', false)).toBe('/a?a=a')
    expect(percentDecodeUnreserved('/%3F?foo=bar', false)).toBe('/%3F?foo=bar')
    expect(percentDecodeUnreserved('/%%36%36', false)).toBe('/%66')
    expect(percentDecodeUnreserved('/%%36%36', true)).toBeUndefined()
  })
  test('fragment-strip and fragment-encode', () => {
    expect(fragmentStrip('/a?b#c')).toBe('/a?b')
    expect(fragmentEncode('/a#b#c')).toBe('/a%23b%23c')
  })
})
