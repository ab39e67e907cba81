// server-state-file + load-server-state-from-file, as operators use them across a restart: the
// states saved with `show servers state` (maintenance, drain, weights, a down server, an address)
// are the states the next edgelb starts with.
import { expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cfg, spawnEdgelb, startServer } from '../support/harness.ts'

/** What the unix socket at `path` answers to `text` (one command, then the connection closes). */
async function ask(path: string, text: string): Promise<string> {
  let out = ''
  const { promise, resolve } = Promise.withResolvers<void>()
  const s = await Bun.connect({ unix: path, socket: { data(_s, d) { out += d.toString() }, close() { resolve() }, error() {} } })
  s.write(text)
  s.shutdown()
  await promise
  return out
}

/** The `show servers state` lines, each cut to be_name srv_name srv_addr op admin uweight iweight … srv_port. */
function states(dump: string): string[] {
  return dump.split('\n').filter((l) => /^\d+ /.test(l)).map((l) => { const f = l.split(' '); return [f[1], f[3], f[4], f[5], f[6], f[7], f[8], f[18]].join(' ') })
}

test('states, weights and a down server saved with show servers state come back after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-state-'))
  try {
    await using up = startServer('up', 'echo')
    const config = (sock: string): string => cfg`
      global
        stats socket ${join(dir, sock)} level admin
        server-state-base ${dir}
        server-state-file saved.state
      defaults
        mode tcp
        timeout client 5s
        timeout server 5s
        timeout connect 1s
        load-server-state-from-file global
      listen app
        bind 127.0.0.1:0
        balance roundrobin
        server a 127.0.0.1:${up.port} weight 10
        server b 127.0.0.1:${up.port} weight 10
        server c 127.0.0.1:${up.port}
        server d 127.0.0.1:1 check inter 60s`
    {
      await using lb1 = await spawnEdgelb(config('one.sock'))
      const sock = join(dir, 'one.sock')
      expect(await ask(sock, 'set server app/a state maint; set server app/b weight 3; set server app/c state drain; set server app/d health down\n')).toBe('\n\n\n\n')
      const dump = await ask(sock, 'show servers state\n')
      writeFileSync(join(dir, 'saved.state'), dump)
      expect(states(dump)).toEqual([
        `app a 127.0.0.1 0 1 10 10 ${up.port}`,
        `app b 127.0.0.1 2 0 3 10 ${up.port}`,
        `app c 127.0.0.1 2 8 1 1 ${up.port}`,
        'app d 127.0.0.1 0 0 1 1 1',
      ])
    }
    await using lb2 = await spawnEdgelb(config('two.sock'))
    expect(states(await ask(join(dir, 'two.sock'), 'show servers state\n'))).toEqual([
      `app a 127.0.0.1 0 1 10 10 ${up.port}`,
      `app b 127.0.0.1 2 0 3 10 ${up.port}`,
      `app c 127.0.0.1 2 8 1 1 ${up.port}`,
      'app d 127.0.0.1 0 0 1 1 1',
    ])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('local files: the saved address is where traffic goes; a weight whose configured value changed since is not restored; a missing file is a warning', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-state-'))
  try {
    await using moved = startServer('moved', 'tag')
    writeFileSync(join(dir, 'app'), [
      '1',
      '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port',
      `1 app 1 a 127.0.0.1 2 0 7 1 5 0 0 0 0 0 0 0 - ${moved.port} - 0 0 - - 0`,
      '1 app 2 gone 127.0.0.1 2 0 1 1 5 0 0 0 0 0 0 0 - 80 - 0 0 - - 0',
      '',
    ].join('\n'))
    await using lb = await spawnEdgelb(cfg`
      global
        stats socket ${join(dir, 'a.sock')} level admin
        server-state-base ${dir}
      defaults
        mode tcp
        timeout client 5s
        timeout server 5s
        timeout connect 1s
      listen app
        bind 127.0.0.1:0
        load-server-state-from-file local
        server a 127.0.0.1:1 weight 2
      listen other
        bind 127.0.0.1:0
        load-server-state-from-file local
        server-state-file-name nothing-here
        server x 127.0.0.1:1`, { frontends: 2 })
    expect(states(await ask(join(dir, 'a.sock'), 'show servers state app\n'))).toEqual([`app a 127.0.0.1 2 0 2 2 ${moved.port}`])
    const got = await new Promise<string>((resolve) => {
      let text = ''
      const s = net.connect(lb.ports.get('app')!, '127.0.0.1')
      s.on('data', (d: Buffer) => { text += d.toString(); if (text.includes('moved')) { s.destroy(); resolve(text) } })
      s.on('error', () => resolve(text))
    })
    expect(got).toContain('moved')
    expect(lb.stderr).toContain(`edgelb: server state file ${join(dir, 'app')}: backend 'app' has no server 'gone'; its line is ignored`)
    expect(lb.stderr).toContain(`edgelb: cannot read server state file ${join(dir, 'nothing-here')}: ENOENT; servers start as configured`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
