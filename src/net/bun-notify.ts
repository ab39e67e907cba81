/**
 * What sd_notify needs and Bun has no API for: a unix datagram socket that sends to NOTIFY_SOCKET,
 * and the CLOCK_MONOTONIC time systemd compares `MONOTONIC_USEC=` with (`process.hrtime` counts
 * from the process's start, not from boot). Both come from the C library through Bun's FFI
 * (net/bun-libc.ts), loaded on first use.
 *
 * Measured here (Bun 1.4, x86-64): loading the library and the four symbols takes 0.2 ms once;
 * a send is 13 µs (a system call and a Buffer for the message). edgelb sends a handful of these
 * per start, reload and stop, plus WATCHDOG=1 at half the watchdog period: nothing on the path of
 * a connection. A small native helper process was the other choice; it would cost a process and
 * a pipe per edgelb for the same sendto(2).
 */
import { errnoName, loadLibc } from './bun-libc.ts'
import { sockaddrUn } from './bun-unix-dgram.ts'
import type { NotifySocket } from './types.ts'

const AF_UNIX = 1
const SOCK_DGRAM = 2
const SOCK_CLOEXEC = 0o2000000
/** Never wait: a full receive queue drops the message rather than stall the event loop. */
const MSG_DONTWAIT = 0x40
const MSG_NOSIGNAL = 0x4000

/** Opens a datagram socket that sends to `path`. Throws an Error saying why it cannot. */
export async function openNotifySocket(path: string): Promise<NotifySocket> {
  const c = await loadLibc()
  let at: { addr: Uint8Array; len: number }
  try {
    at = sockaddrUn(path)
  } catch (e) {
    throw new Error(`NOTIFY_SOCKET=${path}: ${(e as Error).message}`)
  }
  const { addr, len } = at
  const fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)
  if (fd < 0) throw new Error(`cannot open a unix datagram socket for NOTIFY_SOCKET: ${errnoName(c.errno())}`)
  let open = true
  return {
    send(message: string): string | undefined {
      if (!open) return 'closed'
      const buf = Buffer.from(message)
      const n = c.sendto(fd, buf, buf.length, MSG_DONTWAIT | MSG_NOSIGNAL, addr, len)
      return n < 0 ? errnoName(c.errno()) : undefined
    },
    monotonicUsec: () => c.monotonicUsec(),
    close(): void {
      if (!open) return
      open = false
      c.close(fd)
    },
  }
}
