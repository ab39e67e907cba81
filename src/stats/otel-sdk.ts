/**
 * The OpenTelemetry SDK started (loaded by otel.ts only when OpenTelemetry is on): a tracer
 * provider with the configured sampler and a batch of spans posted over OTLP/HTTP, and a meter
 * provider exporting edgelb's counters over OTLP/HTTP at each interval.
 */
import { ROOT_CONTEXT, trace } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import {
  AlwaysOffSampler, AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler,
  TraceIdRatioBasedSampler, type Sampler,
} from '@opentelemetry/sdk-trace-base'
import { version } from '../version.ts'
import type { Engine } from '../proxy/engine.ts'
import { observeEngine } from './otel-metrics.ts'
import type { OtelSettings, Telemetry } from './otel.ts'
import { OtelTracer } from './otel-trace.ts'

function samplerOf(s: OtelSettings): Sampler {
  const root = (name: string): Sampler =>
    name.endsWith('always_on') ? new AlwaysOnSampler() : name.endsWith('always_off') ? new AlwaysOffSampler() : new TraceIdRatioBasedSampler(s.ratio)
  return s.sampler.startsWith('parentbased_') ? new ParentBasedSampler({ root: root(s.sampler) }) : root(s.sampler)
}

export function startOtel(s: OtelSettings, engine: () => Engine): Telemetry {
  const resource = resourceFromAttributes({ 'service.version': version, ...s.resource })
  let tracerProvider: BasicTracerProvider | null = null
  let tracer: OtelTracer | null = null
  if (s.traces) {
    const exporter = new OTLPTraceExporter({ url: s.tracesUrl, headers: s.tracesHeaders })
    tracerProvider = new BasicTracerProvider({ resource, sampler: samplerOf(s), spanProcessors: [new BatchSpanProcessor(exporter)] })
    tracer = new OtelTracer(tracerProvider.getTracer('edgelb', version), new W3CTraceContextPropagator(), { root: ROOT_CONTEXT, setSpan: trace.setSpan })
  }
  let meterProvider: MeterProvider | null = null
  if (s.metrics) {
    const exporter = new OTLPMetricExporter({ url: s.metricsUrl, headers: s.metricsHeaders })
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: s.metricsInterval, exportTimeoutMillis: Math.min(30_000, s.metricsInterval) })
    meterProvider = new MeterProvider({ resource, readers: [reader] })
    observeEngine(meterProvider.getMeter('edgelb', version), engine)
  }
  return {
    tracer,
    async shutdown() {
      await Promise.allSettled([tracerProvider?.shutdown(), meterProvider?.shutdown()])
    },
  }
}
