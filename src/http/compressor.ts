/**
 * A response body compressed as it goes by (node:zlib's streams, which run off the event loop's
 * thread), written out as HTTP/1.1 chunks: what arrived in one turn of the event loop is flushed
 * (Z_SYNC_FLUSH) so that what the server sent reaches the client without waiting for more, as
 * HAProxy flushes at each buffer it forwards. Level 1, HAProxy's default (`tune.comp.maxlevel`).
 *
 *   write(data)* → end(done): the last compressed bytes, the last chunk, then `done()`
 *   destroy(): stops, nothing more is written (the exchange broke off)
 */
import zlib from 'node:zlib'
import type { CompressionAlgo } from '../model/types.ts'

const CRLF = Buffer.from('\r\n')
const LAST_CHUNK = Buffer.from('0\r\n\r\n')
/** Bytes of body waiting for zlib past which the server is no longer read. */
const BACKLOG = 256 * 1024

export class BodyCompressor {
  #z: zlib.Gzip | zlib.Deflate | zlib.DeflateRaw
  #out: (bytes: Uint8Array) => void
  #done = false
  #destroyed = false
  #flushQueued = false
  /** The server connection paused while zlib catches up (proxy/http/compression.ts), if any. */
  pausedSrv: { resume(): void } | null = null
  /** Input bytes, and compressed bytes written (without the chunk framing). */
  bytesIn = 0
  bytesOut = 0

  /** `out` gets each framed chunk, in order. */
  constructor(algo: Exclude<CompressionAlgo, 'identity'>, out: (bytes: Uint8Array) => void) {
    const o = { level: 1 }
    this.#z = algo === 'gzip' ? zlib.createGzip(o) : algo === 'deflate' ? zlib.createDeflate(o) : zlib.createDeflateRaw(o)
    this.#out = out
    this.#z.on('data', (b: Buffer) => {
      if (this.#destroyed || b.length === 0) return
      this.bytesOut += b.length
      this.#out(Buffer.concat([Buffer.from(b.length.toString(16) + '\r\n', 'latin1'), b, CRLF]))
    })
    this.#z.on('error', () => this.destroy())
  }

  /** Returns false once more than BACKLOG bytes wait to be compressed: the caller should stop
   *  reading until `whenDrained` calls back. */
  write(data: Uint8Array): boolean {
    if (this.#destroyed || this.#done || data.length === 0) return true
    this.bytesIn += data.length
    this.#z.write(data)
    // One flush for what arrived in this turn of the event loop, not one per piece.
    if (!this.#flushQueued) {
      this.#flushQueued = true
      setImmediate(() => {
        this.#flushQueued = false
        if (!this.#destroyed && !this.#done) this.#z.flush(zlib.constants.Z_SYNC_FLUSH)
      })
    }
    return this.#z.writableLength < BACKLOG
  }

  /** `fn` runs once what waits to be compressed is under BACKLOG again. */
  whenDrained(fn: () => void): void {
    if (this.#z.writableLength < BACKLOG) { fn(); return }
    this.#z.once('drain', () => { if (!this.#destroyed) fn() })
  }

  /** Finishes the stream; `done` runs once the last chunk was handed to `out`. */
  end(done: () => void): void {
    if (this.#destroyed || this.#done) return
    this.#done = true
    this.#z.once('end', () => {
      if (this.#destroyed) return
      this.#out(LAST_CHUNK)
      done()
    })
    this.#z.end()
  }

  destroy(): void {
    if (this.#destroyed) return
    this.#destroyed = true
    this.#z.destroy()
  }
}
