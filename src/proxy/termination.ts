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
