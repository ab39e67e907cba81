/**
 * The architecture guide's HTTP flows (§1, §2, §2.1, §3, §3.1, §7), each with the guide's
 * configuration (addresses moved to 127.0.0.x, ports to free ones) and its request/response flow
 * checked byte for byte on both sides: what the client sent and received, what the server received
 * and sent. The guide's `check` lines are kept: health-check requests (HEAD /index.html) reaching
 * the servers are left out of what the tests compare.
 */
import { describe, expect, test } from 'bun:test'
import { cfg, startLb, until } from '../support/harness.ts'
import { answer, httpClient, type HttpOrigin, okResponse, rawExchange, type SeenRequest, startHttpServer, traffic, waitResponses } from '../support/http-harness.ts'

/** An origin answering the guide's `HTTP/1.0 200 OK` (then closing, as HTTP/1.0 does). */
function origin10(name: string, extra: (req: SeenRequest) => string = () => ''): HttpOrigin {
  return startHttpServer(name, (req) => `HTTP/1.0 200 OK\r\n${extra(req)}\r\npage from ${name}`)
}

interface Farm extends AsyncDisposable {
  a: HttpOrigin
  b: HttpOrigin
  c: HttpOrigin
  d: HttpOrigin
  /** By the guide's cookie values A to D. */
  byName: Record<string, HttpOrigin>
  ports: number[]
}

/** The guide's four web servers (webA to webD), each made by `start`; disposed together. */
function startFarm(start: (name: string) => HttpOrigin = (name) => startHttpServer(name)): Farm {
  const [a, b, c, d] = ['A', 'B', 'C', 'D'].map((name) => start(name)) as [HttpOrigin, HttpOrigin, HttpOrigin, HttpOrigin]
  return {
    a, b, c, d,
    byName: { A: a, B: b, C: c, D: d },
    ports: [a.port, b.port, c.port, d.port],
    async [Symbol.asyncDispose]() {
      for (const o of [a, b, c, d]) await o[Symbol.asyncDispose]()
    },
  }
}

/** An origin that holds every GET unanswered (in `held`, for `answer`) and answers the health
 *  checks. */
function holdingOrigin(name: string, held: { o: HttpOrigin; r: SeenRequest }[]): HttpOrigin {
  const o = startHttpServer(name, (r) => {
    if (r.method !== 'GET') return okResponse('ok')
    held.push({ o, r })
    return null
  })
  return o
}

describe('guide §1: cookie insertion', () => {
  const config = (ports: number[]) => cfg`
    listen webfarm
      bind 127.0.0.1:0
      mode http
      balance roundrobin
      cookie SERVERID insert indirect
      option httpchk HEAD /index.html HTTP/1.0
      timeout connect 5s
      timeout client 5s
      timeout server 5s
      server webA 127.0.0.1:${ports[0]} cookie A check
      server webB 127.0.0.1:${ports[1]} cookie B check
      server webC 127.0.0.1:${ports[2]} cookie C check
      server webD 127.0.0.1:${ports[3]} cookie D check
  `

  test('the first response inserts SERVERID; later requests go to that server without the cookie', async () => {
    await using farm = startFarm(origin10)
    const { a, b, c, d } = farm
    await using lb = await startLb(config(farm.ports))

    // No cookie: load-balancing mode, the request reaches webA as the client wrote it.
    const r1 = await rawExchange(lb.port(), 'GET /URI1 HTTP/1.0\r\n\r\n')
    expect(traffic(a).map((r) => r.head)).toEqual(['GET /URI1 HTTP/1.0\r\n\r\n'])
    // The proxy adds the server cookie in return.
    expect(r1).toBe('HTTP/1.0 200 OK\r\nSet-Cookie: SERVERID=A; path=/\r\n\r\npage from A')

    // The client comes back with the cookie: forwarded to A, cookie deleted, none added.
    const r2 = await rawExchange(lb.port(), 'GET /URI2 HTTP/1.0\r\nCookie: SERVERID=A\r\n\r\n')
    expect(traffic(a).map((r) => r.head)).toEqual(['GET /URI1 HTTP/1.0\r\n\r\n', 'GET /URI2 HTTP/1.0\r\n\r\n'])
    expect(r2).toBe('HTTP/1.0 200 OK\r\n\r\npage from A')
    const r3 = await rawExchange(lb.port(), 'GET /URI3 HTTP/1.0\r\nCookie: SERVERID=A\r\n\r\n')
    expect(r3).toBe('HTTP/1.0 200 OK\r\n\r\npage from A')
    expect(traffic(a).length).toBe(3)
    expect(traffic(b).length + traffic(c).length + traffic(d).length).toBe(0)

    // A cookie naming another server sends the request there (and keeps the other cookies).
    const r4 = await rawExchange(lb.port(), 'GET /URI4 HTTP/1.0\r\nCookie: lang=fr; SERVERID=C; theme=dark\r\n\r\n')
    expect(r4).toBe('HTTP/1.0 200 OK\r\n\r\npage from C')
    expect(traffic(c).map((r) => r.head)).toEqual(['GET /URI4 HTTP/1.0\r\nCookie: lang=fr; theme=dark\r\n\r\n'])

    // A value no server has is ignored: balanced, and a fresh cookie is set.
    const r5 = await rawExchange(lb.port(), 'GET /URI5 HTTP/1.0\r\nCookie: SERVERID=Z\r\n\r\n')
    expect(r5).toMatch(/^HTTP\/1\.0 200 OK\r\nSet-Cookie: SERVERID=[ABCD]; path=\/\r\n\r\npage from [ABCD]$/)
  })

  test('with keep-alive every request is analysed (the 1.x first-request limit does not apply)', async () => {
    await using farm = startFarm()
    await using lb = await startLb(config(farm.ports))
    using cl = await httpClient(lb.port())
    await cl.write('GET /1 HTTP/1.1\r\nHost: www\r\n\r\n')
    const [first] = await waitResponses(cl, 1)
    const m = /Set-Cookie: SERVERID=([ABCD]); path=\//.exec(first!)
    expect(m).not.toBeNull()
    const chosen = farm.byName[m![1]!]!
    // Three more requests on the same connection, with the cookie: each reaches the chosen
    // server without it, and no response sets it again.
    for (let i = 2; i <= 4; i++) await cl.write(`GET /${i} HTTP/1.1\r\nHost: www\r\nCookie: SERVERID=${m![1]}\r\n\r\n`)
    const all = await waitResponses(cl, 4)
    expect(all.slice(1).every((r) => !r.includes('Set-Cookie'))).toBe(true)
    expect(traffic(chosen).map((r) => r.head)).toEqual([1, 2, 3, 4].map((i) => `GET /${i} HTTP/1.1\r\nHost: www\r\n\r\n`))
  })
})

describe('guide §2: cookie prefixing, httpclose, forwardfor', () => {
  const config = (ports: number[], extra = '') => cfg`
    listen webfarm
      bind 127.0.0.1:0
      mode http
      balance roundrobin
      cookie JSESSIONID prefix
      option httpclose
      option forwardfor
      option httpchk HEAD /index.html HTTP/1.0
      timeout connect 5s
      timeout client 5s
      timeout server 5s
      ${extra}
      server webA 127.0.0.1:${ports[0]} cookie A check
      server webB 127.0.0.1:${ports[1]} cookie B check
      server webC 127.0.0.1:${ports[2]} cookie C check
      server webD 127.0.0.1:${ports[3]} cookie D check
  `

  test('the application cookie is prefixed with the server on the way out and unprefixed on the way in', async () => {
    // The application sets JSESSIONID on /URI2.
    const app = (name: string) => origin10(name, (req) => (req.uri === '/URI2' ? 'Set-Cookie: JSESSIONID=123\r\n' : ''))
    await using farm = startFarm(app)
    const { a, b } = farm
    await using lb = await startLb(config(farm.ports))
    const from = '127.0.0.3'

    // No cookie: balanced; the server sees X-Forwarded-For; the response is unchanged.
    const r1 = await rawExchange(lb.port(), 'GET /URI1 HTTP/1.0\r\n\r\n', { from })
    expect(traffic(a).map((r) => r.head)).toEqual(['GET /URI1 HTTP/1.0\r\nX-Forwarded-For: 127.0.0.3\r\n\r\n'])
    expect(r1).toBe('HTTP/1.0 200 OK\r\n\r\npage from A')

    // No cookie again: possibly another server, which sets JSESSIONID: prefixed with its name.
    const r2 = await rawExchange(lb.port(), 'GET /URI2 HTTP/1.0\r\n\r\n', { from })
    expect(traffic(b).map((r) => r.head)).toEqual(['GET /URI2 HTTP/1.0\r\nX-Forwarded-For: 127.0.0.3\r\n\r\n'])
    expect(r2).toBe('HTTP/1.0 200 OK\r\nSet-Cookie: JSESSIONID=B~123\r\n\r\npage from B')

    // The client presents B~123: the request goes to B, which sees its own value again.
    const r3 = await rawExchange(lb.port(), 'GET /URI3 HTTP/1.0\r\nCookie: JSESSIONID=B~123\r\n\r\n', { from })
    expect(traffic(farm.byName['B']!).map((r) => r.head).at(-1)).toBe('GET /URI3 HTTP/1.0\r\nCookie: JSESSIONID=123\r\nX-Forwarded-For: 127.0.0.3\r\n\r\n')
    expect(r3).toBe('HTTP/1.0 200 OK\r\n\r\npage from B')
  })

  test('httpclose: an HTTP/1.1 client is told Connection: close, and so is the server', async () => {
    await using farm = startFarm()
    await using lb = await startLb(config(farm.ports))
    const r = await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: www\r\n\r\n')
    expect(r).toBe('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\nA')
    expect(traffic(farm.a)[0]!.head).toBe('GET / HTTP/1.1\r\nHost: www\r\nX-Forwarded-For: 127.0.0.1\r\nConnection: close\r\n\r\n')
  })

  test('§2.1: httplog lines for requests, none for connections that exchange nothing (dontlognull)', async () => {
    await using farm = startFarm(origin10)
    await using lb = await startLb(config(farm.ports, 'option httplog\n  option dontlognull\n  log stdout format raw local0'))
    {
      // A layer-4 health check of an upstream balancer: connect, then close.
      using probe = await httpClient(lb.port())
      probe.end()
      await probe.waitClosed()
    }
    await rawExchange(lb.port(), 'GET /URI1 HTTP/1.0\r\n\r\n')
    const [line] = await lb.waitLogs(1)
    expect(line).toMatch(/^127\.0\.0\.1:\d+ \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] webfarm webfarm\/webA \d+\/0\/\d+\/\d+\/\d+ 200 \d+ - - --NN 1\/1\/0\/0\/0 0\/0 "GET \/URI1 HTTP\/1\.0"$/)
    // The probe left no line: the only line is the request's.
    await until(() => lb.sessions().length === 0, 'sessions to end')
    expect(lb.logs.length).toBe(1)
  })
})

describe('guide §3: cookie insertion behind a caching SSL proxy (nocache)', () => {
  test('an inserted cookie comes with Cache-Control: private; later requests are unchanged', async () => {
    await using farm = startFarm(origin10)
    // The 1.x `listen ADDR` form, as the guide writes it.
    await using lb = await startLb(cfg`
      listen 127.0.0.1:0
        mode http
        balance roundrobin
        cookie SERVERID insert indirect nocache
        option httpchk HEAD /index.html HTTP/1.0
        timeout connect 5s
        timeout client 5s
        timeout server 5s
        server webA 127.0.0.1:${farm.a.port} cookie A check
        server webB 127.0.0.1:${farm.b.port} cookie B check
        server webC 127.0.0.1:${farm.c.port} cookie C check
        server webD 127.0.0.1:${farm.d.port} cookie D check
    `)
    const r1 = await rawExchange(lb.port(), 'GET /URI1 HTTP/1.0\r\n\r\n')
    expect(r1).toBe('HTTP/1.0 200 OK\r\nSet-Cookie: SERVERID=A; path=/\r\nCache-Control: private\r\n\r\npage from A')
    const r2 = await rawExchange(lb.port(), 'GET /URI2 HTTP/1.0\r\nCookie: SERVERID=A\r\n\r\n')
    expect(traffic(farm.a).map((r) => r.head).at(-1)).toBe('GET /URI2 HTTP/1.0\r\n\r\n')
    expect(r2).toBe('HTTP/1.0 200 OK\r\n\r\npage from A')
  })

  test('a response that is not cacheable anyway gets no Cache-Control', async () => {
    await using a = origin10('A', () => 'Cache-Control: no-store\r\n')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        cookie SERVERID insert indirect nocache
        timeout connect 5s
        timeout client 5s
        timeout server 5s
        server webA 127.0.0.1:${a.port} cookie A
    `)
    const r = await rawExchange(lb.port(), 'GET / HTTP/1.0\r\n\r\n')
    expect(r).toBe('HTTP/1.0 200 OK\r\nCache-Control: no-store\r\nSet-Cookie: SERVERID=A; path=/\r\n\r\npage from A')
  })
})

describe('guide §3.1: forwardfor except the local SSL offloader', () => {
  test('requests from the offloader keep its header; others get one', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(cfg`
      listen 127.0.0.1:0
        mode http
        balance roundrobin
        option forwardfor except 127.0.0.1
        cookie SERVERID insert indirect nocache
        option httpchk HEAD /index.html HTTP/1.0
        timeout connect 5s
        timeout client 5s
        timeout server 5s
        server webA 127.0.0.1:${a.port} cookie A check
    `)
    // stunnel, on the proxy's own address, already added the header.
    await rawExchange(lb.port(), 'GET /s HTTP/1.0\r\nX-Forwarded-For: 10.9.8.7\r\n\r\n', { from: '127.0.0.1' })
    await rawExchange(lb.port(), 'GET /p HTTP/1.0\r\n\r\n', { from: '127.0.0.2' })
    const heads = traffic(a).map((r) => r.head)
    expect(heads).toEqual(['GET /s HTTP/1.0\r\nX-Forwarded-For: 10.9.8.7\r\n\r\n', 'GET /p HTTP/1.0\r\nX-Forwarded-For: 127.0.0.2\r\n\r\n'])
  })
})

describe('guide §7: request queueing with per-server maxconn', () => {
  test('no server ever sees more than maxconn requests; the rest wait in the queue and are all served', async () => {
    const held: { o: HttpOrigin; r: SeenRequest }[] = []
    await using a = holdingOrigin('railsA', held)
    await using b = holdingOrigin('railsB', held)
    await using c = holdingOrigin('railsC', held)
    await using lb = await startLb(cfg`
      listen appfarm
        bind 127.0.0.1:0
        mode http
        maxconn 10000
        option httpclose
        option forwardfor
        balance roundrobin
        cookie SERVERID insert indirect
        option httpchk HEAD /index.html HTTP/1.0
        server railsA 127.0.0.1:${a.port} cookie A maxconn 4 check
        server railsB 127.0.0.1:${b.port} cookie B maxconn 4 check
        server railsC 127.0.0.1:${c.port} cookie C maxconn 4 check
        contimeout 60000
        timeout client 10s
        timeout server 10s
    `)
    const clients = await Promise.all(Array.from({ length: 20 }, () => httpClient(lb.port())))
    try {
      for (const [i, cl] of clients.entries()) await cl.write(`GET /r${i} HTTP/1.0\r\n\r\n`)
      // 12 slots: 12 requests reach servers, 8 wait.
      await until(() => held.length === 12, `12 requests held (have ${held.length})`)
      const be = lb.backend('appfarm')
      expect(be.queue.length + be.servers.reduce((n, s) => n + s.queue.length, 0)).toBe(8)
      // Answer one at a time; each answer lets exactly one queued request through.
      // Requests a server holds unanswered (its connections may linger a moment after their
      // answer, so connections are not what the limit counts: requests are).
      const inFlight = (o: HttpOrigin, done: number): number => held.filter((h, i) => h.o === o && i >= done).length
      let answered = 0
      let peak = 0
      while (answered < 20) {
        await until(() => held.length > answered, `request ${answered + 1} to reach a server`)
        for (const o of [a, b, c]) peak = Math.max(peak, inFlight(o, answered))
        const { o, r } = held[answered++]!
        answer(o, r, `HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok`)
      }
      for (const cl of clients) await cl.waitEof()
      expect(clients.every((cl) => cl.text().startsWith('HTTP/1.0 200 OK\r\n'))).toBe(true)
      expect(peak).toBe(4)
    } finally {
      for (const cl of clients) cl[Symbol.dispose]()
    }
  })

  test('abortonclose: a queued request whose client left is never sent', async () => {
    const held: { o: HttpOrigin; r: SeenRequest }[] = []
    await using a = holdingOrigin('railsA', held)
    await using lb = await startLb(cfg`
      listen appfarm
        bind 127.0.0.1:0
        mode http
        option httpclose
        option abortonclose
        option httplog
        log stdout format raw local0
        server railsA 127.0.0.1:${a.port} maxconn 1
        contimeout 60000
        timeout client 10s
        timeout server 10s
    `)
    using first = await httpClient(lb.port())
    await first.write('GET /first HTTP/1.0\r\n\r\n')
    await until(() => held.length === 1, 'the first request at the server')
    using second = await httpClient(lb.port())
    await second.write('GET /second HTTP/1.0\r\n\r\n')
    const be = lb.backend('appfarm')
    await until(() => be.servers[0]!.queue.length + be.queue.length === 1, 'the second request to queue')
    second.shutdown() // the user clicked "Stop"
    const [line] = await lb.waitLogs(1)
    expect(line).toContain(' CQ-- ')
    expect(line).toContain('"GET /second HTTP/1.0"')
    answer(a, held[0]!.r, 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok')
    await first.waitEof()
    expect(a.requests.filter((r) => r.uri === '/second')).toEqual([])
  })

  test('abortonclose: a client leaving while its request waits for the response closes the server connection (400, CH)', async () => {
    const held: { o: HttpOrigin; r: SeenRequest }[] = []
    await using a = holdingOrigin('railsA', held)
    await using lb = await startLb(cfg`
      listen appfarm
        bind 127.0.0.1:0
        mode http
        option abortonclose
        option httplog
        log stdout format raw local0
        server railsA 127.0.0.1:${a.port}
        timeout connect 5s
        timeout client 10s
        timeout server 10s
    `)
    using c = await httpClient(lb.port())
    await c.write('GET /slow HTTP/1.1\r\nHost: h\r\n\r\n')
    await until(() => held.length === 1, 'the request at the server')
    c.shutdown()
    const [line] = await lb.waitLogs(1)
    expect(line).toMatch(/ 400 \d+ - - CH-- .*"GET \/slow HTTP\/1.1"$/)
    await a.tcp.changed.until(() => a.tcp.conns[0]!.eof || a.tcp.conns[0]!.closed, 'the server connection to close')
    await c.waitEof()
    expect(c.text()).toStartWith('HTTP/1.1 400 ')
  })
})
