// Health checks end to end: servers the test turns off and on, the state lines HAProxy writes,
// the timing of rise and fall, and what a state change does to the traffic (backups, queues,
// sessions).
import { describe, expect, test } from 'bun:test'
import type { Server } from '../../src/backend/server.ts'
import { now } from '../../src/core/clock.ts'
import { Flippable, listenSection, listenWeb, listenWebLogged, LOGGED_GLOBAL, nextChecks, refusedAppConfig, serverOf, stateLines, waitLine } from '../support/checks.ts'
import { connectClient, connectTagged, parseTcpLog, startLb, startServer, tagsOf, until } from '../support/harness.ts'

describe('state changes', () => {
  test('a refused server goes DOWN and comes back UP, in HAProxy\'s words, on the log and on stderr', async () => {
    await using a = new Flippable('a')
    await using b = new Flippable('b')
    await using lb = await startLb(listenWebLogged`
        balance roundrobin
        server webA 127.0.0.1:${a.port} check inter 100 rise 2 fall 2
        server webB 127.0.0.1:${b.port} check inter 100`)
    const webA = serverOf(lb, 'web', 'webA')
    await nextChecks(webA)
    expect(webA.lastCheck).toMatchObject({ status: 'L4OK', desc: 'Layer4 check passed', info: '' })
    a.off()
    await waitLine(lb, /webA is DOWN/)
    expect(stateLines(lb)).toEqual([
      'Server web/webA is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    ])
    expect(lb.logs.find((l) => l.startsWith('['))).toMatch(/^\[WARNING\]  \(\d+\) : Server web\/webA is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: \d+ms\. 1 active/)
    expect(await tagsOf(lb.port(), 3)).toEqual(['b', 'b', 'b'])
    a.turnOn()
    await waitLine(lb, /webA is UP/)
    expect(stateLines(lb)[1]).toBe('Server web/webA is UP, reason: Layer4 check passed, check duration: Nms. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.')
    expect((await tagsOf(lb.port(), 4)).sort()).toEqual(['a', 'a', 'b', 'b'])
    a.off()
    b.off()
    await waitLine(lb, /has no server available/)
    expect(stateLines(lb).slice(2).sort()).toEqual([
      'Server web/webA is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      'Server web/webB is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      'proxy web has no server available!',
    ].sort())
    expect(lb.logs).toContainEqual(expect.stringMatching(/^\[ALERT\]    \(\d+\) : proxy 'web' has no server available!$/))
    expect(webA.counters.downTrans).toBe(2)
  })

  test('a backend section says "backend", and `quiet` keeps stderr silent', async () => {
    await using lb = await startLb(refusedAppConfig(['log stdout format raw local0']))
    await waitLine(lb, /has no server available/)
    expect(stateLines(lb)).toEqual([
      'Server app/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      'backend app has no server available!',
    ])
    expect(lb.logs.filter((l) => l.startsWith('['))).toEqual([])
  })

  test('an address TCP cannot reach is a socket error with the system\'s reason, not a refusal', async () => {
    await using lb = await startLb(listenWebLogged`
        server s 255.255.255.255:11111 check inter 100 rise 1 fall 1`)
    await waitLine(lb, /web\/s is DOWN/)
    expect(stateLines(lb)[0]).toBe('Server web/s is DOWN, reason: Layer4 connection problem, info: "General socket error (Network is unreachable)", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
  })

  test('a server without `check` is always up; one in `disabled` takes no traffic', async () => {
    await using a = startServer('a')
    await using b = startServer('b')
    await using lb = await startLb(listenWeb`
        server a 127.0.0.1:${a.port}
        server b 127.0.0.1:${b.port} disabled`)
    expect(lb.engine.checks.checks).toEqual([])
    expect(await tagsOf(lb.port(), 3)).toEqual(['a', 'a', 'a'])
  })
})

describe('timing', () => {
  test('fall failures take fall x inter, rise successes rise x inter, each within a tick', async () => {
    await using a = new Flippable('a')
    await using lb = await startLb(listenWebLogged`
        server a 127.0.0.1:${a.port} check inter 200 rise 2 fall 3`)
    const s = serverOf(lb, 'web', 'a')
    const check = lb.engine.checks.checksOf(s).health!
    await nextChecks(s)
    await nextChecks(s)
    // The last success was due one interval before the next check: down `fall` intervals after it.
    const downDue = check.due + (3 - 1) * 200
    a.off()
    await waitLine(lb, /is DOWN/)
    const downLate = now() - downDue
    await nextChecks(s)
    const upDue = check.due + (2 - 1) * 200
    a.turnOn()
    await waitLine(lb, /is UP/)
    const upLate = now() - upDue
    // Runs are due at fixed steps of `inter` (a late run does not delay the next), and the wheel
    // fires a timer within one 10 ms tick of when it is due; 10 ms more for a busy machine.
    expect(downLate).toBeGreaterThanOrEqual(0)
    expect(downLate).toBeLessThan(10 + 10)
    expect(upLate).toBeGreaterThanOrEqual(0)
    expect(upLate).toBeLessThan(10 + 10)
  })

  test('at most one check in flight per server: a check that hangs ends at its deadline first', async () => {
    await using mute = startServer('mute', 'manual')
    await using lb = await startLb(listenWebLogged`
        option httpchk
        server a 127.0.0.1:${mute.port} check inter 100 fall 2`)
    const s = serverOf(lb, 'web', 'a')
    await nextChecks(s, 4)
    expect(mute.maxConcurrent).toBe(1)
    expect(s.lastCheck).toMatchObject({ status: 'L7TOUT', desc: 'Layer7 timeout' })
    expect(s.lastCheck!.duration).toBeGreaterThanOrEqual(100)
    expect(stateLines(lb)[0]).toBe('Server web/a is DOWN, reason: Layer7 timeout, check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
  })

  test('with `timeout check`, the answer has that long after the connection is up', async () => {
    await using mute = startServer('mute', 'manual')
    await using lb = await startLb(listenWeb`
        option httpchk
        timeout check 50
        server a 127.0.0.1:${mute.port} check inter 1s`)
    const s = serverOf(lb, 'web', 'a')
    await nextChecks(s)
    expect(s.lastCheck!.status).toBe('L7TOUT')
    expect(s.lastCheck!.duration).toBeGreaterThanOrEqual(50)
    expect(s.lastCheck!.duration).toBeLessThan(200)
  })

  test('checks start spread over the interval, not all at once', async () => {
    await using srv = startServer('s', 'manual')
    const n = 20
    const lines = Array.from({ length: n }, (_, i) => `server s${i} 127.0.0.1:${srv.port} check inter 1s`).join('\n')
    await using lb = await startLb(listenSection('web', lines, false))
    const t0 = now()
    const firsts: number[] = []
    const checked = new Set<Server>()
    const servers = lb.backend('web').servers
    await until(() => {
      for (const s of servers) if (s.counters.checks > 0 && !checked.has(s)) { checked.add(s); firsts.push(now() - t0) }
      return firsts.length === n
    }, 'every server checked once', 3000)
    firsts.sort((x, y) => x - y)
    // Server i of n starts at i/n of the interval: spread over ~950 ms, 50 ms apart.
    expect(firsts[n - 1]! - firsts[0]!).toBeGreaterThan(800)
    expect(firsts[n - 1]!).toBeLessThan(1100)
    for (let i = 1; i < n; i++) expect(firsts[i]! - firsts[i - 1]!).toBeGreaterThan(20)
  })
})

describe('effects on the traffic', () => {
  test('backups take over when the active servers are down, and give the traffic back', async () => {
    await using a = new Flippable('a')
    await using bk1 = new Flippable('bk1')
    await using bk2 = new Flippable('bk2')
    await using lb = await startLb(listenWebLogged`
        server a 127.0.0.1:${a.port} check inter 100 fall 1 rise 1
        server bk1 127.0.0.1:${bk1.port} check inter 100 backup
        server bk2 127.0.0.1:${bk2.port} check inter 100 backup`)
    expect(await tagsOf(lb.port(), 2)).toEqual(['a', 'a'])
    a.off()
    expect(await waitLine(lb, /is DOWN/)).toBe('Server web/a is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 2 backup servers left. Running on backup. 0 sessions active, 0 requeued, 0 remaining in queue.'.replace('0ms', `${serverOf(lb, 'web', 'a').lastCheck!.duration}ms`))
    // The first backup only (no `option allbackups`).
    expect(await tagsOf(lb.port(), 3)).toEqual(['bk1', 'bk1', 'bk1'])
    a.turnOn()
    await waitLine(lb, /web\/a is UP/)
    expect(stateLines(lb)[1]).toBe('Server web/a is UP, reason: Layer4 check passed, check duration: Nms. 1 active and 2 backup servers online. 0 sessions requeued, 0 total in queue.')
    expect(await tagsOf(lb.port(), 2)).toEqual(['a', 'a'])
  })

  test('with option allbackups every backup takes its share', async () => {
    await using a = new Flippable('a')
    await using bk1 = startServer('bk1')
    await using bk2 = startServer('bk2')
    await using lb = await startLb(listenWeb`
        option allbackups
        server a 127.0.0.1:${a.port} check inter 100 fall 1
        server bk1 127.0.0.1:${bk1.port} backup
        server bk2 127.0.0.1:${bk2.port} backup`)
    a.off()
    await until(() => !serverOf(lb, 'web', 'a').up, 'a down')
    expect((await tagsOf(lb.port(), 4)).sort()).toEqual(['bk1', 'bk1', 'bk2', 'bk2'])
  })

  test('sessions queued on a server that goes down are redispatched to another', async () => {
    await using x = new Flippable('x')
    await using y = new Flippable('y')
    await using lb = await startLb(listenWebLogged`
        balance source
        timeout queue 5s
        server x 127.0.0.1:${x.port} check inter 100 fall 1 maxconn 1
        server y 127.0.0.1:${y.port} check inter 100 fall 1 maxconn 1`)
    using first = await connectTagged(lb.port())
    const chosen = first.text() === 'x' ? x : y
    const other = chosen === x ? 'y' : 'x'
    const srv = serverOf(lb, 'web', chosen.name)
    // Same source address: the hash sends the second client to the same, full, server: it waits there.
    using second = await connectClient(lb.port())
    await until(() => srv.queue.length === 1, 'the second client queued on its server')
    chosen.off()
    await second.changed.until(() => second.received > 0, 'the second client served elsewhere')
    expect(second.text()).toBe(other)
    expect(stateLines(lb)[0]).toBe(`Server web/${chosen.name} is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms. 1 active and 0 backup servers left. 1 sessions active, 1 requeued, 0 remaining in queue.`)
  })

  test('on-marked-down shutdown-sessions ends the live sessions of a server marked down (DD)', async () => {
    await using a = new Flippable('a', 'echo')
    await using b = new Flippable('b', 'echo')
    await using lb = await startLb(listenWebLogged`
        option tcplog
        balance first
        server a 127.0.0.1:${a.port} check inter 100 fall 1 on-marked-down shutdown-sessions
        server b 127.0.0.1:${b.port} check inter 100 fall 1`)
    using killed = await connectClient(lb.port())
    await killed.write('ping')
    await killed.waitText('ping')
    a.off() // refuses new connections; the live one goes on until the check marks a down
    await killed.waitClosed()
    const line = lb.logs.find((l) => / web web\/a /.test(l))!
    expect(parseTcpLog(line).term).toBe('DD')
  })

  test('without it, the live sessions of a server marked down go on', async () => {
    await using a = new Flippable('a', 'echo')
    await using lb = await startLb(listenWebLogged`
        server a 127.0.0.1:${a.port} check inter 100 fall 1`)
    using c = await connectClient(lb.port())
    await c.write('ping')
    await c.waitText('ping')
    a.off()
    await waitLine(lb, /is DOWN/)
    expect(stateLines(lb)[0]).toContain('1 sessions active')
    await c.write('pong')
    await c.waitText('pingpong')
  })

  test('on-marked-up shutdown-backup-sessions ends the backup sessions when an active server returns', async () => {
    await using a = new Flippable('a', 'echo')
    await using bk = new Flippable('bk', 'echo')
    a.off()
    await using lb = await startLb(listenWebLogged`
        server a 127.0.0.1:${a.port} check inter 100 fall 1 rise 1 on-marked-up shutdown-backup-sessions
        server bk 127.0.0.1:${bk.port} backup`)
    await waitLine(lb, /web\/a is DOWN/)
    using c = await connectClient(lb.port())
    await c.write('on backup')
    await c.waitText('on backup')
    expect(bk.server!.current).toBe(1)
    a.turnOn()
    await c.waitClosed()
    await waitLine(lb, /web\/a is UP/)
  })
})

describe('slowstart', () => {
  test('a server back up ramps its weight and maxconn from almost nothing to full over slowstart', async () => {
    await using a = new Flippable('a')
    await using b = startServer('b')
    await using lb = await startLb(listenWebLogged`
        server a 127.0.0.1:${a.port} check inter 100 fall 1 rise 1 weight 32 maxconn 40 slowstart 1s
        server b 127.0.0.1:${b.port} weight 32`)
    const s = serverOf(lb, 'web', 'a')
    // At start-up a server is simply up: no ramp.
    expect([s.weight, s.maxconn]).toEqual([32, 40])
    a.off()
    await until(() => !s.up, 'a down')
    a.turnOn()
    await until(() => s.up, 'a up')
    const t0 = s.lastChangeAt
    const samples: [number, number, number][] = []
    await until(() => {
      const last = samples.at(-1)
      if (!last || last[1] !== s.weight || last[2] !== s.maxconn) samples.push([Math.round(now() - t0), s.weight, s.maxconn])
      return s.weight === 32 && s.maxconn === 40
    }, 'the ramp to end', 3000)
    const [first, ...rest] = samples
    expect(first![1]).toBe(2) // 1/16 of 32
    expect(first![2]).toBe(1)
    for (let i = 1; i < samples.length; i++) {
      expect(samples[i]![1]).toBeGreaterThanOrEqual(samples[i - 1]![1])
      expect(samples[i]![2]).toBeGreaterThanOrEqual(samples[i - 1]![2])
    }
    expect(rest.length).toBeGreaterThanOrEqual(10)
    const end = samples.at(-1)![0]
    expect(end).toBeGreaterThanOrEqual(1000)
    expect(end).toBeLessThan(1000 + 100)
  })
})

describe('track', () => {
  test('a tracking server follows the tracked server down and up, across backends', async () => {
    await using a = new Flippable('a')
    await using other = startServer('other')
    await using lb = await startLb(LOGGED_GLOBAL +
      listenSection('web', `server a 127.0.0.1:${a.port} check inter 100 fall 1 rise 1`, true) +
      listenSection('mirror', `server m 127.0.0.1:${other.port} track web/a\nserver n 127.0.0.1:${other.port}`, true))
    a.off()
    await waitLine(lb, /mirror\/m is DOWN/)
    expect(stateLines(lb)).toContain('Server mirror/m is DOWN via web/a. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
    a.turnOn()
    await waitLine(lb, /mirror\/m is UP/)
    expect(stateLines(lb)).toContain('Server mirror/m is UP via web/a. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.')
  })

  test('tracking a server that has no check is refused at start', async () => {
    await expect(startLb(listenWeb`
        server a 127.0.0.1:1
        server b 127.0.0.1:2 track a`)).rejects.toThrow("e2e.cfg:7: error: server 'b': unable to use web/a for tracking as it does not have any check nor agent enabled")
  })
})
