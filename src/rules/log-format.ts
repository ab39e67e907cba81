/**
 * Log-format strings, compiled once: `%[sample expression]`, `%TAG` shortcuts (`%ci`, `%ST`,
 * `%r` …) with optional `%{+Q,+X,+E}` flags, `%%` for a percent sign, anything else literal.
 * Used for log lines, header values, redirects, `return` bodies, `use_backend %[…]`, variables.
 *
 * Tags read a StreamView: connection fields from its session, request parts from its heads,
 * times, byte counts and termination state from `s.log` (types.ts LogFields), which the session
 * fills before it logs. A value that is not known is written as `-` in logs (`missing: '-'`) and
 * as nothing elsewhere.
 */
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
}


const HOST = hostname()
const date = (s: StreamView): number => s.log?.acceptDate ?? Date.now()
const reqLine = (s: StreamView): string | undefined =>
  s.log?.requestLine ?? (s.req ? `${s.req.method} ${s.req.uri} HTTP/${versionText(s.req)}` : undefined)

/** The `%` tags, as HAProxy names them (8.2.6 "Custom log format"). */
export const LOG_TAGS: readonly LogTag[] = [
  { tag: 'ci', read: (s) => s.sess.cliAddr },
  { tag: 'cp', read: (s) => s.sess.cliPort },
  { tag: 'fi', read: (s) => s.sess.dstAddr },
  { tag: 'fp', read: (s) => s.sess.dstPort },
  { tag: 'f', read: (s) => s.sess.feName },
  // %ft: the frontend's name, with a '~' when the client spoke TLS to it.
  { tag: 'ft', read: (s) => (s.sess.cliTls ? `${s.sess.feName}~` : s.sess.feName) },
  { tag: 'b', read: (s) => s.beName || undefined },
  { tag: 's', read: (s) => s.srvName || undefined },
  { tag: 'si', read: (s) => s.log?.srvAddr },
  { tag: 'sp', read: (s) => s.log?.srvPort },
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
}

function parseFlags(text: string, ctx: CompileCtx): Flags {
  const f: Flags = { quote: false, hex: false, escape: false }
  for (const item of text.split(',')) {
    const m = /^([+-])([QXEM])$/.exec(item.trim())
    if (!m) {
      if (item.trim() === '') continue
      throw new ConfigError(`unknown log-format flag '${item}'; known: +Q, +X, +E (and - to unset)`, ctx.at)
    }
    const on = m[1] === '+'
    if (m[2] === 'Q') f.quote = on
    else if (m[2] === 'X') f.hex = on
    else if (m[2] === 'E') f.escape = on
  }
  return f
}

function render(v: Sample | undefined, flags: Flags, missing: string): string {
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
  let lit = ''
  let i = 0
  while (i < fmt.length) {
    const ch = fmt[i]!
    if (ch !== '%') { lit += ch; i++; continue }
    if (fmt[i + 1] === '%') { lit += '%'; i += 2; continue }
    i++
    let flags: Flags = { quote: false, hex: false, escape: false }
    if (fmt[i] === '{') {
      const end = fmt.indexOf('}', i)
      if (end < 0) throw new ConfigError(`missing '}' after '%{' in log-format '${fmt}'`, ctx.at)
      flags = parseFlags(fmt.slice(i + 1, end), ctx)
      i = end + 1
    }
    if (lit !== '') { parts.push(lit); lit = '' }
    const f = flags
    if (fmt[i] === '[') {
      const end = findExprEnd(fmt, i + 1)
      if (end < 0) throw new ConfigError(`missing ']' after '%[' in '${fmt}'`, ctx.at)
      const expr = compileExpr(fmt.slice(i + 1, end).trim(), ctx).fn
      parts.push((s) => render(expr(s), f, missing))
      i = end + 1
      continue
    }
    let j = i
    while (j < fmt.length && /[A-Za-z]/.test(fmt[j]!)) j++
    const name = fmt.slice(i, j)
    // Longest known tag that starts here (`%Tsc` is not a tag; `%ts` then 'c' would be wrong, so
    // the whole word must be a tag, as HAProxy reads it).
    const tag = TAGS.get(name)
    if (!tag) {
      if (name === '') throw new ConfigError(`a lone '%' in '${fmt}'; write '%%' for a percent sign`, ctx.at)
      throw new ConfigError(`unknown log-format tag '%${name}'; known: ${LOG_TAGS.map((t) => '%' + t.tag).join(' ')}, %[sample]`, ctx.at)
    }
    const read = tag.read
    parts.push((s) => render(read(s), f, missing))
    i = j
  }
  if (lit !== '') parts.push(lit)
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

/** The text a format stands for when it has nothing to evaluate (`%%` read as `%`), else
 *  undefined: where a constant is worth knowing at load (a reply built once, a static
 *  use_backend). A constant format also compiles, to a function returning that text. */
export function constantFormat(fmt: string): string | undefined {
  return fmt.replace(/%%/g, '').includes('%') ? undefined : fmt.replace(/%%/g, '%')
}
