/** Where formatted log lines go: one writer per destination, shared by every `log` line that
 *  sends there. Writing never throws and never waits: a line that cannot go is counted and
 *  dropped, as HAProxy drops it. */
export interface LogWriter {
  /** `line` is the header and the message; `maxLen` the `len` of the `log` line (bytes, LF included). */
  write(line: string, maxLen: number): void
  close(): void
}
