/**
 * `chroot`, `user`/`uid` and `group`/`gid`: edgelb binds as root, then gives root up before it
 * serves, as HAProxy does; what it cannot do refuses to start (fail closed), never runs as root.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { chmodSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUN, ROOT, spawnEdgelb } from '../support/harness.ts'

const DIR = mkdtempSync(join(tmpdir(), 'edgelb-privileges-'))
chmodSync(DIR, 0o755) // nobody reads its config here
afterAll(() => rmSync(DIR, { recursive: true, force: true }))

const ROOT_USER = process.geteuid?.() === 0

/** The id of `name` in /etc/passwd or /etc/group, as the test reads it itself. */
function idOf(file: string, name: string): number {
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(`${name}:`))
  if (line === undefined) throw new Error(`no ${name} in ${file}`)
  return Number(line.split(':')[2])
}

const HEAD = `defaults
  mode http
  timeout connect 5s
  timeout client 5s
  timeout server 5s
`

function check(text: string): { code: number | null; err: string } {
  const file = join(DIR, `c${Math.random().toString(36).slice(2)}.cfg`)
  writeFileSync(file, text)
  const r = Bun.spawnSync([BUN, join(ROOT, 'src', 'main.ts'), 'check', file], { timeout: 15_000, stdout: 'pipe', stderr: 'pipe' })
  return { code: r.exitCode, err: r.stderr.toString().replaceAll(`${file}:`, '') }
}

describe('giving root up once bound', () => {
  test('a user or group this machine does not know is an error at its line', () => {
    const r = check(`global\n  user no-such-user-here\n  group no-such-group-here\n${HEAD}listen web\n  bind 127.0.0.1:0\n  server a 127.0.0.1:9\n`)
    expect(r.code).toBe(1)
    expect(r.err).toContain(`2: error: no user 'no-such-user-here' on this machine (/etc/passwd); create it, or write 'uid N' with its number`)
    expect(r.err).toContain(`3: error: no group 'no-such-group-here' on this machine (/etc/group); create it, or write 'gid N' with its number`)
  })

  // Needs root (CI runs as root); the refusal without root is the test below.
  test.if(ROOT_USER)('as root: chroot, group and user are applied before the first request, and traffic flows', async () => {
    const jail = mkdtempSync(join(tmpdir(), 'edgelb-jail-'))
    await using app = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('app') })
    try {
      await using lb = await spawnEdgelb(`global\n  chroot ${jail}\n  user nobody\n  group nogroup\n${HEAD}listen web\n  bind 127.0.0.1:0\n  server a 127.0.0.1:${app.port}\n`)
      const status = readFileSync(`/proc/${lb.proc.pid}/status`, 'utf8')
      const uid = idOf('/etc/passwd', 'nobody')
      const gid = idOf('/etc/group', 'nogroup')
      expect(status.match(/^Uid:\s+(.*)$/m)![1]!.split(/\s+/)).toEqual([`${uid}`, `${uid}`, `${uid}`, `${uid}`])
      expect(status.match(/^Gid:\s+(.*)$/m)![1]!.split(/\s+/)).toEqual([`${gid}`, `${gid}`, `${gid}`, `${gid}`])
      expect(status.match(/^Groups:\s*(.*)$/m)![1]!.trim()).toBe(`${gid}`)
      expect(readlinkSync(`/proc/${lb.proc.pid}/root`)).toBe(jail)
      const r = await fetch(`http://127.0.0.1:${lb.ports.get('web')}/`)
      expect([r.status, await r.text()]).toEqual([200, 'app'])
    } finally {
      rmSync(jail, { recursive: true, force: true })
    }
  })

  test.if(ROOT_USER)('as root: a chroot directory that does not exist refuses to start, before binding', () => {
    const file = join(DIR, 'nojail.cfg')
    writeFileSync(file, `global\n  chroot ${join(DIR, 'missing')}\n${HEAD}listen web\n  bind 127.0.0.1:0\n  server a 127.0.0.1:9\n`)
    const r = Bun.spawnSync([BUN, join(ROOT, 'src', 'main.ts'), 'run', file], { timeout: 15_000, stdout: 'pipe', stderr: 'pipe' })
    expect(r.exitCode).toBe(1)
    expect(r.stderr.toString().trim().split('\n')).toEqual([`edgelb: not started: 'chroot ${join(DIR, 'missing')}': no such directory`])
  })

  test('not root: chroot or another user refuses to start, before binding (run as nobody)', () => {
    const file = join(DIR, 'notroot.cfg')
    writeFileSync(file, `global\n  chroot /\n${HEAD}listen web\n  bind 127.0.0.1:0\n  server a 127.0.0.1:9\n`)
    // As root, the test drops to nobody itself; otherwise it already is not root.
    const asNobody = ROOT_USER ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'] : []
    const r = Bun.spawnSync([...asNobody, BUN, join(ROOT, 'src', 'main.ts'), 'run', file], { timeout: 15_000, stdout: 'pipe', stderr: 'pipe' })
    expect(r.exitCode).toBe(1)
    expect(r.stderr.toString().trim().split('\n')).toEqual([
      `edgelb: not started: 'chroot /' needs root, and edgelb runs as uid ${ROOT_USER ? idOf('/etc/passwd', 'nobody') : process.geteuid!()}; start it as root (it gives root up once bound), or remove the line and confine it with systemd's RootDirectory=`,
    ])
  })
})
