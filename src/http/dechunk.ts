/**
 * The data of a chunked body, out of its framing, for what must see the body itself (the cache
 * storing a response). The bytes are those the session's chunked scanner (chunked.ts) already
 * accepted; trailers are dropped. Feed them as they arrive, in pieces cut anywhere.
 *
 *   size --CRLF--> data --n bytes--> data-crlf --CRLF--> size
 *     `--size 0 CRLF--> trailers --empty line--> done
 */
export class Dechunker {
  #state: 'size' | 'ext' | 'data' | 'data-crlf' | 'trailers' | 'done' = 'size'
  #size = 0
  #remain = 0
  /** Trailer line length so far (0 at the start of a line). */
  #line = 0

  get done(): boolean { return this.#state === 'done' }

  /** Calls `out` with each piece of chunk data in `buf`. */
  feed(buf: Uint8Array, out: (data: Uint8Array) => void): void {
    let i = 0
    const n = buf.length
    while (i < n && this.#state !== 'done') {
      const c = buf[i]!
      switch (this.#state) {
        case 'size': {
          const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1
          if (d >= 0) { this.#size = this.#size * 16 + d; i++; break }
          this.#state = 'ext'
          break
        }
        case 'ext':
          i++
          if (c === 10) {
            if (this.#size === 0) { this.#state = 'trailers'; this.#line = 0 }
            else { this.#remain = this.#size; this.#state = 'data' }
            this.#size = 0
          }
          break
        case 'data': {
          const take = Math.min(this.#remain, n - i)
          out(buf.subarray(i, i + take))
          i += take
          this.#remain -= take
          if (this.#remain === 0) this.#state = 'data-crlf'
          break
        }
        case 'data-crlf':
          i++
          if (c === 10) this.#state = 'size'
          break
        case 'trailers':
          i++
          if (c === 10) {
            if (this.#line === 0) this.#state = 'done'
            this.#line = 0
          } else if (c !== 13) this.#line++
          break
      }
    }
  }
}
