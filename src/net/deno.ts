/**
 * Deno's sockets (`deno task run`): Deno.listen and Deno.connect under the `Sock` contract.
 *
 * Deno's connections are pull-based and asynchronous (`read()` and `write()` return promises), so
 * each one gets a `DenoSock` that keeps one read in flight while not paused and a bounded queue
 * of accepted writes (HIGH_WATER): `write()` accepts what fits, sends it in order, and calls
 * `drain` once the queue is empty again after a short write. Chosen over Deno's node:net because
 * it listens synchronously (a bind error is thrown at once, as `Runtime.listen` promises; node:net
 * binds later, in a callback), and it costs no more: Deno 2.9, 32 connections echoing 64-byte
 * messages to a Bun client, one core busy either way: 160k round trips/s against 134k; through the
 * whole proxy (bench/deno.ts, a shared machine) 17.8-22.1 µs of CPU per request against
 * 18.3-19.8 with node:net, the same within the noise.
 *
 * What Deno.listen and Deno.connect do not offer, net/deno-node.ts does with node:net: listening
 * on an inherited descriptor (fd@) and connecting from a source address. Not offered at all: a
 * reset on `terminate()` (it closes with FIN, or RST when unread data remains, as the kernel
 * does). A stopped listener's port is free once its pending accept is cancelled, a moment after
 * `stop()` returns.
 *
 * Read state:  reading <-> paused (one read may complete while pausing: held until resume)
 *              reading --peer FIN--> eof (`end`, or `close` if our FIN went first)
 * Write state: open --shutdown()--> FIN after the queue --peer FIN--> closed
 *              open --end()--> closed after the queue;  terminate(): closed now
 */
import type * as Inspector from 'node:inspector'
import { fileURLToPath } from 'node:url'
import { bindError } from './bind-error.ts'
import { connectFrom, listenFd } from './deno-node.ts'
import { onProcessSignal, type SignalName } from './signals.ts'
import type { ConnectTarget, Listener, ListenOptions, ListenTarget, Runtime, Sock, SockHandlers } from './types.ts'

// The parts of Deno's namespace used here (so the other runtime's type-check needs no Deno types).
interface DenoAddr { hostname?: string; port?: number; path?: string }
interface DenoConn {
  read(p: Uint8Array): Promise<number | null>
  write(p: Uint8Array): Promise<number>
  close(): void
  closeWrite(): Promise<void>
  setNoDelay?(noDelay?: boolean): void
  setKeepAlive?(keepAlive?: boolean): void
  readonly localAddr: DenoAddr
  readonly remoteAddr: DenoAddr
}
interface DenoListener { accept(): Promise<DenoConn>; close(): void; readonly addr: DenoAddr }
interface DenoNs {
  listen(options: Record<string, unknown>): DenoListener
  connect(options: Record<string, unknown>): Promise<DenoConn>
  execPath(): string
  readonly mainModule: string
  readonly permissions: { querySync(d: { name: string }): { state: string } }
  unrefTimer(id: number): void
}

const D = (globalThis as unknown as { Deno?: DenoNs }).Deno

/** Bytes a socket accepts beyond what the kernel took (then `write()` returns short). */
const HIGH_WATER = 64 * 1024
/** Read buffer sizes: a connection's next read doubles after a full one, halves after a small
 *  one, so an idle keep-alive connection holds READ_MIN while it waits. */
const READ_MIN = 4096
const READ_MAX = 64 * 1024

class DenoSock<T> implements Sock<T> {
  data: T
  readonly #conn: DenoConn
  readonly #h: SockHandlers<T>
  #closed = false
  #paused = false
  #pumping = false
  #held: Buffer | null = null
  #readSize = READ_MIN
  #eof = false
  readonly #queue: Uint8Array[] = []
  #queued = 0
  #writing = false
  #owesDrain = false
  #shut = false
  #finSent = false
  #ending = false

  constructor(conn: DenoConn, handlers: SockHandlers<T>, data: T) {
    this.#conn = conn
    this.#h = handlers
    this.data = data
  }

  get remoteAddress(): string { return this.#conn.remoteAddr.hostname ?? '' }
  get remotePort(): number | undefined { return this.#conn.remoteAddr.port }
  get localAddress(): string | undefined { return this.#conn.localAddr.hostname }
  get localPort(): number | undefined { return this.#conn.localAddr.port }

  /** Runs `open`, then reads unless it paused or closed the socket. An exception thrown by a
   *  handler closes the socket with it (after `error`), here as in the read loop. */
  start(): void {
    try {
      this.#h.open?.(this)
    } catch (e) {
      this.#fail(e as Error)
      return
    }
    if (!this.#paused && !this.#closed) void this.#pump()
  }

  write(chunk: Uint8Array): number {
    if (this.#shut || this.#closed) return -1
    if (chunk.length === 0) return 0
    const room = HIGH_WATER - this.#queued
    if (room <= 0) { this.#owesDrain = true; return 0 }
    const n = chunk.length <= room ? chunk.length : room
    this.#queue.push(n === chunk.length ? chunk : chunk.subarray(0, n))
    this.#queued += n
    if (n < chunk.length) this.#owesDrain = true
    if (!this.#writing) void this.#flush()
    return n
  }

  shutdown(): void {
    if (this.#shut || this.#closed) return
    this.#shut = true
    if (!this.#writing) void this.#sendFin()
  }

  end(): void {
    if (this.#closed) return
    this.#shut = true
    this.#ending = true
    this.#paused = true
    if (!this.#writing) this.#close(undefined)
  }

  terminate(): void {
    this.#close(undefined)
  }

  pause(): void {
    this.#paused = true
  }

  resume(): void {
    if (!this.#paused || this.#ending || this.#closed) return
    this.#paused = false
    if (!this.#pumping && !this.#eof) void this.#pump()
  }

  setNoDelay(noDelay = true): boolean {
    if (this.#closed || this.#conn.setNoDelay === undefined) return false
    this.#conn.setNoDelay(noDelay)
    return true
  }

  /** Deno sets SO_KEEPALIVE only: the first probe comes after the system's delay. */
  setKeepAlive(enable: boolean): boolean {
    if (this.#closed || this.#conn.setKeepAlive === undefined) return false
    this.#conn.setKeepAlive(enable)
    return true
  }

  async #pump(): Promise<void> {
    this.#pumping = true
    try {
      if (this.#held !== null) {
        await null // never inside resume()'s caller
        const held = this.#held
        if (this.#paused || this.#closed || held === null) return
        this.#held = null
        this.#h.data(this, held)
      }
      while (!this.#paused && !this.#closed && !this.#eof) {
        const size = this.#readSize
        const buf = Buffer.allocUnsafeSlow(size)
        const n = await this.#conn.read(buf)
        if (this.#closed) return
        if (n === null) {
          this.#eof = true
          if (this.#finSent) this.#close(undefined)
          else this.#h.end(this)
          return
        }
        if (n === size) { if (size < READ_MAX) this.#readSize = size * 2 }
        else if (n < size >> 2 && size > READ_MIN) this.#readSize = size >> 1
        const chunk = buf.subarray(0, n)
        if (this.#paused) { this.#held = chunk; return }
        this.#h.data(this, chunk)
      }
    } catch (e) {
      this.#fail(e as Error)
    } finally {
      this.#pumping = false
    }
  }

  async #flush(): Promise<void> {
    this.#writing = true
    const q = this.#queue
    try {
      while (q.length > 0) {
        // What queued up while the last write was out goes in one write (one system call).
        const out = q.length === 1 ? q[0]! : Buffer.concat(q, this.#queued)
        q.length = 0
        let off = 0
        while (off < out.length) {
          off += await this.#conn.write(off === 0 ? out : out.subarray(off))
          if (this.#closed) return
        }
        this.#queued -= out.length
      }
    } catch (e) {
      this.#fail(e as Error)
      return
    } finally {
      this.#writing = false
    }
    if (this.#ending) { this.#close(undefined); return }
    if (this.#shut) { void this.#sendFin(); return }
    if (this.#owesDrain) {
      this.#owesDrain = false
      try { this.#h.drain(this) } catch (e) { this.#fail(e as Error) }
    }
  }

  async #sendFin(): Promise<void> {
    if (this.#finSent || this.#closed) return
    this.#finSent = true
    try {
      await this.#conn.closeWrite()
    } catch (e) {
      this.#fail(e as Error)
      return
    }
    if (this.#eof) this.#close(undefined)
  }

  #fail(e: Error): void {
    if (this.#closed) return
    this.#h.error?.(this, e)
    this.#close(e)
  }

  #close(error: Error | undefined): void {
    if (this.#closed) return
    this.#closed = true
    this.#queue.length = 0
    this.#queued = 0
    this.#held = null
    try { this.#conn.close() } catch { /* already closed by the peer's reset */ }
    this.#h.close(this, error)
  }
}

/** What `connectError` receives: the data, and a socket that is closed. */
class FailedSock<T> implements Sock<T> {
  data: T
  constructor(data: T) { this.data = data }
  write(): number { return -1 }
  shutdown(): void {}
  end(): void {}
  terminate(): void {}
  pause(): void {}
  resume(): void {}
  get remoteAddress(): string { return '' }
}

/** Why TLS is refused here: Deno.listenTls has no SNI selection by name, no client certificate
 *  verification modes, no per-connection facts (`ssl_fc_*`) edgelb needs; TLS waits for them. */
const NO_TLS = 'TLS needs the Bun runtime (the edgelb executable, or bun src/main.ts): edgelb has no TLS under Deno yet'

function tlsContext(): never {
  throw new Error(NO_TLS)
}

function startTls(): never {
  throw new Error(NO_TLS)
}

function listen<T>(target: ListenTarget, handlers: SockHandlers<T>, options: ListenOptions = {}): Listener {
  if (options.tls !== undefined || options.startsTls) throw new Error(NO_TLS)
  if (target.kind === 'fd') return listenFd(target.fd, handlers)
  let l: DenoListener
  try {
    const o: Record<string, unknown> = target.kind === 'tcp'
      ? { hostname: target.host, port: target.port }
      : { transport: 'unix', path: target.path }
    if (target.kind === 'tcp' && options.backlog !== undefined) o['tcpBacklog'] = options.backlog
    if (target.kind === 'tcp' && options.reusePort) o['reusePort'] = true
    l = D!.listen(o)
  } catch (e) {
    throw bindError(target, e)
  }
  const state = { stopped: false }
  void acceptLoop(l, handlers, state)
  return {
    port: target.kind === 'tcp' ? (l.addr.port ?? target.port) : 0,
    stop: () => {
      if (state.stopped) return
      state.stopped = true
      l.close()
    },
  }
}

async function acceptLoop<T>(l: DenoListener, handlers: SockHandlers<T>, state: { stopped: boolean }): Promise<void> {
  for (;;) {
    let conn: DenoConn
    try {
      conn = await l.accept()
    } catch (e) {
      if (state.stopped || (e as Error).name === 'BadResource') return
      // Out of descriptors or memory: wait a little rather than spin, as HAProxy pauses its
      // listeners; the kernel's backlog holds the connections meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 100))
      continue
    }
    conn.setNoDelay?.(true)
    new DenoSock<T>(conn, handlers, undefined as T).start()
  }
}

function connect<T>(target: ConnectTarget, data: T, handlers: SockHandlers<T>): void {
  if (target.tls !== undefined) { handlers.connectError?.(new FailedSock(data), new Error(NO_TLS)); return }
  if ('host' in target && target.localAddress) connectFrom({ host: target.host, port: target.port, localAddress: target.localAddress }, data, handlers)
  else void connectAsync(target, data, handlers)
}

async function connectAsync<T>(target: ConnectTarget, data: T, handlers: SockHandlers<T>): Promise<void> {
  let conn: DenoConn
  try {
    conn = await D!.connect('path' in target ? { transport: 'unix', path: target.path } : { hostname: target.host, port: target.port })
  } catch (e) {
    handlers.connectError?.(new FailedSock(data), e as Error)
    return
  }
  if (!('path' in target)) conn.setNoDelay?.(true)
  new DenoSock<T>(conn, handlers, data).start()
}

const PERMISSIONS = ['read', 'write', 'net', 'env', 'sys', 'run', 'ffi', 'import'] as const

/**
 * `deno run <flags> /path/src/main.ts`: the same entry point, with each permission this process
 * holds for everything (a permission granted only for some paths or hosts is not passed on).
 * The child finds the same deno.json, as it starts in the same directory.
 */
function selfCommand(): string[] {
  const flags: string[] = []
  for (const name of PERMISSIONS) {
    if (D!.permissions.querySync({ name }).state === 'granted') flags.push(`--allow-${name}`)
  }
  return [D!.execPath(), 'run', ...(flags.length === PERMISSIONS.length ? ['--allow-all'] : flags), fileURLToPath(D!.mainModule)]
}

/**
 * Deno (2.9.2 on) opens its V8 inspector on 127.0.0.1:9229 when SIGUSR1 arrives, whatever the
 * program's own handlers, and has no switch to turn that off. SIGUSR1 is edgelb's soft stop: a
 * debugger port must not open with it, so it is closed as soon as it is up (within ~50 ms here).
 */
function onSignal(name: SignalName, fn: () => void): () => void {
  if (name !== 'SIGUSR1') return onProcessSignal(name, fn)
  const handler = (): void => { closeInspector(0); fn() }
  return onProcessSignal(name, handler)
}

function closeInspector(tries: number): void {
  const inspector = process.getBuiltinModule('node:inspector') as typeof Inspector
  if (inspector.url() !== undefined) inspector.close()
  else if (tries < 100) D!.unrefTimer(setTimeout(closeInspector, 10, tries + 1) as unknown as number)
}

/** Deno's runtime, or undefined under another one. */
export const deno: Runtime | undefined = D === undefined
  ? undefined
  : { name: 'deno', listen, connect, selfCommand, execWithRuntimeSettings: () => undefined, onSignal, tlsContext, tlsFacts: () => null, startTls }
