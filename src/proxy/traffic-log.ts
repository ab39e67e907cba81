/**
 * Traffic log lines: one per `mode tcp` session when it ends (`logSession`), one per `mode http`
 * request when it ends (`logRequest`). Both fill the one `LogRecord`, which tcplog and httplog
 * format and log-format reads as the stream's LogFields; the level is HAProxy's (`ended in
 * error` for `option log-separate-errors` and `dontlog-normal`, `set-log-level`).
 */
import type { Backend } from '../backend/backend.ts'
import { now } from '../core/clock.ts'
import { LOG_INFO } from '../log/levels.ts'
import { formatHttpLog, type HttpLogFields } from '../log/httplog.ts'
import { formatTcpLog, type TcpLogFields } from '../log/tcplog.ts'
import { versionText } from '../rules/http-sample.ts'
import type { LogFields } from '../rules/types.ts'
import type { ClientSide } from './client-side.ts'
import type { Stream } from './http/stream.ts'
import type { HttpSession } from './http-session.ts'
import type { SrvSide } from './server-side.ts'
import type { TcpSession } from './tcp-session.ts'
import { uniqueIdOf } from './unique-id.ts'
import { connectTime, endedInError, formatTermination, queueTime, type Termination } from './termination.ts'

/** What a traffic line says of a session or a request (-1: a phase never reached). */
export class LogRecord implements TcpLogFields, HttpLogFields {
  clientAddr = ''
  clientPort = 0
  /** The accept's wall-clock date, and the request's (the accept's for a first request). */
  acceptDate = 0
  requestDate = 0
  frontend = ''
  /** `<NOBACKEND>`, `<NOSRV>` and `<dispatch>` where there is no name. */
  backend = ''
  server = ''
  /** TR (request head received), Tw, Tc, Tr (response head), Ta (request active), Tt (session). */
  tr = -1
  tw = -1
  tc = -1
  trs = -1
  ta = -1
  tt = -1
  status = -1
  bytesIn = 0
  bytesOut = 0
  /** The termination state, and (http) with the persistence cookie flags after it. */
  termination = '--'
  tsc = '----'
  actconn = 0
  feconn = 0
  beconn = 0
  srvConn = 0
  retries = 0
  redispatched = false
  srvQueue = 0
  beQueue = 0
  /** Captured headers, null when none are configured. */
  reqCaptures: readonly string[] | null = null
  resCaptures: readonly string[] | null = null
  /** The request line, or `<BADREQ>`. */
  request = ''
}

/** The one record, refilled for each line: lines are formatted at once and nothing keeps it. */
const rec = new LogRecord()

const NO_CAPTURES: string[] = Object.freeze([]) as unknown as string[]

interface LoggedSession extends ClientSide {
  readonly termination: Termination | null
}

/** Fills what every line says: who, where to, the server-side times, the counts at this moment. */
function gather(sess: LoggedSession, x: SrvSide, be: Backend | null, t: number): LogRecord {
  const fe = sess.fe
  const server = x.server
  rec.clientAddr = sess.cliAddr
  rec.clientPort = sess.cliPort
  // tcplog and httplog print %ft: the name, with a '~' when the client spoke TLS to it.
  rec.frontend = sess.cliTls !== null ? `${fe.name}~` : fe.name
  rec.backend = be?.name ?? '<NOBACKEND>'
  rec.server = server?.name ?? (be?.dispatch && x.connectStart >= 0 ? '<dispatch>' : '<NOSRV>')
  rec.tw = queueTime(x)
  rec.tc = connectTime(x)
  rec.tt = Math.round(t - sess.acceptTime)
  rec.termination = sess.termination === null ? '--' : formatTermination(sess.termination)
  rec.actconn = fe.host.actconn
  rec.feconn = fe.cur
  rec.beconn = be?.beconn ?? 0
  rec.srvConn = server?.cur ?? 0
  rec.retries = x.retries
  rec.redispatched = x.redispatched
  rec.srvQueue = server?.queue.total ?? 0
  rec.beQueue = be?.queue.total ?? 0
  return rec
}

/** The record as log-format's tags read it; `http` says which of them a line of that mode has
 *  (the others stay undefined and print as `-`). */
function logFields(r: LogRecord, http: boolean): LogFields {
  return {
    acceptDate: http ? r.requestDate : r.acceptDate,
    tq: http ? r.tr : undefined,
    tw: r.tw,
    tc: r.tc,
    tr: http ? r.trs : undefined,
    ta: http ? r.ta : undefined,
    tt: r.tt,
    bytesOut: r.bytesOut,
    bytesIn: http ? undefined : r.bytesIn,
    status: http ? r.status : undefined,
    termState: http ? r.tsc : r.termination,
    actconn: r.actconn,
    feconn: r.feconn,
    beconn: r.beconn,
    srvconn: r.srvConn,
    retries: r.retries,
    srvQueue: r.srvQueue,
    beQueue: r.beQueue,
    reqCaptures: http ? (r.reqCaptures as string[] | null) ?? NO_CAPTURES : undefined,
    resCaptures: http ? (r.resCaptures as string[] | null) ?? NO_CAPTURES : undefined,
    requestLine: http ? r.request : undefined,
  }
}

/** The line of a `mode tcp` session, once it has ended (it counts itself nowhere any more). */
/** HAProxy's line for a connection a frontend accepts when it logs (`log` lines) without a log
 *  format (no tcplog, httplog or log-format): `Connect from SRC:PORT to DST:PORT (FE/MODE)`, at
 *  level info, once the connection's addresses are known (after a PROXY header). */
export function logConnect(sess: ClientSide, fe: { name: string; http: unknown }, log: { send(level: number, line: string): void }): void {
  const mode = fe.http !== null ? 'HTTP' : 'TCP'
  const src = sess.cliAddr
  const line = src === '' || src.startsWith('unix') || src.startsWith('/')
    ? `Connect to unix:1 (${fe.name}/${mode})`
    : `Connect from ${hostPort(src, sess.cliPort)} to ${hostPort(sess.dstAddr, sess.dstPort)} (${fe.name}/${mode})`
  log.send(LOG_INFO, line)
}

function hostPort(addr: string, port: number): string {
  return `${addr.includes(':') ? `[${addr}]` : addr}:${port}`
}

export function logSession(sess: TcpSession): void {
  const fe = sess.fe
  const log = fe.trafficLog
  if (log === null) return
  if (fe.cfg.options['dontlognull'] && sess.bytesIn === 0 && sess.bytesOut === 0) return
  const level = log.trafficLevel(endedInError(sess.termination, sess.retries), sess.logLevel)
  if (level < 0) return
  const r = gather(sess, sess, sess.be, now())
  r.acceptDate = r.requestDate = sess.acceptDate
  r.bytesIn = sess.bytesIn
  r.bytesOut = sess.bytesOut
  if (fe.logFormat !== null) {
    const st = sess.logStream()
    st.log = logFields(r, false)
    if (fe.uniqueIdFormat !== null) st.log.uniqueId = uniqueIdOf(fe, st)
    log.send(level, fe.logFormat(st))
    return
  }
  log.send(level, formatTcpLog(r))
}

/** The line of a `mode http` request, when it ends (answered, or cut short); and the end of its
 *  trace, when it has one. */
export function logRequest(sess: HttpSession, st: Stream): void {
  const fe = sess.fe
  const trace = st.trace
  if (trace !== null) {
    st.trace = null
    const t = now()
    trace.end(requestRecord(sess, st, t), t)
  }
  const log = fe.trafficLog
  if (log === null) return
  const level = log.trafficLevel(endedInError(sess.termination, st.retries) || st.status >= 500, st.logLevel)
  if (level < 0) return
  const be = st.be ?? fe.backend
  const r = requestRecord(sess, st, now())
  if (fe.logFormat !== null) {
    st.sess = sess.view
    st.beName = be?.name ?? ''
    st.log = logFields(r, true)
    if (fe.uniqueIdFormat !== null) st.log.uniqueId = uniqueIdOf(fe, st)
    log.send(level, fe.logFormat(st))
    return
  }
  const line = formatHttpLog(r)
  log.send(level, fe.cfg.options['httpslog'] ? line + httpsFields(sess) : line)
}

/** The record of a `mode http` request ending at monotonic ms `t`. */
function requestRecord(sess: HttpSession, st: Stream, t: number): LogRecord {
  const fe = sess.fe
  const be = st.be ?? fe.backend
  const r = gather(sess, st, be, t)
  r.acceptDate = sess.acceptDate
  r.requestDate = st.date
  r.tr = st.headAt < 0 ? -1 : Math.round(st.headAt - Math.max(st.start, 0))
  r.trs = st.resHeadAt < 0 || st.sentAt < 0 ? -1 : Math.round(st.resHeadAt - st.sentAt)
  r.ta = Math.round(t - (st.start < 0 ? t : st.start))
  r.status = st.status
  r.bytesIn = 0
  r.bytesOut = st.bytesOut
  // HAProxy logs a request once it has left its backend and server: its own counts are not in
  // %bc and %sc (a lone request logs 1/1/0/0/0), those of other requests are.
  if (st.be !== null && r.beconn > 0) r.beconn--
  if (st.holdsSlot && r.srvConn > 0) r.srvConn--
  const cookieOn = !!be?.cfg.cookie
  r.tsc = r.termination + (cookieOn ? st.reqCookie : '-') + (cookieOn ? st.resCookie : '-')
  const captures = fe.http!.captures
  r.reqCaptures = captures.request.length > 0 ? st.reqCaptures ?? NO_CAPTURES : null
  r.resCaptures = captures.response.length > 0 ? st.resCaptures ?? NO_CAPTURES : null
  const req = st.req
  r.request = req ? `${req.method} ${req.uri} HTTP/${versionText(req)}` : '<BADREQ>'
  return r
}

/** What `option httpslog` adds to the httplog line, as HAProxy's format has it:
 *  ` %[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/%[ssl_fc_is_resumed] %[ssl_fc_sni]/%sslv/%sslc` */
function httpsFields(sess: HttpSession): string {
  const t = sess.cliTls
  if (t === null) return ' 0/-/-/-/0 -/-/-'
  return ` 0/0/${t.verifyResult}/0/${t.resumed ? 1 : 0} ${t.sni ?? '-'}/${t.protocol}/${t.cipher}`
}
