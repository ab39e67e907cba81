// What edgelb tells the service manager, message by message.
import { describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { openNotifySocket } from './bun-notify.ts'
import { ServiceNotifier } from './sd-notify.ts'
import type { NotifySocket } from './types.ts'

/** A socket that keeps what is sent. */
function fakeOpen(into: string[], opened: string[] = []): (path: string) => Promise<NotifySocket> {
  return async (path) => {
    opened.push(path)
    return { send: (m) => { into.push(m); return undefined }, monotonicUsec: () => 123456789n, close() {} }
  }
}

describe('the environment', () => {
  test('without NOTIFY_SOCKET nothing is sent; the variables are removed either way', async () => {
    const env: Record<string, string | undefined> = { WATCHDOG_USEC: '1000000', KEEP: '1' }
    const sent: string[] = []
    const { notifier, error } = await ServiceNotifier.fromEnv(env, 1, () => {}, fakeOpen(sent))
    notifier.ready('x')
    expect([notifier.active, error, sent, env]).toEqual([false, undefined, [], { KEEP: '1' }])
  })

  test('a NOTIFY_SOCKET that is no unix socket, or a runtime without unix datagrams, stops the start with the reason', async () => {
    expect((await ServiceNotifier.fromEnv({ NOTIFY_SOCKET: 'vsock:2:1234' }, 1, () => {}, fakeOpen([]))).error).toBe('NOTIFY_SOCKET=vsock:2:1234: edgelb sends to unix sockets only (a path, or @name); use Type=simple or a systemd that gives a unix socket')
    expect((await ServiceNotifier.fromEnv({ NOTIFY_SOCKET: '/run/x' }, 1, () => {}, null)).error).toBe('NOTIFY_SOCKET is set, and edgelb under bun cannot send to it (no unix datagram sockets): run the edgelb executable (Bun), or use Type=simple in the unit')
  })
})

describe('messages', () => {
  test('ready, status, reloading (with the monotonic clock), stopping, main pid; STATUS is one line', async () => {
    const sent: string[] = []
    const opened: string[] = []
    const { notifier } = await ServiceNotifier.fromEnv({ NOTIFY_SOCKET: '@edgelb-test' }, 1, () => {}, fakeOpen(sent, opened))
    notifier.ready('serving 1 frontend')
    notifier.reloading('reloading')
    notifier.status('reload failed:\n  x.cfg:3: bad')
    notifier.stopping('stopping')
    notifier.handOver(42, 'handed over')
    notifier.close()
    expect(opened).toEqual(['@edgelb-test'])
    expect(sent).toEqual([
      'READY=1\nSTATUS=serving 1 frontend',
      'RELOADING=1\nMONOTONIC_USEC=123456789\nSTATUS=reloading',
      'STATUS=reload failed: x.cfg:3: bad',
      'STOPPING=1\nSTATUS=stopping',
      'MAINPID=42\nREADY=1\nSTATUS=handed over',
    ])
  })

  test('a send that fails is reported once', async () => {
    const errors: string[] = []
    const open = async (): Promise<NotifySocket> => ({ send: () => 'ECONNREFUSED', monotonicUsec: () => 0n, close() {} })
    const { notifier } = await ServiceNotifier.fromEnv({ NOTIFY_SOCKET: '/nowhere' }, 1, (l) => errors.push(l), open)
    notifier.status('a')
    notifier.status('b')
    expect(errors).toEqual(['cannot notify the service manager (NOTIFY_SOCKET): ECONNREFUSED; further failures are not reported'])
  })
})

describe('Bun: the C library through FFI', () => {
  test("MONOTONIC_USEC is CLOCK_MONOTONIC (python3's time.monotonic), not the process's own clock", async () => {
    const sock = await openNotifySocket('/nonexistent/notify.sock')
    try {
      const ours = sock.monotonicUsec()
      const py = BigInt(spawnSync('python3', ['-c', 'import time; print(time.monotonic_ns() // 1000)']).stdout.toString().trim())
      const diff = py - ours
      expect(diff >= 0n && diff < 5_000_000n).toBe(true)
      expect(sock.send('READY=1')).toBe('ENOENT')
    } finally {
      sock.close()
    }
  })
})
