/**
 * `show stat`: HAProxy's CSV of proxies and servers (its first columns, in its order): one line
 * per frontend (FRONTEND), server, and backend (BACKEND), a `#` header first.
 */
import type { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import { wallNow } from '../core/clock.ts'
import type { Frontend } from '../proxy/frontend.ts'
import { proxyIds } from './ids.ts'
import type { AdminCommand, AdminCtx } from './types.ts'

const COLUMNS = ['pxname', 'svname', 'qcur', 'qmax', 'scur', 'smax', 'slim', 'stot', 'bin', 'bout', 'dreq', 'dresp',
  'ereq', 'econ', 'eresp', 'wretr', 'wredis', 'status', 'weight', 'act', 'bck', 'chkfail', 'chkdown', 'lastchg',
  'downtime', 'qlimit', 'pid', 'iid', 'sid', 'throttle', 'lbtot', 'tracked', 'type', 'rate', 'rate_lim', 'rate_max',
  'check_status', 'check_code', 'check_duration'] as const

type Row = Partial<Record<(typeof COLUMNS)[number], string | number>>

const line = (r: Row): string => COLUMNS.map((c) => r[c] ?? '').join(',') + ',\n'

function serverStatus(s: Server): string {
  if (s.effectiveAdmin === 'maint') return 'MAINT'
  if (s.effectiveAdmin === 'drain') return s.up ? 'DRAIN' : 'DOWN'
  if (!s.up) return 'DOWN'
  return s.nolb ? 'NOLB' : 'UP'
}

function frontendRow(fe: Frontend, iid: number): Row {
  return { pxname: fe.name, svname: 'FRONTEND', scur: fe.cur, smax: fe.cur, slim: fe.maxconn, stot: fe.totalSessions, status: fe.stopped ? 'STOP' : 'OPEN', pid: 1, iid, sid: 0, type: 0 }
}

function serverRow(be: Backend, s: Server, iid: number): Row {
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

function backendRow(be: Backend, iid: number): Row {
  const act = be.servers.filter((s) => !s.backup && s.usable).length
  const bck = be.servers.filter((s) => s.backup && s.usable).length
  return {
    pxname: be.name, svname: 'BACKEND', qcur: be.queue.length, qmax: be.counters.queueMax, scur: be.beconn,
    stot: be.counters.total, bin: be.counters.bytesIn, bout: be.counters.bytesOut, econ: be.counters.connectErrors,
    wretr: be.counters.retries, wredis: be.counters.redispatches, status: act + bck > 0 ? 'UP' : 'DOWN',
    weight: be.servers.filter((s) => s.usable).reduce((n, s) => n + s.weight, 0), act, bck, pid: 1, iid, sid: 0, type: 1,
  }
}

function showStat(_args: string[], ctx: AdminCtx): string {
  const engine = ctx.engine
  const ids = proxyIds(engine.config)
  let out = `# ${COLUMNS.join(',')},\n`
  for (const p of engine.config.proxies) {
    const iid = ids.get(p.name) ?? 0
    const fe = engine.frontends.find((f) => f.cfg === p)
    if (fe) out += line(frontendRow(fe, iid))
    const be = engine.backends.get(p.name)
    if (!be) continue
    for (const s of be.servers) out += line(serverRow(be, s, iid))
    out += line(backendRow(be, iid))
  }
  return out
}

export const statCommands: readonly AdminCommand[] = [
  { words: ['show', 'stat'], usage: 'show stat', level: 'user', run: showStat },
]
