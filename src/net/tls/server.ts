/**
 * What a `server … ssl` line connects with (and its health checks, with `check-ssl`): its settings
 * over the `ssl-default-server-*` globals, the CAs its certificate is checked against, the client
 * certificate it presents. Built once at load; problems are ConfigErrors at the server's line.
 *
 * As HAProxy: `verify required` is the default (`ssl-server-verify`), and it needs a `ca-file`;
 * the certificate's name is checked against `verifyhost`, else the SNI sent, else not at all.
 */
import { dirname } from 'node:path'
import { ConfigError } from '../../model/source.ts'
import type { GlobalConfig, Mode, ServerConfig } from '../../model/types.ts'
import type { TlsConnect, TlsContextSpec } from '../types.ts'
import { loadCertFile, resolvePath } from './certs.ts'
import { makeContext, readPemFile, type TlsBuildReport } from './bind.ts'
import { contextSettings } from './settings.ts'

/** TLS toward a server: for its traffic (`ssl`) and its health checks (`check-ssl`, or `ssl`
 *  when the checks go to the server's own address and port). */
export interface ServerTlsBuilt {
  /** Traffic; null: clear text. */
  traffic: TlsConnect | null
  /** Health checks; null: clear text. */
  check: TlsConnect | null
}

export function buildServerTls(s: ServerConfig, g: GlobalConfig, mode: Mode, report: TlsBuildReport): ServerTlsBuilt {
  const t = s.tls ?? {}
  const checkOwn = t.checkSsl === true || (s.ssl === true && t.checkSsl !== false && s.checkPort === undefined && s.checkAddr === undefined)
  if (!s.ssl && !checkOwn) return { traffic: null, check: null }
  const gt = g.tls
  const dir = dirname(s.pos.file)
  const spec: TlsContextSpec = contextSettings(t, gt?.defaultServer ?? {}, s.pos, report.warn)
  const verify = (t.verify ?? gt?.serverVerify ?? 'required') === 'required'
  if (t.caFile !== undefined) spec.ca = readPemFile(resolvePath(t.caFile, gt?.caBase, dir), 'CERTIFICATE', 'CA file', s.pos)
  if (t.crlFile !== undefined) spec.crl = readPemFile(resolvePath(t.crlFile, gt?.caBase, dir), 'X509 CRL', 'CRL file', s.pos)
  if (verify && spec.ca === undefined) {
    throw new ConfigError(`server '${s.name}': TLS verification of the server's certificate is on (HAProxy's default, ssl-server-verify) but there is no 'ca-file'; add 'ca-file FILE', or write 'verify none' if you trust the network to the server`, s.pos)
  }
  if (t.crt !== undefined) {
    const c = loadCertFile(resolvePath(t.crt, gt?.crtBase, dir), s.pos, report.warn)
    spec.cert = c.cert
    spec.key = c.key
  }
  const context = makeContext(spec, `server '${s.name}': TLS settings refused`, s.pos)
  const base: Omit<TlsConnect, 'alpn'> = { context, verify, reuse: t.noReuse !== true }
  if (t.verifyhost !== undefined) base.verifyHost = t.verifyhost
  let alpn = t.alpn ?? []
  let checkAlpn = t.checkAlpn ?? alpn
  if (mode === 'http' && alpn.includes('h2') && s.proto !== 'h1') {
    // HTTP/2 to this server (proxy/h2/back.ts): h2 is offered, and http/1.1 with it when listed
    // and `proto h2` does not force HTTP/2 (a server that chooses it is spoken HTTP/1.1); nothing
    // else, so that the server cannot pick a protocol edgelb would not speak. Health checks speak
    // HTTP/1.1 and offer it instead.
    const kept = alpn.filter((p) => p === 'h2' || (p === 'http/1.1' && s.proto === undefined))
    if (kept.length < alpn.length) report.warn(`server '${s.name}': 'alpn ${alpn.join(',')}': edgelb speaks HTTP/2 to this server and offers ${kept.join(',')} alone`, s.pos)
    if (t.checkAlpn === undefined) checkAlpn = [...new Set(alpn.map((p) => (p === 'h2' ? 'http/1.1' : p)))]
    alpn = kept
  } else if (mode === 'http' && alpn.includes('h2')) alpn = [...new Set(alpn.map((p) => (p === 'h2' ? 'http/1.1' : p)))]
  return {
    traffic: s.ssl ? { ...base, alpn } : null,
    // A check connection has a session of its own to reuse, and its own ALPN.
    check: checkOwn ? { ...base, alpn: checkAlpn } : null,
  }
}
