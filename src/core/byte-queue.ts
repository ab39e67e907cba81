/**
 * Bytes waiting for a socket that could not take them yet. It holds the received Buffers
 * themselves (or the unsent tail of one, as a subarray): nothing is copied. With the reader paused
 * while it is not empty, it holds at most about one read's worth per direction.
 */

/** What `flush` needs of a socket: `write` returns the bytes accepted, -1 when closed. */
export interface Writable {
  write(chunk: Uint8Array): number
}

export const FLUSHED = 1
export const PENDING = 0
export const CLOSED = -1

export class ByteQueue {
  #chunks: Uint8Array[] = []
  #head = 0
  /** Bytes queued. */
  size = 0

  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk)
    this.size += chunk.length
  }

  /** Puts `chunk` before everything queued (a message head that must precede body bytes that
   *  arrived while the connection was being set up). */
  unshift(chunk: Uint8Array): void {
    if (this.#head > 0) this.#chunks[--this.#head] = chunk
    else this.#chunks.unshift(chunk)
    this.size += chunk.length
  }

  /** Writes as much as `to` accepts. Returns FLUSHED (empty now), PENDING, or CLOSED. */
  flush(to: Writable): number {
    while (this.#head < this.#chunks.length) {
      const c = this.#chunks[this.#head]!
      const n = to.write(c)
      if (n < 0) return CLOSED
      this.size -= n
      if (n < c.length) {
        this.#chunks[this.#head] = c.subarray(n)
        return PENDING
      }
      this.#head++
    }
    this.#chunks.length = 0
    this.#head = 0
    return FLUSHED
  }

  clear(): void {
    this.#chunks.length = 0
    this.#head = 0
    this.size = 0
  }
}
