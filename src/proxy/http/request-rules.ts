/**
 * The request's rule phases: the frontend's (HAProxy's AN_REQ_HTTP_PROCESS_FE: `tcp-request
 * content`, then `http-request`) and, when the backend is another proxy, the backend's
 * (AN_REQ_INSPECT_BE then AN_REQ_HTTP_PROCESS_BE: its `tcp-request content`, then its
 * `http-request`). A proxy without rules costs one test. After each proxy's rules, its stats page
 * (`stats enable`) answers a request for it, as HAProxy checks it there.
 */
import { countHttpRequest } from '../../rules/tracking.ts'
import type { HttpSession } from '../http-session.ts'
import { statsPage } from './stats-page.ts'
import type { Stream } from './stream.ts'
import { followVerdict } from './verdict.ts'

export function frontendRules(sess: HttpSession, st: Stream): boolean {
  const rules = sess.fe.rules
  if (rules !== null) {
    st.sess = sess.view
    countHttpRequest(st)
    if (rules.has.tcpContent && rules.tcpContent(st) === 'reject') { sess.finish('P', 'R'); return false }
    if (rules.has.httpRequest && !followVerdict(sess, rules.httpRequest(st), 'R')) return false
  }
  return statsPage(sess, st, sess.fe.cfg)
}

/** Also finds the backend's rules for the phases after it (`st.beRules`; the frontend's own
 *  when the backend is the same proxy, a `listen`). */
export function backendRules(sess: HttpSession, st: Stream): boolean {
  const fe = sess.fe
  const be = st.be!
  const feRules = fe.rules
  const rules = be.cfg === fe.cfg ? feRules : fe.host.rulesOf(be.name)
  st.beRules = rules
  if (be.cfg === fe.cfg) return true
  if (rules !== null) {
    st.sess = sess.view
    if (rules.has.tcpContent && rules.tcpContent(st) === 'reject') { sess.finish('P', 'R'); return false }
    if (rules.has.httpRequest && !followVerdict(sess, rules.httpRequest(st), 'R')) return false
  }
  return statsPage(sess, st, be.cfg)
}
