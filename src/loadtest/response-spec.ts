/**
 * What a built-in backend answers: status, body size, delay, and the server's name in the body
 * and in an `x-server` header. Set per server (`edgelb serve --size/--status/--delay`) and per
 * request with the query arguments HAProxy's test server httpterm reads: `?s=SIZE` (bytes, k/m/g
 * suffixes), `?r=STATUS`, `?t=DELAY_MS` (e.g. `GET /?s=1m&t=20`).
 */
import { reasonOf } from '../http/errors.ts'

export interface ResponseSpec {
  status: number
  /** Body bytes; -1 = the default body, one line naming the server. */
  size: number
  /** Milliseconds before answering. */
  delay: number
}

/** `1024`, `4k`, `1m`, `1g` (powers of 1024) → bytes; NaN when malformed. */
export function parseSize(text: string): number {
  const m = /^(\d+)([kmg]?)$/i.exec(text.trim())
  if (!m) return NaN
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g']
  return Number(m[1]) * mult
}

/** The spec for one request: the server's, with the target's query arguments applied. */
export function specFor(target: string, base: ResponseSpec): ResponseSpec {
  const q = target.indexOf('?')
  if (q === -1) return base
  const out = { ...base }
  for (const part of target.slice(q + 1).split('&')) {
    const eq = part.indexOf('=')
    if (eq === -1) continue
    const k = part.slice(0, eq)
    const v = part.slice(eq + 1)
    if (k === 's') { const n = parseSize(v); if (n >= 0 && n <= 1024 ** 3) out.size = n }
    else if (k === 'r') { const n = Number(v); if (Number.isInteger(n) && n >= 200 && n <= 599) out.status = n }
    else if (k === 't') { const n = Number(v); if (n >= 0 && n <= 600_000) out.delay = n }
  }
  return out
}

/** The body: the default line, or exactly `size` bytes starting with it (cut, or padded with
 *  dots and ended by a newline). */
export function bodyFor(name: string, size: number): Uint8Array {
  const line = new TextEncoder().encode(`hello from ${name}\n`)
  if (size < 0) return line
  const b = new Uint8Array(size).fill(46)
  b.set(line.subarray(0, Math.min(size, line.length)))
  if (size > line.length) b[size - 1] = 10
  return b
}

/** A whole HTTP/1.1 response (head and body) as bytes, built once per distinct spec;
 *  `headLen` bytes of head (what a HEAD request gets). */
export function httpResponse(name: string, spec: ResponseSpec, close: boolean): { bytes: Uint8Array; headLen: number } {
  const noBody = spec.status === 204 || spec.status === 304
  const body = noBody ? new Uint8Array(0) : bodyFor(name, spec.size)
  const head =
    `HTTP/1.1 ${spec.status} ${reasonOf(spec.status)}\r\n` +
    `content-type: text/plain\r\n` +
    (noBody ? '' : `content-length: ${body.length}\r\n`) +
    `x-server: ${name}\r\n` +
    (close ? 'connection: close\r\n' : '') +
    '\r\n'
  const h = new TextEncoder().encode(head)
  const out = new Uint8Array(h.length + body.length)
  out.set(h)
  out.set(body, h.length)
  return { bytes: out, headLen: h.length }
}
