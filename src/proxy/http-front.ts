/**
 * What the `mode http` sessions of one frontend share, built once when the frontend is: the
 * parsers' limits (from `tune.bufsize`, `tune.maxrewrite` and `tune.http.maxhdr`), the error
 * pages (with its `errorfile` lines), and the headers `capture request|response header` keeps
 * for the log.
 */
import type { GlobalConfig, ProxyConfig } from '../config/types.ts'
import { ErrorPages } from '../http/errors.ts'
import { createRequestParser, createResponseParser } from '../http/h1-parser.ts'
import type { H1Limits, H1Parser } from '../http/types.ts'

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

  constructor(cfg: ProxyConfig, tune: GlobalConfig['tune']) {
    this.bufsize = tune.bufsize
    // A head must leave room in the buffer for the headers edgelb adds (HAProxy's maxrewrite:
    // 1024 bytes, or half the buffer when that is smaller).
    const reserve = tune['maxrewrite'] ?? Math.min(1024, tune.bufsize >> 1)
    this.limits = { maxHead: tune.bufsize - reserve, maxHeaders: tune.maxhdr }
    this.errors = new ErrorPages(cfg.errorFiles)
    this.captures = {
      request: cfg.captures.filter((c) => c.kind === 'request').map((c) => ({ lname: c.header.toLowerCase(), len: c.len })),
      response: cfg.captures.filter((c) => c.kind === 'response').map((c) => ({ lname: c.header.toLowerCase(), len: c.len })),
    }
  }

  requestParser(): H1Parser {
    return createRequestParser(this.limits)
  }

  responseParser(): H1Parser {
    return createResponseParser(this.limits)
  }
}
