// The runtime adapter's listen and connect, on real sockets: port 0, a unix socket, half-close,
// refused connects, a listener that stops, and the facts about sockets that the proxy relies on
// (write() returns what the kernel took; a FIN arrives as `end`; data lives on the socket).
import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Signal } from '../../test/support/wait.ts'
import { connect, listen, onSignal, selfCommand, type ConnectTarget, type Listener, type ListenTarget, type Sock, type SockHandlers } from './runtime.ts'

/** One end of a connection, as its handlers saw it. */
interface End {
  name: string
  sock?: Sock<End>
  text: string
  ended: boolean
  closed: boolean
  closeError?: Error
  connectError?: Error
}

const changed = new Signal()
const accepted: End[] = []
const live = new Set<Sock<End>>()

function end(name: string): End {
  return { name, text: '', ended: false, closed: false }
}

// One handler table for both sides, as edgelb has one per listener or connect site.
const handlers: SockHandlers<End> = {
  open(s) {
    if (s.data === undefined) { s.data = end(`accepted ${accepted.length}`); accepted.push(s.data) }
    s.data.sock = s
    live.add(s)
    changed.notify()
  },
  data(s, chunk) { s.data.text += chunk.toString('latin1'); changed.notify() },
  drain() {},
  end(s) { s.data.ended = true; changed.notify() },
  close(s, error) {
    s.data.closed = true
    if (error) s.data.closeError = error
    live.delete(s)
    changed.notify()
  },
  connectError(s, error) { s.data.connectError = error; changed.notify() },
}

afterEach(() => {
  for (const s of live) s.terminate()
  live.clear()
  accepted.length = 0
})

function listening(target: ListenTarget): Listener & Disposable {
  const l = listen(target, handlers)
  return { port: l.port, stop: () => l.stop(), [Symbol.dispose]: () => l.stop() }
}

/** Connects and waits until both ends are open; returns the client's end and the server's. */
async function connected(target: ConnectTarget): Promise<[End, End]> {
  const before = accepted.length
  const c = end('client')
  connect(target, c, handlers)
  await changed.until(() => c.sock !== undefined && accepted.length > before, 'both ends to open')
  return [c, accepted[before]!]
}

const loopback = (port: number): ConnectTarget => ({ host: '127.0.0.1', port })

describe('tcp', () => {
  test('a listener on port 0 reports the port it bound, and a connection to it carries bytes both ways', async () => {
    using l = listening({ kind: 'tcp', host: '127.0.0.1', port: 0 })
    expect(l.port).toBeGreaterThan(0)
    const [c, s] = await connected(loopback(l.port))
    expect(c.sock!.write(Buffer.from('ping'))).toBe(4)
    await changed.until(() => s.text === 'ping', 'ping at the server')
    expect(s.sock!.write(Buffer.from('pong'))).toBe(4)
    await changed.until(() => c.text === 'pong', 'pong at the client')
    expect(s.sock!.remoteAddress).toBe('127.0.0.1')
    expect(s.sock!.remotePort).toBe(c.sock!.localPort)
  })

  test('each connection keeps its own data, though all share one handler table', async () => {
    using l = listening({ kind: 'tcp', host: '127.0.0.1', port: 0 })
    const [c1, s1] = await connected(loopback(l.port))
    const [c2, s2] = await connected(loopback(l.port))
    c1.sock!.write(Buffer.from('one'))
    c2.sock!.write(Buffer.from('two'))
    await changed.until(() => s1.text === 'one' && s2.text === 'two', 'each server end to read its own client')
    expect([c1.name, c2.name, s1.name, s2.name]).toEqual(['client', 'client', 'accepted 0', 'accepted 1'])
    expect(c1.sock!.data).toBe(c1)
    expect(s2.sock!.data).toBe(s2)
  })

  test('a FIN arrives as `end`, and the end that got it can still write (half-close)', async () => {
    using l = listening({ kind: 'tcp', host: '127.0.0.1', port: 0 })
    const [c, s] = await connected(loopback(l.port))
    c.sock!.write(Buffer.from('request'))
    c.sock!.shutdown()
    await changed.until(() => s.ended, 'the server end to see the FIN')
    expect(s.text).toBe('request')
    expect(s.closed).toBe(false)
    s.sock!.write(Buffer.from('answer after FIN'))
    s.sock!.end()
    await changed.until(() => c.closed && s.closed, 'both ends to close')
    expect(c.text).toBe('answer after FIN')
    expect(c.closeError).toBeUndefined()
  })

  test('write() on a closed socket returns -1', async () => {
    using l = listening({ kind: 'tcp', host: '127.0.0.1', port: 0 })
    const [c, s] = await connected(loopback(l.port))
    c.sock!.end()
    await changed.until(() => s.ended, 'the server end to see the FIN')
    s.sock!.end()
    await changed.until(() => c.closed && s.closed, 'both ends to close')
    expect(c.sock!.write(Buffer.from('late'))).toBe(-1)
  })

  test('a connect to a port nobody listens on ends in connectError, never in open', async () => {
    const l = listening({ kind: 'tcp', host: '127.0.0.1', port: 0 })
    const port = l.port
    l.stop()
    const c = end('client')
    connect(loopback(port), c, handlers)
    await changed.until(() => c.connectError !== undefined, 'the connect to fail')
    expect(c.sock).toBeUndefined()
  })

  test('a listener that stops accepts no one new and leaves live connections alone', async () => {
    const l = listening({ kind: 'tcp', host: '127.0.0.1', port: 0 })
    const [c, s] = await connected(loopback(l.port))
    l.stop()
    const late = end('late')
    connect(loopback(l.port), late, handlers)
    await changed.until(() => late.connectError !== undefined, 'the late connect to fail')
    c.sock!.write(Buffer.from('still here'))
    await changed.until(() => s.text === 'still here', 'the live connection to carry bytes')
  })

  test('binding an address in use fails with an Error naming the address and the system\'s reason', () => {
    using l = listening({ kind: 'tcp', host: '127.0.0.1', port: 0 })
    expect(() => listen({ kind: 'tcp', host: '127.0.0.1', port: l.port }, handlers)).toThrow(
      new RegExp(`^cannot bind 127\\.0\\.0\\.1:${l.port}: .*EADDRINUSE`),
    )
  })

  test('a connection may leave from a chosen local address', async () => {
    using l = listening({ kind: 'tcp', host: '127.0.0.1', port: 0 })
    const [, s] = await connected({ host: '127.0.0.1', port: l.port, localAddress: '127.0.0.1' })
    expect(s.sock!.remoteAddress).toBe('127.0.0.1')
  })
})

describe('unix sockets', () => {
  test('a listener on a path reports port 0, and a connection to the path carries bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgelb-net-'))
    try {
      const path = join(dir, 'edgelb.sock')
      using l = listening({ kind: 'unix', path })
      expect(l.port).toBe(0)
      const [c, s] = await connected({ path })
      c.sock!.write(Buffer.from('over unix'))
      await changed.until(() => s.text === 'over unix', 'bytes over the unix socket')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('process', () => {
  test('a signal handler runs on the signal, and the function returned removes it', () => {
    const before = process.listenerCount('SIGUSR2')
    let calls = 0
    const off = onSignal('SIGUSR2', () => { calls++ })
    expect(process.listenerCount('SIGUSR2')).toBe(before + 1)
    process.emit('SIGUSR2')
    off()
    expect(process.listenerCount('SIGUSR2')).toBe(before)
    expect(calls).toBe(1)
  })

  test('the command that runs edgelb again starts with this runtime\'s executable', () => {
    expect(selfCommand()[0]).toBe(process.execPath)
  })
})
