// `nbthread 2`: two event loops in one edgelb, seen from outside as one process: both threads
// serve the port, a server's maxconn holds across them, one health check runs per interval, the
// stats and the runtime API are the process's, soft stop and reload reach both threads.
import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { connectClient, freePort, spawnEdgelb, startServer, type Proc } from '../support/harness.ts'
import { NotifyReceiver, socketActivate } from '../support/systemd.ts'
import { Signal, until, within } from '../support/wait.ts'

/** What the runtime API answers to one command. */
async function ask(p: Proc, line: string): Promise<string> {
  let text = ''
  const { promise: closed, resolve } = Promise.withResolvers<void>()
  const sock = await Bun.connect({
    unix: join(p.dir, 'admin.sock'),
    socket: { data(_s, chunk) { text += chunk.toString('latin1') }, close() { resolve() }, error() {} },
  })
  sock.write(`${line}\n`)
  sock.shutdown()
  await within(5000, closed, `an answer to '${line}'`)
  return text
}

/** A CSV field of the `show stat` row of `px`/`sv`. */
async function statField(p: Proc, px: string, sv: string, field: string): Promise<string> {
  const lines = (await ask(p, 'show stat')).split('\n')
  const names = lines[0]!.replace(/^# /, '').split(',')
  const row = lines.find((l) => l.startsWith(`${px},${sv},`))!.split(',')
  return row[names.indexOf(field)]!
}

/** Polls the runtime API until `check` holds (the state has no event the test can see). */
async function untilAsked(check: () => Promise<boolean>, what: string, ms = 10000): Promise<void> {
  const end = performance.now() + ms
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
  }
}

/** Each request on its own connection: the kernel spreads connections over the threads. */
async function threadsOf(port: number, n: number): Promise<{ threads: Set<string>; statuses: number[]; tags: Set<string> }> {
  const threads = new Set<string>()
  const tags = new Set<string>()
  const statuses: number[] = []
  for (let i = 0; i < n; i++) {
    const r = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' }, keepalive: false })
    await r.text()
    statuses.push(r.status)
    const t = r.headers.get('x-thread')
    if (t !== null) threads.add(t)
    const g = r.headers.get('x-gen')
    if (g !== null) tags.add(g)
  }
  return { threads, statuses, tags }
}

function httpConfig(origin: number, gen: string): string {
  return `global
  nbthread 2
  stats socket unix@admin.sock level admin
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
listen web
  bind 127.0.0.1:0
  http-response set-header x-thread %[thread]
  http-response set-header x-gen ${gen}
  server a 127.0.0.1:${origin}
`
}

test('nbthread 2: both threads serve the port; show info, show stat and set server are the whole process', async () => {
  using origin = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('ok') })
  await using lb = await spawnEdgelb(httpConfig(origin.port!, 'one'))
  const port = lb.ports.get('web')!
  const first = await threadsOf(port, 40)
  expect(first.statuses.every((s) => s === 200)).toBe(true)
  expect([...first.threads].sort()).toEqual(['0', '1'])
  expect(await ask(lb, 'show info')).toContain('Nbthread: 2\n')
  // Totals add both threads' counts.
  expect(await statField(lb, 'web', 'FRONTEND', 'stot')).toBe('40')
  expect(await statField(lb, 'web', 'a', 'stot')).toBe('40')
  expect(await statField(lb, 'web', 'FRONTEND', 'hrsp_2xx')).toBe('40')
  expect(await statField(lb, 'web', 'FRONTEND', 'req_tot')).toBe('40')
  // A change made through the runtime API holds in every thread.
  await ask(lb, 'disable server web/a')
  const down = await threadsOf(port, 20)
  expect(down.statuses.every((s) => s === 503)).toBe(true)
  await ask(lb, 'enable server web/a')
  const up = await threadsOf(port, 20)
  expect(up.statuses.every((s) => s === 200)).toBe(true)
  expect([...up.threads].sort()).toEqual(['0', '1'])
  expect(await statField(lb, 'web', 'FRONTEND', 'stot')).toBe('80')
})

test('nbthread 2: a server maxconn 1 holds across the threads, and a slot one thread frees serves the other\'s waiters', async () => {
  await using srv = startServer('s', 'manual')
  const held = new Signal()
  srv.onAccept = () => held.notify()
  await using lb = await spawnEdgelb(`global
  nbthread 2
  stats socket unix@admin.sock level admin
defaults
  mode tcp
  timeout connect 2s
  timeout client 20s
  timeout server 20s
  timeout queue 20s
listen relay
  bind 127.0.0.1:0
  server s 127.0.0.1:${srv.port} maxconn 1
`)
  const port = lb.ports.get('relay')!
  const n = 8
  const clients = await Promise.all(Array.from({ length: n }, () => connectClient(port)))
  try {
    // A client closes once its server has: its session then ends and frees the slot.
    for (const c of clients) c.onEnd = (cc) => cc.end()
    for (const c of clients) await c.write('x')
    // Every connection is a session of the process (feconn is shared): all are in.
    await untilAsked(async () => (await statField(lb, 'relay', 'FRONTEND', 'scur')) === String(n), `${n} sessions`)
    for (let i = 1; i <= n; i++) {
      await held.until(() => srv.accepted >= i, `connection ${i} to reach the server`, 10000)
      expect(srv.current).toBe(1)
      srv.conns[i - 1]!.end()
    }
    expect(srv.accepted).toBe(n)
    expect(srv.maxConcurrent).toBe(1)
    expect(await statField(lb, 'relay', 's', 'smax')).toBe('1')
  } finally {
    for (const c of clients) c[Symbol.dispose]()
  }
})

test('nbthread 2: one health check per interval, whatever the number of threads', async () => {
  await using srv = startServer('s', 'manual')
  const seen = new Signal()
  const at: number[] = []
  srv.onAccept = (c) => { at.push(performance.now()); c.end(); seen.notify() }
  await using lb = await spawnEdgelb(`global
  nbthread 2
defaults
  mode tcp
  timeout connect 2s
  timeout client 5s
  timeout server 5s
listen relay
  bind 127.0.0.1:0
  server s 127.0.0.1:${srv.port} check inter 200
`)
  await seen.until(() => at.length >= 6, 'six health checks', 10000)
  // One checker: six checks span at least five intervals (two threads checking would take half).
  expect(at[5]! - at[0]!).toBeGreaterThanOrEqual(5 * 200 * 0.9)
  expect(lb.stderr.filter((l) => l.includes('warning'))).toEqual([])
})

test('nbthread 2: soft stop closes the port in both threads, lets live sessions finish, then the process ends', async () => {
  await using srv = startServer('s', 'echo')
  await using lb = await spawnEdgelb(`global
  nbthread 2
defaults
  mode tcp
  timeout connect 2s
  timeout client 20s
  timeout server 20s
listen relay
  bind 127.0.0.1:0
  server s 127.0.0.1:${srv.port}
`)
  const port = lb.ports.get('relay')!
  // Enough sessions that both threads hold some.
  const clients = await Promise.all(Array.from({ length: 8 }, () => connectClient(port)))
  for (const c of clients) await c.write('a')
  for (const c of clients) await c.waitText('a')
  lb.signal('SIGUSR1')
  await lb.waitStderr(/soft stop/)
  await within(10000, (async () => {
    for (;;) {
      const refused = await Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {}, error() {} } }).then((s) => { s.end(); return false }, () => true)
      if (refused) return
    }
  })(), 'the port to close in every thread')
  for (const c of clients) { await c.write('b'); await c.waitText('ab') }
  for (const c of clients) c[Symbol.dispose]()
  expect(await lb.exited()).toBe(0)
})

test('nbthread 2: a reload reaches both threads', async () => {
  using origin = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('ok') })
  await using lb = await spawnEdgelb(httpConfig(origin.port!, 'one'))
  const port = lb.ports.get('web')!
  expect((await threadsOf(port, 20)).tags).toEqual(new Set(['one']))
  writeFileSync(join(lb.dir, 'edgelb.cfg'), httpConfig(origin.port!, 'two'))
  lb.signal('SIGUSR2')
  await lb.waitStderr(/reloaded in/)
  const after = await threadsOf(port, 40)
  expect(after.statuses.every((s) => s === 200)).toBe(true)
  expect(after.tags).toEqual(new Set(['two']))
  expect([...after.threads].sort()).toEqual(['0', '1'])
})

test('nbthread 2: a stick table counts every thread\'s requests, and a rate limit holds for the process', async () => {
  using origin = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('ok') })
  await using lb = await spawnEdgelb(`global
  nbthread 2
  stats socket unix@admin.sock level admin
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
listen web
  bind 127.0.0.1:0
  stick-table type ip size 1k expire 1m store http_req_cnt,http_req_rate(1m)
  http-request track-sc0 src
  http-request deny deny_status 429 if { sc_http_req_rate(0) gt 10 }
  http-after-response set-header x-thread %[thread]
  server a 127.0.0.1:${origin.port!}
`)
  const port = lb.ports.get('web')!
  const r = await threadsOf(port, 30)
  // Both threads served; the limit counted both threads' requests (one thread alone would let
  // about twice as many through).
  expect([...r.threads].sort()).toEqual(['0', '1'])
  expect(r.statuses.filter((s) => s === 200).length).toBe(10)
  expect(r.statuses.filter((s) => s === 429).length).toBe(20)
  await untilAsked(async () => (await ask(lb, 'show table web')).includes('http_req_cnt=30'), 'the first thread\'s table to count 30 requests')
})

test('nbthread 2 with cpu-map: each thread binds itself to its CPU', async () => {
  const two = availableParallelism() >= 2
  await using srv = startServer('s', 'echo')
  await using lb = await spawnEdgelb(`global
  nbthread 2
  cpu-map 1/1 0
  cpu-map 1/2 ${two ? 1 : 0}
defaults
  mode tcp
  timeout connect 2s
  timeout client 5s
  timeout server 5s
listen relay
  bind 127.0.0.1:0
  server s 127.0.0.1:${srv.port}
`)
  const allowed = (tid: number | string): string => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${lb.proc.pid}/task/${tid}/status`, 'utf8'))?.[1] ?? ''
  // The first thread is the process's main thread; the other is one of its tasks.
  expect(allowed(lb.proc.pid)).toBe('0')
  if (two) expect(readdirSync(`/proc/${lb.proc.pid}/task`).some((t) => allowed(t) === '1')).toBe(true)
  expect(lb.stderr.filter((l) => l.includes('cpu-map'))).toEqual([])
})

test('nbthread 2 under systemd: an inherited socket is served (by the first thread), READY=1 comes once both threads serve, STOPPING=1 at SIGTERM', async () => {
  const p = freePort()
  await using notify = await NotifyReceiver.start()
  await using sd = await socketActivate(`global
  nbthread 2
defaults
  mode http
  timeout connect 5s
  timeout client 5s
  timeout server 5s
frontend web
  bind 127.0.0.1:${p}
  bind 127.0.0.1:0
  http-request return status 200 content-type text/plain string "hello"
  http-after-response set-header x-thread %[thread]
`, { listen: [`127.0.0.1:${p}`], env: { NOTIFY_SOCKET: notify.path } })
  const r = await within(10_000, fetch(`http://127.0.0.1:${p}/`), 'an answer on the inherited socket')
  expect([r.status, await r.text(), r.headers.get('x-thread')]).toEqual([200, 'hello', '0'])
  const ready = await notify.waitFor((m) => m.startsWith('READY=1'), 'READY=1')
  const own = Number(/127\.0\.0\.1:(\d+)$/.exec(ready)?.[1])
  expect(ready).toBe(`READY=1\nSTATUS=serving 1 frontend: web on 127.0.0.1:${p}, 127.0.0.1:${own}`)
  // The address edgelb bound itself is served by both threads.
  expect([...(await threadsOf(own, 30)).threads].sort()).toEqual(['0', '1'])
  sd.signal('SIGTERM')
  expect(await sd.exited()).toBe(0)
  expect(notify.messages.filter((m) => m.startsWith('READY=1'))).toHaveLength(1)
  expect(notify.messages.at(-1)).toBe('STOPPING=1\nSTATUS=stopping')
})

test('nbthread 2: the stats page (CSV) and Prometheus count both threads\' traffic, whichever thread serves them', async () => {
  using origin = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('ok') })
  await using lb = await spawnEdgelb(httpConfig(origin.port!, 'one') + `listen stats
  bind 127.0.0.1:0
  stats enable
  stats uri /stats
  http-request use-service prometheus-exporter if { path /metrics }
  http-after-response set-header x-thread %[thread]
`, { frontends: 2 })
  const r = await threadsOf(lb.ports.get('web')!, 30)
  expect([...r.threads].sort()).toEqual(['0', '1'])
  const statsPort = lb.ports.get('stats')!
  // Each on a new connection: the kernel spreads them over both threads; every answer is the same.
  const seen = new Set<string>()
  for (let i = 0; i < 12; i++) {
    const res = await fetch(`http://127.0.0.1:${statsPort}/stats;csv`, { headers: { connection: 'close' } })
    const csv = await res.text()
    seen.add(res.headers.get('x-thread') ?? '?')
    const names = csv.split('\n')[0]!.replace(/^# /, '').split(',')
    const row = csv.split('\n').find((l) => l.startsWith('web,FRONTEND,'))!.split(',')
    expect(row[names.indexOf('stot')]).toBe('30')
  }
  expect([...seen].sort()).toEqual(['0', '1'])
  const metrics = await (await fetch(`http://127.0.0.1:${statsPort}/metrics`)).text()
  expect(metrics).toMatch(/haproxy_frontend_sessions_total\{proxy="web"\} 30\n/)
  expect(metrics).toMatch(/haproxy_process_nbthread 2\n/)
})

test('nbthread 2 and a binary upgrade: the new process serves the handed-over port with both threads, the old one ends', async () => {
  const port = freePort()
  await using p = await spawnEdgelb(`global
  nbthread 2
  pidfile edgelb.pid
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend web
  bind 127.0.0.1:${port}
  http-request return status 200 content-type text/plain string "ok"
  http-after-response set-header x-thread %[thread]
`)
  const oldPid = p.proc.pid
  let newPid = 0
  try {
    expect([...(await threadsOf(port, 30)).threads].sort()).toEqual(['0', '1'])
    p.signal('SIGURG')
    const line = await p.waitStderr(/^edgelb: upgrade: process \d+ serves now/, 20000)
    newPid = Number(/process (\d+)/.exec(line)![1])
    // Both threads of the old process stop listening, finish, and the process ends.
    expect(await within(10000, p.proc.exited, 'the old process to exit')).toBe(0)
    // The socket handed over was opened with SO_REUSEPORT: the new process's second thread joins it.
    const after = await threadsOf(port, 30)
    expect(after.statuses.every((s) => s === 200)).toBe(true)
    expect([...after.threads].sort()).toEqual(['0', '1'])
  } finally {
    if (newPid > 0) try { process.kill(newPid, 'SIGKILL') } catch { /* gone */ }
  }
})

test('nbthread 2: maxqueue counts the waiters of both threads', async () => {
  await using srv = startServer('s', 'manual')
  await using lb = await spawnEdgelb(`global
  nbthread 2
  stats socket unix@admin.sock level admin
defaults
  mode tcp
  timeout connect 2s
  timeout client 20s
  timeout server 20s
  timeout queue 20s
listen relay
  bind 127.0.0.1:0
  # A hashing algorithm keeps a client on its server when it is full: it queues there.
  balance source
  server s 127.0.0.1:${srv.port} maxconn 1 maxqueue 2
`)
  const port = lb.ports.get('relay')!
  const clients = await Promise.all(Array.from({ length: 8 }, () => connectClient(port)))
  try {
    for (const c of clients) await c.write('x')
    // One on the server, two queued (in whichever thread), the other five refused.
    await until(() => clients.filter((c) => c.closed).length >= 5, 'five refusals', 10000)
    await untilAsked(async () => (await statField(lb, 'relay', 'FRONTEND', 'scur')) === '3', 'three sessions left')
    expect(clients.filter((c) => c.closed).length).toBe(5)
    expect(srv.accepted).toBe(1)
    expect(await statField(lb, 'relay', 's', 'qcur')).toBe('2')
  } finally {
    for (const c of clients) c[Symbol.dispose]()
  }
})

test('nbthread 2: SIGTTOU releases the port in both threads (another process can bind it); SIGTTIN takes it back in both', async () => {
  using origin = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('ok') })
  const port = freePort()
  await using lb = await spawnEdgelb(httpConfig(origin.port!, 'one').replace('bind 127.0.0.1:0', `bind 127.0.0.1:${port}`))
  lb.signal('SIGTTOU')
  await lb.waitStderr(/released/)
  {
    // No thread holds it: a plain listener (without SO_REUSEPORT) binds it.
    using other = Bun.listen({ hostname: '127.0.0.1', port, socket: { data() {} } })
    expect(other.port).toBe(port)
    other.stop(true)
  }
  lb.signal('SIGTTIN')
  await lb.waitStderr(/listening again/)
  expect([...(await threadsOf(port, 30)).threads].sort()).toEqual(['0', '1'])
})

test('nbthread 2: a start refused before binding (chroot to a missing directory) ends the process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-threads-'))
  try {
    writeFileSync(join(dir, 'edgelb.cfg'), `global\n  nbthread 2\n  chroot ${join(dir, 'missing')}\ndefaults\n  mode tcp\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\nlisten relay\n  bind 127.0.0.1:0\n  server s 127.0.0.1:9\n`)
    const proc = Bun.spawn([process.execPath, join(import.meta.dir, '..', '..', 'src', 'main.ts'), 'run', join(dir, 'edgelb.cfg')], { stdout: 'ignore', stderr: 'pipe' })
    expect(await within(10000, proc.exited, 'edgelb to give up')).toBe(1)
    expect(await new Response(proc.stderr).text()).toContain('edgelb: not started:')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('nbthread 2: passive health counts the errors every thread sees', async () => {
  using origin = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('broken', { status: 500 }) })
  await using lb = await spawnEdgelb(`global
  nbthread 2
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
listen web
  bind 127.0.0.1:0
  http-after-response set-header x-thread %[thread]
  server a 127.0.0.1:${origin.port!} check inter 60s observe layer7 error-limit 10 on-error mark-down
`)
  const r = await threadsOf(lb.ports.get('web')!, 40)
  expect([...r.threads].sort()).toEqual(['0', '1'])
  // Ten errors in a row, whichever thread saw them, take the server down (a thread counting its
  // own would let about twenty through); a few more may pass while the word travels.
  const served = r.statuses.filter((s) => s === 500).length
  expect(served).toBeGreaterThanOrEqual(10)
  expect(served).toBeLessThan(15)
  expect(r.statuses.slice(served).every((s) => s === 503)).toBe(true)
  await lb.waitStderr(/Server web\/a is DOWN/)
})

test('nbthread 2: on-marked-down shutdown-sessions ends the server\'s sessions in every thread', async () => {
  await using srv = startServer('s', 'echo')
  await using health = startServer('h', 'manual')
  await using lb = await spawnEdgelb(`global
  nbthread 2
defaults
  mode tcp
  timeout connect 2s
  timeout client 20s
  timeout server 20s
listen relay
  bind 127.0.0.1:0
  server s 127.0.0.1:${srv.port} check port ${health.port} inter 100 fall 1 rise 1 on-marked-down shutdown-sessions
`)
  const port = lb.ports.get('relay')!
  const clients = await Promise.all(Array.from({ length: 8 }, () => connectClient(port)))
  try {
    for (const c of clients) await c.write('a')
    for (const c of clients) await c.waitText('a')
    health.close()
    await lb.waitStderr(/Server relay\/s is DOWN/)
    for (const c of clients) await c.waitClosed(5000)
  } finally {
    for (const c of clients) c[Symbol.dispose]()
  }
})

test('nbthread 2: stats auth holds in every thread', async () => {
  await using lb = await spawnEdgelb(`global
  nbthread 2
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
listen stats
  bind 127.0.0.1:0
  stats enable
  stats uri /stats
  stats auth admin:secret
  http-after-response set-header x-thread %[thread]
`)
  const port = lb.ports.get('stats')!
  const seen = new Set<string>()
  for (let i = 0; i < 12; i++) {
    const anon = await fetch(`http://127.0.0.1:${port}/stats;csv`, { headers: { connection: 'close' } })
    await anon.text()
    const auth = await fetch(`http://127.0.0.1:${port}/stats;csv`, { headers: { connection: 'close', authorization: `Basic ${btoa('admin:secret')}` } })
    await auth.text()
    expect([anon.status, auth.status]).toEqual([401, 200])
    seen.add(anon.headers.get('x-thread') ?? '?')
    seen.add(auth.headers.get('x-thread') ?? '?')
  }
  expect([...seen].sort()).toEqual(['0', '1'])
})
