/**
 * Tracing of `mode http` requests, as the proxy layer knows it: one hook when a request head has
 * been parsed, one when the request ends. The tracer is made above the proxy layer (src/stats/
 * otel-trace.ts, loaded only when OpenTelemetry is on) and handed to the engine at start
 * (`EngineOptions.tracer`); without one, a frontend's `tracer` is null and a request pays one
 * comparison.
 */
import type { H1Head } from '../http/types.ts'
import type { LogRecord } from './traffic-log.ts'

export interface RequestTracer {
  /** A request head was parsed, before any rule ran; `start`: the monotonic ms of its first byte.
   *  Returns the request's trace, or null when it is not sampled. A sampled request's head may
   *  be given headers for the server (`traceparent`, `tracestate`). */
  begin(req: H1Head, start: number): RequestTrace | null
}

export interface RequestTrace {
  /** The request ended at monotonic ms `end`; `rec` is what its log line says (frontend,
   *  backend, server, status, termination state, timers), valid during this call only. */
  end(rec: LogRecord, end: number): void
}
