/**
 * edgelb's counters as OpenTelemetry metrics: observable instruments read from the engine serving
 * when the metrics are exported, so nothing is counted twice and the request path pays nothing.
 *
 *   edgelb.frontend.requests        counter  edgelb.frontend                     HTTP requests
 *   edgelb.frontend.sessions        gauge    edgelb.frontend                     sessions now
 *   edgelb.backend.responses        counter  edgelb.backend, http.response.status_code_class
 *   edgelb.backend.sessions         gauge    edgelb.backend                      beconn
 *   edgelb.server.responses         counter  edgelb.backend, edgelb.server, …status_code_class
 *   edgelb.server.sessions          gauge    edgelb.backend, edgelb.server
 *   edgelb.server.up                gauge    edgelb.backend, edgelb.server       1 up, 0 down
 *   edgelb.backend.response_time    histogram  edgelb.backend                   s (http backends)
 *   edgelb.server.response_time     histogram  edgelb.backend, edgelb.server    s (http backends)
 *
 * The response-time histograms are those Prometheus shows (backend/counters.ts rtimeHist, the
 * buckets RTIME_BOUNDS), handed to the reader as a MetricProducer.
 */
import { ValueType, type Attributes, type HrTime, type Meter } from '@opentelemetry/api'
import { millisToHrTime } from '@opentelemetry/core'
import type { Resource } from '@opentelemetry/resources'
import { AggregationTemporality, DataPointType, type DataPoint, type Histogram, type HistogramMetricData, type MetricProducer } from '@opentelemetry/sdk-metrics'
import { RTIME_BOUNDS, type TrafficCounters } from '../backend/counters.ts'
import { version } from '../version.ts'
import type { Engine } from '../proxy/engine.ts'

const CLASSES = ['other', '1xx', '2xx', '3xx', '4xx', '5xx'] as const

export function observeEngine(meter: Meter, engine: () => Engine): void {
  const feReq = meter.createObservableCounter('edgelb.frontend.requests', { description: 'HTTP requests received by the frontend', unit: '{request}' })
  const feSess = meter.createObservableGauge('edgelb.frontend.sessions', { description: 'Sessions of the frontend now', unit: '{session}' })
  const beRsp = meter.createObservableCounter('edgelb.backend.responses', { description: 'HTTP responses of the backend by status class', unit: '{response}' })
  const beSess = meter.createObservableGauge('edgelb.backend.sessions', { description: 'Sessions in the backend now (queued ones included)', unit: '{session}' })
  const srvRsp = meter.createObservableCounter('edgelb.server.responses', { description: 'HTTP responses of the server by status class', unit: '{response}' })
  const srvSess = meter.createObservableGauge('edgelb.server.sessions', { description: 'Sessions on the server now', unit: '{session}' })
  const srvUp = meter.createObservableGauge('edgelb.server.up', { description: '1 when the server is up, else 0' })
  meter.addBatchObservableCallback((o) => {
    const e = engine()
    for (const fe of e.frontends) {
      const a = { 'edgelb.frontend': fe.name }
      if (fe.http !== null) o.observe(feReq, fe.counters.reqTot, a)
      o.observe(feSess, fe.cur, a)
    }
    for (const be of e.backends.values()) {
      const http = be.cfg.mode === 'http'
      const a = { 'edgelb.backend': be.name }
      o.observe(beSess, be.beconn, a)
      if (http) for (let i = 0; i < 6; i++) o.observe(beRsp, be.counters.rsp[i]!, { ...a, 'http.response.status_code_class': CLASSES[i] })
      for (const s of be.servers) {
        const sa = { 'edgelb.backend': be.name, 'edgelb.server': s.name }
        o.observe(srvSess, s.cur, sa)
        o.observe(srvUp, s.up ? 1 : 0, sa)
        if (http) for (let i = 0; i < 6; i++) o.observe(srvRsp, s.counters.rsp[i]!, { ...sa, 'http.response.status_code_class': CLASSES[i] })
      }
    }
  }, [feReq, feSess, beRsp, beSess, srvRsp, srvSess, srvUp])
}

const BOUNDS_S = RTIME_BOUNDS.map((ms) => ms / 1000)

function histogramPoint(c: TrafficCounters, attributes: Attributes, start: HrTime, end: HrTime): DataPoint<Histogram> {
  let count = 0
  for (const n of c.rtimeHist) count += n
  return { attributes, startTime: start, endTime: end, value: { buckets: { boundaries: BOUNDS_S, counts: [...c.rtimeHist] }, sum: c.rtimeSum / 1000, count } }
}

/** The response-time histograms of the http backends and their servers, read at each export. */
export function responseTimes(engine: () => Engine, resource: Resource): MetricProducer {
  const start = millisToHrTime(Date.now())
  const descriptor = (name: string, what: string) => ({ name, description: `Response times of HTTP exchanges on the ${what} (from the request sent to the response head)`, unit: 's', valueType: ValueType.DOUBLE })
  return {
    async collect() {
      const end = millisToHrTime(Date.now())
      const be: DataPoint<Histogram>[] = []
      const srv: DataPoint<Histogram>[] = []
      for (const b of engine().backends.values()) {
        if (b.cfg.mode !== 'http') continue
        be.push(histogramPoint(b.counters, { 'edgelb.backend': b.name }, start, end))
        for (const s of b.servers) srv.push(histogramPoint(s.counters, { 'edgelb.backend': b.name, 'edgelb.server': s.name }, start, end))
      }
      const metric = (name: string, what: string, dataPoints: DataPoint<Histogram>[]): HistogramMetricData =>
        ({ descriptor: descriptor(name, what), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.HISTOGRAM, dataPoints })
      return {
        resourceMetrics: { resource, scopeMetrics: [{ scope: { name: 'edgelb', version }, metrics: [metric('edgelb.backend.response_time', 'backend', be), metric('edgelb.server.response_time', 'server', srv)] }] },
        errors: [],
      }
    },
  }
}
