/**
 * The built-in HTTP backend (`edgelb serve`, the demo servers of conf/edgelb.yaml, the backends
 * of `edgelb bench`): answers every request with a response from response-spec.ts. HTTP/1.1
 * keep-alive and pipelining, HTTP/1.0, request bodies (Content-Length or chunked) read and
 * dropped, `Connection: close` honoured, HEAD answered without a body.
 *
 * Per connection, one request at a time:
 *   reading --request done--> [delay] --> writing --all out--> reading (or close)
 * While delaying or writing, reading pauses and what arrived waits in `inbox` (backpressure): the
 * Buffers as received, since Bun gives each read a Buffer of its own (core/byte-queue.ts keeps the
 * proxy's the same way).
 */
import type { ListenTarget, Sock } from '../net/runtime.ts'
import { BuiltinServerBase, BuiltinConn, writeAnswer, writeRest, type BuiltinServer, type ConnHandlers, type ServerOptions } from './builtin-server.ts'
import { BAD_RESPONSE, MessageReader, NEED_MORE } from './message-reader.ts'
import { httpResponse, specFor, type ResponseSpec } from './response-spec.ts'

// what cli/serve.ts names from here
export type { BuiltinServer, ServerOptions }

interface Canned {
  bytes: Uint8Array
  headLen: number
}

class HttpServer extends BuiltinServerBase<HttpConn> {
  /** The answers to requests without a query (most): keep-alive, and closing. */
  readonly #plain: Canned
  readonly #plainClose: Canned
  /** Answers to `?s=…&r=…` requests, by specKey(). */
  readonly #canned = new Map<number, Canned>()

  constructor(opts: ServerOptions) {
    super(opts)
    this.#plain = httpResponse(opts.name, opts, false)
    this.#plainClose = httpResponse(opts.name, opts, true)
  }

  response(spec: ResponseSpec, close: boolean): Canned {
    if (spec === this.opts) return close ? this.#plainClose : this.#plain
    const key = specKey(spec, close)
    let c = this.#canned.get(key)
    if (!c) {
      c = httpResponse(this.opts.name, spec, close)
      if (this.#canned.size > 256) this.#canned.clear() // query-driven specs: keep it bounded
      this.#canned.set(key, c)
    }
    return c
  }
}

/** One number per answer (status 100-999, size from -1, close or not): no key string per request. */
function specKey(spec: ResponseSpec, close: boolean): number {
  return ((spec.size + 1) * 1000 + spec.status) * 2 + (close ? 1 : 0)
}

class HttpConn extends BuiltinConn {
  readonly server: HttpServer
  readonly reader = new MessageReader('request')
  /** Bytes received while busy, in order. */
  inbox: Uint8Array[] = []
  /** The answer a delay holds back. */
  held: Uint8Array | null = null

  constructor(server: HttpServer, s: Sock<HttpConn>) {
    super(() => sendHeld(s))
    this.server = server
  }
}

/** Reads requests from buf[start..]; answers each; stops when busy (the rest goes to the inbox). */
function readRequests(s: Sock<HttpConn>, buf: Uint8Array, start: number): void {
  const c = s.data
  let i = start
  while (i < buf.length) {
    if (c.busy) {
      c.inbox.push(i === 0 ? buf : buf.subarray(i)) // kept, not copied: each read is a Buffer of its own
      s.pause()
      return
    }
    const r = c.reader.feed(buf, i)
    if (r === NEED_MORE) return
    if (r === BAD_RESPONSE) {
      const bad = c.server.response({ status: 400, size: -1, delay: 0 }, true)
      c.closeAfter = true
      send(s, bad.bytes)
      return
    }
    i = r
    const h = c.reader.head
    c.reader.reset()
    const close = h.connClose || (h.version === 10 && !h.connKeepAlive)
    const spec = specFor(h.target, c.server.opts)
    const canned = c.server.response(spec, close)
    const bytes = h.method === 'HEAD' ? canned.bytes.subarray(0, canned.headLen) : canned.bytes
    c.server.requests++
    if (close) c.closeAfter = true
    if (spec.delay > 0) {
      c.held = bytes
      c.delay(spec.delay)
    } else {
      send(s, bytes)
    }
    if (c.closeAfter) return // anything after a closing request is ignored
  }
}

function send(s: Sock<HttpConn>, bytes: Uint8Array): void {
  if (writeAnswer(s, bytes) && s.data.closeAfter) s.end()
}

/** A delay ended: send the answer it held, then take up what arrived meanwhile. */
function sendHeld(s: Sock<HttpConn>): void {
  const c = s.data
  const bytes = c.held!
  c.held = null
  send(s, bytes)
  resumeInbox(s)
}

/** After a delay or a drain: take up what arrived meanwhile. */
function resumeInbox(s: Sock<HttpConn>): void {
  const c = s.data
  if (c.busy || c.closeAfter) return
  s.resume()
  while (c.inbox.length > 0 && !c.busy) readRequests(s, c.inbox.shift()!, 0)
}

const connHandlers: ConnHandlers<HttpConn> = {
  data(s, chunk) {
    const c = s.data
    if (c.busy || c.inbox.length > 0) { c.inbox.push(chunk); s.pause(); return }
    readRequests(s, chunk, 0)
  },
  drain(s) {
    if (!writeRest(s)) return
    if (s.data.closeAfter) s.end()
    else resumeInbox(s)
  },
  end(s) {
    // the client half-closed: finish what it asked, then close
    const c = s.data
    c.closeAfter = true
    if (!c.busy) s.end()
  },
}

/** Starts a built-in HTTP server on `target` (port 0: any free port; read `.port`). */
export function serveHttp(target: ListenTarget, opts: ServerOptions): BuiltinServer {
  const server = new HttpServer(opts)
  return server.listen(target, connHandlers, (s) => new HttpConn(server, s))
}
