import { describe, expect, test } from 'bun:test'
import { countNames, makeServers, pickNames, runLbConformance } from '../../test/conformance/lb.ts'
import { roundrobin } from './roundrobin.ts'

runLbConformance(roundrobin, { skipsFull: true })

function maxRun(names: readonly string[], name: string): number {
  let best = 0
  let run = 0
  for (const n of names) {
    run = n === name ? run + 1 : 0
    if (run > best) best = run
  }
  return best
}

describe('roundrobin', () => {
  test('weights 5,1,1 interleave as a a b a c a a, cycle after cycle', () => {
    const state = roundrobin.create(makeServers([{ name: 'a', weight: 5 }, { name: 'b' }, { name: 'c' }]), { allBackups: false })
    const cycle = ['a', 'a', 'b', 'a', 'c', 'a', 'a']
    expect(pickNames(state, 70)).toEqual(Array.from({ length: 10 }, () => cycle).flat())
  })

  test('equal weights alternate in declaration order', () => {
    const state = roundrobin.create(makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }]), { allBackups: false })
    expect(pickNames(state, 6)).toEqual(['a', 'b', 'c', 'a', 'b', 'c'])
  })

  test('shares follow the weights exactly over whole cycles', () => {
    const state = roundrobin.create(makeServers([{ name: 'a', weight: 3 }, { name: 'b', weight: 2 }, { name: 'c', weight: 1 }]), { allBackups: false })
    expect(countNames(pickNames(state, 6000))).toEqual({ a: 3000, b: 2000, c: 1000 })
  })

  test('runs are short: no server is picked more than ceil(w / others) + 1 times in a row', () => {
    let seed = 7
    const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n)
    for (let round = 0; round < 20; round++) {
      const specs = Array.from({ length: 2 + rnd(8) }, (_, i) => ({ name: `s${i}`, weight: 1 + rnd(256) }))
      const total = specs.reduce((a, s) => a + s.weight, 0)
      const names = pickNames(roundrobin.create(makeServers(specs), { allBackups: false }), 3 * total)
      for (const s of specs) {
        const others = total - s.weight
        expect(maxRun(names, s.name)).toBeLessThanOrEqual(Math.ceil(s.weight / others) + 1)
      }
    }
  })

  test('a weight changed at runtime applies after update()', () => {
    const servers = makeServers([{ name: 'a' }, { name: 'b' }])
    const state = roundrobin.create(servers, { allBackups: false })
    expect(countNames(pickNames(state, 2000))).toEqual({ a: 1000, b: 1000 })
    servers[0].weight = 3
    state.update()
    const c = countNames(pickNames(state, 4000))
    expect(Math.abs(c.a - 3000)).toBeLessThanOrEqual(2)
    expect(c.a + c.b).toBe(4000)
  })

  test('a full server sits out; the others keep their ratio', () => {
    const servers = makeServers([{ name: 'a', maxconn: 1, cur: 1 }, { name: 'b', weight: 2 }, { name: 'c' }])
    const state = roundrobin.create(servers, { allBackups: false })
    expect(countNames(pickNames(state, 3000))).toEqual({ b: 2000, c: 1000 })
  })
})
