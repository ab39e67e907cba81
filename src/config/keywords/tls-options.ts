/**
 * The TLS keywords edgelb implements: options of `bind` and `server`/`default-server` lines, and
 * the TLS globals. They fill model/tls.ts; certificates are read when the run-time objects are
 * built (net/tls/), where a missing file, a key that does not match, an unusable cipher list is
 * an error at its line.
 *
 * A TLS keyword not listed here keeps its dictionary mark (`protects: 'tls'`) and is refused.
 */
import { ConfigError, type SourcePos } from '../../model/source.ts'
import { SSL_VERSIONS, VERSION_WORDS, type BindTls, type GlobalTls, type ServerTls, type SslSettings, type SslVersion } from '../../model/tls.ts'
import type { BindConfig, GlobalConfig, ServerOptions } from '../../model/types.ts'
import type { BindOptionKeyword, GlobalKeyword, ServerOptionKeyword } from './types.ts'
import { one } from './words.ts'

const bindTls = (b: BindConfig): BindTls => (b.tls ??= { crts: [], crtLists: [] })
/** A server line's TLS options (its own: parseServerLine copies the default-server's). */
const serverTls = (s: ServerOptions): ServerTls => (s.tls ??= {})
const globalTls = (g: GlobalConfig): GlobalTls => (g.tls ??= { defaultBind: {}, defaultServer: {} })

export function parseSslVersion(v: string, kw: string, at: SourcePos): SslVersion {
  const found = SSL_VERSIONS.find((x) => x === v)
  if (!found) throw new ConfigError(`'${kw}' expects one of ${SSL_VERSIONS.join(', ')}, got '${v}'`, at)
  return found
}

/** `alpn h2,http/1.1`: the protocols in order. */
export function parseAlpn(v: string, kw: string, at: SourcePos): string[] {
  const list = v.split(',')
  for (const p of list) {
    if (p === '' || p.length > 255) throw new ConfigError(`'${kw}' expects protocol names separated by commas (e.g. h2,http/1.1), got '${v}'`, at)
  }
  return list
}

// --- what bind lines, server lines and the ssl-default-*-options share -------------------------

/** A word of the shared settings, for any holder of `SslSettings`. */
interface SettingWord {
  kw: string
  args: 0 | 1
  apply(value: string, t: SslSettings, at: SourcePos): void
}

const noVer = (v: SslVersion): SettingWord => ({
  kw: `no-${Object.keys(VERSION_WORDS).find((k) => VERSION_WORDS[k] === v)}`,
  args: 0,
  apply: (_v, t) => { t.noVers = [...new Set([...(t.noVers ?? []), v])] },
})
const forceVer = (v: SslVersion): SettingWord => ({
  kw: `force-${Object.keys(VERSION_WORDS).find((k) => VERSION_WORDS[k] === v)}`,
  args: 0,
  apply: (_v, t) => { t.forceVer = v },
})

const SETTING_WORDS: readonly SettingWord[] = [
  { kw: 'ciphers', args: 1, apply: (v, t) => { t.ciphers = v } },
  { kw: 'ciphersuites', args: 1, apply: (v, t) => { t.ciphersuites = v } },
  { kw: 'curves', args: 1, apply: (v, t) => { t.curves = v } },
  { kw: 'ecdhe', args: 1, apply: (v, t) => { t.curves = v } },
  { kw: 'sigalgs', args: 1, apply: (v, t) => { t.sigalgs = v } },
  { kw: 'ssl-min-ver', args: 1, apply: (v, t, at) => { t.minVer = parseSslVersion(v, 'ssl-min-ver', at) } },
  { kw: 'ssl-max-ver', args: 1, apply: (v, t, at) => { t.maxVer = parseSslVersion(v, 'ssl-max-ver', at) } },
  { kw: 'no-tls-tickets', args: 0, apply: (_v, t) => { t.noTickets = true } },
  { kw: 'tls-tickets', args: 0, apply: (_v, t) => { t.noTickets = false } },
  ...SSL_VERSIONS.map(noVer),
  ...SSL_VERSIONS.map(forceVer),
]

const BIND_ONLY_SETTINGS: readonly SettingWord[] = [
  { kw: 'prefer-client-ciphers', args: 0, apply: (_v, t) => { t.preferClientCiphers = true } },
]

// --- bind lines ---------------------------------------------------------------------------------

export const bindTlsKeywords: readonly BindOptionKeyword[] = [
  { kw: 'ssl', args: 0, apply: (_v, b) => { b.ssl = true; bindTls(b) } },
  { kw: 'crt', args: 1, apply: ([v], b, at) => { bindTls(b).crts.push({ path: v!, at }) } },
  { kw: 'default-crt', args: 1, apply: ([v], b, at) => { bindTls(b).crts.unshift({ path: v!, at }) } },
  { kw: 'crt-list', args: 1, apply: ([v], b, at) => { bindTls(b).crtLists.push({ path: v!, at }) } },
  { kw: 'ca-file', args: 1, apply: ([v], b) => { bindTls(b).caFile = v! } },
  { kw: 'crl-file', args: 1, apply: ([v], b) => { bindTls(b).crlFile = v! } },
  {
    kw: 'verify',
    args: 1,
    apply: ([v], b, at) => {
      if (v !== 'none' && v !== 'optional' && v !== 'required') throw new ConfigError(`'verify' expects none, optional or required, got '${v}'`, at)
      bindTls(b).verify = v
    },
  },
  ignoreErr('crt-ignore-err'),
  ignoreErr('ca-ignore-err'),
  { kw: 'alpn', args: 1, apply: ([v], b, at) => { bindTls(b).alpn = parseAlpn(v!, 'alpn', at) } },
  { kw: 'no-alpn', args: 0, apply: (_v, b) => { bindTls(b).alpn = [] } },
  { kw: 'strict-sni', args: 0, apply: (_v, b) => { bindTls(b).strictSni = true } },
  { kw: 'no-strict-sni', args: 0, apply: (_v, b) => { bindTls(b).strictSni = false } },
  // edgelb never accepts early data: allowing it changes nothing.
  { kw: 'allow-0rtt', args: 0, apply: (_v, b) => { bindTls(b) } },
  ...[...SETTING_WORDS, ...BIND_ONLY_SETTINGS].map((w): BindOptionKeyword => ({
    kw: w.kw,
    args: w.args,
    apply: (values, b, at) => { w.apply(values[0] ?? '', bindTls(b), at) },
  })),
]

/** `crt-ignore-err all` / `ca-ignore-err all`; lists of error ids are not supported. */
function ignoreErr(kw: string): BindOptionKeyword {
  return {
    kw,
    args: 1,
    apply: ([v], b, at) => {
      if (v !== 'all') throw new ConfigError(`'${kw}' is supported with 'all' only (edgelb cannot tell certificate errors apart by id); got '${v}'`, at)
      bindTls(b).ignoreVerifyErrors = true
    },
  }
}

// --- server lines -------------------------------------------------------------------------------

export const serverTlsKeywords: readonly ServerOptionKeyword[] = [
  { kw: 'ssl', args: 0, apply: (_v, s) => { s.ssl = true; serverTls(s) } },
  { kw: 'no-ssl', args: 0, apply: (_v, s) => { s.ssl = false } },
  {
    kw: 'verify',
    args: 1,
    apply: ([v], s, at) => {
      if (v !== 'none' && v !== 'required') throw new ConfigError(`'verify' on a server expects none or required, got '${v}'`, at)
      serverTls(s).verify = v
    },
  },
  { kw: 'verifyhost', args: 1, apply: ([v], s) => { serverTls(s).verifyhost = v! } },
  { kw: 'ca-file', args: 1, apply: ([v], s) => { serverTls(s).caFile = v! } },
  { kw: 'crl-file', args: 1, apply: ([v], s) => { serverTls(s).crlFile = v! } },
  { kw: 'crt', args: 1, apply: ([v], s) => { serverTls(s).crt = v! } },
  { kw: 'sni', args: 1, apply: ([v], s) => { serverTls(s).sni = v! } },
  { kw: 'alpn', args: 1, apply: ([v], s, at) => { serverTls(s).alpn = parseAlpn(v!, 'alpn', at) } },
  { kw: 'no-ssl-reuse', args: 0, apply: (_v, s) => { serverTls(s).noReuse = true } },
  { kw: 'ssl-reuse', args: 0, apply: (_v, s) => { serverTls(s).noReuse = false } },
  { kw: 'check-ssl', args: 0, apply: (_v, s) => { serverTls(s).checkSsl = true } },
  { kw: 'no-check-ssl', args: 0, apply: (_v, s) => { serverTls(s).checkSsl = false } },
  { kw: 'check-sni', args: 1, apply: ([v], s) => { serverTls(s).checkSni = v! } },
  { kw: 'check-alpn', args: 1, apply: ([v], s, at) => { serverTls(s).checkAlpn = parseAlpn(v!, 'check-alpn', at) } },
  // edgelb never sends early data: allowing it changes nothing.
  { kw: 'allow-0rtt', args: 0, apply: (_v, s) => { serverTls(s) } },
  ...SETTING_WORDS.map((w): ServerOptionKeyword => ({
    kw: w.kw,
    args: w.args,
    apply: (values, s, at) => { w.apply(values[0] ?? '', serverTls(s), at) },
  })),
]

// --- globals --------------------------------------------------------------------------------------

/** `ssl-default-bind-options` / `ssl-default-server-options`: the shared words, with their values. */
function defaultOptions(kw: string, side: 'defaultBind' | 'defaultServer'): GlobalKeyword {
  const words = new Map((side === 'defaultBind' ? [...SETTING_WORDS, ...BIND_ONLY_SETTINGS] : SETTING_WORDS).map((w) => [w.kw, w]))
  return {
    kw,
    parse(args, d, g) {
      const t = globalTls(g)[side]
      for (let i = 0; i < args.length; i++) {
        const w = words.get(args[i]!)
        if (!w || w.kw === 'ciphers' || w.kw === 'ciphersuites' || w.kw === 'curves' || w.kw === 'ecdhe' || w.kw === 'sigalgs') {
          throw new ConfigError(`'${kw}': unknown or unsupported option '${args[i]}' (known: ${[...words.keys()].filter((k) => !['ciphers', 'ciphersuites', 'curves', 'ecdhe', 'sigalgs'].includes(k)).join(', ')})`, d.pos)
        }
        if (w.args === 1 && args[i + 1] === undefined) throw new ConfigError(`'${kw}': '${w.kw}' expects a value`, d.pos)
        w.apply(w.args === 1 ? args[++i]! : '', t, d.pos)
      }
    },
  }
}

function defaultSetting(kw: string, side: 'defaultBind' | 'defaultServer', field: 'ciphers' | 'ciphersuites' | 'curves' | 'sigalgs'): GlobalKeyword {
  return { kw, parse: (args, d, g) => { globalTls(g)[side][field] = one(kw, args, d, 'a list') } }
}

export const globalTlsKeywords: readonly GlobalKeyword[] = [
  { kw: 'crt-base', parse: (args, d, g) => { globalTls(g).crtBase = one('crt-base', args, d, 'a directory') } },
  { kw: 'ca-base', parse: (args, d, g) => { globalTls(g).caBase = one('ca-base', args, d, 'a directory') } },
  defaultOptions('ssl-default-bind-options', 'defaultBind'),
  defaultOptions('ssl-default-server-options', 'defaultServer'),
  defaultSetting('ssl-default-bind-ciphers', 'defaultBind', 'ciphers'),
  defaultSetting('ssl-default-bind-ciphersuites', 'defaultBind', 'ciphersuites'),
  defaultSetting('ssl-default-bind-curves', 'defaultBind', 'curves'),
  defaultSetting('ssl-default-bind-sigalgs', 'defaultBind', 'sigalgs'),
  defaultSetting('ssl-default-server-ciphers', 'defaultServer', 'ciphers'),
  defaultSetting('ssl-default-server-ciphersuites', 'defaultServer', 'ciphersuites'),
  defaultSetting('ssl-default-server-curves', 'defaultServer', 'curves'),
  defaultSetting('ssl-default-server-sigalgs', 'defaultServer', 'sigalgs'),
  {
    kw: 'ssl-server-verify',
    parse(args, d, g) {
      const v = one('ssl-server-verify', args, d, 'none or required')
      if (v !== 'none' && v !== 'required') throw new ConfigError(`'ssl-server-verify' expects none or required, got '${v}'`, d.pos)
      globalTls(g).serverVerify = v
    },
  },
]

/** Whole-line checks of a bind's TLS options (the builder calls it once the line is read). */
export function checkBindTls(b: BindConfig): void {
  const t = b.tls
  if (t === undefined) return
  if (!b.ssl) {
    if (t.crts.length > 0 || t.crtLists.length > 0) throw new ConfigError(`a certificate is given but 'ssl' is not: this listener would serve clear text; add 'ssl' to the bind line`, b.pos)
    return
  }
  if (t.crts.length === 0 && t.crtLists.length === 0) throw new ConfigError(`'ssl' needs a certificate: add 'crt FILE' (or 'crt-list FILE') to the bind line`, b.pos)
}
