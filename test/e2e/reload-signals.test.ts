/**
 * `edgelb run` reloads on SIGUSR2 and SIGHUP, and through `edgelb reload`: the files are read
 * again; a bad one (broken, missing, unreadable, binding a port another process holds) changes
 * nothing but the message, and the running configuration goes on serving.
 */
import { describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUN, freePort, ROOT, spawnEdgelb, until, type Proc } from '../support/harness.ts'
import { testPki, tlsRequest } from '../support/tls.ts'

const HTTP = (body: string, extra = ''): string => `global
  pidfile edgelb.pid
${extra}defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend web
  bind 127.0.0.1:0
  http-request return status 200 content-type text/plain string "${body}"
`

async function body(p: Proc): Promise<string> {
  return (await fetch(`http://127.0.0.1:${p.ports.get('web')}/`)).text()
}

/** Rewrites the running configuration, sends `sig`, and waits for the outcome's line. */
async function reloadWith(p: Proc, text: string | null, sig: NodeJS.Signals = 'SIGUSR2'): Promise<string> {
  if (text !== null) writeFileSync(join(p.dir, 'edgelb.cfg'), text)
  const seen = p.stderr.length
  p.signal(sig)
  await until(() => p.stderr.slice(seen).some((l) => /^edgelb: (reloaded in|reload failed)/.test(l)), `the reload's outcome (stderr: ${JSON.stringify(p.stderr.slice(seen))})`, 10000)
  return p.stderr.slice(seen).join('\n')
}

describe('signals', () => {
  test('SIGUSR2 and SIGHUP each serve the new configuration, on the same port, in the same process', async () => {
    await using p = await spawnEdgelb(HTTP('one'))
    const port = p.ports.get('web')
    expect(await body(p)).toBe('one')
    expect(await reloadWith(p, HTTP('two'), 'SIGUSR2')).toMatch(/edgelb: reloaded in [\d.]+ ms: generation 2 serves; 1 older generation finishing their sessions/)
    expect(await body(p)).toBe('two')
    const out = await reloadWith(p, HTTP('three'), 'SIGHUP')
    expect(out).toContain(`edgelb: web listening on 127.0.0.1:${port}`)
    expect(out).toMatch(/generation 3 serves/)
    expect(await body(p)).toBe('three')
    p.signal('SIGTERM')
    expect(await p.exited()).toBe(0)
  })
})

describe('a bad configuration keeps the running one serving', () => {
  test('a broken file: the error with its file and line, then a fixed file reloads', async () => {
    await using p = await spawnEdgelb(HTTP('one'))
    const out = await reloadWith(p, HTTP('two') + '  nonsense here\n')
    expect(out).toMatch(/edgelb\.cfg:11: error: unknown keyword 'nonsense'/)
    expect(out).toMatch(/edgelb: reload failed: \/.*edgelb\.cfg:11: error: unknown keyword 'nonsense'.*; generation 1 goes on serving$/m)
    expect(await body(p)).toBe('one')
    expect(await reloadWith(p, HTTP('fixed'))).toContain('generation 2 serves')
    expect(await body(p)).toBe('fixed')
  })

  test('a missing file', async () => {
    await using p = await spawnEdgelb(HTTP('one'))
    rmSync(join(p.dir, 'edgelb.cfg'))
    const out = await reloadWith(p, null)
    expect(out).toMatch(/edgelb: reload failed: .*edgelb\.cfg.*(ENOENT|no such file|does not exist|not found)/i)
    expect(await body(p)).toBe('one')
  })

  test('an unreadable file (edgelb runs as a user that may not read it)', async () => {
    const root = process.getuid?.() === 0
    // As root, edgelb gives root up for nobody once bound; the file stays root's alone.
    await using p = await spawnEdgelb(HTTP('one', root ? '  user nobody\n  group nogroup\n' : ''))
    const file = join(p.dir, 'edgelb.cfg')
    writeFileSync(file, HTTP('two'))
    chmodSync(file, 0o600)
    if (!root) chmodSync(file, 0o000)
    const out = await reloadWith(p, null)
    expect(out).toMatch(/edgelb: reload failed: .*(EACCES|permission denied)/i)
    expect(await body(p)).toBe('one')
  })

  test('a file that binds a port another process holds', async () => {
    await using p = await spawnEdgelb(HTTP('one'))
    const taken = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
    try {
      const out = await reloadWith(p, HTTP('two') + `frontend other\n  bind 127.0.0.1:${taken.port}\n  http-request return status 200\n`)
      expect(out).toContain(`edgelb: reload failed: frontend 'other': cannot bind 127.0.0.1:${taken.port}: EADDRINUSE`)
      expect(out).toContain('generation 1 goes on serving')
      expect(await body(p)).toBe('one')
    } finally {
      taken.stop(true)
    }
  })
})

describe('TLS listeners', () => {
  test('a reload of a configuration with `bind … ssl` is refused, naming the binary upgrade, and the running TLS settings go on serving', async () => {
    const pki = testPki()
    const tlsHttp = (body: string): string => HTTP(body).replace('  bind 127.0.0.1:0\n', `  bind 127.0.0.1:0 ssl crt ${pki.file('a.pem')}\n`)
    await using p = await spawnEdgelb(tlsHttp('one'))
    const out = await reloadWith(p, tlsHttp('two'))
    expect(out).toContain(`edgelb: reload failed: a configuration with 'bind … ssl' is applied by a binary upgrade, which opens its listeners with the new TLS settings: run 'edgelb reload --upgrade' (SIGURG) instead of SIGUSR2/SIGHUP; generation 1 goes on serving`)
  })
})

describe('chroot', () => {
  // Needs root (CI runs as root), as chroot does.
  test.if(process.getuid?.() === 0)('after chroot the files are out of reach: the reload is refused, saying what to do instead', async () => {
    const jail = mkdtempSync(join(tmpdir(), 'edgelb-jail-'))
    try {
      await using p = await spawnEdgelb(HTTP('one', `  chroot ${jail}\n`).replace('  pidfile edgelb.pid\n', ''))
      const out = await reloadWith(p, HTTP('two'), 'SIGHUP')
      expect(out).toContain(`edgelb: reload failed: edgelb is confined to ${jail} (chroot), where ${join(p.dir, 'edgelb.cfg')} cannot be read; restart it to apply a new configuration, or confine it with systemd's RootDirectory=/ProtectSystem= instead of chroot, which reloads can live with; generation 1 goes on serving`)
      expect(await body(p)).toBe('one')
    } finally {
      rmSync(jail, { recursive: true, force: true })
    }
  })
})

describe('edgelb reload', () => {
  const reloadCli = (args: string[], cwd: string): { status: number | null; err: string } => {
    const r = spawnSync(BUN, [join(ROOT, 'src', 'main.ts'), 'reload', ...args], { cwd, encoding: 'utf8' })
    return { status: r.status, err: r.stderr }
  }

  test('checks FILE, finds the process through its pidfile and reloads it; a FILE with errors sends nothing', async () => {
    await using p = await spawnEdgelb(HTTP('one'))
    const file = join(p.dir, 'edgelb.cfg')
    writeFileSync(file, HTTP('two') + 'frontend\n')
    const bad = reloadCli([file], p.dir)
    expect(bad.status).toBe(1)
    expect(bad.err).toContain('edgelb reload: not sent: the configuration has errors')
    expect(await body(p)).toBe('one')
    writeFileSync(file, HTTP('two'))
    const seen = p.stderr.length
    const good = reloadCli([file], p.dir)
    expect([good.status, good.err.split('\n').at(-2)]).toEqual([0, `edgelb: reload asked of process ${p.proc.pid} (SIGUSR2)`])
    await until(() => p.stderr.slice(seen).some((l) => l.startsWith('edgelb: reloaded in')), 'the reload', 10000)
    expect(p.stderr.slice(seen).join('\n')).toContain('edgelb: reloading (SIGUSR2)')
    expect(await body(p)).toBe('two')
  })

  test('a FILE with TLS listeners is applied by a binary upgrade: SIGURG is sent, and a new process serves TLS on the same socket', async () => {
    const pki = testPki()
    const port = freePort()
    const at = (text: string): string => text.replace('  bind 127.0.0.1:0\n', `  bind 127.0.0.1:${port}\n`)
    await using p = await spawnEdgelb(at(HTTP('one')))
    const file = join(p.dir, 'edgelb.cfg')
    writeFileSync(file, at(HTTP('two')).replace(`  bind 127.0.0.1:${port}\n`, `  bind 127.0.0.1:${port} ssl crt ${pki.file('a.pem')}\n`))
    const seen = p.stderr.length
    const r = reloadCli([file], p.dir)
    expect(r.status).toBe(0)
    expect(r.err).toContain('edgelb reload: the configuration has TLS listeners (bind … ssl): applying it by a binary upgrade, which opens them with the new certificates and settings')
    expect(r.err.split('\n').at(-2)).toBe(`edgelb: upgrade asked of process ${p.proc.pid} (SIGURG)`)
    await until(() => p.stderr.slice(seen).some((l) => /^edgelb: upgrade: process \d+ serves now/.test(l)), 'the new process to serve', 10000)
    const next = Number(/process (\d+) serves now/.exec(p.stderr.slice(seen).join('\n'))![1])
    try {
      // The new process took the listening socket over and opened it with TLS.
      const res = await tlsRequest(port, { servername: 'a.test', ca: pki.ca })
      expect([res.status, res.body, res.peerCn]).toEqual([200, 'two', 'a.test'])
    } finally {
      process.kill(next, 'SIGTERM')
    }
  })

  test('-p PIDFILE alone; a stale pidfile and a missing one are said plainly', async () => {
    await using p = await spawnEdgelb(HTTP('one'))
    writeFileSync(join(p.dir, 'edgelb.cfg'), HTTP('two'))
    expect(reloadCli(['-p', 'edgelb.pid'], p.dir).status).toBe(0)
    await p.waitStderr(/^edgelb: reloaded in/)
    expect(await body(p)).toBe('two')
    writeFileSync(join(p.dir, 'stale.pid'), '999999999\n')
    expect(reloadCli(['-p', 'stale.pid'], p.dir)).toEqual({ status: 1, err: 'edgelb reload: cannot signal process 999999999 (from stale.pid): no such process (a stale pidfile?)\n' })
    expect(reloadCli(['-p', 'none.pid'], p.dir)).toEqual({ status: 1, err: 'edgelb reload: cannot read none.pid: ENOENT (is edgelb running with -p none.pid?)\n' })
    expect(reloadCli([], p.dir)).toEqual({ status: 2, err: 'edgelb reload: which process? give -p PIDFILE, or a FILE whose global section has a pidfile\n' })
  })
})
