/**
 * What the client is sent of a final response head, once its rules ran and its framing is known:
 * `capture response header`, the persistence cookie, and the Connection header its own
 * connection needs.
 */
import type { HttpSession } from '../http-session.ts'
import { captured, countConnection, setConnection } from './headers.ts'
import { persistCookie } from './persistence.ts'
import type { Stream } from './stream.ts'

export function responseHeaders(sess: HttpSession, st: Stream): boolean {
  const req = st.req!
  const res = st.res!
  const captures = sess.fe.http!.captures.response
  if (captures.length > 0) st.resCaptures = captured(captures, res)
  persistCookie(st)
  if (st.cliClose) {
    if (req.version === 11 || req.connKeepAlive) {
      if (!(res.connClose && countConnection(res) === 1 && res.version === 11)) setConnection(res, 'close')
    }
  } else if (req.version === 10) {
    if (!res.connKeepAlive) setConnection(res, 'keep-alive')
  } else if (res.connClose || res.version === 10) {
    setConnection(res, res.version === 10 ? 'keep-alive' : null)
  }
  return true
}
