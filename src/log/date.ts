/**
 * Dates as HAProxy's log lines write them: `21/Nov/2026:02:13:01.123` in local time (the accept
 * date of tcplog/httplog, `%t` of log-format) and `21/Nov/2026:02:13:01 +0000` (`%T`); and as
 * syslog headers write them: `Nov 21 02:13:01` (rfc3164, local: the day padded with a space) and
 * `2026-11-21T02:13:01.123456+01:00` (rfc5424, timed, iso: local time, microseconds, offset).
 * Each form's second is built once per second: the lines of one second share it, so a busy proxy
 * does not build a Date per line. The forms keep a cache each, because one line mixes seconds
 * (an httplog line's accept date under a header dated when it is sent).
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const p2 = (n: number): string => (n < 10 ? '0' : '') + n
const p3 = (n: number): string => (n < 10 ? '00' : n < 100 ? '0' : '') + n

/** `build(date of the second)`, rebuilt only when the second changes. */
function perSecond<T>(build: (d: Date) => T): (sec: number) => T {
  let cachedSec = NaN
  let cached!: T
  return (sec) => {
    if (sec !== cachedSec) {
      cached = build(new Date(sec * 1000))
      cachedSec = sec
    }
    return cached
  }
}

const localSecond = perSecond((d) => `${p2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.`)
const gmtSecond = perSecond((d) => `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`)
const syslogSecond = perSecond((d) => {
  const day = d.getDate()
  return `${MONTHS[d.getMonth()]} ${day < 10 ? ' ' : ''}${day} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`
})
/** The date and time up to the fraction's dot, and the zone's offset. */
const isoSecond = perSecond((d): readonly [string, string] => {
  const off = -d.getTimezoneOffset()
  const abs = Math.abs(off)
  return [
    `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.`,
    `${off < 0 ? '-' : '+'}${p2(Math.floor(abs / 60))}:${p2(abs % 60)}`,
  ]
})

/** Wall-clock `ms` in local time with milliseconds. */
export function formatLogDate(ms: number): string {
  const sec = Math.floor(ms / 1000)
  return localSecond(sec) + p3(Math.floor(ms) - sec * 1000)
}

/** Wall-clock `ms` in GMT, to the second, with its zone. */
export function formatLogDateGmt(ms: number): string {
  return gmtSecond(Math.floor(ms / 1000))
}

/** Wall-clock `ms` as an RFC 3164 timestamp, local time: `Nov  1 02:13:01`. */
export function formatSyslogDate(ms: number): string {
  return syslogSecond(Math.floor(ms / 1000))
}

/** Wall-clock `ms` (fractions of a millisecond kept) as an ISO 8601 timestamp in local time with
 *  microseconds and the zone's offset: `2026-11-21T02:13:01.123456+01:00`. */
export function formatIsoDate(ms: number): string {
  const sec = Math.floor(ms / 1000)
  const [head, zone] = isoSecond(sec)
  const us = Math.min(999_999, Math.round((ms - sec * 1000) * 1000))
  return head + String(us).padStart(6, '0') + zone
}
