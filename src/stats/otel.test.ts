import { describe, expect, test } from 'bun:test'
import type { OtelConfig } from '../model/types.ts'
import { otelSettings, parseKeyValues } from './otel.ts'

const at = { file: 'x.cfg', line: 1 }
const on: OtelConfig = { on: { traces: true, metrics: true, pos: at } }

describe('otelSettings', () => {
  test('is off by default, even with otel-* settings or OTEL_* endpoints', () => {
    expect(otelSettings(undefined, {})).toBeNull()
    expect(otelSettings({ endpoint: 'http://c:4318' }, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBeNull()
  })

  test('`otel` turns both signals on with the standard defaults', () => {
    expect(otelSettings(on, {})).toEqual({
      traces: true, metrics: true,
      tracesUrl: 'http://localhost:4318/v1/traces', metricsUrl: 'http://localhost:4318/v1/metrics',
      tracesHeaders: {}, metricsHeaders: {},
      resource: { 'service.name': 'edgelb' }, sampler: 'parentbased_always_on', ratio: 1, metricsInterval: 60000, warnings: [],
    })
  })

  test('OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER=otlp turn a signal on; none and OTEL_SDK_DISABLED turn it off', () => {
    expect(otelSettings(undefined, { OTEL_TRACES_EXPORTER: 'otlp' })).toMatchObject({ traces: true, metrics: false })
    expect(otelSettings(undefined, { OTEL_METRICS_EXPORTER: 'console,otlp' })).toMatchObject({ traces: false, metrics: true })
    expect(otelSettings(on, { OTEL_METRICS_EXPORTER: 'none' })).toMatchObject({ traces: true, metrics: false })
    expect(otelSettings(on, { OTEL_SDK_DISABLED: 'true' })).toBeNull()
    expect(otelSettings({ on: { traces: false, metrics: true, pos: at } }, { OTEL_TRACES_EXPORTER: 'otlp' })).toMatchObject({ traces: false, metrics: true })
  })

  test('the OTEL_* variables configure it; the configuration wins over them', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/custom',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=s%20ecret,bad',
      OTEL_SERVICE_NAME: 'lb-eu',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.name=ignored',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.01',
      OTEL_METRIC_EXPORT_INTERVAL: '15000',
    }
    expect(otelSettings(on, env)).toEqual({
      traces: true, metrics: true,
      tracesUrl: 'http://traces:4318/custom', metricsUrl: 'http://collector:4318/v1/metrics',
      tracesHeaders: { 'api-key': 's ecret' }, metricsHeaders: { 'api-key': 's ecret' },
      resource: { 'deployment.environment': 'prod', 'service.name': 'lb-eu' },
      sampler: 'parentbased_traceidratio', ratio: 0.01, metricsInterval: 15000, warnings: [],
    })
    const mine: OtelConfig = { ...on, endpoint: 'http://mine:4318', serviceName: 'edge', sampler: 'traceidratio', samplerArg: '0.5', metricsInterval: 5000 }
    expect(otelSettings(mine, env)).toMatchObject({
      tracesUrl: 'http://mine:4318/v1/traces', metricsUrl: 'http://mine:4318/v1/metrics',
      resource: { 'service.name': 'edge' }, sampler: 'traceidratio', ratio: 0.5, metricsInterval: 5000,
    })
  })

  test('OTLP goes as JSON: http/protobuf is warned about, grpc refused', () => {
    expect(otelSettings(on, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })!.warnings).toEqual([])
    expect(otelSettings(on, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })!.warnings).toEqual([
      'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf: edgelb sends OTLP/HTTP as JSON (http/json), which OTLP/HTTP receivers accept on the same URL',
    ])
    expect(() => otelSettings(on, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow("OTEL_EXPORTER_OTLP_PROTOCOL=grpc: edgelb sends OTLP over HTTP (JSON); point it at the collector's OTLP/HTTP port (4318)")
  })

  test('a malformed variable is an error naming it', () => {
    expect(() => otelSettings(on, { OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow('OTEL_TRACES_SAMPLER=sometimes: edgelb knows always_on')
    expect(() => otelSettings(on, { OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow('OTEL_TRACES_SAMPLER_ARG=2')
    expect(() => otelSettings(on, { OTEL_METRIC_EXPORT_INTERVAL: 'soon' })).toThrow('OTEL_METRIC_EXPORT_INTERVAL=soon')
  })

  test('parseKeyValues reads k=v lists with percent-encoding', () => {
    expect(parseKeyValues('a=1, b = x%2Cy ,=z,c')).toEqual({ a: '1', b: 'x,y' })
    expect(parseKeyValues(undefined)).toEqual({})
  })
})
