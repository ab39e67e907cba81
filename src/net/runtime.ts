/**
 * The runtime adapter: the only module that names `Bun`. Listening, connecting, signals and
 * inherited file descriptors go through here, so the rest of edgelb is plain TypeScript.
 *
 * Sockets are Bun's own objects seen through the small structural type `Sock` (no wrapper per
 * connection). Facts this relies on (Bun 1.4): `write()` returns the bytes the kernel accepted
 * (fewer under pressure, -1 when closed) and buffers nothing itself; `drain` fires when writable
 * again; `pause()`/`resume()` stop and restart reading; `end` fires on the peer's FIN when
 * `allowHalfOpen` is set; `connect({ localAddress })` and `listen({ fd })` work although the
 * type definitions lack them.
 */

/** A connected socket. `data` is the per-connection state the handlers work on. */
export interface Sock<T> {
  data: T
  /** Bytes accepted by the kernel; fewer than asked under pressure; -1 if closed. */
  write(chunk: Uint8Array): number
  /** Sends FIN after what was written (half-close: we stop writing, may still read). */
  shutdown(halfClose?: boolean): void
  /** Closes gracefully (FIN). */
  end(): void
  /** Closes at once (RST when data is pending). */
  terminate(): void
  pause(): void
  resume(): void
  setNoDelay?(noDelay?: boolean): boolean
  readonly remoteAddress: string
  readonly remotePort?: number
  readonly localAddress?: string
  readonly localPort?: number
}

/** Module-level handlers (one set per listener or connect site, never per connection). */
export interface SockHandlers<T> {
  open?(s: Sock<T>): void
  data(s: Sock<T>, chunk: Buffer): void
  drain(s: Sock<T>): void
  /** The peer sent FIN. */
  end(s: Sock<T>): void
  close(s: Sock<T>, error?: Error): void
  error?(s: Sock<T>, error: Error): void
  connectError?(s: Sock<T>, error: Error): void
}

export interface Listener {
  /** The port actually bound (useful with port 0). 0 for unix sockets. */
  readonly port: number
  /** Stops accepting; live connections are not touched. */
  stop(): void
}

export type ListenTarget =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'unix'; path: string }
  | { kind: 'fd'; fd: number }

export interface ListenOptions {
  backlog?: number
  reusePort?: boolean
}

interface BunListener {
  port?: number
  stop(closeActive?: boolean): void
}

interface BunLike {
  listen(options: Record<string, unknown>): BunListener
  connect(options: Record<string, unknown>): Promise<unknown>
}

function bun(): BunLike {
  const b = (globalThis as unknown as { Bun?: BunLike }).Bun
  if (!b) throw new Error('edgelb needs the Bun runtime for its sockets (run the edgelb executable, or bun src/main.ts)')
  return b
}

/** Bun's handler object for ours: Buffers in `data`, the same functions (no per-socket closure). */
/** Made once per handler table (they are module-level), not once per connect. */
const bunTables = new WeakMap<object, Record<string, unknown>>()

function bunHandlers<T>(h: SockHandlers<T>): Record<string, unknown> {
  let t = bunTables.get(h)
  if (t === undefined) {
    t = { binaryType: 'buffer', open: h.open, data: h.data, drain: h.drain, end: h.end, close: h.close, error: h.error, connectError: h.connectError }
    bunTables.set(h, t)
  }
  return t
}

/** Binds and listens. Throws an Error naming the address and the OS error when the bind fails. */
export function listen<T>(target: ListenTarget, handlers: SockHandlers<T>, options: ListenOptions = {}): Listener {
  const socket = bunHandlers(handlers)
  const base: Record<string, unknown> = { socket, allowHalfOpen: true }
  if (options.backlog !== undefined) base['backlog'] = options.backlog
  if (options.reusePort) base['reusePort'] = true
  let l: BunListener
  try {
    if (target.kind === 'tcp') l = bun().listen({ ...base, hostname: target.host, port: target.port })
    else if (target.kind === 'unix') l = bun().listen({ ...base, unix: target.path })
    else l = bun().listen({ ...base, fd: target.fd })
  } catch (e) {
    const where = target.kind === 'tcp' ? `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}` : target.kind === 'unix' ? `unix@${target.path}` : `fd@${target.fd}`
    const err = e as NodeJS.ErrnoException
    throw new Error(`cannot bind ${where}: ${err.code ?? ''}${err.code ? ' ' : ''}${err.message}`)
  }
  return {
    port: target.kind === 'tcp' ? (l.port ?? target.port) : 0,
    stop: () => l.stop(false),
  }
}

export type ConnectTarget = { host: string; port: number; localAddress?: string } | { path: string }

/** Starts a connection; its outcome arrives on `handlers.open` or `handlers.connectError`. */
export function connect<T>(target: ConnectTarget, data: T, handlers: SockHandlers<T>): void {
  const socket = bunHandlers(handlers)
  const options: Record<string, unknown> = 'path' in target
    ? { unix: target.path, socket, data, allowHalfOpen: true }
    : { hostname: target.host, port: target.port, socket, data, allowHalfOpen: true }
  if ('host' in target && target.localAddress) options['localAddress'] = target.localAddress
  // Errors reach connectError; the promise must not become an unhandled rejection.
  bun().connect(options).catch(ignore)
}

const ignore = (): undefined => undefined

export type SignalName = 'SIGUSR1' | 'SIGUSR2' | 'SIGTTOU' | 'SIGTTIN' | 'SIGTERM' | 'SIGINT' | 'SIGHUP' | 'SIGQUIT'

/** Installs a signal handler; returns a function that removes it. */
export function onSignal(name: SignalName, fn: () => void): () => void {
  process.on(name, fn)
  return () => { process.off(name, fn) }
}

/**
 * The command that runs this same edgelb again (for worker processes and `program` sections):
 * the executable alone when compiled (`./edgelb`: its own program is embedded, under Bun's
 * virtual `/$bunfs/` root), else the runtime plus the entry script (`bun src/main.ts`).
 */
export function selfCommand(): string[] {
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

/**
 * Runs this very command again in place (execve: same pid, same open files, same arguments `argv`)
 * with RUNTIME_ENV added to its environment, when the environment has none of Bun's GC timer
 * settings (an operator's own BUN_GC_TIMER_INTERVAL or BUN_GC_TIMER_DISABLE wins, and the exec'd
 * process has one, so this happens once). Returns only when nothing was done: another runtime,
 * settings already there, or an exec that failed: then the reason, in one line, and the process
 * goes on with the runtime's defaults.
 * For the commands that serve traffic; call it before anything is opened or written.
 */
export function execWithRuntimeSettings(argv: readonly string[]): string | undefined {
  const env = process.env
  if (typeof Bun === 'undefined' || typeof process.execve !== 'function') return undefined
  if (env.BUN_GC_TIMER_INTERVAL !== undefined || env.BUN_GC_TIMER_DISABLE !== undefined) return undefined
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

