/**
 * `tcp-check expect` and `http-check expect` rules, compiled once: what to match, what status a
 * match or a mismatch gives, and when the data seen so far are enough to decide (HAProxy's rules):
 *
 *   - wait while fewer than `min-recv` bytes (or, for `string`/`binary`, fewer than the pattern)
 *     have arrived, unless no more can come;
 *   - a mismatch without `min-recv` waits for more data until no more can come;
 *   - then `[!]` inverts: a match of an unwanted pattern is the error.
 */
import type { SourcePos } from '../model/source.ts'
import type { CheckOutcome, CheckStatus } from './status.ts'
import { CheckConfigError as ConfigError } from './types.ts'
import { haproxyRegex } from '../rules/regex.ts'

const STATUS_WORDS = new Set<CheckStatus>(['L4OK', 'L4TOUT', 'L4CON', 'L6OK', 'L6TOUT', 'L6RSP', 'L7TOUT', 'L7RSP', 'L7OK', 'L7OKC', 'L7STS'])

/** `L7OKD` and `L7OKCD` are the names HAProxy's keywords accept for L7OK/L7OKC. */
function parseStatus(word: string | undefined, kw: string, at: SourcePos): CheckStatus {
  const w = word === 'L7OKD' ? 'L7OK' : word === 'L7OKCD' ? 'L7OKC' : word
  if (w === undefined || !STATUS_WORDS.has(w as CheckStatus)) {
    throw new ConfigError(`'${kw}' expects a check status (L4OK, L4TOUT, L4CON, L6OK, L6TOUT, L6RSP, L7OK, L7OKC, L7TOUT, L7RSP, L7STS), got '${word ?? ''}'`, at)
  }
  return w as CheckStatus
}

export type ExpectType = 'string' | 'rstring' | 'binary' | 'rbinary' | 'status' | 'rstatus'

export interface ExpectRule {
  readonly type: ExpectType
  readonly pattern: string
  readonly inverse: boolean
  /** -1 = not set. */
  readonly minRecv: number
  readonly okStatus?: CheckStatus
  readonly errorStatus?: CheckStatus
  readonly timeoutStatus?: CheckStatus
  readonly onSuccess?: string
  readonly onError?: string
  readonly comment?: string
  /** For `string`/`binary`: the bytes; for `rstring`/`rbinary`/`rstatus`: a RegExp; for
   *  `status`: code ranges. */
  readonly bytes?: Buffer
  readonly regex?: RegExp
  readonly codes?: readonly (readonly [number, number])[]
}

/** Parses `[options] [!] <match> <pattern>` after `tcp-check expect` / `http-check expect`. */
export function compileExpect(args: string[], http: boolean, at: SourcePos): ExpectRule {
  const kw = http ? 'http-check expect' : 'tcp-check expect'
  const r: { -readonly [K in keyof ExpectRule]?: ExpectRule[K] } = { inverse: false, minRecv: -1 }
  const allowed: readonly string[] = http ? ['status', 'rstatus', 'string', 'rstring'] : ['string', 'rstring', 'binary', 'rbinary']
  // Options and the match may come in any order (HAProxy reads them so); `!` inverts the match,
  // alone or glued to its word (`!rstring`).
  let type: string | undefined
  let pattern: string | undefined
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!
    const v = args[i + 1]
    if (w === 'min-recv') { r.minRecv = intArg(v, kw, w, at); i++ }
    else if (w === 'comment') { r.comment = need(v, kw, w, at); i++ }
    else if (w === 'ok-status') { r.okStatus = parseStatus(v, `${kw} ok-status`, at); i++ }
    else if (w === 'error-status') { r.errorStatus = parseStatus(v, `${kw} error-status`, at); i++ }
    else if (w === 'tout-status') { r.timeoutStatus = parseStatus(v, `${kw} tout-status`, at); i++ }
    else if (w === 'on-success') { r.onSuccess = need(v, kw, w, at); i++ }
    else if (w === 'on-error') { r.onError = need(v, kw, w, at); i++ }
    else if (w === '!' && type === undefined) r.inverse = !r.inverse
    else if (type === undefined && allowed.includes(w.startsWith('!') ? w.slice(1) : w)) {
      if (w.startsWith('!')) r.inverse = !r.inverse
      type = w.startsWith('!') ? w.slice(1) : w
      pattern = v
      if (pattern === undefined) throw new ConfigError(`'${kw} ${type}' expects a pattern`, at)
      i++
    } else if (type === undefined) {
      throw new ConfigError(`'${kw}' expects ${allowed.map((a) => `'${a}'`).join(', ')} followed by a pattern, got '${w}'`, at)
    } else throw new ConfigError(`unexpected '${args.slice(i).join(' ')}' after '${kw} ${type} ${pattern}'`, at)
  }
  if (type === undefined || pattern === undefined) {
    throw new ConfigError(`'${kw}' expects ${allowed.map((a) => `'${a}'`).join(', ')} followed by a pattern, got ''`, at)
  }
  r.type = type as ExpectType
  r.pattern = pattern
  switch (type) {
    case 'string': r.bytes = Buffer.from(pattern, 'latin1'); break
    case 'binary':
      if (!/^(?:[0-9a-fA-F]{2})+$/.test(pattern)) throw new ConfigError(`'${kw} binary' expects an even number of hex digits, got '${pattern}'`, at)
      r.bytes = Buffer.from(pattern, 'hex')
      break
    case 'rstring': case 'rbinary': case 'rstatus':
      try { r.regex = haproxyRegex(pattern) } catch (e) { throw new ConfigError(`'${kw} ${type}': invalid regular expression '${pattern}': ${(e as Error).message}`, at) }
      break
    case 'status': r.codes = parseCodes(pattern, kw, at); break
  }
  return r as ExpectRule
}

function need(v: string | undefined, kw: string, w: string, at: SourcePos): string {
  if (v === undefined) throw new ConfigError(`'${kw} ${w}' expects a value`, at)
  return v
}

function intArg(v: string | undefined, kw: string, w: string, at: SourcePos): number {
  if (v === undefined || !/^\d+$/.test(v)) throw new ConfigError(`'${kw} ${w}' expects a number, got '${v ?? ''}'`, at)
  return Number(v)
}

/** `200`, `200,302`, `200-399`: codes and ranges, comma-separated. */
function parseCodes(p: string, kw: string, at: SourcePos): [number, number][] {
  const out: [number, number][] = []
  for (const part of p.split(',')) {
    const m = part.match(/^(\d{3})(?:-(\d{3}))?$/)
    if (!m) throw new ConfigError(`'${kw} status' expects codes or ranges such as 200 or 200-399, comma-separated, got '${p}'`, at)
    out.push([Number(m[1]), Number(m[2] ?? m[1])])
  }
  return out
}

/** Uppercase hex, as HAProxy's `rbinary` matches against. */
function hex(buf: Buffer): string {
  return buf.toString('hex').toUpperCase()
}

/**
 * Evaluates a tcp-check expect rule on the received bytes: `false` to wait for more, `true` to go
 * on with the script, or the failure. `step` is the rule's position, for messages.
 */
export function evalTcpExpect(r: ExpectRule, buf: Buffer, last: boolean, step: number): CheckOutcome | boolean {
  if (!last) {
    if (r.bytes !== undefined && buf.length < r.bytes.length) return false
    if (r.minRecv > 0 && buf.length < r.minRecv) return false
  }
  if (buf.length === 0 && last) {
    return { status: r.errorStatus ?? 'L7RSP', info: withComment(r, `TCPCHK got an empty response at step ${step}`) }
  }
  let match: boolean
  switch (r.type) {
    case 'string': case 'binary': match = buf.indexOf(r.bytes!) >= 0; break
    case 'rstring': match = r.regex!.test(buf.toString('latin1')); break
    case 'rbinary': match = r.regex!.test(hex(buf)); break
    default: match = false
  }
  if (!match && !last && r.minRecv === -1) return false
  if (match !== r.inverse) return true
  let info = r.onError
  if (info === undefined) {
    info = match ? 'TCPCHK matched unwanted content' : 'TCPCHK did not match content'
    if (r.type === 'string') info += ` '${r.pattern}' at step ${step}`
    else if (r.type === 'binary') info += ` (binary) at step ${step}`
    else if (r.type === 'rstring') info += ` (regex) at step ${step}`
    else info += ` (binary regex) at step ${step}`
  }
  return { status: r.errorStatus ?? 'L7RSP', info: withComment(r, info) }
}

function withComment(r: ExpectRule, info: string): string {
  return r.comment !== undefined ? `${info} comment: '${r.comment}'` : info
}

/** Whether an HTTP response matches a status rule (`status`/`rstatus`). */
export function matchStatus(r: ExpectRule, code: number): boolean {
  if (r.codes !== undefined) return r.codes.some(([lo, hi]) => code >= lo && code <= hi)
  return r.regex!.test(String(code))
}

/** Whether a body matches a content rule (`string`/`rstring`). */
export function matchBody(r: ExpectRule, body: Buffer): boolean {
  if (r.type === 'string') return body.indexOf(r.pattern, 0, 'latin1') >= 0
  return r.regex!.test(body.toString('latin1'))
}
