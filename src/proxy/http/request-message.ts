/**
 * The request message as the session reads it (HAProxy's http_wait_for_request and
 * http_request_forward_body): client bytes kept until a head parses, the head's framing, its
 * phases (phases.ts), then its body forwarded as received, split at its end so that what follows
 * waits as the next request.
 *
 *   wait-req --head--> req-body --body ended (at once when bodyless)--> req-done
 *      \--bad head: 400/414/422/431 (PR)       \--chunked framing lost: 400 PD, or closed PD
 *
 * A chunked body goes on re-encoded (http/chunked.ts): every line is checked before anything of
 * it is forwarded, and the server sees sizes in hex, CRLFs, no extensions.
 */
import { Buffer } from 'node:buffer'
import { captureError } from '../error-capture.ts'
import { isStatsPost } from './applets.ts'
import { now, wallNow } from '../../core/clock.ts'
import { createChunkedScanner } from '../../http/chunked.ts'
import type { H1Head } from '../../http/types.ts'
import { missingWebSocketKey } from '../../http/websocket.ts'
import type { HttpSession } from '../http-session.ts'
import { assignServer } from '../server-side.ts'
import { waitsForBody } from './body-wait.ts'
import { compressRequestChunk, compressRequestEnd } from './compression.ts'
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
    captureError(sess.fe, { kind: 'request', backend: null, server: null, src: `${sess.cliAddr}:${sess.cliPort}`, pos: r.pos, buf })
    sess.cliIn = null
    sess.st.headAt = now()
    sess.answer(r.status, 'P', 'R')
    return
  }
  const head = r.head
  // `option http-buffer-request`, `http-request wait-for-body` (body-wait.ts): the rules wait for
  // the body; the head is read again once more of it is in. A POST to the stats page's admin
  // form waits for its body the same way.
  if (waitsForBody(sess, head, buf.length - head.size)) return
  if (head.framing === 'length' && head.contentLength > buf.length - head.size && head.contentLength <= http.bufsize && isStatsPost(sess.fe.cfg, head)) return
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
  // A chunked body reaches the server re-encoded canonically (chunked.ts), each line checked first.
  if (req.framing === 'chunked') (sess.reqChunks ??= createChunkedScanner()).reset('canonical')
  // A WebSocket upgrade without its key is refused before any rule, as HAProxy's parser does.
  if (missingWebSocketKey(req) !== undefined) { sess.answer(400, 'P', 'R'); return }
  const tracer = sess.fe.tracer
  if (tracer !== null) st.trace = tracer.begin(req, st.start)

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
    if (n > 0) {
      const part = n === chunk.length ? chunk : chunk.subarray(0, n)
      if (st.reqXform !== null) compressRequestChunk(sess, st, part) // compression.ts
      else sess.toServer(part)
    }
  } else if (st.reqFraming === 'chunked') {
    const sc = sess.reqChunks!
    n = sc.scan(chunk, 0, chunk.length)
    if (n < 0) {
      // The framing is lost: nothing after this can be trusted, and nothing of it went on; the
      // server connection is closed (answer drops it), the client told while it can be.
      if (st.resBytes === 0) { sess.answer(400, 'P', 'D'); return }
      sess.finish('P', 'D')
      return
    }
    // Compressed toward the server (compression.ts): the checked chunks go in as received.
    if (st.reqXform !== null) { if (n > 0) compressRequestChunk(sess, st, chunk.subarray(0, n)) } else writePieces(sess, sc.out, false)
  } else n = 0
  const ended = st.reqFraming === 'length' ? st.reqRemain === 0 : sess.reqChunks!.done
  if (ended) {
    if (n < chunk.length) appendInput(sess, chunk.subarray(n))
    requestEnded(sess)
  } else sess.refreshCli()
}

/** Pieces of body output no larger than this together go in one write (joined: a copy of a few
 *  small pieces costs less than a write each); larger ones go as they are. */
const JOIN_MAX = 2048

/** Writes a chunked scanner's output toward the server (`toClient`: the client), without copying
 *  its data unless the pieces are small. */
export function writePieces(sess: HttpSession, out: Uint8Array[], toClient: boolean): void {
  const k = out.length
  if (k === 0) return
  if (k === 1) { if (toClient) sess.toClient(out[0]!); else sess.toServer(out[0]!); return }
  let total = 0
  for (let i = 0; i < k; i++) total += out[i]!.length
  if (total <= JOIN_MAX) {
    const joined = Buffer.concat(out, total)
    if (toClient) sess.toClient(joined)
    else sess.toServer(joined)
    return
  }
  for (let i = 0; i < k; i++) { if (toClient) sess.toClient(out[i]!); else sess.toServer(out[i]!) }
}

function requestEnded(sess: HttpSession): void {
  const st = sess.st
  if (st.reqXform !== null) { compressRequestEnd(st, () => requestEnded(sess)); return }
  st.reqDone = true
  if (sess.cs === 'req-body') sess.cs = 'req-done'
  sess.refreshCli()
  if (st.resDone) sess.streamEnded()
}
