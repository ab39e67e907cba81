import { describe, expect, test } from 'bun:test'
import { cfg, startLb } from '../../test/support/harness.ts'
import { parsePageOptions } from './page.ts'

const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

test("the page's options are read after its URI prefix", () => {
  expect(parsePageOptions('/haproxy?stats;csv;norefresh', '/haproxy?stats')).toEqual({ format: 'csv', noRefresh: true, hideDown: false, hideMaint: false, scope: '', status: undefined })
  expect(parsePageOptions('/stats;up;json;scope=app;st=DENY', '/stats')).toEqual({ format: 'json', noRefresh: false, hideDown: true, hideMaint: false, scope: 'app', status: 'DENY' })
  expect(parsePageOptions('/stats?scope=<script>', '/stats').scope).toBe('')
})

describe('listen stats, as people write it', () => {
  const config = (port: number) => cfg`
    defaults
      mode http
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    listen stats
      bind 127.0.0.1:0
      stats enable
      stats uri /
      stats refresh 10s
      stats realm Edge\\ Stats
      stats auth admin:s3cret
      stats auth ops:other
    frontend www
      bind 127.0.0.1:0
      default_backend app
    backend app
      server web1 127.0.0.1:${port}`

  test('without credentials: 401 with the realm, and nothing of the page or the CSV', async () => {
    await using lb = await startLb(config(1))
    const base = `http://127.0.0.1:${lb.port('stats')}`
    for (const path of ['/', '/;csv', '/;json']) {
      const r = await fetch(base + path)
      expect(r.status).toBe(401)
      expect(r.headers.get('www-authenticate')).toBe('Basic realm="Edge Stats"')
      const body = await r.text()
      expect(body).not.toContain('web1')
      expect(body).not.toContain('pxname')
    }
    const wrong = await fetch(base + '/', { headers: { authorization: basic('admin', 'guess') } })
    expect(wrong.status).toBe(401)
    await wrong.text()
  })

  test('with credentials: the HTML page, the CSV, the JSON; Refresh unless ;norefresh', async () => {
    await using lb = await startLb(config(1))
    const base = `http://127.0.0.1:${lb.port('stats')}`
    const headers = { authorization: basic('ops', 'other') }
    const page = await fetch(base + '/', { headers })
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html')
    expect(page.headers.get('cache-control')).toBe('no-cache')
    expect(page.headers.get('refresh')).toBe('10')
    const html = await page.text()
    expect(html).toContain('<a class=px href="#app">app</a>')
    expect(html).toMatch(/<tr class="active_no_check"><td class=al><a name="app\/web1"><\/a>web1<\/td>/)
    const csv = await fetch(base + '/;csv;norefresh', { headers })
    expect(csv.headers.get('content-type')).toBe('text/plain')
    expect(csv.headers.get('refresh')).toBeNull()
    const lines = (await csv.text()).trimEnd().split('\n')
    expect(lines[0]!.startsWith('# pxname,svname,qcur,qmax,')).toBe(true)
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join('/'))).toEqual(['stats/FRONTEND', 'stats/BACKEND', 'www/FRONTEND', 'app/web1', 'app/BACKEND'])
    const json = await fetch(base + '/;json', { headers })
    expect(json.headers.get('content-type')).toBe('application/json')
    expect(((await json.json()) as { value: unknown }[][])[0]![0]!.value).toEqual({ type: 'str', value: 'stats' })
    const head = await fetch(base + '/', { method: 'HEAD', headers })
    expect([head.status, await head.text()]).toEqual([200, ''])
  })

  test('the page counts itself as intercepted (LR); a POST is refused without stats admin', async () => {
    await using lb = await startLb(config(1))
    const base = `http://127.0.0.1:${lb.port('stats')}`
    const headers = { authorization: basic('admin', 's3cret') }
    await (await fetch(base + '/;csv', { headers })).text()
    expect(lb.frontend('stats').counters.intercepted).toBe(1)
    const post = await fetch(base + '/', { method: 'POST', headers, body: 's=web1&action=maint&b=%233', redirect: 'manual' })
    expect(post.status).toBe(303)
    expect(post.headers.get('location')).toBe('/;st=DENY')
    expect(lb.backend('app').servers[0]!.admin).toBe('ready')
    expect(await (await fetch(base + '/;st=DENY', { headers })).text()).toContain('Action denied: this page is read-only (stats admin is not enabled).')
  })
})

test('the default URI /haproxy?stats on a frontend; other paths go to the backend; rules run before the page', async () => {
  using app = Bun.serve({ port: 0, fetch: () => new Response('from the server') })
  await using lb = await startLb(cfg`
    defaults
      mode http
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    frontend web
      bind 127.0.0.1:0
      stats enable
      stats hide-version
      http-request deny if { path_beg /haproxy } { hdr(x-block) yes }
      default_backend app
    backend app
      server s1 127.0.0.1:${app.port}`)
  const base = `http://127.0.0.1:${lb.port('web')}`
  const page = await fetch(base + '/haproxy?stats')
  expect(page.status).toBe(200)
  const html = await page.text()
  expect(html).toContain('Statistics Report for pid')
  expect(html).not.toMatch(/edgelb version/)
  expect(await (await fetch(base + '/other')).text()).toBe('from the server')
  const denied = await fetch(base + '/haproxy?stats', { headers: { 'x-block': 'yes' } })
  expect(denied.status).toBe(403)
  await denied.text()
})

test('stats scope shows only the proxies it names; the scope box narrows further', async () => {
  await using lb = await startLb(cfg`
    defaults
      mode http
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    listen stats
      bind 127.0.0.1:0
      stats uri /s
      stats scope .
      stats scope api
    backend api
      server a1 127.0.0.1:1
    backend www
      server w1 127.0.0.1:2`)
  const base = `http://127.0.0.1:${lb.port('stats')}`
  const names = async (path: string): Promise<string[]> => [...new Set((await (await fetch(base + path)).text()).trimEnd().split('\n').slice(1).map((l) => l.split(',')[0]!))]
  expect(await names('/s;csv')).toEqual(['stats', 'api'])
  expect(await names('/s;csv;scope=AP')).toEqual(['api'])
})

test('the YAML form; a realm of several words; a stats-only listen is not warned for having no server', async () => {
  const { readYaml } = await import('../config/yaml/reader.ts')
  const { buildConfig } = await import('../config/build.ts')
  const read = readYaml(cfg`
    listen:
      stats:
        mode: http
        bind: 127.0.0.1:0
        timeout: { client: 5s, server: 5s, connect: 1s }
        stats: { enable: true, uri: /, refresh: 10s, auth: [ "a:b", "c:d" ], realm: My Stats }`, 'edgelb.yaml')
  const built = buildConfig(read.sections, ['edgelb.yaml'])
  expect(built.diagnostics).toEqual([])
  expect(built.config.proxies[0]!.stats).toEqual({ uri: '/', refresh: 10_000, realm: 'My Stats', auths: [{ user: 'a', password: 'b' }, { user: 'c', password: 'd' }], hideVersion: false, showLegends: false, scope: [] })
})

test('option socket-stats: a row per listener under its frontend on the page', async () => {
  await using lb = await startLb(cfg`
    defaults
      mode http
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    listen stats
      option socket-stats
      bind 127.0.0.1:0 name public
      stats enable
      stats uri /`)
  const html = await (await fetch(`http://127.0.0.1:${lb.port('stats')}/`)).text()
  const row = html.split('\n').find((l) => l.startsWith('<tr class="socket">'))!
  expect(row).toContain('<a name="stats/+public"></a>public')
  expect(row).toContain('OPEN')
  expect(html.indexOf('<tr class="frontend">')).toBeLessThan(html.indexOf('<tr class="socket">'))
})
