// The cost of health checks: edgelb checking N servers (default 1000) every `inter`, with TCP
// connect checks and with HTTP checks (option httpchk GET /hello), measured as the CPU the engine
// uses (process.cpuUsage: this process runs only the engine) while it does nothing but check,
// and the checks it actually ran (the servers' counters).
//   ./node_modules/.bin/bun bench/checks.ts [--servers N] [--inter LIST] [--duration S] [--kinds tcp,http]
// Defaults: 1000 servers, inter 2000 and 100 ms, 10 s per run. The backend (bench/lib/backend.ts,
// Bun.serve) runs in its own process so that its CPU is not counted. A run with `check` removed
// gives the idle baseline; RSS is the whole process's. See bench/README.md.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { buildConfig } from '../src/config/build.ts'
import { readHaproxy } from '../src/config/haproxy/reader.ts'
import { Engine } from '../src/proxy/engine.ts'
import { freePort, installCleanup, killAll, spawn, stop, waitPort } from './lib/procs.ts'

const ROOT = resolve(import.meta.dir, '..')
const BUN = process.execPath

const { values: opt } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    servers: { type: 'string' },
    inter: { type: 'string' },
    duration: { type: 'string' },
    kinds: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (opt.help) {
  console.log(readFileSync(import.meta.path, 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'))
  process.exit(0)
}
const servers = Number(opt.servers ?? 1000)
const inters = (opt.inter ?? '2000,100').split(',').map(Number)
const duration = Number(opt.duration ?? 10)
const kinds = (opt.kinds ?? 'tcp,http').split(',').map((k) => k.trim())
if (!(Number.isInteger(servers) && servers >= 1)) throw new Error('--servers must be a positive integer')
if (inters.some((i) => !(i >= 10))) throw new Error('--inter takes intervals in ms, 10 or more, comma-separated')
for (const k of kinds) if (k !== 'tcp' && k !== 'http') throw new Error(`unknown kind '${k}' (tcp, http)`)

installCleanup()
const dir = mkdtempSync(join(tmpdir(), 'edgelb-bench-checks-'))

function config(kind: string, inter: number, backendPort: number, checked: boolean): string {
  const lines = [
    'global',
    '  quiet',
    'defaults',
    '  timeout connect 1s',
    '  timeout client 5s',
    '  timeout server 5s',
    'listen web',
    `  bind 127.0.0.1:${freePort()}`,
    ...(kind === 'http' ? ['  option httpchk GET /hello HTTP/1.1'] : []),
  ]
  for (let i = 0; i < servers; i++) lines.push(`  server s${i} 127.0.0.1:${backendPort}${checked ? ` check inter ${inter} fall 3 rise 2` : ''}`)
  return lines.join('\n') + '\n'
}

interface Result { kind: string; inter: number; checksPerSec: number; cpuPct: number; usPerCheck: number; rssMiB: number; down: number }

function sumChecks(e: Engine): number {
  let n = 0
  for (const be of e.backends.values()) for (const s of be.servers) n += s.counters.checks
  return n
}

async function measure(kind: string, inter: number, checked: boolean): Promise<Result> {
  const backendPort = freePort()
  const backend = spawn('backend', [BUN, join(ROOT, 'bench/lib/backend.ts'), String(backendPort)], join(dir, 'backend.log'))
  await waitPort(backendPort, backend)
  const text = config(kind, inter, backendPort, checked)
  const built = buildConfig(readHaproxy(text, 'bench.cfg').sections, ['bench.cfg'])
  let down = 0
  const engine = Engine.start(built.config, { out: () => {}, err: (l) => { if (l.includes(' is DOWN')) down++ } })
  try {
    // Start-up spreads the first checks over one interval; then a steady state.
    await Bun.sleep(Math.max(inter * 2, 1000))
    Bun.gc(true)
    const n0 = sumChecks(engine)
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    await Bun.sleep(duration * 1000)
    const c = process.cpuUsage(c0)
    const wall = (performance.now() - t0) / 1000
    const cpu = (c.user + c.system) / 1e6
    const checks = sumChecks(engine) - n0
    return {
      kind: checked ? kind : 'idle',
      inter,
      checksPerSec: checks / wall,
      cpuPct: (100 * cpu) / wall,
      usPerCheck: checks > 0 ? (cpu * 1e6) / checks : 0,
      rssMiB: process.memoryUsage().rss / 1048576,
      down,
    }
  } finally {
    engine.stop()
    await engine.done
    await stop(backend)
  }
}

const results: Result[] = []
try {
  console.log(`${servers} servers, ${duration} s per run, edgelb ${ROOT}`)
  results.push(await measure('tcp', 2000, false))
  for (const kind of kinds) {
    for (const inter of inters) {
      const r = await measure(kind, inter, true)
      results.push(r)
      console.log(`  ${r.kind} inter ${r.inter} ms: ${r.checksPerSec.toFixed(0)} checks/s (${(servers * 1000) / inter} due), ${r.cpuPct.toFixed(1)} % of a core, ${r.usPerCheck.toFixed(1)} µs/check${r.down ? `, ${r.down} DOWN lines (checks failing: the figure is not meaningful)` : ''}`)
    }
  }
  console.log('\n| checks | inter | checks/s | CPU (% of a core) | CPU per check | RSS |')
  console.log('|---|---|---|---|---|---|')
  for (const r of results) {
    console.log(`| ${r.kind === 'idle' ? `none (idle, ${servers} servers)` : r.kind} | ${r.kind === 'idle' ? '-' : `${r.inter} ms`} | ${r.checksPerSec.toFixed(0)} | ${r.cpuPct.toFixed(1)} % | ${r.usPerCheck ? `${r.usPerCheck.toFixed(1)} µs` : '-'} | ${r.rssMiB.toFixed(0)} MiB |`)
  }
} finally {
  await killAll()
  rmSync(dir, { recursive: true, force: true })
}
