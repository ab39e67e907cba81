/**
 * The responses edgelb writes itself: error pages (400 bad request, 408 request timeout, 502 bad
 * gateway, 503 no server, 504 server timeout…), the monitor answer, and `errorfile` overrides.
 *
 * Each page is built once, as bytes, at start: answering an error costs one write. A page is a
 * complete HTTP/1.1 response closing the connection, as a load balancer answers when it cannot
 * trust what follows on the connection. `errorfile CODE FILE` replaces a page with the file's
 * bytes, sent as they are (the file holds the status line, the headers and the body).
 */
import { readFileSync } from 'node:fs'

/** Reason phrases (RFC 9110) for the statuses edgelb writes or validates. */
export const REASONS: Readonly<Record<number, string>> = {
  100: 'Continue', 101: 'Switching Protocols', 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content',
  206: 'Partial Content', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 407: 'Proxy Authentication Required',
  408: 'Request Timeout', 410: 'Gone', 413: 'Payload Too Large', 414: 'URI Too Long', 421: 'Misdirected Request', 422: 'Unprocessable Content',
  425: 'Too Early', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error',
  501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
}

/** What each page says to the person who sees it. */
const EXPLANATIONS: Readonly<Record<number, string>> = {
  200: 'edgelb is running.',
  400: 'The request could not be understood.',
  401: 'Credentials are needed to reach this content.',
  403: 'The request was refused by the load balancer\'s rules.',
  404: 'Nothing is here.',
  405: 'This method is not allowed here.',
  407: 'Proxy credentials are needed.',
  408: 'The request did not arrive completely in time.',
  410: 'This resource is gone for good.',
  413: 'The request is larger than allowed.',
  414: 'The request URI is longer than allowed.',
  422: 'The request uses a transfer coding other than chunked.',
  425: 'The request was sent too early.',
  429: 'Too many requests were sent in a short time.',
  431: 'The request headers are larger than allowed.',
  500: 'The load balancer met an internal error.',
  501: 'The request asks for something the load balancer does not implement.',
  502: 'The server sent an invalid or incomplete response.',
  503: 'No server is available to handle this request.',
  504: 'The server did not answer in time.',
}

/** The reason phrase of `status`: RFC 9110's, else its class's as HAProxy words it. */
export function reasonOf(status: number): string {
  const r = REASONS[status]
  if (r !== undefined) return r
  if (status < 100 || status > 599) return 'Other'
  return status < 200 ? 'Informational' : status < 300 ? 'Success' : status < 400 ? 'Redirection' : status < 500 ? 'Client Error' : 'Server Error'
}

/** A complete response edgelb sends: `Connection: close` unless `keepAlive`. */
export function buildResponse(status: number, body: string, options: { contentType?: string; keepAlive?: boolean; headers?: readonly [string, string][] } = {}): Uint8Array {
  const bytes = Buffer.from(body, 'utf8')
  let head = `HTTP/1.1 ${status} ${reasonOf(status)}\r\ncontent-length: ${bytes.length}\r\ncache-control: no-cache\r\ncontent-type: ${options.contentType ?? 'text/html'}\r\n`
  for (const [n, v] of options.headers ?? []) head += `${n}: ${v}\r\n`
  if (!options.keepAlive) head += 'connection: close\r\n'
  return Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), bytes])
}

/** The default page for `status`: a short HTML body naming the status and what it means. */
export function defaultPage(status: number): Uint8Array {
  const what = EXPLANATIONS[status] ?? reasonOf(status)
  return buildResponse(status, `<html><body><h1>${status} ${reasonOf(status)}</h1>\n${what}\n</body></html>\n`)
}

/** The statuses edgelb may answer with on its own, and so the ones `errorfile` may replace. */
export const ERROR_STATUSES: readonly number[] = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 414, 422, 425, 429, 431, 500, 501, 502, 503, 504]

/** The pages of one proxy: defaults, with its `errorfile` lines applied. Throws (naming the file)
 *  when a file cannot be read, before anything binds. */
export class ErrorPages {
  readonly #pages = new Map<number, Uint8Array>()
  /** Statuses whose page in #pages is the default one (built on demand). */
  readonly #defaults = new Set<number>()
  readonly #open = new Map<number, Uint8Array | null>()

  constructor(errorFiles: Readonly<Record<number, string>> = {}) {
    for (const [code, path] of Object.entries(errorFiles)) {
      let bytes: Uint8Array
      try {
        bytes = readFileSync(path)
      } catch (e) {
        throw new Error(`errorfile ${code} '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
      }
      this.#pages.set(Number(code), bytes)
    }
  }

  page(status: number): Uint8Array {
    let p = this.#pages.get(status)
    if (!p) {
      p = defaultPage(status)
      this.#pages.set(status, p)
      this.#defaults.add(status)
    }
    return p
  }

  /** The page for `status` on a connection that stays open: the default page without
   *  `connection: close`, or the errorfile as it is unless its head says `Connection: close`
   *  (null: the page closes the connection; always for 400 and 408). */
  keepAlivePage(status: number): Uint8Array | null {
    // A bad request and a request that did not arrive in time close, as HAProxy's pages for them do.
    if (status === 400 || status === 408) return null
    let p = this.#open.get(status)
    if (p === undefined) {
      const file = this.#pages.get(status)
      p = file === undefined || this.#defaults.has(status) ? keepAliveDefault(status) : saysClose(file) ? null : file
      this.#open.set(status, p)
    }
    return p
  }
}

function keepAliveDefault(status: number): Uint8Array {
  const what = EXPLANATIONS[status] ?? reasonOf(status)
  return buildResponse(status, `<html><body><h1>${status} ${reasonOf(status)}</h1>\n${what}\n</body></html>\n`, { keepAlive: true })
}

/** Whether the head of a whole response (an errorfile) has `Connection: close`. */
function saysClose(page: Uint8Array): boolean {
  const text = Buffer.from(page.subarray(0, 8192)).toString('latin1')
  const end = text.indexOf('\r\n\r\n')
  return /\r\nconnection:[^\r]*\bclose\b/i.test(end < 0 ? text : text.slice(0, end))
}
