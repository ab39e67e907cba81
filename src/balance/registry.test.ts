import { describe, expect, test } from 'bun:test'
import { algorithms, findAlgorithm } from './registry.ts'
import { testCtx } from '../../test/support/rules-ctx.ts'
import { roundrobin } from './roundrobin.ts'

describe('balance registry', () => {
  test('lists each algorithm once under its HAProxy keyword', () => {
    const names = algorithms.map((a) => a.name)
    expect(names).toEqual(['roundrobin', 'static-rr', 'leastconn', 'first', 'source', 'random', 'uri', 'url_param', 'hdr', 'rdp-cookie', 'hash'])
    expect(new Set(names).size).toBe(names.length)
  })

  test('each algorithm declares what it hashes, and a hashing one how a session gets its key', () => {
    const ctx = testCtx()
    const keys: Record<string, string> = Object.fromEntries(algorithms.map((a) => [a.name, a.key?.({ param: 'path' }, ctx).from ?? 'nothing']))
    expect(Object.fromEntries(algorithms.map((a): [string, string] => [a.name, a.hashes]))).toEqual(keys)
    expect(keys).toEqual({
      roundrobin: 'nothing', 'static-rr': 'nothing', leastconn: 'nothing', first: 'nothing', random: 'nothing',
      source: 'source', uri: 'request', url_param: 'request', hdr: 'request', 'rdp-cookie': 'request', hash: 'request',
    })
    expect(algorithms.filter((a) => a.httpOnly).map((a) => a.name)).toEqual(['uri', 'url_param', 'hdr'])
  })

  test('weights are dynamic for the dynamic algorithms, and for hashing ones with consistent hashing only', () => {
    const mapBased = { method: 'map-based', fn: 'sdbm', avalanche: false } as const
    const consistent = { method: 'consistent', fn: 'sdbm', avalanche: true } as const
    const dynamic = (t: typeof mapBased | typeof consistent) => algorithms.filter((a) => a.dynamicWeights(t)).map((a) => a.name)
    expect(dynamic(mapBased)).toEqual(['roundrobin', 'leastconn', 'first', 'random'])
    expect(dynamic(consistent)).toEqual(['roundrobin', 'leastconn', 'first', 'source', 'random', 'uri', 'url_param', 'hdr', 'rdp-cookie', 'hash'])
  })

  test('finds by name, and nothing for an unknown one', () => {
    expect(findAlgorithm('roundrobin')).toBe(roundrobin)
    expect(findAlgorithm('source')?.name).toBe('source')
    expect(findAlgorithm('round-robin')).toBeUndefined()
  })
})
