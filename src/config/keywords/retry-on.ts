/**
 * `retry-on KEYWORD…`: which failures send a request again (HAProxy 2.6). A line replaces what
 * `defaults` or an earlier line said; `none` alone turns every retry off, connection failures
 * included. Read for `mode http` backends only (in TCP, connection failures are always retried).
 */
import { ConfigError, type Directive } from '../../model/source.ts'
import { suggest } from '../../model/suggest.ts'
import type { ProxyConfig, RetryOn } from '../../model/types.ts'
import type { ProxyKeyword } from './types.ts'

/** The statuses HAProxy accepts in `retry-on`. */
export const RETRY_STATUSES: readonly number[] = [401, 403, 404, 408, 425, 500, 501, 502, 503, 504]

type Flag = 'connFailure' | 'emptyResponse' | 'junkResponse' | 'responseTimeout' | 'zeroRttRejected'

const FLAGS: Readonly<Record<string, Flag>> = {
  'conn-failure': 'connFailure',
  'empty-response': 'emptyResponse',
  'junk-response': 'junkResponse',
  'response-timeout': 'responseTimeout',
  '0rtt-rejected': 'zeroRttRejected',
}

function nothing(): RetryOn {
  return { connFailure: false, emptyResponse: false, junkResponse: false, responseTimeout: false, zeroRttRejected: false, statuses: [] }
}

/** The words of a `retry-on` line. Throws ConfigError for an unknown word or `none` with others. */
export function parseRetryOn(args: readonly string[], d: Directive): RetryOn {
  if (args.length === 0) throw new ConfigError(`'retry-on' expects one or more of: none, ${Object.keys(FLAGS).join(', ')}, all-retryable-errors, ${RETRY_STATUSES.join(', ')}`, d.pos)
  const r = nothing()
  for (const w of args) {
    if (w === 'none') {
      if (args.length > 1) throw new ConfigError(`'retry-on none' stands alone; remove the other words`, d.pos)
      return r
    }
    if (w === 'all-retryable-errors') {
      r.connFailure = r.emptyResponse = r.junkResponse = r.responseTimeout = r.zeroRttRejected = true
      for (const s of [500, 502, 503, 504]) if (!r.statuses.includes(s)) r.statuses.push(s)
      continue
    }
    const flag = FLAGS[w]
    if (flag !== undefined) { r[flag] = true; continue }
    if (/^\d+$/.test(w)) {
      const s = Number(w)
      if (!RETRY_STATUSES.includes(s)) throw new ConfigError(`'retry-on' takes the statuses ${RETRY_STATUSES.join(', ')}, not ${w}`, d.pos)
      if (!r.statuses.includes(s)) r.statuses.push(s)
      continue
    }
    const near = suggest(w, ['none', 'all-retryable-errors', ...Object.keys(FLAGS)])
    throw new ConfigError(`'retry-on': unknown condition '${w}'${near ? `; did you mean '${near}'?` : ''}`, d.pos)
  }
  return r
}

export const retryOnKeyword: ProxyKeyword = {
  kw: 'retry-on',
  parse(args: string[], d: Directive, p: ProxyConfig) { p.retryOn = parseRetryOn(args, d) },
}
