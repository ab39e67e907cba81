/**
 * CPU time and resident memory of another process, from Linux's /proc. Elsewhere these read as
 * undefined and the report says "n/a".
 */
import { readFileSync } from 'node:fs'

/** Linux's USER_HZ: the unit of utime/stime in /proc/PID/stat (100 on every mainstream arch). */
const TICKS_PER_SECOND = 100

/** utime + stime of the whole process (every thread), in seconds. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // the command name (field 2) may hold spaces, inside parentheses: count from the last ')'
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

/** VmRSS in KiB. */
export function rssKiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : undefined
  } catch {
    return undefined
  }
}
