import { expect, test } from 'bun:test'
import { cfg, startLb } from '../../test/support/harness.ts'
import { parsePromQuery } from './prometheus.ts'

test('scope= and no-maint are read as HAProxy reads them; anything else is a bad request', () => {
  expect(parsePromQuery('/metrics')).toEqual({ scopes: new Set(['global', 'frontend', 'backend', 'server', 'sticktable']), noMaint: false })
  expect(parsePromQuery('/metrics?scope=backend&scope=server&no-maint')).toEqual({ scopes: new Set(['backend', 'server']), noMaint: true })
  expect(parsePromQuery('/metrics?scope=')!.scopes.size).toBe(0)
  expect(parsePromQuery('/metrics?scope=bogus')).toBeUndefined()
})

const config = (port: number) => cfg`
  defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
  frontend web
    bind 127.0.0.1:0
    http-request use-service prometheus-exporter if { path /metrics }
    stick-table type ip size 1k expire 10s store http_req_cnt
    default_backend app
  backend app
    server s1 127.0.0.1:${port}
    server s2 127.0.0.1:${port} disabled
  listen raw
    bind 127.0.0.1:0
    mode tcp
    server t1 127.0.0.1:${port}`

test("/metrics: HAProxy's names, labels and types, text format 0.0.4", async () => {
  using app = Bun.serve({ port: 0, fetch: () => new Response('ok', { status: 201 }) })
  await using lb = await startLb(config(app.port!))
  const base = `http://127.0.0.1:${lb.port('web')}`
  await (await fetch(base + '/')).text()
  const r = await fetch(base + '/metrics')
  expect(r.status).toBe(200)
  expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4')
  const text = await r.text()
  const lines = text.split('\n')
  expect(lines).toContain('# TYPE haproxy_process_uptime_seconds gauge')
  expect(lines).toContain('# TYPE haproxy_process_requests_total counter')
  expect(lines).toContain(`haproxy_process_build_info{version="${(await import('../version.ts')).version}"} 1`)
  expect(lines).toContain('# TYPE haproxy_frontend_http_requests_total counter')
  expect(lines).toContain('haproxy_frontend_current_sessions{proxy="web"} 1')
  expect(lines).toContain('haproxy_frontend_status{proxy="web",state="UP"} 1')
  expect(lines).toContain('haproxy_frontend_http_responses_total{proxy="web",code="2xx"} 1')
  expect(lines).not.toContain('haproxy_frontend_http_requests_total{proxy="raw"} 0')
  expect(lines).toContain('haproxy_backend_http_responses_total{proxy="app",code="2xx"} 1')
  expect(lines).toContain('haproxy_backend_status{proxy="app",state="UP"} 1')
  expect(lines).toContain('haproxy_backend_agg_server_check_status{proxy="app",state="MAINT"} 1')
  expect(lines).toContain('haproxy_server_status{proxy="app",server="s1",state="UP"} 1')
  expect(lines).toContain('haproxy_server_status{proxy="app",server="s2",state="MAINT"} 1')
  expect(lines).toContain('haproxy_server_limit_sessions{proxy="app",server="s1"} NaN')
  expect(lines).toContain('haproxy_sticktable_size{name="web",type="ip"} 1024')
  expect(lines.filter((l) => l.startsWith('haproxy_server_response_time_average_seconds{proxy="app",server="s1"} '))[0]).toMatch(/ \d+\.\d{6}$/)
  // One HELP and one TYPE per metric, before all its samples.
  const types = lines.filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2])
  expect(new Set(types).size).toBe(types.length)
  // A histogram's samples are its name with `_bucket`, `_sum` or `_count`.
  let family = ''
  let histogram = false
  for (const l of lines) {
    if (l.startsWith('# TYPE ')) { family = l.split(' ')[2]!; histogram = l.split(' ')[3] === 'histogram' }
    else if (l !== '' && !l.startsWith('#') && !histogram) expect(l.startsWith(`${family}{`) || l.startsWith(`${family} `)).toBe(true)
    else if (l !== '' && !l.startsWith('#')) expect(['_bucket{', '_sum{', '_count{'].some((x) => l.startsWith(family + x))).toBe(true)
  }
})

test('response times of each http backend and server as histograms, cumulative buckets ending in +Inf', async () => {
  using app = Bun.serve({ port: 0, fetch: () => new Response('ok') })
  await using lb = await startLb(config(app.port!))
  const base = `http://127.0.0.1:${lb.port('web')}`
  for (let i = 0; i < 3; i++) await (await fetch(base + '/')).text()
  const lines = (await (await fetch(base + '/metrics?scope=backend&scope=server')).text()).split('\n')
  expect(lines).toContain('# TYPE haproxy_backend_response_time_seconds histogram')
  expect(lines).toContain('# TYPE haproxy_server_response_time_seconds histogram')
  const buckets = lines.filter((l) => l.startsWith('haproxy_server_response_time_seconds_bucket{proxy="app",server="s1",'))
  expect(buckets.map((l) => l.match(/le="([^"]+)"/)![1])).toEqual(['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'])
  const counts = buckets.map((l) => Number(l.split(' ')[1]))
  for (let i = 1; i < counts.length; i++) expect(counts[i]!).toBeGreaterThanOrEqual(counts[i - 1]!)
  expect(counts.at(-1)).toBe(3)
  expect(lines).toContain('haproxy_server_response_time_seconds_count{proxy="app",server="s1"} 3')
  expect(lines).toContain('haproxy_backend_response_time_seconds_count{proxy="app"} 3')
  expect(lines.find((l) => l.startsWith('haproxy_backend_response_time_seconds_sum{proxy="app"} '))).toMatch(/ \d+\.\d{3}$/)
  expect(lines.some((l) => l.includes('_response_time_seconds_') && l.includes('proxy="raw"'))).toBe(false) // tcp
  expect(lines.some((l) => l.includes('server="s2"') && l.includes('response_time_seconds_count'))).toBe(true)
})

test('metrics= keeps the families it names, or leaves out those prefixed with -', async () => {
  expect(parsePromQuery('/metrics?metrics=haproxy_frontend_status,haproxy_server_status&metrics=-haproxy_server_weight')).toEqual({
    scopes: new Set(['global', 'frontend', 'backend', 'server', 'sticktable']), noMaint: false,
    include: new Set(['haproxy_frontend_status', 'haproxy_server_status']), exclude: new Set(['haproxy_server_weight']),
  })
  expect(parsePromQuery('/metrics?metrics')).toBeUndefined()
  await using lb = await startLb(config(1))
  const base = `http://127.0.0.1:${lb.port('web')}`
  const only = (await (await fetch(base + '/metrics?metrics=haproxy_frontend_status,haproxy_process_nbthread')).text()).split('\n').filter((l) => l !== '' && !l.startsWith('#'))
  expect(new Set(only.map((l) => l.split(/[{ ]/)[0]))).toEqual(new Set(['haproxy_frontend_status', 'haproxy_process_nbthread']))
  const without = await (await fetch(base + '/metrics?metrics=-haproxy_server_status,-haproxy_server_response_time_seconds')).text()
  expect(without).not.toContain('haproxy_server_status')
  expect(without).not.toContain('haproxy_server_response_time_seconds')
  expect(without).toContain('haproxy_server_weight{')
})

test('scope=server&no-maint: only servers, without those in maintenance; a bad scope is 400', async () => {
  await using lb = await startLb(config(1))
  const base = `http://127.0.0.1:${lb.port('web')}`
  const text = await (await fetch(base + '/metrics?scope=server&no-maint')).text()
  expect(text).not.toContain('haproxy_process_')
  expect(text).not.toContain('haproxy_backend_')
  expect(text).toContain('server="s1"')
  expect(text).not.toContain('server="s2"')
  const bad = await fetch(base + '/metrics?scope=everything')
  expect(bad.status).toBe(400)
  await bad.text()
})

test('use-service of any other service stays refused (fail closed)', async () => {
  const { parseConfig } = await import('../../test/support/config.ts')
  expect(() => parseConfig(cfg`
    frontend web
      mode http
      bind 127.0.0.1:0
      http-request use-service lua.acme-http01 if { path_beg /.well-known/acme-challenge/ }`)).toThrow(/'http-request use-service': not implemented yet, so edgelb would skip this rule/)
})

test('haproxy_listener_* for the listeners of a frontend with option socket-stats; scope=listener selects them alone', async () => {
  expect(parsePromQuery('/metrics?scope=listener')).toEqual({ scopes: new Set(['listener']), noMaint: false })
  await using lb = await startLb(cfg`
    defaults
      mode http
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    frontend web
      option socket-stats
      bind 127.0.0.1:0 name main
      http-request use-service prometheus-exporter if { path /metrics }
    frontend plain
      bind 127.0.0.1:0
      http-request use-service prometheus-exporter if { path /metrics }`)
  const all = (await (await fetch(`http://127.0.0.1:${lb.port('web')}/metrics`)).text()).split('\n')
  expect(all).toContain('# TYPE haproxy_listener_current_sessions gauge')
  expect(all).toContain('haproxy_listener_current_sessions{proxy="web",listener="main"} 1')
  expect(all).toContain('haproxy_listener_sessions_total{proxy="web",listener="main"} 1')
  expect(all).toContain('haproxy_listener_status{proxy="web",listener="main",state="OPEN"} 1')
  expect(all).toContain('haproxy_listener_status{proxy="web",listener="main",state="FULL"} 0')
  expect(all.some((l) => l.startsWith('haproxy_listener_bytes_in_total{proxy="web",listener="main"} '))).toBe(true)
  expect(all.some((l) => l.includes('listener=') && l.includes('proxy="plain"'))).toBe(false)
  const only = (await (await fetch(`http://127.0.0.1:${lb.port('web')}/metrics?scope=listener`)).text()).split('\n').filter((l) => l !== '' && !l.startsWith('#'))
  expect(only.length).toBeGreaterThan(0)
  expect(only.every((l) => l.startsWith('haproxy_listener_'))).toBe(true)
  const none = await (await fetch(`http://127.0.0.1:${lb.port('web')}/metrics?scope=frontend`)).text()
  expect(none).not.toContain('haproxy_listener_')
})
