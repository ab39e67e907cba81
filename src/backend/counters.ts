/**
 * The traffic counters a backend and each of its servers keep alike (HAProxy's be_counters and
 * srv counters): plain numbers, incremented where the event happens and read by the stats
 * (src/stats/columns.ts says which column shows which). Nothing here allocates per event.
 */
import { FreqCtr } from '../rules/freq.ts'
import { swrateAdd } from '../core/swrate.ts'

export interface TrafficCounters {
  /** Times the balancer chose it (HAProxy's lbtot: persistence and queue grants not counted). */
  lbtot: number
  /** Connection attempts, and exchanges that reused an idle connection. */
  connects: number
  reuses: number
  /** HTTP requests, and responses by status class: [other, 1xx, 2xx, 3xx, 4xx, 5xx]. */
  reqTot: number
  readonly rsp: number[]
  /** Exchanges the client, or the server, aborted while data was moving. */
  cliAborts: number
  srvAborts: number
  /** Responses that failed (bad head, server error or timeout before the end). */
  failedResp: number
  /** Requests and responses denied by rules. */
  deniedReq: number
  deniedResp: number
  /** Sliding sums of the queue, connect, response and total times (ms) of the exchanges that
   *  reached a server, and their maxima; `timed` counts those exchanges. */
  timed: number
  qtime: number
  ctime: number
  rtime: number
  ttime: number
  qtimeMax: number
  ctimeMax: number
  rtimeMax: number
  ttimeMax: number
  /** Monotonic ms of the last session assigned (-1: none yet). */
  lastSess: number
  /** Sessions per second, and the highest rate seen. */
  readonly rate: FreqCtr
  rateMax: number
}

export function trafficCounters(): TrafficCounters {
  return {
    lbtot: 0, connects: 0, reuses: 0, reqTot: 0, rsp: [0, 0, 0, 0, 0, 0], cliAborts: 0, srvAborts: 0,
    failedResp: 0, deniedReq: 0, deniedResp: 0,
    timed: 0, qtime: 0, ctime: 0, rtime: 0, ttime: 0, qtimeMax: 0, ctimeMax: 0, rtimeMax: 0, ttimeMax: 0,
    lastSess: -1, rate: new FreqCtr(), rateMax: 0,
  }
}

/** A new session at monotonic ms `t`: its rate and the time of the last one. */
export function countSession(c: TrafficCounters, t: number): void {
  c.rate.add(t, 1000)
  const r = c.rate.read(t, 1000)
  if (r > c.rateMax) c.rateMax = r
  c.lastSess = t
}

/** The index in `rsp` of an HTTP status: its class 1..5, 0 for anything else. */
export function statusClass(status: number): number {
  return status >= 100 && status < 600 ? (status / 100) | 0 : 0
}

/** The times of one exchange that reached a server (ms; `r` is 0 in tcp mode). */
export function countTimes(c: TrafficCounters, q: number, cn: number, r: number, total: number): void {
  const n = ++c.timed
  c.qtime = swrateAdd(c.qtime, n, q)
  c.ctime = swrateAdd(c.ctime, n, cn)
  c.rtime = swrateAdd(c.rtime, n, r)
  c.ttime = swrateAdd(c.ttime, n, total)
  if (q > c.qtimeMax) c.qtimeMax = q
  if (cn > c.ctimeMax) c.ctimeMax = cn
  if (r > c.rtimeMax) c.rtimeMax = r
  if (total > c.ttimeMax) c.ttimeMax = total
}
