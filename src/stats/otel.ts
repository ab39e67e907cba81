/**
 * OpenTelemetry: whether it is on, its settings from the configuration (`otel`, `otel-*` in
 * `global`) and the standard `OTEL_*` environment variables, and starting it. The SDK is loaded
 * only when it is on (a dynamic import of otel-sdk.ts): a process without it never reads those
 * modules.
 *
 * It is on when `global` says `otel`, or when OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER name
 * `otlp`; OTEL_SDK_DISABLED=true turns it off whatever the rest says, an exporter variable set to
 * `none` turns its signal off. A setting written in the configuration wins over its variable.
 */
import { OTEL_SAMPLERS } from '../model/otel.ts'
import type { OtelConfig } from '../model/types.ts'
import type { Engine } from '../proxy/engine.ts'
import type { RequestTracer } from '../proxy/tracer.ts'

export type OtelEnv = Readonly<Record<string, string | undefined>>

/** What the SDK is started with, every setting resolved. */
export interface OtelSettings {
  traces: boolean
  metrics: boolean
  /** The OTLP/HTTP URLs the spans and the metrics are posted to. */
  tracesUrl: string
  metricsUrl: string
  /** OTEL_EXPORTER_OTLP_HEADERS (and the per-signal ones), parsed. */
  tracesHeaders: Record<string, string>
  metricsHeaders: Record<string, string>
  /** The resource's attributes: OTEL_RESOURCE_ATTRIBUTES, then `service.name`. */
  resource: Record<string, string>
  sampler: string
  /** The sampler's ratio (traceidratio samplers), 0..1. */
  ratio: number
  /** ms between two exports of the metrics. */
  metricsInterval: number
  /** What start-up should print: settings read but not followed. */
  warnings: string[]
}

const DEFAULT_ENDPOINT = 'http://localhost:4318'
export const DEFAULT_SAMPLER = 'parentbased_always_on'
const DEFAULT_METRICS_INTERVAL = 60_000

/** `k=v,k2=v2` with percent-encoded values (OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS);
 *  a malformed pair is skipped, as the SDKs do. */
export function parseKeyValues(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (text === undefined) return out
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=')
    if (eq <= 0) continue
    try {
      out[decodeURIComponent(pair.slice(0, eq).trim())] = decodeURIComponent(pair.slice(eq + 1).trim())
    } catch {
      continue
    }
  }
  return out
}

const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== ''

/** The settings OpenTelemetry starts with, or null when it is off (the default). Throws an Error
 *  naming the variable when one is malformed. */
export function otelSettings(cfg: OtelConfig | undefined, env: OtelEnv): OtelSettings | null {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return null
  const exporters = (name: string): string[] | undefined => (set(env[name]) ? env[name]!.split(',').map((s) => s.trim().toLowerCase()) : undefined)
  const te = exporters('OTEL_TRACES_EXPORTER')
  const me = exporters('OTEL_METRICS_EXPORTER')
  const on = cfg?.on
  const traces = on !== undefined ? on.traces && !(te?.includes('none') ?? false) : te?.includes('otlp') ?? false
  const metrics = on !== undefined ? on.metrics && !(me?.includes('none') ?? false) : me?.includes('otlp') ?? false
  if (!traces && !metrics) return null

  const base = cfg?.endpoint ?? (set(env.OTEL_EXPORTER_OTLP_ENDPOINT) ? env.OTEL_EXPORTER_OTLP_ENDPOINT.trim().replace(/\/+$/, '') : DEFAULT_ENDPOINT)
  const url = (signal: 'TRACES' | 'METRICS'): string => {
    const own = env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`]
    if (cfg?.endpoint === undefined && set(own)) return own.trim()
    return `${base}/v1/${signal.toLowerCase()}`
  }
  const headers = parseKeyValues(env.OTEL_EXPORTER_OTLP_HEADERS)
  const resource = parseKeyValues(env.OTEL_RESOURCE_ATTRIBUTES)
  resource['service.name'] = cfg?.serviceName ?? (set(env.OTEL_SERVICE_NAME) ? env.OTEL_SERVICE_NAME.trim() : resource['service.name'] ?? 'edgelb')

  const sampler = cfg?.sampler ?? (set(env.OTEL_TRACES_SAMPLER) ? env.OTEL_TRACES_SAMPLER.trim().toLowerCase() : DEFAULT_SAMPLER)
  if (!Object.hasOwn(OTEL_SAMPLERS, sampler)) throw new Error(`OTEL_TRACES_SAMPLER=${sampler}: edgelb knows ${Object.keys(OTEL_SAMPLERS).join(', ')}`)
  const argText = cfg?.sampler !== undefined ? cfg.samplerArg : env.OTEL_TRACES_SAMPLER_ARG
  let ratio = 1
  if (set(argText)) {
    ratio = Number(argText)
    if (!(ratio >= 0 && ratio <= 1)) throw new Error(`OTEL_TRACES_SAMPLER_ARG=${argText}: expected a ratio from 0 to 1`)
  }
  let metricsInterval = cfg?.metricsInterval ?? DEFAULT_METRICS_INTERVAL
  if (cfg?.metricsInterval === undefined && set(env.OTEL_METRIC_EXPORT_INTERVAL)) {
    metricsInterval = Number(env.OTEL_METRIC_EXPORT_INTERVAL)
    if (!(metricsInterval > 0)) throw new Error(`OTEL_METRIC_EXPORT_INTERVAL=${env.OTEL_METRIC_EXPORT_INTERVAL}: expected milliseconds`)
  }
  const warnings: string[] = []
  for (const name of ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL']) {
    const v = env[name]?.trim()
    if (v === undefined || v === '' || v === 'http/json') continue
    if (v === 'grpc') throw new Error(`${name}=grpc: edgelb sends OTLP over HTTP (JSON); point it at the collector's OTLP/HTTP port (4318)`)
    warnings.push(`${name}=${v}: edgelb sends OTLP/HTTP as JSON (http/json), which OTLP/HTTP receivers accept on the same URL`)
  }
  return {
    traces,
    metrics,
    tracesUrl: url('TRACES'),
    metricsUrl: url('METRICS'),
    tracesHeaders: { ...headers, ...parseKeyValues(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS) },
    metricsHeaders: { ...headers, ...parseKeyValues(env.OTEL_EXPORTER_OTLP_METRICS_HEADERS) },
    resource,
    sampler,
    ratio,
    metricsInterval,
    warnings,
  }
}

/** OpenTelemetry once started: the tracer the engines take, and its end. */
export interface Telemetry {
  /** null when traces are off. */
  readonly tracer: RequestTracer | null
  /** Exports what is pending, then stops (bounded by the exporters' timeouts). */
  shutdown(): Promise<void>
}

/** Loads the SDK and starts it; `engine()` is the engine serving at the time (the metrics read
 *  its counters when they are exported). */
export async function startTelemetry(s: OtelSettings, engine: () => Engine): Promise<Telemetry> {
  const sdk = await import('./otel-sdk.ts')
  return sdk.startOtel(s, engine)
}
