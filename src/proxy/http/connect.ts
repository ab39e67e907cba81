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
import type { Server } from '../../backend/server.ts'
import { isAnyHost } from '../../model/address.ts'
import type { HttpSession } from '../http-session.ts'
import { connectTarget, openServer } from '../server-side.ts'
import type { ConnectTarget } from '../../net/runtime.ts'
import { poolIdle, pooledCount, takePooled, type SrvConn } from '../srv-conn.ts'
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
  const be = st.be!
  const reuse = be.cfg.httpReuse
  let c: SrvConn | null = null
  const idle = sess.srvIdle
  // Without a server (dispatch, option transparent), or to a server without an address or a port
  // of its own (the client's destination, or `set-dst`'s), a connection is known by where it
  // goes: one to another address or port is not reused.
  const byTarget = server === null || mapsTarget(server)
  const target = byTarget ? targetKey(connectTarget(sess, st)) : ''
  // The session's own idle connection: to the same server, or to the same address; with this
  // request's PROXY header and SNI.
  if (idle && idle.state === 'idle' && idle.server === server && (!byTarget || targets.get(idle) === target) && sameProxyHeader(sess, idle) && (server === null || server.sniConstant || idle.sni === server.sni!(st))) {
    c = idle
    sess.srvIdle = null
  } else if (server && server.sniConstant && reuse !== 'never' && (reuse !== 'safe' || sess.requests > 0)) {
    // safe: a first request goes on a connection of its own; later ones (and every request
    // with always) may take one another session left idle; aggressive lets a first request
    // take only a connection that carried more than one request already (HAProxy's proof that
    // the server keeps connections alive).
    c = takePooled(server, reuse === 'aggressive' && sess.requests === 0 ? 1 : 0, byTarget ? (p) => targets.get(p) === target : undefined) ?? null
  }
  if (sess.srvIdle) { releaseIdle(sess.srvIdle); sess.srvIdle = null }
  if (c) {
    st.be!.counters.reuses++
    if (server !== null) server.counters.reuses++
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
  if (byTarget) targets.set(opened, target)
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

/** A server whose address or port comes from the client's connection (no address, no port, or
 *  `+N`/`-N`). */
function mapsTarget(server: Server): boolean {
  const a = server.cfg.addr
  return a.path === undefined && (a.port === undefined || isAnyHost(a.host))
}

/** Where each connection without a server, or to a server that maps ports, goes (`targetKey`). */
const targets = new WeakMap<SrvConn, string>()

function targetKey(t: ConnectTarget): string {
  return 'path' in t ? t.path : `${t.host}:${t.port}:${t.localAddress ?? ''}`
}

/** A connection whose exchange ended cleanly: kept for the session's next request, or, when
 *  the client closes after this one, released. */
export function keepIdle(sess: HttpSession, c: SrvConn): void {
  if (sess.cs === 'closing' || sess.st.cliClose) { releaseIdle(c); return }
  // `pool-max-conn` bounds the server's idle connections: beyond it (in the pool already), closed.
  const max = c.server?.cfg.poolMaxConn
  if (max !== undefined && max >= 0 && pooledCount(c.server!) >= max) { c.close(); return }
  c.park()
  sess.srvIdle = c
}

/** An idle connection its session no longer wants: to the shared pool, or closed. One the
 *  server closed meanwhile (it went idle, then got the server's FIN) is forgotten: put back in
 *  the pool, a later request would be written to a dead socket and wait for `timeout server`. */
export function releaseIdle(c: SrvConn): void {
  if (c.state === 'closed') return
  if (!c.shareable || !c.server) c.close()
  else poolIdle(c)
}
