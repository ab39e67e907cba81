/**
 * `log stdout` / `log stderr` (fd@1, fd@2): each line handed to the process's output function
 * (which adds the line feed and writes without waiting). Also where the lines of targets edgelb
 * does not send to yet (unix sockets, rings, TCP) go, as the configuration warning says.
 */
import { clampLine } from './frame.ts'
import type { LogWriter } from './types.ts'

export class LineWriter implements LogWriter {
  readonly #out: (line: string) => void
  /** Lines the output function refused (it threw). */
  dropped = 0

  constructor(out: (line: string) => void) {
    this.#out = out
  }

  write(line: string, maxLen: number): void {
    try {
      this.#out(clampLine(line, maxLen - 1))
    } catch {
      this.dropped++
    }
  }

  close(): void {}
}
