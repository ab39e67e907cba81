/**
 * What the `mode http` sessions of one frontend share, built once when the frontend is: the
 * parsers' limits (from `tune.bufsize`, `tune.maxrewrite` and `tune.http.maxhdr`), the error
 * pages (with its `errorfile` lines), the headers `capture request|response header` keeps
 * for the log, and its forwardfor / originalto options.
 */
import type { GlobalConfig, ProxyConfig } from '../model/types.ts'
import { ErrorPages } from '../http/errors.ts'
import { compileForwardFor, compileOriginalTo, type ForwardFor, type OriginalTo } from '../http/forwarded.ts'
import { createRequestParser, createResponseParser } from '../http/h1-parser.ts'
import type { H1Limits, H1Parser } from '../http/types.ts'

/** Idle parsers kept per frontend and direction. */
const SPARE_PARSERS = 256

export interface Capture {
  /** Header name, lower case. */
  lname: string
  /** Characters kept. */
  len: number
}

export class HttpFront {
  /** The most bytes of a message edgelb holds at once (`tune.bufsize`). */
  readonly bufsize: number
  readonly limits: H1Limits
  readonly errors: ErrorPages
  readonly captures: { request: Capture[]; response: Capture[] }
  /** This frontend's `option forwardfor` / `option originalto`, compiled (null: none); a
   *  backend's own win. */
  readonly forwardFor: ForwardFor | null
  readonly originalTo: OriginalTo | null

  constructor(cfg: ProxyConfig, tune: GlobalConfig['tune']) {
    this.bufsize = tune.bufsize
    // A head must leave room in the buffer for the headers edgelb adds (HAProxy's maxrewrite:
    // 1024 bytes, or half the buffer when that is smaller).
    const reserve = tune['maxrewrite'] ?? Math.min(1024, tune.bufsize >> 1)
    // `tune.http.maxhdr` counts the start line, as HAProxy's does: 101 allows 100 fields.
    this.limits = { maxHead: tune.bufsize - reserve, maxHeaders: Math.max(1, tune.maxhdr - 1) }
    this.errors = new ErrorPages(cfg.errorFiles)
    this.captures = {
      request: cfg.captures.filter((c) => c.kind === 'request').map((c) => ({ lname: c.header.toLowerCase(), len: c.len })),
      response: cfg.captures.filter((c) => c.kind === 'response').map((c) => ({ lname: c.header.toLowerCase(), len: c.len })),
    }
    this.forwardFor = cfg.forwardFor ? compileForwardFor(cfg.forwardFor) : null
    this.originalTo = cfg.originalTo ? compileOriginalTo(cfg.originalTo) : null
  }

  // Parsers are lent to a session only while it reads a head (their offset tables are the bulk
  // of a session's memory, and an idle keep-alive connection needs none), then come back here.
  readonly #reqFree: H1Parser[] = []
  readonly #resFree: H1Parser[] = []

  takeRequestParser(): H1Parser {
    return this.#reqFree.pop() ?? createRequestParser(this.limits)
  }

  takeResponseParser(): H1Parser {
    return this.#resFree.pop() ?? createResponseParser(this.limits)
  }

  /** Gives a parser back (reset); a few are kept for the next heads. */
  giveRequestParser(p: H1Parser): void {
    p.reset()
    if (this.#reqFree.length < SPARE_PARSERS) this.#reqFree.push(p)
  }

  giveResponseParser(p: H1Parser): void {
    p.reset()
    if (this.#resFree.length < SPARE_PARSERS) this.#resFree.push(p)
  }

  /** A parser of its own, for a one-off parse (edgelb's own pages). */
  responseParser(): H1Parser {
    return createResponseParser(this.limits)
  }
}
