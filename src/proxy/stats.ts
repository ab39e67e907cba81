/**
 * The statistics HAProxy gives of its proxies and servers, as `show stat` (admin socket) and the
 * stats page print them: one row per frontend (FRONTEND), server, and backend (BACKEND), in the
 * order of the configuration, with HAProxy's first CSV columns, in its order.
 */
import type { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import { wallNow } from '../core/clock.ts'
import type { Config } from '../model/types.ts'
import type { Frontend } from './frontend.ts'

/** What the rows are read from: the engine's proxies. */
export interface StatSource {
  readonly config: Config
  readonly frontends: readonly Frontend[]
  readonly backends: ReadonlyMap<string, Backend>
}

/**
 * The numbers HAProxy gives proxies and servers, which `show servers state` and `show stat`
 * print: with a stats socket, 1 is its own "GLOBAL" frontend; then every frontend, backend and
 * listen in the order of the configuration, from 2; a server is its rank in its backend, from 1.
 */
export function proxyIds(config: Config): Map<string, number> {
  const ids = new Map<string, number>()
  let next = config.global.statsSockets.length > 0 ? 2 : 1
  for (const p of config.proxies) if (!ids.has(p.name)) ids.set(p.name, next++)
  return ids
}

export const STAT_COLUMNS = ['pxname', 'svname', 'qcur', 'qmax', 'scur', 'smax', 'slim', 'stot', 'bin', 'bout', 'dreq', 'dresp',
  'ereq', 'econ', 'eresp', 'wretr', 'wredis', 'status', 'weight', 'act', 'bck', 'chkfail', 'chkdown', 'lastchg',
  'downtime', 'qlimit', 'pid', 'iid', 'sid', 'throttle', 'lbtot', 'tracked', 'type', 'rate', 'rate_lim', 'rate_max',
  'check_status', 'check_code', 'check_duration'] as const

export type StatRow = Partial<Record<(typeof STAT_COLUMNS)[number], string | number>>

const line = (r: StatRow): string => STAT_COLUMNS.map((c) => r[c] ?? '').join(',') + ',\n'

function serverStatus(s: Server): string {
  if (s.effectiveAdmin === 'maint') return 'MAINT'
  if (s.effectiveAdmin === 'drain') return s.up ? 'DRAIN' : 'DOWN'
  if (!s.up) return 'DOWN'
  return s.nolb ? 'NOLB' : 'UP'
}

function frontendRow(fe: Frontend, iid: number): StatRow {
  return { pxname: fe.name, svname: 'FRONTEND', scur: fe.cur, smax: fe.cur, slim: fe.maxconn, stot: fe.totalSessions, status: fe.stopped ? 'STOP' : 'OPEN', pid: 1, iid, sid: 0, type: 0 }
}

function serverRow(be: Backend, s: Server, iid: number): StatRow {
  const last = s.lastCheck
  const since = Math.max(0, Math.floor((wallNow() - s.lastChange) / 1000))
  return {
    pxname: be.name, svname: s.name, qcur: s.queue.length, qmax: 0, scur: s.cur, smax: s.counters.maxCur,
    slim: s.maxconn > 0 ? s.maxconn : '', stot: s.counters.total, bin: s.counters.bytesIn, bout: s.counters.bytesOut,
    econ: s.counters.econ, wretr: s.counters.wretr, wredis: s.counters.wredis, status: serverStatus(s), weight: s.weight,
    act: s.backup ? 0 : 1, bck: s.backup ? 1 : 0, chkfail: s.counters.failedChecks, chkdown: s.counters.downTrans,
    lastchg: since, downtime: Math.floor(s.downTime / 1000), qlimit: s.maxqueue > 0 ? s.maxqueue : '', pid: 1, iid,
    sid: s.index + 1, lbtot: s.counters.total, type: 2,
    check_status: s.cfg.check && last !== null ? last.status : '', check_code: last !== null && last.code > 0 ? last.code : '',
    check_duration: last !== null && last.duration >= 0 ? last.duration : '',
  }
}

function backendRow(be: Backend, iid: number): StatRow {
  const act = be.servers.filter((s) => !s.backup && s.usable).length
  const bck = be.servers.filter((s) => s.backup && s.usable).length
  return {
    pxname: be.name, svname: 'BACKEND', qcur: be.queue.length, qmax: be.counters.queueMax, scur: be.beconn,
    stot: be.counters.total, bin: be.counters.bytesIn, bout: be.counters.bytesOut, econ: be.counters.connectErrors,
    wretr: be.counters.retries, wredis: be.counters.redispatches, status: act + bck > 0 ? 'UP' : 'DOWN',
    weight: be.servers.filter((s) => s.usable).reduce((n, s) => n + s.weight, 0), act, bck, pid: 1, iid, sid: 0, type: 1,
  }
}

/** Every row, proxy by proxy: its frontend, its servers, its backend. */
export function statRows(src: StatSource): StatRow[] {
  const ids = proxyIds(src.config)
  const rows: StatRow[] = []
  for (const p of src.config.proxies) {
    const iid = ids.get(p.name) ?? 0
    const fe = src.frontends.find((f) => f.cfg === p)
    if (fe) rows.push(frontendRow(fe, iid))
    const be = src.backends.get(p.name)
    if (!be) continue
    for (const s of be.servers) rows.push(serverRow(be, s, iid))
    rows.push(backendRow(be, iid))
  }
  return rows
}

/** HAProxy's CSV: a `# ` header line, then a line per row. */
export function statCsv(src: StatSource): string {
  let out = `# ${STAT_COLUMNS.join(',')},\n`
  for (const r of statRows(src)) out += line(r)
  return out
}
