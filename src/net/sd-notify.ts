/**
 * Telling the service manager how edgelb is doing, as sd_notify(3) does: one datagram of
 * `KEY=VALUE` lines to the socket NOTIFY_SOCKET names.
 *
 *   start ── READY=1 (every listener up) ──▶ serving ── RELOADING=1 + MONOTONIC_USEC ──▶ reloading
 *     serving ◀── READY=1 (new or old configuration serving; STATUS= says which) ──┘
 *     serving ── STOPPING=1 (soft stop, stop) ──▶ gone
 *   STATUS=… with each of these, for `systemctl status`; WATCHDOG=1 every half WATCHDOG_USEC while
 *   the event loop turns; MAINPID= with READY=1 when another process takes over (binary upgrade).
 *
 * Without NOTIFY_SOCKET every call does nothing. The variables are removed from the environment
 * once read: the programs edgelb starts are not the service.
 */
import { openNotifySocket as runtimeOpen, runtimeName, type NotifySocket } from './runtime.ts'

export interface NotifierSetup {
  notifier: ServiceNotifier
  /** Set when NOTIFY_SOCKET is set but cannot be used: edgelb must not start (systemd would wait
   *  for a READY=1 that never comes, then kill it). */
  error?: string
}

export class ServiceNotifier {
  readonly #sock: NotifySocket | null
  /** What the environment said (a successor is given the same: binary upgrade). */
  socketPath: string | undefined
  watchdogUsec: string | undefined
  readonly #onError: (line: string) => void
  #failed = false
  #closed = false
  #watchdog: ReturnType<typeof setInterval> | undefined
  /** Every message sent, in order (tests; a handful per start, reload and stop). */
  readonly sent: string[] = []

  private constructor(sock: NotifySocket | null, onError: (line: string) => void) {
    this.#sock = sock
    this.#onError = onError
  }

  /** A notifier that does nothing (no service manager). */
  static none(): ServiceNotifier {
    return new ServiceNotifier(null, () => {})
  }

  /** Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from `env` (then removes them) and opens
   *  the socket. `onError` hears the first message that could not be sent. */
  static async fromEnv(env: Record<string, string | undefined>, pid: number, onError: (line: string) => void, open: ((path: string) => Promise<NotifySocket>) | null = runtimeOpen ?? null): Promise<NotifierSetup> {
    const path = env.NOTIFY_SOCKET
    const usec = env.WATCHDOG_USEC
    const forPid = env.WATCHDOG_PID
    for (const k of ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID']) delete env[k]
    if (path === undefined || path === '') return { notifier: ServiceNotifier.none() }
    if (!path.startsWith('/') && !path.startsWith('@')) {
      return { notifier: ServiceNotifier.none(), error: `NOTIFY_SOCKET=${path}: edgelb sends to unix sockets only (a path, or @name); use Type=simple or a systemd that gives a unix socket` }
    }
    if (open === null) {
      return { notifier: ServiceNotifier.none(), error: `NOTIFY_SOCKET is set, and edgelb under ${runtimeName} cannot send to it (no unix datagram sockets): run the edgelb executable (Bun), or use Type=simple in the unit` }
    }
    let sock: NotifySocket
    try {
      sock = await open(path)
    } catch (e) {
      return { notifier: ServiceNotifier.none(), error: (e as Error).message }
    }
    const n = new ServiceNotifier(sock, onError)
    n.socketPath = path
    if (usec !== undefined && /^\d+$/.test(usec) && Number(usec) > 0 && (forPid === undefined || Number(forPid) === pid)) {
      // Half the period, as sd_watchdog_enabled(3) advises; driven by the event loop, so a loop
      // that stops turning stops the pings and systemd restarts edgelb.
      n.watchdogUsec = usec
      n.#watchdog = setInterval(() => n.#send('WATCHDOG=1'), Math.max(1, Number(usec) / 2000))
      ;(n.#watchdog as { unref?(): void }).unref?.()
    }
    return { notifier: n }
  }

  /** Whether a service manager listens. */
  get active(): boolean {
    return this.#sock !== null
  }

  /** Every listener is up (at start, and after a reload, good or bad). */
  ready(status: string): void {
    this.#send(`READY=1\nSTATUS=${oneLine(status)}`)
  }

  status(status: string): void {
    this.#send(`STATUS=${oneLine(status)}`)
  }

  /** A reload starts: systemd's `Type=notify-reload` wants the monotonic time with it. */
  reloading(status: string): void {
    if (this.#sock === null) return
    this.#send(`RELOADING=1\nMONOTONIC_USEC=${this.#sock.monotonicUsec()}\nSTATUS=${oneLine(status)}`)
  }

  stopping(status: string): void {
    this.#send(`STOPPING=1\nSTATUS=${oneLine(status)}`)
  }

  /** Another process is the service from now on (binary upgrade), and it serves. */
  handOver(pid: number, status: string): void {
    this.#send(`MAINPID=${pid}\nREADY=1\nSTATUS=${oneLine(status)}`)
  }

  /** Nothing is sent from now on (stopped, or another process is the service). */
  close(): void {
    this.#closed = true
    if (this.#watchdog !== undefined) clearInterval(this.#watchdog)
    this.#watchdog = undefined
    this.#sock?.close()
  }

  #send(message: string): void {
    if (this.#sock === null || this.#closed) return
    this.sent.push(message)
    const err = this.#sock.send(message)
    if (err !== undefined && !this.#failed) {
      this.#failed = true
      this.#onError(`cannot notify the service manager (NOTIFY_SOCKET): ${err}; further failures are not reported`)
    }
  }
}

/** STATUS= is one line. */
function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ')
}
