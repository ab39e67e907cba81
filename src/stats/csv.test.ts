import { expect, test } from 'bun:test'
import { cfg, startLb } from '../../test/support/harness.ts'
import { csvCell, csvHeader, renderCsv } from './csv.ts'
import { renderEnv, statsRows } from './rows.ts'

/** The CSV as records by `pxname/svname`, each a map of column name to cell. */
function parseCsv(text: string): Map<string, Record<string, string>> {
  const [head, ...lines] = text.trimEnd().split('\n')
  const names = head!.slice(2).split(',')
  const out = new Map<string, Record<string, string>>()
  for (const l of lines) {
    const cells = l.split(',')
    const rec: Record<string, string> = {}
    names.forEach((n, i) => { rec[n] = cells[i]! })
    out.set(`${rec['pxname']}/${rec['svname']}`, rec)
  }
  return out
}

test("the header is HAProxy 2.6's, in its order, ending with the '-' column", () => {
  const h = csvHeader()
  expect(h.startsWith('# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_check_status,-,\n')).toBe(true)
  expect(h.split(',').length).toBe(103)
})

test('a cell with a comma or a quote is quoted, its quotes doubled', () => {
  expect(csvCell('a,b')).toBe('"a,b"')
  expect(csvCell('say "hi"')).toBe('"say ""hi"""')
  expect(csvCell(undefined)).toBe('')
  expect(csvCell(0)).toBe('0')
})

test('rows in config order (FRONTEND, servers, BACKEND), with the requests, statuses and bytes counted', async () => {
  using ok = Bun.serve({ port: 0, fetch: (req) => new Response(new URL(req.url).pathname === '/missing' ? 'no' : 'hello', { status: new URL(req.url).pathname === '/missing' ? 404 : 200 }) })
  await using lb = await startLb(cfg`
    defaults
      mode http
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    frontend web
      bind 127.0.0.1:0
      http-request deny if { path /forbidden }
      default_backend app
    backend app
      server s1 127.0.0.1:${ok.port}
      server s2 127.0.0.1:${ok.port} disabled
    listen other
      bind 127.0.0.1:0
      mode tcp
      server t1 127.0.0.1:${ok.port} backup`)
  const base = `http://127.0.0.1:${lb.port('web')}`
  // The deny keeps the client connection open (HAProxy 2.x): the last request closes it, so that
  // the session ends and its bytes in are counted.
  for (const path of ['/', '/', '/missing']) await (await fetch(base + path)).text()
  await (await fetch(base + '/forbidden', { headers: { connection: 'close' } })).text()
  const csv = renderCsv(statsRows(lb.engine, renderEnv(lb.engine, false)))
  const rows = parseCsv(csv)
  expect([...rows.keys()]).toEqual(['web/FRONTEND', 'app/s1', 'app/s2', 'app/BACKEND', 'other/FRONTEND', 'other/t1', 'other/BACKEND'])
  const fe = rows.get('web/FRONTEND')!
  expect(fe).toMatchObject({ status: 'OPEN', type: '0', iid: '1', sid: '0', pid: '1', mode: 'http', req_tot: '4', hrsp_2xx: '2', hrsp_4xx: '2', dreq: '1', qcur: '' })
  expect(Number(fe['stot'])).toBeGreaterThanOrEqual(1)
  expect(Number(fe['bin'])).toBeGreaterThan(0)
  expect(Number(fe['bout'])).toBeGreaterThan(0)
  const be = rows.get('app/BACKEND')!
  expect(be).toMatchObject({ status: 'UP', type: '1', iid: '2', act: '1', bck: '0', weight: '1', req_tot: '3', hrsp_2xx: '2', hrsp_4xx: '1', stot: '3', lbtot: '3' })
  // Keep-alive: the later requests may reuse the server connection of the first.
  expect(Number(be['connect']) + Number(be['reuse'])).toBe(3)
  const s1 = rows.get('app/s1')!
  expect(s1).toMatchObject({ status: 'no check', type: '2', sid: '1', stot: '3', hrsp_2xx: '2', hrsp_4xx: '1', weight: '1', act: '1', bck: '0', check_status: '', addr: '' })
  expect(rows.get('app/s2')!['status']).toBe('MAINT')
  expect(rows.get('other/t1')).toMatchObject({ status: 'no check', act: '0', bck: '1', mode: 'tcp', hrsp_2xx: '' })
  expect(rows.get('other/BACKEND')).toMatchObject({ status: 'UP', act: '0', bck: '1' })
})

test('legends add the server address, the cookie and the algorithm', async () => {
  await using lb = await startLb(cfg`
    listen app
      bind 127.0.0.1:0
      mode http
      balance leastconn
      cookie SRV insert
      server s1 127.0.0.1:8080 cookie one`)
  const rows = parseCsv(renderCsv(statsRows(lb.engine, renderEnv(lb.engine, true))))
  expect(rows.get('app/s1')).toMatchObject({ addr: '127.0.0.1:8080', cookie: 'one' })
  expect(rows.get('app/BACKEND')).toMatchObject({ cookie: 'SRV', algo: 'leastconn' })
})

test('option socket-stats: a row per listener after FRONTEND (type 3, its number as sid), counting its sessions and bytes', async () => {
  using ok = Bun.serve({ port: 0, fetch: () => new Response('hello') })
  await using lb = await startLb(cfg`
    defaults
      mode http
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    frontend web
      option socket-stats
      bind 127.0.0.1:0
      bind 127.0.0.1:0 name alt
      default_backend app
    frontend plain
      bind 127.0.0.1:0
      default_backend app
    backend app
      server s1 127.0.0.1:${ok.port}`)
  await (await fetch(`http://127.0.0.1:${lb.port('web')}/`, { headers: { connection: 'close' } })).text()
  const { until } = await import('../../test/support/wait.ts')
  await until(() => lb.engine.frontends[0]!.listenerStats[0]!.counters.cur === 0, 'the session to end')
  const rows = parseCsv(renderCsv(statsRows(lb.engine, renderEnv(lb.engine, true))))
  expect([...rows.keys()]).toEqual(['web/FRONTEND', 'web/sock-1', 'web/alt', 'plain/FRONTEND', 'app/s1', 'app/BACKEND'])
  const li = rows.get('web/sock-1')!
  expect(li).toMatchObject({ type: '3', iid: '1', sid: '1', pid: '1', status: 'OPEN', scur: '0', smax: '1', stot: '1', dreq: '0', ereq: '0', dcon: '0', qcur: '', req_tot: '' })
  expect(li['addr']).toBe(`127.0.0.1:${lb.port('web')}`)
  expect(Number(li['bin'])).toBeGreaterThan(0)
  expect(Number(li['bout'])).toBeGreaterThan(0)
  expect(rows.get('web/alt')).toMatchObject({ type: '3', sid: '2', stot: '0', bin: '0', bout: '0' })
  // Without legends, no address; `show stat 1 8 -1` (listeners only) reads the same rows.
  expect(parseCsv(renderCsv(statsRows(lb.engine, renderEnv(lb.engine, false)))).get('web/sock-1')!['addr']).toBe('')
  const { CliSession } = await import('../admin/session.ts')
  const out = new CliSession({ engine: lb.engine, level: 'admin' }).input('show stat 1 8 -1\n')
  expect([...parseCsv(out.trimEnd()).keys()]).toEqual(['web/sock-1', 'web/alt'])
})
