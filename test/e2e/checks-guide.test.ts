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
import { serverOf, waitLine } from './checks-lib.ts'
import { cfg, startLb, type Lb } from './harness.ts'
import { type HttpOrigin, rawExchange, type SeenRequest, startHttpServer } from './http-harness.ts'

/** Requests that are not health checks. */
function traffic(o: HttpOrigin): SeenRequest[] {
  return o.requests.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')
}

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

function body(response: string): string {
  return response.slice(response.indexOf('\r\n\r\n') + 4)
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
      expect(body(r)).toBe(`page from ${away.name}`)
    }
    // The user with a cookie keeps reaching its server ("option persist").
    const before = traffic(home).length
    const again = await rawExchange(lb.port(), `GET /cart HTTP/1.0\r\nCookie: SERVERID=${mine}\r\n\r\n`)
    expect(body(again)).toBe(`page from ${home.name}`)
    expect(traffic(home).length).toBe(before + 1)
    // /etc/init.d/httpd stop: the connection is refused, the user is redispatched.
    home.tcp.close()
    const moved = await rawExchange(lb.port(), `GET /cart HTTP/1.0\r\nCookie: SERVERID=${mine}\r\n\r\n`)
    expect(body(moved)).toBe(`page from ${away.name}`)
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
    for (let i = 0; i < 3; i++) expect(body(await rawExchange(lb.port(), 'GET /new HTTP/1.0\r\n\r\n'))).toBe('page from B')
    // A's users still reach A, through bkpA, and keep their cookie.
    const cart = await rawExchange(lb.port(), 'GET /cart HTTP/1.0\r\nCookie: SERVERID=A\r\n\r\n')
    expect(body(cart)).toBe('page from A')
    expect(setCookie(cart)).toBeUndefined()
    // Once A receives no more traffic, stop it: bkpA fails in turn and A's users are redispatched.
    webA.tcp.close()
    await waitLine(lb, /web\/bkpA is DOWN/)
    const moved = await rawExchange(lb.port(), 'GET /cart HTTP/1.0\r\nCookie: SERVERID=A\r\n\r\n')
    expect(body(moved)).toBe('page from B')
    expect(setCookie(moved)).toBe('B')
  })
})
