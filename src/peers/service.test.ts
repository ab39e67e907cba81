import { describe, expect, test } from 'bun:test'
import { StickTable } from '../rules/stick-table.ts'
import { PeersService } from './service.ts'

const CFG = { type: 'ip' as const, size: 1000, expire: 60_000, store: ['server_id', 'gpc0', 'http_req_rate(10s)'] }

interface Node {
  svc: PeersService
  table: StickTable
  logs: string[]
}

/** A node named `name` listening on port 0, with `peers` to connect to. */
function node(name: string, peers: string[], o: { aloneMs?: number; table?: StickTable } = {}): Node {
  const table = o.table ?? new StickTable('web', CFG)
  const logs: string[] = []
  const svc = new PeersService({
    section: 'mesh', localName: name, bind: { kind: 'tcp', host: '127.0.0.1', port: 0 },
    peers: peers.map((p) => ({ name: p, host: '127.0.0.1', port: 0 })),
    tables: [{ name: 'web', table, cfg: CFG }], log: (l) => logs.push(l), aloneMs: o.aloneMs ?? 300,
  })
  svc.listen()
  return { svc, table, logs }
}

/** Points each node's links at the others' listeners, then connects them all. */
function mesh(...nodes: Node[]): void {
  for (const n of nodes) for (const l of n.svc.links) l.port = nodes.find((m) => m.svc.localName === l.name)!.svc.port
  for (const n of nodes) n.svc.dialAll()
}

/** Waits, polling each turn, for `check` (bounded). */
async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

describe('peers between two edgelb nodes', () => {
  test('an update on one reaches the other, server and counters with it', async () => {
    const a = node('a', ['b'])
    const b = node('b', ['a'])
    mesh(a, b)
    try {
      await until(() => b.svc.connected === 1, 'b connected to a')
      const e = a.table.get('10.0.0.1')!
      a.table.setServer(e, 2, 's2')
      a.table.inc(e, 'gpc0', 'http_req_rate', 3)
      await until(() => b.table.lookup('10.0.0.1')?.serverName === 's2' && b.table.read(b.table.lookup('10.0.0.1')!, 'gpc0') === 3, 'entry on b')
      const f = b.table.lookup('10.0.0.1')!
      expect(f.serverId).toBe(2)
      expect(b.table.read(f, 'http_req_rate')).toBe(3)
    } finally {
      a.svc.stop(); b.svc.stop()
    }
  })
})
