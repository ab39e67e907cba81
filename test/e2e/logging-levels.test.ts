// Levels, end to end: traffic lines at info, raised to err under option log-separate-errors when
// the request or session ended in error (HAProxy's rule: a status of 500 or more, a termination
// other than normal or local, a retry); option dontlog-normal; http-request set-log-level; each
// log line's level (the least severe sent) and minlevel (the most severe written); server state
// lines at their own levels through the same sender. Targets use `format priority` so that the
// PRI (facility * 8 + level) is the only header; lb.logs holds the same lines, bare, on stdout.
// A line a target must not get is sent before one it gets: UDP on loopback keeps the order, so
// the absence is seen without waiting.
import { describe, expect, test } from 'bun:test'
import { cfg, closedPort, connectClient, echoSession, startLb, startServer, tcpConfig } from '../support/harness.ts'
import { okResponse, rawExchange, startHttpServer } from '../support/http-harness.ts'
import { syslogReceiver } from '../support/syslog-receiver.ts'
import { refusedAppConfig, stateLines, waitLine } from '../support/checks.ts'

/** The global log lines of most scenarios here: bare lines on stdout (lb.logs), and `format
 *  priority local0` datagrams (PRI 134 at info, 131 at err) to the receiver at `port`. */
function rawAndPriority(port: number): string[] {
  return ['log stdout format raw local0', `log 127.0.0.1:${port} format priority local0`]
}

/** An http frontend: /down goes to a backend whose server refuses (503, SC), the rest to `a`. */
function webConfig(a: number, opts: { global: string[]; defaults?: string[]; frontend?: string[] }): string {
  return cfg`
    global
      ${opts.global.join('\n      ')}
    defaults
      mode http
      log global
      option httplog
      retries 0
      timeout client 5s
      timeout server 5s
      timeout connect 1s
      ${(opts.defaults ?? []).join('\n      ')}
    frontend web
      bind 127.0.0.1:0
      ${(opts.frontend ?? []).join('\n      ')}
      use_backend down if { path_beg /down }
      default_backend ok
    backend ok
      server a 127.0.0.1:${a}
    backend down
      server gone 127.0.0.1:${closedPort()}`
}

describe('option log-separate-errors', () => {
  test('a 503 is logged at err (PRI 131), a 200 at info (PRI 134); without the option both at info', async () => {
    await using a = startHttpServer('a', () => okResponse('ok'))
    await using rx = await syslogReceiver()
    await using lb = await startLb(webConfig(a.port, { global: rawAndPriority(rx.port), defaults: ['option log-separate-errors'] }))
    expect(await rawExchange(lb.port(), 'GET /ok HTTP/1.0\r\n\r\n')).toBe(okResponse('ok'))
    expect(await rawExchange(lb.port(), 'GET /down HTTP/1.0\r\n\r\n')).toStartWith('HTTP/1.1 503 Service Unavailable\r\n')
    const [ok, down] = await lb.waitLogs(2)
    expect(ok).toMatch(/ web ok\/a .* 200 \d+ - - ---- .*"GET \/ok HTTP\/1\.0"$/)
    expect(down).toMatch(/ web down\/gone .* 503 \d+ - - SC-- .*"GET \/down HTTP\/1\.0"$/)
    expect(await rx.waitFrames(2)).toEqual([`<134>${ok}\n`, `<131>${down}\n`])

    await using plain = await startLb(webConfig(a.port, { global: rawAndPriority(rx.port) }))
    await rawExchange(plain.port(), 'GET /down HTTP/1.0\r\n\r\n')
    const [down2] = await plain.waitLogs(1)
    expect((await rx.waitFrames(3))[2]).toBe(`<134>${down2}\n`)
  })

  test('tcp: a refused server (SC) is logged at err, a normal session at info', async () => {
    await using s1 = startServer('s1', 'echo')
    await using rx = await syslogReceiver()
    await using lb = await startLb(tcpConfig(cfg`
      listen good
        bind 127.0.0.1:0
        server s1 127.0.0.1:${s1.port}
      listen bad
        bind 127.0.0.1:0
        server gone 127.0.0.1:${closedPort()}`, { global: rawAndPriority(rx.port), defaults: ['option log-separate-errors', 'retries 0'] }))
    await echoSession(lb.port('good'))
    await lb.waitLogs(1)
    {
      using c = await connectClient(lb.port('bad'))
      await c.waitClosed()
    }
    const [good, bad] = await lb.waitLogs(2)
    expect(good).toMatch(/ good good\/s1 .* -- /)
    expect(bad).toMatch(/ bad bad\/gone .* SC /)
    expect(await rx.waitFrames(2)).toEqual([`<134>${good}\n`, `<131>${bad}\n`])
  })
})

describe('option dontlog-normal and http-request set-log-level', () => {
  test('dontlog-normal: only the requests that ended in error are logged', async () => {
    await using a = startHttpServer('a', () => okResponse('ok'))
    await using lb = await startLb(webConfig(a.port, { global: ['log stdout format raw local0'], defaults: ['option dontlog-normal'] }))
    await rawExchange(lb.port(), 'GET /ok HTTP/1.0\r\n\r\n')
    await rawExchange(lb.port(), 'GET /down HTTP/1.0\r\n\r\n')
    const [only] = await lb.waitLogs(1)
    expect(only).toMatch(/ 503 .*"GET \/down HTTP\/1\.0"$/)
    await rawExchange(lb.port(), 'GET /down2 HTTP/1.0\r\n\r\n')
    expect((await lb.waitLogs(2)).map((l) => / "GET (\S+)/.exec(l)![1])).toEqual(['/down', '/down2'])
  })

  test('set-log-level replaces the level (even that of an error); silent keeps the line out; a level no target sends is dropped', async () => {
    await using a = startHttpServer('a', () => okResponse('ok'))
    await using rx = await syslogReceiver()
    await using lb = await startLb(webConfig(a.port, {
      global: ['log stdout format raw local0 info', `log 127.0.0.1:${rx.port} format priority local2 info`],
      defaults: ['option log-separate-errors'],
      frontend: [
        'http-request set-log-level silent if { path /silent }',
        'http-request set-log-level notice if { path /notice } || { path /down }',
        'http-request set-log-level debug if { path /debug }',
      ],
    }))
    for (const path of ['/silent', '/debug', '/notice', '/down', '/plain']) await rawExchange(lb.port(), `GET ${path} HTTP/1.0\r\n\r\n`)
    const lines = await lb.waitLogs(3)
    expect(lines.map((l) => / "GET (\S+)/.exec(l)![1])).toEqual(['/notice', '/down', '/plain'])
    expect(await rx.waitFrames(3)).toEqual([`<${18 * 8 + 5}>${lines[0]}\n`, `<${18 * 8 + 5}>${lines[1]}\n`, `<${18 * 8 + 6}>${lines[2]}\n`])
  })
})

describe('tcp-request content set-log-level', () => {
  test('the level of a tcp session\'s line, or silent', async () => {
    await using s1 = startServer('s1', 'echo')
    await using rx = await syslogReceiver()
    await using lb = await startLb(tcpConfig(cfg`
      listen quiet
        bind 127.0.0.1:0
        tcp-request content set-log-level silent
        server s1 127.0.0.1:${s1.port}
      listen loud
        bind 127.0.0.1:0
        tcp-request content set-log-level warning
        server s1 127.0.0.1:${s1.port}`, { global: rawAndPriority(rx.port) }))
    for (const name of ['quiet', 'loud']) await echoSession(lb.port(name))
    const [line] = await lb.waitLogs(1)
    expect(line).toMatch(/ loud loud\/s1 /)
    expect(await rx.waitFrames(1)).toEqual([`<132>${line}\n`])
  })
})

describe('each log line\'s level and minlevel', () => {
  test('level: the least severe level sent; minlevel: more severe lines are written at it', async () => {
    await using a = startHttpServer('a', () => okResponse('ok'))
    await using rxInfo = await syslogReceiver()
    await using rxErr = await syslogReceiver()
    await using rxCapped = await syslogReceiver()
    await using lb = await startLb(webConfig(a.port, {
      global: [
        'log stdout format raw local0',
        `log 127.0.0.1:${rxInfo.port} format priority local0 info`,
        `log 127.0.0.1:${rxErr.port} format priority local0 err`,
        `log 127.0.0.1:${rxCapped.port} format priority local0 debug warning`,
      ],
      defaults: ['option log-separate-errors'],
    }))
    await rawExchange(lb.port(), 'GET /ok HTTP/1.0\r\n\r\n')
    await rawExchange(lb.port(), 'GET /down HTTP/1.0\r\n\r\n')
    const [ok, down] = await lb.waitLogs(2)
    expect(await rxInfo.waitFrames(2)).toEqual([`<134>${ok}\n`, `<131>${down}\n`])
    expect(await rxCapped.waitFrames(2)).toEqual([`<134>${ok}\n`, `<132>${down}\n`])
    expect(await rxErr.waitFrames(1)).toEqual([`<131>${down}\n`])
  })

  test('server state lines go through the same sender at their levels: DOWN at alert, "no server available" at emerg', async () => {
    await using rxAlert = await syslogReceiver()
    await using rxEmerg = await syslogReceiver()
    await using rxCapped = await syslogReceiver()
    await using lb = await startLb(refusedAppConfig([
      'log stdout format raw local0',
      `log 127.0.0.1:${rxAlert.port} format priority local0 alert`,
      `log 127.0.0.1:${rxEmerg.port} format priority daemon emerg`,
      `log 127.0.0.1:${rxCapped.port} format priority local0 debug notice`,
    ]))
    await waitLine(lb, /has no server available/)
    const [down, none] = lb.logs
    expect(stateLines(lb)).toEqual([
      'Server app/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      'backend app has no server available!',
    ])
    expect(await rxAlert.waitFrames(2)).toEqual([`<129>${down}\n`, `<128>${none}\n`])
    expect(await rxCapped.waitFrames(2)).toEqual([`<133>${down}\n`, `<133>${none}\n`])
    expect(await rxEmerg.waitFrames(1)).toEqual([`<24>${none}\n`])
  })
})
