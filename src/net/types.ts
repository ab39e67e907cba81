/**
 * What the rest of edgelb sees of the runtime's sockets. Each runtime (net/bun.ts, net/deno.ts)
 * implements `Runtime`; net/runtime.ts picks the one that is running.
 */
import type { SignalName } from './signals.ts'

/** A connected socket. `data` is the per-connection state the handlers work on. */
export interface Sock<T> {
  data: T
  /** Bytes accepted; fewer than asked under pressure (0 included: wait for `drain`); -1 if
   *  closed or shut down. Accepted bytes go out in order. `chunk` must not change afterwards:
   *  a runtime may still be sending from it (edgelb only passes on what it read or built). */
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

/**
 * Module-level handlers (one set per listener or connect site, never per connection).
 * Lifecycle of one socket:
 *   listen: open → (data | drain)* → [end] → close
 *   connect: open → … → close   or   connectError (nothing else)
 * `end` reports the peer's FIN while we may still write; once our own FIN went out first, the
 * peer's FIN is reported as `close` alone. `close` comes once; with an error for a reset. `end()`
 * and `terminate()` call `close` before they return when nothing waits to be sent.
 */
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
  /** Its descriptor, when the runtime tells it (Bun does; passed on to a new executable). */
  readonly fd?: number | undefined
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

export type ConnectTarget = { host: string; port: number; localAddress?: string } | { path: string }

/** A unix datagram socket sending to the service manager (sd_notify's NOTIFY_SOCKET). */
export interface NotifySocket {
  /** Sends one datagram without waiting; returns the error's name when it was not sent. */
  send(message: string): string | undefined
  /** CLOCK_MONOTONIC in µs, the clock of `MONOTONIC_USEC=`. */
  monotonicUsec(): bigint
  close(): void
}

/** One runtime's sockets and process facts. */
export interface Runtime {
  readonly name: string
  /** Binds and listens. Throws an Error naming the address and the OS error when the bind fails. */
  listen<T>(target: ListenTarget, handlers: SockHandlers<T>, options?: ListenOptions): Listener
  /** Starts a connection; its outcome arrives on `handlers.open` or `handlers.connectError`. */
  connect<T>(target: ConnectTarget, data: T, handlers: SockHandlers<T>): void
  /** The argv that runs this same edgelb again, before its own arguments. */
  selfCommand(): string[]
  /** See net/runtime.ts. */
  execWithRuntimeSettings(argv: readonly string[]): string | undefined
  /** Installs a signal handler; returns a function that removes it. */
  onSignal(name: SignalName, fn: () => void): () => void
  /** A full collection of the runtime's heap, now (absent: the runtime offers none). */
  collectGarbage?(): void
  /** Opens a datagram socket to NOTIFY_SOCKET; absent when the runtime cannot (Deno). */
  openNotifySocket?(path: string): Promise<NotifySocket>
}
