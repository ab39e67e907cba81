/**
 * A frontend's counters (HAProxy's fe_counters), and the counting done once per exchange or
 * session on its frontend, backend and server. What each column of the stats shows is
 * src/stats/columns.ts; this file says when each number moves:
 *
 *   accept                  cumConn, connRate             (tcp-request connection reject: deniedConn)
 *   session starts          cumSess, sessRate, connMax    (Frontend)
 *   balancer / assignment   lbtot, session rate, stot     (backend/backend.ts)
 *   connect / reuse         connects / reuses             (server-side.ts, http/connect.ts)
 *   exchange ends           requests, status classes, denials, errors, aborts, times (here)
 *   session ends            bytes in on the frontend, and out in tcp mode (here; in http mode
 *                           each exchange counts the bytes it sent)
 *
 * Counting is integer increments on fields that exist from the start; the kind of event is read
 * from the exchange's termination state (who ended it, in which phase), which every exchange
 * records anyway.
 */
import { countResponseTime, countTimes, RateCounter, statusClass, type TrafficCounters } from '../backend/counters.ts'
import { now } from '../core/clock.ts'
import { H2Counters } from '../http2/connection.ts'
import type { Stream } from './http/stream.ts'
import type { SrvSide } from './server-side.ts'
import { connectTime, queueTime, type Termination } from './termination.ts'

export class FrontendCounters {
  /** HTTP/2 connections and streams of its clients (HAProxy's h2 stats module). */
  readonly h2 = new H2Counters()
  /** Connections accepted, and those of them that became sessions. */
  cumConn = 0
  cumSess = 0
  /** Highest number of sessions at once. */
  connMax = 0
  bytesIn = 0
  bytesOut = 0
  /** Denied by `tcp-request connection` / `session` rules, by request or response rules. */
  deniedConn = 0
  deniedReq = 0
  deniedResp = 0
  /** Requests that failed: invalid, or the client gave up or timed out before sending it all. */
  failedReq = 0
  /** HTTP requests, responses by class [other, 1xx…5xx], and requests answered by edgelb
   *  itself (redirects, `return`, the stats page, services). */
  reqTot = 0
  readonly rsp: number[] = [0, 0, 0, 0, 0, 0]
  intercepted = 0
  readonly connRate = new RateCounter()
  readonly sessRate = new RateCounter()
  readonly reqRate = new RateCounter()

  /** A connection was accepted. */
  connection(): void {
    this.cumConn++
    this.connRate.add(now())
  }

  /** A session started; `cur` sessions are now alive. */
  session(cur: number): void {
    this.cumSess++
    if (cur > this.connMax) this.connMax = cur
    this.sessRate.add(now())
  }
}

/** A listener's counters (HAProxy's li counters), kept only where the frontend has `option
 *  socket-stats`: the listener rows of the stats. */
export class ListenerCounters {
  /** Connections accepted, sessions started, sessions alive now and the most at once. */
  cumConn = 0
  cumSess = 0
  cur = 0
  connMax = 0
  /** Bytes of its sessions (counted when each session ends). */
  bytesIn = 0
  bytesOut = 0
  /** Connections denied by `tcp-request connection` rules. */
  deniedConn = 0
}

/** What the stats show of one listener (one bound address of a bind line). */
export interface ListenerStats {
  /** Its number in the frontend, from 1, and its name: the bind line's `name`, else `sock-N`. */
  readonly id: number
  readonly name: string
  /** The address as bound (its port once bound, for port 0). */
  addr: string
  readonly counters: ListenerCounters
}

const NORMAL: Termination = Object.freeze({ by: '-', phase: '-' })

/** Counts a `mode http` exchange once it ends (before its backend is left), `fc` being its
 *  frontend's counters and `ta` its active time (ms). */
export function countExchange(fc: FrontendCounters, st: Stream, term: Termination | null, ta: number): void {
  const { by, phase } = term ?? NORMAL
  const hasReq = st.req !== null
  if (hasReq) {
    fc.reqTot++
    fc.reqRate.add(now())
  }
  fc.bytesOut += st.bytesOut
  const cls = st.status >= 0 ? statusClass(st.status) : -1
  if (cls >= 0) fc.rsp[cls]!++
  const be = st.be
  const bc = be === null ? null : be.counters
  const sc = st.server === null ? null : st.server.counters
  if (phase === 'R' || phase === 'T') {
    if (by === 'c' || by === 'C' || (by === 'P' && !hasReq)) fc.failedReq++
    else if (by === 'P') {
      fc.deniedReq++
      if (bc !== null) bc.deniedReq++
    } else if (by === 'L') fc.intercepted++
  }
  if (bc === null) return
  if (hasReq) bc.reqTot++
  if (cls >= 0) bc.rsp[cls]!++
  const answered = st.resHeadAt >= 0
  if (sc !== null) {
    sc.reqTot++
    if (answered && cls >= 0) sc.rsp[cls]!++
  }
  if (phase === 'H' && by === 'P') {
    // A response that rules denied has a parsed head; one without was invalid.
    if (st.res !== null) { fc.deniedResp++; bc.deniedResp++; if (sc !== null) sc.deniedResp++ } else failedResp(bc, sc)
  } else if ((by === 'S' || by === 's') && (phase === 'H' || phase === 'D')) {
    failedResp(bc, sc)
    if (by === 'S' && phase === 'D') aborted(bc, sc, false)
  } else if ((by === 'C' || by === 'c') && (phase === 'H' || phase === 'D' || phase === 'L')) aborted(bc, sc, true)
  if (answered && st.connectEnd >= 0) {
    const r = Math.round(st.resHeadAt - st.sentAt)
    timed(st, bc, sc, r, ta)
    countResponseTime(bc, r)
    if (sc !== null) countResponseTime(sc, r)
  }
}

/** Counts the end of a `mode tcp` session on its backend and server (`tt`: its total time). */
export function countTcpEnd(st: SrvSide, term: Termination | null, tt: number): void {
  const be = st.be
  if (be === null) return
  const bc = be.counters
  const sc = st.server === null ? null : st.server.counters
  const { by, phase } = term ?? NORMAL
  if (phase === 'D') {
    if (by === 'C' || by === 'c') aborted(bc, sc, true)
    else if (by === 'S' || by === 's') aborted(bc, sc, false)
  }
  if (st.connectEnd >= 0) timed(st, bc, sc, 0, tt)
}

function failedResp(bc: TrafficCounters, sc: TrafficCounters | null): void {
  bc.failedResp++
  if (sc !== null) sc.failedResp++
}

function aborted(bc: TrafficCounters, sc: TrafficCounters | null, byClient: boolean): void {
  if (byClient) { bc.cliAborts++; if (sc !== null) sc.cliAborts++ } else { bc.srvAborts++; if (sc !== null) sc.srvAborts++ }
}

function timed(st: SrvSide, bc: TrafficCounters, sc: TrafficCounters | null, r: number, total: number): void {
  const q = Math.max(0, queueTime(st))
  const c = Math.max(0, connectTime(st))
  countTimes(bc, q, c, r, total)
  if (sc !== null) countTimes(sc, q, c, r, total)
}

/** Counts a `mode tcp` session once it has ended: a `tcp-request content` rejection, its bytes
 *  to the client (in http mode each exchange counts its own), and its backend side. */
export function countTcpSession(fc: FrontendCounters, sess: SrvSide & { readonly termination: Termination | null; readonly bytesOut: number; readonly acceptTime: number }): void {
  const t = sess.termination
  if (t !== null && t.by === 'P' && t.phase === 'R') fc.deniedReq++
  fc.bytesOut += sess.bytesOut
  countTcpEnd(sess, t, Math.round(now() - sess.acceptTime))
}
