/**
 * `http-check expect [!] hdr|fhdr name[-lf] [-m str|beg|end|sub|reg] PATTERN
 *  [value[-lf] [-m str|beg|end|sub|reg] PATTERN]`: a header of the check's response, found by its
 * name (compared without case) and, with `value`, one of its values (`hdr` splits the value at
 * its commas, `fhdr` takes it whole). `-lf` patterns are log formats, evaluated on the response
 * and the check's variables (`check.*`) when the rule runs. Options as for other expect rules.
 */
import type { SourcePos } from '../model/source.ts'
import type { H1Head } from '../http/types.ts'
import type { CompileCtx } from '../rules/context.ts'
import { splitCommas } from '../rules/http-sample.ts'
import { compileLogFormat, constantFormat } from '../rules/log-format.ts'
import type { StreamView } from '../rules/types.ts'
import type { CheckOutcome, CheckStatus } from './status.ts'
import { CheckConfigError } from './types.ts'
import { haproxyRegex } from '../rules/regex.ts'

type Method = 'str' | 'beg' | 'end' | 'sub' | 'reg'

interface Matcher {
  method: Method
  /** The pattern, or the format that gives it per run. */
  pattern: (v: StreamView) => string
  icase: boolean
}

export interface HeaderExpect {
  readonly full: boolean
  readonly inverse: boolean
  readonly name: Matcher
  readonly value: Matcher | undefined
  readonly okStatus?: CheckStatus
  readonly errorStatus?: CheckStatus
  readonly onError?: string
}

const METHODS: readonly Method[] = ['str', 'beg', 'end', 'sub', 'reg']

/** Whether `args` (after `http-check expect`) is a header rule. */
export function isHeaderExpect(args: readonly string[]): boolean {
  const i = args.findIndex((w) => w === 'hdr' || w === 'fhdr' || w === '!hdr' || w === '!fhdr')
  return i >= 0 && args.slice(0, i).every((w) => w === '!' || !['status', 'rstatus', 'string', 'rstring'].includes(w))
}

export function compileHeaderExpect(args: string[], ctx: CompileCtx, at: SourcePos): HeaderExpect {
  let inverse = false
  let full = false
  let name: Matcher | undefined
  let value: Matcher | undefined
  const out: { okStatus?: CheckStatus; errorStatus?: CheckStatus; onError?: string } = {}
  const matcher = (i: number, lf: boolean, icase: boolean): [Matcher, number] => {
    let method: Method = 'str'
    if (args[i] === '-m') {
      const m = args[i + 1] as Method
      if (!METHODS.includes(m)) throw new CheckConfigError(`'http-check expect hdr': -m takes ${METHODS.join(', ')}, not '${args[i + 1] ?? ''}'`, at)
      method = m
      i += 2
    }
    const text = args[i]
    if (text === undefined) throw new CheckConfigError(`'http-check expect hdr' expects a pattern`, at)
    const fmt = lf ? constantFormat(text) ?? compileLogFormat(text, { ...ctx, at }) : undefined
    const pattern = typeof fmt === 'function' ? fmt : () => (fmt ?? text)
    return [{ method, pattern, icase }, i + 1]
  }
  for (let i = 0; i < args.length;) {
    const w = args[i]!
    if (w === '!') { inverse = !inverse; i++; continue }
    if (w === 'hdr' || w === 'fhdr' || w === '!hdr' || w === '!fhdr') { if (w.startsWith('!')) inverse = !inverse; full = w.endsWith('fhdr'); i++; continue }
    if (w === 'name' || w === 'name-lf') { [name, i] = matcher(i + 1, w === 'name-lf', true); continue }
    if (w === 'value' || w === 'value-lf') { [value, i] = matcher(i + 1, w === 'value-lf', false); continue }
    const v = args[i + 1]
    if (v === undefined) throw new CheckConfigError(`'http-check expect ${w}' expects a value`, at)
    if (w === 'ok-status') out.okStatus = v as CheckStatus
    else if (w === 'error-status') out.errorStatus = v as CheckStatus
    else if (w === 'on-error') out.onError = v
    else if (w !== 'comment' && w !== 'on-success' && w !== 'tout-status' && w !== 'min-recv') throw new CheckConfigError(`unexpected '${w}' in 'http-check expect hdr'`, at)
    i += 2
  }
  if (name === undefined) throw new CheckConfigError(`'http-check expect hdr' expects 'name PATTERN'`, at)
  return { full, inverse, name, value, ...out }
}

function matches(m: Matcher, text: string, pattern: string): boolean {
  const t = m.icase ? text.toLowerCase() : text
  const p = m.icase && m.method !== 'reg' ? pattern.toLowerCase() : pattern
  switch (m.method) {
    case 'str': return t === p
    case 'beg': return t.startsWith(p)
    case 'end': return t.endsWith(p)
    case 'sub': return t.includes(p)
    case 'reg': try { return haproxyRegex(p, m.icase ? 'i' : '').test(text) } catch { return false }
  }
}

/** Runs the rule on the response head: undefined when it passes, else the failure. */
export function evalHeaderExpect(e: HeaderExpect, h: H1Head, view: StreamView): CheckOutcome | undefined {
  const namePattern = e.name.pattern(view)
  const valuePattern = e.value?.pattern(view)
  const hs = h.headers
  let found = false
  for (let i = 0; i < hs.count && !found; i++) {
    if (!matches(e.name, hs.name(i), namePattern)) continue
    if (e.value === undefined || valuePattern === undefined) { found = true; break }
    const values = e.full ? [hs.value(i)] : splitCommas(hs.value(i))
    found = values.some((v) => matches(e.value!, v, valuePattern))
  }
  if (found !== e.inverse) return undefined
  const what = e.value === undefined ? 'name' : 'value'
  const info = e.onError ?? (e.inverse ? `HTTP header ${what} matched an unwanted pattern` : `HTTP header ${what} not found`)
  return { status: e.errorStatus ?? 'L7RSP', code: h.status, info }
}
