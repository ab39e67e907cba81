/**
 * What edgelb says of its process, as HAProxy's `show info` fields (in HAProxy's order, with its
 * names): read by `show info` and by Prometheus's `haproxy_process_*`. Fields edgelb has nothing
 * for (SSL, compression, pipes) say 0, as HAProxy's do when unused.
 */
import { hostname } from 'node:os'
import { version } from '../version.ts'
import type { Engine } from '../proxy/engine.ts'
import { now } from '../core/clock.ts'
import { formatUptime } from './uptime.ts'

/** The fields, in HAProxy's order. */
export function infoFields(engine: Engine): [string, string | number][] {
  const t = now()
  const up = Math.floor(performance.now() / 1000)
  let cumConn = 0
  let cumReq = 0
  let connRate = 0
  let sessRate = 0
  let maxConnRate = 0
  let maxSessRate = 0
  let bytesOut = 0
  let listeners = 0
  for (const fe of engine.frontends) {
    const c = fe.counters
    cumConn += c.cumConn
    cumReq += c.reqTot
    connRate += c.connRate.read(t)
    sessRate += c.sessRate.read(t)
    maxConnRate = Math.max(maxConnRate, c.connRate.max(t))
    maxSessRate = Math.max(maxSessRate, c.sessRate.max(t))
    bytesOut += c.bytesOut
    listeners += fe.bound.length
  }
  const mem = process.memoryUsage()
  const maxconn = engine.globalMaxconn >= Number.MAX_SAFE_INTEGER ? 0 : engine.globalMaxconn
  return [
    ['Name', 'edgelb'],
    ['Version', version],
    ['Nbthread', engine.nbthread],
    ['Nbproc', 1],
    ['Process_num', 1],
    ['Pid', process.pid],
    ['Uptime', formatUptime(up)],
    ['Uptime_sec', up],
    ['Start_time_sec', Math.floor(performance.timeOrigin / 1000)],
    ['Memmax_MB', 0],
    ['Memmax_bytes', 0],
    ['PoolAlloc_MB', Math.floor(mem.heapTotal / 1048576)],
    ['PoolAlloc_bytes', mem.heapTotal],
    ['PoolUsed_MB', Math.floor(mem.heapUsed / 1048576)],
    ['PoolUsed_bytes', mem.heapUsed],
    ['PoolFailed', 0],
    ['Ulimit-n', 0],
    ['Maxsock', 0],
    ['Maxconn', maxconn],
    ['Hard_maxconn', maxconn],
    ['CurrConns', engine.actconn],
    ['CumConns', cumConn],
    ['CumReq', cumReq],
    ['Maxpipes', 0],
    ['PipesUsed', 0],
    ['PipesFree', 0],
    ['ConnRate', connRate],
    ['ConnRateLimit', 0],
    ['MaxConnRate', maxConnRate],
    ['SessRate', sessRate],
    ['SessRateLimit', 0],
    ['MaxSessRate', maxSessRate],
    ['CompressBpsIn', 0],
    ['CompressBpsOut', 0],
    ['CompressBpsRateLim', 0],
    ['Tasks', engine.actconn],
    ['Run_queue', 0],
    ['Idle_pct', 100],
    ['node', hostname()],
    ['Stopping', engine.state === 'stopping' ? 1 : 0],
    ['Jobs', engine.actconn + listeners],
    ['Unstoppable Jobs', 0],
    ['Listeners', listeners],
    ['ActivePeers', engine.peers.reduce((n, p) => n + p.active, 0)],
    ['ConnectedPeers', engine.peers.reduce((n, p) => n + p.connected, 0)],
    ['DroppedLogs', 0],
    ['BusyPolling', 0],
    ['FailedResolutions', 0],
    ['TotalBytesOut', bytesOut],
    ['TotalSplicdedBytesOut', 0],
    ['BytesOutRate', 0],
    ['DebugCommandsIssued', 0],
    ['CumRecvLogs', 0],
    ['Build info', version],
    ['Tainted', '0x0'],
  ]
}

