/**
 * What one HTTP/2 connection allows its peer, and the watch on what a peer may abuse without
 * breaking a rule: resets of streams it just opened (rapid reset, CVE-2023-44487), control frames
 * that each cost an answer or a wake-up (SETTINGS, PING, PRIORITY, empty DATA, WINDOW_UPDATE),
 * long chains of CONTINUATION frames. Each such event is a *glitch* (HAProxy's word); too many in
 * one second, or in the connection's life when a threshold is set, and the connection is closed
 * with ENHANCE_YOUR_CALM. Other connections are not touched.
 */
import { now } from '../core/clock.ts'

export interface H2Limits {
  /** SETTINGS_MAX_CONCURRENT_STREAMS announced; streams beyond it are refused. */
  maxConcurrentStreams: number
  /** SETTINGS_INITIAL_WINDOW_SIZE announced (each stream's receive window). */
  initialWindowSize: number
  /** SETTINGS_HEADER_TABLE_SIZE announced (the peer's encoder table, our decoder's). */
  headerTableSize: number
  /** SETTINGS_MAX_FRAME_SIZE announced. */
  maxFrameSize: number
  /** Bytes of a header block (all its frames) and of its decoded fields
   *  (SETTINGS_MAX_HEADER_LIST_SIZE). */
  maxHeaderListSize: number
  /** Fields of one header block. */
  maxHeaderFields: number
  /** CONTINUATION frames after one HEADERS. */
  maxContinuations: number
  /** Glitches in any one second that close the connection. */
  glitchesPerSecond: number
  /** Glitches in the connection's life that close it (0: no such limit). */
  glitchesThreshold: number
  /** Streams one connection may open in its life before it is asked to go away (0: no limit). */
  maxTotalStreams: number
  /** Bytes queued for a peer that does not read before the connection is closed (a flood of
   *  PINGs or SETTINGS whose answers pile up). */
  maxPendingOutput: number
  /** Announce extended CONNECT (RFC 8441, WebSocket over HTTP/2). */
  enableConnectProtocol: boolean
}

export const DEFAULT_LIMITS: Readonly<H2Limits> = {
  maxConcurrentStreams: 100,
  initialWindowSize: 65535,
  headerTableSize: 4096,
  maxFrameSize: 16384,
  maxHeaderListSize: 16384,
  maxHeaderFields: 101,
  maxContinuations: 64,
  glitchesPerSecond: 1000,
  glitchesThreshold: 0,
  maxTotalStreams: 0,
  maxPendingOutput: 1024 * 1024,
  enableConnectProtocol: true,
}

/** Counts one connection's glitches. */
export class GlitchCounter {
  readonly #perSecond: number
  readonly #threshold: number
  #windowStart = 0
  #inWindow = 0
  total = 0

  constructor(limits: Pick<H2Limits, 'glitchesPerSecond' | 'glitchesThreshold'>) {
    this.#perSecond = limits.glitchesPerSecond
    this.#threshold = limits.glitchesThreshold
  }

  /** Counts `n` glitches; true when the connection has had too many. */
  add(n = 1): boolean {
    const t = now()
    if (t - this.#windowStart >= 1000) { this.#windowStart = t; this.#inWindow = 0 }
    this.#inWindow += n
    this.total += n
    return this.#inWindow > this.#perSecond || (this.#threshold > 0 && this.total > this.#threshold)
  }
}
