import { describe, expect, test } from 'bun:test'
import { buildConfig } from '../build.ts'
import { readHaproxy } from '../haproxy/reader.ts'
import { readYaml } from '../yaml/reader.ts'
import { formatDiagnostic } from '../../model/source.ts'

function build(text: string, file = 'edgelb.cfg') {
  const read = file.endsWith('.yaml') ? readYaml(text, file) : readHaproxy(text, file, {})
  const built = buildConfig(read.sections, [file], {})
  return { otel: built.config.global.otel, problems: [...read.diagnostics, ...built.diagnostics].map(formatDiagnostic).filter((l) => !l.includes('nothing to listen on')) }
}

describe('otel keywords (global)', () => {
  test('otel, otel-endpoint, otel-service-name, otel-sampler, otel-metrics-interval', () => {
    const b = build('global\n  otel traces\n  otel-endpoint http://collector:4318/\n  otel-service-name edge-eu\n  otel-sampler parentbased_traceidratio 0.01\n  otel-metrics-interval 15s\n')
    expect(b.problems).toEqual([])
    expect(b.otel).toEqual({
      on: { traces: true, metrics: false, pos: { file: 'edgelb.cfg', line: 2 } },
      endpoint: 'http://collector:4318', serviceName: 'edge-eu', sampler: 'parentbased_traceidratio', samplerArg: '0.01', metricsInterval: 15000,
    })
    expect(build('global\n  otel\n').otel?.on).toMatchObject({ traces: true, metrics: true })
    expect(build('global\n  maxconn 10\n').otel).toBeUndefined()
  })

  test('the YAML form', () => {
    const b = build('global:\n  otel: true\n  otel-endpoint: http://collector:4318\n  otel-sampler: traceidratio 0.1\n', 'edgelb.yaml')
    expect(b.problems).toEqual([])
    expect(b.otel).toMatchObject({ on: { traces: true, metrics: true }, endpoint: 'http://collector:4318', sampler: 'traceidratio', samplerArg: '0.1' })
  })

  test('bad values are refused at their line', () => {
    expect(build('global\n  otel logs\n').problems).toEqual([`edgelb.cfg:2: error: 'otel' takes 'traces' and/or 'metrics' (both when neither is written), not 'logs'`])
    expect(build('global\n  otel-endpoint collector:4318\n').problems).toEqual([`edgelb.cfg:2: error: 'otel-endpoint' expects an http:// or https:// URL, not 'collector:4318'`])
    expect(build('global\n  otel-sampler ratio 0.1\n').problems[0]).toContain(`'otel-sampler' expects one of always_on, always_off, traceidratio`)
    expect(build('global\n  otel-sampler always_on 0.1\n').problems).toEqual([`edgelb.cfg:2: error: 'otel-sampler always_on' takes no argument; remove '0.1'`])
    expect(build('global\n  otel-sampler traceidratio 1.5\n').problems).toEqual([`edgelb.cfg:2: error: 'otel-sampler traceidratio' expects a ratio from 0 to 1 (0.01 for 1%), not '1.5'`])
  })
})
