/**
 * What every kind of check shares. A kind (tcp.ts, http.ts, smtp.ts, …) is compiled once from the
 * configuration; each run drives connections through a CheckRun and returns an outcome. The
 * scheduler (scheduler.ts) decides when to run, bounds the run in time, and hands the outcome to
 * the state machine (state.ts).
 */
import type { Server } from '../backend/server.ts'
import type { SourcePos } from '../model/source.ts'
import type { CheckConn } from './conn.ts'
import type { CheckOutcome, CheckStatus } from './status.ts'

/** A check kind, compiled from a backend's options. */
export interface CheckKind {
  /** `tcp`, `http`, `ssl-hello`, `tcp-check`, `smtp`, `redis`, `mysql`, `pgsql`, `ldap`, `agent`. */
  readonly name: string
  /** One check. Ends by returning an outcome or throwing CheckEnd; any other error is reported as
   *  a socket error. Outcomes are read, never changed, so a kind may return a constant one. */
  run(t: CheckRun): Promise<CheckOutcome>
}

/** Where a connection of a check goes instead of the check address, and how: none given is the
 *  check's own connection; a script's `connect` step gives its words (even none). */
export interface ConnectOptions {
  port?: number
  addr?: string
  /** `default`: the server's connection settings (its PROXY header) apply to this step. */
  default?: boolean
  /** `send-proxy`: this step sends a PROXY header. */
  sendProxy?: boolean
  /** `linger`: the connection is closed with FIN rather than RST at the end. */
  linger?: boolean
}

/** What a running check may do. Every wait ends at the check's deadline. */
export interface CheckRun {
  /** Connects to the check address (the server's, or `addr`/`port` on the server line), or to
   *  `port`/`addr` given here (a `tcp-check connect` step). Throws CheckEnd(L4CON) when refused,
   *  CheckEnd(L4TOUT) at the deadline. */
  connect(options?: ConnectOptions): Promise<CheckConn>
  /** Waits for bytes until `test` decides. `test(buf, last)` returns an outcome to end the check,
   *  `true` to go on with the script, or `false` for more bytes; `last` is set when no more can
   *  come (FIN, close, buffer full). At the deadline, throws CheckEnd(`timeoutStatus`). */
  expect(conn: CheckConn, test: (buf: Buffer, last: boolean) => CheckOutcome | boolean, timeoutStatus?: CheckStatus): Promise<void>
  /** Buffer size for answers (tune.bufsize). */
  readonly bufsize: number
  /** The server checked, and its backend's name (HTTP checks read its state). */
  readonly server: Server
  readonly backendName: string
  /** `fn` runs when the check's deadline passes (a check that waits on no connection, such as
   *  an external program, learns of it so). */
  onExpire(fn: () => void): void
}

/** Thrown by a check to end it with an outcome. */
export class CheckEnd extends Error {
  readonly outcome: CheckOutcome
  constructor(outcome: CheckOutcome) {
    super(outcome.status)
    this.outcome = outcome
  }
}

/** A check setting that cannot work, found when the checks are compiled (engine start): the
 *  message names the file and line, as config diagnostics do. */
export class CheckConfigError extends Error {
  readonly pos: SourcePos
  /** The message without its position (`edgelb check` prints it as a diagnostic). */
  readonly reason: string
  constructor(reason: string, pos: SourcePos) {
    super(`${pos.line > 0 ? `${pos.file}:${pos.line}` : pos.file}: error: ${reason}`)
    this.name = 'CheckConfigError'
    this.pos = pos
    this.reason = reason
  }
}

/** connect() options of the checks HAProxy closes cleanly (its `connect default linger`). */
export const LINGER = { linger: true } as const
