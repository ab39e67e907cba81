/**
 * A TLS handshake that failed on a frontend's listener (a clear-text request, a truncated or
 * garbled ClientHello, a timeout, strict-sni, a refused client certificate): the connection is
 * closed by the runtime, no session was made, and the frontend logs one line as HAProxy logs a
 * connection error (unless `option dontlognull`):
 *
 *   127.0.0.1:40566 [07/Dec/2026:23:05:12.345] fe/:443: SSL handshake failure
 */
import { wallNow } from '../core/clock.ts'
import { LOG_ERR } from '../log/levels.ts'
import { formatLogDate } from '../log/date.ts'
import type { Sock } from '../net/runtime.ts'
import type { ClientSide } from './client-side.ts'
import type { Frontend } from './frontend.ts'
import type { SessionView, StreamView } from '../rules/types.ts'
import type { ListenAddr } from '../model/types.ts'

/** HAProxy's words for the kinds of failure (its connection error strings). */
function failureText(e: Error): string {
  const m = e.message
  if (m.includes('timeout')) return 'Timeout during SSL handshake'
  if (m.startsWith('client certificate refused')) return 'SSL client certificate not trusted'
  return 'SSL handshake failure'
}

export function handshakeFailed(fe: Frontend, s: Sock<unknown>, e: Error): void {
  let addr = ''
  let port = 0
  let local = 0
  try { addr = s.remoteAddress ?? ''; port = s.remotePort ?? 0; local = s.localPort ?? 0 } catch { /* closed meanwhile */ }
  logFailure(fe, e, addr, port, local)
}

/** The same, for a handshake that TLS started after the accept (accept-proxy.ts): the client is
 *  the PROXY header's when one came, as HAProxy logs it; `localPort` is the listener's. */
export function handshakeFailedAfterHeader(fe: Frontend, sess: ClientSide, e: Error, localPort: number): void {
  logFailure(fe, e, sess.cliAddr, sess.cliPort, localPort)
}

function logFailure(fe: Frontend, e: Error, addr: string, port: number, local: number): void {
  fe.handshakeFailures++
  const log = fe.connErrorLog
  if (log === null) return
  const date = wallNow()
  const lf = fe.errorLogFormat
  if (lf !== null) { log.send(LOG_ERR, lf(errorView(fe, addr, port, local, date, failureText(e)))); return }
  log.send(LOG_ERR, `${addr}:${port} [${formatLogDate(date)}] ${fe.name}/${listenerName(fe, local)}: ${failureText(e)}`)
}

/** What `error-log-format` reads of a connection that made no session: its addresses, the
 *  frontend and listener, the date, and why it failed (`fc_err_str`). */
function errorView(fe: Frontend, addr: string, port: number, local: number, date: number, why: string): StreamView {
  const name = listenerName(fe, local)
  const sess: SessionView = { cliAddr: addr, cliPort: port, dstAddr: hostOf(fe.bound.find((b) => b.port === local)?.addr), dstPort: local, feName: fe.name, soName: /^\d+$/.test(name) ? undefined : name, engine: fe.host, vars: new Map(), sc: [] }
  return { sess, req: null, res: null, payload: null, payloadFinal: true, beName: '', srvName: '', vars: new Map(), sc: [], log: { acceptDate: date, connError: why } }
}

function hostOf(a: ListenAddr | undefined): string {
  return a === undefined || typeof a === 'string' || !('host' in a) ? '' : a.host
}

/** The bind's `name`, else its port. */
function listenerName(fe: Frontend, port: number): string {
  const bound = fe.bound.find((b) => b.port === port)
  const bind = bound === undefined ? undefined : fe.cfg.binds.find((b) => b.addrs.includes(bound.addr))
  return bind?.name ?? String(port)
}
