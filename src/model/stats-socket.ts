/**
 * The options of a `stats socket` line (global), read once: the command level its clients get,
 * and the permissions of a unix socket file. Checked at load (config) and applied by the admin
 * sockets (admin/socket.ts).
 */

/** HAProxy's levels, lowest first: `user` reads, `operator` may also change what does not
 *  endanger the service, `admin` may change everything. */
export type StatsSocketLevel = 'user' | 'operator' | 'admin'

/** What one admin socket was configured with (global.ts checked the options). */
export interface StatsSocketSpec {
  level: StatsSocketLevel
  mode?: number
  uid?: number
  gid?: number
}

/** The options of a `stats socket` line, read; throws with the problem's words. */
export function parseStatsSocketOptions(options: readonly string[]): StatsSocketSpec {
  const spec: StatsSocketSpec = { level: 'operator' }
  for (let i = 0; i < options.length; i++) {
    const w = options[i]!
    const v = options[i + 1]
    if (w === 'level') {
      if (v !== 'user' && v !== 'operator' && v !== 'admin') throw new Error(`'level' expects user, operator or admin, not '${v ?? ''}'`)
      spec.level = v
      i++
    } else if (w === 'mode') {
      if (v === undefined || !/^[0-7]{1,4}$/.test(v)) throw new Error(`'mode' expects octal permissions such as 600, not '${v ?? ''}'`)
      spec.mode = parseInt(v, 8)
      i++
    } else if (w === 'uid' || w === 'gid') {
      if (v === undefined || !/^\d+$/.test(v)) throw new Error(`'${w}' expects a number, not '${v ?? ''}'`)
      spec[w] = Number(v)
      i++
    } else if (w === 'expose-fd') {
      if (v !== 'listeners') throw new Error(`'expose-fd' expects 'listeners'`)
      i++ // handing listeners over is a reload's business; nothing to do here
    } else {
      throw new Error(`'${w}' is not a stats socket option edgelb knows; it knows level, mode, uid, gid and expose-fd listeners`)
    }
  }
  return spec
}

