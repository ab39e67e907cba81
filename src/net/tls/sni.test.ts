import { describe, expect, test } from 'bun:test'
import { SniIndex } from './sni.ts'

describe('SniIndex', () => {
  test('exact names first, then a wildcard one level deep; case and a final dot do not matter', () => {
    const x = new SniIndex<string>()
    x.add('*.example.com', 'wild')
    x.add('www.example.com', 'www')
    expect(x.lookup('www.example.com')).toBe('www')
    expect(x.lookup('WWW.Example.COM.')).toBe('www')
    expect(x.lookup('api.example.com')).toBe('wild')
    expect(x.lookup('a.b.example.com')).toBeUndefined()
    expect(x.lookup('example.com')).toBeUndefined()
    expect(x.lookup('com')).toBeUndefined()
  })

  test('the first certificate declared for a name keeps it', () => {
    const x = new SniIndex<string>()
    x.add('a.test', 'first')
    x.add('a.test', 'second')
    x.add('*.a.test', 'w1')
    x.add('*.a.test', 'w2')
    expect([x.lookup('a.test'), x.lookup('b.a.test'), x.size]).toEqual(['first', 'w1', 2])
  })

  test('a negative filter keeps a certificate from answering a name its wildcard matches', () => {
    const x = new SniIndex<string>()
    x.add('*.a.test', 'wild')
    x.exclude('secret.a.test', 'wild')
    expect([x.lookup('www.a.test'), x.lookup('secret.a.test')]).toEqual(['wild', undefined])
  })

  test('100,000 names: lookups stay two map reads', () => {
    const x = new SniIndex<number>()
    for (let i = 0; i < 100_000; i++) x.add(`host${i}.example.com`, i)
    const t0 = performance.now()
    for (let i = 0; i < 100_000; i++) x.lookup(`host${i}.example.com`)
    expect(x.lookup('host99999.example.com')).toBe(99999)
    expect(performance.now() - t0).toBeLessThan(1000)
  })
})
