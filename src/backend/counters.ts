/**
 * The traffic counters a backend and each of its servers keep alike (HAProxy's be_counters and
 * srv counters): plain numbers, incremented where the event happens and read by the stats
 * (src/stats/columns.ts says which column shows which). Nothing here allocates per event.
 */
import { swrateAdd } from '../core/swrate.ts'

/**
 * Events per second for the stats (`rate`, `req_rate`, `conn_rate`) and the highest such rate:
 * this second's count plus the previous second's, weighted by what is left of this second
 * (HAProxy's freq_ctr). Counting is a comparison and an increment; the maximum is taken when a
 * second ends (a whole second's count), so no rate is computed per event.
 */
export class RateCounter {
  #curr = 0
  #prev = 0
  /** Start of the current second (monotonic ms). */
  #tick = 0
  #max = 0
  /** Events ever counted (what another thread's stats add up: stats/merge.ts). */
  events = 0

  /** Counts one event at monotonic ms `t`. */
  add(t: number): void {
    if (t - this.#tick >= 1000) this.#rotate(t)
    this.#curr++
    this.events++
  }

  /** Counts `n` events at `t` at once (another thread's, merged into this one's stats). */
  addMany(t: number, n: number): void {
    if (t - this.#tick >= 1000) this.#rotate(t)
    this.#curr += n
    this.events += n
  }

  #rotate(t: number): void {
    const elapsed = t - this.#tick
    if (this.#curr > this.#max) this.#max = this.#curr
    this.#prev = elapsed < 2000 ? this.#curr : 0
    this.#curr = 0
    this.#tick = elapsed < 2000 ? this.#tick + 1000 : t
  }

  /** The rate at monotonic ms `t`: events over the last elapsed second. */
  read(t: number): number {
    if (t - this.#tick >= 1000) this.#rotate(t)
    return this.#curr + Math.floor((this.#prev * (1000 - (t - this.#tick))) / 1000)
  }

  /** Forgets the highest rate (`clear counters`), or everything (`clear counters all`). */
  clear(all: boolean): void {
    this.#max = 0
    if (all) this.#curr = this.#prev = 0
  }

  /** The highest rate seen (at `t`, the current second's count counts too). */
  max(t: number): number {
    const r = this.read(t)
    return Math.max(this.#max, r)
  }
}

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
  /** The response times (Tr, ms) of the HTTP exchanges a server answered, as a histogram: the
   *  count in each bucket of RTIME_BOUNDS (the last one: above them all), and their sum. */
  readonly rtimeHist: number[]
  rtimeSum: number
  /** Monotonic ms of the last session assigned (-1: none yet). */
  lastSess: number
  /** Sessions per second, and the highest rate seen. */
  readonly rate: RateCounter
}

/** The upper bounds (ms, inclusive) of the response-time histogram's buckets; Prometheus shows
 *  them in seconds (`le`), with `+Inf` for the last bucket. */
export const RTIME_BOUNDS: readonly number[] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]

export function trafficCounters(): TrafficCounters {
  return {
    lbtot: 0, connects: 0, reuses: 0, reqTot: 0, rsp: [0, 0, 0, 0, 0, 0], cliAborts: 0, srvAborts: 0,
    failedResp: 0, deniedReq: 0, deniedResp: 0,
    timed: 0, qtime: 0, ctime: 0, rtime: 0, ttime: 0, qtimeMax: 0, ctimeMax: 0, rtimeMax: 0, ttimeMax: 0,
    rtimeHist: RTIME_BOUNDS.map(() => 0).concat(0), rtimeSum: 0,
    lastSess: -1, rate: new RateCounter(),
  }
}

/** The maxima `clear counters` resets (with each RateCounter's), by counters object. */
export const MAXIMA: readonly string[] = ['queueMax', 'maxCur', 'connMax', 'qtimeMax', 'ctimeMax', 'rtimeMax', 'ttimeMax']

/**
 * `clear counters`: the maxima of a counters object (queue, sessions, rates, times); with `all`,
 * every number in it (HAProxy's `clear counters all`). Works on any of the counters objects
 * (frontend, backend, server): numbers, arrays of numbers, rate counters.
 */
export function clearCounters(c: object, all: boolean): void {
  const rec = c as Record<string, unknown>
  for (const [k, v] of Object.entries(rec)) {
    if (v instanceof RateCounter) v.clear(all)
    else if (typeof v === 'number' && (all || MAXIMA.includes(k))) rec[k] = k === 'lastSess' ? -1 : 0
    else if (all && Array.isArray(v)) v.fill(0)
  }
}

/** A new session at monotonic ms `t`: its rate and the time of the last one. */
export function countSession(c: TrafficCounters, t: number): void {
  c.rate.add(t)
  c.lastSess = t
}

/** The index in `rsp` of an HTTP status: its class 1..5, 0 for anything else. */
export function statusClass(status: number): number {
  return status >= 100 && status < 600 ? (status / 100) | 0 : 0
}

/** The response time `r` (ms) of an HTTP exchange a server answered, into its histogram: most
 *  responses fall in the first buckets, so this is a comparison or two and an increment. */
export function countResponseTime(c: TrafficCounters, r: number): void {
  const b = RTIME_BOUNDS
  let i = 0
  while (i < b.length && r > b[i]!) i++
  c.rtimeHist[i]!++
  c.rtimeSum += r
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
