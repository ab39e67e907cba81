import { describe, expect, test } from 'bun:test'
import { parseArgs, runLbConformance } from '../../test/conformance/lb.ts'
import { configErrorOf } from '../../test/support/config.ts'
import { request, stream } from '../../test/support/rules.ts'
import { testCtx } from '../../test/support/rules-ctx.ts'
import { uri } from './uri.ts'

runLbConformance(uri, { skipsFull: false })

describe('balance uri', () => {
  const keyOf = (line: string, target: string) => {
    const k = uri.key!(parseArgs(uri, line).args, testCtx())
    return k.from === 'request' ? k.get(stream({ req: request('GET', target) })) : 'not a request key'
  }

  test('the path by default; the whole URI with whole', () => {
    expect(keyOf('', '/img/a.png?v=2')).toBe('/img/a.png')
    expect(keyOf('path-only', '/img/a.png?v=2')).toBe('/img/a.png')
    expect(keyOf('whole', '/img/a.png?v=2')).toBe('/img/a.png?v=2')
  })

  test('an absolute-form URI: all of it by default, from its path with path-only', () => {
    expect(keyOf('', 'http://h.example/img/a.png?v=2')).toBe('http://h.example/img/a.png')
    expect(keyOf('path-only', 'http://h.example/img/a.png?v=2')).toBe('/img/a.png')
    expect(keyOf('path-only whole', 'http://h.example/img/a.png?v=2')).toBe('/img/a.png?v=2')
    expect(keyOf('path-only', 'http://h.example')).toBe('')
    expect(parseArgs(uri, 'path-only').args).toEqual({ pathOnly: true })
  })

  test('depth N keeps N directory levels; len N the first N characters', () => {
    expect(keyOf('depth 2', '/a/b/c/d.png')).toBe('/a/b')
    expect(keyOf('depth 2', '/a.png')).toBe('/a.png')
    expect(keyOf('len 4', '/abcdef')).toBe('/abc')
    expect(keyOf('whole depth 1 len 3', '/abcdef/g?x')).toBe('/ab')
  })

  test('no request head (tcp mode): no key', () => {
    const k = uri.key!({}, testCtx())
    expect(k.from === 'request' && k.get(stream())).toBeUndefined()
  })

  test('arguments', () => {
    expect(parseArgs(uri, 'whole len 10 depth 2').args).toEqual({ whole: true, len: 10, depth: 2 })
    expect(configErrorOf(() => parseArgs(uri, 'len')).message).toBe("'balance uri len' expects a whole number, got ''")
    expect(configErrorOf(() => parseArgs(uri, '(x)')).message).toBe("'balance uri' takes no argument in parentheses")
  })
})
