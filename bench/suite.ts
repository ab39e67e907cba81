// The side-by-side benchmark suite: edgelb, HAProxy and nginx (each when installed) as proxies in
// front of the same nginx origin; edgelb and HAProxy read the SAME HAProxy-syntax config text.
// Interleaved rounds (edgelb, haproxy, nginx, edgelb, …), medians, ratios to HAProxy, and the
// issue's targets. Regenerates bench/RESULTS.md (unless --smoke without --write).
//   ./node_modules/.bin/bun bench/suite.ts [--rounds N] [--duration S] [--workloads a,b] [--rate R]
//                                          [--idle N] [--smoke] [--write|--no-write]
//                                          [--cpu-prof DIR] [--perf DIR] [--edgelb CHECKOUT]
//                                          [--base CHECKOUT] [--no-pin]
// Workloads: tcp, http-ka, http-close, http-rules, big, p99, idle by default; tcp-close and
// tcp-big on request (see bench/README.md); cold start always.
// --cpu-prof DIR: edgelb under bun --cpu-prof, a profile per run; --perf DIR: perf record of each
// proxy over each measured wrk run; --edgelb DIR: the edgelb of another checkout (to try a change);
// --base DIR: also run the edgelb of another checkout (`base`) in the same interleaved rounds, with
// an edgelb/base column: a before/after that both sides measure under the same machine noise.
// Needs wrk; uses haproxy and nginx when installed; pins with taskset on 2+ cores (--no-pin: never).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { BIG, startOrigin } from './lib/nginx.ts'
import { freePort, installCleanup, killAll, run, spawn, stop, tail, treeCpuSeconds as cpuSeconds, treeRssKiB as rssKiB, waitPort, type Child } from './lib/procs.ts'
import { badUsage, canPin, has, median, needWrk, pinned, scriptOptions } from './lib/script.ts'
import { wrk, type WrkResult } from './lib/wrk.ts'

const ROOT = resolve(import.meta.dir, '..')
const BUN = process.execPath

// --- options ------------------------------------------------------------------------------------

const opt = scriptOptions(import.meta.path, {
  rounds: { type: 'string' },
  duration: { type: 'string' },
  workloads: { type: 'string' },
  rate: { type: 'string' },
  idle: { type: 'string' },
  smoke: { type: 'boolean' },
  write: { type: 'boolean' },
  'no-write': { type: 'boolean' },
  'cpu-prof': { type: 'string' },
  perf: { type: 'string' },
  edgelb: { type: 'string' },
  base: { type: 'string' },
  'no-pin': { type: 'boolean' },
})
const smoke = opt.smoke === true
const rounds = smoke ? 1 : Number(opt.rounds ?? 3)
const duration = smoke ? 2 : Number(opt.duration ?? 10)
const RATE = Number(opt.rate ?? 5000)
// 9,000 by default: HAProxy wants 2 fds per maxconn and refuses to start when the fd hard limit
// (20,000 on the build machine, not raisable in its VM) is below that; the figure is scaled to 10k.
const IDLE = Number(opt.idle ?? (smoke ? 1000 : 9000))
const WRITE = opt.write === true || (!smoke && opt['no-write'] !== true)
const WARMUP = 1
if (!(Number.isInteger(rounds) && rounds >= 1)) badUsage(import.meta.path, '--rounds must be a positive integer')
if (!(Number.isInteger(duration) && duration >= 1)) badUsage(import.meta.path, '--duration must be whole seconds >= 1 (wrk takes integers)')

/** `http-rules`: http with the rules-heavy set below (10 ACLs and 5 header actions per request). */
type Mode = 'tcp' | 'http' | 'http-rules'
interface Workload {
  key: string
  title: string
  mode: Mode
  /** wrk-driven (req/s or MiB/s), the fixed-rate latency run, or idle connections. */
  kind: 'wrk' | 'rate' | 'idle'
  path: string
  connections: number
  headers: string[]
  bytes: boolean
}
const ALL: Workload[] = [
  { key: 'tcp', title: 'tcp keep-alive, small (-c50)', mode: 'tcp', kind: 'wrk', path: '/hello', connections: 50, headers: [], bytes: false },
  { key: 'tcp-close', title: 'tcp, a connection per request, small (-c50)', mode: 'tcp', kind: 'wrk', path: '/hello', connections: 50, headers: ['Connection: close'], bytes: false },
  { key: 'tcp-big', title: 'tcp 1 MiB objects (-c8)', mode: 'tcp', kind: 'wrk', path: '/1m', connections: 8, headers: [], bytes: true },
  { key: 'http-ka', title: 'http keep-alive, small (-c50)', mode: 'http', kind: 'wrk', path: '/hello', connections: 50, headers: [], bytes: false },
  { key: 'http-close', title: 'http close, small (-c50)', mode: 'http', kind: 'wrk', path: '/hello', connections: 50, headers: ['Connection: close'], bytes: false },
  { key: 'http-rules', title: 'http keep-alive, 10 ACLs + 5 header actions (-c50)', mode: 'http-rules', kind: 'wrk', path: '/hello', connections: 50, headers: [], bytes: false },
  { key: 'big', title: 'http 1 MiB objects (-c8)', mode: 'http', kind: 'wrk', path: '/1m', connections: 8, headers: [], bytes: true },
  { key: 'p99', title: `http latency at ${RATE} req/s (-c50)`, mode: 'http', kind: 'rate', path: '/hello', connections: 50, headers: [], bytes: false },
  { key: 'idle', title: `http, ${IDLE.toLocaleString('en-US')} idle connections`, mode: 'http', kind: 'idle', path: '', connections: IDLE, headers: [], bytes: false },
]
/** Run unless --workloads names others: the issue's workloads (tcp-close and tcp-big on request). */
const DEFAULT_WORKLOADS = 'tcp,http-ka,http-close,http-rules,big,p99,idle'
const wanted = (opt.workloads ?? DEFAULT_WORKLOADS).split(',').map((s) => s.trim())
for (const w of wanted) if (!ALL.some((x) => x.key === w)) badUsage(import.meta.path, `unknown workload '${w}' (${ALL.map((x) => x.key).join(', ')})`)
const workloads = ALL.filter((w) => wanted.includes(w.key))

// --- environment --------------------------------------------------------------------------------

needWrk(import.meta.path)
const haveHaproxy = has('haproxy')
const haveNginx = has('nginx')
const cores = availableParallelism()
// --no-pin: every process runs where the scheduler puts it, as operators run them.
const pin = canPin && opt['no-pin'] !== true
const PROXY_CPUS = pin ? '0' : undefined
const LOAD_CPUS = pin ? '1' : undefined

/** The edgelb tree to run as the proxy (--edgelb: another checkout or worktree). */
const EDGELB = opt.edgelb ? resolve(opt.edgelb) : ROOT
/** The edgelb tree to compare with (--base), run as a fourth proxy named `base`. */
const BASE = opt.base ? resolve(opt.base) : undefined
const profDir = opt['cpu-prof'] ? resolve(opt['cpu-prof']) : undefined
if (profDir) mkdirSync(profDir, { recursive: true })
const perfDir = opt.perf ? resolve(opt.perf) : undefined
if (perfDir) {
  if (!has('perf')) badUsage(import.meta.path, '--perf needs perf (apt-get install -y linux-perf)')
  mkdirSync(perfDir, { recursive: true })
}

const dir = mkdtempSync(join(tmpdir(), 'edgelb-suite-'))
chmodSync(dir, 0o755) // nginx's worker may run as another user and must read the files
installCleanup(() => rmSync(dir, { recursive: true, force: true }))

// --- proxies ------------------------------------------------------------------------------------

/** The one config both edgelb and HAProxy read, for a mode. */
/** The rules of the `http-rules` workload: ten ACLs of the common kinds, five header actions. */
const RULES = `    acl a1 hdr(host) -i www.example.com
    acl a2 path_beg /static/ /img/
    acl a3 path_end .css .js
    acl a4 method POST PUT
    acl a5 hdr_sub(user-agent) -i bot
    acl a6 src 10.0.0.0/8
    acl a7 req.hdr_cnt(cookie) gt 5
    acl a8 url_param(debug) -m found
    acl a9 hdr(x-forwarded-proto) https
    acl a10 path_reg ^/api/v[0-9]+/
    http-request set-header X-Route static if a2 || a3 || a10
    http-request add-header X-Bot 1 if a5 || a6 || a7
    http-request set-header X-Client %[src]
    http-request del-header X-Debug if a8 || a9 || a4
    http-request set-header X-Host %[req.hdr(host),lower] if !a1
`

function proxyConfig(mode: Mode, port: number, backendPort: number): string {
  return `# generated by bench/suite.ts: read as is by edgelb and by HAProxy
global
    nbthread 1
    maxconn 9900

defaults
    mode ${mode === 'tcp' ? 'tcp' : 'http'}
    timeout connect 5s
    timeout client 30s
    timeout server 30s

listen bench
    bind 127.0.0.1:${port}
${mode === 'http-rules' ? RULES : ''}    server backend1 127.0.0.1:${backendPort}
`
}

/** nginx as a reverse proxy (http only: this nginx's stream module is not assumed). */
function nginxProxyConfig(d: string, port: number, backendPort: number): string {
  return `# generated by bench/suite.ts
worker_processes 1;
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;
worker_rlimit_nofile 20000;
events { worker_connections 12000; }
http {
    access_log off;
    client_body_temp_path ${d}/tmp/body;
    proxy_temp_path ${d}/tmp/proxy;
    fastcgi_temp_path ${d}/tmp/fastcgi;
    uwsgi_temp_path ${d}/tmp/uwsgi;
    scgi_temp_path ${d}/tmp/scgi;
    keepalive_requests 100000000;
    upstream backend1 { server 127.0.0.1:${backendPort}; keepalive 64; keepalive_requests 100000000; }
    server {
        listen 127.0.0.1:${port} backlog=4096;
        location / {
            proxy_pass http://backend1;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }
    }
}
`
}

interface Proxy {
  name: 'edgelb' | 'haproxy' | 'nginx' | 'base'
  modes: Mode[]
  start(mode: Mode, port: number, backendPort: number, n: number): Child
}
/** Writes run `n`'s config file (the same text for edgelb and HAProxy); returns its path. */
function configFile(mode: Mode, port: number, backendPort: number, n: number): string {
  const cfg = join(dir, `proxy-${n}.cfg`)
  writeFileSync(cfg, proxyConfig(mode, port, backendPort))
  return cfg
}
const edgelb: Proxy = {
  name: 'edgelb',
  modes: ['tcp', 'http', 'http-rules'],
  start(mode, port, be, n) {
    const prof = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=edgelb-${n}.cpuprofile`] : []
    return spawn('edgelb', pinned(PROXY_CPUS, [BUN, ...prof, join(EDGELB, 'src/main.ts'), 'run', configFile(mode, port, be, n)]), join(dir, 'edgelb.log'))
  },
}
const haproxy: Proxy = {
  name: 'haproxy',
  modes: ['tcp', 'http', 'http-rules'],
  start: (mode, port, be, n) => spawn('haproxy', pinned(PROXY_CPUS, ['haproxy', '-db', '-f', configFile(mode, port, be, n)]), join(dir, 'haproxy.log')),
}
const nginxProxy: Proxy = {
  name: 'nginx',
  modes: ['http'],
  start(_mode, port, be, n) {
    const d = join(dir, `nginx-proxy-${n}`)
    mkdirSync(join(d, 'tmp'), { recursive: true, mode: 0o755 })
    writeFileSync(join(d, 'nginx.conf'), nginxProxyConfig(d, port, be))
    return spawn('nginx-proxy', pinned(PROXY_CPUS, ['nginx', '-p', d, '-e', join(d, 'error.log'), '-c', join(d, 'nginx.conf'), '-g', 'daemon off;']), join(dir, 'nginx-proxy.log'))
  },
}
const base: Proxy | undefined = BASE === undefined ? undefined : {
  name: 'base',
  modes: edgelb.modes,
  start: (mode, port, be, n) => spawn('base', pinned(PROXY_CPUS, [BUN, join(BASE, 'src/main.ts'), 'run', configFile(mode, port, be, n)]), join(dir, 'base.log')),
}
const proxies: Proxy[] = [edgelb, ...(haveHaproxy ? [haproxy] : []), ...(haveNginx ? [nginxProxy] : []), ...(base ? [base] : [])]

// --- measuring ----------------------------------------------------------------------------------

/** One measured run: the headline value and the rest, by metric label. */
type Sample = Map<string, number>

function fromWrk(w: Workload, r: WrkResult, cpu: number, rss: number): Sample {
  const s: Sample = new Map()
  if (w.bytes) s.set('MiB/s', r.bytes / r.seconds / BIG)
  else s.set('req/s', r.reqPerSec)
  s.set('p50 ms', r.p50)
  s.set('p99 ms', r.p99)
  if (!Number.isNaN(cpu)) {
    s.set(w.bytes ? 'CPU µs/MiB' : 'CPU µs/req', (cpu / r.requests) * 1e6)
    s.set('CPU % of a core', (cpu / r.seconds) * 100)
    s.set('RSS MiB', rss / 1024)
  }
  const e = r.errors
  const errs = e.connect + e.read + e.write + e.timeout + r.non2xx
  if (errs > 0) s.set('errors', errs)
  return s
}

/** The fixed-rate latency run, with edgelb's own load generator (wrk has no fixed rate). */
async function rateRun(port: number): Promise<Sample> {
  const out = await run(pinned(LOAD_CPUS, [BUN, join(ROOT, 'src/main.ts'), 'bench', '--target', `127.0.0.1:${port}`, '--path', '/hello', '-c', '50', '--rate', String(RATE), '-d', `${duration}s`, '--warmup', '1s', '--workers', '1', '--json']))
  const j = JSON.parse(out) as { direct: { reqPerSec: number; latency: { p50: number; p99: number; p999: number }; errors: { total: number } } }
  const s: Sample = new Map([['req/s', j.direct.reqPerSec], ['p50 ms', j.direct.latency.p50], ['p99 ms', j.direct.latency.p99], ['p99.9 ms', j.direct.latency.p999]])
  if (j.direct.errors.total > 0) s.set('errors', j.direct.errors.total)
  return s
}

async function idleRun(port: number, pid: number): Promise<Sample> {
  const before = rssKiB(pid)
  const holder = spawn('idle', pinned(LOAD_CPUS, [BUN, join(ROOT, 'bench/lib/idle.ts'), '127.0.0.1', String(port), String(IDLE)]), join(dir, 'idle.log'))
  try {
    const end = Date.now() + 60_000
    while (!/ready/.test(tail(holder.log, 1)) && Date.now() < end) {
      if (holder.proc.exitCode !== null) throw new Error(`idle client exited:\n${tail(holder.log)}`)
      await Bun.sleep(100)
    }
    const m = /ready (\d+)/.exec(tail(holder.log, 1))
    await Bun.sleep(1000) // let the proxy settle (allocations after accept)
    const after = rssKiB(pid)
    return new Map([['connections held', m ? Number(m[1]) : 0], ['RSS before MiB', before / 1024], ['RSS with them MiB', after / 1024], [`RSS MiB per 10k idle`, ((after - before) / 1024) * (10_000 / IDLE)]])
  } finally {
    await stop(holder)
  }
}

let runNo = 0
async function proxied(p: Proxy, w: Workload, backendPort: number): Promise<Sample> {
  runNo++
  const port = freePort()
  const child = p.start(w.mode, port, backendPort, runNo)
  try {
    await waitPort(port, child)
    if (w.kind === 'idle') return await idleRun(port, child.pid)
    const url = `http://127.0.0.1:${port}${w.path}`
    // The same warm-up for every proxy and workload, the fixed-rate one included: a proxy is
    // measured as it runs after its first second of traffic (edgelb's JIT has compiled its hot
    // paths by then; HAProxy has nothing to warm), not during it.
    await wrk({ url, connections: w.connections, seconds: WARMUP, headers: w.headers, cpus: LOAD_CPUS })
    if (w.kind === 'rate') return await rateRun(port)
    // --perf: sample the proxy (every thread, call graphs) over the measured run only
    const perf = perfDir
      ? spawn('perf', ['perf', 'record', '-q', '-F', '999', '-g', '-p', String(child.pid), '-o', join(perfDir, `${p.name}-${w.key}-${runNo}.data`), '--', 'sleep', String(duration)], join(dir, 'perf.log'))
      : undefined
    const before = cpuSeconds(child.pid)
    const r = await wrk({ url, connections: w.connections, seconds: duration, headers: w.headers, cpus: LOAD_CPUS })
    const cpu = cpuSeconds(child.pid) - before
    if (perf) await perf.proc.exited
    if (child.proc.exitCode !== null) throw new Error(`${p.name} died during the run:\n${tail(child.log)}`)
    return fromWrk(w, r, cpu, rssKiB(child.pid))
  } finally {
    await stop(child, profDir ? 10_000 : 3000) // a CPU profile is written at exit
  }
}

async function direct(w: Workload, backendPort: number): Promise<Sample | undefined> {
  if (w.kind === 'idle') return undefined
  if (w.kind === 'rate') return rateRun(backendPort)
  const r = await wrk({ url: `http://127.0.0.1:${backendPort}${w.path}`, connections: w.connections, seconds: duration, headers: w.headers, cpus: LOAD_CPUS })
  return fromWrk(w, r, NaN, 0)
}

/** `edgelb version` of a freshly compiled binary (median of N runs), and `haproxy -v` for scale. */
async function coldStart(n: number): Promise<Map<string, number>> {
  const bin = join(dir, 'edgelb')
  await run([BUN, join(ROOT, 'build.ts'), bin])
  const time = (cmd: string[]): number => {
    const xs: number[] = []
    for (let i = 0; i < n + 3; i++) {
      const t0 = performance.now()
      Bun.spawnSync(cmd, { stdout: 'ignore', stderr: 'ignore' })
      if (i >= 3) xs.push(performance.now() - t0) // 3 unmeasured: page cache
    }
    return median(xs)
  }
  const out = new Map<string, number>([['edgelb version ms', time([bin, 'version'])]])
  if (haveHaproxy) out.set('haproxy -v ms', time(['haproxy', '-v']))
  out.set('/bin/true ms (spawn cost)', time(['/bin/true']))
  return out
}

// --- report -------------------------------------------------------------------------------------

const fmt = (v: number): string => (Number.isNaN(v) ? '-' : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3))

interface Target { label: string; workload: string; metric: string; op: '>=' | '<='; target: number }
const TARGETS: Target[] = [
  { label: 'tcp req/s', workload: 'tcp', metric: 'req/s', op: '>=', target: 0.9 },
  { label: 'http keep-alive req/s', workload: 'http-ka', metric: 'req/s', op: '>=', target: 0.85 },
  { label: 'http close req/s', workload: 'http-close', metric: 'req/s', op: '>=', target: 0.85 },
  { label: '1 MiB MiB/s', workload: 'big', metric: 'MiB/s', op: '>=', target: 1.0 },
  { label: `p99 at ${RATE} req/s`, workload: 'p99', metric: 'p99 ms', op: '<=', target: 1.3 },
  { label: 'RSS per 10k idle connections', workload: 'idle', metric: 'RSS MiB per 10k idle', op: '<=', target: 1.5 },
]

function versions(): string[] {
  const first = (cmd: string[]): string => {
    const r = Bun.spawnSync(cmd, { stdout: 'pipe', stderr: 'pipe' })
    return (r.stdout.toString() + r.stderr.toString()).split('\n').find((l) => l.trim() !== '')?.trim() ?? '?'
  }
  const commit = first(['git', '-C', EDGELB, 'rev-parse', '--short', 'HEAD'])
  const dirty = first(['git', '-C', EDGELB, 'status', '--porcelain', '--untracked-files=no', 'src']) !== '?' ? ' (src/ modified)' : ''
  return [
    `edgelb ${commit}${dirty}${EDGELB === ROOT ? '' : ` at ${EDGELB}`}, Bun ${Bun.version}`,
    haveHaproxy ? first(['haproxy', '-v']) : 'HAProxy: not installed',
    haveNginx ? first(['nginx', '-v']) : 'nginx: not installed',
    first(['wrk', '-v']),
  ]
}

function machine(): string {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '?'
  const mem = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0)
  const kernel = Bun.spawnSync(['uname', '-r']).stdout.toString().trim()
  return `${cores} × ${cpu}, ${(mem / 1024 / 1024).toFixed(1)} GiB, Linux ${kernel}`
}

// --- main ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const t0 = Date.now()
  const vers = versions()
  for (const v of vers) console.log(v)
  console.log(machine())
  const pinning = pin ? 'proxy on CPU 0 (taskset -c 0); wrk, the load generator, the idle client and the nginx origin on CPU 1' : 'no pinning (needs taskset and 2+ cores)'
  console.log(pinning)
  console.log(`${rounds} round(s) of ${duration} s per proxy and workload (+${WARMUP} s warm-up), interleaved ${proxies.map((p) => p.name).join(', ')}; medians`)
  const loadStart = readFileSync('/proc/loadavg', 'utf8').trim()
  console.log(`load average at start: ${loadStart}`)

  const origin = await startOrigin(dir, haveNginx, (cmd) => pinned(LOAD_CPUS, cmd))
  console.log(`origin: ${origin.kind} on 127.0.0.1:${origin.port}`)
  console.log(`config (one per mode; edgelb and HAProxy read the same file):\n${proxyConfig('http', 0, origin.port).replace(/^/gm, '    ').trimEnd()}`)

  const directs = new Map<string, Sample>()
  const samples = new Map<string, Sample[]>()
  console.log('\ndirect (no proxy):')
  for (const w of workloads) {
    const s = await direct(w, origin.port)
    if (s) { directs.set(w.key, s); console.log(`  ${w.key.padEnd(10)} ${[...s].map(([k, v]) => `${k} ${fmt(v)}`).join('  ')}`) }
  }
  for (let r = 1; r <= rounds; r++) {
    console.log(`\nround ${r}/${rounds}:`)
    for (const w of workloads) {
      for (const p of proxies) {
        if (!p.modes.includes(w.mode)) continue
        const s = await proxied(p, w, origin.port)
        const k = `${p.name}/${w.key}`
        samples.set(k, [...(samples.get(k) ?? []), s])
        console.log(`  ${p.name.padEnd(8)} ${w.key.padEnd(10)} ${[...s].map(([m, v]) => `${m} ${fmt(v)}`).join('  ')}`)
      }
    }
  }
  await stop(origin.child)
  console.log('\ncold start (compiled binaries, median of 40 runs, spawn included):')
  const cold = await coldStart(smoke ? 10 : 40)
  for (const [k, v] of cold) console.log(`  ${k.padEnd(28)} ${v.toFixed(2)}`)

  // Table of medians.
  const cols = proxies.map((p) => p.name)
  const header = ['workload', 'metric', 'direct', ...cols, ...(haveHaproxy ? ['edgelb/haproxy'] : []), ...(base ? ['edgelb/base'] : [])]
  const rows: string[][] = []
  const ratio = new Map<string, number>()
  for (const w of workloads) {
    const metrics = new Set<string>()
    for (const p of proxies) for (const s of samples.get(`${p.name}/${w.key}`) ?? []) for (const k of s.keys()) metrics.add(k)
    let first = true
    for (const m of metrics) {
      const d = directs.get(w.key)?.get(m)
      const vals = proxies.map((p) => median((samples.get(`${p.name}/${w.key}`) ?? []).map((s) => s.get(m) ?? NaN)))
      const e = vals[0]!, h = haveHaproxy ? vals[1]! : NaN
      const rt = e / h
      ratio.set(`${w.key}/${m}`, rt)
      const rb = base ? e / vals.at(-1)! : NaN
      rows.push([first ? w.title : '', m, d === undefined ? '-' : fmt(d), ...vals.map(fmt), ...(haveHaproxy ? [Number.isFinite(rt) ? `${rt.toFixed(2)}x` : '-'] : []), ...(base ? [Number.isFinite(rb) ? `${rb.toFixed(2)}x` : '-'] : [])])
      first = false
    }
  }
  const table = markdownTable(header, rows)
  const checks: string[][] = []
  for (const t of TARGETS) {
    if (!workloads.some((w) => w.key === t.workload)) continue
    const r = ratio.get(`${t.workload}/${t.metric}`)
    const ok = r !== undefined && Number.isFinite(r) && (t.op === '>=' ? r >= t.target : r <= t.target)
    checks.push([t.label, r === undefined || !Number.isFinite(r) ? 'n/a' : `${r.toFixed(2)}x`, `${t.op} ${t.target.toFixed(2)}x`, r === undefined || !Number.isFinite(r) ? 'n/a' : ok ? 'PASS' : 'FAIL'])
  }
  const cs = cold.get('edgelb version ms')!
  checks.push(['`edgelb version` cold start', `${cs.toFixed(1)} ms`, '<= 10 ms', cs <= 10 ? 'PASS' : 'FAIL'])
  const checkTable = markdownTable(['target (edgelb vs HAProxy 2.6, one core each)', 'measured', 'target', ''], checks)
  const loadEnd = readFileSync('/proc/loadavg', 'utf8').trim()
  console.log(`\nmedians of ${rounds} round(s), ${duration} s each:\n\n${table}\n\n${checkTable}\n\nload average at end: ${loadEnd}; took ${((Date.now() - t0) / 1000).toFixed(0)} s`)
  if (profDir) console.log(`edgelb CPU profiles: ${profDir} (summarise: bun bench/lib/prof-top.ts FILE)`)
  if (perfDir) console.log(`perf data: ${perfDir} (perf report -i FILE --no-children --sort dso,symbol); the figures above are perturbed by perf`)

  if (WRITE) {
    const md = `# edgelb benchmark results

Generated by \`./node_modules/.bin/bun bench/suite.ts\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC
(${rounds} round(s) of ${duration} s per proxy and workload; medians). Do not edit by hand: run the suite again.

- machine: ${machine()}
- ${vers.join('\n- ')}
- ${pinning}
- load average at start ${loadStart}, at end ${loadEnd}

edgelb and HAProxy read the same configuration text (\`mode\` tcp or http as the workload needs):

\`\`\`
${proxyConfig('http', 8080, 8081).trimEnd()}
\`\`\`

nginx, when installed, is the origin (\`return 200 "hello\\n"\` for \`/hello\`, a static 1 MiB file for \`/1m\`) and
also a third proxy for the http workloads (\`proxy_pass\` to an upstream with \`keepalive 64\`, \`proxy_buffering off\`).
Throughput and latency columns come from \`wrk -t1\` (latency at a fixed rate from \`edgelb bench --target --rate\`,
which corrects coordinated omission); "CPU" is the proxy's user+system time over the measured run (all its processes: nginx's master and worker); "RSS MiB per
10k idle" is the proxy's resident memory with the idle connections minus before them, scaled to 10,000.

## Medians

${table}

## Targets

${checkTable}

Cold start: ${[...cold].map(([k, v]) => `${k} ${v.toFixed(2)}`).join('; ')}.
`
    writeFileSync(join(ROOT, 'bench/RESULTS.md'), md)
    console.log('\nwrote bench/RESULTS.md')
  }
}

function markdownTable(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (r: string[]): string => `| ${r.map((c, i) => (i < 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(' | ')} |`
  return [line(header), `|${w.map((n, i) => (i < 2 ? '-'.repeat(n + 2) : '-'.repeat(n + 1) + ':')).join('|')}|`, ...rows.map(line)].join('\n')
}

try {
  await main()
} finally {
  await killAll()
  rmSync(dir, { recursive: true, force: true })
}
