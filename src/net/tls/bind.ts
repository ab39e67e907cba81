/**
 * What a `bind … ssl` line listens with: its certificates read (crt, crt-list), its settings over
 * the `ssl-default-bind-*` globals, the SNI index, the client-certificate policy. Built once at
 * load; every problem is a ConfigError at its line (the bind's, or the crt-list's).
 *
 * Contexts: the default certificate's is made at load, as are the others when the bind has at
 * most EAGER_CONTEXTS of them (so `check` sees anything the TLS library refuses); beyond, each is
 * made the first time a client asks for its name (tens of thousands of certificates then cost
 * their PEM text until used, not a TLS context each: about 10 KiB and 40 µs).
 */
import { dirname } from 'node:path'
import { ConfigError, type SourcePos } from '../../model/source.ts'
import type { BindConfig, GlobalConfig, Mode } from '../../model/types.ts'
import { tlsContext } from '../runtime.ts'
import type { TlsContext, TlsContextSpec, TlsListen } from '../types.ts'
import { loadCertFile, loadCrt, pemBlocks, readConfigFile, resolvePath, type CertEntry } from './certs.ts'
import { parseCrtList } from './crt-list.ts'
import { contextSettings } from './settings.ts'
import { SniIndex } from './sni.ts'

export const EAGER_CONTEXTS = 256

export interface TlsBuildReport {
  warn(message: string, at: SourcePos): void
}

/** One certificate of a bind, and its context once made. */
interface Slot {
  entry: CertEntry
  at: SourcePos
  ctx: TlsContext | null
}

/** Makes a context, turning the TLS library's refusal into an error at `at`. */
export function makeContext(spec: TlsContextSpec, what: string, at: SourcePos): TlsContext {
  try {
    return tlsContext(spec)
  } catch (e) {
    throw new ConfigError(`${what}: ${(e as Error).message}`, at)
  }
}

/** Reads a CA or CRL file (PEM with at least one block of `label`). */
export function readPemFile(path: string, label: 'CERTIFICATE' | 'X509 CRL', what: string, at: SourcePos): string {
  const text = readConfigFile(path, what, at)
  if (!pemBlocks(text).some((b) => b.label === label)) throw new ConfigError(`no ${label === 'CERTIFICATE' ? 'certificate' : 'CRL'} in ${what} '${path}'`, at)
  return text
}

/** The ALPN list a listener offers, as configured (`h2` is spoken in `mode http`, proxy/h2/). */
export function listenAlpn(alpn: readonly string[] | undefined, _mode: Mode, _at: SourcePos, _report: TlsBuildReport): string[] {
  return alpn === undefined ? [] : [...alpn]
}

export function buildListenTls(b: BindConfig, g: GlobalConfig, o: { mode: Mode; handshakeTimeout: number }, report: TlsBuildReport): TlsListen {
  const t = b.tls!
  const gt = g.tls
  const dir = dirname(b.pos.file)
  const base = contextSettings(t, gt?.defaultBind ?? {}, b.pos, report.warn)
  const verify = t.verify ?? 'none'
  if (t.caFile !== undefined) base.ca = readPemFile(resolvePath(t.caFile, gt?.caBase, dir), 'CERTIFICATE', 'CA file', b.pos)
  if (t.crlFile !== undefined) base.crl = readPemFile(resolvePath(t.crlFile, gt?.caBase, dir), 'X509 CRL', 'CRL file', b.pos)
  if (verify !== 'none' && base.ca === undefined) throw new ConfigError(`'verify ${verify}' needs the CAs that sign client certificates: add 'ca-file FILE'`, b.pos)

  // The certificates, in order: `crt` words, then each crt-list's lines.
  const index = new SniIndex<Slot>()
  const slots: Slot[] = []
  const add = (entry: CertEntry, at: SourcePos, filters: readonly string[], excluded: readonly string[]): void => {
    const slot: Slot = { entry, at, ctx: null }
    slots.push(slot)
    for (const n of filters.length > 0 ? filters : entry.names) index.add(n, slot)
    for (const n of excluded) index.exclude(n, slot)
  }
  for (const c of t.crts) {
    for (const e of loadCrt(resolvePath(c.path, gt?.crtBase, dir), c.at, report.warn)) add(e, c.at, [], [])
  }
  for (const l of t.crtLists) {
    const file = resolvePath(l.path, gt?.crtBase, dir)
    const lines = parseCrtList(readConfigFile(file, 'crt-list', l.at), file)
    if (lines.length === 0) throw new ConfigError(`crt-list '${file}' lists no certificate`, l.at)
    for (const line of lines) {
      const path = resolvePath(line.crt, gt?.crtBase, dir)
      add(loadCertFile(path, line.at, report.warn), line.at, line.filters, line.excluded)
    }
  }
  const first = slots[0]
  if (first === undefined) throw new ConfigError(`'ssl' needs a certificate: add 'crt FILE' to the bind line`, b.pos)

  const specOf = (s: Slot): TlsContextSpec => ({ ...base, cert: s.entry.cert, key: s.entry.key })
  first.ctx = makeContext(specOf(first), `cannot use '${first.entry.file}' with this bind's TLS settings`, first.at)
  if (slots.length <= EAGER_CONTEXTS) {
    for (const s of slots) s.ctx ??= makeContext(specOf(s), `cannot use '${s.entry.file}' with this bind's TLS settings`, s.at)
  }
  const strict = t.strictSni === true
  const listen: TlsListen = {
    default: first.ctx,
    requireSni: strict,
    alpn: listenAlpn(t.alpn, o.mode, b.pos, report),
    verify,
    ignoreVerifyErrors: t.ignoreVerifyErrors === true,
    handshakeTimeout: o.handshakeTimeout,
  }
  if (slots.length > 1 || strict) {
    listen.select = (name) => {
      const s = index.lookup(name)
      if (s === undefined) return strict ? null : undefined
      if (s === first) return undefined
      if (s.ctx === null) {
        try { s.ctx = tlsContext(specOf(s)) } catch { return null }
      }
      return s.ctx
    }
  }
  return listen
}
