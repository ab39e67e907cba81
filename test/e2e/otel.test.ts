/**
 * OpenTelemetry end to end: edgelb as a subprocess with `otel` in its global section, sending to
 * an OTLP/HTTP receiver the test runs (JSON bodies, decoded here), in front of an origin that
 * records the `traceparent` it is given.
 */
import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUN, cfg, ROOT, Signal, spawnEdgelb, within } from '../support/harness.ts'
import { rawExchange, startHttpServer } from '../support/http-harness.ts'

interface OtlpValue { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean }
interface OtlpAttr { key: string; value: OtlpValue }
interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; traceState?: string; name: string; kind: number; attributes: OtlpAttr[]; status?: { code?: number } }

/** An OTLP/HTTP receiver on 127.0.0.1:0: what each path received, decoded from JSON. */
function startReceiver(): { port: number; bodies: Map<string, unknown[]>; changed: Signal } & Disposable {
  const bodies = new Map<string, unknown[]>()
  const changed = new Signal()
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const path = new URL(req.url).pathname
      expect(req.headers.get('content-type')).toBe('application/json')
      const list = bodies.get(path) ?? []
      list.push(await req.json())
      bodies.set(path, list)
      changed.notify()
      return Response.json({})
    },
  })
  return { port: server.port!, bodies, changed, [Symbol.dispose]: () => server.stop(true) }
}

function spansOf(bodies: Map<string, unknown[]>): OtlpSpan[] {
  const out: OtlpSpan[] = []
  for (const b of bodies.get('/v1/traces') ?? []) {
    for (const rs of (b as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans) for (const ss of rs.scopeSpans) out.push(...ss.spans)
  }
  return out
}

function attrs(list: OtlpAttr[]): Record<string, string | number | boolean | undefined> {
  const v = (x: OtlpValue): string | number | boolean | undefined => x.stringValue ?? (x.intValue !== undefined ? Number(x.intValue) : x.doubleValue ?? x.boolValue)
  return Object.fromEntries(list.map((a) => [a.key, v(a.value)]))
}

function resourceOf(body: unknown): Record<string, string | number | boolean | undefined> {
  return attrs((body as { resourceSpans?: { resource: { attributes: OtlpAttr[] } }[]; resourceMetrics?: { resource: { attributes: OtlpAttr[] } }[] }).resourceSpans?.[0]?.resource.attributes ??
    (body as { resourceMetrics: { resource: { attributes: OtlpAttr[] } }[] }).resourceMetrics[0]!.resource.attributes)
}

function config(receiver: number, origin: number, global: string): string {
  return cfg`
    global
      otel
      otel-endpoint http://127.0.0.1:${receiver}
      ${global}
    defaults
      mode http
      timeout connect 2s
      timeout client 5s
      timeout server 5s
    frontend web
      bind 127.0.0.1:0
      default_backend app
    backend app
      server s1 127.0.0.1:${origin}
  `
}

const CLIENT_TRACE = '0af7651916cd43dd8448eb211c80319c'
const CLIENT_SPAN = 'b7ad6b7169203331'

describe('OpenTelemetry', () => {
  test('a server span per request continues the client trace, goes to the server in traceparent, and is exported over OTLP/HTTP with the metrics', async () => {
    using receiver = startReceiver()
    await using origin = startHttpServer('s1')
    await using lb = await spawnEdgelb(config(receiver.port, origin.port, 'otel-service-name edge-test\n      otel-metrics-interval 200ms'))
    const port = lb.ports.get('web')!
    const first = await rawExchange(port, `GET /a/b?x=1 HTTP/1.1\r\nHost: t\r\ntraceparent: 00-${CLIENT_TRACE}-${CLIENT_SPAN}-01\r\ntracestate: vendor=v1\r\nConnection: close\r\n\r\n`)
    expect(first).toStartWith('HTTP/1.1 200')
    await rawExchange(port, 'POST /new HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
    await origin.waitRequests(2)

    // The server continues the client's trace from edgelb's span.
    const seen = origin.requests[0]!.header('traceparent')!
    const [ver, traceId, spanId, flags] = seen.split('-')
    expect([ver, traceId, flags]).toEqual(['00', CLIENT_TRACE, '01'])
    expect(spanId).toMatch(/^[0-9a-f]{16}$/)
    expect(spanId).not.toBe(CLIENT_SPAN)
    expect(origin.requests[0]!.header('tracestate')).toBe('vendor=v1')
    const second = origin.requests[1]!.header('traceparent')!
    expect(second).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    expect(second.split('-')[1]).not.toBe(CLIENT_TRACE)

    // Metrics are exported at the interval; the stop flushes the spans.
    await receiver.changed.until(() => (receiver.bodies.get('/v1/metrics') ?? []).some((b) => JSON.stringify(b).includes('"edgelb.frontend.requests"') && JSON.stringify(b).includes('"asDouble":2')), 'metrics counting 2 requests', 10000)
    const metrics = (receiver.bodies.get('/v1/metrics') ?? []).map((b) => JSON.stringify(b)).find((b) => b.includes('"asDouble":2'))!
    const hist = (JSON.parse(metrics) as { resourceMetrics: { scopeMetrics: { metrics: { name: string; histogram?: { dataPoints: { count: string | number; bucketCounts: (string | number)[]; explicitBounds: number[]; attributes: OtlpAttr[] }[] } }[] }[] }[] })
      .resourceMetrics[0]!.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.name === 'edgelb.server.response_time')!
    const point = hist.histogram!.dataPoints[0]!
    expect(attrs(point.attributes)).toEqual({ 'edgelb.backend': 'app', 'edgelb.server': 's1' })
    expect(Number(point.count)).toBe(2)
    expect(point.explicitBounds).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
    expect(point.bucketCounts.reduce((a: number, n) => a + Number(n), 0)).toBe(2)
    // A reload keeps tracing (the new generation's frontends get the same tracer).
    lb.signal('SIGHUP')
    await lb.waitStderr(/reloaded in/)
    await rawExchange(port, 'GET /after-reload HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n')
    await origin.waitRequests(3)
    expect(origin.requests[2]!.header('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    lb.signal('SIGTERM')
    expect(await lb.exited()).toBe(0)
    await receiver.changed.until(() => spansOf(receiver.bodies).length >= 3, 'three spans', 5000)
    expect(spansOf(receiver.bodies).map((s) => attrs(s.attributes)['url.path']).sort()).toEqual(['/a/b', '/after-reload', '/new'])

    const spans = spansOf(receiver.bodies)
    const a = spans.find((s) => s.traceId === CLIENT_TRACE)!
    expect(a.name).toBe('GET')
    expect(a.kind).toBe(2) // SPAN_KIND_SERVER
    expect(a.parentSpanId).toBe(CLIENT_SPAN)
    expect(a.spanId).toBe(spanId!)
    expect(a.traceState).toBe('vendor=v1')
    const at = attrs(a.attributes)
    expect(at).toMatchObject({
      'http.request.method': 'GET', 'url.path': '/a/b', 'url.query': 'x=1', 'http.response.status_code': 200,
      'client.address': '127.0.0.1', 'edgelb.frontend': 'web', 'edgelb.backend': 'app', 'edgelb.server': 's1',
      'edgelb.termination_state': '----', 'edgelb.retries': 0,
    })
    for (const t of ['tq', 'tw', 'tc', 'tr', 'ta']) expect(at[`edgelb.timer.${t}`]).toBeGreaterThanOrEqual(0)
    expect(at['edgelb.timer.ta'] as number).toBeGreaterThanOrEqual(at['edgelb.timer.tr'] as number)
    const b = spans.find((s) => s.traceId === second.split('-')[1])!
    expect(b.name).toBe('POST')
    expect(b.parentSpanId ?? '').toBe('')
    expect(b.spanId).toBe(second.split('-')[2]!)
    expect(resourceOf(receiver.bodies.get('/v1/traces')![0])['service.name']).toBe('edge-test')
  }, 30000)

  test('an unsampled request reaches the server with the client headers untouched, and no span is exported', async () => {
    using receiver = startReceiver()
    await using origin = startHttpServer('s1')
    await using lb = await spawnEdgelb(config(receiver.port, origin.port, 'otel traces\n      otel-sampler traceidratio 0'))
    const port = lb.ports.get('web')!
    await rawExchange(port, `GET / HTTP/1.1\r\nHost: t\r\ntraceparent: 00-${CLIENT_TRACE}-${CLIENT_SPAN}-01\r\nConnection: close\r\n\r\n`)
    await rawExchange(port, 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n')
    await rawExchange(port, 'GET / HTTP/1.1\r\nHost: t\r\ntraceparent: garbage\r\nConnection: close\r\n\r\n')
    await origin.waitRequests(3)
    expect(origin.requests[0]!.header('traceparent')).toBe(`00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`)
    expect(origin.requests[1]!.header('traceparent')).toBeUndefined()
    expect(origin.requests[2]!.header('traceparent')).toBe('garbage') // a new trace, drawn as unsampled
    lb.signal('SIGTERM')
    expect(await lb.exited()).toBe(0)
    expect(spansOf(receiver.bodies)).toEqual([])
    expect(receiver.bodies.get('/v1/metrics')).toBeUndefined() // `otel traces`: no metrics
  }, 30000)

  test('without otel, edgelb run does not load the SDK', async () => {
    using receiver = startReceiver()
    await using origin = startHttpServer('s1')
    const watch = (enabled: boolean): Promise<string> => runWatched(config(receiver.port, origin.port, '').replace(/^\s*otel(-endpoint.*)?$/gm, enabled ? '$&' : ''))
    expect(await watch(false)).toContain('import-watch: 0\n')
    expect(await watch(true)).toMatch(/import-watch: \S*\/@opentelemetry\/sdk-trace-base\//)
  }, 30000)
})

/** Runs `edgelb run` with the import watcher preloaded until it listens, then stops it (SIGTERM);
 *  its stderr. */
async function runWatched(text: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-otel-'))
  const file = join(dir, 'edgelb.cfg')
  writeFileSync(file, text)
  const proc = Bun.spawn([BUN, '--preload', join(ROOT, 'test', 'support', 'import-watch.ts'), join(ROOT, 'src', 'main.ts'), 'run', file], { stdin: 'ignore', stdout: 'ignore', stderr: 'pipe' })
  let err = ''
  const changed = new Signal()
  const pump = (async () => {
    const dec = new TextDecoder()
    for await (const chunk of proc.stderr) { err += dec.decode(chunk, { stream: true }); changed.notify() }
  })()
  try {
    await changed.until(() => err.includes('listening on'), `edgelb to listen (stderr: ${err})`, 15000)
    proc.kill('SIGTERM')
    await within(10000, proc.exited, 'edgelb to exit')
    await within(2000, pump, 'its stderr to end')
  } finally {
    proc.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  return err
}
