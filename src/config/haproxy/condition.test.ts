import { describe, expect, test } from 'bun:test'
import { compareVersions, evalCondition } from './condition.ts'

const ev = (expr: string, env: Record<string, string> = {}) => evalCondition(expr, env)

describe('condition expressions (.if, -cc)', () => {
  test('versions: a dev version is before its release; edgelb answers as 2.6', () => {
    expect(compareVersions('2.5-dev0', '2.5')).toBeLessThan(0)
    expect(compareVersions('2.5.0', '2.5')).toBe(0)
    expect(compareVersions('2.6.1', '2.6')).toBeGreaterThan(0)
    expect(compareVersions('x', '2.6')).toBeUndefined()
    expect(ev('version_atleast(2.5-dev0)')).toEqual({ value: true })
    expect(ev('version_atleast(2.6-dev0)')).toEqual({ value: true })
    expect(ev('version_atleast(2.6)')).toEqual({ value: true })
    expect(ev('version_atleast(2.7-dev0)')).toEqual({ value: false })
    expect(ev('version_before(2.7)')).toEqual({ value: true })
    expect(ev('version_before(2.4)')).toEqual({ value: false })
  })

  test('predicates, !, && before ||, parentheses', () => {
    expect(ev('defined(HOME)', { HOME: '/root' })).toEqual({ value: true })
    expect(ev('defined(NOPE)')).toEqual({ value: false })
    expect(ev('streq(a,a) && strneq(a,b) && strstr(abc,b)')).toEqual({ value: true })
    expect(ev('1 || 0 && 0')).toEqual({ value: true })
    expect(ev('(1 || 0) && 0')).toEqual({ value: false })
    expect(ev('feature(OPENSSL) && feature(PROMEX)')).toEqual({ value: true })
    expect(ev('!feature(LUA)')).toEqual({ value: true })
    expect(ev('feature(LUA) || !(0)')).toEqual({ value: true })
    expect(ev('streq("a b","a b")')).toEqual({ value: true })
  })

  test('what cannot be read is an error naming it', () => {
    expect(ev('')).toEqual({ error: `'.if' needs a condition` })
    expect(evalCondition('nope', {}, "'-cc'")).toEqual({ error: `cannot evaluate '-cc' term 'nope'` })
    expect(ev('oops(1)')).toEqual({ error: `unknown '.if' function 'oops'; known: defined, streq, strneq, feature, version_atleast, version_before, strstr` })
    expect(ev('(1')).toEqual({ error: `missing ')' in '.if' condition '(1'` })
    expect(ev('1 2')).toEqual({ error: `unexpected '2' in '.if' condition '1 2'` })
    expect(ev('version_atleast(two)')).toEqual({ error: `'two' is not a version (X.Y[.Z][-devN])` })
  })
})
