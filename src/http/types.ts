/**
 * HTTP/1.x messages as edgelb's parser hands them over, and the contracts between the parser
 * (h1-parser.ts, head.ts, chunked.ts) and the code that uses it (the HTTP session, health checks,
 * rules, the built-in benchmark backends).
 *
 * A head is parsed from the bytes as received: names and values stay offsets into that buffer and
 * become strings only when asked for. A head nobody edited is forwarded as the very bytes it was
 * parsed from (`encode()` returns a subarray, no copy); an edited one is written anew.
 */

/** 20: a request that came over HTTP/2 (its head is the HTTP/1.1 form of it, proxy/h2/). */
export type HttpVersion = 10 | 11 | 20

/**
 * How a message body is delimited (RFC 9112 §6.3):
 * - `none`: no body (a request without Content-Length or Transfer-Encoding; 1xx, 204, 304);
 * - `length`: exactly `contentLength` bytes;
 * - `chunked`: chunked transfer coding, ends with the last chunk and its trailers;
 * - `eof`: a response without either, which ends when the server closes.
 */
export type BodyFraming = 'none' | 'length' | 'chunked' | 'eof'

/** The header fields of one head, in order. Lookups take lower-case names and compare without
 *  case; names keep the case they were received in (and are written back that way). Edits mark
 *  the head as changed, so that `encode()` writes it anew. */
export interface HeaderList {
  readonly count: number
  /** The name of field `i`, as received. */
  name(i: number): string
  /** The value of field `i`, leading and trailing whitespace removed. */
  value(i: number): string
  /** The index of the first field named `lname` at or after `from`, or -1. `from` is required
   *  even when it is 0: JSC fixes up the frame of a call with fewer arguments than parameters,
   *  which made a lookup cost about 2.5 times as much. */
  find(lname: string, from: number): number
  /** The value of the first field named `lname`. */
  get(lname: string): string | undefined
  /** Appends a field. */
  add(name: string, value: string): void
  /** Replaces every field named like `name` by one field (appended if there was none). */
  set(name: string, value: string): void
  /** Sets the value of field `i`. */
  setValue(i: number, value: string): void
  /** Removes every field named `lname`; returns how many. */
  remove(lname: string): number
  removeAt(i: number): void
}

export interface H1Head {
  readonly kind: 'request' | 'response'
  /** Request line (empty strings in a response). Setting them marks the head changed. */
  method: string
  uri: string
  /** Status line (0 and '' in a request). */
  status: number
  reason: string
  version: HttpVersion
  readonly headers: HeaderList
  /** Framing as the head declares it. For a response, the session still applies what the
   *  request implies (a response to HEAD has no body). */
  framing: BodyFraming
  /** Body length when `framing` is `length`, else -1. */
  contentLength: number
  /** Tokens of the Connection header (and HTTP/1.0's default): `close`, `keep-alive`, `upgrade`. */
  readonly connClose: boolean
  readonly connKeepAlive: boolean
  readonly connUpgrade: boolean
  /** `Expect: 100-continue` (requests). */
  readonly expectContinue: boolean
  /** The message had both Transfer-Encoding and Content-Length: Content-Length was removed, the
   *  body is read as chunked, and the connection must close after this exchange (RFC 9112 §6.3). */
  readonly mustClose: boolean
  /** Bytes the head took in the received buffer: start line through the empty line. */
  readonly size: number
  /** Whether anything was edited since parsing. */
  readonly changed: boolean
  /** The head would be sent as received and starts at the received buffer's first byte: the
   *  head and what follows it in that buffer can then go out as the very same bytes. */
  readonly verbatim: boolean
  /** The head as bytes to send: the received bytes when unchanged, else written anew. */
  encode(): Uint8Array
}

/** Limits a parser enforces (from `tune.bufsize`, `tune.maxrewrite` and `tune.http.maxhdr`). */
export interface H1Limits {
  /** Largest head accepted, in bytes. */
  maxHead: number
  /** Most header fields accepted. */
  maxHeaders: number
}

/** Why a head was refused, as the status HAProxy answers it with (a response parser reports
 *  502: the client is told the server misbehaved). */
export type H1ErrorStatus = 400 | 414 | 422 | 431 | 502

export type H1Result =
  | { kind: 'need-more' }
  | { kind: 'error'; status: H1ErrorStatus; pos: number; reason: string }
  | { kind: 'done'; head: H1Head }

/**
 * An incremental head parser; one per connection direction, reused message after message.
 *
 * `parse(buf, len)` reads the head that starts at `buf[0]` and of which `len` bytes have arrived.
 * On `need-more` it remembers where it stopped; the next call must pass a buffer whose first
 * `len` bytes are the same (the caller appends what arrived), and parsing resumes there instead
 * of reading the head again. After `done` or `error`, `reset()` prepares for the next message.
 * The head's `size` tells where the body (or the next message) starts in `buf`.
 */
export interface H1Parser {
  reset(): void
  parse(buf: Uint8Array, len: number): H1Result
}

/** What a chunked scanner outputs: nothing (it follows the framing), the body re-encoded
 *  canonically (for the next hop), or the chunks' data alone (for an HTTP/1.0 client). */
export type ChunkedOutput = 'none' | 'canonical' | 'data'

/**
 * Follows a chunked body as it streams through: chunk sizes, chunk extensions, CRLFs, the last
 * chunk and the trailer section, every line validated before any of it is output.
 *
 * `scan(buf, start, end)` consumes bytes of `buf[start, end)` and returns the index just past the
 * last byte that belongs to this body: `end` while the body goes on, less than `end` when the
 * body ended inside the range (`done` is then true, and the rest belongs to the next message),
 * or -1 on a framing error (`error` says what; `out` is then empty). After a scan, `out` holds
 * what to forward of it in the output chosen at `reset(output)` (subarrays of `buf` for what
 * goes on as received; reused from scan to scan: take its pieces before the next one).
 */
export interface ChunkedScanner {
  readonly done: boolean
  readonly error: string | undefined
  readonly out: Uint8Array[]
  reset(output?: ChunkedOutput): void
  scan(buf: Uint8Array, start: number, end: number): number
}
