// Passive health end to end: production errors seen by the sessions (`observe layer4|layer7`)
// mark a server down after `error-limit` of them in a row, and the health checks bring it back.
import { describe, expect, test } from 'bun:test'
import { listenWeb, listenWebLogged, nextChecks, serverOf, stateLines, waitLine } from '../support/checks.ts'
import { closedPort, connectClient, startLb, startServer, until, type Lb } from '../support/harness.ts'
import { httpClient, startHttpServer, waitResponses } from '../support/http-harness.ts'

/** Clients whose connects the proxy fails (the server's traffic port refuses). */
async function failingClients(lb: Lb, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    using c = await connectClient(lb.port())
    await c.waitClosed()
  }
}

describe('observe layer4', () => {
  test('error-limit failed connects with on-error mark-down: down at once, the check brings it back', async () => {
    // Traffic goes to a refused port; the health check to a live one (`port`).
    await using live = startServer('live')
    await using other = startServer('other')
    const dead = closedPort()
    await using lb = await startLb(listenWebLogged`
        balance first
        retries 0
        server a 127.0.0.1:${dead} check port ${live.port} inter 300 fastinter 100 rise 1 observe layer4 error-limit 3 on-error mark-down
        server b 127.0.0.1:${other.port}`)
    const a = serverOf(lb, 'web', 'a')
    await nextChecks(a)
    await failingClients(lb, 2)
    expect([a.up, a.consecutiveErrors]).toEqual([true, 2])
    await failingClients(lb, 1)
    await waitLine(lb, /web\/a is DOWN/)
    expect(stateLines(lb)[0]).toBe('Server web/a is DOWN, reason: Health analyze, info: "Detected 3 consecutive errors, last one was: L4 unsuccessful connection". 1 active and 0 backup servers left. 1 sessions active, 0 requeued, 0 remaining in queue.')
    expect(a.counters.failedObserve).toBe(1)
    await waitLine(lb, /web\/a is UP/)
    expect(stateLines(lb)[1]).toBe('Server web/a is UP, reason: Layer4 check passed, check duration: Nms. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.')
  })

  test('on-error fail-check counts as one failed check; fastinter checks sooner', async () => {
    await using live = startServer('live')
    const dead = closedPort()
    await using lb = await startLb(listenWeb`
        retries 0
        server a 127.0.0.1:${dead} check port ${live.port} inter 10s fastinter 100 rise 1 fall 2 observe layer4 error-limit 2`)
    const a = serverOf(lb, 'web', 'a')
    await nextChecks(a)
    expect(a.checkHealth).toBe(2)
    const checked = a.counters.checks
    await failingClients(lb, 2)
    expect(a.lastCheck!.status).toBe('HANA')
    expect([a.up, a.checkHealth]).toEqual([true, 1])
    // Without the errors the next check would be 10 s away; fastinter brings it to 100 ms.
    await until(() => a.counters.checks > checked, 'a check at fastinter', 2000)
  })
})

describe('observe layer7', () => {
  test('5xx answers mark the server down; the HTTP check brings it back', async () => {
    await using origin = startHttpServer('o', (req) => req.uri === '/health'
      ? 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
      : 'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 3\r\n\r\nerr')
    await using lb = await startLb(listenWebLogged`
        mode http
        option httpchk GET /health
        server a 127.0.0.1:${origin.port} check inter 300 fastinter 100 rise 1 observe layer7 error-limit 3 on-error mark-down`)
    const a = serverOf(lb, 'web', 'a')
    await nextChecks(a)
    using c = await httpClient(lb.port())
    for (let i = 1; i <= 3; i++) {
      await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
      await waitResponses(c, i)
    }
    await waitLine(lb, /web\/a is DOWN/)
    expect(stateLines(lb)[0]).toBe('Server web/a is DOWN, reason: Health analyze, info: "Detected 3 consecutive errors, last one was: Wrong http response". 0 active and 0 backup servers left. 1 sessions active, 0 requeued, 0 remaining in queue.')
    await waitLine(lb, /web\/a is UP/)
    expect(stateLines(lb).find((l) => l.includes('is UP'))).toBe('Server web/a is UP, reason: Layer7 check passed, code: 200, check duration: Nms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.')
  })
})
