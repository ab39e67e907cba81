/**
 * Bun's sockets, the runtime the edgelb executable is built with.
 *
 * Sockets are Bun's own objects seen through the structural type `Sock` (no wrapper per
 * connection, no closure per connection or chunk). Facts this relies on (Bun 1.4): `write()`
 * returns the bytes the kernel accepted (fewer under pressure, -1 when closed) and buffers
 * nothing itself; `drain` fires when writable again; `pause()`/`resume()` stop and restart
 * reading; `end` fires on the peer's FIN when `allowHalfOpen` is set; `connect({ localAddress })`
 * and `listen({ fd })` work although the type definitions lack them.
 */
import { readSync } from 'node:fs'
import { bindError } from './bind-error.ts'
import { libcNow } from './bun-libc.ts'
import { openNotifySocket } from './bun-notify.ts'
import { openUnixDgram } from './bun-unix-dgram.ts'
import { socketFds } from './inherited.ts'
import { onProcessSignal } from './signals.ts'
import { now } from '../core/clock.ts'
import { connectTlsOptions, DETACHED, HANDSHAKE, Handshaking, listenTlsOptions, Prefacing, prefaceConnectHandlers, startTlsHandlers, startTlsOptions, tlsConnectHandlers, tlsContext, tlsFacts, tlsListenHandlers, type BunClearSock } from './bun-tls.ts'
import type { ConnectTarget, Listener, ListenOptions, ListenTarget, Pipe, Runtime, Sock, SockHandlers, StartTls } from './types.ts'

interface BunListener {
  port?: number
  fd?: number
  stop(closeActive?: boolean): void
}

interface BunLike {
  listen(options: Record<string, unknown>): BunListener
  connect(options: Record<string, unknown>): Promise<unknown>
}

/** Bun's handler object for ours: Buffers in `data`, the same functions (no per-socket closure).
 *  Made once per handler table (they are module-level), not once per connect. */
const bunTables = new WeakMap<object, Record<string, unknown>>()

function bunHandlers<T>(h: SockHandlers<T>): Record<string, unknown> {
  let t = bunTables.get(h)
  if (t === undefined) {
    t = { binaryType: 'buffer', open: h.open, data: h.data, drain: h.drain, end: h.end, close: h.close, error: h.error, connectError: h.connectError }
    bunTables.set(h, t)
  }
  return t
}

/** The table of a `startsTls` listener: a socket whose TLS started (its `data` DETACHED) is
 *  ignored, Bun going on reporting its ciphertext and its close to it. */
const startsTlsTables = new WeakMap<object, Record<string, unknown>>()

function startsTlsHandlers<T>(h: SockHandlers<T>): Record<string, unknown> {
  let t = startsTlsTables.get(h)
  if (t === undefined) {
    t = {
      binaryType: 'buffer',
      open: h.open,
      data(s: Sock<T>, chunk: Buffer) { if (s.data !== DETACHED) h.data(s, chunk) },
      drain(s: Sock<T>) { if (s.data !== DETACHED) h.drain(s) },
      end(s: Sock<T>) { if (s.data !== DETACHED) h.end(s) },
      close(s: Sock<T>, error?: Error) { if (s.data !== DETACHED) h.close(s, error) },
      error: h.error,
    }
    startsTlsTables.set(h, t)
  }
  return t
}

function listen<T>(target: ListenTarget, handlers: SockHandlers<T>, options: ListenOptions = {}): Listener {
  const b = Bun as unknown as BunLike
  const tls = options.tls
  const socket = tls !== undefined ? tlsListenHandlers(handlers, tls) : options.startsTls ? startsTlsHandlers(handlers) : bunHandlers(handlers)
  const base: Record<string, unknown> = { socket, allowHalfOpen: true }
  if (tls !== undefined) { base['tls'] = listenTlsOptions(tls); base['data'] = HANDSHAKE }
  if (options.backlog !== undefined) base['backlog'] = options.backlog
  if (options.reusePort) base['reusePort'] = true
  let l: BunListener
  try {
    if (target.kind === 'tcp') l = b.listen({ ...base, hostname: target.host, port: target.port })
    else if (target.kind === 'unix') l = b.listen({ ...base, unix: target.path })
    else l = b.listen({ ...base, fd: target.fd })
  } catch (e) {
    throw bindError(target, e)
  }
  // Paused (maxconn reached): Bun's listener is stopped, which closes its descriptor; a copy
  // (dup) keeps the socket listening, the kernel queueing connections, until a new listener
  // takes it again. Not for unix sockets, whose stop may remove the path.
  let spare = -1
  return {
    port: target.kind === 'tcp' ? (l.port ?? target.port) : 0,
    get fd() { return spare >= 0 ? spare : l.fd },
    stop() {
      if (spare < 0) { l.stop(false); return }
      libcNow()?.close(spare)
      spare = -1
    },
    pause(ready: () => void): boolean {
      if (spare >= 0) return true
      if (target.kind === 'unix' || l.fd === undefined) return false
      const libc = libcNow(ready)
      if (libc === undefined) return false
      const d = libc.dup(l.fd)
      if (d < 0) return false
      l.stop(false)
      spare = d
      return true
    },
    resume(): void {
      if (spare < 0) return
      try {
        l = b.listen({ ...base, fd: spare })
        spare = -1
      } catch {
        // Left paused: the kernel keeps queueing; the next resume() tries again.
      }
    },
  }
}

function connect<T>(target: ConnectTarget, data: T, handlers: SockHandlers<T>): void {
  const tls = target.tls
  // A preface goes in clear, then the connection starts TLS itself (bun-tls.ts).
  const preface = tls === undefined ? undefined : target.preface
  const socket = tls === undefined ? bunHandlers(handlers) : preface !== undefined ? prefaceConnectHandlers(handlers, tls) : tlsConnectHandlers(handlers, tls)
  const d = preface === undefined ? data : new Prefacing(data, preface, target.serverName)
  const options: Record<string, unknown> = 'path' in target
    ? { unix: target.path, socket, data: d, allowHalfOpen: true }
    : { hostname: target.host, port: target.port, socket, data: d, allowHalfOpen: true }
  if ('host' in target && target.localAddress) options['localAddress'] = target.localAddress
  if (tls !== undefined && preface === undefined) options['tls'] = connectTlsOptions(tls, target.serverName)
  // Errors reach connectError; the promise must not become an unhandled rejection.
  ;(Bun as unknown as BunLike).connect(options).catch(ignore)
}

function startTls<T>(s: Sock<unknown>, handlers: SockHandlers<T>, o: StartTls<T>): Sock<T> {
  const raw = s as unknown as BunClearSock
  const t = o.tls
  const deadline = o.deadline ?? (t.handshakeTimeout === Infinity ? Infinity : now() + t.handshakeTimeout)
  const options: Record<string, unknown> = { data: new Handshaking(o.data, deadline), tls: startTlsOptions(t), socket: startTlsHandlers(handlers, t) }
  if (o.initial != null && o.initial.length > 0) options['initialData'] = o.initial
  // From now on the listener's handlers ignore `s` (startsTlsHandlers).
  raw.data = DETACHED
  try {
    return raw.upgradeTLS(options)[1] as unknown as Sock<T>
  } catch (e) {
    // Refused before any byte: a failed handshake, as the contract has it.
    raw.data = o.data
    handlers.handshakeError?.(s as Sock<T>, e as Error)
    raw.data = DETACHED
    raw.terminate()
    return s as Sock<T>
  }
}

const ignore = (): undefined => undefined

/**
 * `Runtime.readInto`: read(2) on the socket's descriptor (Bun's sockets are non-blocking, and
 * tell their descriptor), through node:fs, which reads straight into `into`. Bun's own reader
 * reads up to 512 KB at once into a new Buffer; the pull path of a relay reads a buffer's worth
 * into its own. EAGAIN (nothing there) and errors are thrown by node:fs, and answered -1: the
 * caller resumes Bun's reader, which reports what comes next, or the error (a read that consumed
 * the FIN answers 0, and Bun reads the FIN again once resumed).
 */
function readInto(s: Sock<unknown>, into: Uint8Array): number {
  const fd = (s as unknown as { fd?: number }).fd
  if (fd === undefined || fd < 0) return -1
  try {
    return readSync(fd, into, 0, into.length, null)
  } catch {
    return -1
  }
}

/**
 * The executable alone when compiled (`./edgelb`: its own program is embedded, under Bun's
 * virtual `/$bunfs/` root), else the runtime plus the entry script (`bun src/main.ts`).
 */
function selfCommand(): string[] {
  const script = process.argv[1]
  if (script === undefined || script.startsWith('/$bunfs/') || script.startsWith('B:/~BUN/') || script === process.execPath) return [process.execPath]
  return [process.execPath, script.startsWith('/') ? script : `${process.cwd()}/${script}`]
}

/**
 * Settings of the runtime that only its environment can give (it reads them as it starts, before
 * any of edgelb runs), with the values edgelb serves traffic with:
 * - BUN_GC_TIMER_INTERVAL=30000. Besides the collections the engine's allocation calls for, Bun
 *   runs one of its own every second while a program allocates, so that memory goes back when
 *   the program falls quiet. Under steady traffic that is one more pause (0.3-0.5 ms, whatever
 *   the heap's size) every second for nothing, which shows in a proxy's p99; every 30 s still
 *   gives memory back once traffic stops.
 */
const RUNTIME_ENV: Readonly<Record<string, string>> = { BUN_GC_TIMER_INTERVAL: '30000' }

/** Re-executes with RUNTIME_ENV unless the environment has one of Bun's GC timer settings (an
 *  operator's own BUN_GC_TIMER_INTERVAL or BUN_GC_TIMER_DISABLE wins, and the exec'd process has
 *  one, so this happens once). Not when the process holds inherited sockets: the runtime's
 *  execve closes every descriptor above 2, and those sockets are what edgelb must serve on. */
function execWithRuntimeSettings(argv: readonly string[]): string | undefined {
  const env = process.env
  if (typeof process.execve !== 'function') return undefined
  if (env.BUN_GC_TIMER_INTERVAL !== undefined || env.BUN_GC_TIMER_DISABLE !== undefined) return undefined
  const inherited = socketFds()
  if (inherited.length > 0) {
    const set = Object.entries(RUNTIME_ENV).map(([k, v]) => `${k}=${v}`).join(' ')
    return `serving with the runtime's default collection timer: re-executing to set ${set} would close the inherited socket${inherited.length > 1 ? 's' : ''} (fd ${inherited.join(', ')}); set it in the environment to have both`
  }
  const self = selfCommand()
  // `bun [runtime flags] src/main.ts …`: the runtime's own flags (--preload, --cpu-prof…) too.
  const args = self.length > 1 ? [self[0]!, ...process.execArgv, ...self.slice(1), ...argv] : [...self, ...argv]
  try {
    process.execve(self[0]!, args, { ...env, ...RUNTIME_ENV })
  } catch (e) {
    const set = Object.entries(RUNTIME_ENV).map(([k, v]) => `${k}=${v}`).join(' ')
    return `could not re-execute ${self[0]} with ${set} (${(e as Error).message}); serving with the runtime's defaults (set it in the environment to avoid the re-execution)`
  }
  return undefined
}

const SOL_SOCKET = 1
const SO_SNDBUF = 7
const SO_RCVBUF = 8

/** `Runtime.setBuffers`, through the C library (loaded on the first call, which answers false). */
function setBuffers(s: Sock<unknown> | null, rcv: number, snd: number): boolean {
  const libc = libcNow()
  const fd = (s as unknown as { fd?: number } | null)?.fd
  if (libc === undefined || fd === undefined || fd < 0) return false
  if (rcv > 0) libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, rcv)
  if (snd > 0) libc.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, snd)
  return true
}

const SPLICE_F_MOVE = 1
const SPLICE_F_NONBLOCK = 2

function openPipe(): Pipe | null {
  const libc = libcNow()
  if (libc === undefined) return null
  const fds = new Int32Array(2)
  if (libc.pipe(fds) !== 0) return null
  return { r: fds[0]!, w: fds[1]!, rest: null }
}

function closePipe(p: Pipe): void {
  const libc = libcNow()
  libc?.close(p.r)
  libc?.close(p.w)
}

const fdOf = (s: Sock<unknown>): number => (s as unknown as { fd?: number }).fd ?? -1

function splice(from: Sock<unknown>, to: Sock<unknown>, p: Pipe, max: number): number {
  const libc = libcNow()
  const fi = fdOf(from)
  const fo = fdOf(to)
  if (libc === undefined || fi < 0 || fo < 0) return -1
  const n = libc.splice(fi, p.w, max, SPLICE_F_MOVE | SPLICE_F_NONBLOCK)
  if (n <= 0) return n === 0 ? 0 : -1
  let left = n
  while (left > 0) {
    const m = libc.splice(p.r, fo, left, SPLICE_F_MOVE | SPLICE_F_NONBLOCK)
    if (m <= 0) break
    left -= m
  }
  if (left > 0) {
    const rest = Buffer.allocUnsafe(left)
    let got = 0
    while (got < left) {
      const k = libc.read(p.r, rest.subarray(got))
      if (k <= 0) break
      got += k
    }
    p.rest = got === left ? rest : rest.subarray(0, got)
  }
  return n
}

/** Bun's runtime, or undefined under another one. */
export const bun: Runtime | undefined = typeof Bun === 'undefined'
  ? undefined
  : { name: 'bun', listen, connect, selfCommand, execWithRuntimeSettings, onSignal: onProcessSignal, tlsContext, tlsFacts, startTls, openNotifySocket, openUnixDgram, readInto, setBuffers, openPipe, closePipe, splice, collectGarbage: () => { Bun.gc(true) } }
