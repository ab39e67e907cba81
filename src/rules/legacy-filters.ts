/**
 * HAProxy 1.x's header filters, run as 1.x ran them. config/keywords/legacy.ts keeps each line
 * among the proxy's rules (`RuleConfig` with the 1.x keyword); `compileLegacyRules` compiles a
 * proxy's lines into three lists that `compileProxyRules` (proxy.ts) places in 1.x's order:
 *
 *   block                     first of the proxy's http-request rules (1.x moved them there)
 *   http-request rules
 *   req* filters, reqadd      `request`: one rule running the proxy's filters, then its reqadds
 *   redirect rules
 *   …                         (the frontend's, switching, then the backend's the same way)
 *   http-response rules       (the backend's, then the frontend's)
 *   rsp* filters, rspadd      `response`
 *
 * A filter reads the message as lines of text: the request line (`GET /a HTTP/1.1`) or the status
 * line (`HTTP/1.1 200 OK`), then each header field as `Name: value` (the name as received, one
 * space after the colon, as HAProxy 2.0 rebuilt them), and its regex is searched anywhere in the
 * line. Per filter, in the order written, unless its `if`/`unless` condition says otherwise:
 *
 *   reqrep/rsprep    every matching line is replaced by the expanded replacement (`\1`…); a
 *                    start line that matches is rewritten and the headers are left alone; a
 *                    header line is read back as `Name: value` (no name: the field is removed);
 *                    a request (status) line that no longer parses is answered 400 (502)
 *   reqdel/rspdel    every matching header line is removed (never the start line)
 *   reqdeny          a matching line denies the request (403) once the filters have run;
 *   reqtarpit        tarpits it (500 after `timeout tarpit`); rspdeny replaces the response (502)
 *   reqallow         a matching line allows the request: later deny, tarpit, allow and pass
 *                    filters are skipped, in this proxy and in the backend's
 *   reqpass          matching lines are left out of the filters that follow in this proxy (the
 *                    manual's meaning; the 1.3 to 1.8 code had stopped doing it)
 *
 * A denying filter stops the filters; the reqadds of a proxy then run (each with its condition),
 * appending their header; rspadd does not touch a 1xx response.
 */
import { ConfigError } from '../model/source.ts'
import type { RuleConfig } from '../model/types.ts'
import type { H1Head } from '../http/types.ts'
import { PASS, splitCondition, type AclSet, type Test } from './acl.ts'
import type { CompileCtx } from './context.ts'
import type { HttpAction } from './http-actions.ts'
import { legacyRegex, legacyReplacement } from './legacy-regex.ts'
import type { HttpVerdict, StreamView } from './types.ts'

export type FilterKind = 'replace' | 'remove' | 'deny' | 'allow' | 'pass' | 'tarpit'

/** A 1.x regex filter keyword: the message it reads, what it does, whether it ignores case. */
export interface LegacyFilterKeyword {
  kw: string
  side: 'request' | 'response'
  kind: FilterKind
  icase: boolean
}

function both(kw: string, side: 'request' | 'response', kind: FilterKind): LegacyFilterKeyword[] {
  const i = side === 'request' ? `reqi${kw.slice(3)}` : `rspi${kw.slice(3)}`
  return [{ kw, side, kind, icase: false }, { kw: i, side, kind, icase: true }]
}

export const LEGACY_FILTERS: readonly LegacyFilterKeyword[] = [
  ...both('reqrep', 'request', 'replace'),
  ...both('reqdel', 'request', 'remove'),
  ...both('reqdeny', 'request', 'deny'),
  ...both('reqallow', 'request', 'allow'),
  ...both('reqpass', 'request', 'pass'),
  ...both('reqtarpit', 'request', 'tarpit'),
  ...both('rsprep', 'response', 'replace'),
  ...both('rspdel', 'response', 'remove'),
  ...both('rspdeny', 'response', 'deny'),
]

const filterByKw = new Map(LEGACY_FILTERS.map((f) => [f.kw, f]))

/** The 1.x filter keyword `kw` names, if it is one. */
export function legacyFilter(kw: string): LegacyFilterKeyword | undefined {
  return filterByKw.get(kw)
}

/** Whether `kw` is a 1.x line the HTTP rules run (a filter, reqadd, rspadd, block). */
export function isLegacyHttpLine(kw: string): boolean {
  return filterByKw.has(kw) || kw === 'reqadd' || kw === 'rspadd' || kw === 'block'
}

/** How many words a 1.x line takes before its optional condition: `reqrep` and `rsprep` a
 *  pattern and a replacement, the other filters a pattern, `reqadd`/`rspadd` a header line. */
export function legacyArity(kw: string): number {
  return legacyFilter(kw)?.kind === 'replace' ? 2 : 1
}

/**
 * A `reqadd`/`rspadd` line (`X-Proto: SSL`) as the field it adds, read as HAProxy 2.0 read it:
 * the name is the leading token, then optional blanks, a colon, blanks, and the value. Undefined
 * when it has no name or no colon.
 */
export function parseHeaderLine(line: string): { name: string; value: string } | undefined {
  const m = /^[ \t]*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*:[ \t]*(.*?)[ \t]*$/s.exec(line)
  return m ? { name: m[1]!, value: m[2]! } : undefined
}

interface Filter {
  kind: FilterKind
  re: RegExp
  replace: ((m: RegExpExecArray) => string) | undefined
  cond: Test | undefined
}

interface Add {
  name: string
  value: string
  cond: Test | undefined
}

interface Rule {
  cond: Test | undefined
  act: HttpAction
}

export interface LegacyRules {
  block: Rule[]
  request: Rule[]
  response: Rule[]
}

// Per-stream state: 1.x's TX_CLALLOW, which a frontend's reqallow passes on to the backend's
// filters. It lives among the stream's variables under a name no configuration can write.
const STATE = '\0legacy.allow'

const DENY_403: HttpVerdict = Object.freeze({ kind: 'deny', status: 403 })
const TARPIT_500: HttpVerdict = Object.freeze({ kind: 'tarpit', status: 500 })
const BAD_REQUEST: HttpVerdict = Object.freeze({ kind: 'deny', status: 400 })
const BAD_RESPONSE: HttpVerdict = Object.freeze({ kind: 'deny', status: 502 })

/** The words after a 1.x line's fixed words: nothing, or `if|unless COND`. */
function conditionOf(r: RuleConfig, fixed: number, acls: AclSet, ctx: CompileCtx): Test | undefined {
  const rest = r.args.slice(fixed)
  if (rest.length === 0) return undefined
  if (rest[0] !== 'if' && rest[0] !== 'unless') {
    const what = fixed === 0 ? '' : fixed === 2 ? ' after its pattern and replacement' : r.kw.endsWith('add') ? ' after its header line' : ' after its pattern'
    throw new ConfigError(`'${r.kw}' expects nothing, 'if' or 'unless'${what}, got '${rest[0]}'${fixed > 0 ? " (escape spaces with '\\ ')" : ''}`, r.pos)
  }
  return splitCondition(rest, acls, ctx).cond
}

function compileFilter(r: RuleConfig, f: LegacyFilterKeyword, acls: AclSet, ctx: CompileCtx): Filter {
  const n = f.kind === 'replace' ? 2 : 1
  if (r.args.length < n || r.args[0] === '') throw new ConfigError(`'${r.kw}' expects ${n === 2 ? 'a pattern and a replacement' : 'a pattern'}: ${r.kw} ${n === 2 ? '^Host:\\ old Host:\\ new' : '^X-Debug:'}`, r.pos)
  let re: RegExp
  try {
    re = legacyRegex(r.args[0]!, f.icase)
  } catch (e) {
    throw new ConfigError(`'${r.kw}': the regular expression '${r.args[0]}' does not compile as a JavaScript regular expression: ${(e as Error).message}`, r.pos)
  }
  let replace: Filter['replace']
  if (n === 2) {
    try {
      replace = legacyReplacement(r.args[1]!)
    } catch (e) {
      throw new ConfigError(`'${r.kw}': ${(e as Error).message}`, r.pos)
    }
  }
  return { kind: f.kind, re, replace, cond: conditionOf(r, n, acls, ctx) }
}

function compileAdd(r: RuleConfig, acls: AclSet, ctx: CompileCtx): Add {
  const line = r.args[0]
  if (line === undefined) throw new ConfigError(`'${r.kw}' expects a header line: ${r.kw} X-Proto:\\ SSL`, r.pos)
  const h = parseHeaderLine(line)
  if (h === undefined) throw new ConfigError(`'${r.kw}' expects a header line NAME: VALUE (spaces escaped), got '${line}'; e.g. ${r.kw} X-Proto:\\ SSL`, r.pos)
  return { ...h, cond: conditionOf(r, 1, acls, ctx) }
}

/** Compiles a proxy's 1.x lines (block, the req/rsp filters, reqadd, rspadd). `guard` reports a
 *  bad line (and skips it) as compileProxyRules does. */
export function compileLegacyRules(
  rules: readonly RuleConfig[], acls: AclSet, base: Omit<CompileCtx, 'at'>,
  guard: <T>(fn: () => T) => T | undefined,
): LegacyRules {
  const out: LegacyRules = { block: [], request: [], response: [] }
  const filters = { request: [] as Filter[], response: [] as Filter[] }
  const adds = { request: [] as Add[], response: [] as Add[] }
  for (const r of rules) {
    const f = filterByKw.get(r.kw)
    if (f === undefined && r.kw !== 'reqadd' && r.kw !== 'rspadd' && r.kw !== 'block') continue
    guard(() => {
      const ctx: CompileCtx = { ...base, at: r.pos }
      if (f !== undefined) filters[f.side].push(compileFilter(r, f, acls, ctx))
      else if (r.kw === 'block') out.block.push({ cond: conditionOf(r, 0, acls, ctx), act: () => DENY_403 })
      else adds[r.kw === 'reqadd' ? 'request' : 'response'].push(compileAdd(r, acls, ctx))
    })
  }
  for (const side of ['request', 'response'] as const) {
    if (filters[side].length + adds[side].length === 0) continue
    const fs = filters[side]
    const as = adds[side]
    out[side].push({ cond: undefined, act: side === 'request' ? (s) => requestFilters(s, fs, as) : (s) => responseFilters(s, fs, as) })
  }
  return out
}

const ALLOWED = 1
/** The request line among the lines a reqpass matched. */
const LINE = Symbol('request line')

function requestLine(h: H1Head): string {
  return `${h.method} ${h.uri} HTTP/1.${h.version === 10 ? 0 : 1}`
}

function statusLine(h: H1Head): string {
  return `HTTP/1.${h.version === 10 ? 0 : 1} ${String(h.status).padStart(3, '0')} ${h.reason}`
}

/** A rewritten request line read back into `h`; false if it is not `METHOD URI HTTP/1.x`. */
function setRequestLine(h: H1Head, line: string): boolean {
  const m = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) +([^ \x00-\x1f\x7f]+) +HTTP\/1\.([01])$/.exec(line)
  if (m === null) return false
  if (h.method !== m[1]) h.method = m[1]!
  if (h.uri !== m[2]) h.uri = m[2]!
  const v = m[3] === '0' ? 10 : 11
  if (h.version !== v) h.version = v
  return true
}

/** A rewritten status line read back into `h`; false if it is not `HTTP/1.x NNN [reason]`. */
function setStatusLine(h: H1Head, line: string): boolean {
  const m = /^HTTP\/1\.([01]) +(\d{3})(?: (.*))?$/.exec(line)
  if (m === null) return false
  const v = m[1] === '0' ? 10 : 11
  if (h.version !== v) h.version = v
  if (h.status !== Number(m[2])) h.status = Number(m[2])
  if (h.reason !== (m[3] ?? '')) h.reason = m[3] ?? ''
  return true
}

/** Field `i` rewritten to `line`: read back as `Name: value`; a line without a name removes it. */
function setField(h: H1Head, i: number, line: string): boolean {
  const m = /^[ \t]*([!#$%&'*+\-.^_`|~0-9A-Za-z]*)[ \t]*:?[ \t]*(.*?)[ \t]*$/s.exec(line)!
  const name = m[1]!
  if (name === '') { h.headers.removeAt(i); return false }
  if (name === h.headers.name(i)) h.headers.setValue(i, m[2]!)
  else rename(h, i, name, m[2]!) // 1.x rewrote the line in place: the field keeps its place
  return true
}

/** Gives field `i` a new name, keeping its place among the fields. */
function rename(h: H1Head, i: number, name: string, value: string): void {
  const hs = h.headers
  const tail: [string, string][] = []
  for (let k = i + 1; k < hs.count; k++) tail.push([hs.name(k), hs.value(k)])
  while (hs.count > i) hs.removeAt(hs.count - 1)
  hs.add(name, value)
  for (const [n, v] of tail) hs.add(n, v)
}

function requestFilters(s: StreamView, filters: readonly Filter[], adds: readonly Add[]): HttpVerdict | undefined {
  const h = s.req
  if (h === null) return undefined
  let allowed = s.vars.get(STATE) === ALLOWED
  let verdict: HttpVerdict | undefined
  // Lines a reqpass matched, left out of the filters that follow: LINE, or a field's fieldKey.
  let passed: Set<string | symbol> | undefined
  filters: for (let k = 0; k < filters.length; k++) {
    const f = filters[k]!
    const decides = f.kind === 'allow' || f.kind === 'deny' || f.kind === 'tarpit' || f.kind === 'pass'
    if (allowed && decides) continue
    if (f.cond !== undefined && f.cond(s) !== PASS) continue
    if (f.kind !== 'remove' && !passed?.has(LINE)) {
      const m = f.re.exec(requestLine(h))
      if (m !== null) {
        switch (f.kind) {
          case 'allow': allowed = true; continue filters
          case 'deny': verdict = DENY_403; break filters
          case 'tarpit': verdict = TARPIT_500; break filters
          case 'replace':
            if (!setRequestLine(h, f.replace!(m))) return BAD_REQUEST
            continue filters
          case 'pass': (passed ??= new Set()).add(LINE)
        }
      }
    }
    const hs = h.headers
    for (let i = 0; i < hs.count; i++) {
      if (passed !== undefined && passed.has(fieldKey(h, i))) continue
      const m = f.re.exec(`${hs.name(i)}: ${hs.value(i)}`)
      if (m === null) continue
      switch (f.kind) {
        case 'allow': allowed = true; continue filters
        case 'deny': verdict = DENY_403; break filters
        case 'tarpit': verdict = TARPIT_500; break filters
        case 'replace': if (!setField(h, i, f.replace!(m))) i--; break
        case 'remove': hs.removeAt(i); i--; break
        case 'pass': (passed ??= new Set()).add(fieldKey(h, i)); break
      }
    }
  }
  if (allowed) s.vars.set(STATE, ALLOWED)
  if (verdict !== undefined) return verdict
  for (const a of adds) if (a.cond === undefined || a.cond(s) === PASS) h.headers.add(a.name, a.value)
  return undefined
}

function responseFilters(s: StreamView, filters: readonly Filter[], adds: readonly Add[]): HttpVerdict | undefined {
  const h = s.res
  if (h === null) return undefined
  for (const f of filters) {
    if (f.cond !== undefined && f.cond(s) !== PASS) continue
    if (f.kind !== 'remove') {
      const m = f.re.exec(statusLine(h))
      if (m !== null) {
        if (f.kind === 'deny') return BAD_RESPONSE
        if (!setStatusLine(h, f.replace!(m))) return BAD_RESPONSE
        continue
      }
    }
    const hs = h.headers
    for (let i = 0; i < hs.count; i++) {
      const m = f.re.exec(`${hs.name(i)}: ${hs.value(i)}`)
      if (m === null) continue
      if (f.kind === 'deny') return BAD_RESPONSE
      if (f.kind === 'remove') { hs.removeAt(i); i-- } else if (!setField(h, i, f.replace!(m))) i--
    }
  }
  if (h.status < 200 && h.status !== 101) return undefined
  for (const a of adds) if (a.cond === undefined || a.cond(s) === PASS) h.headers.add(a.name, a.value)
  return undefined
}

/** What identifies field `i` of `h` for reqpass while later filters edit and remove others:
 *  its text as it was when the pass matched it. */
function fieldKey(h: H1Head, i: number): string {
  return `${h.headers.name(i)}\0${h.headers.value(i)}`
}
