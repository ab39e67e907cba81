/**
 * Content switching (HAProxy's AN_REQ_SWITCHING_RULES): the backend a request goes to, by the
 * frontend's `use_backend` rules, else its default; the request then enters that backend.
 */
import type { HttpSession } from '../http-session.ts'
import { enterBackend } from '../server-side.ts'
import type { Stream } from './stream.ts'

/** No backend at all (none named, or a dynamic name that matches none): 503, SC. */
export function switching(sess: HttpSession, st: Stream): boolean {
  const fe = sess.fe
  let be = fe.backend
  const rules = fe.rules
  if (rules !== null && rules.has.switching) {
    const name = rules.selectBackend(st)
    if (name !== undefined) be = fe.host.backendNamed(name) ?? null
  }
  if (!be) { sess.answer(503, 'S', 'C', undefined, true); return false }
  enterBackend(st, be)
  st.beName = be.name
  return true
}
