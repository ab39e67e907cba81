import { describe, expect, test } from 'bun:test'
import { algorithms, findAlgorithm } from './registry.ts'
import { roundrobin } from './roundrobin.ts'

describe('balance registry', () => {
  test('lists each algorithm once under its HAProxy keyword', () => {
    const names = algorithms.map((a) => a.name)
    expect(names).toEqual(['roundrobin', 'static-rr', 'leastconn', 'first', 'source', 'random', 'uri', 'url_param', 'hdr'])
    expect(new Set(names).size).toBe(names.length)
  })

  test('finds by name, and nothing for an unknown one', () => {
    expect(findAlgorithm('roundrobin')).toBe(roundrobin)
    expect(findAlgorithm('source')?.name).toBe('source')
    expect(findAlgorithm('round-robin')).toBeUndefined()
  })
})
