/**
 * A bind's or a server's TLS settings combined with the `ssl-default-*` globals and HAProxy's
 * defaults, into what a context takes: the protocol versions (TLS 1.2 and 1.3 unless told
 * otherwise, as HAProxy 2.6), the cipher lists, the curves, tickets.
 */
import { ConfigError, type SourcePos } from '../../model/source.ts'
import { SSL_VERSIONS, type SslSettings, type SslVersion } from '../../model/tls.ts'
import type { TlsContextSpec } from '../types.ts'

/** HAProxy 2.6's defaults: `ssl-min-ver TLSv1.2`, the newest version as the maximum. */
export const DEFAULT_MIN: SslVersion = 'TLSv1.2'
export const DEFAULT_MAX: SslVersion = 'TLSv1.3'

/** The TLS 1.3 suites of the runtime's TLS library (BoringSSL), which offers all three and
 *  cannot be told to offer fewer. */
export const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']

/**
 * The version range of `own` over `dflt`: `force-*` alone; else `ssl-min-ver`..`ssl-max-ver`
 * without the `no-*` ones. Where the `no-*` leave a hole, the lowest contiguous run is kept, with a
 * warning, as HAProxy does. SSLv3 is not in the runtime's TLS library: asked for, it is an error.
 */
export function versionRange(own: SslSettings, dflt: SslSettings, at: SourcePos, warn: (m: string, at: SourcePos) => void): { min: SslVersion; max: SslVersion } {
  const force = own.forceVer ?? dflt.forceVer
  if (force === 'SSLv3' || own.minVer === 'SSLv3' || (own.minVer === undefined && dflt.minVer === 'SSLv3')) {
    throw new ConfigError(`SSLv3 is not available (edgelb's TLS library has none, and HAProxy 2.6 refuses it by default): remove it`, at)
  }
  if (force !== undefined) return { min: force, max: force }
  const min = own.minVer ?? dflt.minVer ?? DEFAULT_MIN
  const max = own.maxVer ?? dflt.maxVer ?? DEFAULT_MAX
  const lo = SSL_VERSIONS.indexOf(min)
  const hi = SSL_VERSIONS.indexOf(max)
  if (lo > hi) throw new ConfigError(`ssl-min-ver ${min} is above ssl-max-ver ${max}`, at)
  const off = new Set([...(own.noVers ?? []), ...(dflt.noVers ?? [])])
  const on = SSL_VERSIONS.slice(lo, hi + 1).filter((v) => !off.has(v) && v !== 'SSLv3')
  if (on.length === 0) throw new ConfigError(`every TLS version from ${min} to ${max} is disabled (no-tlsv1x): nothing is left to speak`, at)
  let end = 0
  while (end + 1 < on.length && SSL_VERSIONS.indexOf(on[end + 1]!) === SSL_VERSIONS.indexOf(on[end]!) + 1) end++
  if (end + 1 < on.length) warn(`the enabled TLS versions ${on.join(', ')} have a hole; only ${on[0]} to ${on[end]} are used`, at)
  return { min: on[0]!, max: on[end]! }
}

/**
 * Checks a TLS 1.3 suites list against what the library can do: a list that leaves out one of
 * its suites cannot be honoured (it would be offered anyway), so it is refused; the order of the
 * list is not applied (the library keeps its own).
 */
export function checkCiphersuites(list: string, range: { max: SslVersion }, at: SourcePos): void {
  if (range.max !== 'TLSv1.3') return
  const names = list.split(':').map((s) => s.trim()).filter((s) => s !== '')
  const missing = TLS13_SUITES.filter((s) => !names.includes(s))
  if (missing.length > 0) {
    throw new ConfigError(`ciphersuites '${list}' leaves out ${missing.join(', ')}, which edgelb's TLS library (BoringSSL) always offers with TLS 1.3 and cannot turn off; list all of ${TLS13_SUITES.join(':')}, or disable TLS 1.3 (ssl-max-ver TLSv1.2)`, at)
  }
}

/** The context settings of `own` over `dflt` (no certificate, no CA yet). */
export function contextSettings(own: SslSettings, dflt: SslSettings, at: SourcePos, warn: (m: string, at: SourcePos) => void): TlsContextSpec {
  const range = versionRange(own, dflt, at, warn)
  const suites = own.ciphersuites ?? dflt.ciphersuites
  if (suites !== undefined) checkCiphersuites(suites, range, at)
  const spec: TlsContextSpec = { minVersion: range.min, maxVersion: range.max, tickets: !(own.noTickets ?? dflt.noTickets ?? false) }
  const ciphers = own.ciphers ?? dflt.ciphers
  if (ciphers !== undefined) spec.ciphers = ciphers.replace(/;+$/, '')
  const curves = own.curves ?? dflt.curves
  if (curves !== undefined) spec.curves = curves
  const sigalgs = own.sigalgs ?? dflt.sigalgs
  if (sigalgs !== undefined) spec.sigalgs = sigalgs
  if (own.preferClientCiphers ?? dflt.preferClientCiphers) spec.preferClientCiphers = true
  return spec
}
