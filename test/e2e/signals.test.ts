// edgelb as a process (`bun src/main.ts run FILE`) and its signals (guide §4.3): SIGUSR1 soft stop
// (with `grace`), SIGTTOU / SIGTTIN release and take back the ports, SIGTERM stops now; pidfile.
import { expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { cfg, connectClient, connectEchoed, freePort, spawnEdgelb, startServer } from '../support/harness.ts'

/** Whether a connection to 127.0.0.1:port is refused (nothing listens). */
async function refused(port: number): Promise<boolean> {
  try {
    using _ = await connectClient(port)
  } catch {
    return true
  }
  // Connected: something listens. (It may close at once; that is not a refusal.)
  return false
}

/** Whether a new connection to `port` goes unserved: refused, or (when it reached the kernel's
 *  backlog in the instant the listener was closing) closed without a byte. `run` prints its
 *  notice just before it acts, so the test may be that quick. */
async function unserved(port: number): Promise<boolean> {
  try {
    using c = await connectClient(port)
    await c.waitClosed(2000)
    return c.received === 0
  } catch {
    return true
  }
}

function config(port: number, srvPort: number, extra = ''): string {
  return cfg`
    defaults
      mode tcp
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    listen app
      bind 127.0.0.1:${port}
      server s1 127.0.0.1:${srvPort}` + extra
}

test('SIGUSR1: the listener closes at once, a live session completes, then the process exits 0', async () => {
  await using srv = startServer('s1', 'echo')
  const port = freePort()
  await using lb = await spawnEdgelb(config(port, srv.port))
  expect(lb.ports.get('app')).toBe(port)
  using live = await connectEchoed(port, 'before;')
  lb.signal('SIGUSR1')
  await lb.waitStderr(/soft stop/)
  expect(await unserved(port)).toBe(true)
  expect(srv.accepted).toBe(1)
  // The live session still relays both ways, and the process waits for it.
  await live.write('after;')
  await live.waitText('before;after;')
  expect(lb.proc.exitCode).toBeNull()
  live.shutdown()
  await live.waitClosed()
  expect(live.wasReset).toBe(false)
  expect(await lb.exited()).toBe(0)
})

test('SIGUSR1 with grace: new connections are still served during the grace period, then the process exits', async () => {
  await using srv = startServer('s1')
  const port = freePort()
  await using lb = await spawnEdgelb(config(port, srv.port, '\n  grace 500ms\n'))
  lb.signal('SIGUSR1')
  const t0 = performance.now()
  await lb.waitStderr(/soft stop/)
  {
    using c = await connectClient(port)
    await c.waitText('s1')
  }
  expect(await lb.exited()).toBe(0)
  expect(performance.now() - t0).toBeGreaterThanOrEqual(490)
  expect(await refused(port)).toBe(true)
  expect(srv.accepted).toBe(1)
})

test('SIGTTOU releases the port (another process can bind it) while a live session goes on; SIGTTIN binds again', async () => {
  await using srv = startServer('s1', 'echo')
  const port = freePort()
  await using lb = await spawnEdgelb(config(port, srv.port))
  using live = await connectEchoed(port, 'one;')
  lb.signal('SIGTTOU')
  await lb.waitStderr(/released/)
  // A new instance could start on that port now.
  {
    await using other = startServer('other', 'tag', { port })
    using c = await connectClient(port)
    await c.waitText('other')
  }
  await live.write('two;')
  await live.waitText('one;two;')
  lb.signal('SIGTTIN')
  await lb.waitStderr(/listening again/)
  {
    using c = await connectEchoed(port, 'three;')
  }
  expect(srv.accepted).toBe(2)
  lb.signal('SIGTERM')
  expect(await lb.exited()).toBe(0)
})

test('an idle process stays up after SIGTTOU, waiting for SIGTTIN or SIGUSR1', async () => {
  await using srv = startServer('s1')
  const port = freePort()
  await using lb = await spawnEdgelb(config(port, srv.port))
  lb.signal('SIGTTOU')
  await lb.waitStderr(/released/)
  expect(await refused(port)).toBe(true)
  lb.signal('SIGTTIN')
  await lb.waitStderr(/listening again/)
  {
    using c = await connectClient(port)
    await c.waitText('s1')
  }
  lb.signal('SIGUSR1')
  expect(await lb.exited()).toBe(0)
})

test('SIGTTIN when the port was taken meanwhile: the process says so and keeps its sessions', async () => {
  await using srv = startServer('s1', 'echo')
  const port = freePort()
  await using lb = await spawnEdgelb(config(port, srv.port))
  using live = await connectEchoed(port, 'first;')
  lb.signal('SIGTTOU')
  await lb.waitStderr(/released/)
  await using other = startServer('other', 'tag', { port })
  lb.signal('SIGTTIN')
  await lb.waitStderr(/cannot listen again/)
  await live.write('still;')
  await live.waitText('first;still;')
  lb.signal('SIGTERM')
  expect(await lb.exited()).toBe(0)
})

test('SIGTERM: the process exits 0 at once and kills live sessions', async () => {
  await using srv = startServer('s1', 'echo')
  const port = freePort()
  await using lb = await spawnEdgelb(config(port, srv.port))
  using live = await connectEchoed(port, 'x')
  lb.signal('SIGTERM')
  await live.waitClosed()
  expect(await lb.exited()).toBe(0)
  await srv.conns[0]!.waitClosed()
})

test('the pidfile holds the pid while running and is removed at exit', async () => {
  await using srv = startServer('s1')
  const port = freePort()
  await using lb = await spawnEdgelb(config(port, srv.port), { args: ['--pidfile', 'edgelb.pid'] })
  const pidfile = join(lb.dir, 'edgelb.pid')
  expect(readFileSync(pidfile, 'utf8')).toBe(`${lb.proc.pid}\n`)
  lb.signal('SIGINT')
  expect(await lb.exited()).toBe(0)
  expect(existsSync(pidfile)).toBe(false)
})

test('the global pidfile keyword works the same', async () => {
  await using srv = startServer('s1')
  const port = freePort()
  await using lb = await spawnEdgelb(`global\n  pidfile ./from-config.pid\n` + config(port, srv.port))
  const pidfile = join(lb.dir, 'from-config.pid')
  expect(readFileSync(pidfile, 'utf8')).toBe(`${lb.proc.pid}\n`)
  lb.signal('SIGUSR1')
  expect(await lb.exited()).toBe(0)
  expect(existsSync(pidfile)).toBe(false)
})
