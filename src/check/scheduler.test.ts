// Which interval a check runs at, and how checks are spread at start-up.
import { describe, expect, test } from 'bun:test'
import { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import { buildConfig } from '../config/build.ts'
import { readHaproxy } from '../config/haproxy/reader.ts'
import { Check, checkTarget, startDelays, type CheckOptions } from './scheduler.ts'
import { ServerStates } from './state.ts'
import { tcpCheck } from './tcp.ts'

const opts: CheckOptions = { spreadChecks: 0, bufsize: 16384, random: () => 0.5 }

function checks(servers: string, agent = false, make = true): { be: Backend; list: Check[] } {
  const built = buildConfig(readHaproxy(`backend web\n${servers}`, 't.cfg').sections, ['t.cfg'])
  const be = new Backend(built.config.proxies.find((p) => p.name === 'web')!, { fullconn: 0 })
  const states = new ServerStates({ event() {}, killSessions: () => 0 }, new Map<Server, Backend>(be.servers.map((s) => [s, be])))
  return { be, list: make ? be.servers.map((s) => new Check(s, { be, kind: tcpCheck, target: checkTarget(s, agent)!, agent, states, opts })) : [] }
}

describe('interval', () => {
  test('inter when fully up, fastinter while changing, downinter when down', () => {
    const { list: [c] } = checks('  server a 127.0.0.1:1 check inter 2s fastinter 500 downinter 10s rise 2 fall 3\n')
    const s = c!.server
    expect(c!.interval()).toBe(500) // starts at `rise`: changing until the first success
    s.checkHealth = 4
    expect(c!.interval()).toBe(2000)
    c!.fastinterForced = true
    expect(c!.interval()).toBe(500)
    c!.fastinterForced = false
    s.checkHealth = 0
    s.up = false
    expect(c!.interval()).toBe(10000)
  })

  test('each falls back to inter; the agent uses agent-inter', () => {
    const { list: [c] } = checks('  server a 127.0.0.1:1 check inter 3s\n')
    c!.server.checkHealth = 0
    c!.server.up = false
    expect(c!.interval()).toBe(3000)
    const { list: [g] } = checks('  server a 127.0.0.1:1 agent-check agent-port 9 agent-inter 700 inter 3s\n', true)
    expect(g!.interval()).toBe(700)
  })
})

describe('start-up spread', () => {
  test('check i of n starts at i/n of the smallest interval of 1 s or more', () => {
    const { list } = checks('  server a 127.0.0.1:1 check inter 2s fall 1 rise 1\n  server b 127.0.0.1:2 check inter 4s fall 1 rise 1\n  server c 127.0.0.1:3 check inter 2s fall 1 rise 1\n  server d 127.0.0.1:4 check inter 100 fall 1 rise 1\n')
    for (const c of list) c.server.checkHealth = 1
    expect(startDelays(list, opts)).toEqual([0, 4000 / 4, 2000 * 2 / 4, 2000 * 3 / 4])
  })

  test('spread-checks moves each by up to ±P %', () => {
    const { list } = checks('  server a 127.0.0.1:1 check inter 1s fall 1 rise 1\n  server b 127.0.0.1:2 check inter 1s fall 1 rise 1\n')
    for (const c of list) c.server.checkHealth = 1
    expect(startDelays(list, { ...opts, spreadChecks: 10, random: () => 0 })[1]).toBe(1100 / 2)
    expect(startDelays(list, { ...opts, spreadChecks: 10, random: () => 1 })[1]).toBe(900 / 2)
  })
})

describe('checkTarget', () => {
  test('port and addr override the server address; the agent has its own', () => {
    const { be } = checks('  server a 127.0.0.1:80 check port 81 addr 127.0.0.2 agent-check agent-port 99 agent-addr 127.0.0.3\n  server b 127.0.0.1:80 check addr 127.0.0.4:82\n')
    const [a, b] = be.servers
    expect(checkTarget(a!, false)).toEqual({ host: '127.0.0.2', port: 81 })
    expect(checkTarget(a!, true)).toEqual({ host: '127.0.0.3', port: 99 })
    expect(checkTarget(b!, false)).toEqual({ host: '127.0.0.4', port: 82 })
  })

  test('a server without a port and without a check port cannot be checked (nor an agent without agent-port)', () => {
    const { be } = checks('  server a 127.0.0.1 check agent-check\n', false, false)
    expect(checkTarget(be.servers[0]!, false)).toBeUndefined()
    expect(checkTarget(be.servers[0]!, true)).toBeUndefined()
  })
})

describe('the wheel driver the checks run on', () => {
  test('a timer scheduled after the wheel emptied itself still fires (checks reschedule from a promise)', async () => {
    const { TimerWheel, Timer: T, startWheelDriver } = await import('../core/timer-wheel.ts')
    const { now } = await import('../core/clock.ts')
    const w = new TimerWheel({ tickMs: 10 })
    const driver = startWheelDriver(w)
    try {
      let fired = 0
      let resolveSecond!: () => void
      const second = new Promise<void>((r) => { resolveSecond = r })
      const b = new T(() => resolveSecond())
      const a = new T(() => { fired++; void Promise.resolve().then(() => w.schedule(b, now() + 20)) })
      w.schedule(a, now() + 10)
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([second, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('the second timer never fired')), 1000) })])
      clearTimeout(timer)
      expect(fired).toBe(1)
    } finally {
      driver.stop()
    }
  })
})
