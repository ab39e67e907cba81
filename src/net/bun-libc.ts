/**
 * The few C library calls edgelb needs and the runtime has no API for (chroot(2) for
 * net/privileges.ts; a unix datagram socket and CLOCK_MONOTONIC for sd_notify, net/bun-notify.ts;
 * sched_setaffinity(2) for `cpu-map`, net/affinity.ts),
 * dup(2) to keep a listening socket open while its listener is paused, and setsockopt(2) for the
 * `tune.rcvbuf.*`/`tune.sndbuf.*` socket buffers, pipe2(2) and splice(2) for `option splice-*`,
 * net/bun.ts),
 * through Bun's FFI: the library is opened once, on first use, with every symbol they need.
 */
import { constants } from 'node:os'

export interface Libc {
  chroot(path: string): number
  socket(domain: number, type: number, protocol: number): number
  sendto(fd: number, buf: Uint8Array, len: number, flags: number, addr: Uint8Array, alen: number): number
  close(fd: number): number
  dup(fd: number): number
  setsockopt(fd: number, level: number, name: number, value: number): number
  /** pipe2(O_NONBLOCK | O_CLOEXEC) into `fds`; 0 or -1. */
  pipe(fds: Int32Array): number
  /** splice(2) without offsets. */
  splice(from: number, to: number, len: number, flags: number): number
  read(fd: number, into: Uint8Array): number
  fcntl(fd: number, cmd: number, arg: number): number
  /** CLOCK_MONOTONIC in µs, as systemd reads `MONOTONIC_USEC=`. */
  monotonicUsec(): bigint
  /** The calling thread's errno, right after a call that failed. */
  errno(): number
  /** Binds the calling thread to `cpus` (sched_setaffinity on thread 0 = itself); 0 or -1. */
  setAffinity(cpus: readonly number[]): number
}

const CLOCK_MONOTONIC = 1
const O_NONBLOCK = 0o4000
const O_CLOEXEC = 0o2000000

let libc: Libc | undefined

/** The C library's calls (loaded on the first call, then shared). */
export async function loadLibc(): Promise<Libc> {
  if (libc) return libc
  const ffi = await import('bun:ffi')
  const { FFIType: T, ptr } = ffi
  const { symbols: s } = ffi.dlopen('libc.so.6', {
    chroot: { args: [T.cstring], returns: T.i32 },
    socket: { args: [T.i32, T.i32, T.i32], returns: T.i32 },
    sendto: { args: [T.i32, T.ptr, T.u64, T.i32, T.ptr, T.u32], returns: T.i64 },
    close: { args: [T.i32], returns: T.i32 },
    dup: { args: [T.i32], returns: T.i32 },
    setsockopt: { args: [T.i32, T.i32, T.i32, T.ptr, T.u32], returns: T.i32 },
    pipe2: { args: [T.ptr, T.i32], returns: T.i32 },
    splice: { args: [T.i32, T.ptr, T.i32, T.ptr, T.u64, T.u32], returns: T.i64_fast },
    read: { args: [T.i32, T.ptr, T.u64], returns: T.i64_fast },
    fcntl: { args: [T.i32, T.i32, T.i32], returns: T.i32 },
    clock_gettime: { args: [T.i32, T.ptr], returns: T.i32 },
    __errno_location: { args: [], returns: T.ptr },
    sched_setaffinity: { args: [T.i32, T.u64, T.ptr], returns: T.i32 },
  })
  const ts = new BigInt64Array(2)
  const opt = new Int32Array(1)
  libc = {
    chroot: (path) => s.chroot(Buffer.from(`${path}\0`)) as number,
    socket: (d, t, p) => s.socket(d, t, p) as number,
    sendto: (fd, buf, len, flags, addr, alen) => Number(s.sendto(fd, ptr(buf), len, flags, ptr(addr), alen)),
    close: (fd) => s.close(fd) as number,
    dup: (fd) => s.dup(fd) as number,
    setsockopt: (fd, level, name, value) => { opt[0] = value; return s.setsockopt(fd, level, name, ptr(opt), 4) as number },
    pipe: (fds) => s.pipe2(ptr(fds), O_NONBLOCK | O_CLOEXEC) as number,
    splice: (from, to, len, flags) => Number(s.splice(from, null, to, null, len, flags)),
    read: (fd, into) => Number(s.read(fd, ptr(into), into.length)),
    fcntl: (fd, cmd, arg) => s.fcntl(fd, cmd, arg) as number,
    monotonicUsec: () => {
      s.clock_gettime(CLOCK_MONOTONIC, ptr(ts))
      return ts[0]! * 1_000_000n + ts[1]! / 1000n
    },
    errno: () => {
      const at = s.__errno_location()
      return at === null ? 0 : ffi.read.i32(at, 0)
    },
    setAffinity: (cpus) => {
      const mask = new Uint8Array(128) // cpu_set_t: 1024 CPUs
      for (const c of cpus) if (c >= 0 && c < 1024) mask[c >> 3]! |= 1 << (c & 7)
      return s.sched_setaffinity(0, mask.length, ptr(mask)) as number
    },
  }
  return libc
}

const waiting: (() => void)[] = []
let loading = false

/** The C library's calls if loaded already; else undefined, and it is being loaded: `ready` (if
 *  given) is called once it is. For callers that cannot wait and rarely need it (the FFI costs
 *  a few MB the first time). */
export function libcNow(ready?: () => void): Libc | undefined {
  if (libc) return libc
  if (ready !== undefined) waiting.push(ready)
  if (!loading) {
    loading = true
    void loadLibc().then(() => { for (const f of waiting.splice(0)) f() }, () => { waiting.length = 0 })
  }
  return undefined
}

/** `ENOENT` for 2: the name of an errno value. */
export function errnoName(n: number): string {
  for (const [name, value] of Object.entries(constants.errno)) if (value === n) return name
  return `errno ${n}`
}
