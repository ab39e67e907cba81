/**
 * The runtime API on a real socket, as operators use it: `echo "show info" | socat stdio
 * /run/edgelb.sock` (one command, then the connection closes), the interactive `prompt` mode,
 * the socket's file mode and level, `stats timeout`.
 */
import { expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startStatsSockets } from '../../src/admin/socket.ts'
import { cfg, parseConfig, Signal, spawnEdgelb, startLb } from '../support/harness.ts'

/** A client of a unix socket: what it received, and whether the server closed. */
async function cliClient(path: string): Promise<{ write(t: string): void; end(): void; text(): string; closed: Promise<void>; changed: Signal } & Disposable> {
  let text = ''
  const changed = new Signal()
  const { promise: closed, resolve } = Promise.withResolvers<void>()
  const sock = await Bun.connect({
    unix: path,
    socket: {
      data(_s, chunk) { text += chunk.toString('latin1'); changed.notify() },
      close() { resolve(); changed.notify() },
      error() {},
    },
  })
  return {
    write: (t) => { sock.write(t) },
    end: () => { sock.shutdown() },
    text: () => text,
    closed,
    changed,
    [Symbol.dispose]() { sock.end() },
  }
}

/** What the socket answers to `text` sent as socat sends it (then a half-close). */
async function ask(path: string, text: string): Promise<string> {
  using c = await cliClient(path)
  c.write(text)
  c.end()
  await c.closed
  return c.text()
}

test('edgelb run listens on `stats socket` with its mode; one command per connection, as socat sends it', async () => {
  await using lb = await spawnEdgelb(cfg`
    global
      stats socket unix@admin.sock mode 600 level admin
    listen app
      bind 127.0.0.1:0
      server s1 127.0.0.1:1`)
  const path = join(lb.dir, 'admin.sock')
  expect(statSync(path).mode & 0o777).toBe(0o600)
  const info = await ask(path, 'show info\n')
  expect(info).toContain('Name: edgelb\n')
  expect(info.endsWith('\n\n')).toBe(true)
  expect(await ask(path, 'set server app/s1 state maint; show stat -1 4 -1\n')).toMatch(/^\n# pxname,svname,.*\napp,s1,.*,MAINT,/s)
})

test('an operator socket refuses admin commands; prompt mode answers until quit; stats timeout closes an idle connection', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-cli-'))
  try {
    await using lb = await startLb(cfg`
      global
        stats socket ${join(dir, 'op.sock')} level operator
        stats timeout 300ms
      listen app
        bind 127.0.0.1:0
        server s1 127.0.0.1:1`)
    const sockets = startStatsSockets(lb.engine, lb.engine.config.global)
    try {
      const path = join(dir, 'op.sock')
      expect(await ask(path, 'disable server app/s1\n')).toBe('Permission denied\n\n')
      expect(lb.backend('app').servers[0]!.admin).toBe('ready')

      using c = await cliClient(path)
      c.write('prompt\n')
      await c.changed.until(() => c.text() === '\n> ', 'the prompt')
      c.write('show backend\n')
      await c.changed.until(() => c.text() === '\n> # name\napp\n\n> ', 'the answer and a new prompt')
      c.write('quit\n')
      await c.closed

      using idle = await cliClient(path)
      idle.write('prompt\n')
      await idle.closed // after `stats timeout` without a command
      expect(idle.text()).toBe('\n> ')
    } finally {
      sockets.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('user and group (or uid and gid) on the stats socket line own its file; a name that does not exist is refused at load', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-cli-'))
  try {
    const nobody = Number(/^nobody:[^:]*:(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'))![1])
    await using lb = await startLb(cfg`
      global
        stats socket ${join(dir, 'a.sock')} mode 660 user nobody gid 4321 level admin
      listen app
        bind 127.0.0.1:0
        server s1 127.0.0.1:1`)
    if (process.getuid?.() === 0) {
      const sockets = startStatsSockets(lb.engine, lb.engine.config.global)
      try {
        const st = statSync(join(dir, 'a.sock'))
        expect([st.uid, st.gid, st.mode & 0o777]).toEqual([nobody, 4321, 0o660])
      } finally {
        sockets.close()
      }
    } else {
      // Not root: the owner cannot be given away, and the socket is not served (fail closed).
      expect(() => startStatsSockets(lb.engine, lb.engine.config.global)).toThrow(`stats socket: cannot give ${join(dir, 'a.sock')} to uid ${nobody} gid 4321: EPERM`)
    }
    expect(() => parseConfig(cfg`
      global
        stats socket ${join(dir, 'b.sock')} user no-such-user-here
      listen app
        bind 127.0.0.1:0
        server s1 127.0.0.1:1`)).toThrow("'stats socket ... user': no user 'no-such-user-here' on this machine (/etc/passwd); create it, or write 'uid N'")
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
