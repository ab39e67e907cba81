/**
 * HTTP/2 toward servers (`server … proto h2`, or `ssl` with `alpn h2`): connections to a server
 * are shared, each carrying as many streams at once as the server allows, and each server-side
 * connection a session holds (`SrvConn`) is a handle on one of them: the HTTP/1.1 request the
 * session writes into it (read again by h1-reader.ts) opens a stream, and the stream's response
 * comes back to the session as the HTTP/1.1 response it means (chunked, with the trailers, when
 * it has no Content-Length). So the session's server side (connect, reuse, retries, timeouts) is
 * the same whatever the server speaks.
 *
 *   H2Client:  connecting --open (TLS: ALPN h2)--> open --GOAWAY, error, idle 5 s--> closed
 *   handle:    attached to one H2Client; per request: head written --> stream (or waits for a
 *              free one) --> response --> ended; the handle may then be parked and reused
 */
import type { Server } from '../../backend/server.ts'
import { clocked, now } from '../../core/clock.ts'
import { Timer } from '../../core/timer-wheel.ts'
import { wheel } from '../../core/wheel.ts'
import { H2Connection, type H2ConnEvents } from '../../http2/connection.ts'
import { CANCEL, PROTOCOL_ERROR } from '../../http2/frames.ts'
import { H1Reader, type AfterHead, type H1ReaderEvents } from '../../http2/h1-reader.ts'
import { DEFAULT_LIMITS } from '../../http2/limits.ts'
import { chunkedEnd, responseHead, trailerFields } from '../../http2/messages.ts'
import { H2Stream, type H2StreamEvents } from '../../http2/stream.ts'
import type { H1Head } from '../../http/types.ts'
import { connect, tlsFacts, type ConnectTarget, type Sock, type SockHandlers, type TlsConnect, type TlsFacts } from '../../net/runtime.ts'
import { IDLE_TIMEOUT, SrvConn, type SrvConnOwner } from '../srv-conn.ts'

/** Whether edgelb speaks HTTP/2 to `server`. */
export function speaksH2(server: Server | null): boolean {
  if (server === null) return false
  const c = server.cfg
  if (c.proto !== undefined) return c.proto === 'h2'
  return c.ssl === true && (c.tls?.alpn?.includes('h2') ?? false)
}

const LIMITS = { ...DEFAULT_LIMITS, maxHeaderListSize: 65536, maxHeaderFields: 1000, maxConcurrentStreams: 100 }

/** Open connections to each server, newest last. */
const clients = new Map<Server, H2Client[]>()

/** A server connection of the session `owner` over HTTP/2: a handle on a shared connection (a
 *  new one when none has room). Its `open` comes later, never before this returns. `pp`: the
 *  PROXY header (`send-proxy`…) the connection begins with; only connections that began with the
 *  same one are shared (as HAProxy hashes the PROXY parameters into its reuse key), so a server
 *  never reads one client's streams under another client's address. */
export function openH2(target: ConnectTarget, server: Server, owner: SrvConnOwner, pp: Uint8Array | null = null): SrvConn {
  // A server that chose HTTP/1.1 by ALPN (`alpn h2,http/1.1`) is offered http/1.1 alone from
  // then on: its connections are HTTP/1.1 ones, each for one session at a time.
  if (h1ByAlpn.has(server)) return SrvConn.open({ ...target, tls: h1Tls(server) }, server, owner, pp)
  const c = new SrvConn(server, owner)
  // Its header (sent by the shared connection, not by the session): the handle is then never
  // pooled for another session, nor reused by one whose header differs (http/connect.ts).
  c.ppHeader = pp
  let client: H2Client | undefined
  for (const x of clients.get(server) ?? []) if (x.hasRoom && samePp(x.pp, pp)) { client = x; break }
  client ??= H2Client.open(target, server, pp)
  const h = new Handle(client, c)
  client.attach(h)
  return c
}

/** Servers that answered `http/1.1` (or nothing) by ALPN when offered h2 and http/1.1; until
 *  the configuration is loaded again. */
const h1ByAlpn = new WeakSet<Server>()
const h1TlsOf = new WeakMap<Server, TlsConnect>()

/** The server may answer http/1.1 by ALPN: it was offered (`alpn h2,http/1.1`, no `proto h2`). */
function mayFallBack(server: Server): boolean {
  return server.cfg.proto === undefined && (server.tls?.alpn.includes('http/1.1') ?? false)
}

/** The server's TLS settings, offering http/1.1 alone. */
function h1Tls(server: Server): TlsConnect {
  let t = h1TlsOf.get(server)
  if (t === undefined) h1TlsOf.set(server, (t = { ...server.tls!, alpn: ['http/1.1'] }))
  return t
}

function samePp(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a === null ? b === null : b !== null && Buffer.compare(a, b) === 0
}

/** Closes every HTTP/2 connection to these servers (their engine stopped). */
export function closeH2Clients(servers: Iterable<Server>): void {
  for (const s of servers) for (const c of [...(clients.get(s) ?? [])]) c.close('stopped')
}

/** One connection to a server. */
class H2Client implements H2ConnEvents {
  readonly server: Server
  readonly conn: H2Connection
  sock: Sock<H2Client> | null = null
  state: 'connecting' | 'open' | 'closed' = 'connecting'
  tls: TlsFacts | null = null
  readonly handles = new Set<Handle>()
  /** Handles whose request waits for a stream (the server's limit was reached). */
  readonly waiting: Handle[] = []
  readonly #idle = new Timer(() => { if (this.handles.size === 0) this.close('idle') })
  /** The PROXY header it began with (null: none). */
  readonly pp: Uint8Array | null
  /** What of it is still to be written before the first frames (clear text; over TLS the runtime
   *  sends it before the handshake). */
  #ppLeft: Uint8Array | null = null

  constructor(server: Server, pp: Uint8Array | null) {
    this.server = server
    this.pp = pp
    this.conn = new H2Connection({ role: 'client', limits: LIMITS, write: (b) => this.#write(b), events: this })
  }

  /** Where it connected (handles open their own HTTP/1.1 connections there on a fallback). */
  target: ConnectTarget | null = null
  /** The server chose HTTP/1.1: the socket is this handle's, as a plain HTTP/1.1 connection. */
  #raw: Handle | null = null

  static open(target: ConnectTarget, server: Server, pp: Uint8Array | null): H2Client {
    const c = new H2Client(server, pp)
    c.target = target
    let list = clients.get(server)
    if (list === undefined) clients.set(server, (list = []))
    list.push(c)
    if (pp !== null) {
      if (target.tls !== undefined) target.preface = pp
      else c.#ppLeft = pp
    }
    connect(target, c, h2ClientHandlers)
    return c
  }

  /** The connection's write: the PROXY header, if any is left, goes first. */
  #write(b: Uint8Array): number {
    const s = this.sock
    if (s === null) return b.length
    const p = this.#ppLeft
    if (p === null) return s.write(b)
    const n = s.write(Buffer.concat([p, b]))
    if (n < 0) return n
    if (n < p.length) { this.#ppLeft = p.subarray(n); return 0 }
    this.#ppLeft = null
    return n - p.length
  }

  /** It may take one more handle (busy handles count against the server's stream limit). */
  get hasRoom(): boolean {
    if (this.state === 'closed' || this.conn.state === 'draining' || this.conn.state === 'closed') return false
    let busy = 0
    for (const h of this.handles) if (h.busy) busy++
    return busy < Math.min(this.conn.remote.maxConcurrentStreams, 1000)
  }

  attach(h: Handle): void {
    this.handles.add(h)
    if (this.#idle.exp !== Infinity) wheel.cancel(this.#idle)
    // Opened later, never inside the caller's openServer.
    if (this.state === 'open') queueMicrotask(() => h.opened())
  }

  detach(h: Handle): void {
    this.handles.delete(h)
    const i = this.waiting.indexOf(h)
    if (i >= 0) this.waiting.splice(i, 1)
    if (this.handles.size === 0 && this.state !== 'closed') wheel.schedule(this.#idle, now() + IDLE_TIMEOUT)
  }

  onOpen(s: Sock<H2Client>): void {
    this.sock = s
    if (this.server.cfg.ssl) {
      this.tls = tlsFacts(s)
      if (this.tls?.alpn !== 'h2') {
        if (mayFallBack(this.server) && (this.tls?.alpn ?? 'http/1.1') === 'http/1.1') { this.#fallBack(s); return }
        this.close('the server did not negotiate h2')
        return
      }
    }
    this.state = 'open'
    this.conn.start()
    for (const h of [...this.handles]) h.opened()
  }

  /** The server chose HTTP/1.1: the first handle takes this socket as its HTTP/1.1 connection,
   *  the others open their own (offering http/1.1 alone), and so does every later request. */
  #fallBack(s: Sock<H2Client>): void {
    h1ByAlpn.add(this.server)
    const handles = [...this.handles]
    this.handles.clear()
    this.#forget()
    const first = handles.shift()
    if (first === undefined || !first.fallBack(s as unknown as Sock<unknown>, this.tls)) { s.end(); first?.connectFailed() }
    else this.#raw = first
    const target = { ...this.target!, tls: h1Tls(this.server) }
    for (const h of handles) h.reconnect(target)
  }

  /** The socket's events (h2ClientHandlers): to the HTTP/2 connection, or after a fallback to the
   *  handle that took the socket. */
  onData(chunk: Buffer): void {
    if (this.#raw !== null) this.#raw.rawData(chunk)
    else this.conn.feed(chunk)
  }

  onDrain(): void {
    if (this.#raw !== null) this.#raw.rawDrain()
    else this.conn.drained()
  }

  onEnd(): void {
    if (this.#raw !== null) this.#raw.rawEnd()
    else this.close('closed by the server')
  }

  onSockClose(error: Error | undefined): void {
    if (this.#raw !== null) this.#raw.rawClose(error)
    else this.close(error ? `reset: ${error.message}` : 'closed by the server')
  }

  onConnectFailed(): void {
    this.#forget()
    for (const h of [...this.handles]) h.connectFailed()
  }

  // --- the connection's events ------------------------------------------------------------------

  onStream(s: H2Stream): void {
    // A server never opens a stream (push is off): refused.
    this.conn.reset(s, PROTOCOL_ERROR)
  }

  onIdle(): void {
    while (this.waiting.length > 0 && this.conn.canOpen) this.waiting.shift()!.startStream()
  }

  onGoaway(): void {
    // Handles keep the streams the server still serves; new requests go elsewhere.
    const list = clients.get(this.server)
    if (list !== undefined) { const i = list.indexOf(this); if (i >= 0) list.splice(i, 1) }
  }

  onClose(_code: number, reason: string): void {
    this.close(reason)
  }

  close(reason: string): void {
    if (this.state === 'closed') return
    this.#forget()
    this.conn.abort(reason)
    this.sock?.end()
    for (const h of [...this.handles]) h.gone(reason)
  }

  #forget(): void {
    this.state = 'closed'
    wheel.cancel(this.#idle)
    const list = clients.get(this.server)
    if (list !== undefined) {
      const i = list.indexOf(this)
      if (i >= 0) list.splice(i, 1)
      if (list.length === 0) clients.delete(this.server)
    }
  }
}

const h2ClientHandlers: SockHandlers<H2Client> = {
  open(s) { s.data.onOpen(s) },
  data: clocked((s, chunk) => { s.data.onData(chunk) }),
  drain(s) { s.data.onDrain() },
  end(s) { s.data.onEnd() },
  close(s, error) { s.data.onSockClose(error) },
  error() {},
  connectError(s) { s.data.onConnectFailed() },
}

/** A handle's own HTTP/1.1 connection, after its server chose HTTP/1.1 by ALPN. */
const rawHandlers: SockHandlers<Handle> = {
  open(s) { s.data.rawOpen(s) },
  data: clocked((s, chunk) => { s.data.rawData(chunk) }),
  drain(s) { s.data.rawDrain() },
  end(s) { s.data.rawEnd() },
  close(s, error) { s.data.rawClose(error) },
  error() {},
  connectError(s) { s.data.connectFailed() },
}

/** A session's server connection (`SrvConn`) on an HTTP/2 connection: its socket. */
class Handle implements Sock<SrvConn>, H2StreamEvents, H1ReaderEvents {
  data: SrvConn
  readonly remoteAddress = ''
  readonly #client: H2Client
  #reader: H1Reader | null = null
  /** The current request's stream; its fields while it waits for one. */
  #stream: H2Stream | null = null
  #fields: string[] | null = null
  #endAtHeaders = false
  /** Body and end of a request written before its stream opened. */
  #early: Uint8Array[] = []
  #earlyEnd: string[] | null | undefined = undefined
  /** The response: head passed on (1xx excluded), sent chunked. */
  #responded = false
  #chunked = false
  #blocked = false
  #closed = false
  /** After a fallback to HTTP/1.1: the plain socket every call goes to (`#rawPending`: being
   *  opened). */
  #raw: Sock<unknown> | null = null
  #rawPending = false

  constructor(client: H2Client, c: SrvConn) {
    this.#client = client
    this.data = c
  }

  /** Holds a stream or a request waiting for one. */
  get busy(): boolean {
    return !this.#closed && (this.data.state === 'busy' || this.data.state === 'connecting')
  }

  // --- HTTP/1.1 after all (the server chose it by ALPN): a plain socket under the session -------

  /** Takes the connection's socket as a plain HTTP/1.1 one; false when the session is gone. */
  fallBack(s: Sock<unknown>, tls: TlsFacts | null): boolean {
    if (this.#closed || this.data.state !== 'connecting' || this.data.owner === null) return false
    this.#raw = s
    this.#rawOpened(tls)
    return true
  }

  /** Opens a connection of its own (the server chose HTTP/1.1 on the shared one). */
  reconnect(target: ConnectTarget): void {
    if (this.#closed) return
    this.#rawPending = true
    connect(target, this, rawHandlers)
  }

  rawOpen(s: Sock<Handle>): void {
    this.#rawPending = false
    this.#raw = s as unknown as Sock<unknown>
    if (this.#closed || this.data.state !== 'connecting' || this.data.owner === null) { s.terminate(); this.#closed = true; return }
    this.#rawOpened(tlsFacts(s))
  }

  #rawOpened(tls: TlsFacts | null): void {
    const c = this.data
    c.sock = this
    c.state = 'busy'
    c.tls = tls
    c.owner!.onSrvOpen(c)
  }

  rawData(chunk: Buffer): void {
    const c = this.data
    if (c.owner !== null) c.owner.onSrvData(c, chunk)
    else c.abort() // bytes on an idle connection: the server is out of step
  }

  rawDrain(): void {
    const c = this.data
    c.owner?.onSrvDrain(c)
  }

  rawEnd(): void {
    const c = this.data
    if (c.owner !== null) c.owner.onSrvEnd(c)
    else c.close()
  }

  rawClose(error: Error | undefined): void {
    this.#closed = true
    const c = this.data
    const owner = c.owner
    if (c.state === 'connecting') { c.state = 'closed'; c.owner = null; owner?.onSrvConnectFailed(c); return }
    c.close()
    owner?.onSrvClose(c, error)
  }

  /** The connection is open: so is this handle, for its session. */
  opened(): void {
    const c = this.data
    if (this.#closed) return
    if (c.state !== 'connecting' || c.owner === null) { this.end(); return }
    c.sock = this
    c.state = 'busy'
    c.tls = this.#client.tls
    c.owner.onSrvOpen(c)
  }

  connectFailed(): void {
    this.#closed = true
    const c = this.data
    const owner = c.owner
    if (c.state !== 'connecting') return
    c.state = 'closed'
    c.owner = null
    owner?.onSrvConnectFailed(c)
  }

  /** The connection ended: the session hears of it as of its connection closing. */
  gone(reason: string): void {
    if (this.#closed) return
    const s = this.#stream
    if (s !== null && !s.closed) return // its stream's reset tells it
    this.#closeAsServer(new Error(reason))
  }

  #closeAsServer(error: Error | undefined): void {
    this.#closed = true
    this.#client.detach(this)
    const c = this.data
    const owner = c.owner
    if (c.state === 'connecting') { c.state = 'closed'; c.owner = null; owner?.onSrvConnectFailed(c); return }
    c.close()
    owner?.onSrvClose(c, error)
  }

  // --- the request, from the session -------------------------------------------------------------

  write(chunk: Uint8Array): number {
    if (this.#raw !== null) return this.#raw.write(chunk)
    if (this.#closed) return -1
    const s = this.#stream
    if (s !== null && s.outSize >= H2Stream.HIGH_WATER) { this.#blocked = true; return 0 }
    const conn = this.#client.conn
    conn.cork()
    try {
      (this.#reader ??= new H1Reader('request', this)).feed(chunk)
    } finally {
      conn.uncork()
    }
    return chunk.length
  }

  onHead(head: H1Head): AfterHead {
    this.#responded = false
    this.#chunked = false
    this.#fields = requestFields(head, this.#client.server)
    const bodyless = head.framing === 'none' || (head.framing === 'length' && head.contentLength === 0)
    this.#endAtHeaders = bodyless
    this.#early = []
    this.#earlyEnd = undefined
    if (this.#client.conn.canOpen) this.startStream()
    else this.#client.waiting.push(this)
    return bodyless ? 'none' : 'body'
  }

  startStream(): void {
    const fields = this.#fields
    if (fields === null || this.#closed) return
    this.#fields = null
    this.#stream = this.#client.conn.open(fields, this.#endAtHeaders, this)
    for (const b of this.#early) this.#client.conn.sendData(this.#stream, b, false)
    this.#early = []
    if (this.#earlyEnd !== undefined) this.#client.conn.sendData(this.#stream, null, true, this.#earlyEnd ?? undefined)
  }

  onBody(chunk: Uint8Array): void {
    const s = this.#stream
    if (s === null || this.#fields !== null) { this.#early.push(chunk); return }
    this.#client.conn.sendData(s, chunk, false)
  }

  onEnd(trailers: string[] | null): void {
    this.#reader = null // the next request is read by a new reader
    if (this.#endAtHeaders) return
    const t = trailers === null ? null : trailerFields(trailers)
    const s = this.#stream
    if (s === null || this.#fields !== null) { this.#earlyEnd = t; return }
    this.#client.conn.sendData(s, null, true, t ?? undefined)
  }

  onError(reason: string): void {
    const s = this.#stream
    if (s !== null) this.#client.conn.reset(s, CANCEL)
    this.#closeAsServer(new Error(reason))
  }

  // --- the response, from the server -------------------------------------------------------------

  #toSession(b: Uint8Array): void {
    const c = this.data
    if (c.owner !== null) c.owner.onSrvData(c, b as Buffer)
    else c.abort()
  }

  onHeaders(fields: string[], endStream: boolean): void {
    if (this.#responded) {
      // Trailers: HTTP/1.1 carries them after a chunked body only.
      this.#toSession(Buffer.from(this.#chunked ? chunkedEnd(fields) : '', 'latin1'))
      return
    }
    const r = responseHead(fields, endStream)
    if (typeof r === 'string') {
      if (this.#stream !== null) this.#client.conn.reset(this.#stream, PROTOCOL_ERROR)
      this.#closeAsServer(new Error(r))
      return
    }
    if (r.status >= 200) { this.#responded = true; this.#chunked = r.chunked }
    this.#toSession(Buffer.from(r.head, 'latin1'))
    if (endStream && r.chunked) this.#toSession(Buffer.from(chunkedEnd(null), 'latin1'))
  }

  onData(chunk: Uint8Array, endStream: boolean): void {
    if (!this.#chunked) {
      if (chunk.length > 0) this.#toSession(chunk)
      return
    }
    const parts: Uint8Array[] = []
    if (chunk.length > 0) parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'), chunk, CRLF)
    if (endStream) parts.push(Buffer.from(chunkedEnd(null), 'latin1'))
    if (parts.length > 0) this.#toSession(Buffer.concat(parts))
  }

  onReset(code: number): void {
    this.#stream = null
    this.#closeAsServer(new Error(`stream reset by the server (${code})`))
  }

  onWritable(): void {
    if (!this.#blocked) return
    this.#blocked = false
    const c = this.data
    c.owner?.onSrvDrain(c)
  }

  // --- the session's side of the socket ------------------------------------------------------------

  shutdown(): void {}

  /** The session let the connection go (closed, or aborted): its stream, if unfinished, is
   *  cancelled; the shared connection stays. */
  end(): void {
    if (this.#raw !== null) { this.#closed = true; this.#raw.end(); return }
    if (this.#closed) return
    this.#closed = true
    if (this.#rawPending) return // closed as it opens
    const s = this.#stream
    if (s !== null && !s.closed) this.#client.conn.reset(s, CANCEL)
    this.#client.detach(this)
  }

  terminate(): void {
    if (this.#raw !== null) { this.#closed = true; this.#raw.terminate(); return }
    this.end()
  }

  pause(): void {
    if (this.#raw !== null) { this.#raw.pause(); return }
    if (this.#stream !== null) this.#client.conn.setPaused(this.#stream, true)
  }

  resume(): void {
    if (this.#raw !== null) { this.#raw.resume(); return }
    if (this.#stream !== null) this.#client.conn.setPaused(this.#stream, false)
  }
}

const CRLF = Buffer.from('\r\n', 'latin1')
const HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host'])

/** The header block of an HTTP/1.1 request head sent to `server`. */
function requestFields(head: H1Head, server: Server): string[] {
  const h = head.headers
  let path = head.uri
  let authority = h.get('host') ?? ''
  const abs = /^https?:\/\/([^/?#]*)(.*)$/i.exec(path)
  if (abs !== null) { authority = abs[1]!; path = abs[2] || '/' }
  if (authority === '') authority = server.cfg.addr.port === undefined ? server.cfg.addr.host : `${server.cfg.addr.host}:${server.cfg.addr.port}`
  const out = [':method', head.method, ':scheme', server.cfg.ssl ? 'https' : 'http', ':authority', authority, ':path', path]
  let named: Set<string> | null = null
  for (let i = h.find('connection', 0); i >= 0; i = h.find('connection', i + 1)) {
    for (const t of h.value(i).split(',')) (named ??= new Set()).add(t.trim().toLowerCase())
  }
  let cookie: string | undefined
  for (let i = 0; i < h.count; i++) {
    const name = h.name(i).toLowerCase()
    if (HOP.has(name) || named?.has(name) === true) continue
    const v = h.value(i)
    if (name === 'te' && v !== 'trailers') continue
    if (name === 'cookie') { cookie = cookie === undefined ? v : `${cookie}; ${v}`; continue }
    out.push(name, v)
  }
  if (cookie !== undefined) out.push('cookie', cookie)
  return out
}
