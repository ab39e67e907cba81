/**
 * The architecture guide's designs that rest on health checks, end to end on loopback addresses,
 * with the guide's configurations (addresses moved to 127.0.0.1 and free ports, `inter` shortened
 * so that the tests run in a second):
 *
 *   §4.1  soft stop with a file on the servers: remove /running, no new users, cookie users stay
 *   §4.2  soft stop with backup servers sharing the cookie, port 81 redirected to port 80 by a
 *         small tcp proxy (§4.2.1): stop the redirector, the backup keeps the server's users
 *   §5    multi-site: office proxy -> site directors -> local load balancers -> web servers, and
 *         a site's WAN link failing (§5.5)
 */
import { describe, expect, test } from 'bun:test'
import { serverOf, waitLine } from '../support/checks.ts'
import { cfg, connectClient, freePort, startLb, within, type Lb } from '../support/harness.ts'
import { bodyOf, type HttpOrigin, rawExchange, startHttpServer, traffic } from '../support/http-harness.ts'

/** A web server answering GETs with its name, and HEAD /running while `running` is set. */
function webServer(name: string): HttpOrigin & { running: boolean } {
  const o = startHttpServer(name, (req) => {
    if (req.method === 'HEAD') return (o as HttpOrigin & { running: boolean }).running || req.uri !== '/running' ? 'HTTP/1.0 200 OK\r\n\r\n' : 'HTTP/1.0 404 Not Found\r\n\r\n'
    return `HTTP/1.0 200 OK\r\n\r\npage from ${name}`
  }) as HttpOrigin & { running: boolean }
  o.running = true
  return o
}

/** The SERVERID (or other) cookie a response sets, if any. */
function setCookie(response: string, name = 'SERVERID'): string | undefined {
  return new RegExp(`\\r\\nSet-Cookie: ${name}=([^;\\r]*)`).exec(response)?.[1]
}


describe('guide §4.1: soft stop using a file on the servers', () => {
  test('removing /running stops new users; cookie users stay (persist) until the server stops (redispatch)', async () => {
    await using webA = webServer('A')
    await using webB = webServer('B')
    await using lb = await startLb(cfg`
      global
        log stdout format raw local0
      listen web
        bind 127.0.0.1:0
        log global
        mode http
        balance roundrobin
        cookie SERVERID insert indirect
        option httpchk HEAD /running HTTP/1.0
        server webA 127.0.0.1:${webA.port} cookie A check inter 100 rise 2 fall 2
        server webB 127.0.0.1:${webB.port} cookie B check inter 100 rise 2 fall 2
        option persist
        redispatch
        contimeout 5000
        timeout client 5s
        timeout server 5s`)
    // A user arrives without a cookie and is given one.
    const first = await rawExchange(lb.port(), 'GET / HTTP/1.0\r\n\r\n')
    const mine = setCookie(first)!
    expect(['A', 'B']).toContain(mine)
    const [home, away] = mine === 'A' ? [webA, webB] : [webB, webA]
    const homeName = `web${mine}`
    // rm -f /home/httpd/www/running
    home.running = false
    expect(await waitLine(lb, new RegExp(`web/${homeName} is DOWN`))).toMatch(new RegExp(`^Server web/${homeName} is DOWN, reason: Layer7 wrong status, code: 404, info: "Not Found", check duration: \\d+ms\\. 1 active and 0 backup servers left\\. 0 sessions active, 0 requeued, 0 remaining in queue\\.$`))
    // New users only reach the other server.
    for (let i = 0; i < 4; i++) {
      const r = await rawExchange(lb.port(), 'GET /new HTTP/1.0\r\n\r\n')
      expect(bodyOf(r)).toBe(`page from ${away.name}`)
    }
    // The user with a cookie keeps reaching its server ("option persist").
    const before = traffic(home).length
    const again = await rawExchange(lb.port(), `GET /cart HTTP/1.0\r\nCookie: SERVERID=${mine}\r\n\r\n`)
    expect(bodyOf(again)).toBe(`page from ${home.name}`)
    expect(traffic(home).length).toBe(before + 1)
    // /etc/init.d/httpd stop: the connection is refused, the user is redispatched.
    home.tcp.close()
    const moved = await rawExchange(lb.port(), `GET /cart HTTP/1.0\r\nCookie: SERVERID=${mine}\r\n\r\n`)
    expect(bodyOf(moved)).toBe(`page from ${away.name}`)
    expect(setCookie(moved)).toBe(away.name)
  })
})

/** The §4.2.1 port redirector: a tcp proxy from a port of its own to the web server's port. */
async function redirector(to: number): Promise<Lb> {
  return startLb(cfg`
    listen checks
      bind 127.0.0.1:0
      mode tcp
      dispatch 127.0.0.1:${to}
      contimeout 1000
      clitimeout 10000
      srvtimeout 10000`)
}

describe('guide §4.2: soft stop using backup servers', () => {
  test('the port-81 check fails: no new users, but the backup sharing cookie A keeps A\'s users', async () => {
    await using webA = webServer('A')
    await using webB = webServer('B')
    await using redirA = await redirector(webA.port)
    await using redirB = await redirector(webB.port)
    await using lb = await startLb(cfg`
      global
        log stdout format raw local0
      listen web
        bind 127.0.0.1:0
        log global
        mode http
        balance roundrobin
        redispatch
        cookie SERVERID insert indirect
        option httpchk HEAD / HTTP/1.0
        timeout connect 5s
        timeout client 5s
        timeout server 5s
        server webA 127.0.0.1:${webA.port} cookie A check port ${redirA.port()} inter 100
        server webB 127.0.0.1:${webB.port} cookie B check port ${redirB.port()} inter 100

        server bkpA 127.0.0.1:${webA.port} cookie A check port ${webA.port} inter 100 backup
        server bkpB 127.0.0.1:${webB.port} cookie B check port ${webB.port} inter 100 backup`)
    // The checks reach the web servers through the redirectors (not a fake service).
    await webA.waitRequests(2)
    // A user of A, from the start.
    let r = await rawExchange(lb.port(), 'GET / HTTP/1.0\r\n\r\n')
    if (setCookie(r) !== 'A') r = await rawExchange(lb.port(), 'GET / HTTP/1.0\r\n\r\n')
    expect(setCookie(r)).toBe('A')
    // Maintenance of A: stop answering on port 81 (kill the redirector).
    await redirA[Symbol.asyncDispose]()
    expect(await waitLine(lb, /web\/webA is DOWN/)).toMatch(/^Server web\/webA is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: \d+ms\. 1 active and 2 backup servers left\. 0 sessions active, 0 requeued, 0 remaining in queue\.$/)
    expect(serverOf(lb, 'web', 'bkpA').up).toBe(true)
    // New users: B only (an active server is up, so no backup takes new users).
    for (let i = 0; i < 3; i++) expect(bodyOf(await rawExchange(lb.port(), 'GET /new HTTP/1.0\r\n\r\n'))).toBe('page from B')
    // A's users still reach A, through bkpA, and keep their cookie.
    const cart = await rawExchange(lb.port(), 'GET /cart HTTP/1.0\r\nCookie: SERVERID=A\r\n\r\n')
    expect(bodyOf(cart)).toBe('page from A')
    expect(setCookie(cart)).toBeUndefined()
    // Once A receives no more traffic, stop it: bkpA fails in turn and A's users are redispatched.
    webA.tcp.close()
    await waitLine(lb, /web\/bkpA is DOWN/)
    const moved = await rawExchange(lb.port(), 'GET /cart HTTP/1.0\r\nCookie: SERVERID=A\r\n\r\n')
    expect(bodyOf(moved)).toBe('page from B')
    expect(setCookie(moved)).toBe('B')
  })
})

/** Starts an engine on a port picked now (its address is needed in other configurations before
 *  it starts); picks another if that one was taken meanwhile. */
async function onFreePort(start: (port: number) => Promise<Lb>): Promise<[Lb, number]> {
  for (let i = 0; ; i++) {
    const port = freePort()
    try {
      return [await start(port), port]
    } catch (e) {
      if (i >= 4 || !/cannot bind/.test(String(e))) throw e
    }
  }
}

/** A §5 application server: sets its JSESSIONID on a first visit, names itself in the page. */
function appServer(name: string): HttpOrigin {
  return startHttpServer(name, (req) => {
    if (req.method === 'HEAD') return 'HTTP/1.0 200 OK\r\n\r\n'
    const known = /JSESSIONID=/.test(req.header('cookie') ?? '')
    return `HTTP/1.0 200 OK\r\n${known ? '' : 'Set-Cookie: JSESSIONID=123; path=/\r\n'}\r\npage from ${name}`
  })
}

/** §5.4.4: a site's local load balancer (W?1, W?2 behind it, JSESSIONID prefixed), with its
 *  health port (no grace) forwarding to its service port (grace). */
function localLb(site: 1 | 2, addr: string, port: number, web: HttpOrigin[]): Promise<Lb> {
  const servers = web.map((w, i) => `    server W${site}${i + 1} 127.0.0.1:${w.port} cookie W${site}${i + 1} check inter 100`).join('\n')
  return startLb(`listen S${site}L1
    bind ${addr}:${port}
    grace 2000
    mode http
    balance roundrobin
    cookie JSESSIONID prefix
    option httpclose
    option forwardfor
    option httpchk HEAD / HTTP/1.0
    timeout connect 1s
    timeout client 5s
    timeout server 5s
${servers}
  listen S${site}L1-health
    bind ${addr}:0
    mode tcp
    dispatch ${addr}:${port}
    timeout connect 1s
    timeout client 5s
    timeout server 5s
`)
}

/** §5.4.3: a site director, the local site's load balancer active, the other's as backup. */
function siteDirector(name: string, addr: string, port: number, local: [string, number, number], remote: [string, number, number]): Promise<Lb> {
  return startLb(cfg`
    global
      log stdout format raw local0
    listen ${name}
      bind ${addr}:${port}
      log global
      mode http
      balance roundrobin
      redispatch
      cookie SITE insert indirect
      option httpchk HEAD / HTTP/1.0
      option forwardfor
      timeout connect 1s
      timeout client 5s
      timeout server 5s
      server ${local[0]} ${addr.replace(/\.1$/, '.11')}:${local[1]} cookie SITE${local[0][1]} check port ${local[2]} inter 100
      server ${remote[0]} ${remote[0] === 'S1L1' ? '127.1.1.11' : '127.2.1.11'}:${remote[1]} cookie SITE${remote[0][1]} check port ${remote[2]} inter 200 backup`)
}

describe('guide §5: multi-site load balancing with local preference', () => {
  test('office proxy -> site director -> local LB -> web server; site 1 unreachable from the office: SITE1 users still reach their server through site 2', async () => {
    await using w11 = appServer('W11')
    await using w12 = appServer('W12')
    await using w21 = appServer('W21')
    await using w22 = appServer('W22')
    const [s1l1Base, s1l1Port] = await onFreePort((p) => localLb(1, '127.1.1.11', p, [w11, w12]))
    await using s1l1 = s1l1Base
    const [s2l1Base, s2l1Port] = await onFreePort((p) => localLb(2, '127.2.1.11', p, [w21, w22]))
    await using s2l1 = s2l1Base
    const s1health = s1l1.port('S1L1-health')
    const s2health = s2l1.port('S2L1-health')
    const [sd1First, sd1Port] = await onFreePort((p) => siteDirector('SD1', '127.1.1.1', p, ['S1L1', s1l1Port, s1health], ['S2L1', s2l1Port, s2health]))
    let sd1: Lb | null = sd1First
    const [sd2Base, sd2Port] = await onFreePort((p) => siteDirector('SD2', '127.2.1.1', p, ['S2L1', s2l1Port, s2health], ['S1L1', s1l1Port, s1health]))
    await using sd2 = sd2Base
    try {
      await using op1 = await startLb(cfg`
        global
          log stdout format raw local0
        listen OP1
          bind 127.0.1.1:0
          log global
          mode http
          balance roundrobin
          redispatch
          cookie SITE
          option httpchk HEAD / HTTP/1.0
          timeout connect 1s
          timeout client 5s
          timeout server 5s
          server SD1 127.1.1.1:${sd1Port} cookie SITE1 check inter 100
          server SD2 127.2.1.1:${sd2Port} cookie SITE2 check inter 200 backup`)
      const office = (req: string): Promise<string> => rawExchange(op1.port(), req, { host: '127.0.1.1' })

      // An office-1 user: to site 1 (its preferred site), a web server there; the site director
      // sets SITE, the local load balancer prefixes the application's JSESSIONID.
      const first = await office('GET / HTTP/1.0\r\n\r\n')
      expect(bodyOf(first)).toMatch(/^page from W1[12]$/)
      const web = bodyOf(first).slice(-3)
      expect(setCookie(first, 'SITE')).toBe('SITE1')
      expect(setCookie(first, 'JSESSIONID')).toBe(`${web}~123`)
      const cookies = `Cookie: SITE=SITE1; JSESSIONID=${web}~123`
      expect(bodyOf(await office(`GET /next HTTP/1.0\r\n${cookies}\r\n\r\n`))).toBe(`page from ${web}`)

      // Site 1's WAN link dies: the office proxy no longer sees SD1 and sends everything to SD2,
      // which reads SITE1 and forwards over the inter-site link to S1L1, which finds the server.
      await sd1[Symbol.asyncDispose]()
      sd1 = null
      await waitLine(op1, /OP1\/SD1 is DOWN/)
      // A check in flight when SD1 went away sees a reset rather than a refusal; both are the link dying.
      expect(op1.logs).toContainEqual(expect.stringMatching(/^Server OP1\/SD1 is DOWN, reason: (Layer4 connection problem, info: "Connection refused"|Socket error, info: "Connection reset by peer"), check duration: \d+ms\. 0 active and 1 backup servers left\. Running on backup\. 0 sessions active, 0 requeued, 0 remaining in queue\.$/))
      const through2 = await office(`GET /cart HTTP/1.0\r\n${cookies}\r\n\r\n`)
      expect(bodyOf(through2)).toBe(`page from ${web}`)
      expect(setCookie(through2, 'SITE')).toBeUndefined()
      // A new office-1 user meanwhile: site 2's own servers (only initial users load the link).
      const newcomer = await office('GET / HTTP/1.0\r\n\r\n')
      expect(bodyOf(newcomer)).toMatch(/^page from W2[12]$/)
      expect(setCookie(newcomer, 'SITE')).toBe('SITE2')

      // The link comes back: the office sees SD1 again and talks to site 1 directly.
      sd1 = await siteDirector('SD1', '127.1.1.1', sd1Port, ['S1L1', s1l1Port, s1health], ['S2L1', s2l1Port, s2health])
      await waitLine(op1, /OP1\/SD1 is UP/)
      const back = sd1.frontend().totalSessions
      expect(bodyOf(await office(`GET /again HTTP/1.0\r\n${cookies}\r\n\r\n`))).toBe(`page from ${web}`)
      expect(sd1.frontend().totalSessions).toBe(back + 1)
    } finally {
      if (sd1) await sd1[Symbol.asyncDispose]()
    }
  })

  test('§5.4.4: a soft stop of a local load balancer closes its health port at once, its service port after the grace', async () => {
    await using w11 = appServer('W11')
    await using w21 = appServer('W21')
    const [s1l1Base, s1l1Port] = await onFreePort((p) => localLb(1, '127.1.1.11', p, [w11]))
    await using s1l1 = s1l1Base
    const [s2l1Base, s2l1Port] = await onFreePort((p) => localLb(2, '127.2.1.11', p, [w21]))
    await using s2l1 = s2l1Base
    const [sd1Base, sd1Port] = await onFreePort((p) => siteDirector('SD1', '127.1.1.1', p, ['S1L1', s1l1Port, s1l1.port('S1L1-health')], ['S2L1', s2l1Port, s2l1.port('S2L1-health')]))
    await using sd1 = sd1Base
    expect(bodyOf(await rawExchange(sd1Port, 'GET / HTTP/1.0\r\n\r\n', { host: '127.1.1.1' }))).toBe('page from W11')
    s1l1.engine.softStop() // kill -USR1
    // A check in flight when the health port closed sees a reset rather than a refusal, as above.
    expect(await waitLine(sd1, /SD1\/S1L1 is DOWN/)).toMatch(/^Server SD1\/S1L1 is DOWN, reason: (Layer4 connection problem, info: "Connection refused"|Socket error, info: "Connection reset by peer"), check duration: \d+ms\. 0 active and 1 backup servers left\. Running on backup\. /)
    // New users go to site 2; S1L1 still serves on its service port during its grace.
    expect(bodyOf(await rawExchange(sd1Port, 'GET / HTTP/1.0\r\n\r\n', { host: '127.1.1.1' }))).toBe('page from W21')
    expect(bodyOf(await rawExchange(s1l1Port, 'GET / HTTP/1.0\r\n\r\n', { host: '127.1.1.11' }))).toBe('page from W11')
    // After the grace (2 s) the service port closes too, and the engine stops.
    await within(5000, s1l1.engine.done, 'S1L1 to stop after its grace')
    await expect(connectClient(s1l1Port, { host: '127.1.1.11' })).rejects.toThrow()
  })
})
