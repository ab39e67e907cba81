/**
 * Persistence: which server a request sticks to, and what is stored for the next ones.
 *
 *   request:  persistence (ignore-persist / force-persist, the cookie, use-server, stick match)
 *             -> st.persisted, preferred by the assignment
 *   connect:  stickStoreRequest (`stick store-request`, `stick on`), once the server is known
 *   response: stickStore (`stick store-response`), then persistCookie (the cookie the client is
 *             given: inserted, rewritten or prefixed; `nocache` marks it private)
 */
import type { Server } from '../../backend/server.ts'
import { isCacheable, requestCookie, responseCookie } from '../../http/persist.ts'
import type { HttpSession } from '../http-session.ts'
import type { Stream } from './stream.ts'

/** HAProxy's AN_REQ_SRV_RULES and AN_REQ_STICKING_RULES: the cookie the client presented (removed
 *  or unprefixed on its way to the server), else use-server, else a stick table match. */
export function persistence(_sess: HttpSession, st: Stream): boolean {
  const be = st.be!
  const bcfg = be.cfg
  const rules = st.beRules
  const ignore = rules?.has.persist === true && rules.ignorePersist(st)
  const force = rules?.has.persist === true && rules.forcePersist(st)
  const ck = bcfg.cookie
  if (ck && !ignore) {
    const p = requestCookie(ck, be.servers, st.req!, bcfg.options['persist'] === true || force)
    st.reqCookie = p.flag
    st.persisted = p.server
  }
  if (rules !== null && !st.persisted) {
    const named = (rules.has.useServer ? rules.useServer(st) : undefined) ?? (rules.has.stick && !ignore ? rules.stickMatch(st) : undefined)
    const s = named === undefined ? undefined : be.findServer(named)
    if (s && (s.usable || force || bcfg.options['persist'] === true)) st.persisted = s
  }
  return true
}

/** `stick store-request`: run on each connection to a server (a retry to another one stores
 *  that one). */
export function stickStoreRequest(st: Stream, server: Server): void {
  const r = st.beRules
  if (r !== null && r.has.stick) r.stickStoreRequest(st, { id: server.puid, name: server.name })
}

/** HAProxy's AN_RES_STORE_RULES: `stick store-response`, after the response rules. */
export function stickStore(_sess: HttpSession, st: Stream): boolean {
  const r = st.beRules
  if (r?.has.stick && st.server) r.stickStoreResponse(st, { id: st.server.puid, name: st.server.name })
  return true
}

/** The persistence cookie of a final response, and its flag for the log. */
export function persistCookie(st: Stream): void {
  const ck = st.be!.cfg.cookie
  if (!ck) return
  const req = st.req!
  const res = st.res!
  st.resCookie = responseCookie(ck, st.server, st.reqCookie, st.persisted, req.method, res)
  if (st.resCookie === 'I' && ck.nocache && isCacheable(req.method, req, res)) res.headers.add('Cache-Control', 'private')
}
