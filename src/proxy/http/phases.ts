/**
 * The phases of an HTTP exchange, in order, as HAProxy's analysers and Pingora's hooks name
 * theirs. A phase takes the session and the stream and returns true when the exchange goes on,
 * false when it was answered or closed (the phases after it are skipped). The session
 * (http-session.ts) owns the sockets, buffers and deadlines; the messages (request-message.ts,
 * response-message.ts) read the heads and bodies and call the phases:
 *
 *   request head parsed                request-message.ts
 *     requestPhases: waitRequest -> frontendRules -> frontendStats -> switching -> backendRules
 *                    -> backendStats -> persistence -> serverHeaders -> compressionRequest
 *   the request body starts forwarding request-message.ts
 *   assign                             server-side.ts: a server, a queue, or 503
 *   connectRequest                     connect.ts: stick store-request; an idle connection or
 *                                      a new one
 *   response head parsed               response-message.ts (1xx forwarded, 101 tunnels)
 *     responsePhases: responseRules -> stickStore -> afterResponse
 *   the response framing               response-message.ts (whether the client stays open)
 *     responseHeaders                  captures, persistence cookie, Connection
 *     compressionResponse              compression.ts (then the body goes through it)
 *   the response body                  response-message.ts
 *   log                                traffic-log.ts: logRequest, when the exchange ends
 */
import type { HttpSession } from '../http-session.ts'
import { backendStats, frontendStats } from './applets.ts'
import { compressionRequest } from './compression.ts'
import { persistence, stickStore } from './persistence.ts'
import { serverHeaders, waitRequest } from './request-head.ts'
import { backendRules, frontendRules } from './request-rules.ts'
import { afterResponse, responseRules } from './response-rules.ts'
import type { Stream } from './stream.ts'
import { switching } from './switching.ts'

export { responseHeaders } from './response-head.ts'

/** From a parsed request head to a request ready for a server. */
export function requestPhases(sess: HttpSession, st: Stream): boolean {
  return waitRequest(sess, st) &&
    frontendRules(sess, st) &&
    frontendStats(sess, st) &&
    switching(sess, st) &&
    backendRules(sess, st) &&
    backendStats(sess, st) &&
    persistence(sess, st) &&
    serverHeaders(sess, st) &&
    compressionRequest(sess, st)
}

/** From a parsed final response head (`st.res`) to a response whose framing may be decided. */
export function responsePhases(sess: HttpSession, st: Stream): boolean {
  return responseRules(sess, st) &&
    stickStore(sess, st) &&
    afterResponse(sess, st)
}
