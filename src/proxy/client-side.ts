/**
 * What every session has on its client side, whatever its mode: the accepted socket, when it
 * was accepted, the client's address (read once), pausing its reads, its place in a wait queue,
 * and the view rules read of it. `TcpSession` and `HttpSession` extend it.
 */
import type { Waiter, WaitQueue } from '../backend/queue.ts'
import { now, wallNow } from '../core/clock.ts'
import type { Sock } from '../net/runtime.ts'
import type { Frontend } from './frontend.ts'
import { SessView } from './rules-view.ts'

export abstract class ClientSide {
  // Waiter links (backend/queue.ts); `grant()` is the subclass's.
  queuedAt = 0
  _qPrev: Waiter | null = null
  _qNext: Waiter | null = null
  _queue: WaitQueue | null = null

  readonly fe: Frontend
  readonly cli: Sock<ClientSide>
  /** Monotonic ms and wall-clock ms of the accept. */
  readonly acceptTime: number
  readonly acceptDate: number
  /** The client's address and port, read on first use (each read is a system call, and most
   *  sessions need it only for the log line). Unreadable once the socket is closed: a frontend
   *  that logs reads it at accept. */
  #cliAddr: string | undefined
  #cliPort = 0
  /** Reading is paused (by us): resume only what was paused, each call is a system call. */
  #cliPaused = false
  #view: SessView | null = null

  constructor(fe: Frontend, cli: Sock<ClientSide>) {
    this.fe = fe
    this.cli = cli
    this.acceptTime = now()
    this.acceptDate = wallNow()
  }

  get cliAddr(): string {
    if (this.#cliAddr === undefined) {
      this.#cliAddr = this.cli.remoteAddress ?? ''
      this.#cliPort = this.cli.remotePort ?? 0
    }
    return this.#cliAddr
  }

  get cliPort(): number {
    void this.cliAddr
    return this.#cliPort
  }

  /** `set-src`/`set-src-port` (rules): the client address the rules, forwardfor and the log see. */
  setCliAddr(addr: string | undefined, port: number | undefined): void {
    void this.cliAddr
    if (addr !== undefined) this.#cliAddr = addr
    if (port !== undefined) this.#cliPort = port
  }

  /** The address and port the client connected to, as rules left them (`set-dst`). */
  get dstAddr(): string {
    return this.#view?.dstAddr ?? this.cli.localAddress ?? ''
  }
  get dstPort(): number {
    return this.#view?.dstPort ?? this.cli.localPort ?? 0
  }

  pauseCli(): void {
    if (this.#cliPaused) return
    this.#cliPaused = true
    this.cli.pause()
  }

  protected resumeCli(): void {
    if (!this.#cliPaused) return
    this.#cliPaused = false
    this.cli.resume()
  }

  /** The name of the `bind` line that accepted this connection (`so_name`), if it has one. */
  soName: string | undefined = undefined

  /** What rules read of this connection; made on first use. */
  get view(): SessView {
    return (this.#view ??= new SessView(this, this.fe.name, this.fe.host))
  }

  /** The view, if rules ever made it (at the end, what it tracked must be released). */
  protected get madeView(): SessView | null {
    return this.#view
  }

  abstract grant(server: import('../backend/server.ts').Server): void
}
