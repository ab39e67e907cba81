// HAProxy's regular expressions (PCRE syntax) read by JavaScript's engine: POSIX classes, PCRE
// anchors and a leading option setting are translated, the rest reads as written.
import { describe, expect, test } from 'bun:test'
import { haproxyRegex, translateRegex } from './regex.ts'

describe('HAProxy regexes', () => {
  test('POSIX bracket classes, negated and mixed with other members', () => {
    expect(haproxyRegex('^[[:digit:]]+$').test('2024')).toBe(true)
    expect(haproxyRegex('^[[:digit:]]+$').test('20:24')).toBe(false)
    expect(haproxyRegex('^[^[:space:]]+$').test('a b')).toBe(false)
    expect(haproxyRegex('^[[:alpha:]_-]+$').test('Some_name-x')).toBe(true)
    expect(haproxyRegex('^[[:xdigit:]]{4}$').test('beEF')).toBe(true)
    expect(haproxyRegex('[[:punct:]]').test('abc')).toBe(false)
    expect(haproxyRegex('[[:punct:]]').test('a.c')).toBe(true)
    expect(() => haproxyRegex('[[:digits:]]')).toThrow(/unknown POSIX class/)
  })
  test('`]` first in a class is a member; a `[` inside a class is one too', () => {
    expect(haproxyRegex('^[]a]+$').test(']a]')).toBe(true)
    expect(haproxyRegex('^[^]]+$').test('ab]')).toBe(false)
    expect(haproxyRegex('^[a[]+$').test('a[a')).toBe(true)
  })
  test('PCRE anchors and a leading (?i)', () => {
    expect(haproxyRegex('\\Aabc\\z').test('abc')).toBe(true)
    expect(haproxyRegex('\\Aabc\\z').test('xabc')).toBe(false)
    expect(haproxyRegex('abc\\Z').test('abc\n')).toBe(true)
    expect(haproxyRegex('(?i)^mozilla').test('MOZILLA/5.0')).toBe(true)
    expect(translateRegex('(?is)a.b')).toEqual({ source: 'a.b', flags: 'is' })
  })
  test('what JavaScript and PCRE share stays as written; flags are added', () => {
    expect(translateRegex('^/api/(v[0-9]+)/\\d+(?:\\.json)?$')).toEqual({ source: '^/api/(v[0-9]+)/\\d+(?:\\.json)?$', flags: '' })
    expect(haproxyRegex('x', 'gi').flags).toBe('gi')
    expect(() => haproxyRegex('a++')).toThrow()
  })
})
