/**
 * HTTP compression as HAProxy 2.6's compression filter does it, for responses.
 *
 * On the request (`compressionRequest`, after the request phases): the algorithm is the one of
 * the backend's `compression algo` (else the frontend's) that the client's Accept-Encoding
 * accepts with the highest q-value (ties: the client's order); `compression offload` then removes
 * Accept-Encoding, so the server sends the body as is. Old agents announcing `Mozilla/4` get
 * nothing compressed, unless they are MSIE 6 with SV1 or a later MSIE, as in HAProxy.
 *
 * On the response (`compressionResponse`, once its framing is decided): compressed only when both
 * sides speak HTTP/1.1, the request is not HEAD, the status is 200, the body has a known end and
 * is not empty, no Content-Encoding is there, Cache-Control has no `no-transform`, the
 * Content-Type starts with one of `compression type` (none written: any; written but the
 * response has none: not compressed), and any ETag is a valid one (a strong one is weakened).
 * Then Content-Length goes, `Transfer-Encoding: chunked`, `Content-Encoding` and `Vary:
 * Accept-Encoding` come, and the body is compressed as it arrives (http/compressor.ts).
 */
import { BodyCompressor } from '../../http/compressor.ts'
import { Dechunker } from '../../http/dechunk.ts'
import type { BodyFraming } from '../../http/types.ts'
import type { CompressionAlgo, CompressionConfig } from '../../model/types.ts'
import type { HttpSession } from '../http-session.ts'
import type { Stream } from './stream.ts'

/** The name an algorithm goes by in Accept-Encoding and Content-Encoding. */
const TOKEN: Record<CompressionAlgo, string> = { identity: 'identity', gzip: 'gzip', deflate: 'deflate', 'raw-deflate': 'deflate' }

function configOf(sess: HttpSession, st: Stream): { algos: CompressionAlgo[]; types: string[]; offload: boolean } | null {
  const be: CompressionConfig | undefined = st.be?.cfg.compression
  const fe: CompressionConfig | undefined = sess.fe.cfg.compression
  const algos = be !== undefined && be.algos.length > 0 ? be.algos : fe?.algos ?? []
  if (algos.length === 0) return null
  const types = be !== undefined && be.types.length > 0 ? be.types : fe?.types ?? []
  return { algos, types, offload: (be?.offload ?? false) || (fe?.offload ?? false) }
}

function oldAgent(ua: string | undefined): boolean {
  if (ua === undefined || !ua.startsWith('Mozilla/4')) return false
  const m = /MSIE (\d+)\.\d+;[^)]*?(SV1)?/.exec(ua)
  if (m === null) return true
  const major = Number(m[1])
  return !(major >= 7 || (major === 6 && /SV1/.test(ua)))
}

/** Picks the algorithm for this request's response (`st.compAlgo`), and compresses its own body
 *  when `compression direction request|both` says so; always goes on. */
export function compressionRequest(sess: HttpSession, st: Stream): boolean {
  st.compAlgo = null
  compressRequestBody(sess, st)
  const req = st.req!
  if (req.headers.find('accept-encoding', 0) < 0) return true
  const cfg = configOf(sess, st)
  if (cfg === null || oldAgent(req.headers.get('user-agent'))) return true
  let best: CompressionAlgo | null = null
  let bestQ = 0
  for (let i = req.headers.find('accept-encoding', 0); i >= 0; i = req.headers.find('accept-encoding', i + 1)) {
    for (const part of req.headers.value(i).split(',')) {
      const [tok = '', ...params] = part.split(';').map((x) => x.trim())
      let q = 1
      for (const p of params) {
        const m = /^q=([0-9.]+)$/i.exec(p)
        if (m) q = Number(m[1])
      }
      if (!(q > bestQ)) continue
      const name = tok.toLowerCase()
      const algo = cfg.algos.find((a) => TOKEN[a] === name)
      if (algo !== undefined) { best = algo; bestQ = q }
    }
  }
  if (best === null || best === 'identity') return true
  st.compAlgo = best
  if (cfg.offload) req.headers.remove('accept-encoding')
  return true
}

/**
 * `compression direction request|both` with `compression algo-req ALGO` [`type-req TYPE…`]: a
 * request body with a Content-Type of those types (any, without type-req) and no Content-Encoding,
 * from an HTTP/1.1 client, goes to the server compressed and chunked, with Content-Encoding.
 */
function compressRequestBody(sess: HttpSession, st: Stream): void {
  const be = st.be?.cfg.compression
  const fe = sess.fe.cfg.compression
  const c = be !== undefined && be.algoReq !== undefined ? be : fe
  if (c === undefined || c.algoReq === undefined || c.algoReq === 'identity' || (c.direction !== 'request' && c.direction !== 'both')) return
  const req = st.req!
  if (req.version < 11 || !(st.reqFraming === 'chunked' || (st.reqFraming === 'length' && req.contentLength > 0))) return
  const h = req.headers
  if (h.find('content-encoding', 0) >= 0) return
  const types = c.typesReq ?? []
  if (types.length > 0) {
    const ct = h.get('content-type')?.toLowerCase()
    if (ct === undefined || !types.some((t) => ct.startsWith(t))) return
  }
  h.remove('content-length')
  h.set('Transfer-Encoding', 'chunked')
  h.add('Content-Encoding', TOKEN[c.algoReq])
  const x: BodyCompressor = new BodyCompressor(c.algoReq, (bytes) => { if (st.reqXform === x) sess.toServer(bytes) })
  st.reqXform = x
}

/** Request body bytes as the client framed them, into the compressor; the client is not read
 *  while zlib is behind (and the server has not taken what it was sent). */
export function compressRequestChunk(sess: HttpSession, st: Stream, bytes: Uint8Array): void {
  const x = st.reqXform!
  let behind = false
  if (st.reqFraming !== 'chunked') behind = !x.write(bytes)
  else (st.reqDechunk ??= new Dechunker()).feed(bytes, (d) => { if (!x.write(d)) behind = true })
  if (!behind || x.pausedSrv !== null) return
  sess.pauseCli()
  const resume = { resume: () => sess.resumeCli() }
  x.pausedSrv = resume
  x.whenDrained(() => {
    if (x.pausedSrv !== resume) return
    if (st.reqXform === x && sess.toSrv.size > 0) return // the server's drain resumes it
    x.pausedSrv = null
    sess.resumeCli()
  })
}

/** The whole request body went in: `then` runs once its last compressed bytes went out. */
export function compressRequestEnd(st: Stream, then: () => void): void {
  const x = st.reqXform!
  x.end(() => {
    if (st.reqXform !== x) return
    st.reqXform = null
    const paused = x.pausedSrv
    x.pausedSrv = null
    paused?.resume()
    then()
  })
}

/** A strong or weak entity tag, as RFC 9110 writes one. */
const ETAG = /^(W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/

/** Decides whether this response is compressed; if so, edits its head and starts the compressor
 *  (`st.resXform`), which the body goes through from then on. */
export function compressionResponse(sess: HttpSession, st: Stream, framing: BodyFraming): void {
  const algo = st.compAlgo
  if (algo === null || algo === 'identity') return
  const req = st.req!
  const res = st.res!
  if (req.version < 11 || res.version < 11 || st.cliHead || res.status !== 200) return
  if (framing !== 'chunked' && !(framing === 'length' && res.contentLength > 0)) return
  const h = res.headers
  if (h.find('content-encoding', 0) >= 0) return
  for (let i = h.find('cache-control', 0); i >= 0; i = h.find('cache-control', i + 1)) {
    if (/(^|,)\s*no-transform\s*(,|$)/i.test(h.value(i))) return
  }
  const cfg = configOf(sess, st)
  if (cfg === null) return
  if (cfg.types.length > 0) {
    const ct = h.get('content-type')?.toLowerCase()
    if (ct === undefined || !cfg.types.some((t) => ct.startsWith(t))) return
  }
  const etags: number[] = []
  for (let i = h.find('etag', 0); i >= 0; i = h.find('etag', i + 1)) etags.push(i)
  if (etags.length > 1) return
  if (etags.length === 1) {
    const v = h.value(etags[0]!)
    if (!ETAG.test(v)) return
    if (!v.startsWith('W/')) h.setValue(etags[0]!, `W/${v}`)
  }
  h.remove('content-length')
  h.set('Transfer-Encoding', 'chunked')
  h.add('Content-Encoding', TOKEN[algo])
  let varies = false
  for (let i = h.find('vary', 0); i >= 0; i = h.find('vary', i + 1)) {
    if (/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(h.value(i))) varies = true
  }
  if (!varies) h.add('Vary', 'Accept-Encoding')
  const x: BodyCompressor = new BodyCompressor(algo, (bytes) => { if (st.resXform === x) sess.toClient(bytes) })
  st.resXform = x
  st.compressedWith = algo
}

/** Response body bytes as the server framed them, into the compressor. When zlib falls behind,
 *  the server is not read until it catches up (and the client has taken what it was sent). */
export function compressBody(sess: HttpSession, st: Stream, bytes: Uint8Array): void {
  const x = st.resXform!
  let behind = false
  if (st.resFraming !== 'chunked') behind = !x.write(bytes)
  else (st.resDechunk ??= new Dechunker()).feed(bytes, (d) => { if (!x.write(d)) behind = true })
  if (!behind) return
  const sock = sess.srv?.sock
  if (!sock || x.pausedSrv !== null) return
  sock.pause()
  x.pausedSrv = sock
  x.whenDrained(() => {
    if (x.pausedSrv !== sock) return
    if (st.resXform === x && sess.srv?.sock === sock && sess.toCli.size > 0) return // the client's drain resumes it
    x.pausedSrv = null
    sock.resume()
  })
}

/** The whole body went in: `then` runs once the last compressed bytes went out. */
export function compressEnd(st: Stream, then: () => void): void {
  const x = st.resXform!
  x.end(() => {
    if (st.resXform !== x) return
    st.resXform = null
    // The server connection may be kept for the next request: never leave it paused.
    const paused = x.pausedSrv
    x.pausedSrv = null
    paused?.resume()
    then()
  })
}
