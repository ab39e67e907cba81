import { describe, expect, test } from 'bun:test'
import { makeServers, runLbConformance } from '../../test/conformance/lb.ts'
import { first } from './first.ts'

runLbConformance(first, { skipsFull: true })

describe('first', () => {
  test('fills servers in declaration order, then none', () => {
    const servers = makeServers([{ name: 'a', maxconn: 2 }, { name: 'b', maxconn: 2 }, { name: 'c', maxconn: 2 }])
    const state = first.create(servers, { allBackups: false })
    const got: string[] = []
    for (let i = 0; i < 7; i++) {
      const s = state.pick()
      got.push(s?.name ?? '-')
      if (s !== undefined) {
        s.cur++
        state.taken?.(s)
      }
    }
    expect(got).toEqual(['a', 'a', 'b', 'b', 'c', 'c', '-'])
    servers[1].cur--
    state.released?.(servers[1])
    expect(state.pick()?.name).toBe('b')
  })

  test('maxconn 0 is never full: everything goes to the first server', () => {
    const servers = makeServers([{ name: 'a', cur: 1000 }, { name: 'b' }])
    const state = first.create(servers, { allBackups: false })
    expect(state.pick()?.name).toBe('a')
  })

  test('ignores weights other than 0', () => {
    const servers = makeServers([{ name: 'a', weight: 1 }, { name: 'b', weight: 200 }])
    expect(first.create(servers, { allBackups: false }).pick()?.name).toBe('a')
  })
})
