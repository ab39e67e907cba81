import { describe, expect, test } from 'bun:test'
import { buildConfig } from '../build.ts'
import { readHaproxy } from '../haproxy/reader.ts'
import { formatDiagnostic } from '../../model/source.ts'
import type { RetryOn } from '../../model/types.ts'

const BASE = 'defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n'

function build(text: string): { retryOn: RetryOn | undefined; diagnostics: string[] } {
  const read = readHaproxy(BASE + text, 'r.cfg')
  const built = buildConfig(read.sections, ['r.cfg'])
  const p = built.config?.proxies.find((x) => x.name === 'web')
  return { retryOn: p?.retryOn, diagnostics: [...read.diagnostics, ...built.diagnostics].map(formatDiagnostic) }
}

describe('retry-on', () => {
  test('conn-failure alone by default; a line replaces what defaults said', () => {
    expect(build('listen web\n  bind :8080\n').retryOn).toEqual({ connFailure: true, emptyResponse: false, junkResponse: false, responseTimeout: false, zeroRttRejected: false, statuses: [] })
    const r = build('defaults\n  mode http\n  retry-on 503 empty-response\nlisten web\n  bind :8080\n  retry-on 404 response-timeout\n').retryOn
    expect(r).toEqual({ connFailure: false, emptyResponse: false, junkResponse: false, responseTimeout: true, zeroRttRejected: false, statuses: [404] })
  })

  test('all-retryable-errors and none', () => {
    expect(build('listen web\n  bind :8080\n  retry-on all-retryable-errors 401\n').retryOn).toEqual({
      connFailure: true, emptyResponse: true, junkResponse: true, responseTimeout: true, zeroRttRejected: true, statuses: [500, 502, 503, 504, 401],
    })
    expect(build('listen web\n  bind :8080\n  retry-on none\n').retryOn).toEqual({ connFailure: false, emptyResponse: false, junkResponse: false, responseTimeout: false, zeroRttRejected: false, statuses: [] })
  })

  test('an unknown condition, a status HAProxy does not retry, none with others: errors at their line', () => {
    expect(build('listen web\n  bind :8080\n  retry-on empty-respons\n').diagnostics).toContain("r.cfg:8: error: 'retry-on': unknown condition 'empty-respons'; did you mean 'empty-response'?")
    expect(build('listen web\n  bind :8080\n  retry-on 505\n').diagnostics).toContain("r.cfg:8: error: 'retry-on' takes the statuses 401, 403, 404, 408, 425, 500, 501, 502, 503, 504, not 505")
    expect(build('listen web\n  bind :8080\n  retry-on none 503\n').diagnostics).toContain("r.cfg:8: error: 'retry-on none' stands alone; remove the other words")
  })
})
