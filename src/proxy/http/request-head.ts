/**
 * The request phases that read and edit the head itself, without rules: `waitRequest` (what is
 * taken of a head as it arrives: captures, and monitor-uri, answered here and never forwarded)
 * and `serverHeaders` (the connection mode of both sides, and the headers the server gets).
 */
import { addForwardedFor, addOriginalTo } from '../../http/forwarded.ts'
import type { HttpSession } from '../http-session.ts'
import { captured, countConnection, pathOf, setConnection } from './headers.ts'
import type { Stream } from './stream.ts'

/** HAProxy's AN_REQ_WAIT_HTTP, once the head is parsed: `capture request header`, and
 *  `monitor-uri`, which edgelb answers 200 itself: a monitor-uri starting with `/` is compared
 *  with the request's path (an absolute-form URI's too), any other with the URI as written. */
export function waitRequest(sess: HttpSession, st: Stream): boolean {
  const fe = sess.fe
  const req = st.req!
  const captures = fe.http!.captures.request
  if (captures.length > 0) st.reqCaptures = captured(captures, req)
  const mon = fe.cfg.monitorUri
  if (mon !== undefined && (mon.charCodeAt(0) === 0x2f ? pathOf(req.uri) === mon : req.uri === mon)) {
    sess.answer(200, '-', '-', undefined, true)
    return false
  }
  return true
}

/** HAProxy's AN_REQ_HTTP_INNER: whether each side closes after this exchange (httpclose,
 *  http-server-close, the client's own Connection and version), whether it upgrades, then
 *  X-Forwarded-For, X-Original-To, `TE` and the Connection header the server is sent. */
export function serverHeaders(sess: HttpSession, st: Stream): boolean {
  const req = st.req!
  const fcfg = sess.fe.cfg
  const bcfg = st.be!.cfg
  // `option http-restrict-req-hdr-names` (the backend's): names with other characters than
  // letters, digits and '-' (`X-my_hdr`, which servers may read as `X-my-hdr`) are dropped, or
  // the request is refused with 403.
  const restrict = bcfg.restrictReqHdrNames
  if (restrict === 'delete' || restrict === 'reject') {
    const h = req.headers
    for (let i = h.count - 1; i >= 0; i--) {
      if (/^[A-Za-z0-9-]+$/.test(h.name(i))) continue
      if (restrict === 'reject') { sess.answer(403, 'P', 'R', undefined, true); return false }
      h.removeAt(i)
    }
  }
  const httpclose = fcfg.options['httpclose'] === true || bcfg.options['httpclose'] === true
  const serverClose = httpclose || fcfg.options['http-server-close'] === true || bcfg.options['http-server-close'] === true
  st.cliClose = req.connClose || req.mustClose || httpclose || (req.version === 10 && !req.connKeepAlive)
  // A client that closes after this request (Connection: close, HTTP/1.0) has its request sent
  // with its own close to the server as well: the server then closes after its answer, which
  // spares the active close, and the idle connection only a later session could have used.
  st.srvClose = serverClose || req.mustClose || (st.cliClose && bcfg.httpReuse !== 'always')
  st.upgrade = req.connUpgrade && req.headers.find('upgrade', 0) >= 0

  teTrailersOnly(req)
  const be = st.be!
  const ff = be.forwardFor ?? sess.fe.http!.forwardFor
  if (ff) addForwardedFor(ff, req, sess.cliAddr)
  const ot = be.originalTo ?? sess.fe.http!.originalTo
  if (ot) addOriginalTo(ot, req, sess.dstAddr)
  // `unique-id-header` (the frontend's), with the id of `unique-id-format`, as HAProxy adds it.
  const uidHeader = fcfg.uniqueIdHeader
  if (uidHeader !== undefined && sess.fe.uniqueIdFormat !== null) req.headers.add(uidHeader, sess.uniqueId())
  if (st.upgrade) {
    // Connection: upgrade goes through as it came.
  } else if (st.srvClose) {
    if (!(req.version === 10 && !req.connKeepAlive) && !(req.connClose && countConnection(req) === 1)) setConnection(req, 'close')
  }
  return true
}

/** `TE` is for the next hop only (RFC 9110 §10.1.4): as HAProxy does, what the server is sent
 *  keeps `trailers` alone (when the client named it, without parameters), and nothing else. */
export function teTrailersOnly(req: NonNullable<Stream['req']>): void {
  const h = req.headers
  for (let i = h.find('te', 0); i >= 0; i = h.find('te', i)) {
    const v = h.value(i)
    const at = v.indexOf('trailers')
    if (at < 0 || (v.length > at + 8 && v.charCodeAt(at + 8) !== 0x2c)) { h.removeAt(i); continue }
    if (v !== 'trailers') h.setValue(i, 'trailers')
    i++
  }
}
