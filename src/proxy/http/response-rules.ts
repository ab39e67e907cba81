/**
 * The response's rule phases: the backend's `tcp-response content` (HAProxy's AN_RES_INSPECT,
 * on the response head as received), `http-response` (AN_RES_HTTP_PROCESS_BE, the backend's
 * rules then the frontend's), and `http-after-response`, which also sees the answers edgelb
 * writes itself (error pages, deny, return).
 */
import { countHttpResponse } from '../../rules/tracking.ts'
import type { HttpSession } from '../http-session.ts'
import type { Stream } from './stream.ts'
import { followVerdict } from './verdict.ts'

export function responseRules(sess: HttpSession, st: Stream): boolean {
  const beRules = st.beRules
  const feRules = sess.fe.rules
  if (beRules === null && feRules === null) return true
  if (beRules?.has.tcpResponse && beRules.tcpResponse(st) === 'reject') { sess.dropResponse(); sess.finish('P', 'H'); return false }
  countHttpResponse(st, st.status)
  if (beRules?.has.httpResponse && !followVerdict(sess, beRules.httpResponse(st), 'H')) return false
  if (feRules !== null && feRules !== beRules && feRules.has.httpResponse && !followVerdict(sess, feRules.httpResponse(st), 'H')) return false
  return true
}

/** `http-after-response`: rewrites of every response, the backend's rules then the frontend's. */
export function afterResponse(sess: HttpSession, st: Stream): boolean {
  const beRules = st.beRules
  const feRules = sess.fe.rules
  if (beRules?.has.httpAfterResponse) beRules.httpAfterResponse(st)
  if (feRules !== null && feRules !== beRules && feRules.has.httpAfterResponse) feRules.httpAfterResponse(st)
  return true
}

/** An answer of edgelb's own, passed through `http-after-response` when some rule wants it:
 *  parsed back into a head the rules can edit, then written anew. */
export function afterOwnResponse(sess: HttpSession, st: Stream, page: Uint8Array): Uint8Array {
  const feRules = sess.fe.rules
  if (!(st.beRules?.has.httpAfterResponse || feRules?.has.httpAfterResponse)) return page
  // A request that could not be read (400, 408, 414, 431…) never became a stream in HAProxy:
  // no rule sees its answer.
  if (st.req === null) return page
  const r = sess.fe.http!.responseParser().parse(page, page.length)
  if (r.kind !== 'done') return page
  st.sess = sess.view
  st.res = r.head
  afterResponse(sess, st)
  return r.head.changed ? Buffer.concat([r.head.encode(), page.subarray(r.head.size)]) : page
}
