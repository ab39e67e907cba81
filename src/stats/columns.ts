/**
 * The one table of the proxy statistics: every column of HAProxy 2.6's `show stat` in its order
 * (the position is the CSV column number tools hard-code), what it means, its type and tags for
 * the typed and JSON outputs, how each kind of row (frontend, backend, server) reads it from the
 * engine, and its Prometheus metric. The CSV, JSON, typed, HTML and Prometheus renderers all read
 * this table, so a counter is added here once.
 *
 * A reader returns undefined where HAProxy leaves the cell empty. Readers run at render time only
 * (never on the request path): they may compute, the counting itself is in the engine
 * (backend/counters.ts, proxy/counters.ts, check/state.ts).
 *
 * Tags are HAProxy's three letters: origin (M metric, S status, K key, C config, P product),
 * nature (G gauge, L limit, M max, R rate, C counter, D duration, A age, N name, O output,
 * a average) and scope (P process, S service).
 */
import { swrateAvg } from '../core/swrate.ts'
import type { TrafficCounters } from '../backend/counters.ts'
import type { Server } from '../backend/server.ts'
import type { ServerAddr } from '../model/types.ts'
import {
  backendDownTime, backendWeights, checkShown, checkStatusText, hasCode, lastReport, serverCounts,
  serverDownTime, serverStatus, trackEnd,
} from './server-state.ts'
import { KIND_NUMBER, type BeRow, type FeRow, type FieldType, type LiRow, type RowKind, type SrvRow, type StatsRow, type Value } from './types.ts'

/** A Prometheus metric: its name after `haproxy_<kind>_`, its type, and the kinds of row that
 *  have it (f frontend, b backend, s server, l listener). Values in ms are exported in seconds (`seconds`). */
export interface PromMetric {
  readonly name: string
  readonly type: 'counter' | 'gauge'
  readonly on: string
  readonly seconds?: boolean
}

export interface Column {
  /** HAProxy's position (ST_F_*): the CSV column number. */
  readonly pos: number
  /** The CSV header word. */
  readonly name: string
  readonly desc: string
  readonly type: FieldType
  /** Origin, nature and scope letters; `tagsBy` where one kind of row differs. */
  readonly tags: string
  readonly tagsBy?: Partial<Record<RowKind, string>>
  readonly fe?: (r: FeRow) => Value
  readonly be?: (r: BeRow) => Value
  readonly srv?: (r: SrvRow) => Value
  readonly li?: (r: LiRow) => Value
  readonly prom?: PromMetric
}

// --- readers shared by several columns ----------------------------------------------------------

const http = (r: StatsRow): boolean => r.px.mode === 'http'
const sec = (ms: number): number => Math.floor(ms / 1000)
const ageOf = (r: StatsRow, t: number): number => (t < 0 ? -1 : sec(r.env.now - t))
const trafficOf = (r: BeRow | SrvRow): TrafficCounters => (r.kind === 'be' ? r.be.counters : r.s.counters)
const avg = (key: 'qtime' | 'ctime' | 'rtime' | 'ttime') => (r: BeRow | SrvRow): Value => {
  const c = trafficOf(r)
  return swrateAvg(c[key], c.timed)
}
const onHttp = <R extends StatsRow>(read: (r: R) => Value) => (r: R): Value => (http(r) ? read(r) : undefined)
const rsp = (i: number) => onHttp((r: FeRow | BeRow | SrvRow): Value => (r.kind === 'fe' ? r.fe.counters.rsp[i] : trafficOf(r).rsp[i]))
const zero = (): Value => 0
const srvHealth = (r: SrvRow) => (checkShown(r.s, r.health, false) ? r.health : undefined)
const srvAgent = (r: SrvRow) => (checkShown(r.s, r.agent, true) ? r.agent : undefined)
const withHealth = (read: (r: SrvRow) => Value) => (r: SrvRow): Value => (srvHealth(r) === undefined ? undefined : read(r))
const withAgent = (read: (r: SrvRow) => Value) => (r: SrvRow): Value => (srvAgent(r) === undefined ? undefined : read(r))
const feLimit = (r: FeRow): Value => (r.fe.maxconn >= Number.MAX_SAFE_INTEGER ? undefined : r.fe.maxconn)
const throttle = (s: Server): Value => (s.up && s.throttle < 1 && s.effectiveAdmin !== 'drain' ? Math.floor(s.throttle * 100) : undefined)
const srvWeight = (r: SrvRow): Value => Math.ceil(r.s.weight)
/** `addr`: `ip:port`, `[ipv6]:port`, or `unix`. */
const addrText = (a: ServerAddr): string => (a.path !== undefined ? 'unix' : `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port ?? 0}`)

/** `check_status` and friends for the health check (`agent`: the agent check). */
function checkColumns(agent: boolean): { status: (r: SrvRow) => Value; code: (r: SrvRow) => Value; duration: (r: SrvRow) => Value; desc: (r: SrvRow) => Value; last: (r: SrvRow) => Value } {
  const shown = agent ? srvAgent : srvHealth
  return {
    status: (r) => { const c = shown(r); return c === undefined ? undefined : checkStatusText(r.s, c, agent) },
    code: (r) => {
      const rep = shown(r) === undefined ? null : lastReport(r.s, agent)
      return rep !== null && hasCode(rep.status) ? rep.code : undefined
    },
    duration: (r) => {
      if (shown(r) === undefined) return undefined
      const rep = lastReport(r.s, agent)
      return rep !== null && rep.duration >= 0 ? rep.duration : agent ? 0 : undefined
    },
    desc: (r) => {
      if (shown(r) === undefined) return undefined
      return lastReport(r.s, agent)?.desc ?? 'Initializing'
    },
    last: (r) => (shown(r) === undefined ? undefined : lastReport(r.s, agent)?.info ?? ''),
  }
}
const healthCols = checkColumns(false)
const agentCols = checkColumns(true)

const FBS = 'fbs'
const FBSL = 'fbsl'
const BS = 'bs'

/** HAProxy 2.6's proxy statistics, in order (positions 0 to 100). */
export const COLUMNS: readonly Column[] = [
  { pos: 0, name: 'pxname', desc: 'Proxy name', type: 'str', tags: 'KNS', fe: (r) => r.px.name, be: (r) => r.px.name, srv: (r) => r.px.name, li: (r) => r.px.name },
  { pos: 1, name: 'svname', desc: 'Service name: FRONTEND, BACKEND, or the server name', type: 'str', tags: 'KNS', fe: () => 'FRONTEND', be: () => 'BACKEND', srv: (r) => r.s.name, li: (r) => r.li.name },
  { pos: 2, name: 'qcur', desc: 'Requests waiting in the queue now (a backend counts those not yet assigned a server)', type: 'u32', tags: 'MGP', be: (r) => r.be.queue.total, srv: (r) => r.s.queue.total, prom: { name: 'current_queue', type: 'gauge', on: BS } },
  { pos: 3, name: 'qmax', desc: 'Highest queue length seen', type: 'u32', tags: 'MMP', be: (r) => r.be.counters.queueMax, srv: (r) => r.s.counters.queueMax, prom: { name: 'max_queue', type: 'gauge', on: BS } },
  { pos: 4, name: 'scur', desc: 'Sessions now', type: 'u32', tags: 'MGP', fe: (r) => r.fe.cur, be: (r) => r.be.beconn, srv: (r) => r.s.cur, li: (r) => r.li.counters.cur, prom: { name: 'current_sessions', type: 'gauge', on: FBSL } },
  { pos: 5, name: 'smax', desc: 'Highest number of sessions at once', type: 'u32', tags: 'MMP', fe: (r) => r.fe.counters.connMax, be: (r) => r.be.counters.connMax, srv: (r) => r.s.counters.maxCur, li: (r) => r.li.counters.connMax, prom: { name: 'max_sessions', type: 'gauge', on: FBSL } },
  { pos: 6, name: 'slim', desc: "Session limit: a frontend's or server's maxconn, a backend's fullconn", type: 'u32', tags: 'CLP', fe: feLimit, be: (r) => r.be.fullconn, srv: (r) => (r.s.maxconn > 0 ? r.s.maxconn : undefined), li: (r) => (r.fe.maxconn >= Number.MAX_SAFE_INTEGER ? undefined : r.fe.maxconn), prom: { name: 'limit_sessions', type: 'gauge', on: FBSL } },
  { pos: 7, name: 'stot', desc: 'Sessions since start', type: 'u64', tags: 'MCP', fe: (r) => r.fe.counters.cumSess, be: (r) => r.be.counters.total, srv: (r) => r.s.counters.total, li: (r) => r.li.counters.cumSess, prom: { name: 'sessions_total', type: 'counter', on: FBSL } },
  { pos: 8, name: 'bin', desc: 'Bytes received from clients', type: 'u64', tags: 'MCP', fe: (r) => r.fe.counters.bytesIn, be: (r) => r.be.counters.bytesIn, srv: (r) => r.s.counters.bytesIn, li: (r) => r.li.counters.bytesIn, prom: { name: 'bytes_in_total', type: 'counter', on: FBSL } },
  { pos: 9, name: 'bout', desc: 'Bytes sent to clients', type: 'u64', tags: 'MCP', fe: (r) => r.fe.counters.bytesOut, be: (r) => r.be.counters.bytesOut, srv: (r) => r.s.counters.bytesOut, li: (r) => r.li.counters.bytesOut, prom: { name: 'bytes_out_total', type: 'counter', on: FBSL } },
  { pos: 10, name: 'dreq', desc: 'Requests denied by rules', type: 'u64', tags: 'MCP', fe: (r) => r.fe.counters.deniedReq, be: (r) => r.be.counters.deniedReq, li: zero, prom: { name: 'requests_denied_total', type: 'counter', on: 'fbl' } },
  { pos: 11, name: 'dresp', desc: 'Responses denied by rules', type: 'u64', tags: 'MCP', fe: (r) => r.fe.counters.deniedResp, be: (r) => r.be.counters.deniedResp, srv: (r) => r.s.counters.deniedResp, li: zero, prom: { name: 'responses_denied_total', type: 'counter', on: FBSL } },
  { pos: 12, name: 'ereq', desc: 'Request errors: invalid requests, clients that left or timed out before their request was complete', type: 'u64', tags: 'MCP', fe: (r) => r.fe.counters.failedReq, li: zero, prom: { name: 'request_errors_total', type: 'counter', on: 'fl' } },
  { pos: 13, name: 'econ', desc: 'Failed connections to servers', type: 'u64', tags: 'MCP', be: (r) => r.be.counters.connectErrors, srv: (r) => r.s.counters.econ, prom: { name: 'connection_errors_total', type: 'counter', on: BS } },
  { pos: 14, name: 'eresp', desc: 'Response errors: invalid responses, servers that failed or timed out before the end', type: 'u64', tags: 'MCP', be: (r) => r.be.counters.failedResp, srv: (r) => r.s.counters.failedResp, prom: { name: 'response_errors_total', type: 'counter', on: BS } },
  { pos: 15, name: 'wretr', desc: 'Connection retries', type: 'u64', tags: 'MCP', be: (r) => r.be.counters.retries, srv: (r) => r.s.counters.wretr, prom: { name: 'retry_warnings_total', type: 'counter', on: BS } },
  { pos: 16, name: 'wredis', desc: 'Redispatches to another server', type: 'u64', tags: 'MCP', be: (r) => r.be.counters.redispatches, srv: (r) => r.s.counters.wredis, prom: { name: 'redispatch_warnings_total', type: 'counter', on: BS } },
  { pos: 17, name: 'status', desc: 'Status: OPEN or STOP (frontend), UP or DOWN (backend), the server state, OPEN, FULL or STOP (listener)', type: 'str', tags: 'SGP', fe: (r) => (r.fe.stopped ? 'STOP' : 'OPEN'), be: (r) => (r.be.up ? 'UP' : 'DOWN'), srv: (r) => serverStatus(r.s, r.env.backendOf), li: (r) => (r.fe.stopped ? 'STOP' : r.fe.cur >= r.fe.maxconn ? 'FULL' : 'OPEN'), prom: { name: 'status', type: 'gauge', on: FBSL } },
  { pos: 18, name: 'weight', desc: "Effective weight of a server; a backend's sum over the servers it balances", type: 'u32', tags: 'MaP', be: (r) => backendWeights(r.be).weight, srv: srvWeight, prom: { name: 'weight', type: 'gauge', on: BS } },
  { pos: 19, name: 'act', desc: 'Usable active servers (backend); 1 for an active server', type: 'u32', tags: 'SGP', tagsBy: { be: 'MGP' }, be: (r) => serverCounts(r.be).act, srv: (r) => (r.s.backup ? 0 : 1), prom: { name: 'active_servers', type: 'gauge', on: 'b' } },
  { pos: 20, name: 'bck', desc: 'Usable backup servers (backend); 1 for a backup server', type: 'u32', tags: 'SGP', tagsBy: { be: 'MGP' }, be: (r) => serverCounts(r.be).bck, srv: (r) => (r.s.backup ? 1 : 0), prom: { name: 'backup_servers', type: 'gauge', on: 'b' } },
  { pos: 21, name: 'chkfail', desc: 'Failed health checks', type: 'u64', tags: 'MCP', srv: withHealth((r) => r.s.counters.failedChecks), prom: { name: 'check_failures_total', type: 'counter', on: 's' } },
  { pos: 22, name: 'chkdown', desc: 'UP to DOWN transitions', type: 'u64', tags: 'MCP', be: (r) => r.be.counters.downTrans, srv: withHealth((r) => r.s.counters.downTrans), prom: { name: 'check_up_down_total', type: 'counter', on: BS } },
  { pos: 23, name: 'lastchg', desc: 'Seconds since the last state change', type: 'u32', tags: 'MAP', be: (r) => sec(r.env.now - r.be.lastChangeAt), srv: (r) => sec(r.env.now - r.s.lastChangeAt), prom: { name: 'check_last_change_seconds', type: 'gauge', on: BS } },
  { pos: 24, name: 'downtime', desc: 'Seconds spent DOWN', type: 'u32', tags: 'MCP', be: (r) => (r.be.servers.length > 0 ? sec(backendDownTime(r.be, r.env.now)) : undefined), srv: withHealth((r) => sec(serverDownTime(r.s, r.env.now))), prom: { name: 'downtime_seconds_total', type: 'counter', on: BS } },
  { pos: 25, name: 'qlimit', desc: "A server's maxqueue", type: 'u32', tags: 'CGS', srv: (r) => (r.s.maxqueue > 0 ? r.s.maxqueue : undefined), prom: { name: 'queue_limit', type: 'gauge', on: 's' } },
  { pos: 26, name: 'pid', desc: 'Process number (always 1)', type: 'u32', tags: 'KGP', fe: () => 1, be: () => 1, srv: () => 1, li: () => 1 },
  { pos: 27, name: 'iid', desc: 'Proxy number, in configuration order from 1', type: 'u32', tags: 'KGS', fe: (r) => r.iid, be: (r) => r.iid, srv: (r) => r.iid, li: (r) => r.iid },
  { pos: 28, name: 'sid', desc: 'Server number within its backend, or listener number within its frontend, from 1 (0 for a frontend or backend)', type: 'u32', tags: 'KGS', fe: () => 0, be: () => 0, srv: (r) => r.sid, li: (r) => r.li.id },
  { pos: 29, name: 'throttle', desc: 'Percent of its weight and maxconn a server warming up (slowstart) has', type: 'u32', tags: 'MaP', srv: (r) => throttle(r.s), prom: { name: 'current_throttle', type: 'gauge', on: 's' } },
  { pos: 30, name: 'lbtot', desc: 'Times the balancer chose it', type: 'u64', tags: 'MCP', be: (r) => r.be.counters.lbtot, srv: (r) => r.s.counters.lbtot, prom: { name: 'loadbalanced_total', type: 'counter', on: BS } },
  { pos: 31, name: 'tracked', desc: 'The server this one tracks (backend/server)', type: 'str', tags: 'CNS', srv: (r) => (r.s.track === null ? undefined : `${r.env.backendOf(r.s.track)?.name ?? '?'}/${r.s.track.name}`) },
  { pos: 32, name: 'type', desc: 'Kind of row: 0 frontend, 1 backend, 2 server, 3 listener', type: 'u32', tags: 'CGS', fe: () => KIND_NUMBER.fe, be: () => KIND_NUMBER.be, srv: () => KIND_NUMBER.srv, li: () => KIND_NUMBER.li },
  { pos: 33, name: 'rate', desc: 'Sessions over the last second', type: 'u32', tags: 'MRP', tagsBy: { be: 'MGP' }, fe: (r) => r.fe.counters.sessRate.read(r.env.now), be: (r) => r.be.counters.rate.read(r.env.now), srv: (r) => r.s.counters.rate.read(r.env.now) },
  { pos: 34, name: 'rate_lim', desc: 'Limit on new sessions per second (rate-limit sessions)', type: 'u32', tags: 'CLP', fe: zero, prom: { name: 'limit_session_rate', type: 'gauge', on: 'f' } },
  { pos: 35, name: 'rate_max', desc: 'Highest number of sessions in a second', type: 'u32', tags: 'MMP', tagsBy: { be: 'MGP' }, fe: (r) => r.fe.counters.sessRate.max(r.env.now), be: (r) => r.be.counters.rate.max(r.env.now), srv: (r) => r.s.counters.rate.max(r.env.now), prom: { name: 'max_session_rate', type: 'gauge', on: FBS } },
  { pos: 36, name: 'check_status', desc: "Status of the last health check (L4OK, L7STS…), '* ' in front while one runs", type: 'str', tags: 'MOP', srv: healthCols.status, prom: { name: 'check_status', type: 'gauge', on: 's' } },
  { pos: 37, name: 'check_code', desc: 'Layer 5-7 code of the last health check', type: 'u32', tags: 'MOP', srv: healthCols.code, prom: { name: 'check_code', type: 'gauge', on: 's' } },
  { pos: 38, name: 'check_duration', desc: 'Duration of the last health check, ms', type: 'u64', tags: 'MDP', srv: healthCols.duration, prom: { name: 'check_duration_seconds', type: 'gauge', on: 's', seconds: true } },
  { pos: 39, name: 'hrsp_1xx', desc: 'HTTP responses with a 1xx status', type: 'u64', tags: 'MCP', fe: rsp(1), be: rsp(1), srv: rsp(1), prom: { name: 'http_responses_total', type: 'counter', on: FBS } },
  { pos: 40, name: 'hrsp_2xx', desc: 'HTTP responses with a 2xx status', type: 'u64', tags: 'MCP', fe: rsp(2), be: rsp(2), srv: rsp(2), prom: { name: 'http_responses_total', type: 'counter', on: FBS } },
  { pos: 41, name: 'hrsp_3xx', desc: 'HTTP responses with a 3xx status', type: 'u64', tags: 'MCP', fe: rsp(3), be: rsp(3), srv: rsp(3), prom: { name: 'http_responses_total', type: 'counter', on: FBS } },
  { pos: 42, name: 'hrsp_4xx', desc: 'HTTP responses with a 4xx status', type: 'u64', tags: 'MCP', fe: rsp(4), be: rsp(4), srv: rsp(4), prom: { name: 'http_responses_total', type: 'counter', on: FBS } },
  { pos: 43, name: 'hrsp_5xx', desc: 'HTTP responses with a 5xx status', type: 'u64', tags: 'MCP', fe: rsp(5), be: rsp(5), srv: rsp(5), prom: { name: 'http_responses_total', type: 'counter', on: FBS } },
  { pos: 44, name: 'hrsp_other', desc: 'HTTP responses with another status (protocol errors)', type: 'u64', tags: 'MCP', fe: rsp(0), be: rsp(0), srv: rsp(0), prom: { name: 'http_responses_total', type: 'counter', on: FBS } },
  { pos: 45, name: 'hanafail', desc: 'Failures seen by passive health (observe)', type: 'u64', tags: 'MCP', srv: (r) => (trackEnd(r.s).cfg.observe !== undefined ? r.s.counters.failedObserve : undefined) },
  { pos: 46, name: 'req_rate', desc: 'HTTP requests over the last second', type: 'u32', tags: 'MRP', fe: (r) => r.fe.counters.reqRate.read(r.env.now) },
  { pos: 47, name: 'req_rate_max', desc: 'Highest number of HTTP requests in a second', type: 'u32', tags: 'MMP', fe: (r) => r.fe.counters.reqRate.max(r.env.now), prom: { name: 'http_requests_rate_max', type: 'gauge', on: 'f' } },
  { pos: 48, name: 'req_tot', desc: 'HTTP requests since start', type: 'u64', tags: 'MCP', fe: (r) => r.fe.counters.reqTot, be: onHttp((r: BeRow) => r.be.counters.reqTot), srv: onHttp((r: SrvRow) => r.s.counters.reqTot), prom: { name: 'http_requests_total', type: 'counter', on: 'fb' } },
  { pos: 49, name: 'cli_abrt', desc: 'Transfers the client aborted', type: 'u64', tags: 'MCP', be: (r) => r.be.counters.cliAborts, srv: (r) => r.s.counters.cliAborts, prom: { name: 'client_aborts_total', type: 'counter', on: BS } },
  { pos: 50, name: 'srv_abrt', desc: 'Transfers the server aborted', type: 'u64', tags: 'MCP', be: (r) => r.be.counters.srvAborts, srv: (r) => r.s.counters.srvAborts, prom: { name: 'server_aborts_total', type: 'counter', on: BS } },
  { pos: 51, name: 'comp_in', desc: 'HTTP response bytes fed to the compressor (edgelb does not compress)', type: 'u64', tags: 'MCP', fe: zero, be: zero, prom: { name: 'http_comp_bytes_in_total', type: 'counter', on: 'fb' } },
  { pos: 52, name: 'comp_out', desc: 'HTTP response bytes the compressor emitted', type: 'u64', tags: 'MCP', fe: zero, be: zero, prom: { name: 'http_comp_bytes_out_total', type: 'counter', on: 'fb' } },
  { pos: 53, name: 'comp_byp', desc: 'HTTP response bytes that bypassed the compressor', type: 'u64', tags: 'MCP', fe: zero, be: zero, prom: { name: 'http_comp_bytes_bypassed_total', type: 'counter', on: 'fb' } },
  { pos: 54, name: 'comp_rsp', desc: 'HTTP responses compressed', type: 'u64', tags: 'MCP', fe: zero, be: zero, prom: { name: 'http_comp_responses_total', type: 'counter', on: 'fb' } },
  { pos: 55, name: 'lastsess', desc: 'Seconds since the last session was assigned (-1: never)', type: 's32', tags: 'MAP', be: (r) => ageOf(r, r.be.counters.lastSess), srv: (r) => ageOf(r, r.s.counters.lastSess), prom: { name: 'last_session_seconds', type: 'gauge', on: BS } },
  { pos: 56, name: 'last_chk', desc: 'What the last health check said', type: 'str', tags: 'MOP', srv: healthCols.last },
  { pos: 57, name: 'last_agt', desc: 'What the last agent check said', type: 'str', tags: 'MOP', srv: agentCols.last },
  { pos: 58, name: 'qtime', desc: 'Average queue time over the last 1024 exchanges, ms', type: 'u32', tags: 'MaP', be: avg('qtime'), srv: avg('qtime'), prom: { name: 'queue_time_average_seconds', type: 'gauge', on: BS, seconds: true } },
  { pos: 59, name: 'ctime', desc: 'Average connect time over the last 1024 exchanges, ms', type: 'u32', tags: 'MaP', be: avg('ctime'), srv: avg('ctime'), prom: { name: 'connect_time_average_seconds', type: 'gauge', on: BS, seconds: true } },
  { pos: 60, name: 'rtime', desc: 'Average response time over the last 1024 exchanges, ms (0 in tcp mode)', type: 'u32', tags: 'MaP', be: avg('rtime'), srv: avg('rtime'), prom: { name: 'response_time_average_seconds', type: 'gauge', on: BS, seconds: true } },
  { pos: 61, name: 'ttime', desc: 'Average total time over the last 1024 exchanges, ms', type: 'u32', tags: 'MaP', be: avg('ttime'), srv: avg('ttime'), prom: { name: 'total_time_average_seconds', type: 'gauge', on: BS, seconds: true } },
  { pos: 62, name: 'agent_status', desc: "Status of the last agent check, '* ' in front while one runs", type: 'str', tags: 'MOP', srv: agentCols.status },
  { pos: 63, name: 'agent_code', desc: 'Code of the last agent check', type: 'u32', tags: 'MOP', srv: agentCols.code },
  { pos: 64, name: 'agent_duration', desc: 'Duration of the last agent check, ms', type: 'u64', tags: 'MDP', srv: agentCols.duration },
  { pos: 65, name: 'check_desc', desc: 'The status of the last health check in words', type: 'str', tags: 'MOP', srv: healthCols.desc },
  { pos: 66, name: 'agent_desc', desc: 'The status of the last agent check in words', type: 'str', tags: 'MOP', srv: agentCols.desc },
  { pos: 67, name: 'check_rise', desc: "The server's rise", type: 'u32', tags: 'CGS', srv: withHealth((r) => trackEnd(r.s).cfg.rise) },
  { pos: 68, name: 'check_fall', desc: "The server's fall", type: 'u32', tags: 'CGS', srv: withHealth((r) => trackEnd(r.s).cfg.fall) },
  { pos: 69, name: 'check_health', desc: 'Health check counter, 0 to rise+fall-1 (UP from rise)', type: 'u32', tags: 'CGS', srv: withHealth((r) => trackEnd(r.s).checkHealth) },
  { pos: 70, name: 'agent_rise', desc: "The agent's rise", type: 'u32', tags: 'CGS', srv: withAgent((r) => r.s.cfg.rise) },
  { pos: 71, name: 'agent_fall', desc: "The agent's fall", type: 'u32', tags: 'CGS', srv: withAgent((r) => r.s.cfg.fall) },
  { pos: 72, name: 'agent_health', desc: 'Agent check counter, 0 to rise+fall-1', type: 'u32', tags: 'CGS', srv: withAgent((r) => r.s.agentHealth) },
  { pos: 73, name: 'addr', desc: "The server's address:port, the listener's bound address (with legends)", type: 'str', tags: 'CGS', srv: (r) => (r.env.legends ? addrText(r.s.cfg.addr) : undefined), li: (r) => (r.env.legends ? r.li.addr : undefined) },
  { pos: 74, name: 'cookie', desc: "The server's cookie value, or the backend's cookie name (with legends)", type: 'str', tags: 'CNS', be: (r) => (r.env.legends ? r.be.cfg.cookie?.name : undefined), srv: (r) => (r.env.legends ? r.s.cfg.cookie : undefined) },
  { pos: 75, name: 'mode', desc: 'The proxy mode: tcp or http', type: 'str', tags: 'CGS', fe: (r) => r.px.mode, be: (r) => r.px.mode, srv: (r) => r.px.mode },
  { pos: 76, name: 'algo', desc: 'The balance algorithm (with legends)', type: 'str', tags: 'CGS', be: (r) => (r.env.legends ? r.be.algorithm.name : undefined) },
  { pos: 77, name: 'conn_rate', desc: 'Connections accepted over the last second', type: 'u32', tags: 'MRP', fe: (r) => r.fe.counters.connRate.read(r.env.now) },
  { pos: 78, name: 'conn_rate_max', desc: 'Highest number of connections accepted in a second', type: 'u32', tags: 'MMP', fe: (r) => r.fe.counters.connRate.max(r.env.now), prom: { name: 'connections_rate_max', type: 'gauge', on: 'f' } },
  { pos: 79, name: 'conn_tot', desc: 'Connections accepted since start', type: 'u64', tags: 'MCP', fe: (r) => r.fe.counters.cumConn, prom: { name: 'connections_total', type: 'counter', on: 'f' } },
  { pos: 80, name: 'intercepted', desc: 'HTTP requests edgelb answered itself (redirects, return, stats, services)', type: 'u64', tags: 'MCP', fe: onHttp((r: FeRow) => r.fe.counters.intercepted), prom: { name: 'intercepted_requests_total', type: 'counter', on: 'f' } },
  { pos: 81, name: 'dcon', desc: 'Connections denied by tcp-request connection rules', type: 'u64', tags: 'MCP', fe: (r) => r.fe.counters.deniedConn, li: (r) => r.li.counters.deniedConn, prom: { name: 'denied_connections_total', type: 'counter', on: 'fl' } },
  { pos: 82, name: 'dses', desc: 'Sessions denied by tcp-request session rules (counted with dcon)', type: 'u64', tags: 'MCP', fe: zero, li: zero, prom: { name: 'denied_sessions_total', type: 'counter', on: 'fl' } },
  { pos: 83, name: 'wrew', desc: 'Failed header rewrites', type: 'u64', tags: 'MCP', fe: zero, be: zero, srv: zero, li: zero, prom: { name: 'failed_header_rewriting_total', type: 'counter', on: FBSL } },
  { pos: 84, name: 'connect', desc: 'Connection attempts to servers', type: 'u64', tags: 'MCP', be: (r) => r.be.counters.connects, srv: (r) => r.s.counters.connects, prom: { name: 'connection_attempts_total', type: 'counter', on: BS } },
  { pos: 85, name: 'reuse', desc: 'Exchanges that reused an idle server connection', type: 'u64', tags: 'MCP', be: (r) => r.be.counters.reuses, srv: (r) => r.s.counters.reuses, prom: { name: 'connection_reuses_total', type: 'counter', on: BS } },
  { pos: 86, name: 'cache_lookups', desc: 'HTTP cache lookups (edgelb has no cache)', type: 'u64', tags: 'MCP', fe: onHttp(zero), be: onHttp(zero), prom: { name: 'http_cache_lookups_total', type: 'counter', on: 'fb' } },
  { pos: 87, name: 'cache_hits', desc: 'HTTP cache hits', type: 'u64', tags: 'MCP', fe: onHttp(zero), be: onHttp(zero), prom: { name: 'http_cache_hits_total', type: 'counter', on: 'fb' } },
  { pos: 88, name: 'srv_icur', desc: 'Idle connections to the server available for reuse', type: 'u32', tags: 'MGP', srv: zero, prom: { name: 'idle_connections_current', type: 'gauge', on: 's' } },
  { pos: 89, name: 'src_ilim', desc: 'Limit on idle connections to the server', type: 'u32', tags: 'CLP', prom: { name: 'idle_connections_limit', type: 'gauge', on: 's' } },
  { pos: 90, name: 'qtime_max', desc: 'Longest queue time, ms', type: 'u32', tags: 'MMP', be: (r) => r.be.counters.qtimeMax, srv: (r) => r.s.counters.qtimeMax, prom: { name: 'max_queue_time_seconds', type: 'gauge', on: BS, seconds: true } },
  { pos: 91, name: 'ctime_max', desc: 'Longest connect time, ms', type: 'u32', tags: 'MMP', be: (r) => r.be.counters.ctimeMax, srv: (r) => r.s.counters.ctimeMax, prom: { name: 'max_connect_time_seconds', type: 'gauge', on: BS, seconds: true } },
  { pos: 92, name: 'rtime_max', desc: 'Longest response time, ms (0 in tcp mode)', type: 'u32', tags: 'MMP', be: (r) => r.be.counters.rtimeMax, srv: (r) => r.s.counters.rtimeMax, prom: { name: 'max_response_time_seconds', type: 'gauge', on: BS, seconds: true } },
  { pos: 93, name: 'ttime_max', desc: 'Longest total time, ms', type: 'u32', tags: 'MMP', be: (r) => r.be.counters.ttimeMax, srv: (r) => r.s.counters.ttimeMax, prom: { name: 'max_total_time_seconds', type: 'gauge', on: BS, seconds: true } },
  { pos: 94, name: 'eint', desc: 'Internal errors', type: 'u64', tags: 'MCP', fe: zero, be: zero, srv: zero, li: zero, prom: { name: 'internal_errors_total', type: 'counter', on: FBSL } },
  { pos: 95, name: 'idle_conn_cur', desc: 'Idle connections not safe to reuse', type: 'u32', tags: 'MGP', srv: zero, prom: { name: 'unsafe_idle_connections_current', type: 'gauge', on: 's' } },
  { pos: 96, name: 'safe_conn_cur', desc: 'Idle connections safe to reuse', type: 'u32', tags: 'MGP', srv: zero, prom: { name: 'safe_idle_connections_current', type: 'gauge', on: 's' } },
  { pos: 97, name: 'used_conn_cur', desc: 'Connections to the server in use', type: 'u32', tags: 'MGP', srv: (r) => r.s.cur, prom: { name: 'used_connections_current', type: 'gauge', on: 's' } },
  { pos: 98, name: 'need_conn_est', desc: 'Estimated connections needed', type: 'u32', tags: 'MGP', srv: zero, prom: { name: 'need_connections_current', type: 'gauge', on: 's' } },
  { pos: 99, name: 'uweight', desc: "The server's user weight; a backend's sum over the servers it balances", type: 'u32', tags: 'MaP', be: (r) => backendWeights(r.be).uweight, srv: (r) => r.s.uweight, prom: { name: 'uweight', type: 'gauge', on: BS } },
  { pos: 100, name: 'agg_server_check_status', desc: "The backend's servers by state (Prometheus), 0 in CSV", type: 'u32', tags: 'MGP', be: zero, prom: { name: 'agg_server_check_status', type: 'gauge', on: 'b' } },
]

/** Columns by CSV name. */
export const COLUMN_BY_NAME: ReadonlyMap<string, Column> = new Map(COLUMNS.map((c) => [c.name, c]))

/** The value of column `c` in row `r` (undefined: an empty cell). */
export function valueOf(c: Column, r: StatsRow): Value {
  switch (r.kind) {
    case 'fe': return c.fe?.(r)
    case 'be': return c.be?.(r)
    case 'srv': return c.srv?.(r)
    case 'li': return c.li?.(r)
  }
}

/** The tags of column `c` for a kind of row. */
export function tagsOf(c: Column, kind: RowKind): string {
  return c.tagsBy?.[kind] ?? c.tags
}
