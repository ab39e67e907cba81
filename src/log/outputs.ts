/**
 * The engine's log destinations: one writer per destination (one UDP socket per syslog server),
 * made the first time a `log` line names it and closed when the engine stops.
 */
import { LineWriter } from './line-writer.ts'
import { destKey, type LogDest } from './target-address.ts'
import type { LogWriter } from './types.ts'
import { UdpWriter } from './udp-writer.ts'

export class LogOutputs {
  readonly #writers = new Map<string, LogWriter>()
  readonly #out: (line: string) => void
  readonly #err: (line: string) => void

  /** `out` and `err` are the process's stdout and stderr line writers. */
  constructor(io: { out(line: string): void; err(line: string): void }) {
    this.#out = io.out
    this.#err = io.err
  }

  /** The writer of `dest`; targets edgelb does not send to yet write to stdout. */
  writer(dest: LogDest): LogWriter {
    const key = destKey(dest)
    let w = this.#writers.get(key)
    if (w === undefined) {
      w = dest.kind === 'udp' ? new UdpWriter(dest, (why) => this.#err(`edgelb: ${why}`)) : new LineWriter(dest.kind === 'stderr' ? this.#err : this.#out)
      this.#writers.set(key, w)
    }
    return w
  }

  close(): void {
    for (const w of this.#writers.values()) w.close()
    this.#writers.clear()
  }
}
