/**
 * What the two built-in backends (http-server.ts, tcp-server.ts) share: the listener and the set
 * of connections stop() closes, the count of answered requests, answer delays, and writing an
 * answer under backpressure. Each server keeps its own protocol: its handlers, its connection
 * state (a subclass of BuiltinConn) and when a request is complete.
 */
import { listen, type Listener, type ListenTarget, type Sock, type SockHandlers } from '../net/runtime.ts'
import type { ResponseSpec } from './response-spec.ts'

export interface ServerOptions extends ResponseSpec {
  /** Named in the body and the `x-server` header. */
  name: string
}

export interface BuiltinServer {
  readonly port: number
  /** Requests answered since start. */
  readonly requests: number
  /** Stops listening and closes every connection. */
  stop(): void
}

/** The state of one connection that both servers keep. */
export class BuiltinConn {
  /** The rest of an answer the kernel did not take yet; sent on drain. */
  out: Uint8Array | null = null
  /** Delaying or writing an answer: what arrives meanwhile waits. */
  busy = false
  /** Close once the answers owed are out. */
  closeAfter = false
  /**
   * The connection's delay timer: made at its first delay, then re-armed (`refresh()`) for the
   * next ones of the same length, so a delayed answer costs no timer or closure of its own. One
   * runtime timer per connection rather than one shared by all: a shared wheel rounds each delay
   * up to its next tick, and a load test's `--delay 1ms` must stay 1 ms, as a setTimeout keeps it.
   */
  #timer: ReturnType<typeof setTimeout> | undefined
  #timerMs = 0
  readonly #onDue: () => void

  /** `onDue` runs when a delay ends, the connection no longer busy. */
  constructor(onDue: () => void) {
    this.#onDue = () => {
      this.busy = false
      onDue()
    }
  }

  /** Holds the next answer back `ms` milliseconds: the connection is busy until `onDue` runs. */
  delay(ms: number): void {
    this.busy = true
    if (this.#timer !== undefined && this.#timerMs === ms) {
      this.#timer.refresh()
      return
    }
    clearTimeout(this.#timer)
    this.#timer = setTimeout(this.#onDue, ms)
    this.#timerMs = ms
  }

  /** The connection closed: a pending delay never ends. */
  cancelDelay(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }
}

/** A server's own handlers: `open` and `close` are the base's (they keep `conns`). */
export type ConnHandlers<C extends BuiltinConn> = Omit<SockHandlers<C>, 'open' | 'close'>

export class BuiltinServerBase<C extends BuiltinConn> implements BuiltinServer {
  readonly opts: ServerOptions
  readonly conns = new Set<Sock<C>>()
  requests = 0
  #listener: Listener | null = null

  constructor(opts: ServerOptions) {
    this.opts = opts
  }

  get port(): number {
    return this.#listener?.port ?? 0
  }

  /** Listens on `target` (port 0: any free port; read `.port`) with the server's `handlers`;
   *  each connection's state is `newConn(sock)`, and its delay is cancelled when it closes. */
  listen(target: ListenTarget, handlers: ConnHandlers<C>, newConn: (s: Sock<C>) => C): this {
    const conns = this.conns
    const all: SockHandlers<C> = {
      ...handlers,
      open(s) {
        s.data = newConn(s)
        conns.add(s)
      },
      close(s) {
        s.data?.cancelDelay()
        conns.delete(s)
      },
    }
    this.#listener = listen(target, all, { backlog: 4096 })
    return this
  }

  stop(): void {
    this.#listener?.stop()
    this.#listener = null
    for (const s of this.conns) s.terminate()
    this.conns.clear()
  }
}

/** Writes an answer. What the kernel does not take waits in `out`, and the connection is busy
 *  and stops reading until drain sends it (writeRest). True when all of it went out now. */
export function writeAnswer(s: Sock<BuiltinConn>, bytes: Uint8Array): boolean {
  const n = s.write(bytes)
  if (n < 0) return false
  if (n === bytes.length) return true
  const c = s.data
  c.out = bytes.subarray(n)
  c.busy = true
  s.pause()
  return false
}

/** On drain: writes what waits in `out`. True when the last of it went out now (the connection is
 *  no longer busy; the caller resumes reading or closes); false while some still waits. */
export function writeRest(s: Sock<BuiltinConn>): boolean {
  const c = s.data
  if (c.out === null) return false
  const n = s.write(c.out)
  if (n < 0) return false
  if (n < c.out.length) {
    c.out = c.out.subarray(n)
    return false
  }
  c.out = null
  c.busy = false
  return true
}
