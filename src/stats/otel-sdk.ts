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
  SamplingDecision, TraceIdRatioBasedSampler, type Sampler, type SamplingResult,
} from '@opentelemetry/sdk-trace-base'
import { version } from '../version.ts'
import type { Engine } from '../proxy/engine.ts'
import { observeEngine, responseTimes } from './otel-metrics.ts'
import type { OtelSettings, Telemetry } from './otel.ts'
import { OtelTracer } from './otel-trace.ts'

function samplerOf(s: OtelSettings): Sampler {
  const root = (name: string): Sampler =>
    name.endsWith('always_on') ? new AlwaysOnSampler() : name.endsWith('always_off') ? new AlwaysOffSampler() : new TraceIdRatioBasedSampler(s.ratio)
  return s.sampler.startsWith('parentbased_') ? new ParentBasedSampler({ root: root(s.sampler) }) : root(s.sampler)
}

/** The share of requests without a `traceparent` the sampler keeps: edgelb draws for those
 *  itself (their trace id is new, hence random: the same odds as the sampler's), so that an
 *  unsampled request costs one Math.random() and not a span. */
function rootRatio(s: OtelSettings): number {
  return s.sampler.endsWith('always_on') ? 1 : s.sampler.endsWith('always_off') ? 0 : s.ratio
}

/** The configured sampler for spans with a parent; a span without one was drawn already. */
class DrawnRoots implements Sampler {
  readonly #inner: Sampler
  constructor(inner: Sampler) { this.#inner = inner }
  shouldSample(...args: Parameters<Sampler['shouldSample']>): SamplingResult {
    return trace.getSpanContext(args[0]) === undefined ? { decision: SamplingDecision.RECORD_AND_SAMPLED } : this.#inner.shouldSample(...args)
  }
  toString(): string { return `DrawnRoots{${this.#inner.toString()}}` }
}

export function startOtel(s: OtelSettings, engine: () => Engine): Telemetry {
  const resource = resourceFromAttributes({ 'service.version': version, ...s.resource })
  let tracerProvider: BasicTracerProvider | null = null
  let tracer: OtelTracer | null = null
  if (s.traces) {
    const exporter = new OTLPTraceExporter({ url: s.tracesUrl, headers: s.tracesHeaders })
    tracerProvider = new BasicTracerProvider({ resource, sampler: new DrawnRoots(samplerOf(s)), spanProcessors: [new BatchSpanProcessor(exporter)] })
    tracer = new OtelTracer(tracerProvider.getTracer('edgelb', version), new W3CTraceContextPropagator(), { root: ROOT_CONTEXT, setSpan: trace.setSpan, getSpanContext: trace.getSpanContext }, rootRatio(s))
  }
  let meterProvider: MeterProvider | null = null
  if (s.metrics) {
    const exporter = new OTLPMetricExporter({ url: s.metricsUrl, headers: s.metricsHeaders })
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: s.metricsInterval, exportTimeoutMillis: Math.min(30_000, s.metricsInterval), metricProducers: [responseTimes(engine, resource)] })
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
