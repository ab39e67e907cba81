import { expect, test } from 'bun:test'
import { StickTable } from '../rules/stick-table.ts'
import { TableSync } from './table-sync.ts'

function table(): StickTable {
  return new StickTable('t', { type: 'string', size: 100, expire: 60_000, store: ['gpc0', 'http_req_cnt', 'http_req_rate(10s)', 'server_id'] } as never)
}

test('two copies of a table add up each other\'s increments, and share values set and servers', async () => {
  const a = table()
  const b = table()
  const sa = new TableSync('table-sync-test')
  const sb = new TableSync('table-sync-test')
  try {
    sa.attach(new Map([['t', a]]))
    sb.attach(new Map([['t', b]]))
    a.inc(a.get('k')!, 'http_req_cnt', 'http_req_rate', 1)
    b.inc(b.get('k')!, 'http_req_cnt', 'http_req_rate', 2)
    b.setCounter(b.get('k')!, 'gpc0', 7)
    a.setServer(a.get('k')!, 3, 's3')
    const settled = (t: StickTable): boolean => t.read(t.lookup('k')!, 'http_req_cnt') === 3 && t.read(t.lookup('k')!, 'gpc0') === 7 && t.lookup('k')!.serverName === 's3'
    for (let i = 0; i < 200 && !(settled(a) && settled(b)); i++) await new Promise((r) => setImmediate(r))
    for (const t of [a, b]) {
      const e = t.lookup('k')!
      expect([t.read(e, 'http_req_cnt'), t.read(e, 'http_req_rate'), t.read(e, 'gpc0'), e.serverId, e.serverName]).toEqual([3, 3, 7, 3, 's3'])
    }
  } finally {
    sa.close()
    sb.close()
  }
})
