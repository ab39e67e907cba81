// edgelb's built-in load generator (`edgelb bench`) against wrk, on the same server and core, so
// that `edgelb bench` is known not to be the bottleneck of what it measures (target: within 20 %
// of wrk's req/s).
//   ./node_modules/.bin/bun bench/loadgen.ts [--rounds N] [--duration S] [--smoke] [--edgelb CMD]
// The server (nginx /hello when installed, and edgelb's own built-in backend) runs on CPU 1, the
// load generator on CPU 0 (wrk -t1; edgelb bench --target --workers 1), interleaved rounds,
// medians. --edgelb runs another edgelb (e.g. ./edgelb, the compiled binary).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startOrigin } from './lib/nginx.ts'
import { freePort, installCleanup, killAll, run, spawn, stop, waitPort } from './lib/procs.ts'
import { badUsage, canPin, has, median, needWrk, pinned, scriptOptions } from './lib/script.ts'
import { wrk } from './lib/wrk.ts'

const ROOT = resolve(import.meta.dir, '..')
const opt = scriptOptions(import.meta.path, { rounds: { type: 'string' }, duration: { type: 'string' }, smoke: { type: 'boolean' }, edgelb: { type: 'string' } })
const rounds = opt.smoke ? 1 : Number(opt.rounds ?? 3)
const duration = opt.smoke ? 2 : Number(opt.duration ?? 5)
if (!(Number.isInteger(rounds) && rounds >= 1)) badUsage(import.meta.path, '--rounds must be a positive integer')
if (!(Number.isInteger(duration) && duration >= 1)) badUsage(import.meta.path, '--duration must be whole seconds >= 1 (wrk takes integers)')
const EDGELB = opt.edgelb ? [resolve(opt.edgelb)] : [process.execPath, join(ROOT, 'src/main.ts')]
needWrk(import.meta.path)
const pin = canPin
const CLIENT = pin ? '0' : undefined
const SERVER = pin ? '1' : undefined

const dir = mkdtempSync(join(tmpdir(), 'edgelb-bench-loadgen-'))
chmodSync(dir, 0o755)
installCleanup(() => rmSync(dir, { recursive: true, force: true }))

interface Case { name: string; port: number; path: string; close: boolean; connections: number }

async function edgelbLoad(c: Case): Promise<number> {
  const args = ['bench', '--target', `127.0.0.1:${c.port}`, '-m', 'http', '-c', String(c.connections), '-d', `${duration}s`, '--warmup', '1s', '--workers', '1', '--path', c.path, '--json']
  if (c.close) args.push('--close')
  const out = JSON.parse(await run(pinned(CLIENT, [...EDGELB, ...args]))) as { direct: { reqPerSec: number; errors: { total: number } } }
  if (out.direct.errors.total > 0) console.log(`    (edgelb bench reported ${out.direct.errors.total} errors)`)
  return out.direct.reqPerSec
}

async function wrkLoad(c: Case): Promise<number> {
  const url = `http://127.0.0.1:${c.port}${c.path}`
  const headers = c.close ? ['Connection: close'] : []
  await wrk({ url, connections: c.connections, seconds: 1, headers, cpus: CLIENT })
  const r = await wrk({ url, connections: c.connections, seconds: duration, headers, cpus: CLIENT })
  return r.reqPerSec
}

try {
  const wrkV = Bun.spawnSync(['wrk', '-v'])
  console.log(`edgelb: ${EDGELB.join(' ')}; ${(wrkV.stdout.toString() + wrkV.stderr.toString()).split('\n')[0]}`)
  console.log(`${pin ? 'load generator on CPU 0, server on CPU 1' : 'no pinning'}; ${rounds} round(s) of ${duration} s (+1 s warm-up), 1 wrk thread vs 1 edgelb worker process`)
  const servers: { name: string; port: number; stopIt: () => Promise<void> }[] = []
  if (has('nginx')) {
    const o = await startOrigin(dir, true, (cmd) => pinned(SERVER, cmd))
    servers.push({ name: 'nginx /hello', port: o.port, stopIt: () => stop(o.child) })
  }
  const bport = freePort()
  const be = spawn('edgelb serve', pinned(SERVER, [...EDGELB, 'serve', `127.0.0.1:${bport}`, '--name', 'b1']), join(dir, 'serve.log'))
  await waitPort(bport, be)
  servers.push({ name: 'edgelb serve', port: bport, stopIt: () => stop(be) })

  const cases: Case[] = []
  for (const s of servers) {
    cases.push({ name: `${s.name}, keep-alive -c50`, port: s.port, path: s.name.startsWith('nginx') ? '/hello' : '/', close: false, connections: 50 })
    cases.push({ name: `${s.name}, close -c50`, port: s.port, path: s.name.startsWith('nginx') ? '/hello' : '/', close: true, connections: 50 })
  }
  const res = new Map<string, { wrk: number[]; edgelb: number[] }>()
  for (let r = 1; r <= rounds; r++) {
    for (const c of cases) {
      const e = res.get(c.name) ?? { wrk: [], edgelb: [] }
      res.set(c.name, e)
      const w = await wrkLoad(c)
      const g = await edgelbLoad(c)
      e.wrk.push(w)
      e.edgelb.push(g)
      console.log(`  round ${r}  ${c.name.padEnd(32)} wrk ${w.toFixed(0).padStart(7)} req/s   edgelb bench ${g.toFixed(0).padStart(7)} req/s   ${(g / w).toFixed(2)}x`)
    }
  }
  console.log(`\nmedians | wrk req/s | edgelb bench req/s | edgelb/wrk (target >= 0.80)`)
  for (const [name, e] of res) {
    const w = median(e.wrk), g = median(e.edgelb)
    console.log(`${name.padEnd(32)} | ${w.toFixed(0).padStart(9)} | ${g.toFixed(0).padStart(18)} | ${(g / w).toFixed(2)}x ${g / w >= 0.8 ? 'PASS' : 'FAIL'}`)
  }
  for (const s of servers) await s.stopIt()
} finally {
  await killAll()
  rmSync(dir, { recursive: true, force: true })
}
