// The process's listening sockets across generations: taken over, closed, bound anew, inherited.
import { describe, expect, test } from 'bun:test'
import type { ListenAddr } from '../model/types.ts'
import { takeInheritedSockets, UPGRADE_FDS_ENV } from '../net/inherited.ts'
import type { Sock, SockHandlers } from '../net/runtime.ts'
import { Signal } from '../../test/support/wait.ts'
import { ListenerSet } from './listeners.ts'

/** Handlers whose accept records which generation took the connection, then closes it. */
function acceptor(name: string, seen: string[], signal: Signal): SockHandlers<unknown> {
  return {
    open(s: Sock<unknown>) { seen.push(name); signal.notify(); s.end() },
    data() {}, drain() {}, end() {}, close() {},
  }
}

/** Connects to 127.0.0.1:port; resolves 'open' or 'refused'. */
function dial(port: number): Promise<'open' | 'refused'> {
  return new Promise((resolve) => {
    void Bun.connect({ hostname: '127.0.0.1', port, socket: { open(s) { resolve('open'); s.end() }, data() {}, connectError() { resolve('refused') } } }).catch(() => resolve('refused'))
  })
}

const at = (port: number): ListenAddr => ({ family: 'ipv4', host: '127.0.0.1', port })

describe('generations', () => {
  test('the next generation takes the same socket over (same port, even for port 0); accepts go to it from the commit on', async () => {
    const set = new ListenerSet()
    const seen: string[] = []
    const sig = new Signal()
    set.begin()
    const [a] = set.bind(at(0), acceptor('gen1', seen, sig))
    set.commit()
    const port = a!.port
    expect(await dial(port)).toBe('open')
    await sig.until(() => seen.length === 1, 'gen1 accept')
    set.begin()
    const [b] = set.bind(at(0), acceptor('gen2', seen, sig))
    expect(b!.port).toBe(port)
    set.commit()
    a!.stop() // the old owner letting go changes nothing: the socket is gen2's
    expect(await dial(port)).toBe('open')
    await sig.until(() => seen.length === 2, 'gen2 accept')
    expect(seen).toEqual(['gen1', 'gen2'])
    b!.stop()
    expect(await dial(port)).toBe('refused')
  })

  test('an address the next generation does not bind is closed at its commit; a new one is bound', async () => {
    const set = new ListenerSet()
    const seen: string[] = []
    const sig = new Signal()
    set.begin()
    const [a] = set.bind(at(0), acceptor('gen1', seen, sig))
    set.commit()
    set.begin()
    const [b] = set.bind({ family: 'ipv4', host: '127.0.0.2', port: 0 }, acceptor('gen2', seen, sig))
    expect(await dial(a!.port)).toBe('open') // not closed before the commit
    expect(set.commit().closed).toEqual([`127.0.0.1:${a!.port}`])
    expect(await dial(a!.port)).toBe('refused')
    b!.stop()
  })

  test('rollback: what the failed generation bound is closed, what it took over stays with its owner', async () => {
    const set = new ListenerSet()
    const seen: string[] = []
    const sig = new Signal()
    set.begin()
    const [a] = set.bind(at(0), acceptor('gen1', seen, sig))
    set.commit()
    set.begin()
    set.bind(at(0), acceptor('gen2', seen, sig))
    const [fresh] = set.bind({ family: 'ipv4', host: '127.0.0.2', port: 0 }, acceptor('gen2', seen, sig))
    set.rollback()
    expect(await dial(a!.port)).toBe('open')
    await sig.until(() => seen.length === 1, 'an accept')
    expect(seen).toEqual(['gen1'])
    expect(fresh!.port).toBeGreaterThan(0)
    a!.stop()
  })

  test('port 0 binds are each their own socket; the k-th of a generation keeps the k-th of the one before', () => {
    const set = new ListenerSet()
    const none = acceptor('x', [], new Signal())
    set.begin()
    const [a, b] = [...set.bind(at(0), none), ...set.bind(at(0), none)]
    set.commit()
    expect(a!.port).not.toBe(b!.port)
    set.begin()
    const [c, d] = [...set.bind(at(0), none), ...set.bind(at(0), none)]
    set.commit()
    expect([c!.port, d!.port]).toEqual([a!.port, b!.port])
    c!.stop()
    d!.stop()
  })

  test('one address bound twice by one generation is refused, naming it', () => {
    const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
    const port = probe.port
    probe.stop(true)
    const set = new ListenerSet()
    const none = acceptor('x', [], new Signal())
    set.begin()
    set.bind(at(port), none)
    expect(() => set.bind(at(port), none)).toThrow(`cannot bind 127.0.0.1:${port}: EADDRINUSE bound twice by the configuration`)
    set.rollback()
  })
})

describe('inherited sockets', () => {
  test('the report names those no generation binds; a name no socket has is refused, listing the names there are', () => {
    const l = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } }) as unknown as { fd: number; port: number; stop(all: boolean): void }
    try {
      const { sockets } = takeInheritedSockets({ [UPGRADE_FDS_ENV]: `${l.fd}=web` }, process.pid)
      const set = new ListenerSet(sockets)
      expect(set.unusedInherited()).toEqual([`fd ${l.fd} "web" (127.0.0.1:${l.port})`])
      set.begin()
      expect(() => set.bind({ family: 'fd', fd: -1, name: 'nope' }, acceptor('a', [], new Signal()))).toThrow(`cannot bind systemd@nope: no inherited socket has that name (LISTEN_FDNAMES has web)`)
      set.rollback()
    } finally {
      l.stop(true)
    }
  })
})
