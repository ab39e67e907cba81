/**
 * One connection of a health check: connect, send, collect what the server answers, close.
 *
 *   connecting --open--> open --(peer FIN or close, error, close())--> closed
 *        `--connectError / close()--> closed
 *
 * A check script is sequential, so a connection has at most one waiter: `wait()` resolves on the
 * next event (opened, bytes, FIN, close, or `wake()` from the check's deadline). What arrives is
 * appended to `buf`, up to `limit` bytes (HAProxy reads a check answer into one buffer of
 * `tune.bufsize`); past it the connection reads nothing more and `full` is set.
 */
import { now } from '../core/clock.ts'
import { Timer } from '../core/timer-wheel.ts'
import { wheel } from '../core/wheel.ts'
import { connect, type ConnectTarget, type Sock, type SockHandlers } from '../net/runtime.ts'

const EMPTY = Buffer.alloc(0)
/** How long a lingering close waits for the server's own close before resetting. */
const LINGER_MS = 1000

export class CheckConn {
  sock: Sock<CheckConn> | null = null
  state: 'connecting' | 'open' | 'closed' = 'connecting'
  /** Why it closed, when it was not a clean close. */
  error: Error | undefined
  /** The connect itself failed at once (the system refused the address before anything was
   *  sent), rather than the server refusing or not answering. */
  failedAtOnce = false
  /** Everything received so far (at most `limit` bytes). */
  buf: Buffer = EMPTY
  /** The peer sent FIN or closed: nothing more will come. */
  eof = false
  /** `buf` reached `limit`. */
  full = false
  readonly limit: number
  /** close() sends FIN rather than RST (`tcp-check connect linger`, the SMTP, MySQL and
   *  PostgreSQL checks). */
  linger = false
  #lingering = false
  #out: Uint8Array[] = []
  #wake: (() => void) | null = null
  /** The PROXY protocol header this connection begins with, made from the socket once open
   *  (`check-send-proxy`; a v1 line needs the connection's own addresses). */
  proxyHeader: ((s: Sock<CheckConn>) => Uint8Array) | null = null

  constructor(limit: number) {
    this.limit = limit
  }

  /** Starts connecting; the outcome arrives as an event (`state` becomes open or closed), or at
   *  once for an address TCP cannot reach (`failedAtOnce`). */
  start(target: ConnectTarget): void {
    if ('host' in target && notUnicast(target.host)) {
      this.failedAtOnce = true
      this.#closed(Object.assign(new Error('Network is unreachable'), { code: 'ENETUNREACH', syscall: 'connect' }))
      return
    }
    // Over TLS the header goes in clear, before the handshake.
    if (this.proxyHeader !== null && target.tls !== undefined) {
      target = { ...target, preface: this.proxyHeader as (s: Sock<unknown>) => Uint8Array }
      this.proxyHeader = null
    }
    connect(target, this, checkHandlers)
  }

  /** Resolves on the next event. */
  wait(): Promise<void> {
    return new Promise<void>((resolve) => { this.#wake = resolve })
  }

  /** Wakes the waiter (an event, or the check's deadline). */
  wake(): void {
    const w = this.#wake
    if (w !== null) {
      this.#wake = null
      w()
    }
  }

  /** Writes `bytes` now or as soon as the kernel takes them. Returns false when closed. */
  send(bytes: Uint8Array): boolean {
    if (this.state === 'closed') return false
    if (bytes.length === 0) return true
    this.#out.push(bytes)
    if (this.state === 'open') this.#flush()
    return true
  }

  /** Forgets what was received (a new `tcp-check connect` step starts with an empty buffer). */
  consume(): void {
    this.buf = EMPTY
    this.full = false
  }

  /** Closes now: with RST (HAProxy's checks close so, unless told `linger`), or, with `linger`
   *  set, cleanly: FIN, then what the server still sends is read and dropped until it closes too
   *  (at most LINGER_MS), so that a server still writing sees no reset. Idempotent. */
  close(): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    const s = this.sock
    if (s !== null && this.linger) {
      this.#lingering = true
      s.shutdown()
      // On the process's wheel, as every deadline; its timer dies with this connection.
      wheel.schedule(new Timer(() => { if (this.#lingering) s.terminate() }), now() + LINGER_MS)
    } else s?.terminate()
    this.sock = null
    this.#out.length = 0
    this.wake()
  }

  #flush(): void {
    const s = this.sock
    if (!s) return
    while (this.#out.length > 0) {
      const c = this.#out[0]!
      const n = s.write(c)
      // -1: the runtime already saw the socket closed (we close it only through close(), which
      // empties the queue first), so the peer reset it and its close event is on its way: say so
      // as the kernel would have said it to a write.
      if (n < 0) { this.#closed(new Error('Connection reset by peer')); return }
      if (n < c.length) { this.#out[0] = c.subarray(n); return }
      this.#out.shift()
    }
  }

  #closed(error: Error | undefined): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.eof = true
    if (error) this.error = error
    this.sock = null
    this.wake()
  }

  /** @internal socket events */
  _open(s: Sock<CheckConn>): void {
    if (this.state !== 'connecting') { s.terminate(); return }
    this.sock = s
    this.state = 'open'
    if (this.proxyHeader !== null) this.#out.unshift(this.proxyHeader(s))
    this.#flush()
    this.wake()
  }
  _data(chunk: Buffer): void {
    if (this.full || this.#lingering) return
    const room = this.limit - this.buf.length
    const take = chunk.length > room ? chunk.subarray(0, room) : chunk
    this.buf = this.buf.length === 0 ? take : Buffer.concat([this.buf, take])
    if (this.buf.length >= this.limit) this.full = true
    this.wake()
  }
  _drain(): void { this.#flush() }
  _end(): void { this.eof = true; this.wake() }
  _close(error: Error | undefined): void { this.#lingering = false; this.#closed(error) }
}

const checkHandlers: SockHandlers<CheckConn> = {
  open(s) { s.data._open(s) },
  data(s, chunk) { s.data._data(chunk) },
  drain(s) { s.data._drain() },
  end(s) { s.data._end() },
  close(s, error) { s.data._close(error) },
  error() {},
  connectError(s, error) { s.data._close(error) },
}

/**
 * Whether `host` is an address a TCP connection cannot go to: the limited broadcast
 * 255.255.255.255 and multicast (224.0.0.0/4, ff00::/8). The system refuses to connect to them
 * before sending anything ("Network is unreachable"), but the runtime reports every failed connect
 * as refused, so they are recognised here to report what the system says.
 */
export function notUnicast(host: string): boolean {
  if (host === '255.255.255.255') return true
  const v4 = /^(\d{1,3})\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.exec(host)
  if (v4) { const a = Number(v4[1]); return a >= 224 && a <= 239 }
  return /^\[?ff[0-9a-f]{2}:/i.test(host)
}
