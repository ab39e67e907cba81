/**
 * Dates as HAProxy's log lines write them: `21/Nov/2026:02:13:01.123` in local time (the accept
 * date of tcplog/httplog, `%t` of log-format) and `21/Nov/2026:02:13:01 +0000` (`%T`). The local
 * form is rebuilt once per second: the lines of one second share it, so a busy proxy does not
 * build a Date per line.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const p2 = (n: number): string => (n < 10 ? '0' : '') + n
const p3 = (n: number): string => (n < 10 ? '00' : n < 100 ? '0' : '') + n

let cachedSecond = NaN
let cachedLocal = ''

/** Wall-clock `ms` in local time with milliseconds. */
export function formatLogDate(ms: number): string {
  const sec = Math.floor(ms / 1000)
  if (sec !== cachedSecond) {
    const d = new Date(sec * 1000)
    cachedLocal = `${p2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.`
    cachedSecond = sec
  }
  return cachedLocal + p3(Math.floor(ms) - sec * 1000)
}

/** Wall-clock `ms` in GMT, to the second, with its zone. */
export function formatLogDateGmt(ms: number): string {
  const d = new Date(ms)
  return `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`
}
