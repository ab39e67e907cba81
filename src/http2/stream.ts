/**
 * One HTTP/2 stream as its connection keeps it (RFC 9113 §5.1): whether each direction has
 * ended, its two flow-control windows, and what waits to be sent on it.
 *
 *   idle --HEADERS--> open --END_STREAM received--> half-closed (remote) --END_STREAM sent--> closed
 *                        `--END_STREAM sent-----> half-closed (local) --END_STREAM received--^
 *   any state --RST_STREAM (either way)--> closed
 *
 * What reads and writes the stream (the proxy's side of it) hears of it through `H2StreamEvents`.
 */

/** What the connection tells the user of a stream. */
export interface H2StreamEvents {
  /** A header block: the response's (client role), an informational one (1xx), or trailers
   *  (`endStream` set). `fields`: name, value, name, value… */
  onHeaders(fields: string[], endStream: boolean): void
  onData(chunk: Uint8Array, endStream: boolean): void
  /** The stream was reset (by the peer, or because its connection ended): nothing more comes
   *  and nothing more may be sent. */
  onReset(code: number): void
  /** What was queued on it fell below `H2Stream.LOW_WATER`: more may be sent. */
  onWritable(): void
}

export class H2Stream {
  /** Bytes queued on a stream above which its writer should wait for `onWritable`. */
  static readonly HIGH_WATER = 64 * 1024
  static readonly LOW_WATER = 16 * 1024

  readonly id: number
  events: H2StreamEvents | null = null
  /** END_STREAM received, END_STREAM sent (or queued: see `outEnd`), reset either way. */
  recvEnded = false
  sentEnded = false
  reset = false
  /** What we may send (the peer's window), what the peer may send (ours). */
  sendWindow: number
  recvWindow: number
  /** Bytes the reader took that the peer has not been given back yet (WINDOW_UPDATE). */
  unacked = 0
  /** The reader asked for no more data for now: no WINDOW_UPDATE until it resumes. */
  paused = false
  /** DATA waiting for window or for the socket; `outEnd`: END_STREAM after it, with `trailers`
   *  (a header block's fields) when there are some. */
  readonly out: Uint8Array[] = []
  outSize = 0
  outEnd = false
  trailers: string[] | null = null
  /** The writer was told to wait (a write went above HIGH_WATER). */
  wantWritable = false
  /** Headers were sent on it (a response, or a request). */
  headersSent = false
  /** Headers were received on it: later ones are trailers (or follow a 1xx). */
  headersReceived = false

  constructor(id: number, sendWindow: number, recvWindow: number) {
    this.id = id
    this.sendWindow = sendWindow
    this.recvWindow = recvWindow
  }

  get closed(): boolean {
    return this.reset || (this.recvEnded && this.sentEnded)
  }
}
