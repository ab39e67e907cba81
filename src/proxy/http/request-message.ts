/**
 * The request message as the session reads it (HAProxy's http_wait_for_request and
 * http_request_forward_body): client bytes kept until a head parses, the head's framing, its
 * phases (phases.ts), then its body forwarded as received, split at its end so that what follows
 * waits as the next request.
 *
 *   wait-req --head--> req-body --body ended (at once when bodyless)--> req-done
 *      \--bad head: 400/414/422/431 (PR)       \--chunked framing lost: 400 PD, or closed PD
 */
import { now, wallNow } from '../../core/clock.ts'
import { createChunkedScanner } from '../../http/chunked.ts'
import type { H1Head } from '../../http/types.ts'
import { missingWebSocketKey } from '../../http/websocket.ts'
import type { HttpSession } from '../http-session.ts'
import { assignServer } from '../server-side.ts'
import { requestPhases } from './phases.ts'
import { requestTimeout } from './timeouts.ts'

/** Keeps client bytes not yet processed (a head being received, or pipelined requests). */
export function appendInput(sess: HttpSession, chunk: Uint8Array): void {
  const cur = sess.cliIn
  sess.cliIn = cur === null || cur.length === 0 ? chunk : Buffer.concat([cur, chunk])
}

/** The first byte of a request after the first: `timeout http-request` runs from now. */
export function beginRequestClock(sess: HttpSession): void {
  const st = sess.st
  // The exchange before may have ended with edgelb's answer on a connection kept open.
  sess.termination = null
  st.start = now()
  st.date = wallNow()
  const t = requestTimeout(sess.fe.cfg.timeouts)
  sess.cliExp = t === undefined ? Infinity : st.start + t
  sess.resched()
}

/** Parses what the client sent so far; a complete head starts the request. */
export function parseRequest(sess: HttpSession): void {
  const buf = sess.cliIn
  if (buf === null || buf.length === 0) return
  const http = sess.fe.http!
  const parser = (sess.reqParser ??= http.takeRequestParser())
  const r = parser.parse(buf, buf.length)
  if (r.kind === 'need-more') return
  sess.reqParser = null
  http.giveRequestParser(parser)
  if (r.kind === 'error') {
    sess.cliIn = null
    sess.st.headAt = now()
    sess.answer(r.status, 'P', 'R')
    return
  }
  const head = r.head
  // `option http-buffer-request`: the rules wait for the whole body, when it fits in a buffer
  // (HAProxy's wait for the request body); the head is read again once it is in.
  if (head.framing === 'length' && head.contentLength > buf.length - head.size && head.contentLength <= http.bufsize &&
    sess.fe.cfg.options['http-buffer-request'] === true) return
  sess.cliIn = head.size < buf.length ? buf.subarray(head.size) : null
  onRequest(sess, head)
}

/** A request head arrived: its framing, its phases, then its body and a server. */
function onRequest(sess: HttpSession, req: H1Head): void {
  const st = sess.st
  // The HTTP/1.1 form of an HTTP/2 request: its version is the client's.
  if (sess.h2Stream) req.version = 20
  st.req = req
  st.firstReq = sess.requests === 0
  st.cliHead = req.method === 'HEAD'
  st.headAt = now()
  if (st.start < 0) { st.start = st.headAt; st.date = wallNow() }
  sess.cliExp = Infinity
  sess.cs = 'req-body'
  st.reqFraming = req.framing
  st.reqRemain = req.framing === 'length' ? req.contentLength : 0
  // What of the body came with the head (all of it with http-buffer-request): `req.body`.
  const early = sess.cliIn
  st.reqBody = early === null || req.framing !== 'length' ? null : early.subarray(0, Math.min(early.length, req.contentLength))
  if (req.framing === 'chunked') (sess.reqChunks ??= createChunkedScanner()).reset()
  // A WebSocket upgrade without its key is refused before any rule, as HAProxy's parser does.
  if (missingWebSocketKey(req) !== undefined) { sess.answer(400, 'P', 'R'); return }

  if (!requestPhases(sess, st)) return

  if (st.reqFraming === 'none' || (st.reqFraming === 'length' && st.reqRemain === 0)) requestEnded(sess)
  else if (sess.cliIn !== null) {
    const pending = sess.cliIn
    sess.cliIn = null
    requestBody(sess, pending)
  }
  // Answered already (a framing error in the body that came with the head)?
  const cs = sess.cs as HttpSession['cs']
  if (cs === 'closed' || cs === 'closing') return
  assignServer(sess, st, undefined)
}

/** Body bytes of the current request: forwarded; what follows its end waits as the next request. */
export function requestBody(sess: HttpSession, chunk: Uint8Array): void {
  const st = sess.st
  let n: number
  if (st.reqFraming === 'length') {
    n = Math.min(st.reqRemain, chunk.length)
    st.reqRemain -= n
  } else if (st.reqFraming === 'chunked') {
    n = sess.reqChunks!.scan(chunk, 0, chunk.length)
    if (n < 0) {
      // The framing is lost: nothing after this can be trusted.
      if (st.sentAt < 0) { sess.answer(400, 'P', 'D'); return }
      sess.finish('P', 'D')
      return
    }
  } else n = 0
  if (n > 0) sess.toServer(n === chunk.length ? chunk : chunk.subarray(0, n))
  const ended = st.reqFraming === 'length' ? st.reqRemain === 0 : sess.reqChunks!.done
  if (ended) {
    if (n < chunk.length) appendInput(sess, chunk.subarray(n))
    requestEnded(sess)
  } else sess.refreshCli()
}

function requestEnded(sess: HttpSession): void {
  const st = sess.st
  st.reqDone = true
  if (sess.cs === 'req-body') sess.cs = 'req-done'
  sess.refreshCli()
  if (st.resDone) sess.streamEnded()
}
