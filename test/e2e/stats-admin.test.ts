// `stats admin if COND` and `stats http-request` on the stats page, end to end: the admin form's
// actions apply only when the condition holds for the request (and after `stats auth`); the
// page's own rules allow, deny or ask for credentials before anything of the page is sent.
import { describe, expect, test } from 'bun:test'
import { cfg, connectClient, startLb, startServer, until } from '../support/harness.ts'

const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`
const AUTH = { authorization: basic('admin', 's3cret') }

/** `listen stats` (with `lines`) and `backend app` (#3) with servers web1 (checked), web2. */
const config = (lines: string[], port = 1) => cfg`
  defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
  listen stats
    bind 127.0.0.1:0
    stats enable
    stats uri /
    stats auth admin:s3cret
    ${lines.join('\n    ')}
  frontend www
    bind 127.0.0.1:0
    default_backend app
  backend app
    server web1 127.0.0.1:${port} check inter 60s
    server web2 127.0.0.1:${port}`

async function post(base: string, body: string, headers: Record<string, string> = AUTH): Promise<Response> {
  return fetch(base + '/', { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' })
}

describe('stats admin if COND', () => {
  test('the condition holds: the form is on the page, and its actions apply (maint, drain, ready, health, kill sessions)', async () => {
    await using lb = await startLb(config(['stats admin if { src 127.0.0.1 }']))
    const base = `http://127.0.0.1:${lb.port('stats')}`
    const [web1, web2] = lb.backend('app').servers
    const html = await (await fetch(base + '/', { headers: AUTH })).text()
    expect(html).toContain('<form method="post" action="/">')
    expect(html).toContain('<input type="checkbox" name="s" value="web1">')
    expect(html).toContain('<input type="hidden" name="b" value="#3">')
    expect(html).toContain('<option value="maint">Set state to MAINT</option>')
    let r = await post(base, 's=web1&s=web2&action=maint&b=%233')
    expect([r.status, r.headers.get('location')]).toEqual([303, '/;st=DONE'])
    expect([web1!.admin, web2!.admin]).toEqual(['maint', 'maint'])
    expect((await post(base, 's=web1&s=web2&action=maint&b=%233')).headers.get('location')).toBe('/;st=NONE')
    expect((await post(base, 's=web2&action=drain&b=app')).headers.get('location')).toBe('/;st=DONE')
    expect(web2!.admin).toBe('drain')
    expect((await post(base, 's=web1&s=web2&action=ready&b=%233')).headers.get('location')).toBe('/;st=DONE')
    expect([web1!.admin, web2!.admin]).toEqual(['ready', 'ready'])
    // Forcing health applies to the checked server only: one of two, PART.
    expect((await post(base, 's=web1&s=web2&action=hdown&b=%233')).headers.get('location')).toBe('/;st=PART')
    expect([web1!.up, web2!.up]).toEqual([false, true])
    expect((await post(base, 's=web1&action=hrunn&b=%233')).headers.get('location')).toBe('/;st=DONE')
    expect(web1!.up).toBe(true)
    expect((await post(base, 's=nope&action=maint&b=%233')).headers.get('location')).toBe('/;st=ERRP')
    expect((await post(base, 's=web1&action=explode&b=%233')).headers.get('location')).toBe('/;st=ERRP')
    expect((await post(base, 's=web1&action=maint&b=%239')).headers.get('location')).toBe('/;st=ERRP')
    expect(web1!.admin).toBe('ready')
    expect(await (await fetch(base + '/;st=DONE', { headers: AUTH })).text()).toContain('Action processed successfully.')
  })

  test('Kill Sessions ends the live sessions on the checked server', async () => {
    await using srv = startServer('s', 'manual')
    await using lb = await startLb(config(['stats admin if TRUE'], srv.port).replace('frontend www\n  bind 127.0.0.1:0\n  default_backend app', 'listen www\n  bind 127.0.0.1:0\n  mode tcp\n  server t1 127.0.0.1:' + srv.port))
    using c = await connectClient(lb.port('www'))
    await c.write('x')
    await until(() => lb.backend('www').servers[0]!.cur === 1, 'the session on t1')
    const base = `http://127.0.0.1:${lb.port('stats')}`
    expect((await post(base, 's=t1&action=shutdown&b=www')).headers.get('location')).toBe('/;st=DONE')
    await c.waitClosed()
  })

  test('the condition does not hold: DENY, nothing changes, and the page has no form', async () => {
    await using lb = await startLb(config(['stats admin if { src 10.0.0.0/8 }']))
    const base = `http://127.0.0.1:${lb.port('stats')}`
    const r = await post(base, 's=web1&action=maint&b=%233')
    expect([r.status, r.headers.get('location')]).toEqual([303, '/;st=DENY'])
    expect(lb.backend('app').servers[0]!.admin).toBe('ready')
    const html = await (await fetch(base + '/', { headers: AUTH })).text()
    expect(html).not.toContain('<form method="post"')
    expect(html).not.toContain('type="checkbox"')
    const unless = await startLb(config(['stats admin unless { src 127.0.0.1 }']))
    try {
      expect((await post(`http://127.0.0.1:${unless.port('stats')}`, 's=web1&action=maint&b=%233')).headers.get('location')).toBe('/;st=DENY')
      expect(unless.backend('app').servers[0]!.admin).toBe('ready')
    } finally {
      await unless[Symbol.asyncDispose]()
    }
  })

  test('without the credentials of stats auth: 401, nothing changes, even where the condition holds', async () => {
    await using lb = await startLb(config(['stats admin if TRUE']))
    const base = `http://127.0.0.1:${lb.port('stats')}`
    expect((await post(base, 's=web1&action=maint&b=%233', {})).status).toBe(401)
    expect((await post(base, 's=web1&action=maint&b=%233', { authorization: basic('admin', 'wrong') })).status).toBe(401)
    expect(lb.backend('app').servers[0]!.admin).toBe('ready')
  })

  test('a form whose body comes after its head, in another packet, is read whole', async () => {
    await using lb = await startLb(config(['stats admin if TRUE']))
    using c = await connectClient(lb.port('stats'))
    const body = 's=web2&action=maint&b=%233'
    await c.write(`POST / HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH.authorization}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`)
    await c.write(body.slice(0, 10))
    await c.write(body.slice(10))
    await c.waitText('\r\n\r\n')
    expect(c.text()).toStartWith('HTTP/1.1 303 See Other\r\n')
    expect(c.text()).toContain('location: /;st=DONE\r\n')
    expect(lb.backend('app').servers[1]!.admin).toBe('maint')
  })

  test('stats admin without a condition is refused at its line', async () => {
    await expect(startLb(config(['stats admin']))).rejects.toThrow("'stats admin' expects a condition: stats admin if LOCALHOST (or: if TRUE)")
  })
})

describe('stats http-request', () => {
  test('deny: 403 and nothing of the page; the rule\'s condition decides', async () => {
    await using lb = await startLb(config(['stats http-request deny unless { src 10.0.0.0/8 }']))
    const base = `http://127.0.0.1:${lb.port('stats')}`
    for (const path of ['/', '/;csv']) {
      const r = await fetch(base + path, { headers: AUTH })
      expect(r.status).toBe(403)
      expect(await r.text()).not.toContain('pxname')
    }
    await using open = await startLb(config(['stats http-request deny if { src 10.0.0.0/8 }']))
    expect((await fetch(`http://127.0.0.1:${open.port('stats')}/`, { headers: AUTH })).status).toBe(200)
  })

  test('allow: the page without stats auth; auth: 401 with its realm', async () => {
    await using lb = await startLb(config(['stats http-request allow if { src 127.0.0.1 }']))
    const r = await fetch(`http://127.0.0.1:${lb.port('stats')}/;csv`)
    expect(r.status).toBe(200)
    expect(await r.text()).toStartWith('# pxname,')
    await using asks = await startLb(config(['stats http-request auth realm Ops if TRUE']))
    const a = await fetch(`http://127.0.0.1:${asks.port('stats')}/`, { headers: AUTH })
    expect([a.status, a.headers.get('www-authenticate')]).toEqual([401, 'Basic realm="Ops"'])
  })

  test('an action it does not take is refused at its line', async () => {
    await expect(startLb(config(['stats http-request redirect location /x']))).rejects.toThrow("'stats http-request' expects allow, deny or auth [realm NAME], got 'redirect'")
  })
})
