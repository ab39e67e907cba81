/**
 * Syslog facilities and severities, in HAProxy's (and RFC 5424's) order: a facility's number is
 * its index, a level's number its index, and a message's PRI is `facility * 8 + level`. Lower
 * level numbers are more severe (`emerg` 0 … `debug` 7).
 */
export const LOG_FACILITIES: readonly string[] = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news',
  'uucp', 'cron', 'auth2', 'ftp', 'ntp', 'audit', 'alert', 'cron2',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
]

export const LOG_LEVELS: readonly string[] = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug']

/** The level of traffic logs (tcplog, httplog, log-format). */
export const LOG_INFO = 6
/** The level of traffic logs that ended in error under `option log-separate-errors`. */
export const LOG_ERR = 3
export const LOG_DEBUG = 7
export const LOG_EMERG = 0

/** A level's number, or -1 for a name that is not one. */
export function levelNumber(name: string): number {
  return LOG_LEVELS.indexOf(name)
}

/** A facility's number, or -1 for a name that is not one. */
export function facilityNumber(name: string): number {
  return LOG_FACILITIES.indexOf(name)
}
