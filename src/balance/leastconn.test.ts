import { describe, expect, test } from 'bun:test'
import { makeServers, pickNames, runLbConformance } from '../../test/conformance/lb.ts'
import { leastconn } from './leastconn.ts'

runLbConformance(leastconn, { skipsFull: true })

describe('leastconn', () => {
  test('picks the server with the fewest connections', () => {
    const state = leastconn.create(makeServers([{ name: 'a', cur: 5 }, { name: 'b', cur: 2 }, { name: 'c', cur: 7 }]), { allBackups: false })
    expect(pickNames(state, 3)).toEqual(['b', 'b', 'b']) // cur is not changed here
  })

  test('compares connections per unit of weight', () => {
    // (cur + 1) / weight: a = 5/2 = 2.5, b = 3/1 = 3
    const state = leastconn.create(makeServers([{ name: 'a', cur: 4, weight: 2 }, { name: 'b', cur: 2 }]), { allBackups: false })
    expect(state.pick()?.name).toBe('a')
  })

  test('ties rotate in round robin', () => {
    const state = leastconn.create(makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }]), { allBackups: false })
    expect(pickNames(state, 7)).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a'])
  })

  test('keeps equal servers within one connection of each other as connections come and go', () => {
    const servers = makeServers(Array.from({ length: 5 }, (_, i) => ({ name: `s${i}` })))
    const state = leastconn.create(servers, { allBackups: false })
    let seed = 99
    const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n)
    const open: number[] = []
    for (let step = 0; step < 5000; step++) {
      if (open.length > 0 && rnd(3) === 0) {
        const s = servers[open.splice(rnd(open.length), 1)[0]]
        s.cur--
        state.released?.(s)
      } else {
        const s = state.pick()
        if (s === undefined) throw new Error('no server')
        // A new connection goes to a least loaded server: none has fewer.
        expect(servers.every((o) => o.cur >= s.cur)).toBe(true)
        s.cur++
        state.taken?.(s)
        open.push(s.index)
      }
    }
  })

  test('with weights, load follows the weights', () => {
    const servers = makeServers([{ name: 'a', weight: 3 }, { name: 'b', weight: 1 }])
    const state = leastconn.create(servers, { allBackups: false })
    for (let i = 0; i < 400; i++) {
      const s = state.pick()
      if (s === undefined) throw new Error('no server')
      s.cur++
    }
    expect(servers[0].cur).toBe(300)
    expect(servers[1].cur).toBe(100)
  })
})
