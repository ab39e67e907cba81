/**
 * A unix datagram socket that sends to a path (`log /dev/log`, `log unix@/run/syslog.sock`), which
 * Bun has no API for: socket(2) and sendto(2) from the C library through Bun's FFI
 * (net/bun-libc.ts), loaded on first use.
 *
 * Each datagram is sent with the path's address (sendto, not connect): a syslog daemon that
 * restarts and makes its socket again is reached by the next line without a reconnect. Sending
 * never waits (MSG_DONTWAIT): a receiver whose queue is full makes the send fail with EAGAIN, and
 * the caller drops the line, as HAProxy does.
 */
import { errnoName, loadLibc } from './bun-libc.ts'
import type { UnixDgramSocket } from './types.ts'

const AF_UNIX = 1
const SOCK_DGRAM = 2
const SOCK_CLOEXEC = 0o2000000
const SOCK_NONBLOCK = 0o4000
const MSG_DONTWAIT = 0x40
const MSG_NOSIGNAL = 0x4000
/** sun_path is 108 bytes, its NUL included. */
const MAX_PATH = 107

/** A sockaddr_un for `path`; `@name` is the abstract namespace (a leading NUL, no trailing one).
 *  Throws an Error saying why when the path cannot be one (the caller names the path). */
export function sockaddrUn(path: string): { addr: Uint8Array; len: number } {
  const abstract = path.startsWith('@')
  const name = Buffer.from(abstract ? `\0${path.slice(1)}` : path)
  if (name.length > MAX_PATH) throw new Error(`longer than a unix socket address may be (${MAX_PATH} bytes)`)
  const addr = Buffer.alloc(110)
  addr.writeUInt16LE(AF_UNIX, 0)
  name.copy(addr, 2)
  return { addr, len: 2 + name.length + (abstract ? 0 : 1) }
}

/** Opens a datagram socket that sends to `path`. Throws an Error saying why it cannot. */
export async function openUnixDgram(path: string): Promise<UnixDgramSocket> {
  const c = await loadLibc()
  const { addr, len } = sockaddrUn(path)
  const fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)
  if (fd < 0) throw new Error(`cannot open a unix datagram socket for ${path}: ${errnoName(c.errno())}`)
  let open = true
  return {
    send(data: Uint8Array): string | undefined {
      if (!open) return 'closed'
      const n = c.sendto(fd, data, data.length, MSG_DONTWAIT | MSG_NOSIGNAL, addr, len)
      return n < 0 ? errnoName(c.errno()) : undefined
    },
    close(): void {
      if (!open) return
      open = false
      c.close(fd)
    },
  }
}
