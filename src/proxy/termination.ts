/**
 * How a session ended, as HAProxy's two-letter termination state: who ended it, and in which
 * phase. Logs, stats and tests read it.
 *
 *   first letter (cause)                     second letter (phase)
 *   -  normal end                            -  normal end
 *   C  the client aborted (reset, error)      R  waiting for the request (HTTP)
 *   S  the server aborted or refused          Q  waiting in a queue
 *   P  the proxy refused (rule, limit)        C  connecting to the server
 *   R  a resource ran out                     H  waiting for response headers (HTTP)
 *   I  internal error                         D  data transfer
 *   D  the server went down                   L  the proxy was sending the last data
 *   K  the session was killed (stop)          T  tarpit (HTTP)
 *   L  answered locally (return, redirect)
 *   c  client timeout   s  server timeout
 */
export type TermCause = '-' | 'C' | 'S' | 'P' | 'R' | 'I' | 'D' | 'K' | 'L' | 'c' | 's'
export type TermPhase = '-' | 'R' | 'Q' | 'C' | 'H' | 'D' | 'L' | 'T'

export interface Termination {
  by: TermCause
  phase: TermPhase
}

export function formatTermination(t: Termination): string {
  return t.by + t.phase
}

/** HAProxy's "ended in error", which `option log-separate-errors` logs at `err` and `option
 *  dontlog-normal` keeps: a cause other than a normal or a local end (`-`, `L`), or a retry.
 *  An HTTP request also counts when its status is 500 or more. */
export function endedInError(t: Termination | null, retries: number): boolean {
  const by = t === null ? '-' : t.by
  return (by !== '-' && by !== 'L') || retries > 0
}

/** The phase times of a session or request, monotonic ms (-1: the phase never started). Queue
 *  end is set when the waiter leaves its queue, served or not. */
export interface PhaseTimes {
  queueStart: number
  queueEnd: number
  connectStart: number
  connectEnd: number
}

/** Tw: ms spent in queues; 0 when it went straight to a server, -1 when it never got that far. */
export function queueTime(p: PhaseTimes): number {
  if (p.queueStart < 0) return p.connectStart < 0 ? -1 : 0
  return Math.round(p.queueEnd - p.queueStart)
}

/** Tc: ms to connect to the server, -1 when no connection was made. */
export function connectTime(p: PhaseTimes): number {
  return p.connectEnd < 0 ? -1 : Math.round(p.connectEnd - p.connectStart)
}
