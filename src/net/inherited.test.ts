// Sockets handed over at start: what the environment says, and what the kernel says they are.
import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { takeInheritedSockets, UPGRADE_FDS_ENV } from './inherited.ts'

/** A listening socket of this process, with its descriptor. */
function listening(options: { hostname?: string; unix?: string }): { fd: number; port: number; [Symbol.dispose](): void } {
  const socket = { data() {} }
  const l = (options.unix ? Bun.listen({ unix: options.unix, socket }) : Bun.listen({ hostname: options.hostname!, port: 0, socket })) as unknown as { fd: number; port: number; stop(all: boolean): void }
  return { fd: l.fd, port: options.unix ? 0 : l.port, [Symbol.dispose]: () => l.stop(true) }
}

describe('the environment', () => {
  test("LISTEN_FDS for another process is not taken, and says so; the variables are removed", () => {
    const env: Record<string, string | undefined> = { LISTEN_FDS: '2', LISTEN_PID: '1', LISTEN_FDNAMES: 'a:b', KEEP: 'x' }
    const r = takeInheritedSockets(env, 4242)
    expect(r.sockets.all).toEqual([])
    expect(r.warnings).toEqual(["LISTEN_FDS=2 is for process 1, and this is 4242; no socket taken from systemd (edgelb must be the process systemd starts, or be exec'd by it)"])
    expect(env).toEqual({ KEEP: 'x' })
  })

  test('LISTEN_FDS without LISTEN_PID, or not a number, is refused', () => {
    expect(takeInheritedSockets({ LISTEN_FDS: '1' }, 1).warnings).toEqual(['LISTEN_FDS=1 comes without LISTEN_PID; no socket taken from systemd'])
    expect(takeInheritedSockets({ LISTEN_FDS: 'x', LISTEN_PID: '1' }, 1).warnings).toEqual(['LISTEN_FDS=x is not a number of descriptors; no socket taken from systemd'])
  })

  test('a descriptor that is not an open socket is left alone, with a warning', () => {
    const r = takeInheritedSockets({ [UPGRADE_FDS_ENV]: '0,987654=gone' }, 1)
    expect(r.sockets.all).toEqual([])
    expect(r.warnings).toEqual(['inherited fd 0 is not an open socket; ignored', 'inherited fd 987654 (gone) is not an open socket; ignored'])
  })
})

describe('what each socket is bound to', () => {
  test('IPv4 and IPv6 TCP listeners: address, port, listening; names from the environment', () => {
    using v4 = listening({ hostname: '127.0.0.1' })
    using v6 = listening({ hostname: '::1' })
    const r = takeInheritedSockets({ [UPGRADE_FDS_ENV]: `${v4.fd}=web,${v6.fd}` }, 1)
    expect(r.warnings).toEqual([])
    expect(r.sockets.all).toEqual([
      { fd: v4.fd, name: 'web', address: { kind: 'tcp', host: '127.0.0.1', port: v4.port, listening: true }, used: false },
      { fd: v6.fd, name: undefined, address: { kind: 'tcp', host: '::1', port: v6.port, listening: true }, used: false },
    ])
    expect(r.sockets.byName('web').map((s) => s.fd)).toEqual([v4.fd])
  })

  test('a unix stream listener: its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgelb-inh-'))
    try {
      using u = listening({ unix: join(dir, 's.sock') })
      const r = takeInheritedSockets({ [UPGRADE_FDS_ENV]: `${u.fd}` }, 1)
      expect(r.sockets.all[0]!.address).toEqual({ kind: 'unix', path: join(dir, 's.sock'), listening: true })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('which socket a plain bind adopts', () => {
  test('the one bound to the same address; a wildcard IPv4 bind takes [::] (dual-stack) when no 0.0.0.0 is there; never port 0', () => {
    using v4 = listening({ hostname: '127.0.0.1' })
    using any6 = listening({ hostname: '::' })
    const { sockets } = takeInheritedSockets({ [UPGRADE_FDS_ENV]: `${v4.fd},${any6.fd}` }, 1)
    const free = (): boolean => false
    expect(sockets.matching({ kind: 'tcp', host: '127.0.0.1', port: v4.port }, free)?.fd).toBe(v4.fd)
    expect(sockets.matching({ kind: 'tcp', host: '127.0.0.2', port: v4.port }, free)).toBeUndefined()
    expect(sockets.matching({ kind: 'tcp', host: '0.0.0.0', port: any6.port }, free)?.fd).toBe(any6.fd)
    expect(sockets.matching({ kind: 'tcp', host: '::', port: any6.port }, free)?.fd).toBe(any6.fd)
    expect(sockets.matching({ kind: 'tcp', host: '0:0::0', port: any6.port }, free)?.fd).toBe(any6.fd)
    expect(sockets.matching({ kind: 'tcp', host: '127.0.0.1', port: 0 }, free)).toBeUndefined()
    expect(sockets.matching({ kind: 'tcp', host: '127.0.0.1', port: v4.port }, () => true)).toBeUndefined()
  })
})
