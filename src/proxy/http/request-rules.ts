/**
 * The request's rule phases: the frontend's (HAProxy's AN_REQ_HTTP_PROCESS_FE: `tcp-request
 * content`, then `http-request`) and, when the backend is another proxy, the backend's
 * (AN_REQ_INSPECT_BE then AN_REQ_HTTP_PROCESS_BE: its `tcp-request content`, then its
 * `http-request`). A proxy without rules costs one test.
 */
import { countHttpRequest } from '../../rules/tracking.ts'
import type { HttpSession } from '../http-session.ts'
import type { Stream } from './stream.ts'
import { followVerdict } from './verdict.ts'

export function frontendRules(sess: HttpSession, st: Stream): boolean {
  const rules = sess.fe.rules
  if (rules === null) return true
  st.sess = sess.view
  countHttpRequest(st)
  if (rules.has.tcpContent && rules.tcpContent(st) === 'reject') { sess.finish('P', 'R'); return false }
  return !rules.has.httpRequest || followVerdict(sess, rules.httpRequest(st), 'R')
}

/** Also finds the backend's rules for the phases after it (`st.beRules`; the frontend's own
 *  when the backend is the same proxy, a `listen`). */
export function backendRules(sess: HttpSession, st: Stream): boolean {
  const fe = sess.fe
  const be = st.be!
  const feRules = fe.rules
  const rules = be.cfg === fe.cfg ? feRules : fe.host.rulesOf(be.name)
  st.beRules = rules
  if (rules === null || rules === feRules) return true
  st.sess = sess.view
  if (rules.has.tcpContent && rules.tcpContent(st) === 'reject') { sess.finish('P', 'R'); return false }
  return !rules.has.httpRequest || followVerdict(sess, rules.httpRequest(st), 'R')
}
