/**
 * `edgelb serve`, `edgelb bench` and the demo servers of `program` sections, as a user meets them:
 * the real CLI as a subprocess, free ports, bounded waits, every process stopped at the end.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MASTER_ENV } from '../../src/master/programs.ts'
import { BUN, ROOT, connectClient, freePort, Signal, within } from '../support/harness.ts'

const MAIN = join(ROOT, 'src/main.ts')
const DIR = mkdtempSync(join(tmpdir(), 'edgelb-bench-e2e-'))
afterAll(() => rmSync(DIR, { recursive: true, force: true }))

type Proc = ReturnType<typeof Bun.spawn<'pipe', 'pipe', 'pipe'>>

/** A long-running edgelb; stderr gathered; `await using` stops it (SIGTERM) and waits. */
async function start(args: string[], env?: Record<string, string>): Promise<AsyncDisposable & { proc: Proc; stderr: () => string; waitErr(re: RegExp, ms?: number): Promise<RegExpExecArray> }> {
  const proc = Bun.spawn([BUN, MAIN, ...args], { cwd: DIR, stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', env: { ...process.env, ...env } }) as Proc
  let err = ''
  let ended = false
  const changed = new Signal()
  void (async () => {
    const dec = new TextDecoder()
    for await (const chunk of proc.stderr) { err += dec.decode(chunk, { stream: true }); changed.notify() }
    ended = true
    changed.notify()
  })()
  return {
    proc,
    stderr: () => err,
    async waitErr(re, ms = 10_000) {
      const hit: { m: RegExpExecArray | null } = { m: null }
      await changed.until(() => (hit.m = re.exec(err)) !== null || ended, `${re} on stderr (have: ${JSON.stringify(err)})`, ms)
      if (hit.m === null) throw new Error(`edgelb closed its stderr (exit ${proc.exitCode}) before ${re}:\n${err}`)
      return hit.m
    },
    async [Symbol.asyncDispose]() {
      if (proc.exitCode === null) proc.kill('SIGTERM')
      await within(5000, proc.exited, 'edgelb to stop')
    },
  }
}

async function run(args: string[], ms = 60_000): Promise<{ code: number; out: string; err: string }> {
  const p = Bun.spawn([BUN, MAIN, ...args], { cwd: DIR, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', timeout: ms })
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
  return { code, out, err }
}

/** One request on a new connection (`Connection: close`), so the balancer picks again. */
async function get(url: string): Promise<{ status: number; body: string; server: string | null }> {
  const r = await within(5000, fetch(url, { headers: { connection: 'close' }, keepalive: false }), `GET ${url}`)
  return { status: r.status, body: await r.text(), server: r.headers.get('x-server') }
}

describe('edgelb serve', () => {
  test('answers with its name; the query sets size and status, as httpterm does', async () => {
    await using s = await start(['serve', '127.0.0.1:0', '--name', 'alpha'])
    const [, port] = await s.waitErr(/alpha listening on 127\.0\.0\.1:(\d+)/)
    const base = `http://127.0.0.1:${port}`
    expect(await get(`${base}/`)).toEqual({ status: 200, body: 'hello from alpha\n', server: 'alpha' })
    const big = await get(`${base}/x?s=100k&r=503`)
    expect([big.status, big.body.length, big.body.startsWith('hello from alpha\n'), big.body.endsWith('\n')]).toEqual([503, 102_400, true, true])
  })

  test('--size, --status and --delay set every answer', async () => {
    await using s = await start(['serve', '127.0.0.1:0', '--size', '10', '--status', '404', '--delay', '50ms'])
    const [, port] = await s.waitErr(/listening on 127\.0\.0\.1:(\d+)/)
    const t0 = performance.now()
    const r = await get(`http://127.0.0.1:${port}/`)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45)
    expect([r.status, r.body.length]).toEqual([404, 10])
  })

  test('--tcp answers each line it receives', async () => {
    await using s = await start(['serve', '127.0.0.1:0', '--tcp', '--name', 't1'])
    const [, port] = await s.waitErr(/t1 listening on 127\.0\.0\.1:(\d+)/)
    using c = await connectClient(Number(port))
    await c.write('a\nb\n')
    await c.waitText('hello from t1\nhello from t1\n')
    expect(c.text()).toBe('hello from t1\nhello from t1\n')
  })

  test('a bad address or option is a usage error', async () => {
    expect((await run(['serve'])).code).toBe(2)
    const r = await run(['serve', '127.0.0.1:99999'])
    expect([r.code, r.err.trim()]).toEqual([2, "edgelb serve: port 99999 out of range in '127.0.0.1:99999'; ports are 1 to 65535 (0 = any free port)"])
    expect((await run(['serve', ':0', '--size', 'big'])).code).toBe(2)
    const u = await run(['serve', ':0', '--bogus'])
    expect([u.code, u.err.trim()]).toEqual([2, "edgelb serve: Unknown option '--bogus' (edgelb serve --help)"])
  })
})

describe('started by another edgelb', () => {
  test('edgelb serve and edgelb run stop when the stdin pipe from their parent closes', async () => {
    writeFileSync(join(DIR, 'child.cfg'), `defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen l
    bind 127.0.0.1:0
    server s 127.0.0.1:${freePort()}
`)
    for (const args of [['serve', '127.0.0.1:0'], ['run', 'child.cfg']]) {
      await using p = await start(args, { [MASTER_ENV]: '1' })
      await p.waitErr(/listening on/)
      void p.proc.stdin.end()
      expect(await within(5000, p.proc.exited, `edgelb ${args[0]} to stop once its stdin closed`)).toBe(0)
    }
  })
})

describe('program sections start the demo servers', () => {
  test('edgelb run balances over the two servers its programs started, then stops them', async () => {
    const [a, b, fe] = [freePort(), freePort(), freePort()]
    writeFileSync(join(DIR, 'demo.cfg'), `defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend web
    bind 127.0.0.1:${fe}
    default_backend app
backend app
    balance roundrobin
    server app1 127.0.0.1:${a} check
    server app2 127.0.0.1:${b} check
program demo1
    command edgelb serve 127.0.0.1:${a} --name demo1
program demo2
    command edgelb serve 127.0.0.1:${b} --name demo2
`)
    let pids: number[] = []
    {
      await using lb = await start(['run', 'demo.cfg'])
      await lb.waitErr(/web listening on/)
      expect(lb.stderr()).toContain(`demo1 listening on 127.0.0.1:${a}`)
      expect(lb.stderr()).toContain(`demo2 listening on 127.0.0.1:${b}`)
      const bodies = []
      for (let i = 0; i < 4; i++) bodies.push((await get(`http://127.0.0.1:${fe}/`)).body)
      expect(bodies.slice().sort()).toEqual(['hello from demo1\n', 'hello from demo1\n', 'hello from demo2\n', 'hello from demo2\n'])
      expect(bodies[0]).not.toBe(bodies[1])
      expect(bodies[1]).not.toBe(bodies[2])
      pids = readFileSync(`/proc/${lb.proc.pid}/task/${lb.proc.pid}/children`, 'utf8').trim().split(/\s+/).map(Number)
      expect(pids.length).toBe(2)
    }
    // stopping edgelb stopped its programs
    for (const pid of pids) {
      let alive = true
      try { process.kill(pid, 0) } catch { alive = false }
      expect(alive).toBe(false)
    }
  })

  test('the shipped conf/edgelb.yaml declares the demo servers its backend uses', async () => {
    const r = await run(['check', join(ROOT, 'conf/edgelb.yaml')])
    const f = join(ROOT, 'conf/edgelb.yaml')
    expect([r.code, r.out.trim()]).toEqual([0, `${f}: valid\n${f}: every line is implemented`])
    const y = readFileSync(join(ROOT, 'conf/edgelb.yaml'), 'utf8')
    expect(y).toContain('command: edgelb serve 127.0.0.1:9001 --name demo1')
    expect(y).toContain('command: edgelb serve 127.0.0.1:9002 --name demo2')
  })
})

describe('edgelb bench', () => {
  for (const mode of ['http', 'tcp'] as const) {
    test(`--mode ${mode} --json: direct and proxied runs with sane figures and no errors`, async () => {
      const r = await run(['bench', '--mode', mode, '-n', '2000', '-c', '8', '--warmup', '0', '--workers', '2', '--json'])
      expect(r.code).toBe(0)
      const j = JSON.parse(r.out)
      expect(j.mode).toBe(mode)
      expect(j.backends).toHaveLength(2)
      for (const run of [j.direct, j.proxy]) {
        expect(run.requests).toBe(2000)
        expect(run.errors.total).toBe(0)
        expect(run.reqPerSec).toBeGreaterThan(100)
        expect(run.mbPerSec).toBeGreaterThan(0)
        const l = run.latency
        expect(0 < l.p50 && l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max).toBe(true)
        if (mode === 'http') expect(run.statuses).toEqual({ 200: 2000 })
      }
      expect(j.proxy.proxy.rssKiB).toBeGreaterThan(1000)
      expect(j.proxy.proxy.cpuSeconds).toBeGreaterThanOrEqual(0)
      expect(j.overhead.reqPerSec).toBeGreaterThan(0)
    }, 60_000)
  }

  test('the table, the histogram and an SVG report', async () => {
    const svg = join(DIR, 'r.svg')
    const r = await run(['bench', '-m', 'http', '-n', '500', '-c', '4', '--warmup', '0', '--workers', '1', '--close', '--histogram', '--report', svg])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^direct\s+[\d,]+\s/m)
    expect(r.out).toMatch(/^through edgelb\s+[\d,]+\s/m)
    expect(r.out).toMatch(/^edgelb \/ direct\s+[\d.]+x/m)
    expect(r.out).toContain('edgelb process: CPU')
    expect(r.out).toContain('through edgelb (latency, log scale')
    expect(readFileSync(svg, 'utf8')).toStartWith('<svg')
  }, 60_000)

  test('--config and --frontend load a frontend of the user\'s config', async () => {
    const be = freePort()
    writeFileSync(join(DIR, 'user.cfg'), `defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend front
    bind 127.0.0.1:0
    default_backend app
backend app
    server s1 127.0.0.1:${be}
program s1
    command edgelb serve 127.0.0.1:${be} --name s1
`)
    const r = await run(['bench', '--config', 'user.cfg', '--frontend', 'front', '-n', '300', '-c', '2', '--warmup', '0', '--workers', '1', '--json'])
    expect(r.code).toBe(0)
    const j = JSON.parse(r.out)
    expect([j.direct.requests, j.proxy.requests, j.direct.errors.total, j.proxy.errors.total]).toEqual([300, 300, 0, 0])
  }, 60_000)

  test('--target loads one address alone (no backends, no proxy)', async () => {
    await using s = await start(['serve', '127.0.0.1:0', '--name', 'solo'])
    const [, port] = await s.waitErr(/solo listening on 127\.0\.0\.1:(\d+)/)
    const r = await run(['bench', '--target', `:${port}`, '-n', '300', '-c', '2', '--warmup', '0', '--workers', '1', '--json'])
    expect(r.code).toBe(0)
    const j = JSON.parse(r.out)
    expect([j.backends, j.direct.requests, j.direct.errors.total, j.proxy]).toEqual([[`127.0.0.1:${port}`], 300, 0, undefined])
  }, 60_000)

  test('bad options are usage errors that say what is expected', async () => {
    const cases: [string[], string][] = [
      [['--mode', 'udp'], "edgelb bench: --mode expects http or tcp, got 'udp'"],
      [['--frontend', 'x'], 'edgelb bench: --frontend needs --config FILE'],
      [['--no-direct', '--no-proxy'], 'edgelb bench: --no-direct and --no-proxy leave nothing to run'],
      [['--report', 'x.png'], "edgelb bench: --report FILE must end in .svg or .html, got 'x.png'"],
      [['-c', '0'], 'edgelb bench: --connections must be between 1 and 100000, got 0'],
      [['--bogus'], "edgelb bench: Unknown option '--bogus' (edgelb bench --help)"],
      [['extra'], "edgelb bench: Unexpected argument 'extra' (edgelb bench --help)"],
      [['--target', 'localhost'], "edgelb bench: --target expects HOST:PORT, got 'localhost'"],
      [['--target', '127.0.0.1:99999'], "edgelb bench: port 99999 out of range in '127.0.0.1:99999'; ports are 1 to 65535"],
    ]
    for (const [args, msg] of cases) {
      const r = await run(['bench', ...args])
      expect([r.code, r.err.trim()]).toEqual([2, msg])
    }
  })
})
