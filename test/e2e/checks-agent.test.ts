// agent-check end to end: a real agent on 127.0.0.1 answers each check with the line the test
// sets, and the server's health, admin state, weight and maxconn follow, as the starter guide
// describes ("I would like to stop, please stop sending new visitors").
import { describe, expect, test } from 'bun:test'
import { listenWebLogged, serverOf, stateLines, waitLine } from '../support/checks.ts'
import { connectClient, startLb, startServer, tagOf, until, type Lb, type TestServer } from '../support/harness.ts'

/** An agent that answers every connection with `reply` and closes. */
function startAgent(reply: string): TestServer & { reply: string } {
  const srv = startServer('agent', 'manual') as TestServer & { reply: string }
  srv.reply = reply
  srv.onAccept = (c) => { void c.write(srv.reply).then(() => c.shutdown()) }
  return srv
}

/** Waits for the server's next agent answer. */
async function nextAgent(lb: Lb, name: string, n = 1): Promise<void> {
  const s = serverOf(lb, 'web', name)
  const target = s.counters.agentChecks + n
  await until(() => s.counters.agentChecks >= target, `${n} more agent check(s)`)
}

function config(a: TestServer, b: TestServer, agent: TestServer, extra = ''): string {
  return listenWebLogged`
      server a 127.0.0.1:${a.port} weight 100 agent-check agent-port ${agent.port} agent-inter 100 ${extra}
      server b 127.0.0.1:${b.port} weight 100`
}

describe('agent replies', () => {
  test('"down" takes the server down at once, "up" brings it back; a description is kept', async () => {
    await using a = startServer('a')
    await using b = startServer('b')
    await using agent = startAgent('down # disk full\n')
    await using lb = await startLb(config(a, b, agent, 'rise 1'))
    await waitLine(lb, /web\/a is DOWN/)
    expect(stateLines(lb)[0]).toBe('Server web/a is DOWN, reason: Layer7 wrong status, code: 0, info: "via agent : down (disk full)", check duration: Nms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
    expect(await tagOf(lb.port())).toBe('b')
    agent.reply = 'up\n'
    await waitLine(lb, /web\/a is UP/)
    expect(stateLines(lb)[1]).toBe('Server web/a is UP, reason: Layer7 check passed, code: 0, info: "via agent : up", check duration: Nms. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.')
  })

  test('"stopped" and "fail" are down too', async () => {
    for (const word of ['stopped', 'fail']) {
      await using a = startServer('a')
      await using b = startServer('b')
      await using agent = startAgent(`${word}\n`)
      await using lb = await startLb(config(a, b, agent))
      await waitLine(lb, /web\/a is DOWN/)
      expect(stateLines(lb)[0]).toContain(`info: "via agent : ${word}"`)
    }
  })

  test('"drain": no new traffic while live sessions go on; "ready" ends it', async () => {
    await using a = startServer('a', 'echo')
    await using b = startServer('b', 'echo')
    await using agent = startAgent('ready\n')
    await using lb = await startLb(config(a, b, agent) + '      balance first\n')
    await nextAgent(lb, 'a')
    using live = await connectClient(lb.port())
    await live.write('hello')
    await a.waitAccepted(1)
    agent.reply = 'drain\n'
    await waitLine(lb, /enters drain state/)
    expect(stateLines(lb)[0]).toBe('Server web/a enters drain state. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.')
    expect(serverOf(lb, 'web', 'a').usable).toBe(false)
    using next = await connectClient(lb.port())
    await next.write('x')
    await b.waitAccepted(1)
    await live.write(' again')
    await live.waitText('hello again')
    agent.reply = 'ready\n'
    await waitLine(lb, /leaving forced drain/)
    expect(stateLines(lb)[1]).toBe('Server web/a is UP (leaving forced drain).')
  })

  test('"maint" puts the server in maintenance, "ready" takes it out', async () => {
    await using a = startServer('a')
    await using b = startServer('b')
    await using agent = startAgent('maint\n')
    await using lb = await startLb(config(a, b, agent))
    await waitLine(lb, /for maintenance/)
    expect(stateLines(lb)[0]).toBe('Server web/a is going DOWN for maintenance. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
    expect(serverOf(lb, 'web', 'a').admin).toBe('maint')
    agent.reply = 'ready\n'
    await waitLine(lb, /leaving forced maintenance/)
    expect(stateLines(lb)[1]).toBe('Server web/a is UP/READY (leaving forced maintenance).')
    expect(serverOf(lb, 'web', 'a').usable).toBe(true)
  })

  test('"75%" sets the weight to 75 % of the configured one; "maxconn:30" the limit', async () => {
    await using a = startServer('a')
    await using b = startServer('b')
    await using agent = startAgent('75%\n')
    await using lb = await startLb(config(a, b, agent))
    const s = serverOf(lb, 'web', 'a')
    await until(() => s.weight === 75, 'weight 75')
    expect(s.uweight).toBe(75)
    expect(s.lastAgent).toMatchObject({ status: 'CHECKED', info: '' })
    agent.reply = 'maxconn:30\n'
    await until(() => s.maxconn === 30, 'maxconn 30')
    agent.reply = '0%\n'
    await until(() => !s.usable, 'weight 0: no new traffic')
    expect(await tagOf(lb.port())).toBe('b')
  })

  test('a combination applies every part (HAProxy\'s own example: 75%,maxconn:30,maint,down)', async () => {
    await using a = startServer('a')
    await using b = startServer('b')
    await using agent = startAgent('75%,maxconn:30,maint,down\n')
    await using lb = await startLb(config(a, b, agent))
    const s = serverOf(lb, 'web', 'a')
    await waitLine(lb, /for maintenance/)
    await nextAgent(lb, 'a')
    expect([s.uweight, s.maxconn, s.admin, s.up, s.usable]).toEqual([75, 30, 'maint', false, false])
    expect(s.lastAgent!.info).toBe('via agent : down')
  })

  test('an agent that cannot be reached, or that says something else, changes nothing', async () => {
    await using a = startServer('a')
    await using b = startServer('b')
    await using agent = startAgent('hello there\n')
    await using lb = await startLb(config(a, b, agent))
    const s = serverOf(lb, 'web', 'a')
    await nextAgent(lb, 'a')
    expect(s.lastAgent).toMatchObject({ status: 'CHECKED', info: 'agent reports an error : hello' })
    agent.close()
    await until(() => s.lastAgent?.status === 'L4CON', 'a refused agent')
    await nextAgent(lb, 'a', 2)
    expect([s.up, s.usable]).toEqual([true, true])
    expect(stateLines(lb)).toEqual([])
  })

  test('agent-send is sent first; agent-addr is where the agent lives', async () => {
    await using a = startServer('a')
    await using b = startServer('b')
    await using agent = startAgent('up\n')
    await using lb = await startLb(config(a, b, agent, 'agent-send "status\\n" agent-addr 127.0.0.1'))
    await nextAgent(lb, 'a')
    await agent.conns[0]!.waitText('status\n')
  })

  test('with a health check too, a failing check takes the server down whatever the agent says of its weight', async () => {
    await using a = startServer('a')
    await using b = startServer('b')
    await using agent = startAgent('50%\n')
    await using lb = await startLb(config(a, b, agent, 'check inter 100 fall 1 rise 1'))
    const s = serverOf(lb, 'web', 'a')
    await until(() => s.weight === 50, 'weight 50')
    a.close()
    await waitLine(lb, /web\/a is DOWN, reason: Layer4 connection problem/)
    await nextAgent(lb, 'a', 2)
    expect([s.up, s.weight, s.lastCheck!.status]).toEqual([false, 50, 'L4CON'])
  })
})
