/**
 * Check statuses, HAProxy's: the short code stats show, the description log lines give as
 * "reason", and what the status means for the server's health.
 *
 * Layer 7 results (L7OK, L7OKC, L7STS) carry a code (HTTP status, SMTP reply, MySQL error…) that
 * the log line prints; the others do not.
 */

export type CheckStatus =
  | 'L4OK' | 'L4TOUT' | 'L4CON'
  | 'L6OK' | 'L6TOUT' | 'L6RSP'
  | 'L7TOUT' | 'L7RSP' | 'L7OK' | 'L7OKC' | 'L7STS'
  | 'SOCKERR' | 'HANA' | 'CHECKED'
  | 'PROCOK' | 'PROCERR' | 'PROCTOUT'

/** passed: counts toward rise; condpass: passed, but take no new traffic (404 with
 *  disable-on-404); failed: counts toward fall; neutral: changes nothing (an agent reply with
 *  only a weight). */
export type CheckResultKind = 'passed' | 'condpass' | 'failed' | 'neutral'

export interface StatusInfo {
  readonly desc: string
  readonly result: CheckResultKind
  /** The log line prints `code: N`. */
  readonly hasCode: boolean
}

export const STATUSES: Readonly<Record<CheckStatus, StatusInfo>> = {
  CHECKED: { desc: 'No status change', result: 'neutral', hasCode: false },
  HANA: { desc: 'Health analyze', result: 'failed', hasCode: false },
  SOCKERR: { desc: 'Socket error', result: 'failed', hasCode: false },
  L4OK: { desc: 'Layer4 check passed', result: 'passed', hasCode: false },
  L4TOUT: { desc: 'Layer4 timeout', result: 'failed', hasCode: false },
  L4CON: { desc: 'Layer4 connection problem', result: 'failed', hasCode: false },
  L6OK: { desc: 'Layer6 check passed', result: 'passed', hasCode: false },
  L6TOUT: { desc: 'Layer6 timeout', result: 'failed', hasCode: false },
  L6RSP: { desc: 'Layer6 invalid response', result: 'failed', hasCode: false },
  L7TOUT: { desc: 'Layer7 timeout', result: 'failed', hasCode: false },
  L7RSP: { desc: 'Layer7 invalid response', result: 'failed', hasCode: false },
  L7OK: { desc: 'Layer7 check passed', result: 'passed', hasCode: true },
  L7OKC: { desc: 'Layer7 check conditionally passed', result: 'condpass', hasCode: true },
  L7STS: { desc: 'Layer7 wrong status', result: 'failed', hasCode: true },
  PROCOK: { desc: 'External check passed', result: 'passed', hasCode: false },
  PROCERR: { desc: 'External check error', result: 'failed', hasCode: true },
  PROCTOUT: { desc: 'External check timeout', result: 'failed', hasCode: false },
}

/** What one check run found. */
export interface CheckOutcome {
  status: CheckStatus
  code?: number
  info?: string
}

/** The text of the system errors a connect can meet, as strerror() words them (HAProxy puts
 *  them in `info`). */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EADDRINUSE: 'Address already in use',
  EPIPE: 'Broken pipe',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  ENOBUFS: 'No buffer space available',
}

/** strerror() text for an error from the runtime (by its `code`), else its message. */
export function errnoText(e: Error | undefined): string {
  if (!e) return ''
  const code = (e as NodeJS.ErrnoException).code
  return (code !== undefined && ERRNO_TEXT[code]) || e.message
}
