/**
 * Syslog over a unix datagram socket (`log /dev/log local0`, `log unix@/path`, `log abns@name`):
 * one datagram per line, header and message and a line feed, as HAProxy sends them.
 *
 * The socket comes from the runtime (net/, injected as `open`: the engine passes the runtime's
 * opener, so this layer names no runtime). Opening is asynchronous (the C library is loaded once,
 * in well under a millisecond); the first lines wait for it, up to MAX_PENDING. Sending never
 * waits: a datagram the receiver has no room for (EAGAIN) is dropped and counted, as HAProxy drops
 * it; any other failure (ENOENT: no syslog daemon; ECONNREFUSED: nobody reads the socket) is
 * counted and said once per kind of failure, on the error stream.
 */
import { frameBytes } from './frame.ts'
import type { LogWriter, OpenUnixDgram, UnixDgramSender } from './types.ts'

/** Lines kept while the socket opens. */
const MAX_PENDING = 64

export class UnixDgramWriter implements LogWriter {
  readonly #path: string
  readonly #onError: (message: string) => void
  #sock: UnixDgramSender | null = null
  #pending: Buffer[] | null = []
  #closed = false
  readonly #said = new Set<string>()
  /** Datagrams the kernel took; lines dropped (receiver full, not open yet, closed); other send errors. */
  sent = 0
  dropped = 0
  errors = 0

  constructor(path: string, open: OpenUnixDgram, onError: (message: string) => void) {
    this.#path = path
    this.#onError = onError
    open(path).then(
      (sock) => {
        if (this.#closed) { sock.close(); return }
        this.#sock = sock
        const pending = this.#pending ?? []
        this.#pending = null
        for (const b of pending) this.#send(b)
      },
      (err: Error) => {
        this.#pending = null
        this.errors++
        this.#say('open', `log ${path}: ${err.message}; its log lines are dropped`)
      },
    )
  }

  write(line: string, maxLen: number): void {
    if (this.#closed) { this.dropped++; return }
    const sock = this.#sock
    if (sock === null) {
      const pending = this.#pending
      if (pending === null || pending.length >= MAX_PENDING) this.dropped++
      else pending.push(frameBytes(line, maxLen))
      return
    }
    this.#send(frameBytes(line, maxLen))
  }

  #send(b: Buffer): void {
    const err = this.#sock!.send(b)
    if (err === undefined) { this.sent++; return }
    if (err === 'EAGAIN' || err === 'EWOULDBLOCK' || err === 'ENOBUFS') { this.dropped++; return }
    this.errors++
    this.#say(err, `log ${this.#path}: cannot send (${err}); lines are dropped while it lasts`)
  }

  #say(kind: string, message: string): void {
    if (this.#said.has(kind)) return
    this.#said.add(kind)
    this.#onError(message)
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#pending = null
    this.#sock?.close()
    this.#sock = null
  }
}
