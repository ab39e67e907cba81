// show sess / shutdown session, enable|disable frontend, set maxconn frontend|global, and the
// ACL file commands, on real sockets, with the level each one needs.
import { expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cfg, connectClient, startLb, startServer, startTcpApp, until } from '../../test/support/harness.ts'
import { okResponse, rawExchange, startHttpServer } from '../../test/support/http-harness.ts'
import { CliSession } from './session.ts'
import type { CliLevel } from './types.ts'

const run = (lb: { engine: CliSession['ctx']['engine'] }, text: string, level: CliLevel = 'admin'): string => new CliSession({ engine: lb.engine, level }).input(text)

test('show sess lists live sessions in HAProxy\'s layout; shutdown session ends one (admin)', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startTcpApp(srv.port)
  using c = await connectClient(lb.port())
  await c.write('x')
  await c.waitText('x')
  const out = run(lb, 'show sess\n', 'operator')
  const m = /^(0x[0-9a-f]+): proto=tcpv4 src=127\.0\.0\.1:\d+ fe=app be=app srv=s1 ts=00 epoch=0x0 age=\d+s calls=\d+ rate=\d+ cpu=\d+ lat=\d+ rq\[.*\] rp\[.*\] .* exp=.* rc=0 c_exp=\n\n$/.exec(out)
  expect(m).not.toBeNull()
  const id = m![1]!
  expect(run(lb, `show sess ${id}\n`, 'operator')).toBe(out)
  expect(run(lb, 'show sess\n', 'user')).toBe('Permission denied\n\n')
  expect(run(lb, `shutdown session ${id}\n`, 'operator')).toBe('Permission denied\n\n')
  expect(run(lb, 'shutdown session\n')).toBe("Session pointer expected (use 'show sess').\n\n")
  expect(run(lb, 'shutdown session 0xdead\n')).toBe("No such session (use 'show sess').\n\n")
  expect(run(lb, `shutdown session ${id}\n`)).toBe('\n')
  await c.waitClosed()
  const logs = await lb.waitLogs(1)
  expect(logs.at(-1)).toContain(' KD ')
  expect(run(lb, 'show sess\n', 'operator')).toBe('\n')
})

test('disable frontend stops accepting, enable frontend accepts again (admin); HAProxy\'s messages', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startTcpApp(srv.port)
  const port = lb.port()
  expect(run(lb, 'disable frontend app\n', 'operator')).toBe('Permission denied\n\n')
  expect(run(lb, 'disable frontend\n')).toBe('Frontend name expected.\n\n')
  expect(run(lb, 'disable frontend nope\n')).toBe('No such frontend.\n\n')
  expect(run(lb, 'disable frontend app\n')).toBe('\n')
  expect(run(lb, 'disable frontend app\n')).toBe('Frontend was already shut down.\n\n')
  const refused = await new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    s.on('connect', () => { s.destroy(); resolve(false) })
    s.on('error', () => resolve(true))
  })
  expect(refused).toBe(true)
  expect(run(lb, 'enable frontend app\n')).toBe('\n')
  expect(run(lb, 'enable frontend app\n')).toBe('Frontend is already enabled.\n\n')
  using c = await connectClient(lb.frontend().bound[0]!.port)
  await c.write('y')
  await c.waitText('y')
})

test('set maxconn frontend and global: a lowered limit parks new connections, a raised one admits them', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startTcpApp(srv.port)
  expect(run(lb, 'set maxconn frontend app 1\n', 'operator')).toBe('Permission denied\n\n')
  expect(run(lb, 'set maxconn frontend app x\n')).toBe('Integer value expected.\n\n')
  expect(run(lb, 'set maxconn frontend app 1\n')).toBe('\n')
  expect(lb.frontend().maxconn).toBe(1)
  using c1 = await connectClient(lb.port())
  await c1.write('a')
  await c1.waitText('a')
  using c2 = await connectClient(lb.port())
  await c2.write('b')
  // The second connection waits for a slot: in the kernel's queue behind the paused listener,
  // or parked (the first time the process fills up, while the pause is being set up).
  const fe = lb.frontend()
  await until(() => fe.listenersPaused || fe.parked === 1, 'the second connection to wait for a slot')
  expect(c2.text()).toBe('')
  expect(run(lb, 'set maxconn frontend app 2\n')).toBe('\n')
  await c2.waitText('b')
  expect(run(lb, 'set maxconn global 0\n')).toBe('Value out of range.\n\n')
  expect(run(lb, 'set maxconn global x\n')).toBe('Expects an integer value.\n\n')
  expect(run(lb, 'set maxconn global 500\n')).toBe('\n')
  expect(lb.engine.globalMaxconn).toBe(500)
})

test('show acl, add acl, del acl, clear acl: live on every ACL reading the file; the file is untouched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-acl-'))
  try {
    const file = join(dir, 'blocked.lst')
    writeFileSync(file, '10.9.9.9\n')
    await using a = startHttpServer('a', () => okResponse('ok'))
    await using lb = await startLb(cfg`
      defaults
        mode http
        timeout client 5s
        timeout server 5s
        timeout connect 1s
      frontend web
        bind 127.0.0.1:0
        acl blocked src -f ${file}
        http-request deny if blocked
        default_backend app
      backend app
        server s1 127.0.0.1:${a.port}`)
    const get = () => rawExchange(lb.port(), 'GET / HTTP/1.0\r\n\r\n').then((r) => r.split(' ')[1])
    expect(await get()).toBe('200')
    expect(run(lb, 'show acl\n', 'operator')).toBe(`# id (file) description\n0 (${file}) pattern loaded from file '${file}'. curr_ver=0 next_ver=0 entry_cnt=1\n\n`)
    expect(run(lb, 'show acl\n', 'user')).toBe('Permission denied\n\n')
    expect(run(lb, 'show map\n', 'operator')).toBe('# id (file) description\n\n')
    expect(run(lb, 'add acl blocked.lst 127.0.0.0/8\n', 'operator')).toBe('\n')
    expect(await get()).toBe('403')
    expect(run(lb, 'show acl #0\n', 'operator')).toMatch(/^0x[0-9a-f]+ 10\.9\.9\.9\n0x[0-9a-f]+ 127\.0\.0\.0\/8\n\n$/)
    expect(run(lb, 'add acl blocked.lst not-an-ip\n', 'operator')).toBe("'not-an-ip' is not a valid pattern for this ACL.\n\n")
    expect(run(lb, 'del acl blocked.lst 127.0.0.0/8\n', 'operator')).toBe('\n')
    expect(await get()).toBe('200')
    expect(run(lb, 'del acl blocked.lst 127.0.0.0/8\n', 'operator')).toBe('Key not found.\n\n')
    expect(run(lb, 'clear acl #0\n', 'operator')).toBe('\n')
    expect(run(lb, 'show acl nope.lst\n', 'operator')).toBe('Unknown ACL identifier. Please use #<id> or <file>.\n\n')
    expect(readFileSync(file, 'utf8')).toBe('10.9.9.9\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('show errors: the last invalid request of a frontend and invalid response of a backend, HAProxy\'s layout', async () => {
  await using bad = startHttpServer('bad', () => 'HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n')
  await using lb = await startLb(cfg`
    defaults
      mode http
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    frontend web
      bind 127.0.0.1:0
      use_backend broken if { path /broken }
      default_backend app
    backend app
      server s1 127.0.0.1:1
    backend broken
      server b1 127.0.0.1:${bad.port}`)
  expect((await rawExchange(lb.port(), 'GET /a b\\c HTTP/1.1\r\nHost: x\r\n\r\n')).split(' ')[1]).toBe('400')
  expect((await rawExchange(lb.port(), 'GET /broken HTTP/1.1\r\nHost: x\r\n\r\n')).split(' ')[1]).toBe('502')
  const out = run(lb, 'show errors\n', 'operator')
  const DATE = '\\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\]'
  expect(out).toMatch(new RegExp(`^Total events captured on ${DATE} : \\d+\\n\\n${DATE} frontend web \\(#1\\): invalid request\\n  backend <NONE> \\(#-1\\), server <NONE> \\(#-1\\), event #\\d+, src 127\\.0\\.0\\.1:\\d+\\n  buffer starts at 0 \\(including 0 out\\), \\d+ free,\\n  len 32, wraps at 16384, error at position \\d+\\n`))
  expect(out).toContain('\n  00000  GET /a b\\\\c HTTP/1.1\\r\\n\n  00021  Host: x\\r\\n\n  00030  \\r\\n\n')
  expect(out).toMatch(new RegExp(`\\n${DATE} backend broken \\(#3\\): invalid response\\n  frontend web \\(#1\\), server b1 \\(#1\\), event #\\d+, src 127\\.0\\.0\\.1:\\d+\\n`))
  expect(out).toContain('  00000  HTTP/1.1 2x0 OK\\r\\n\n')
  expect(run(lb, 'show errors web request\n', 'operator')).not.toContain('invalid response')
  expect(run(lb, 'show errors nope\n', 'operator')).toBe('No such proxy.\n\n')
  expect(run(lb, 'show errors\n', 'user')).toBe('Permission denied\n\n')
})

test('a frontend disabled on the runtime API stays disabled across SIGTTOU/SIGTTIN (pause, resume)', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startTcpApp(srv.port)
  expect(run(lb, 'disable frontend app\n')).toBe('\n')
  lb.engine.pause()
  lb.engine.resume()
  expect(lb.frontend().stopped).toBe(true)
  expect(run(lb, 'enable frontend app\n')).toBe('\n')
  expect(lb.frontend().stopped).toBe(false)
})

test('every command added here answers Permission denied below its level', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startTcpApp(srv.port)
  const below: [string, CliLevel][] = [
    ['show sess', 'user'], ['show errors', 'user'], ['show events', 'user'], ['show acl', 'user'],
    ['add acl x.lst 1.2.3.4', 'user'], ['del acl x.lst 1.2.3.4', 'user'], ['clear acl x.lst', 'user'],
    ['shutdown session 0x1', 'operator'], ['disable frontend app', 'operator'], ['enable frontend app', 'operator'],
    ['set maxconn frontend app 5', 'operator'], ['set maxconn global 5', 'operator'],
  ]
  for (const [cmd, level] of below) expect([cmd, run(lb, `${cmd}\n`, level)]).toEqual([cmd, 'Permission denied\n\n'])
  expect(lb.frontend().stopped).toBe(false)
  expect(lb.engine.globalMaxconn).not.toBe(5)
})
