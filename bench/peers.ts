// bench/peers.ts: the peers protocol between two processes (edgelb's PeersService and stick
// tables, over TCP on 127.0.0.1; no proxy traffic).
//
//   ./node_modules/.bin/bun bench/peers.ts [--samples 500] [--updates 200000] [--entries 100000]
//
// Node A is this script; node B a child process (this script with --node-b). Printed:
//  - propagation delay: A writes one entry every 5 ms (gpc0 = its wall-clock µs); B takes the
//    delay at the moment its table applies the update: p50, p99, max;
//  - updates per second one connection carries: A writes --updates entries as fast as its event
//    loop allows (1,000 per turn); the rate is the count over the time until B applied the last;
//  - resync: A holds --entries entries; a fresh B connects and asks for a full resync: the time
//    from its first dial to "resynced from peer a", and the entries it holds then.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { StickTable } from '../src/rules/stick-table.ts'
import { PeersService } from '../src/peers/service.ts'
import { scriptOptions } from './lib/script.ts'

const CFG = { type: 'ip' as const, size: 1_000_000, expire: 600_000, store: ['server_id', 'gpc0', 'http_req_rate(10s)'] }
const wallUs = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000)
const ip = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`

function makeNode(name: string, peer: string, port: number, log: (l: string) => void): { svc: PeersService; table: StickTable } {
  const table = new StickTable('web', CFG)
  const svc = new PeersService({
    section: 'bench', localName: name, bind: { kind: 'tcp', host: '127.0.0.1', port: 0 },
    peers: [{ name: peer, host: '127.0.0.1', port }], tables: [{ name: 'web', table, cfg: CFG }], log, aloneMs: 60_000,
  })
  return { svc, table }
}

// --- node B: reports to the parent on stdout, one JSON object per line -------------------------
if (process.argv.includes('--node-b')) {
  const aPort = Number(process.argv[process.argv.indexOf('--node-b') + 1])
  const say = (o: object): void => { process.stdout.write(JSON.stringify(o) + '\n') }
  const t0 = performance.now()
  const b = makeNode('b', 'a', aPort, (l) => { if (/resynced/.test(l)) say({ resynced: performance.now() - t0, entries: b.table.count, log: l }) })
  let count = 0
  b.table.listen((e, origin) => {
    if (origin !== 'remote') return
    count++
    const v = b.table.read(e, 'gpc0') ?? 0
    if (typeof e.key === 'string' && e.key.startsWith('10.255.')) say({ delay: (wallUs() - v) / 1000 })
    if (count % 10_000 === 0) say({ count, at: wallUs() })
  })
  b.svc.listen()
  b.svc.dialAll()
  say({ port: b.svc.port })
  setInterval(() => say({ count, at: wallUs() }), 200)
} else {
  const o = scriptOptions('bench/peers.ts', {
    samples: { type: 'string', default: '500' },
    updates: { type: 'string', default: '200000' },
    entries: { type: 'string', default: '100000' },
  })
  const samples = Number(o.samples)
  const updates = Number(o.updates)
  const entries = Number(o.entries)
  const pct = (xs: number[], p: number): number => { const s = [...xs].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! }

  /** Starts node B (a child) connected to `a`; its reports go to `on`. */
  function startB(a: PeersService, on: (m: Record<string, number>) => void): () => void {
    const child = spawn(process.execPath, [import.meta.path, '--node-b', String(a.port)], { stdio: ['ignore', 'pipe', 'inherit'] })
    createInterface({ input: child.stdout! }).on('line', (l) => {
      const m = JSON.parse(l) as Record<string, number>
      if (m.port !== undefined) a.links[0]!.port = m.port
      on(m)
    })
    return () => child.kill('SIGKILL')
  }

  const a = makeNode('a', 'b', 1, () => {})
  a.svc.listen()

  // 1. Propagation delay.
  const delays: number[] = []
  let count = 0
  let resync: { resynced: number; entries: number } | undefined
  let kill = startB(a.svc, (m) => {
    if (m.delay !== undefined) delays.push(m.delay)
    if (m.count !== undefined) count = m.count
    if (m.resynced !== undefined) resync = { resynced: m.resynced, entries: m.entries! }
  })
  a.svc.dialAll()
  const until = async (check: () => boolean, what: string, ms = 60_000): Promise<void> => {
    const end = performance.now() + ms
    while (!check()) {
      if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 5))
    }
  }
  await until(() => a.svc.connected === 1 && resync !== undefined, 'b connected and resynced')
  for (let i = 0; i < samples; i++) {
    const e = a.table.get(ip(0xff0000 + i))!
    a.table.setCounter(e, 'gpc0', wallUs())
    await new Promise((r) => setTimeout(r, 5))
  }
  await until(() => delays.length >= samples, 'every delay sample')
  console.log(`propagation delay, ${samples} updates 5 ms apart: p50 ${pct(delays, 50).toFixed(2)} ms, p99 ${pct(delays, 99).toFixed(2)} ms, max ${Math.max(...delays).toFixed(2)} ms`)

  // 2. Updates per second on one connection.
  const base = count
  const t0 = performance.now()
  for (let i = 0; i < updates; i += 1000) {
    for (let j = i; j < Math.min(updates, i + 1000); j++) {
      const e = a.table.get(ip(j))!
      a.table.inc(e, 'gpc0', 'http_req_rate')
    }
    await new Promise((r) => setImmediate(r))
  }
  const written = performance.now() - t0
  await until(() => count >= base + updates - (updates % 10_000), 'b to apply every update')
  const carried = performance.now() - t0
  console.log(`updates on one connection: ${updates} written in ${written.toFixed(0)} ms, applied by b after ${carried.toFixed(0)} ms: ${Math.round(updates / (carried / 1000))} updates/s`)
  kill()

  // 3. Resync of --entries entries by a fresh node.
  a.table.clear()
  for (let i = 0; i < entries; i++) a.table.inc(a.table.get(ip(i))!, 'gpc0', null, i)
  await until(() => a.svc.connected === 0, 'b gone')
  resync = undefined
  kill = startB(a.svc, (m) => { if (m.resynced !== undefined) resync = { resynced: m.resynced, entries: m.entries! } })
  await until(() => resync !== undefined, 'the resync', 120_000)
  console.log(`resync of ${entries} entries by a fresh node: ${resync!.resynced.toFixed(0)} ms from its start to resynced (it holds ${resync!.entries})`)
  kill()
  a.svc.stop()
  process.exit(0)
}
