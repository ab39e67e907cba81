// A server's state as the balancer reads it: `usable` from admin state, health, nolb and weight;
// the admin state it inherits from a tracked server; slowstart's throttle; passive health's hook.
import { describe, expect, test } from 'bun:test'
import { cfg, parseConfig } from '../../test/support/config.ts'
import { Server, type ObservedResult } from './server.ts'

/** The servers of backend `web` in `text`, as the engine makes them. */
function servers(text: string): Server[] {
  const be = parseConfig(text).proxies.find((p) => p.name === 'web')!
  return be.servers.map((c) => new Server(c))
}

describe('a server from its configuration', () => {
  test('takes its name, weight and limits from its line', () => {
    const [a] = servers(cfg`
      backend web
        server a 127.0.0.1:8080 weight 3 maxconn 20 minconn 2 maxqueue 7`)
    expect(a!.name).toBe('a')
    expect(a!.index).toBe(0)
    expect(a!.weight).toBe(3)
    expect(a!.uweight).toBe(3)
    expect(a!.maxconn).toBe(20)
    expect(a!.maxconnBase).toBe(20)
    expect(a!.minconn).toBe(2)
    expect(a!.maxqueue).toBe(7)
    expect(a!.backup).toBe(false)
    expect(a!.cur).toBe(0)
  })

  test('starts ready, up and usable; `disabled` starts in maintenance, not usable', () => {
    const [a, b] = servers(cfg`
      backend web
        server a 127.0.0.1:1
        server b 127.0.0.1:2 disabled`)
    expect([a!.admin, a!.up, a!.usable]).toEqual(['ready', true, true])
    expect([b!.admin, b!.usable]).toEqual(['maint', false])
  })
})

describe('usable = ready && up && !nolb && weight > 0', () => {
  const each: [string, (s: Server) => void][] = [
    ['down by its checks', (s) => { s.up = false }],
    ['in drain', (s) => { s.admin = 'drain' }],
    ['in maintenance', (s) => { s.admin = 'maint' }],
    ['nolb (disable-on-404)', (s) => { s.nolb = true }],
    ['at weight 0', (s) => { s.weight = 0 }],
  ]
  for (const [what, change] of each) {
    test(`a server ${what} is not usable once refreshed`, () => {
      const [s] = servers('backend web\n  server a 127.0.0.1:1\n')
      change(s!)
      expect(s!.usable).toBe(true)
      expect(s!.refresh()).toBe(true)
      expect(s!.usable).toBe(false)
    })
  }

  test('refresh reports a change once: of usable or of the weight the balancer was built with', () => {
    const [s] = servers('backend web\n  server a 127.0.0.1:1 weight 4\n')
    expect(s!.refresh()).toBe(false)
    s!.weight = 2
    expect(s!.refresh()).toBe(true)
    expect(s!.usable).toBe(true)
    expect(s!.refresh()).toBe(false)
    s!.up = false
    expect(s!.refresh()).toBe(true)
    expect(s!.refresh()).toBe(false)
    s!.up = true
    expect(s!.refresh()).toBe(true)
    expect(s!.usable).toBe(true)
  })
})

describe('admin state in force', () => {
  test('is the stronger of its own and the tracked server\'s: maint over drain over ready', () => {
    const [s] = servers('backend web\n  server a 127.0.0.1:1\n')
    const cases: [Server['admin'], Server['admin'], Server['admin']][] = [
      ['ready', 'ready', 'ready'],
      ['ready', 'drain', 'drain'],
      ['drain', 'ready', 'drain'],
      ['ready', 'maint', 'maint'],
      ['maint', 'drain', 'maint'],
      ['drain', 'maint', 'maint'],
    ]
    for (const [own, inherited, effective] of cases) {
      s!.admin = own
      s!.inheritedAdmin = inherited
      expect([own, inherited, s!.effectiveAdmin]).toEqual([own, inherited, effective])
    }
  })

  test('a maintenance inherited from the tracked server makes it unusable', () => {
    const [s] = servers('backend web\n  server a 127.0.0.1:1\n')
    s!.inheritedAdmin = 'maint'
    s!.refresh()
    expect(s!.usable).toBe(false)
  })
})

describe('slowstart throttle', () => {
  test('scales a limit down while warming up, never below 1, and leaves "no limit" alone', () => {
    const [s] = servers('backend web\n  server a 127.0.0.1:1\n')
    expect(s!.throttled(100)).toBe(100)
    s!.throttle = 0.25
    expect(s!.throttled(100)).toBe(25)
    expect(s!.throttled(10)).toBe(2)
    expect(s!.throttled(2)).toBe(1)
    expect(s!.throttled(0)).toBe(0)
    s!.throttle = 1
    expect(s!.throttled(10)).toBe(10)
  })
})

describe('passive health', () => {
  test('results reach the observer the checks set, and nothing happens without one', () => {
    const [s] = servers('backend web\n  server a 127.0.0.1:1\n')
    s!.reportResult('l4-err')
    const seen: [string, ObservedResult][] = []
    s!.observer = (srv, r) => { seen.push([srv.name, r]) }
    s!.reportResult('l4-ok')
    s!.reportResult('http-status')
    expect(seen).toEqual([['a', 'l4-ok'], ['a', 'http-status']])
  })
})
