// The admin socket end to end: a real engine, a real socket, HAProxy's commands and answers.
import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cfg, connectClient, startLb, startServer } from '../../test/support/harness.ts'
import { nextChecks } from '../../test/support/checks.ts'
import { AdminSockets } from './socket.ts'

/** Sends one command line on a new connection; resolves with the whole answer (read to close). */
async function ask(port: number, line: string): Promise<string> {
  using c = await connectClient(port)
  await c.write(line + '\n')
  await c.waitEof()
  return c.text()
}

describe('admin socket', () => {
  test('show servers state, disable and enable server, as HAProxy words them', async () => {
    await using srv = startServer('s1', 'echo')
    await using lb = await startLb(cfg`
      global
        stats socket 127.0.0.1:0 level admin
      frontend fe
        bind 127.0.0.1:0
        default_backend be
      backend be
        server a 127.0.0.1:${srv.port} check inter 100ms rise 1 fall 1
        server b 127.0.0.1:1 weight 3`)
    const admin = new AdminSockets(lb.engine, lb.engine.config.global.statsSockets)
    try {
      const a = lb.backend('be').servers[0]!
      await nextChecks(a)
      const port = admin.ports[0]!
      const state = await ask(port, 'show servers state')
      const lines = state.split('\n')
      expect(lines[0]).toBe('1')
      expect(lines[1]).toStartWith('# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight')
      // be is proxy 3: the stats socket's frontend is 1, fe 2.
      expect(lines[2]).toMatch(new RegExp(`^3 be 1 a 127\\.0\\.0\\.1 2 0 1 1 \\d+ 6 3 1 [67] 0 0 0 - ${srv.port} - 0 0 - - 0$`))
      expect(lines[3]).toMatch(/^3 be 2 b 127\.0\.0\.1 2 0 3 3 \d+ 1 0 2 0 0 0 0 - 1 - 0 0 - - 0$/)
      expect(state.endsWith('\n\n')).toBe(true)
      expect(await ask(port, 'disable server be/a')).toBe('\n')
      expect(a.effectiveAdmin).toBe('maint')
      expect((await ask(port, 'show servers state be')).split('\n')[2]).toMatch(/^3 be 1 a \S+ 0 1 1 1 \d+ 6 3 [01] 1[45] /)
      expect(await ask(port, 'enable server be/a; show stat')).toMatch(/^\n# pxname,svname,qcur,qmax,scur,smax,slim,stot,/)
      expect(a.effectiveAdmin).toBe('ready')
      expect(await ask(port, 'disable server be/nope')).toBe('No such server.\n\n')
      expect(await ask(port, 'frobnicate')).toStartWith('Unknown command')
    } finally {
      admin.close()
    }
  })

  test('levels bound the commands; a unix socket gets its mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgelb-admin-'))
    try {
      await using lb = await startLb(cfg`
        global
          stats socket 127.0.0.1:0 level user
          stats socket ${dir}/admin.sock mode 600 level admin
        listen web
          bind 127.0.0.1:0
          server a 127.0.0.1:1`)
      const admin = new AdminSockets(lb.engine, lb.engine.config.global.statsSockets)
      try {
        expect(await ask(admin.ports[0]!, 'disable server web/a')).toBe('Permission denied\n\n')
        expect(statSync(join(dir, 'admin.sock')).mode & 0o777).toBe(0o600)
      } finally {
        admin.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('maps: show, clear, add (also as a payload), del; process variables: get, and set in experimental mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgelb-admin-'))
    try {
      const map = join(dir, 'hosts.map')
      writeFileSync(map, 'a.example app1\nb.example app2\n')
      await using lb = await startLb(cfg`
        global
          stats socket 127.0.0.1:0 level admin
          set-var proc.int5 int(5)
        frontend fe
          mode http
          bind 127.0.0.1:0
          http-request set-var(txn.be) req.hdr(host),map(${map},none)
          default_backend app1
        backend app1
          mode http
          server a 127.0.0.1:1`)
      const admin = new AdminSockets(lb.engine, lb.engine.config.global.statsSockets)
      try {
        const port = admin.ports[0]!
        expect(await ask(port, `show map ${map}`)).toMatch(/^0x[0-9a-f]+ a\.example app1\n0x[0-9a-f]+ b\.example app2\n\n$/)
        expect(await ask(port, `clear map ${map}`)).toBe('\n')
        expect(await ask(port, `add map ${map} c.example app3`)).toBe('\n')
        expect(await ask(port, `add map ${map} <<\nd.example app4\ne.example app5\n`)).toBe('\n')
        expect(await ask(port, `del map ${map} d.example`)).toBe('\n')
        expect(await ask(port, `show map ${map}`)).toMatch(/^0x[0-9a-f]+ c\.example app3\n0x[0-9a-f]+ e\.example app5\n\n$/)
        expect(await ask(port, 'get var proc.int5')).toBe('proc.int5: type=sint value=<5>\n')
        expect(await ask(port, 'set var proc.int5 int(6)')).toBe('This command is restricted to experimental mode only.\n\n')
        expect(await ask(port, 'experimental-mode on; set var proc.s str(updating); set var proc.s fmt %[var(proc.s),regsub(ing,ed)]; get var proc.s')).toBe('\n\n\nproc.s: type=str value=<updated>\n')
      } finally {
        admin.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
