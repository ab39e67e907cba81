/**
 * The response message as the session reads it (HAProxy's http_wait_for_response and
 * http_response_forward_body): server bytes kept until a head parses; 1xx heads forwarded (101
 * to an Upgrade request turns both connections into a tunnel); a final head through its phases
 * (phases.ts), its framing decided, written with the body bytes that came with it; then the body
 * forwarded as received, up to its end. A 101 the client did not ask for is a bad response (502).
 *
 *   res-head --1xx--> res-head    --101 + Upgrade--> tunnel
 *      |--bad head: 502 PH        `--final head--> res-body --body ended--> res-done
 *      `--(session) timeout server: 504 sH         \--chunked framing lost: 502 PD, or closed PD
 *
 * A chunked body goes on re-encoded (http/chunked.ts), each line checked before any of it is
 * forwarded; de-chunked and delimited by the close for an HTTP/1.0 client.
 */
import { captureError } from '../error-capture.ts'
import { now } from '../../core/clock.ts'
import { createChunkedScanner } from '../../http/chunked.ts'
import type { ChunkedOutput, H1Head } from '../../http/types.ts'
import { missingWebSocketKey } from '../../http/websocket.ts'
import type { HttpSession } from '../http-session.ts'
import { retryRequest } from './l7-retry.ts'
import { compressBody, compressEnd, compressionResponse } from './compression.ts'
import { responseHeaders, responsePhases } from './phases.ts'
import { writePieces } from './request-message.ts'

/** Body bytes small enough that copying them next to their head costs less than a second write. */
const SMALL_BODY = 2048

/** Gives the response parser back to the frontend, if the session holds one. */
export function releaseResponseParser(sess: HttpSession): void {
  const p = sess.resParser
  if (p === null) return
  sess.resParser = null
  sess.fe.http!.giveResponseParser(p)
}

/** Parses the response head received so far (`sess.srvIn`). */
export function parseResponse(sess: HttpSession): void {
  const buf = sess.srvIn!
  const parser = (sess.resParser ??= sess.fe.http!.takeResponseParser())
  const r = parser.parse(buf, buf.length)
  if (r.kind === 'need-more') { sess.refreshSrv(); return }
  const st = sess.st
  releaseResponseParser(sess)
  if (r.kind === 'error') {
    captureError(sess.fe, { kind: 'response', backend: st.be?.name ?? null, server: st.server?.name ?? null, src: `${sess.cliAddr}:${sess.cliPort}`, pos: r.pos, buf })
    st.server?.reportResult('http-header')
    if (retryRequest(sess, st, 'junk-response')) return
    sess.dropSrv(true)
    sess.answer(502, 'P', 'H')
    return
  }
  const res = r.head
  sess.srvIn = null
  if (res.status < 200) {
    const rest = res.size < buf.length ? buf.subarray(res.size) : null
    if (res.status === 101) {
      // A server switching protocols must have been asked to (an unsolicited 101 would turn
      // the connection into a tunnel behind the client's back), and to WebSocket must send its
      // accept key.
      if (!st.upgrade || missingWebSocketKey(res) !== undefined) {
        st.server?.reportResult('http-header')
        sess.dropSrv(true)
        sess.answer(502, 'P', 'H')
        return
      }
      startTunnel(sess, res, rest)
      return
    }
    // 100 Continue, 103 Early Hints: forwarded; the final head follows.
    sess.toClient(res.encode())
    if (rest) { sess.srvIn = rest; parseResponse(sess) }
    return
  }
  onResponse(sess, res, buf)
}

/** A final response head, parsed from the start of `buf` (which may hold body bytes after it):
 *  its phases, its framing, then its head and body to the client. */
function onResponse(sess: HttpSession, res: H1Head, buf: Uint8Array): void {
  const st = sess.st
  st.res = res
  st.status = res.status
  st.resHeadAt = now()
  sess.ss = 'res-body'
  // Passive health (observe layer7): 5xx but 501 and 505 count as errors, as HAProxy counts.
  st.server?.reportResult(res.status >= 500 && res.status !== 501 && res.status !== 505 ? 'http-status' : 'http-ok')
  if (retryRequest(sess, st, res.status)) return

  if (!responsePhases(sess, st)) return

  let framing = res.framing
  if (st.req!.method === 'HEAD' || res.status === 204 || res.status === 304) framing = 'none'
  st.resFraming = framing
  st.resRemain = framing === 'length' ? res.contentLength : 0
  if (framing === 'chunked') {
    // The body goes on re-encoded (each line checked first); an HTTP/1.0 client, which chunked
    // is not for (RFC 9112 §6.1), gets the data alone, delimited by the close.
    let output: ChunkedOutput = 'canonical'
    if (st.cliHead) output = 'none'
    else if (st.req!.version === 10) {
      output = 'data'
      res.headers.remove('transfer-encoding')
      st.cliClose = true
    }
    (sess.resChunks ??= createChunkedScanner()).reset(output)
  }
  if (res.connClose || res.mustClose || framing === 'eof') st.srvClose = true
  // A stopping frontend lets each client finish its request, then closes (and says so); unless a
  // reload's next configuration takes the connection over (Frontend.heir). So does a response
  // whose framing was faulty (HTTP/1.0 with Transfer-Encoding, RFC 9112 §6.1, as HAProxy closes
  // it; Transfer-Encoding with Content-Length).
  if (framing === 'eof' || (sess.fe.stopped && sess.fe.heir === null) || res.mustClose) st.cliClose = true

  responseHeaders(sess, st)
  compressionResponse(sess, st, framing)

  const restLen = buf.length - res.size
  if (st.cliHead && framing !== 'none') {
    // A HEAD the rules turned into another method: the server's body is read to its end, and
    // none of it goes to the client, which expects none (HAProxy skips it the same way).
    sess.toClient(res.encode())
    st.dropBody = true
    if (framing === 'length' && st.resRemain === 0) { responseEnded(sess); return }
    if (restLen > 0) responseBody(sess, buf, res.size, null)
    else sess.refreshSrv()
    return
  }
  if (framing === 'none' || (framing === 'length' && st.resRemain === 0)) {
    sess.toClient(res.encode())
    if (restLen > 0) st.srvClose = true // bytes after a complete response: the server is out of step
    responseEnded(sess)
  } else if (restLen > 0) responseBody(sess, buf, res.size, res)
  else { sess.toClient(res.encode()); sess.refreshSrv() }
}

/** Writes a response head and the body bytes that came with it, `buf[head.size, end)`, in one
 *  write (one system call, the price of a small response): the very bytes received when the
 *  head is as received (the whole buffer when it is all this response, a small keep-alive
 *  answer's usual case), else a copy of both when the body part is small. */
function toClientWithHead(sess: HttpSession, head: H1Head, buf: Uint8Array, end: number): void {
  if (head.verbatim) {
    sess.toClient(end === buf.length ? buf : buf.subarray(0, end))
    return
  }
  const part = buf.subarray(head.size, end)
  if (part.length <= SMALL_BODY) {
    sess.toClient(Buffer.concat([head.encode(), part]))
  } else {
    sess.toClient(head.encode())
    sess.toClient(part)
  }
}

/** Response body bytes `buf[start…]`. `head`: the response head, parsed from the start of
 *  `buf` and still to be written before them (`start` is then its size). */
export function responseBody(sess: HttpSession, buf: Uint8Array, start: number, head: H1Head | null): void {
  const st = sess.st
  let end: number
  if (st.resFraming === 'length') {
    end = start + Math.min(st.resRemain, buf.length - start)
    st.resRemain -= end - start
  } else if (st.resFraming === 'chunked') {
    const sc = sess.resChunks!
    end = sc.scan(buf, start, buf.length)
    if (end < 0) { badBody(sess); return }
    const out = sc.out
    // The cache's tap and the compressor take the checked bytes as the server framed them
    // (each de-chunks them itself).
    if (st.resTap !== null && end > start) st.resTap.data(buf.subarray(start, end))
    if (st.resXform !== null) {
      if (head !== null) sess.toClient(head.encode())
      if (end > start) compressBody(sess, st, buf.subarray(start, end))
    } else if (st.dropBody) {
      // A HEAD turned into another method: nothing of the body goes to the client.
    } else if (out.length === 1 && isRange(out[0]!, buf, start, end)) {
      // The body as received: written as any other.
      if (head !== null) toClientWithHead(sess, head, buf, end)
      else sess.toClient(out[0]!)
    } else {
      if (head !== null) sess.toClient(head.encode())
      writePieces(sess, out, true)
    }
    const ended = sc.done
    if (ended) {
      if (end < buf.length) st.srvClose = true
      responseEnded(sess)
    } else sess.refreshSrv()
    return
  } else end = buf.length
  if (st.resTap !== null && end > start) st.resTap.data(buf.subarray(start, end))
  if (st.resXform !== null) {
    if (head !== null) sess.toClient(head.encode())
    if (end > start) compressBody(sess, st, buf.subarray(start, end))
  } else if (head !== null) toClientWithHead(sess, head, buf, end)
  else if (end > start && !st.dropBody) sess.toClient(start === 0 && end === buf.length ? buf : buf.subarray(start, end))
  const ended = st.resFraming === 'length' && st.resRemain === 0
  if (ended) {
    // Anything after the end of a response is a server out of step: never reuse it.
    if (end < buf.length) st.srvClose = true
    responseEnded(sess)
  } else sess.refreshSrv()
}

/** Whether `piece` is `buf[start, end)` itself. */
function isRange(piece: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  return piece.buffer === buf.buffer && piece.byteOffset === buf.byteOffset + start && piece.length === end - start
}

/** The server's chunked framing is lost: a 502 while nothing of the response went to the client,
 *  else the client connection is cut (what it received so far ends nowhere it could take for a
 *  complete response). Nothing of the faulty bytes is forwarded either way (PD, as HAProxy). */
function badBody(sess: HttpSession): void {
  const st = sess.st
  sess.dropSrv(true)
  if (st.resBytes === 0) { sess.answer(502, 'P', 'D'); return }
  sess.finish('P', 'D')
}

export function responseEnded(sess: HttpSession): void {
  const st = sess.st
  if (st.resTap !== null) { st.resTap.end(); st.resTap = null }
  if (st.resXform !== null) { compressEnd(st, () => responseEnded(sess)); return }
  st.resDone = true
  sess.ss = 'res-done'
  sess.srvExp = Infinity
  if (!st.reqDone) {
    // Answered before the request ended (an early error, a redirect during an upload): the
    // rest of the request body cannot be told from a next request, so both sides close.
    st.cliClose = true
    st.srvClose = true
  }
  sess.streamEnded()
}

function startTunnel(sess: HttpSession, res: H1Head, rest: Uint8Array | null): void {
  const st = sess.st
  st.res = res
  st.status = res.status
  st.resHeadAt = now()
  sess.ss = 'tunnel'
  sess.cs = 'tunnel'
  st.srvClose = true
  st.cliClose = true
  sess.toClient(res.encode())
  if (rest) sess.toClient(rest)
  if (sess.cliIn) { const pending = sess.cliIn; sess.cliIn = null; sess.toServer(pending) }
  sess.refreshCli()
  sess.refreshSrv()
}
