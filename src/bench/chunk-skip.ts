/**
 * Follows a chunked body without decoding it, for the built-in load generator and backends:
 * chunk sizes (hex, with extensions), data, CRLFs, the last chunk and trailers.
 *
 *   size --CRLF--> data(n) --CRLF--> size ... size 0 --CRLF--> trailer lines --empty line--> done
 */

// states (plain numbers: no enum, so every runtime strips the types alone)
const S = { Size: 0, Ext: 1, SizeLf: 2, Data: 3, DataCr: 4, DataLf: 5, Trailer: 6, TrailerLf: 7, TrailerLine: 8, Done: 9 } as const
type State = (typeof S)[keyof typeof S]

export class ChunkSkipper {
  #s: State = S.Size
  #remaining = 0
  #digits = 0
  /** Data bytes seen (the decoded body length). */
  bodyBytes = 0
  error: string | undefined

  reset(): void {
    this.#s = S.Size
    this.#remaining = 0
    this.#digits = 0
    this.bodyBytes = 0
    this.error = undefined
  }

  get done(): boolean {
    return this.#s === S.Done
  }

  /** Consumes buf[start, end); returns the index just past the body's last byte (less than `end`
   *  when the body ended inside), `end` while it goes on, or -1 on a framing error. */
  scan(buf: Uint8Array, start: number, end: number): number {
    let i = start
    while (i < end) {
      switch (this.#s) {
        case S.Data: {
          const n = Math.min(this.#remaining, end - i)
          this.#remaining -= n
          this.bodyBytes += n
          i += n
          if (this.#remaining === 0) this.#s = S.DataCr
          break
        }
        case S.Size: {
          const c = buf[i]!
          const d = c >= 48 && c <= 57 ? c - 48 : (c | 0x20) >= 97 && (c | 0x20) <= 102 ? (c | 0x20) - 87 : -1
          if (d >= 0) {
            if (++this.#digits > 12) return this.#fail('chunk size too long')
            this.#remaining = this.#remaining * 16 + d
          } else if (this.#digits === 0) return this.#fail('bad chunk size')
          else if (c === 13) this.#s = S.SizeLf
          else if (c === 59 || c === 32 || c === 9) this.#s = S.Ext
          else return this.#fail('bad chunk size')
          i++
          break
        }
        case S.Ext:
          if (buf[i] === 13) this.#s = S.SizeLf
          i++
          break
        case S.SizeLf:
          if (buf[i] !== 10) return this.#fail('chunk size line not ended by CRLF')
          i++
          this.#digits = 0
          this.#s = this.#remaining === 0 ? S.Trailer : S.Data
          break
        case S.DataCr:
          if (buf[i] !== 13) return this.#fail('chunk data not followed by CRLF')
          i++
          this.#s = S.DataLf
          break
        case S.DataLf:
          if (buf[i] !== 10) return this.#fail('chunk data not followed by CRLF')
          i++
          this.#s = S.Size
          break
        case S.Trailer:
          // start of a trailer line: CR means the empty line that ends the body
          if (buf[i] === 13) this.#s = S.TrailerLf
          else this.#s = S.TrailerLine
          i++
          break
        case S.TrailerLf:
          if (buf[i] !== 10) return this.#fail('trailer section not ended by CRLF')
          this.#s = S.Done
          return i + 1
        case S.TrailerLine:
          if (buf[i] === 10) this.#s = S.Trailer
          i++
          break
        case S.Done:
          return i
      }
    }
    return end
  }

  #fail(why: string): number {
    this.error = why
    return -1
  }
}
