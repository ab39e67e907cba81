import { describe, expect, test } from 'bun:test'
import { makeServers, pickNames, runLbConformance } from '../../test/conformance/lb.ts'
import { random } from './random.ts'

runLbConformance(random, { skipsFull: false })
runLbConformance(random, { skipsFull: false, options: { draws: 1 }, label: 'draws 1' })

function share(names: readonly string[], name: string): number {
  return names.filter((n) => n === name).length / names.length
}

describe('random', () => {
  test('rejects draws below 1', () => {
    expect(() => random.create([], { allBackups: false, draws: 0 })).toThrow(RangeError)
  })

  test('shares follow the weights when load is equal', () => {
    const state = random.create(makeServers([{ name: 'a', weight: 1 }, { name: 'b', weight: 2 }, { name: 'c', weight: 3 }]), { allBackups: false })
    const names = pickNames(state, 60_000)
    expect(Math.abs(share(names, 'a') - 1 / 6)).toBeLessThan(0.02)
    expect(Math.abs(share(names, 'b') - 2 / 6)).toBeLessThan(0.02)
    expect(Math.abs(share(names, 'c') - 3 / 6)).toBeLessThan(0.02)
  })

  test('two draws steer away from a loaded server; one draw does not', () => {
    const servers = makeServers([{ name: 'a', cur: 100 }, { name: 'b' }, { name: 'c' }])
    const two = pickNames(random.create(servers, { allBackups: false }), 30_000)
    expect(share(two, 'a')).toBeLessThan(0.15) // only when both draws are a: 1/9
    const one = pickNames(random.create(servers, { allBackups: false, draws: 1 }), 30_000)
    expect(Math.abs(share(one, 'a') - 1 / 3)).toBeLessThan(0.03)
  })

  test('prefers a draw that is not full', () => {
    const servers = makeServers([{ name: 'a', maxconn: 1, cur: 1 }, { name: 'b', cur: 50 }, { name: 'c', cur: 50 }])
    const names = pickNames(random.create(servers, { allBackups: false, draws: 3 }), 30_000)
    expect(share(names, 'a')).toBeLessThan(0.06) // only when all three draws are a: 1/27
  })
})
