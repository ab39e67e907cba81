/**
 * What a rule set decided, acted on: on the request (phase R) or on the response (phase H, where
 * the server's answer is dropped and edgelb's replaces it).
 *
 *   continue -> the exchange goes on       deny   -> the status page (or the rule's reply): PR/PH
 *   reply    -> the rule's answer: LR/LH   reject -> closed without an answer: PR/PH
 *   tarpit   -> request: held for `timeout tarpit`, then answered as deny (PT); response: as deny
 *   service  -> the service answers (applets.ts): LR
 *
 * An answer keeps the client connection open for its next request when it can (HAProxy 2.x:
 * HttpSession.answer says when).
 */
import type { HttpVerdict } from '../../rules/types.ts'
import type { HttpSession } from '../http-session.ts'
import { runApplet } from './applets.ts'

/** True when the exchange goes on; false when edgelb answered (or closed) itself. */
export function followVerdict(sess: HttpSession, v: HttpVerdict, phase: 'R' | 'H'): boolean {
  if (v.kind === 'continue') return true
  if (phase === 'H') sess.dropResponse()
  switch (v.kind) {
    case 'deny': sess.answer(v.status, 'P', phase, v.reply, true); break
    case 'reply': sess.answer(v.reply.status, 'L', phase, v.reply, true); break
    case 'reject': sess.finish('P', phase); break
    case 'tarpit':
      if (phase === 'R') sess.startTarpit(v.status, v.reply)
      else sess.answer(v.status, 'P', phase, v.reply, true)
      break
    case 'service': {
      const applet = sess.fe.host.applets?.service(v.name) ?? null
      if (applet === null) sess.answer(503, 'I', phase)
      else runApplet(sess, sess.st, applet, sess.st.be?.cfg ?? sess.fe.cfg)
      break
    }
  }
  return false
}
