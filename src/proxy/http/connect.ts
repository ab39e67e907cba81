/**
 * The connect phase of a request, and the server connections kept between requests
 * (`http-reuse`):
 *
 *   connect: `stick store-request` for the server, then the session's idle connection when it
 *     is to that server, else (http-reuse safe after the first request, aggressive, always) one
 *     from the server's pool, else a new one (server-side.ts `openServer`)
 *   after a complete exchange: kept by the session for its next request; when the client closes,
 *     to the server's pool (http-reuse not never), else closed
 */
import { now } from '../../core/clock.ts'
import type { HttpSession } from '../http-session.ts'
import { openServer } from '../server-side.ts'
import { poolIdle, takePooled, type SrvConn } from '../srv-conn.ts'
import { stickStoreRequest } from './persistence.ts'
import type { Stream } from './stream.ts'

/** Sends the request over an idle connection to the chosen server, or a new one. */
export function connectRequest(sess: HttpSession, st: Stream): void {
  const server = st.server
  st.connectStart = now()
  if (server) {
    st.srvName = server.name
    stickStoreRequest(st, server)
  }
  const reuse = st.be!.cfg.httpReuse
  let c: SrvConn | null = null
  const idle = sess.srvIdle
  if (server && idle && idle.server === server && idle.state === 'idle' && sameProxyHeader(sess, idle) && (server.sniConstant || idle.sni === server.sni!(st))) {
    c = idle
    sess.srvIdle = null
  } else if (server && server.sniConstant && reuse !== 'never' && (reuse !== 'safe' || sess.requests > 0)) {
    // safe: a first request goes on a connection of its own; later ones (and every request
    // with aggressive or always) may take one another session left idle.
    c = takePooled(server) ?? null
  }
  if (sess.srvIdle) { releaseIdle(sess.srvIdle); sess.srvIdle = null }
  if (c) {
    st.be!.counters.reuses++
    server!.counters.reuses++
    c.take(sess)
    sess.srv = c
    sess.onSrvOpen(c)
    return
  }
  sess.ss = 'connecting'
  const opened = openServer(sess, st)
  // A connection that began with a PROXY header speaks for its client only, and one opened with
  // an SNI of this request's own would carry it to another request's name: neither is shared.
  opened.shareable = reuse !== 'never' && opened.ppHeader === null && (server === null || server.sniConstant)
  sess.resched()
}

/** A server that takes a PROXY header gets a connection whose header is this request's own (the
 *  same client, and, with `proxy-v2-options unique-id`, the same unique id), as HAProxy reuses
 *  only a connection whose header hashes the same. */
function sameProxyHeader(sess: HttpSession, c: SrvConn): boolean {
  const flags = c.server?.cfg.sendProxy
  if (flags === undefined) return true
  const want = sess.proxyHeaderFor(flags)
  const had = c.ppHeader
  return had !== null && had.length === want.length && Buffer.compare(had, want) === 0
}

/** A connection whose exchange ended cleanly: kept for the session's next request, or, when
 *  the client closes after this one, released. */
export function keepIdle(sess: HttpSession, c: SrvConn): void {
  if (sess.cs === 'closing' || sess.st.cliClose) { releaseIdle(c); return }
  c.park()
  sess.srvIdle = c
}

/** An idle connection its session no longer wants: to the shared pool, or closed. */
export function releaseIdle(c: SrvConn): void {
  if (!c.shareable || !c.server) c.close()
  else poolIdle(c)
}
