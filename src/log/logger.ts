/**
 * One `log` line at run time: its level filter, its sampling, its header and its writer.
 *
 *   level > max level ............. not sent
 *   not in the sample ............. not sent
 *   level more severe than minlevel  sent at minlevel (HAProxy caps it, to keep "emerg" off terminals)
 *   header(level, now) + message .. to the writer, cut to `len`
 */
import type { SampleSpec } from './sample.ts'
import type { HeaderFn } from './syslog-header.ts'
import type { LogWriter } from './types.ts'

export interface LoggerSpec {
  writer: LogWriter
  header: HeaderFn
  /** `len`: bytes per line, line feed included. */
  maxLen: number
  /** The least severe level sent (7, debug, by default). */
  level: number
  /** The most severe level written (0, emerg, by default): more severe ones are written at it. */
  minLevel: number
  sample?: SampleSpec
}

export class Logger {
  readonly #writer: LogWriter
  readonly #header: HeaderFn
  readonly #maxLen: number
  readonly level: number
  readonly #minLevel: number
  readonly #take: Uint8Array | null
  #pos = 0

  constructor(spec: LoggerSpec) {
    this.#writer = spec.writer
    this.#header = spec.header
    this.#maxLen = spec.maxLen
    this.level = spec.level
    this.#minLevel = spec.minLevel
    this.#take = spec.sample?.take ?? null
  }

  /** Sends `msg` at `level` (0 emerg … 7 debug), dated `ms` (wall clock). */
  send(level: number, msg: string, ms: number): void {
    if (level > this.level) return
    const take = this.#take
    if (take !== null) {
      const pos = this.#pos
      this.#pos = pos + 1 === take.length ? 0 : pos + 1
      if (take[pos] === 0) return
    }
    const lv = level < this.#minLevel ? this.#minLevel : level
    this.#writer.write(this.#header(lv, ms) + msg, this.#maxLen)
  }
}
