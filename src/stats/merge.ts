/**
 * The traffic counters of the other threads (`nbthread` > 1), added into the first thread's, which
 * the stats page, CSV, Prometheus and the runtime API show. Each thread counts in its own objects
 * (no shared write on the hot path); when the stats are read, every other thread sends what it
 * counted since it last sent (`CounterDeltas.take`), and the first thread adds it (`mergeCounters`).
 * Connection counts are not here: they are shared cells already (proxy/process-share.ts).
 *
 * By kind of field: totals are added; maxima (and the time of the last session) keep the higher
 * value; the sliding averages of times keep the first thread's unless it has timed nothing; a
 * rate counter gets the other thread's events counted at the time of the merge.
 */
import { MAXIMA, RateCounter } from '../backend/counters.ts'
import { now } from '../core/clock.ts'
import type { Engine } from '../proxy/engine.ts'

/** One counters object flattened: a value per field (`rsp.2`, `rate` for a rate's events). */
export type FlatCounters = Record<string, number>
/** Every counters object of an engine by owner: `fe NAME`, `be NAME`, `srv BACKEND/SERVER`. */
export type CounterSet = Record<string, FlatCounters>

const AVERAGES = new Set(['qtime', 'ctime', 'rtime', 'ttime'])
const HIGHEST = new Set([...MAXIMA, 'lastSess'])

function flatten(c: object, out: FlatCounters): FlatCounters {
  for (const [k, v] of Object.entries(c)) {
    if (typeof v === 'number') out[k] = v
    else if (v instanceof RateCounter) out[k] = v.events
    else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) out[`${k}.${i}`] = v[i] as number
  }
  return out
}

/** The counters of `engine`, flattened. */
export function countersOf(engine: Engine): CounterSet {
  const out: CounterSet = {}
  for (const fe of engine.frontends) {
    const f = flatten(fe.counters, {})
    f['totalSessions'] = fe.totalSessions
    f['handshakeFailures'] = fe.handshakeFailures
    out[`fe ${fe.name}`] = f
  }
  for (const be of engine.backends.values()) {
    out[`be ${be.name}`] = flatten(be.counters, {})
    for (const s of be.servers) out[`srv ${be.name}/${s.name}`] = flatten(s.counters, {})
  }
  return out
}

/** What one thread counted since it last sent: totals as differences, the rest as they are. */
export class CounterDeltas {
  #last: CounterSet = {}

  take(engine: Engine): CounterSet {
    const now = countersOf(engine)
    const out: CounterSet = {}
    for (const [owner, f] of Object.entries(now)) {
      const last = this.#last[owner]
      const d: FlatCounters = {}
      for (const [k, v] of Object.entries(f)) {
        const base = k.split('.')[0]!
        d[k] = HIGHEST.has(base) || AVERAGES.has(base) ? v : v - (last?.[k] ?? 0)
      }
      out[owner] = d
    }
    this.#last = now
    return out
  }
}

function apply(c: object, d: FlatCounters, t: number, extra?: Record<string, number>): void {
  const rec = c as Record<string, unknown>
  const mineTimed = typeof rec['timed'] === 'number' ? rec['timed'] : 0
  for (const [k, v] of Object.entries(d)) {
    const dot = k.indexOf('.')
    if (dot >= 0) {
      const arr = rec[k.slice(0, dot)]
      if (Array.isArray(arr)) arr[Number(k.slice(dot + 1))] += v
      continue
    }
    const cur = rec[k]
    if (cur instanceof RateCounter) { if (v > 0) cur.addMany(t, v); continue }
    if (typeof cur !== 'number') { if (extra !== undefined && k in extra) extra[k]! += v; continue }
    if (HIGHEST.has(k)) { if (v > cur) rec[k] = v; continue }
    if (AVERAGES.has(k)) { if (mineTimed === 0) rec[k] = v; continue }
    rec[k] = cur + v
  }
}

/** Adds another thread's deltas into `engine`'s counters (owners it does not have are skipped). */
export function mergeCounters(engine: Engine, deltas: CounterSet): void {
  const t = now()
  for (const fe of engine.frontends) {
    const d = deltas[`fe ${fe.name}`]
    if (d === undefined) continue
    const extra = { totalSessions: 0, handshakeFailures: 0 }
    apply(fe.counters, d, t, extra)
    fe.totalSessions += extra.totalSessions
    fe.handshakeFailures += extra.handshakeFailures
  }
  for (const be of engine.backends.values()) {
    const d = deltas[`be ${be.name}`]
    if (d !== undefined) apply(be.counters, d, t)
    for (const s of be.servers) {
      const sd = deltas[`srv ${be.name}/${s.name}`]
      if (sd !== undefined) apply(s.counters, sd, t)
    }
  }
}
