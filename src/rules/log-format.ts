/**
 * Log-format strings, compiled once: `%[sample expression]`, `%TAG` shortcuts (`%ci`, `%ST`,
 * `%r` …) with optional `%{+Q,+X,+E,+json}` flags, `%%` for a percent sign, anything else literal.
 * `%{…}o` sets the flags of every item after it. `%(name)` names an item: under `%{+json}o`, a
 * format whose items are named is written as one JSON object (`{"name": value, …}`, text between
 * the items left out), as HAProxy 3.x writes it; `+json` alone encodes one value as JSON (a string
 * quoted and escaped, a number bare, an unknown value `null`).
 * Used for log lines, header values, redirects, `return` bodies, `use_backend %[…]`, variables.
 *
 * Tags read a StreamView: connection fields from its session, request parts from its heads,
 * times, byte counts and termination state from `s.log` (types.ts LogFields), which the session
 * fills before it logs. A value that is not known is written as `-` in logs (`missing: '-'`) and
 * as nothing elsewhere.
 */
import { isIP } from 'node:net'
import { hostname } from 'node:os'
import { ConfigError } from '../model/source.ts'
import { formatLogDate, formatLogDateGmt } from '../log/date.ts'
import type { CompileCtx } from './context.ts'
import { compileExpr } from './expr.ts'
import { findExprEnd } from './expr-syntax.ts'
import { uriPath, uriQuery, versionText } from './http-sample.ts'
import { binToStr } from './sample.ts'
import type { Sample, StreamView } from './types.ts'

export type LogFormat = (s: StreamView) => string

type TagValue = string | number | undefined
interface LogTag {
  tag: string
  read(s: StreamView): TagValue
  /** How `+X` writes it: an address as its bytes in hex (`7F000001`), a port on four digits. */
  hex?: 'ip' | 'port'
}


const HOST = hostname()
const date = (s: StreamView): number => s.log?.acceptDate ?? Date.now()
const reqLine = (s: StreamView): string | undefined =>
  s.log?.requestLine ?? (s.req ? `${s.req.method} ${s.req.uri} HTTP/${versionText(s.req)}` : undefined)

/** The `%` tags, as HAProxy names them (8.2.6 "Custom log format"). */
export const LOG_TAGS: readonly LogTag[] = [
  { tag: 'ci', read: (s) => s.sess.cliAddr, hex: 'ip' },
  { tag: 'cp', read: (s) => s.sess.cliPort, hex: 'port' },
  { tag: 'fi', read: (s) => s.sess.dstAddr, hex: 'ip' },
  { tag: 'fp', read: (s) => s.sess.dstPort, hex: 'port' },
  { tag: 'f', read: (s) => s.sess.feName },
  // %ft: the frontend's name, with a '~' when the client spoke TLS to it.
  { tag: 'ft', read: (s) => (s.sess.cliTls ? `${s.sess.feName}~` : s.sess.feName) },
  { tag: 'b', read: (s) => s.beName || undefined },
  { tag: 's', read: (s) => s.srvName || undefined },
  { tag: 'si', read: (s) => s.log?.srvAddr, hex: 'ip' },
  { tag: 'sp', read: (s) => s.log?.srvPort, hex: 'port' },
  { tag: 'ST', read: (s) => s.log?.status ?? s.res?.status },
  { tag: 'B', read: (s) => s.log?.bytesOut },
  { tag: 'U', read: (s) => s.log?.bytesIn },
  { tag: 'r', read: reqLine },
  { tag: 'HM', read: (s) => s.req?.method },
  { tag: 'HU', read: (s) => s.req?.uri },
  { tag: 'HP', read: (s) => (s.req ? uriPath(s.req.uri) : undefined) },
  { tag: 'HQ', read: (s) => { const q = s.req ? uriQuery(s.req.uri) : undefined; return q === undefined ? undefined : '?' + q } },
  { tag: 'HV', read: (s) => (s.req ? `HTTP/${versionText(s.req)}` : undefined) },
  { tag: 'hr', read: (s) => (s.log?.reqCaptures ? `{${s.log.reqCaptures.join('|')}}` : undefined) },
  { tag: 'hs', read: (s) => (s.log?.resCaptures ? `{${s.log.resCaptures.join('|')}}` : undefined) },
  { tag: 'hrl', read: (s) => s.log?.reqCaptures?.join(' ') },
  { tag: 'hsl', read: (s) => s.log?.resCaptures?.join(' ') },
  { tag: 't', read: (s) => formatLogDate(date(s)) },
  { tag: 'T', read: (s) => formatLogDateGmt(date(s)) },
  { tag: 'Ts', read: (s) => Math.floor(date(s) / 1000) },
  { tag: 'ms', read: (s) => String(Math.floor(date(s)) % 1000).padStart(3, '0') },
  { tag: 'Tq', read: (s) => s.log?.tq },
  { tag: 'Th', read: (s) => s.log?.th },
  { tag: 'Ti', read: (s) => s.log?.ti },
  { tag: 'TR', read: (s) => s.log?.tq },
  { tag: 'Tw', read: (s) => s.log?.tw },
  { tag: 'Tc', read: (s) => s.log?.tc },
  { tag: 'Tr', read: (s) => s.log?.tr },
  { tag: 'Ta', read: (s) => s.log?.ta },
  { tag: 'Tt', read: (s) => s.log?.tt },
  { tag: 'ts', read: (s) => s.log?.termState?.slice(0, 2) },
  { tag: 'tsc', read: (s) => s.log?.termState },
  { tag: 'ac', read: (s) => s.log?.actconn },
  { tag: 'fc', read: (s) => s.log?.feconn },
  { tag: 'bc', read: (s) => s.log?.beconn },
  { tag: 'sc', read: (s) => s.log?.srvconn },
  { tag: 'rc', read: (s) => s.log?.retries },
  { tag: 'sq', read: (s) => s.log?.srvQueue },
  { tag: 'bq', read: (s) => s.log?.beQueue },
  { tag: 'ID', read: (s) => s.log?.uniqueId },
  { tag: 'H', read: () => HOST },
  { tag: 'pid', read: () => process.pid },
  { tag: 'CC', read: () => undefined },
  { tag: 'CS', read: () => undefined },
  { tag: 'o', read: () => '' },
  { tag: 'sslv', read: (s) => s.sess.cliTls?.protocol },
  { tag: 'sslc', read: (s) => s.sess.cliTls?.cipher },
]

const TAGS = new Map(LOG_TAGS.map((t) => [t.tag, t]))

interface Flags {
  quote: boolean
  hex: boolean
  escape: boolean
  json: boolean
}

const NO_FLAGS: Flags = Object.freeze({ quote: false, hex: false, escape: false, json: false })

function parseFlags(text: string, base: Flags, ctx: CompileCtx): Flags {
  const f: Flags = { ...base }
  for (const item of text.split(',')) {
    const m = /^([+-])([QXEM]|json|cbor|bin)$/.exec(item.trim())
    if (!m) {
      if (item.trim() === '') continue
      throw new ConfigError(`unknown log-format flag '${item}'; known: +Q, +X, +E, +json (and - to unset)`, ctx.at)
    }
    const on = m[1] === '+'
    if (m[2] === 'Q') f.quote = on
    else if (m[2] === 'X') f.hex = on
    else if (m[2] === 'E') f.escape = on
    else if (m[2] === 'json') f.json = on
    else if (on) throw new ConfigError(`log-format encoding '+${m[2]}' is not supported by edgelb; use +json`, ctx.at)
  }
  return f
}

/** `+X` on an address (its bytes, two hex digits each: `7F000001`) or a port (`%04X`), as
 *  HAProxy writes them; the value as it is when it is neither. */
function hexOf(v: TagValue, kind: 'ip' | 'port'): TagValue {
  if (kind === 'port') return typeof v === 'number' ? v.toString(16).toUpperCase().padStart(4, '0') : v
  if (typeof v !== 'string') return v
  const ip = v.startsWith('::ffff:') && v.includes('.') ? v.slice(7) : v
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return ip.split('.').map((b) => Number(b).toString(16).toUpperCase().padStart(2, '0')).join('')
  if (isIP(ip) === 6) return ipv6Hex(ip)
  return v
}

/** An IPv6 address as its 16 bytes in hex. */
function ipv6Hex(ip: string): string {
  const [head, tail] = ip.includes('::') ? ip.split('::') as [string, string] : [ip, undefined]
  const a = head === '' ? [] : head.split(':')
  const b = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups = tail === undefined ? a : [...a, ...Array(8 - a.length - b.length).fill('0'), ...b]
  return groups.map((g) => g.toUpperCase().padStart(4, '0')).join('')
}

/** A value as JSON: strings quoted and escaped, numbers bare, an unknown value null. */
function renderJson(v: Sample | undefined): string {
  if (v === undefined) return 'null'
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null'
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  return JSON.stringify(v instanceof Uint8Array ? rawText(v) : v)
}

function render(v: Sample | undefined, flags: Flags, missing: string): string {
  if (flags.json) return renderJson(v)
  if (v === undefined) return missing
  let out: string
  if (typeof v === 'number') out = flags.hex ? v.toString(16).toUpperCase() : String(v)
  else if (typeof v === 'boolean') out = v ? '1' : '0'
  else if (v instanceof Uint8Array) out = rawText(v)
  else out = v
  if (flags.escape) out = out.replace(/["\\\]]/g, (c) => '\\' + c)
  return flags.quote ? `"${out}"` : out
}

/** A binary sample as text: its bytes up to the first NUL, as HAProxy casts binary to string
 *  (`hex` or `base64` turn it into printable text). */
function rawText(b: Uint8Array): string {
  const nul = b.indexOf(0)
  return binToStr(nul < 0 ? b : b.subarray(0, nul))
}

/** Compiles a log-format string. `missing`: what an unknown value prints as ('' by default). */
export function compileLogFormat(fmt: string, ctx: CompileCtx, options: { missing?: string } = {}): LogFormat {
  const missing = options.missing ?? ''
  const parts: (string | LogFormat)[] = []
  /** The named items, for the JSON object form. */
  const named: { name: string; read: LogFormat }[] = []
  let unnamed = 0
  let base = NO_FLAGS
  let lit = ''
  let i = 0
  while (i < fmt.length) {
    const ch = fmt[i]!
    if (ch !== '%') { lit += ch; i++; continue }
    if (fmt[i + 1] === '%') { lit += '%'; i += 2; continue }
    i++
    let flags = base
    let name: string | undefined
    for (let k = 0; k < 2; k++) {
      if (fmt[i] === '{') {
        const end = fmt.indexOf('}', i)
        if (end < 0) throw new ConfigError(`missing '}' after '%{' in log-format '${fmt}'`, ctx.at)
        flags = parseFlags(fmt.slice(i + 1, end), base, ctx)
        i = end + 1
      } else if (fmt[i] === '(') {
        const end = fmt.indexOf(')', i)
        if (end < 0) throw new ConfigError(`missing ')' after '%(' in log-format '${fmt}'`, ctx.at)
        name = fmt.slice(i + 1, end)
        if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new ConfigError(`invalid item name '${name}' in log-format '${fmt}'; use letters, digits, '_', '.', '-'`, ctx.at)
        i = end + 1
      }
    }
    // `%{…}o`: the flags of every item that follows.
    if (fmt[i] === 'o' && !/[A-Za-z]/.test(fmt[i + 1] ?? '')) { base = flags; i++; continue }
    if (lit !== '') { parts.push(lit); lit = '' }
    const f = flags
    let part: LogFormat
    if (fmt[i] === '[') {
      const end = findExprEnd(fmt, i + 1)
      if (end < 0) throw new ConfigError(`missing ']' after '%[' in '${fmt}'`, ctx.at)
      const expr = compileExpr(fmt.slice(i + 1, end).trim(), ctx).fn
      part = (s) => render(expr(s), f, missing)
      i = end + 1
      parts.push(part)
      if (name !== undefined) named.push({ name, read: part })
      else unnamed++
      continue
    }
    let j = i
    while (j < fmt.length && /[A-Za-z]/.test(fmt[j]!)) j++
    const word = fmt.slice(i, j)
    // Longest known tag that starts here (`%Tsc` is not a tag; `%ts` then 'c' would be wrong, so
    // the whole word must be a tag, as HAProxy reads it).
    const tag = TAGS.get(word)
    if (!tag) {
      if (word === '') throw new ConfigError(`a lone '%' in '${fmt}'; write '%%' for a percent sign`, ctx.at)
      throw new ConfigError(`unknown log-format tag '%${word}'; known: ${LOG_TAGS.map((t) => '%' + t.tag).join(' ')}, %[sample]`, ctx.at)
    }
    const read = tag.read
    const hexKind = f.hex ? tag.hex : undefined
    part = hexKind === undefined ? (s) => render(read(s), f, missing) : (s) => render(hexOf(read(s), hexKind), f, missing)
    parts.push(part)
    if (name !== undefined) named.push({ name, read: part })
    else unnamed++
    i = j
  }
  if (lit !== '') parts.push(lit)
  if (base.json && named.length > 0) {
    if (unnamed > 0) throw new ConfigError(`under %{+json}o, name every item of the log-format, e.g. %(client_ip)ci: '${fmt}'`, ctx.at)
    return jsonObject(named)
  }
  if (parts.length === 0) return () => ''
  if (parts.length === 1) {
    const p = parts[0]!
    return typeof p === 'string' ? () => p : p
  }
  if (parts.length === 2) {
    const [a, b] = parts.map((p) => (typeof p === 'string' ? () => p : p)) as [LogFormat, LogFormat]
    return (s) => a(s) + b(s)
  }
  // One join rather than `+=`: the line is written out, and flattening a rope of dozens of
  // pieces costs more than joining them. Literal text stays a string (no call), and the array is
  // reused: no part runs a log-format (tags and sample expressions only), so no call nests.
  const buf: string[] = new Array(parts.length)
  return (s) => {
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k]!
      buf[k] = typeof p === 'string' ? p : p(s)
    }
    return buf.join('')
  }
}

/** `{"name": value, …}` from named items (each already rendered as JSON). */
function jsonObject(items: readonly { name: string; read: LogFormat }[]): LogFormat {
  const keys = items.map((it, k) => `${k === 0 ? '{' : ', '}${JSON.stringify(it.name)}: `)
  const reads = items.map((it) => it.read)
  return (s) => {
    let out = ''
    for (let k = 0; k < reads.length; k++) out += keys[k] + reads[k]!(s)
    return out + '}'
  }
}

/** The text a format stands for when it has nothing to evaluate (`%%` read as `%`), else
 *  undefined: where a constant is worth knowing at load (a reply built once, a static
 *  use_backend). A constant format also compiles, to a function returning that text. */
export function constantFormat(fmt: string): string | undefined {
  return fmt.replace(/%%/g, '').includes('%') ? undefined : fmt.replace(/%%/g, '%')
}
