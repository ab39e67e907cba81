/**
 * Syslog over UDP: one datagram per line, from one socket per destination, made when the engine
 * starts and closed when it stops (node:dgram, which Bun and Deno both provide).
 *
 * Sending never waits and never throws into the proxy. The kernel takes datagrams at once, or
 * refuses them; Node-style sockets queue what the kernel could not take, so a writer counts the
 * datagrams handed over and not yet done, and beyond MAX_IN_FLIGHT drops new lines, as HAProxy
 * drops a line on EAGAIN. Send errors (an ICMP "port unreachable" reported by a later send) are
 * counted and otherwise ignored. A host name is resolved once, at start; one that does not resolve
 * is said once (`onError`) and its lines are dropped from then on, not each resolved again.
 */
import dgram from 'node:dgram'
import { lookup } from 'node:dns'
import { frameBytes } from './frame.ts'
import type { LogWriter } from './types.ts'

/** Datagrams handed to the socket and not yet sent, beyond which lines are dropped. */
export const MAX_IN_FLIGHT = 512

export class UdpWriter implements LogWriter {
  readonly #sock: dgram.Socket
  /** An address once known (a host name is resolved once, at start; until then dgram resolves it). */
  #host: string
  readonly #port: number
  #inFlight = 0
  #closed = false
  /** The host name did not resolve: lines are dropped. */
  #unresolved = false
  readonly #sent: (err: Error | null) => void
  /** Datagrams the kernel took, lines dropped (too many in flight, or closed), send errors. */
  sent = 0
  dropped = 0
  errors = 0

  /** `onError` hears, once, why the destination cannot be sent to (a host name that does not
   *  resolve), as one line for the operator. */
  constructor(dest: { family: 0 | 4 | 6; host: string; port: number }, onError: (message: string) => void = () => {}) {
    this.#host = dest.host
    this.#port = dest.port
    this.#sock = dgram.createSocket(dest.family === 6 ? 'udp6' : 'udp4')
    this.#sock.on('error', () => { this.errors++ })
    // Logging must not keep the process alive on its own.
    this.#sock.unref()
    this.#sent = (err) => {
      if (err) this.errors++
      else this.sent++
      if (--this.#inFlight === 0 && this.#closed) this.#closeSocket()
    }
    if (dest.family === 0) {
      lookup(dest.host, { family: 4 }, (err, address) => {
        if (!err) { this.#host = address; return }
        this.errors++
        if (this.#closed) return
        this.#unresolved = true
        onError(`syslog server ${dest.host}:${dest.port}: cannot resolve '${dest.host}' (${err.code ?? err.message}); its log lines are dropped`)
      })
    }
  }

  write(line: string, maxLen: number): void {
    if (this.#closed || this.#unresolved || this.#inFlight >= MAX_IN_FLIGHT) {
      this.dropped++
      return
    }
    this.#inFlight++
    try {
      this.#sock.send(frameBytes(line, maxLen), this.#port, this.#host, this.#sent)
    } catch {
      this.#inFlight--
      this.errors++
    }
  }

  /** Stops taking lines; the socket closes once the datagrams in flight are sent. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    if (this.#inFlight === 0) this.#closeSocket()
  }

  #closeSocket(): void {
    try {
      this.#sock.close()
    } catch {
      // already closed
    }
  }
}
