/**
 * Whether a request head that arrived without all of its body waits for it before its phases run:
 * `option http-buffer-request` (the whole body, when it fits in a buffer, within `timeout
 * http-request`), or the frontend's `http-request wait-for-body time T [at-least N]` (until the
 * body, N bytes of it or a buffer's worth has arrived, at most T from when the head was complete,
 * whose condition holds on the head). The session's 408 on its client deadline ends a wait that
 * runs out. Only bodies with a Content-Length are waited for.
 */
import { now } from '../../core/clock.ts'
import type { H1Head } from '../../http/types.ts'
import { PASS } from '../../rules/acl.ts'
import type { HttpSession } from '../http-session.ts'

/** `have`: body bytes received with the head so far. */
export function waitsForBody(sess: HttpSession, head: H1Head, have: number): boolean {
  if (head.framing !== 'length' || head.contentLength <= have) return false
  const bufsize = sess.fe.http!.bufsize
  if (sess.fe.cfg.options['http-buffer-request'] === true && head.contentLength <= bufsize) return true
  const w = sess.fe.rules?.waitForBody
  if (w === undefined || w === null) return false
  if ((w.atLeast > 0 && have >= w.atLeast) || have >= bufsize) return false
  const st = sess.st
  if (w.cond !== undefined) {
    st.sess = sess.view
    st.req = head
    const r = w.cond(st)
    st.req = null
    if (r !== PASS) return false
  }
  if (st.bodyWaitUntil < 0) {
    st.bodyWaitUntil = now() + w.time
    if (st.bodyWaitUntil < sess.cliExp) { sess.cliExp = st.bodyWaitUntil; sess.resched() }
  }
  return true
}
