/**
 * Tracked counters (`track-sc0/1/2`): which entries a session or a stream tracks, and the
 * counting the sessions report to them. HAProxy's semantics:
 *
 *  - tracking an entry counts a connection on it (conn_cnt, conn_cur, conn_rate); at the
 *    connection or session phase also a session (sess_cnt, sess_rate); from `http-request` also
 *    the current request (http_req_cnt, http_req_rate);
 *  - a slot already tracked is not replaced (the first `track-scN` that runs wins);
 *  - each later request of the session counts on the entries the session tracks
 *    (`countHttpRequest`), a 4xx response other than 401/407 counts an error;
 *  - an entry is released when its stream or session ends: conn_cur decreases, and the entry is
 *    touched (its expiry restarts from its last use).
 *
 * Session entry points: `countHttpRequest`, `countHttpResponse`, `countBytes`, `streamEnd`,
 * `sessionEnd`. Each costs a check of three slots when nothing is tracked.
 */
import type { StickEntry } from './stick-table.ts'
import type { SessionView, StreamView } from './types.ts'

export type TrackPhase = 'connection' | 'content' | 'http-request' | 'http-response'

/** Tracks `e` in `slots[i]` unless the slot is taken; returns whether it did. */
export function trackEntry(slots: (StickEntry | undefined)[], i: number, e: StickEntry, phase: TrackPhase): boolean {
  if (slots[i] !== undefined) return false
  slots[i] = e
  e.refs++
  const t = e.table
  t.inc(e, 'conn_cnt', 'conn_rate')
  t.inc(e, 'conn_cur', null)
  if (phase === 'connection') t.inc(e, 'sess_cnt', 'sess_rate')
  else if (phase === 'http-request') t.inc(e, 'http_req_cnt', 'http_req_rate')
  return true
}

/** The entry counter N reads: the stream's, else the session's. */
export function trackedAt(s: StreamView, i: number): StickEntry | undefined {
  return s.sc[i] ?? s.sess.sc[i]
}

/** A new request on a session: counts it on the entries the session already tracks. */
export function countHttpRequest(s: StreamView): void {
  const sc = s.sess.sc
  for (let i = 0; i < sc.length; i++) {
    const e = sc[i]
    if (e !== undefined) e.table.inc(e, 'http_req_cnt', 'http_req_rate')
  }
}

/** A response status (from the server or edgelb): 4xx other than 401 and 407 count as errors on
 *  every tracked entry. */
export function countHttpResponse(s: StreamView, status: number): void {
  // http_fail: a server's failure (5xx but 501 and 505), as HAProxy counts it.
  if (status >= 500 && status !== 501 && status !== 505) { forEachTracked(s, (e) => e.table.inc(e, 'http_fail_cnt', 'http_fail_rate')); return }
  if (status < 400 || status > 499 || status === 401 || status === 407) return
  forEachTracked(s, (e) => e.table.inc(e, 'http_err_cnt', 'http_err_rate'))
}

/** Bytes received from the client (`bytesIn`) and sent to it (`bytesOut`) since the last call. */
export function countBytes(s: StreamView, bytesIn: number, bytesOut: number): void {
  forEachTracked(s, (e) => {
    if (bytesIn > 0) e.table.inc(e, 'bytes_in_cnt', 'bytes_in_rate', bytesIn)
    if (bytesOut > 0) e.table.inc(e, 'bytes_out_cnt', 'bytes_out_rate', bytesOut)
  })
}

/** Releases what the stream tracked. */
export function streamEnd(s: StreamView): void {
  release(s.sc)
}

/** Releases what the session tracked. */
export function sessionEnd(sess: SessionView): void {
  release(sess.sc)
}

function release(slots: (StickEntry | undefined)[]): void {
  for (let i = 0; i < slots.length; i++) {
    const e = slots[i]
    if (e === undefined) continue
    slots[i] = undefined
    const t = e.table
    const cur = t.read(e, 'conn_cur')
    if (cur !== undefined && cur > 0) t.setCounter(e, 'conn_cur', cur - 1)
    t.touch(e)
    e.refs--
  }
}

function forEachTracked(s: StreamView, fn: (e: StickEntry) => void): void {
  const a = s.sc
  const b = s.sess.sc
  for (let i = 0; i < a.length; i++) if (a[i] !== undefined) fn(a[i]!)
  for (let i = 0; i < b.length; i++) {
    const e = b[i]
    if (e !== undefined && !a.includes(e)) fn(e)
  }
}
