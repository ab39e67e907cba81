import { describe, expect, test } from 'bun:test'
import { legacyRegex, legacyReplacement, translateLegacyRegex } from './legacy-regex.ts'

const js = (src: string, icase = false) => translateLegacyRegex(src, icase)

describe('legacyRegex', () => {
  test('what PCRE and JavaScript write alike is kept as written', () => {
    expect(js('^([^ :]*) /static/(.*)').source).toBe('^([^ :]*) /static/(.*)')
    expect(js('^Host: www\\.(.*)\\.local$').source).toBe('^Host: www\\.(.*)\\.local$')
    expect(js('^X-A:\\s*\\d+\\b').source).toBe('^X-A:\\s*\\d+\\b')
  })

  test('POSIX classes inside brackets become their ranges', () => {
    const re = legacyRegex('^X-Id:[[:space:]]*[[:digit:][:upper:]_]+$', false)
    expect(re.test('X-Id: 12AB_')).toBe(true)
    expect(re.test('X-Id: 12ab')).toBe(false)
    expect(legacyRegex('^[^[:alnum:]]', false).test('-x')).toBe(true)
    expect(legacyRegex('[[:punct:]]', false).test('a~b')).toBe(true)
    expect(legacyRegex('[[:punct:]]', false).test('ab')).toBe(false)
  })

  test('a ] first in brackets is literal, as in PCRE and POSIX', () => {
    expect(legacyRegex('^[]x]+$', false).test(']x]')).toBe(true)
    expect(legacyRegex('^[^]]+$', false).test('ab')).toBe(true)
    expect(legacyRegex('^[^]]+$', false).test('a]')).toBe(false)
  })

  test("PCRE's own escapes and (?i), (?P<name>) are rewritten", () => {
    expect(js('\\AGET\\z').source).toBe('^GET$')
    expect(js('a\\hb\\Hc').source).toBe('a[\\t ]b[^\\t ]c')
    expect(js('\\x{41}\\x4a').source).toBe('\\x41\\x4a')
    expect(legacyRegex('^\\Q/a.b?\\E$', false).test('/a.b?')).toBe(true)
    expect(legacyRegex('^\\Q/a.b?\\E$', false).test('/axb')).toBe(false)
    expect(js('(?i)^host:')).toEqual({ source: '^host:', flags: 'i' })
    expect(legacyRegex('^(?P<m>[A-Z]+) (?P=m)$', false).test('GET GET')).toBe(true)
  })

  test('the i keywords ignore case', () => {
    expect(legacyRegex('^host: www', true).test('HOST: WWW')).toBe(true)
    expect(legacyRegex('^host: www', false).test('HOST: WWW')).toBe(false)
  })

  test('what JavaScript would read otherwise, or cannot compile, is refused with the reason', () => {
    expect(() => legacyRegex('^a\\Kb', false)).toThrow("'\\K' has no JavaScript equivalent here")
    expect(() => legacyRegex('\\p{L}', false)).toThrow("'\\p' has no JavaScript equivalent here")
    expect(() => legacyRegex('[[:nope:]]', false)).toThrow("'[:nope:]' has no JavaScript equivalent")
    expect(() => legacyRegex('[[.a.]]', false)).toThrow("'[.a.]' has no JavaScript equivalent")
    expect(() => legacyRegex('[abc', false)).toThrow('the bracket expression at offset 0 is not closed')
    expect(() => legacyRegex('a\\', false)).toThrow('it ends with a lone backslash')
    expect(() => legacyRegex('(?>a)b', false)).toThrow()
    expect(() => legacyRegex('a*+', false)).toThrow()
    expect(() => legacyRegex('^(foo', false)).toThrow()
  })
})

describe('legacyReplacement', () => {
  const run = (pattern: string, repl: string, line: string) => legacyReplacement(repl)(new RegExp(pattern).exec(line)!)

  test('\\0 to \\9 are the match and its groups; a group that did not take part is empty', () => {
    expect(run('^([^ ]*) /static/(.*)', '\\1 /\\2', 'GET /static/a.png HTTP/1.1')).toBe('GET /a.png HTTP/1.1')
    expect(run('b(x)?', '[\\0|\\1|\\9]', 'abc')).toBe('[b||]')
  })

  test('\\xHH is a byte, a backslash before anything else that thing', () => {
    expect(run('a', 'X\\x41\\;\\\\', 'a')).toBe('XA;\\')
    expect(run('a', 'plain', 'a')).toBe('plain')
    expect(run('a', '', 'a')).toBe('')
  })

  test('a lone backslash at the end, or \\x without two hex digits, is refused', () => {
    expect(() => legacyReplacement('abc\\')).toThrow("the replacement 'abc\\' ends with a lone backslash")
    expect(() => legacyReplacement('\\xZ1')).toThrow("'\\x' in the replacement '\\xZ1' needs two hex digits")
  })
})
