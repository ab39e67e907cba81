/**
 * Retries after a request was sent (HAProxy's "L7 retries", `retry-on` beyond conn-failure): a
 * server that closed without answering, answered junk, timed out, or answered a status listed in
 * `retry-on`, before any of its response reached the client, gets the request sent again while
 * `retries` remain: to the same server, or to another on `option redispatch`'s turn (as after a
 * failed connection, server-side.ts `retryExchange`).
 *
 * Only a request that can be sent twice without harm is: an idempotent method (RFC 9110 §9.2.2;
 * stricter than HAProxy, which leaves that to the operator), no `disable-l7-retry`, and every
 * body byte sent so far still held, which it is while the body fits in `tune.bufsize`. The
 * kept bytes are the received Buffers themselves, not copies.
 */
import { Head } from '../../http/head.ts'
import type { RetryOn } from '../../model/types.ts'
import type { HttpSession } from '../http-session.ts'
import { retryExchange } from '../server-side.ts'
import type { Stream } from './stream.ts'

/** What went wrong with a sent request: a condition of `retry-on`, or the status answered. */
export type L7Failure = 'empty-response' | 'junk-response' | 'response-timeout' | number

const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE'])

/** Whether `r` retries anything once the request was sent. */
export function retriesAfterSending(r: RetryOn): boolean {
  return r.emptyResponse || r.junkResponse || r.responseTimeout || r.statuses.length > 0
}

/** Whether `retry-on` lists `f`. */
function listed(r: RetryOn, f: L7Failure): boolean {
  switch (f) {
    case 'empty-response': return r.emptyResponse
    case 'junk-response': return r.junkResponse
    case 'response-timeout': return r.responseTimeout
    default: return r.statuses.includes(f)
  }
}

/** Decides once per request whether its body is kept for a retry. */
function decide(st: Stream): 1 | 2 {
  const be = st.be
  if (be === null || be.cfg.mode !== 'http' || st.l7RetryOff || be.cfg.retries === 0 || !retriesAfterSending(be.cfg.retryOn)) return 2
  return st.req !== null && IDEMPOTENT.has(st.req.method) ? 1 : 2
}

/** A request body chunk on its way to the server: kept (by reference) while the request may be
 *  sent again and its body fits in `limit` bytes. */
export function keepForRetry(st: Stream, chunk: Uint8Array, limit: number): void {
  if (st.retryKeep === 0) st.retryKeep = decide(st)
  if (st.retryKeep === 2) return
  st.retryBytes += chunk.length
  if (st.retryBytes > limit) { st.retryKeep = 2; st.retryBody = null; return }
  ;(st.retryBody ??= []).push(chunk)
}

/** Whether the request's body is being kept for a retry (its bytes must then stay as received). */
export function keepsForRetry(st: Stream): boolean {
  if (st.retryKeep === 0) st.retryKeep = decide(st)
  return st.retryKeep === 1
}

/** The request's server failed with `f` before answering: sends the request again when
 *  `retry-on`, `retries` and the request allow it. False: the caller answers as without retry. */
export function retryRequest(sess: HttpSession, st: Stream, f: L7Failure): boolean {
  const be = st.be
  if (be === null || st.resBytes > 0 || st.retriesLeft <= 0 || st.server === null) return false
  if (st.retryKeep === 0) st.retryKeep = decide(st)
  if (st.retryKeep === 2 || !listed(be.cfg.retryOn, f)) return false
  // A status being retried: its head was read and goes no further.
  if (st.res !== null) { Head.recycle(st.res); st.res = null }
  st.status = -1
  st.resHeadAt = -1
  sess.resendRequest(st.retryBody)
  return retryExchange(sess, st)
}
