import { describe, expect, test } from 'bun:test'
import { suggest } from './suggest.ts'
import { proxyFirstWords, proxyKeywordNames, globalKeywordNames } from './dictionary/lookup.ts'

describe('suggest', () => {
  test('finds the keyword behind a typo', () => {
    expect(suggest('balence', proxyFirstWords)).toBe('balance')
    expect(suggest('timeot', proxyFirstWords)).toBe('timeout')
    expect(suggest('defualt_backend', proxyFirstWords)).toBe('default_backend')
    expect(suggest('maxcon', globalKeywordNames)).toBe('maxconn')
    expect(suggest('option httpchck', proxyKeywordNames)).toBe('option httpchk')
  })

  test('counts a transposition of adjacent letters as one edit', () => {
    // 'mdoe' → 'mode' is one transposition; a 4-letter word allows a single edit.
    expect(suggest('mdoe', ['mode', 'node'])).toBe('mode')
  })

  test('applies the length-dependent thresholds', () => {
    expect(suggest('abcd', ['abxy'])).toBeUndefined() // 2 edits on 4 letters: too far
    expect(suggest('abcd', ['abcx'])).toBe('abcx')
    expect(suggest('abcdefgh', ['abcdefxy'])).toBe('abcdefxy') // 2 edits on 8 letters
    expect(suggest('abcdefgh', ['abcdexyz'])).toBeUndefined() // 3 edits on 8 letters
    expect(suggest('abcdefghi', ['abcdefxyz'])).toBe('abcdefxyz') // 3 edits beyond 8
  })

  test('prefers the nearest candidate, then the first one', () => {
    // 'sever' is 1 edit from 'server' and 2 from 'serve': the nearer wins whatever the order.
    expect(suggest('sever', ['serve', 'server'])).toBe('server')
    // 'servr' is 1 edit from both: the first listed wins.
    expect(suggest('servr', ['serve', 'server'])).toBe('serve')
    expect(suggest('servr', ['server', 'serve'])).toBe('server')
  })

  test('ignores case but returns the candidate as written', () => {
    expect(suggest('meth_get', ['METH_GET', 'METH_PUT'])).toBe('METH_GET')
  })

  test('returns undefined when nothing is close', () => {
    expect(suggest('frobnicate', proxyFirstWords)).toBeUndefined()
    expect(suggest('x', [])).toBeUndefined()
  })

  test('is fast enough for a thousand candidates', () => {
    const candidates = Array.from({ length: 1000 }, (_, i) => `keyword-number-${i}`)
    const start = performance.now()
    for (let i = 0; i < 100; i++) suggest('keyword-nmuber-500', candidates)
    const perCall = (performance.now() - start) / 100
    expect(suggest('keyword-nmuber-500', candidates)).toBe('keyword-number-500')
    expect(perCall).toBeLessThan(20)
  })
})
