import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { cfg, startLb } from '../../test/support/harness.ts'
import { FIXTURES } from '../../test/support/rules-ctx.ts'
import { StickTable } from '../rules/stick-table.ts'
import { CliSession } from './session.ts'
import { tableHead } from './table-commands.ts'
import type { CliLevel } from './types.ts'

const HOSTS = join(FIXTURES, 'hosts.map')

const config = (port = 1): string => cfg`
  defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
  frontend web
    bind 127.0.0.1:0
    stick-table type ip size 100 expire 30s store http_req_cnt,http_req_rate(10s)
    http-request track-sc0 src
    http-request set-header X-Backend %[req.hdr(host),map(${HOSTS},none)]
    default_backend app
  backend app
    server s1 127.0.0.1:${port}`

function run(lb: { engine: CliSession['ctx']['engine'] }, text: string, level: CliLevel = 'operator'): string {
  return new CliSession({ engine: lb.engine, level }).input(text)
}

test('show table: the tables, then one table with its entries; set and clear table', async () => {
  await using lb = await startLb(config())
  expect(run(lb, 'show table\n')).toBe('# table: web, type: ip, size:100, used:0\n\n')
  expect(run(lb, 'set table web key 10.0.0.1 data.http_req_cnt 7\n')).toBe('\n')
  const out = run(lb, 'show table web\n')
  expect(out).toMatch(/^# table: web, type: ip, size:100, used:1\n0x[0-9a-f]+: key=10\.0\.0\.1 use=0 exp=\d+ http_req_cnt=7 http_req_rate\(10000\)=0\n\n$/)
  expect(run(lb, 'show table web data.http_req_cnt gt 7\n')).toBe('# table: web, type: ip, size:100, used:1\n\n')
  expect(run(lb, 'show table web key 10.0.0.1\n')).toContain('key=10.0.0.1')
  expect(run(lb, 'show table web\n', 'user')).toBe('# table: web, type: ip, size:100, used:1\n# contents not dumped due to insufficient privileges\n\n')
  expect(run(lb, 'clear table web key 10.0.0.1\n')).toBe('\n')
  expect(run(lb, 'show table web\n')).toBe('# table: web, type: ip, size:100, used:0\n\n')
  expect(run(lb, 'show table nothere\n')).toBe('No such table\n\n')
  expect(run(lb, 'set table web key 10.0.0.1 data.gpc0 1\n')).toBe('Data type not stored in this table\n\n')
  expect(run(lb, 'clear table web\n', 'user')).toBe('Permission denied\n\n')
})

test('maps: show, add, set, del, clear, and the rules see each change at once', async () => {
  using echo = Bun.serve({ port: 0, fetch: (req) => new Response(req.headers.get('x-backend') ?? '') })
  await using lb = await startLb(config(echo.port))
  const backendFor = async (host: string): Promise<string> => (await fetch(`http://127.0.0.1:${lb.port('web')}/`, { headers: { host } })).text()
  expect(await backendFor('example.com')).toBe('app')
  const list = run(lb, 'show map\n')
  expect(list).toBe(`# id (file) description\n0 (${HOSTS}) pattern loaded from file '${HOSTS}'. curr_ver=0 next_ver=0 entry_cnt=4\n\n`)
  expect(run(lb, 'show map hosts.map\n')).toMatch(/^0x[0-9a-f]+ example\.com app\n/)
  expect(run(lb, 'add map hosts.map new.example.com fresh\n')).toBe('\n')
  expect(run(lb, 'set map hosts.map example.com changed\n')).toBe('\n')
  expect(run(lb, 'set map hosts.map nothere.example.com x\n')).toBe('entry not found.\n\n')
  expect(await backendFor('example.com')).toBe('changed')
  expect(await backendFor('new.example.com')).toBe('fresh')
  expect(run(lb, 'del map hosts.map api.example.com\n')).toBe('\n')
  expect(await backendFor('api.example.com')).toBe('none')
  expect(run(lb, 'del map hosts.map api.example.com\n')).toBe('Key not found.\n\n')
  const ref = lb.engine.rules.maps.get(HOSTS)!
  expect(ref.entries().map((e) => `${e.key}=${e.value}`)).toEqual(['example.com=changed', 'www.example.com=app', 'static.example.com=static', 'new.example.com=fresh'])
  expect(run(lb, 'show map nothere.map\n')).toBe('Unknown map identifier. Please use #<id> or <file>.\n\n')
  expect(run(lb, 'add map hosts.map a b\n', 'user')).toBe('Permission denied\n\n')
  expect(run(lb, 'clear map #0\n')).toBe('\n')
  expect(ref.size).toBe(0)
})

test("show table: 'used' counts only the entries it lists (expired ones are purged first)", () => {
  let t = 1000
  const table = new StickTable('t', { type: 'ip', size: 10, expire: 5, store: ['http_req_cnt'] }, { now: () => t })
  table.get(table.keyOf('10.0.0.1')!)
  expect(tableHead(table)).toBe('# table: t, type: ip, size:10, used:1\n')
  t += 10
  expect(tableHead(table)).toBe('# table: t, type: ip, size:10, used:0\n')
})
