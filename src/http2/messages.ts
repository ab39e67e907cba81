/**
 * HTTP/2 messages and their HTTP/1.1 form (RFC 9113 §8): a request's header block checked and
 * written as an HTTP/1.1 head, an HTTP/1.1 response head as a header block, and the reverse of
 * both for servers spoken to in HTTP/2; trailers both ways. Edgelb's HTTP phases, rules, logs and
 * servers read one model, the HTTP/1.1 head (http/head.ts); these translate at the edges.
 *
 * Fields are flat lists: name, value, name, value… (lower-case names, latin1 strings).
 */
import type { H1Head } from '../http/types.ts'

/** A request as its header block says, checked. */
export interface H2Request {
  method: string
  scheme: string
  authority: string
  path: string
  /** `:protocol` of an extended CONNECT (RFC 8441): `websocket`. */
  protocol: string | undefined
  /** The regular fields, in order. */
  fields: string[]
  /** Content-Length when the request has one, else -1. */
  contentLength: number
}

/** Fields that belong to one HTTP/1.1 connection and are malformed in HTTP/2 (§8.2.2). */
const CONNECTION_SPECIFIC = new Set(['connection', 'proxy-connection', 'keep-alive', 'transfer-encoding', 'upgrade'])

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/
/** A value may not hold NUL, CR or LF, nor begin or end with whitespace (§8.2.1). */
const BAD_VALUE = /[\0\r\n]|^[ \t]|[ \t]$/

/** The request a header block carries, or why it is malformed (a stream error, §8.1.1). */
export function readRequest(fields: readonly string[], connectProtocol: boolean): H2Request | string {
  let method = ''
  let scheme = ''
  let authority = ''
  let path = ''
  let protocol: string | undefined
  const seen = new Set<string>()
  const regular: string[] = []
  let contentLength = -1
  let pseudoDone = false
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!
    const value = fields[i + 1]!
    if (name.charCodeAt(0) === 0x3a) {
      if (pseudoDone) return `pseudo-header ${name} after a regular field`
      if (seen.has(name)) return `pseudo-header ${name} repeated`
      seen.add(name)
      switch (name) {
        case ':method': method = value; break
        case ':scheme': scheme = value; break
        case ':authority': authority = value; break
        case ':path': path = value; break
        case ':protocol':
          if (!connectProtocol) return ':protocol without extended CONNECT'
          protocol = value
          break
        default: return `unknown pseudo-header ${name}`
      }
      continue
    }
    pseudoDone = true
    if (!TOKEN.test(name)) return `bad field name "${name}"`
    if (BAD_VALUE.test(value)) return `bad value of ${name}`
    if (CONNECTION_SPECIFIC.has(name)) return `connection-specific field ${name}`
    if (name === 'te' && value !== 'trailers') return 'te other than "trailers"'
    if (name === 'content-length') {
      if (!/^[0-9]{1,15}$/.test(value)) return 'bad content-length'
      const n = Number(value)
      if (contentLength >= 0 && n !== contentLength) return 'conflicting content-length'
      contentLength = n
    }
    if (name === 'host' && authority === '' && !seen.has(':authority')) authority = value
    regular.push(name, value)
  }
  if (!TOKEN.test(method.toLowerCase()) || method === '') return 'missing or bad :method'
  if (method === 'CONNECT' && protocol === undefined) {
    if (seen.has(':scheme') || seen.has(':path') || authority === '') return 'CONNECT with :scheme or :path, or without :authority'
  } else {
    if (protocol !== undefined && method !== 'CONNECT') return ':protocol on a method other than CONNECT'
    if (scheme === '' || path === '') return 'missing :scheme or :path'
    if (path[0] !== '/' && !(path === '*' && method === 'OPTIONS')) return 'bad :path'
    if (/[\0-\x20\x7f]/.test(path)) return 'bad character in :path'
  }
  if (/[\0-\x20\x7f]/.test(authority)) return 'bad :authority'
  return { method, scheme, authority, path, protocol, fields: regular, contentLength }
}

/** The HTTP/1.1 head of `r`. With `endStream` (no DATA follows) the body is empty; else it has its
 *  Content-Length or, without one, is sent chunked (`chunked` tells the caller). An extended
 *  CONNECT becomes the GET and Upgrade of an HTTP/1.1 WebSocket handshake, its key made here
 *  (an HTTP/2 client sends none, RFC 8441 §5). */
export function requestHead(r: H2Request, endStream: boolean, wsKey: () => string): { head: string; chunked: boolean } {
  const tunnel = r.protocol !== undefined
  let h = `${tunnel ? 'GET' : r.method} ${r.method === 'CONNECT' && !tunnel ? r.authority : r.path} HTTP/1.1\r\n`
  // The authority is :authority, else the Host field (readRequest); without either, an empty
  // Host, as RFC 9112 §3.2 asks of a request whose target has no authority. Host fields
  // themselves are left out below.
  h += `host: ${r.authority}\r\n`
  let cookie: string | undefined
  const f = r.fields
  for (let i = 0; i < f.length; i += 2) {
    const name = f[i]!
    if (name === 'host') continue
    if (name === 'cookie') { cookie = cookie === undefined ? f[i + 1]! : `${cookie}; ${f[i + 1]!}`; continue }
    h += `${name}: ${f[i + 1]!}\r\n`
  }
  // Cookie crumbs are joined back into one field (§8.2.3).
  if (cookie !== undefined) h += `cookie: ${cookie}\r\n`
  let chunked = false
  if (tunnel) {
    h += `connection: upgrade\r\nupgrade: ${r.protocol}\r\n`
    if (!r.fields.includes('sec-websocket-key')) h += `sec-websocket-key: ${wsKey()}\r\n`
  } else if (!endStream && r.contentLength < 0) {
    h += 'transfer-encoding: chunked\r\n'
    chunked = true
  }
  return { head: `${h}\r\n`, chunked }
}

/** The header block of an HTTP/1.1 response head: its status, and its fields but those of the
 *  HTTP/1.1 connection (Connection and what it names, Keep-Alive, Transfer-Encoding, Upgrade). */
export function responseFields(res: H1Head, status = res.status): string[] {
  const out = [':status', String(status)]
  const h = res.headers
  let named: Set<string> | null = null
  for (let i = h.find('connection', 0); i >= 0; i = h.find('connection', i + 1)) {
    for (const t of h.value(i).split(',')) (named ??= new Set()).add(t.trim().toLowerCase())
  }
  for (let i = 0; i < h.count; i++) {
    const name = h.name(i).toLowerCase()
    if (CONNECTION_SPECIFIC.has(name) || named?.has(name) === true) continue
    out.push(name, h.value(i))
  }
  return out
}

/** The HTTP/1.1 head of a response an HTTP/2 server sent (`fields`), with `framing`: its
 *  Content-Length, or chunked (what the caller then writes), or none when the block ended the
 *  stream. Returns a reason instead when the block is malformed. */
export function responseHead(fields: readonly string[], endStream: boolean): { head: string; status: number; chunked: boolean } | string {
  if (fields[0] !== ':status') return 'response without :status first'
  const status = Number(fields[1])
  if (!/^[1-5][0-9][0-9]$/.test(fields[1]!)) return 'bad :status'
  let h = `HTTP/1.1 ${fields[1]} ${REASONS[status] ?? 'Other'}\r\n`
  let length = false
  for (let i = 2; i < fields.length; i += 2) {
    const name = fields[i]!
    const value = fields[i + 1]!
    if (name.charCodeAt(0) === 0x3a) return `pseudo-header ${name} in a response`
    if (!TOKEN.test(name) || BAD_VALUE.test(value)) return `bad field ${name}`
    if (CONNECTION_SPECIFIC.has(name)) continue
    if (name === 'content-length') length = true
    h += `${name}: ${value}\r\n`
  }
  const bodyless = status < 200 || status === 204 || status === 304
  let chunked = false
  if (!bodyless && !length) {
    if (endStream) h += 'content-length: 0\r\n'
    else { h += 'transfer-encoding: chunked\r\n'; chunked = true }
  }
  return { head: `${h}\r\n`, status, chunked }
}

/** The end of a chunked body with `trailers` (HTTP/2 trailers written as HTTP/1.1's). */
export function chunkedEnd(trailers: readonly string[] | null): string {
  let s = '0\r\n'
  if (trailers !== null) {
    for (let i = 0; i < trailers.length; i += 2) {
      const name = trailers[i]!
      if (name.charCodeAt(0) === 0x3a || CONNECTION_SPECIFIC.has(name)) continue
      s += `${name}: ${trailers[i + 1]!}\r\n`
    }
  }
  return `${s}\r\n`
}

/** HTTP/1.1 trailer lines (`name: value` each) as HTTP/2 fields. */
export function trailerFields(lines: readonly string[]): string[] {
  const out: string[] = []
  for (const l of lines) {
    const c = l.indexOf(':')
    if (c <= 0) continue
    const name = l.slice(0, c).trim().toLowerCase()
    if (CONNECTION_SPECIFIC.has(name) || !TOKEN.test(name)) continue
    out.push(name, l.slice(c + 1).trim())
  }
  return out
}

const REASONS: Record<number, string> = {
  100: 'Continue', 101: 'Switching Protocols', 103: 'Early Hints', 200: 'OK', 201: 'Created', 202: 'Accepted',
  204: 'No Content', 206: 'Partial Content', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 409: 'Conflict', 413: 'Payload Too Large',
  429: 'Too Many Requests', 500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
}
