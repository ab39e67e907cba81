/**
 * Reads an HTTP/1.1 message that edgelb itself wrote toward an HTTP/2 peer (a response the
 * session answers a stream with, a request it sends a server spoken to in HTTP/2), as it is
 * written: its head, then its body decoded (Content-Length, chunked with its trailers, or up to
 * the end), for the translation into frames. The writer already checked the framing; a message
 * this reader cannot follow is reported once (`onError`) and the rest ignored.
 *
 *   head --final head--> body --end of body--> done
 *     `--1xx: the next head    `--tunnel (101, CONNECT): every byte after it is data
 */
import { createRequestParser, createResponseParser } from '../http/h1-parser.ts'
import type { H1Head, H1Parser } from '../http/types.ts'

/** What follows a head, as the reader's user decides it. */
export type AfterHead = 'body' | 'none' | 'tunnel' | 'next'

export interface H1ReaderEvents {
  /** A head; the answer says what follows it ('body': by its framing). */
  onHead(head: H1Head): AfterHead
  onBody(chunk: Uint8Array): void
  /** The message ended (`trailers`: the trailer lines of a chunked body, else null). */
  onEnd(trailers: string[] | null): void
  onError(reason: string): void
}

const S_HEAD = 0
const S_LENGTH = 1
const S_CHUNK_SIZE = 2
const S_CHUNK_EXT = 3
const S_CHUNK_DATA = 4
const S_CHUNK_CRLF = 5
const S_TRAILER = 6
const S_EOF = 7
const S_TUNNEL = 8
const S_DONE = 9

/** Parsers shared by every reader (one per kind): a head is parsed within one `feed`, and one
 *  that needs more bytes is parsed again from its start with them, so none keeps a parser. */
const shared = { request: null as H1Parser | null, response: null as H1Parser | null }
const LIMITS = { maxHead: 65536, maxHeaders: 1000 }

export class H1Reader {
  readonly #parser: H1Parser
  readonly #ev: H1ReaderEvents
  #state = S_HEAD
  #head: Uint8Array | null = null
  #remain = 0
  #sizeDigits = 0
  #line = ''
  #trailers: string[] | null = null

  constructor(kind: 'request' | 'response', ev: H1ReaderEvents) {
    this.#parser = (shared[kind] ??= kind === 'request' ? createRequestParser(LIMITS) : createResponseParser(LIMITS))
    this.#ev = ev
  }

  get done(): boolean {
    return this.#state === S_DONE
  }

  /** Up to the end (framing `eof`): the message ends now. */
  close(): void {
    if (this.#state === S_EOF || this.#state === S_TUNNEL) { this.#state = S_DONE; this.#ev.onEnd(null) }
  }

  feed(chunk: Uint8Array): void {
    let buf = chunk
    let p = 0
    while (p < buf.length && this.#state !== S_DONE) {
      switch (this.#state) {
        case S_HEAD: {
          const all = this.#head === null ? (p === 0 ? buf : buf.subarray(p)) : Buffer.concat([this.#head, buf.subarray(p)])
          const parser = this.#parser
          parser.reset()
          const r = parser.parse(all, all.length)
          parser.reset()
          if (r.kind === 'need-more') { this.#head = Buffer.from(all); return }
          this.#head = null
          if (r.kind === 'error') { this.#fail(`bad head: ${r.reason}`); return }
          buf = all
          p = r.head.size
          const next = this.#ev.onHead(r.head)
          if (next === 'next') continue
          if (next === 'tunnel') { this.#state = S_TUNNEL; continue }
          const f = r.head.framing
          if (next === 'none' || f === 'none' || (f === 'length' && r.head.contentLength === 0)) { this.#end(null); return }
          if (f === 'length') { this.#state = S_LENGTH; this.#remain = r.head.contentLength }
          else if (f === 'chunked') { this.#state = S_CHUNK_SIZE; this.#remain = 0; this.#sizeDigits = 0 }
          else this.#state = S_EOF
          continue
        }
        case S_LENGTH: {
          const n = Math.min(this.#remain, buf.length - p)
          this.#ev.onBody(p === 0 && n === buf.length ? buf : buf.subarray(p, p + n))
          p += n
          this.#remain -= n
          if (this.#remain === 0) { this.#end(null); return }
          continue
        }
        case S_EOF:
        case S_TUNNEL:
          this.#ev.onBody(p === 0 ? buf : buf.subarray(p))
          return
        case S_CHUNK_SIZE: {
          const c = buf[p++]!
          const d = hexValue(c)
          if (d >= 0) {
            if (++this.#sizeDigits > 13) { this.#fail('chunk size too large'); return }
            this.#remain = this.#remain * 16 + d
          } else if (c === 0x0d || c === 0x3b || c === 0x20 || c === 0x09) this.#state = S_CHUNK_EXT
          else if (c === 0x0a) this.#afterSize()
          else { this.#fail('bad chunk size'); return }
          continue
        }
        case S_CHUNK_EXT:
          if (buf[p++] === 0x0a) this.#afterSize()
          continue
        case S_CHUNK_DATA: {
          const n = Math.min(this.#remain, buf.length - p)
          this.#ev.onBody(buf.subarray(p, p + n))
          p += n
          this.#remain -= n
          if (this.#remain === 0) this.#state = S_CHUNK_CRLF
          continue
        }
        case S_CHUNK_CRLF:
          if (buf[p++] === 0x0a) { this.#state = S_CHUNK_SIZE; this.#remain = 0; this.#sizeDigits = 0 }
          continue
        case S_TRAILER: {
          const lf = buf.indexOf(0x0a, p)
          const end = lf < 0 ? buf.length : lf
          this.#line += Buffer.from(buf.buffer, buf.byteOffset + p, end - p).toString('latin1')
          if (this.#line.length > 65536) { this.#fail('trailers too large'); return }
          p = lf < 0 ? buf.length : lf + 1
          if (lf < 0) continue
          const line = this.#line.endsWith('\r') ? this.#line.slice(0, -1) : this.#line
          this.#line = ''
          if (line === '') { this.#end(this.#trailers); return }
          (this.#trailers ??= []).push(line)
          continue
        }
      }
    }
  }

  #afterSize(): void {
    if (this.#sizeDigits === 0) { this.#fail('missing chunk size'); return }
    if (this.#remain === 0) { this.#state = S_TRAILER; this.#line = ''; this.#trailers = null; return }
    this.#state = S_CHUNK_DATA
  }

  #end(trailers: string[] | null): void {
    this.#state = S_DONE
    this.#ev.onEnd(trailers)
  }

  #fail(reason: string): void {
    this.#state = S_DONE
    this.#ev.onError(reason)
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  return -1
}
