/**
 * Reads HTTP/1 messages off one connection: responses for the load generator, requests for the
 * built-in backends. The head goes through the fast scan in head-scan.ts, then the body as its
 * framing says (Content-Length, chunked, or — responses only — up to the close). Bytes are looked
 * at, never copied, except a head split across reads.
 *
 *   head --(1xx: next head)--> body (length | chunked | eof) --> done --reset()--> head
 */
import { createChunkedScanner } from '../http/chunked.ts'
import { headEnd, newHeadFacts, scanHead, type HeadFacts } from './head-scan.ts'

/** `feed` results besides "done at index N" (N >= 0). */
export const NEED_MORE = -1
export const BAD_RESPONSE = -2

const MAX_HEAD = 64 * 1024

export class MessageReader {
  readonly kind: 'request' | 'response'
  readonly head: HeadFacts = newHeadFacts()
  /** The proxy's own chunked-body scanner (it follows the framing without decoding). */
  readonly #chunks = createChunkedScanner()
  /** A head that arrived in pieces, gathered here. */
  #pending: Uint8Array | null = null
  #pendingLen = 0
  #phase: 'head' | 'length' | 'chunked' | 'eof' = 'head'
  #remaining = 0
  constructor(kind: 'request' | 'response') {
    this.kind = kind
  }

  /** The response answers a HEAD request: no body whatever the head says. */
  headRequest = false
  /** Bytes of the current response received so far (head and body). */
  bytes = 0
  error: string | undefined

  reset(): void {
    this.#phase = 'head'
    this.#pendingLen = 0
    this.bytes = 0
    this.error = undefined
  }

  /** The body runs until the server closes: a close then completes the response. */
  get endsAtClose(): boolean {
    return this.#phase === 'eof'
  }

  /** True once part of a response arrived (a close now loses it). */
  get started(): boolean {
    return this.bytes > 0 || this.#pendingLen > 0
  }

  /**
   * Consumes `buf` from `start`. Returns the index just past the end of the response (the rest
   * belongs to the next one), NEED_MORE, or BAD_RESPONSE (`error` says why).
   */
  feed(buf: Uint8Array, start = 0): number {
    let i = start
    const end = buf.length
    if (this.#phase === 'head') {
      let hbuf = buf
      let hs = i
      let he: number
      if (this.#pendingLen === 0) {
        he = headEnd(buf, i, end)
        if (he === -1) return this.#gather(buf, i, end)
      } else {
        const before = this.#pendingLen
        if (this.#gather(buf, i, end) === BAD_RESPONSE) return BAD_RESPONSE
        hbuf = this.#pending!
        hs = 0
        he = headEnd(hbuf, Math.max(0, before - 3), this.#pendingLen)
        if (he === -1) return NEED_MORE
        // bytes of `buf` after the head: what the head took beyond what was gathered before
        i = i + (he - before)
        this.#pendingLen = 0
      }
      const why = scanHead(hbuf, hs, he, this.kind, this.head)
      if (why !== undefined) return this.#fail(why)
      if (hbuf === buf) i = he
      this.bytes += this.head.size
      const st = this.head.status
      if (this.kind === 'response' && st < 200) {
        // interim response (100 Continue, 103 Early Hints): the real one follows
        return i >= end ? NEED_MORE : this.feed(buf, i)
      }
      if (this.kind === 'response' && (this.headRequest || st === 204 || st === 304)) return i
      if (this.head.chunked) {
        this.#chunks.reset()
        this.#phase = 'chunked'
      } else if (this.head.contentLength >= 0) {
        this.#remaining = this.head.contentLength
        if (this.#remaining === 0) return i
        this.#phase = 'length'
      } else if (this.kind === 'response') {
        this.#phase = 'eof'
      } else {
        return i
      }
    }
    if (i >= end) return NEED_MORE
    switch (this.#phase) {
      case 'length': {
        const n = Math.min(end - i, this.#remaining)
        this.#remaining -= n
        this.bytes += n
        return this.#remaining === 0 ? i + n : NEED_MORE
      }
      case 'chunked': {
        const r = this.#chunks.scan(buf, i, end)
        if (r === -1) return this.#fail(this.#chunks.error ?? 'bad chunked body')
        this.bytes += r - i
        return this.#chunks.done ? r : NEED_MORE
      }
      default:
        this.bytes += end - i
        return NEED_MORE
    }
  }

  #gather(buf: Uint8Array, from: number, to: number): number {
    const n = to - from
    if (this.#pendingLen + n > MAX_HEAD) return this.#fail(`head larger than ${MAX_HEAD} bytes`)
    if (this.#pending === null || this.#pending.length < this.#pendingLen + n) {
      const grown = new Uint8Array(Math.max(4096, (this.#pendingLen + n) * 2))
      if (this.#pending !== null) grown.set(this.#pending.subarray(0, this.#pendingLen))
      this.#pending = grown
    }
    this.#pending.set(buf.subarray(from, to), this.#pendingLen)
    this.#pendingLen += n
    return NEED_MORE
  }

  #fail(why: string): number {
    this.error = why
    return BAD_RESPONSE
  }
}
