/**
 * conf/edgelb.socket, conf/edgelb.service and conf/edgelb-systemd.yaml, as the README installs
 * them: systemd accepts the units, and the service's own command lines (ExecStart, ExecReload,
 * KillSignal, Environment) run the shipped configuration on the socket unit's ports, with
 * `systemd-socket-activate` standing in for systemd (ports moved to free ones, paths to a
 * temporary directory: nothing else is changed).
 */
import { describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUN, freePort, ROOT, within } from '../support/harness.ts'
import { NotifyReceiver, requireTool, socketActivate } from '../support/systemd.ts'

/** A unit file's `Key=Value` lines of one section, in order (repeated keys kept). */
function unitSection(file: string, section: string): [string, string][] {
  const out: [string, string][] = []
  let inside = false
  for (const raw of readFileSync(join(ROOT, 'conf', file), 'utf8').split('\n')) {
    const line = raw.trim()
    if (line.startsWith('[')) { inside = line === `[${section}]`; continue }
    if (!inside || line === '' || line.startsWith('#')) continue
    const i = line.indexOf('=')
    out.push([line.slice(0, i), line.slice(i + 1)])
  }
  return out
}

const service = unitSection('edgelb.service', 'Service')
const value = (k: string): string => service.find(([key]) => key === k)![1]

test('systemd accepts both units as they are (systemd-analyze verify: no warning)', () => {
  requireTool('systemd-analyze', 'systemd')
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-units-'))
  try {
    // Only the executable's path changes: verify wants it to exist.
    for (const f of ['edgelb.socket', 'edgelb.service']) writeFileSync(join(dir, f), readFileSync(join(ROOT, 'conf', f), 'utf8').replaceAll('/usr/local/bin/edgelb', '/bin/true'))
    const r = spawnSync('systemd-analyze', ['verify', join(dir, 'edgelb.socket'), join(dir, 'edgelb.service')], { encoding: 'utf8' })
    expect([r.status, r.stdout + r.stderr]).toEqual([0, ''])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

describe('the service as written, on the socket unit\'s ports', () => {
  test('serves both ports, reloads with ExecReload (a broken file fails it and changes nothing), stops with KillSignal', async () => {
    const ports = unitSection('edgelb.socket', 'Socket').filter(([k]) => k === 'ListenStream').map(([, v]) => v)
    expect(ports).toEqual(['80', '443'])
    expect(value('Type')).toBe('notify')
    const http = freePort()
    const tls = freePort()
    const demo1 = freePort()
    const demo2 = freePort()
    const shipped = readFileSync(join(ROOT, 'conf', 'edgelb-systemd.yaml'), 'utf8')
    const conf = (text: string): string => text.replace('bind: ":80"', `bind: ":${http}"`).replace('bind: ":443"', `bind: ":${tls}"`).replaceAll('9001', String(demo1)).replaceAll('9002', String(demo2))
    const dir = mkdtempSync(join(tmpdir(), 'edgelb-unit-'))
    const file = join(dir, 'edgelb.yaml')
    const pid = join(dir, 'edgelb.pid')
    writeFileSync(file, conf(shipped))
    // The unit's command lines, with the executable and paths of the test.
    const argv = (line: string): string[] => line.replace('/etc/edgelb/edgelb.yaml', file).replace('/run/edgelb/edgelb.pid', pid).split(' ').flatMap((w) => (w === '/usr/local/bin/edgelb' ? [BUN, join(ROOT, 'src', 'main.ts')] : [w]))
    const start = argv(value('ExecStart'))
    const env = Object.fromEntries(service.filter(([k]) => k === 'Environment').map(([, v]) => v.split('=') as [string, string]))
    try {
      const pre = spawnSync(argv(value('ExecStartPre'))[0]!, argv(value('ExecStartPre')).slice(1), { encoding: 'utf8' })
      expect(pre.status).toBe(0)
      await using notify = await NotifyReceiver.start()
      // systemd-socket-activate binds `-l PORT` as ListenStream=PORT does: [::]:PORT, IPv4 too.
      await using sd = await socketActivate('', { listen: [String(http), String(tls)], env: { ...env, NOTIFY_SOCKET: notify.path }, command: start })
      const first = await within(20_000, fetch(`http://127.0.0.1:${http}/`), 'the first answer on the http port')
      expect(await first.text()).toMatch(/^hello from demo[12]/)
      const ready = await notify.waitFor((m) => m.startsWith('READY=1'), 'READY=1', 20_000)
      expect(ready).toBe(`READY=1\nSTATUS=serving 2 frontends: web on :${http}; tls-passthrough on :${tls}`)
      // Port 443 relays bytes (mode tcp): HTTP here, TLS to real servers. (A tcp session lasts
      // as long as its connection, and a soft stop waits for it: this one closes.)
      expect(await (await fetch(`http://127.0.0.1:${tls}/`, { headers: { connection: 'close' } })).text()).toMatch(/^hello from demo1/)
      expect(sd.stderr.all.join('\n')).not.toContain('inherited socket')

      const reload = (): { status: number | null; err: string } => {
        const a = argv(value('ExecReload'))
        const r = spawnSync(a[0]!, a.slice(1), { encoding: 'utf8' })
        return { status: r.status, err: r.stderr }
      }
      writeFileSync(file, conf(shipped.replace('balance: roundrobin', 'balance: first')))
      expect(reload().status).toBe(0)
      await notify.waitFor((m) => m.startsWith('READY=1') && m.includes('generation 2'), 'READY=1 of generation 2')
      for (let i = 0; i < 3; i++) expect(await (await fetch(`http://127.0.0.1:${http}/`)).text()).toMatch(/^hello from demo1/)
      writeFileSync(file, conf(shipped).replace('balance: roundrobin', 'balance: nonsense'))
      const bad = reload()
      expect(bad.status).toBe(1)
      expect(bad.err).toContain('edgelb reload: not sent: the configuration has errors')
      expect(await (await fetch(`http://127.0.0.1:${http}/`)).text()).toMatch(/^hello from demo1/)

      sd.signal(value('KillSignal') as NodeJS.Signals)
      expect(await sd.exited(20_000)).toBe(0)
      expect(notify.messages.at(-1)).toBe('STOPPING=1\nSTATUS=soft stop: finishing live sessions')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
