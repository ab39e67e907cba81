// The server state machine on its own: check results in, server state and HAProxy's log lines out.
import { describe, expect, test } from 'bun:test'
import { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import { buildConfig } from '../config/build.ts'
import { readHaproxy } from '../config/haproxy/reader.ts'
import { ServerStates, type StateEvent } from './state.ts'

/** Backends from config text, with a recording host. */
function setup(text: string): { be: (name: string) => Backend; srv: (be: string, name: string) => Server; states: ServerStates; logs: string[]; stderr: string[]; killed: string[] } {
  const built = buildConfig(readHaproxy(text, 't.cfg').sections, ['t.cfg'])
  const backends = new Map<string, Backend>()
  const beOf = new Map<Server, Backend>()
  for (const p of built.config.proxies) {
    if (p.kind !== 'backend' && p.kind !== 'listen') continue
    const be = new Backend(p, { fullconn: 0 })
    backends.set(p.name, be)
    for (const s of be.servers) beOf.set(s, be)
  }
  const logs: string[] = []
  const stderr: string[] = []
  const killed: string[] = []
  const states = new ServerStates({
    event(_be, e: StateEvent) { logs.push(e.log); stderr.push(`[${e.tag}] ${e.stderr}`) },
    killSessions(s, why) { killed.push(`${s.name}:${why}`); return 0 },
  }, beOf)
  states.setHooks({ warmUp() {}, checkNow() {} })
  const be = (n: string): Backend => backends.get(n)!
  return { be, srv: (b, n) => be(b).findServer(n)!, states, logs, stderr, killed }
}

const refused = { status: 'L4CON', info: 'Connection refused' } as const
const l4ok = { status: 'L4OK' } as const

describe('health counters', () => {
  test('a server starts up and goes down at its first failed check (HAProxy 2.x start-up)', () => {
    const t = setup('backend web\n  server a 127.0.0.1:1 check rise 2 fall 3\n  server b 127.0.0.1:2 check\n')
    const a = t.srv('web', 'a')
    expect(a.up).toBe(true)
    expect(a.usable).toBe(true)
    t.states.checkResult(a, false, refused, 0)
    expect(a.up).toBe(false)
    expect(a.usable).toBe(false)
    expect(t.logs).toEqual(['Server web/a is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.'])
    expect(t.stderr[0]).toStartWith('[WARNING] Server web/a is DOWN')
    expect(a.counters.failedChecks).toBe(1)
    expect(a.counters.downTrans).toBe(1)
  })

  test('once fully up, it takes `fall` failures to go down and `rise` successes to come back', () => {
    const t = setup('backend web\n  server a 127.0.0.1:1 check rise 2 fall 3\n  server b 127.0.0.1:2\n')
    const a = t.srv('web', 'a')
    t.states.checkResult(a, false, l4ok, 0)
    expect(a.checkHealth).toBe(4)
    t.states.checkResult(a, false, refused, 1)
    t.states.checkResult(a, false, refused, 1)
    expect(a.up).toBe(true)
    expect(t.logs).toEqual([])
    t.states.checkResult(a, false, refused, 1)
    expect(a.up).toBe(false)
    expect(a.checkHealth).toBe(0)
    t.states.checkResult(a, false, l4ok, 0)
    expect(a.up).toBe(false)
    t.states.checkResult(a, false, { status: 'L7OK', code: 200 }, 1)
    expect(a.up).toBe(true)
    expect(t.logs[1]).toBe('Server web/a is UP, reason: Layer7 check passed, code: 200, check duration: 1ms. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.')
  })

  test('the last server down says the backend has no server (a listen section is a "proxy")', () => {
    const t = setup('backend web\n  server a 127.0.0.1:1 check\nlisten app\n  bind :80\n  server a 127.0.0.1:1 check\n')
    t.states.checkResult(t.srv('web', 'a'), false, refused, 0)
    t.states.checkResult(t.srv('app', 'a'), false, refused, 0)
    expect(t.logs.filter((l) => l.includes('no server'))).toEqual(['backend web has no server available!', 'proxy app has no server available!'])
    expect(t.stderr.filter((l) => l.includes('no server'))).toEqual(["[ALERT] backend 'web' has no server available!", "[ALERT] proxy 'app' has no server available!"])
  })

  test('backups take over when no active server is left, and the line says so', () => {
    const t = setup('backend web\n  server a 127.0.0.1:1 check\n  server bk 127.0.0.1:2 check backup\n')
    const a = t.srv('web', 'a')
    t.states.checkResult(a, false, refused, 0)
    expect(t.logs[0]).toBe('Server web/a is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 1 backup servers left. Running on backup. 0 sessions active, 0 requeued, 0 remaining in queue.')
    expect(t.be('web').lb.pick()).toBe(t.srv('web', 'bk'))
    t.states.checkResult(t.srv('web', 'bk'), false, { status: 'L4TOUT' }, 2001)
    expect(t.logs[1]).toBe('Backup Server web/bk is DOWN, reason: Layer4 timeout, check duration: 2001ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
    expect(t.logs[2]).toBe('backend web has no server available!')
  })

  test('a 404 with disable-on-404 makes the server stop taking new traffic, and 200 brings it back', () => {
    const t = setup('backend web\n  server a 127.0.0.1:1 check\n  server b 127.0.0.1:2 check\n')
    const a = t.srv('web', 'a')
    t.states.checkResult(a, false, { status: 'L7OKC', code: 404 }, 1)
    expect(a.up).toBe(true)
    expect(a.nolb).toBe(true)
    expect(a.usable).toBe(false)
    expect(t.logs[0]).toBe('Server web/a is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: 1ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.')
    t.states.checkResult(a, false, { status: 'L7OK', code: 200 }, 1)
    expect(a.usable).toBe(true)
    expect(t.logs[1]).toStartWith('Server web/a is UP, reason: Layer7 check passed, code: 200')
  })

  test('info is ASCII-encoded as HAProxy does (quotes, <, > and control bytes as <XX>)', () => {
    const t = setup('backend web\n  server a 127.0.0.1:1 check\n')
    t.states.checkResult(t.srv('web', 'a'), false, { status: 'L7STS', code: 500, info: 'say "hi"\r' }, 3)
    expect(t.logs[0]).toContain('reason: Layer7 wrong status, code: 500, info: "say <22>hi<22><0D>", check duration: 3ms.')
  })
})

describe('agents', () => {
  test('an agent that cannot be reached changes nothing; its "down" does', () => {
    const t = setup('backend web\n  server a 127.0.0.1:1 agent-check agent-port 2\n')
    const a = t.srv('web', 'a')
    t.states.checkResult(a, true, refused, 0)
    t.states.checkResult(a, true, { status: 'L4TOUT' }, 0)
    expect(a.up).toBe(true)
    a.checkHealth = 0
    t.states.checkResult(a, true, { status: 'L7STS', info: 'via agent : down' }, 0)
    expect(a.up).toBe(false)
    expect(t.logs[0]).toBe('Server web/a is DOWN, reason: Layer7 wrong status, code: 0, info: "via agent : down", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
  })

  test('admin states: drain, maintenance and back, in HAProxy\'s words', () => {
    const t = setup('backend web\n  server a 127.0.0.1:1 check\n  server b 127.0.0.1:2\n')
    const a = t.srv('web', 'a')
    t.states.setAdmin(a, 'drain')
    expect(a.usable).toBe(false)
    t.states.setAdmin(a, 'ready')
    expect(a.usable).toBe(true)
    t.states.setAdmin(a, 'maint')
    expect(a.usable).toBe(false)
    expect(a.checkHealth).toBe(0)
    t.states.setAdmin(a, 'ready')
    expect(a.usable).toBe(true)
    expect(a.checkHealth).toBe(a.cfg.rise)
    expect(t.logs).toEqual([
      'Server web/a enters drain state. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
      'Server web/a is UP (leaving forced drain).',
      'Server web/a is going DOWN for maintenance. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      'Server web/a is UP/READY (leaving forced maintenance).',
    ])
  })
})

describe('tracking', () => {
  test('a tracking server follows the tracked one down and up, "via" it', () => {
    const t = setup('backend web\n  server a 127.0.0.1:1 check\nbackend other\n  server x 127.0.0.1:3 track web/a\n  server y 127.0.0.1:4\n')
    const a = t.srv('web', 'a')
    const x = t.srv('other', 'x')
    x.track = a
    a.trackers.push(x)
    t.states.checkResult(a, false, refused, 0)
    expect(x.up).toBe(false)
    expect(t.logs[2]).toBe('Server other/x is DOWN via web/a. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
    t.states.checkResult(a, false, l4ok, 0)
    t.states.checkResult(a, false, l4ok, 0)
    expect(x.up).toBe(true)
    expect(t.logs.at(-1)).toBe('Server other/x is UP via web/a. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.')
  })
})

describe('effects', () => {
  test('on-marked-down kills the server\'s sessions; on-marked-up those of the backups', () => {
    const t = setup('backend web\n  server a 127.0.0.1:1 check on-marked-down shutdown-sessions on-marked-up shutdown-backup-sessions\n  server bk 127.0.0.1:2 backup\n')
    const a = t.srv('web', 'a')
    t.states.checkResult(a, false, refused, 0)
    t.states.checkResult(a, false, l4ok, 0)
    t.states.checkResult(a, false, l4ok, 0)
    expect(t.killed).toEqual(['a:down', 'bk:up'])
  })

  test('passive health: HANA failures carry no duration', () => {
    const t = setup('backend web\n  server a 127.0.0.1:1 check\n  server b 127.0.0.1:2\n')
    const a = t.srv('web', 'a')
    t.states.checkResult(a, false, l4ok, 0)
    t.states.observedFailure(a, 'Detected 3 consecutive errors, last one was: L4 unsuccessful connection', 'mark-down')
    expect(a.up).toBe(false)
    expect(t.logs[0]).toBe('Server web/a is DOWN, reason: Health analyze, info: "Detected 3 consecutive errors, last one was: L4 unsuccessful connection". 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
  })

  test('sudden-death leaves one more failure before down', () => {
    const t = setup('backend web\n  server a 127.0.0.1:1 check rise 2 fall 5\n')
    const a = t.srv('web', 'a')
    t.states.checkResult(a, false, l4ok, 0)
    expect(a.checkHealth).toBe(6)
    t.states.observedFailure(a, 'x', 'sudden-death')
    expect(a.up).toBe(true)
    expect(a.checkHealth).toBe(2)
    t.states.checkResult(a, false, refused, 0)
    expect(a.up).toBe(false)
  })

  test('agent weight changes and slowstart ramps reach the balancer', () => {
    const t = setup('backend web\n  balance roundrobin\n  server a 127.0.0.1:1 weight 10\n  server b 127.0.0.1:2 weight 10\n')
    const a = t.srv('web', 'a')
    t.states.setWeight(a, 0)
    expect(a.usable).toBe(false)
    const picks = new Set(Array.from({ length: 6 }, () => t.be('web').lb.pick()!.name))
    expect([...picks]).toEqual(['b'])
    t.states.setWeight(a, 5)
    a.throttle = 0
    t.states.applyWeight(a)
    expect(a.weight).toBe(5 / 16)
    a.throttle = 0.5
    t.states.applyWeight(a)
    expect(a.weight).toBe(2.5)
  })
})

describe('option log-health-checks', () => {
  test('each result that changes the status or the counter is logged; state lines then carry no reason', () => {
    const t = setup('backend web\n  option log-health-checks\n  server a 127.0.0.1:1 check rise 2 fall 2\n  server b 127.0.0.1:2\n')
    const a = t.srv('web', 'a')
    t.states.checkResult(a, false, l4ok, 3)
    t.states.checkResult(a, false, l4ok, 3) // same status, counter at its top: nothing to say
    t.states.checkResult(a, false, refused, 1)
    t.states.checkResult(a, false, refused, 1)
    t.states.checkResult(a, false, { status: 'L7STS', code: 500, info: 'Internal Server Error' }, 2)
    expect(t.logs).toEqual([
      'Health check for server web/a succeeded, reason: Layer4 check passed, check duration: 3ms, status: 2/2 UP.',
      'Health check for server web/a failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 1ms, status: 1/2 UP.',
      'Health check for server web/a failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 1ms, status: 0/2 DOWN.',
      'Server web/a is DOWN. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      'Health check for server web/a failed, reason: Layer7 wrong status, code: 500, info: "Internal Server Error", check duration: 2ms, status: 0/2 DOWN.',
    ])
  })

  test('without the option, only state changes are logged, with their reason', () => {
    const t = setup('backend web\n  server a 127.0.0.1:1 check rise 1 fall 1\n')
    t.states.checkResult(t.srv('web', 'a'), false, l4ok, 0)
    expect(t.logs).toEqual([])
  })
})
