/**
 * HTTP pieces for end-to-end tests: a real HTTP/1.x origin server that records every request
 * exactly as it arrived (bytes), answers with what the test says, and keeps connections alive or
 * closes them as HTTP says; and a raw client that sends exact bytes and reads exact responses.
 * Deliberately simple and independent of edgelb's own parser: it must be able to disagree.
 */
import { connectClient, startServer, type ClientOptions, type TestConn, type TestServer } from './harness.ts'

export type { TestConn }

export interface SeenRequest {
  /** The head as received, CRLFs included. */
  head: string
  body: string
  /** Which server connection carried it (index in server.conns). */
  conn: number
  method: string
  uri: string
  headers: [string, string][]
  header(name: string): string | undefined
}

export type Responder = (req: SeenRequest, server: HttpOrigin) => string | Uint8Array | null

export interface HttpOrigin extends AsyncDisposable {
  readonly name: string
  readonly port: number
  readonly tcp: TestServer
  readonly requests: SeenRequest[]
  respond: Responder
  waitRequests(n: number, ms?: number): Promise<void>
}

/** `HTTP/1.1 200 OK` with a body naming the server; keep-alive unless the request said close. */
export function okResponse(body: string, extra = '', version = '1.1'): string {
  return `HTTP/${version} 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`
}

function parseHead(head: string): { method: string; uri: string; headers: [string, string][] } {
  const lines = head.split('\r\n')
  const [method = '', uri = ''] = lines[0]!.split(' ')
  const headers: [string, string][] = []
  for (const l of lines.slice(1)) {
    if (l === '') continue
    const i = l.indexOf(':')
    headers.push([l.slice(0, i), l.slice(i + 1).trim()])
  }
  return { method, uri, headers }
}

/** Where a chunked body starting at `from` ends (after its trailers), or -1 if incomplete. */
function chunkedEnd(buf: string, from: number): number {
  let i = from
  for (;;) {
    const eol = buf.indexOf('\r\n', i)
    if (eol < 0) return -1
    const size = parseInt(buf.slice(i, eol).split(';')[0]!, 16)
    if (size === 0) {
      const end = buf.indexOf('\r\n\r\n', eol)
      if (buf.startsWith('\r\n', eol + 2)) return eol + 4
      return end < 0 ? -1 : end + 4
    }
    i = eol + 2 + size + 2
    if (buf.length < i) return -1
  }
}

/**
 * An origin server on 127.0.0.1:0. Each request is recorded, then answered with
 * `respond(req)` (null: no answer, the test drives the connection). An HTTP/1.0 request without
 * keep-alive, or a response that says `Connection: close`, closes the connection after.
 */
export function startHttpServer(name: string, respond?: Responder, options: { host?: string } = {}): HttpOrigin {
  const tcp = startServer(name, 'manual', options)
  const requests: SeenRequest[] = []
  const origin: HttpOrigin = {
    name,
    port: tcp.port,
    tcp,
    requests,
    respond: respond ?? ((req) => okResponse(name, req.header('connection')?.toLowerCase() === 'close' ? 'Connection: close\r\n' : '')),
    waitRequests(n, ms = 5000) {
      return tcp.changed.until(() => requests.length >= n, `${name} to receive ${n} request(s) (has ${requests.length})`, ms)
    },
    async [Symbol.asyncDispose]() { await tcp[Symbol.asyncDispose]() },
  }
  tcp.onAccept = (c: TestConn) => {
    const index = tcp.conns.indexOf(c)
    let buf = ''
    c.onData = (cc, chunk) => {
      buf += chunk.toString('latin1')
      for (;;) {
        const end = buf.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = buf.slice(0, end + 4)
        const parsed = parseHead(head)
        const get = (n: string): string | undefined => parsed.headers.find(([k]) => k.toLowerCase() === n)?.[1]
        let body = ''
        let used = end + 4
        const cl = get('content-length')
        if (cl !== undefined) {
          const n = Number(cl)
          if (buf.length < used + n) return
          body = buf.slice(used, used + n)
          used += n
        } else if (get('transfer-encoding')?.toLowerCase().includes('chunked')) {
          const end = chunkedEnd(buf, used)
          if (end < 0) return
          body = buf.slice(used, end)
          used = end
        }
        buf = buf.slice(used)
        const req: SeenRequest = { head, body, conn: index, ...parsed, header: get }
        requests.push(req)
        tcp.changed.notify()
        const answer = origin.respond(req, origin)
        if (answer === null) continue
        void cc.write(answer)
        const text = typeof answer === 'string' ? answer : Buffer.from(answer).toString('latin1')
        const resHead = text.slice(0, text.indexOf('\r\n\r\n')).toLowerCase()
        const closeAfter = /\r\nconnection: *close/.test(resHead) || head.startsWith(`${parsed.method} ${parsed.uri} HTTP/1.0`) && !/\r\nconnection: *keep-alive/i.test(head) || resHead.startsWith('http/1.0') && !/\r\nconnection: *keep-alive/.test(resHead)
        if (closeAfter) { cc.shutdown(); return }
      }
    }
    c.onEnd = (cc) => { cc.shutdown() }
  }
  return origin
}

/** The requests `o` received that are not health checks (HEAD and OPTIONS, what the checks of
 *  these scenarios send). */
export function traffic(o: HttpOrigin): SeenRequest[] {
  return o.requests.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')
}

/** Lets `tap` see each chunk an origin's connections receive before the origin parses it (to
 *  answer `100 Continue`, or to take over an upgraded connection); a chunk is parsed only if `tap`
 *  returns true. */
export function tapChunks(origin: HttpOrigin, tap: (c: TestConn, chunk: Buffer) => boolean): void {
  const accept = origin.tcp.onAccept
  origin.tcp.onAccept = (c) => {
    accept?.(c)
    const parse = c.onData!
    c.onData = (cc, chunk) => { if (tap(cc, chunk)) parse(cc, chunk) }
  }
}

/** Answers a request that the responder left unanswered (it returned null). */
export function answer(origin: HttpOrigin, req: SeenRequest, response: string): void {
  const c = origin.tcp.conns[req.conn]!
  void c.write(response)
  if (/\r\nconnection: *close/i.test(response.slice(0, response.indexOf('\r\n\r\n')))) c.shutdown()
}

/** A raw HTTP client: exact bytes out, exact bytes in (`connectClient`, named for HTTP tests). */
export const httpClient: (port: number, options?: ClientOptions) => Promise<TestConn & Disposable> = connectClient

/** The body of one response (what follows its head). */
export function bodyOf(response: string): string {
  return response.slice(response.indexOf('\r\n\r\n') + 4)
}

/** The complete responses (head + Content-Length body) received so far on `c`. */
export function responses(c: TestConn): string[] {
  const out: string[] = []
  let text = c.bytes().toString('latin1')
  for (;;) {
    const end = text.indexOf('\r\n\r\n')
    if (end < 0) break
    const head = text.slice(0, end + 4)
    const m = /\r\ncontent-length: *(\d+)/i.exec(head)
    const n = m ? Number(m[1]) : (/^HTTP\/1\.\d (1\d\d|204|304)/.test(head) ? 0 : c.eof || c.closed ? text.length - end - 4 : -1)
    if (n < 0 || text.length < end + 4 + n) break
    out.push(text.slice(0, end + 4 + n))
    text = text.slice(end + 4 + n)
  }
  return out
}

/** Waits until `n` complete responses arrived on `c`, and returns them. */
export async function waitResponses(c: TestConn, n: number, ms = 5000): Promise<string[]> {
  await c.changed.until(() => responses(c).length >= n, `${n} response(s) (have ${JSON.stringify(c.text().slice(0, 300))})`, ms)
  return responses(c)
}

/** Sends one request on a new connection and returns the response text: read until close, or
 *  until a complete response that leaves the connection open has arrived (edgelb's own answers
 *  keep it open as HAProxy's do). `host`: the proxy's address when it is not 127.0.0.1; `from`:
 *  the client's address. */
export async function rawExchange(port: number, request: string, options: { ms?: number; from?: string; host?: string } = {}): Promise<string> {
  const ms = options.ms ?? 5000
  using c = await connectClient(port, { host: options.host, localAddress: options.from })
  await c.write(request)
  const keptOpen = (): boolean => {
    const [first] = responses(c)
    return first !== undefined && first.startsWith('HTTP/1.1 ') && !/\r\nconnection: *close\r\n/i.test(first.slice(0, first.indexOf('\r\n\r\n') + 2))
  }
  await c.changed.until(() => c.eof || c.closed || keptOpen(), `a response or the end of the connection (have ${JSON.stringify(c.text().slice(0, 300))})`, ms)
  return c.text()
}
