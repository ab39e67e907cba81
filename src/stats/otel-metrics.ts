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
 *   edgelb.server.response_time     gauge    edgelb.backend, edgelb.server       average, s
 */
import type { Meter } from '@opentelemetry/api'
import { swrateAvg } from '../core/swrate.ts'
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
  const srvRt = meter.createObservableGauge('edgelb.server.response_time', { description: 'Average response time over the last 1024 exchanges', unit: 's' })
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
        o.observe(srvRt, swrateAvg(s.counters.rtime, s.counters.timed) / 1000, sa)
        if (http) for (let i = 0; i < 6; i++) o.observe(srvRsp, s.counters.rsp[i]!, { ...sa, 'http.response.status_code_class': CLASSES[i] })
      }
    }
  }, [feReq, feSess, beRsp, beSess, srvRsp, srvSess, srvUp, srvRt])
}
