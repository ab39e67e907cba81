import { describe, expect, test } from 'bun:test'
import { countNames, makeServers, pickNames, runLbConformance } from '../../test/conformance/lb.ts'
import { staticRr } from './static-rr.ts'

runLbConformance(staticRr, { skipsFull: true })

describe('static-rr', () => {
  test('weights 5,1,1 interleave as a a b a c a a', () => {
    const state = staticRr.create(makeServers([{ name: 'a', weight: 5 }, { name: 'b' }, { name: 'c' }]), { allBackups: false })
    expect(pickNames(state, 14)).toEqual(['a', 'a', 'b', 'a', 'c', 'a', 'a', 'a', 'a', 'b', 'a', 'c', 'a', 'a'])
  })

  test('shares follow the weights exactly', () => {
    const state = staticRr.create(makeServers([{ name: 'a', weight: 40 }, { name: 'b', weight: 20 }, { name: 'c', weight: 10 }]), { allBackups: false })
    expect(countNames(pickNames(state, 7000))).toEqual({ a: 4000, b: 2000, c: 1000 })
  })

  test('runtime weight changes have no effect, except to and from 0', () => {
    const servers = makeServers([{ name: 'a' }, { name: 'b' }])
    const state = staticRr.create(servers, { allBackups: false })
    servers[0].weight = 5
    state.update()
    expect(countNames(pickNames(state, 1000))).toEqual({ a: 500, b: 500 })
    servers[0].weight = 0
    state.update()
    expect(countNames(pickNames(state, 1000))).toEqual({ b: 1000 })
    servers[0].weight = 1
    state.update()
    expect(countNames(pickNames(state, 1000))).toEqual({ a: 500, b: 500 })
  })
})
