/**
 * A ring: the last lines sent to it, up to `size` bytes, the oldest dropped first (a `ring`
 * section, and the implicit ring behind `log tcp@`). Readers each keep their own position, as a
 * sequence number: `show events` reads what is held; a forwarder (ring-forwarder.ts) sends each
 * line once to its TCP server and is woken when a line arrives. A reader that falls behind by more
 * than the ring holds loses the lines that went (counted on the reader).
 *
 *   seq:   first ............ end-1   end
 *          oldest held line   newest   the next line's number
 */
import { clampLine } from './frame.ts'
import type { LogWriter } from './types.ts'

/** HAProxy's default ring size: its buffer size. */
export const DEFAULT_RING_SIZE = 16384

/** Someone woken when a line arrives. */
export interface RingReader {
  wake(): void
  close(): void
}

export class Ring implements LogWriter {
  readonly name: string
  readonly size: number
  /** Bytes per line (the `maxlen` of the section; the `len` of the `log` line also applies). */
  readonly maxLen: number
  /** The syslog format of the lines stored (undefined: the `log` line's). */
  readonly format: string | undefined
  readonly description: string
  #lines: string[] = []
  #sizes: number[] = []
  /** Index in #lines of the oldest held line. */
  #head = 0
  #first = 0
  #used = 0
  readonly #readers: RingReader[] = []
  /** The log outputs that use it: a reload's next engine takes a ring over with its lines and
   *  its servers' connections (`hold`); it closes when the last of them closes it. */
  #holders = 1
  /** Lines too long for the whole ring. */
  dropped = 0

  constructor(spec: { name: string; size?: number; maxLen?: number; format?: string; description?: string }) {
    this.name = spec.name
    this.description = spec.description ?? spec.name
    this.size = spec.size ?? DEFAULT_RING_SIZE
    this.maxLen = spec.maxLen ?? this.size
    this.format = spec.format
  }

  /** The sequence number of the oldest line held. */
  get first(): number { return this.#first }
  /** The sequence number the next line gets. */
  get end(): number { return this.#first + this.#lines.length - this.#head }

  /** The line of sequence number `seq` (first <= seq < end). */
  at(seq: number): string {
    return this.#lines[this.#head + seq - this.#first]!
  }

  /** The lines held, oldest first. */
  lines(): string[] {
    return this.#lines.slice(this.#head)
  }

  write(line: string, maxLen: number): void {
    const text = clampLine(line, Math.min(maxLen - 1, this.maxLen))
    const n = Buffer.byteLength(text) + 1
    if (n > this.size) { this.dropped++; return }
    while (this.#used + n > this.size) {
      this.#used -= this.#sizes[this.#head]!
      this.#head++
      this.#first++
    }
    if (this.#head > 1024 && this.#head * 2 > this.#lines.length) {
      this.#lines = this.#lines.slice(this.#head)
      this.#sizes = this.#sizes.slice(this.#head)
      this.#head = 0
    }
    this.#lines.push(text)
    this.#sizes.push(n)
    this.#used += n
    for (const r of this.#readers) r.wake()
  }

  /** Adds a reader, woken after each line. */
  attach(r: RingReader): void {
    this.#readers.push(r)
  }

  /** Removes a reader added by `attach`. */
  detach(r: RingReader): void {
    const i = this.#readers.indexOf(r)
    if (i >= 0) this.#readers.splice(i, 1)
  }

  /** One more owner (a reload's next generation). */
  hold(): void {
    this.#holders++
  }

  close(): void {
    if (--this.#holders > 0) return
    for (const r of this.#readers) r.close()
    this.#readers.length = 0
  }
}
