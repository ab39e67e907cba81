/** Where formatted log lines go: one writer per destination, shared by every `log` line that
 *  sends there. Writing never throws and never waits: a line that cannot go is counted and
 *  dropped, as HAProxy drops it. */
export interface LogWriter {
  /** `line` is the header and the message; `maxLen` the `len` of the `log` line (bytes, LF included). */
  write(line: string, maxLen: number): void
  close(): void
}

/** A unix datagram socket sending to one path, as the runtime makes it (net/: `openUnixDgram`). */
export interface UnixDgramSender {
  /** Sends one datagram without waiting; the error's name (EAGAIN, ENOENT…) when it was not sent. */
  send(data: Uint8Array): string | undefined
  close(): void
}

/** Opens a unix datagram socket to `path`; rejects with an Error saying why it cannot. */
export type OpenUnixDgram = (path: string) => Promise<UnixDgramSender>
