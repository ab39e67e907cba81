/**
 * Requests edgelb answers itself (proxy/applet.ts): the stats page, checked after each proxy's
 * `http-request` rules as HAProxy checks it (a request the rules deny never reaches the page),
 * and the services of `use-service`. The applet's reply is sent whole, then the connection closes
 * (LR in the log, counted as intercepted). An applet may answer later (a promise): the session
 * waits, and drops the reply if the client left meanwhile.
 */
import { reasonOf } from '../../http/errors.ts'
import type { ProxyConfig } from '../../model/types.ts'
import type { Applet, AppletReply, AppletRequest } from '../applet.ts'
import type { HttpSession } from '../http-session.ts'
import type { Stream } from './stream.ts'

/** The stats page of the frontend, after its rules (HAProxy's AN_REQ_HTTP_PROCESS_FE). */
export function frontendStats(sess: HttpSession, st: Stream): boolean {
  const p = sess.fe.cfg
  return p.stats === undefined || !takeStats(sess, st, p)
}

/** The stats page of the backend, after its own rules, when it is another proxy. */
export function backendStats(sess: HttpSession, st: Stream): boolean {
  const p = st.be!.cfg
  return p === sess.fe.cfg || p.stats === undefined || !takeStats(sess, st, p)
}

/** The URI as the stats check compares it: from the path on (an absolute URI loses its scheme
 *  and authority). */
function pathAndQuery(uri: string): string {
  if (uri.startsWith('/')) return uri
  const scheme = uri.indexOf('://')
  if (scheme < 0) return uri
  const slash = uri.indexOf('/', scheme + 3)
  return slash < 0 ? '/' : uri.slice(slash)
}

/** Whether the request is for `p`'s stats page (GET, HEAD or POST on a URI that begins with the
 *  page's); if so, the page answers it. */
function takeStats(sess: HttpSession, st: Stream, p: ProxyConfig): boolean {
  const req = st.req!
  const m = req.method
  if (m !== 'GET' && m !== 'HEAD' && m !== 'POST') return false
  const prefix = p.stats!.uri
  if (!(prefix.startsWith('/') ? pathAndQuery(req.uri) : req.uri).startsWith(prefix)) return false
  const applet = sess.fe.host.applets?.stats(p) ?? null
  if (applet === null) return false
  // The page's own rules, on this request: `stats http-request`, and `stats admin if COND`.
  const rules = sess.fe.host.rulesOf(p.name)
  runApplet(sess, st, applet, p, rules === null ? { statsAdmin: false } : { statsVerdict: rules.statsRequest(st), statsAdmin: rules.statsAdmin(st) })
  return true
}

/** Whether `req` is a POST to the stats page of `p` (its body is then awaited: the admin form). */
export function isStatsPost(p: ProxyConfig, req: { method: string; uri: string }): boolean {
  if (req.method !== 'POST' || p.stats === undefined) return false
  const prefix = p.stats.uri
  return (prefix.startsWith('/') ? pathAndQuery(req.uri) : req.uri).startsWith(prefix)
}

/** Hands the request to `applet` and answers with its reply. */
export function runApplet(sess: HttpSession, st: Stream, applet: Applet, p: ProxyConfig, stats: Pick<AppletRequest, 'statsVerdict' | 'statsAdmin'> = {}): void {
  const req = st.req!
  let reply: AppletReply | Promise<AppletReply>
  try {
    reply = applet({ method: req.method, uri: req.uri, header: (n) => req.headers.get(n), proxy: p, clientAddr: sess.cliAddr, body: st.reqBody ?? null, ...stats })
  } catch {
    sess.answer(500, 'I', 'R')
    return
  }
  if (!(reply instanceof Promise)) { deliver(sess, st, reply); return }
  reply.then((r) => deliver(sess, st, r), () => { if (sess.cs !== 'closed' && sess.st === st) sess.answer(500, 'I', 'R') })
}

function deliver(sess: HttpSession, st: Stream, r: AppletReply): void {
  if (sess.cs === 'closed' || sess.st !== st) return
  let head = `HTTP/1.1 ${r.status} ${reasonOf(r.status)}\r\n`
  for (const [k, v] of r.headers) head += `${k}: ${v}\r\n`
  head += `content-length: ${r.body.length}\r\nconnection: close\r\n\r\n`
  const h = Buffer.from(head, 'latin1')
  sess.answer(r.status, 'L', 'R', st.req!.method === 'HEAD' ? h : Buffer.concat([h, r.body]))
}
