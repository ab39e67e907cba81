/**
 * A ring's `server` line (and the server of `log tcp@`): a TCP connection to a syslog server that
 * sends every line of the ring once, in order, framed as RFC 6587 says:
 *
 *   octet-count   "<bytes> <line>"      (RFC 6587 3.4.1; `log tcp@`, `log-proto octet-count`)
 *   legacy        "<line>\n"            (non-transparent framing; `log-proto legacy`, the default)
 *
 * States:  idle --wake--> connecting --connect--> up --error/close--> idle (retry after RETRY_MS)
 *                                 \--timeout connect / error--> idle (retry after RETRY_MS)
 * While up, lines are written as they arrive; when the socket's buffer is full, writing stops until
 * it drains (`timeout server` bounds the wait). Lines that arrive while the server is unreachable
 * stay in the ring and go once it is back, unless the ring dropped them first (counted in `lost`).
 * The socket never keeps the process alive (unref). node:net, which Bun and Deno both provide.
 */
import net from 'node:net'
import type { Ring, RingReader } from './ring.ts'

/** Wait before connecting again after a failure. */
export const RETRY_MS = 1000
const DEFAULT_CONNECT_MS = 1000
const DEFAULT_SERVER_MS = 5000

export interface ForwarderSpec {
  host: string
  port: number
  octetCount: boolean
  connectTimeout?: number
  serverTimeout?: number
  /** How the server is named in messages (`ring NAME server S`, `log tcp@…`). */
  label: string
}

export class RingForwarder implements RingReader {
  readonly #ring: Ring
  readonly #spec: ForwarderSpec
  readonly #onError: (message: string) => void
  #sock: net.Socket | null = null
  #up = false
  #blocked = false
  #retry: ReturnType<typeof setTimeout> | undefined
  #closed = false
  #failing = false
  /** The sequence number of the next line to send. */
  #next: number
  /** Lines sent, lines the ring dropped before they could be sent. */
  sent = 0
  lost = 0

  constructor(ring: Ring, spec: ForwarderSpec, onError: (message: string) => void) {
    this.#ring = ring
    this.#spec = spec
    this.#onError = onError
    this.#next = ring.first
    ring.attach(this)
  }

  wake(): void {
    if (this.#closed) return
    if (this.#up) this.#flush()
    else if (this.#sock === null && this.#retry === undefined) this.#connect()
  }

  #connect(): void {
    const { host, port } = this.#spec
    const sock = net.connect({ host, port })
    this.#sock = sock
    sock.unref()
    sock.setNoDelay(true)
    sock.setTimeout(this.#spec.connectTimeout ?? DEFAULT_CONNECT_MS)
    sock.on('connect', () => {
      this.#up = true
      this.#failing = false
      sock.setTimeout(0)
      this.#flush()
    })
    sock.on('drain', () => {
      this.#blocked = false
      sock.setTimeout(0)
      this.#flush()
    })
    sock.on('timeout', () => sock.destroy(new Error(this.#up ? 'timeout server' : 'timeout connect')))
    sock.on('error', (err: Error & { code?: string }) => {
      if (!this.#failing && !this.#closed) this.#onError(`${this.#spec.label} (${host}:${port}): ${err.code ?? err.message}; lines wait in the ring and go once it is back`)
      this.#failing = true
    })
    sock.on('data', () => {})
    sock.on('close', () => {
      if (this.#sock !== sock) return
      this.#sock = null
      this.#up = false
      this.#blocked = false
      if (this.#closed) return
      this.#retry = setTimeout(() => {
        this.#retry = undefined
        if (this.#ring.end > this.#next) this.#connect()
      }, RETRY_MS)
      this.#retry.unref?.()
    })
  }

  #flush(): void {
    const sock = this.#sock
    if (sock === null || this.#blocked) return
    const ring = this.#ring
    if (this.#next < ring.first) {
      this.lost += ring.first - this.#next
      this.#next = ring.first
    }
    const end = ring.end
    while (this.#next < end) {
      const line = ring.at(this.#next++)
      const frame = this.#spec.octetCount ? `${Buffer.byteLength(line)} ${line}` : `${line}\n`
      this.sent++
      if (!sock.write(frame)) {
        this.#blocked = true
        sock.setTimeout(this.#spec.serverTimeout ?? DEFAULT_SERVER_MS)
        return
      }
    }
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    if (this.#retry !== undefined) clearTimeout(this.#retry)
    this.#retry = undefined
    // What was written is sent before the FIN.
    this.#sock?.end()
  }
}
