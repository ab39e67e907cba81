/**
 * A server span per HTTP request (OpenTelemetry). The span starts at the request's first byte,
 * continues the trace of the client's `traceparent`/`tracestate` (W3C Trace Context), and a
 * sampled request goes to its server with a `traceparent` naming this span; an unsampled one goes
 * with the client's headers untouched, and costs a sampling decision (without a `traceparent`,
 * one Math.random()). The span ends with the
 * request, with what its log line says as attributes:
 *
 *   http.request.method, url.path, url.query, http.response.status_code, client.address/port,
 *   network.protocol.version, edgelb.frontend, edgelb.backend, edgelb.server,
 *   edgelb.termination_state, edgelb.retries, edgelb.bytes_out,
 *   edgelb.timer.tq, .tw, .tc, .tr, .ta (ms, HAProxy's timers; -1: the phase was not reached)
 *
 * Its status is an error when the response is a 5xx or there was none.
 */
import { SpanKind, SpanStatusCode, type Context, type Span, type SpanContext, type TextMapGetter, type TextMapPropagator, type TextMapSetter, type Tracer } from '@opentelemetry/api'
import type { H1Head, HeaderList } from '../http/types.ts'
import type { LogRecord } from '../proxy/traffic-log.ts'
import type { RequestTrace, RequestTracer } from '../proxy/tracer.ts'

const getter: TextMapGetter<HeaderList> = {
  keys: (h) => Array.from({ length: h.count }, (_, i) => h.name(i).toLowerCase()),
  get: (h, key) => h.get(key),
}
const setter: TextMapSetter<HeaderList> = { set: (h, key, value) => h.set(key, value) }

/** The API's context functions the tracer uses (otel-sdk.ts passes `trace`'s). */
export interface TraceContext {
  readonly root: Context
  setSpan(ctx: Context, span: Span): Context
  getSpanContext(ctx: Context): SpanContext | undefined
}

export class OtelTracer implements RequestTracer {
  readonly #tracer: Tracer
  readonly #propagator: TextMapPropagator
  readonly #ctx: TraceContext
  readonly #rootRatio: number

  /** `rootRatio`: the share of requests without a `traceparent` that are sampled, drawn here
   *  (the tracer's sampler must then keep every span without a parent it is asked about). */
  constructor(tracer: Tracer, propagator: TextMapPropagator, ctx: TraceContext, rootRatio: number) {
    this.#tracer = tracer
    this.#propagator = propagator
    this.#ctx = ctx
    this.#rootRatio = rootRatio
  }

  begin(req: H1Head, start: number): RequestTrace | null {
    const h = req.headers
    const root = this.#ctx.root
    const parent = h.find('traceparent', 0) < 0 ? root : this.#propagator.extract(root, h, getter)
    // No parent (none sent, or a malformed one): a new trace, drawn here.
    if (parent === root || this.#ctx.getSpanContext(parent) === undefined) {
      if (this.#rootRatio < 1 && !(Math.random() < this.#rootRatio)) return null
    }
    const method = req.method
    const span = this.#tracer.startSpan(method, { kind: SpanKind.SERVER, startTime: start }, parent)
    if (!span.isRecording()) return null
    this.#propagator.inject(this.#ctx.setSpan(root, span), h, setter)
    return new OtelTrace(span, method, req.uri, req.version)
  }
}

class OtelTrace implements RequestTrace {
  readonly #span: Span
  readonly #method: string
  readonly #uri: string
  readonly #version: number

  constructor(span: Span, method: string, uri: string, version: number) {
    this.#span = span
    this.#method = method
    this.#uri = uri
    this.#version = version
  }

  end(r: LogRecord, end: number): void {
    const q = this.#uri.indexOf('?')
    const span = this.#span
    span.setAttributes({
      'http.request.method': this.#method,
      'url.path': q < 0 ? this.#uri : this.#uri.slice(0, q),
      ...(q < 0 ? {} : { 'url.query': this.#uri.slice(q + 1) }),
      'network.protocol.version': this.#version === 10 ? '1.0' : '1.1',
      'client.address': r.clientAddr,
      'client.port': r.clientPort,
      'edgelb.frontend': r.frontend,
      'edgelb.backend': r.backend,
      'edgelb.server': r.server,
      'edgelb.termination_state': r.tsc,
      'edgelb.retries': r.retries,
      'edgelb.bytes_out': r.bytesOut,
      'edgelb.timer.tq': r.tr,
      'edgelb.timer.tw': r.tw,
      'edgelb.timer.tc': r.tc,
      'edgelb.timer.tr': r.trs,
      'edgelb.timer.ta': r.ta,
    })
    if (r.status >= 0) span.setAttribute('http.response.status_code', r.status)
    if (r.status < 0 || r.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: r.termination })
    span.end(end)
  }
}
