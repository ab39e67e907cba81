import { describe, expect, test } from 'bun:test'
import { makeServers, pickNames, runLbConformance } from '../../test/conformance/lb.ts'
import { source } from './source.ts'
import type { HashType, LbOptions } from './types.ts'

const mapBased: HashType = { method: 'map-based', fn: 'sdbm', avalanche: false }
const consistent: HashType = { method: 'consistent', fn: 'sdbm', avalanche: false }

runLbConformance(source, { skipsFull: false, label: 'default hash-type' })
runLbConformance(source, { skipsFull: false, options: { hashType: consistent }, label: 'consistent' })
runLbConformance(source, { skipsFull: false, options: { hashType: { method: 'consistent', fn: 'wt6', avalanche: true } }, label: 'consistent wt6 avalanche' })
runLbConformance(source, { skipsFull: false, options: { hashType: { method: 'map-based', fn: 'crc32', avalanche: true } }, label: 'map-based crc32 avalanche' })

/** Pseudo-random IPv4 client addresses, as raw bytes. */
function clients(n: number): Uint8Array[] {
  let seed = 2024
  return Array.from({ length: n }, () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return new Uint8Array([10, (seed >>> 8) & 255, (seed >>> 16) & 255, (seed >>> 24) & 255])
  })
}

function shares(names: readonly string[]): Record<string, number> {
  const c: Record<string, number> = {}
  for (const n of names) c[n] = (c[n] ?? 0) + 1 / names.length
  return c
}

for (const hashType of [mapBased, consistent]) {
  const opts: LbOptions = { allBackups: false, hashType }
  describe(`source, ${hashType.method}`, () => {
    test('the same client always gets the same server', () => {
      const state = source.create(makeServers(Array.from({ length: 7 }, (_, i) => ({ name: `s${i}` }))), opts)
      const keys = clients(2000)
      const firstPass = keys.map((k) => state.pick({ hashKey: k })?.name)
      const secondPass = keys.map((k) => state.pick({ hashKey: k })?.name)
      expect(secondPass).toEqual(firstPass)
      expect(new Set(firstPass).size).toBe(7)
    })

    test('the hashed server is returned even when full', () => {
      const servers = makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }])
      const state = source.create(servers, opts)
      const key = clients(1)[0]
      const s = state.pick({ hashKey: key })
      if (s === undefined) throw new Error('no server')
      s.maxconn = 1
      s.cur = 1
      state.update()
      expect(state.pick({ hashKey: key })).toBe(s)
    })

    test('shares follow the weights', () => {
      const state = source.create(makeServers([{ name: 'a', weight: 10 }, { name: 'b', weight: 20 }, { name: 'c', weight: 30 }]), opts)
      const got = shares(clients(60_000).map((k) => state.pick({ hashKey: k })?.name ?? '-'))
      const tolerance = hashType.method === 'map-based' ? 0.02 : 0.06
      expect(Math.abs(got.a - 1 / 6)).toBeLessThan(tolerance)
      expect(Math.abs(got.b - 2 / 6)).toBeLessThan(tolerance)
      expect(Math.abs(got.c - 3 / 6)).toBeLessThan(tolerance)
    })
  })
}

describe('source, consistent', () => {
  test('removing one of N servers moves only its clients, about 1/N of them; restoring it moves them back', () => {
    const n = 10
    const servers = makeServers(Array.from({ length: n }, (_, i) => ({ name: `s${i}`, weight: 4 })))
    const state = source.create(servers, { allBackups: false, hashType: consistent })
    const keys = clients(20_000)
    const before = keys.map((k) => state.pick({ hashKey: k })?.name)
    servers[3].usable = false
    state.update()
    const after = keys.map((k) => state.pick({ hashKey: k })?.name)
    let moved = 0
    for (let i = 0; i < keys.length; i++) {
      if (before[i] !== after[i]) {
        moved++
        expect(before[i]).toBe('s3')
      }
    }
    expect(after).not.toContain('s3')
    expect(moved / keys.length).toBeGreaterThan(0.5 / n)
    expect(moved / keys.length).toBeLessThan(2 / n)
    servers[3].usable = true
    state.update()
    expect(keys.map((k) => state.pick({ hashKey: k })?.name)).toEqual(before)
  })

  test('raising a weight only draws clients to that server', () => {
    const servers = makeServers(Array.from({ length: 5 }, (_, i) => ({ name: `s${i}`, weight: 2 })))
    const state = source.create(servers, { allBackups: false, hashType: consistent })
    const keys = clients(10_000)
    const before = keys.map((k) => state.pick({ hashKey: k })?.name)
    servers[1].weight = 6
    state.update()
    const after = keys.map((k) => state.pick({ hashKey: k })?.name)
    for (let i = 0; i < keys.length; i++) if (before[i] !== after[i]) expect(after[i]).toBe('s1')
    expect(after.filter((s) => s === 's1').length).toBeGreaterThan(before.filter((s) => s === 's1').length)
  })
})

describe('source, map-based', () => {
  test('with equal weights, a hash picks server hash % N in declaration order (hash-type none)', () => {
    const state = source.create(makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }]), {
      allBackups: false,
      hashType: { method: 'map-based', fn: 'none', avalanche: false },
    })
    expect(['0', '1', '2', '3', '17', '4294967295'].map((k) => state.pick({ hashKey: k })?.name)).toEqual(['a', 'b', 'c', 'd', 'b', 'd'])
  })

  test('strings and bytes of the same key go to the same server', () => {
    const state = source.create(makeServers(Array.from({ length: 9 }, (_, i) => ({ name: `s${i}` }))), { allBackups: false })
    for (const key of pickNames(state, 50)) {
      expect(state.pick({ hashKey: key })).toBe(state.pick({ hashKey: new TextEncoder().encode(key) }))
    }
  })
})
