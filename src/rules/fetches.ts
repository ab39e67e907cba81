/**
 * The sample fetch table: every fetch edgelb implements, shared by ACLs, rules, stick rules,
 * maps and log-format strings. Names and arguments are HAProxy's
 * (model/dictionary/fetches.ts lists every fetch HAProxy knows; the builder uses this table to
 * tell "not implemented" from "unknown").
 *
 * A fetch compiles its arguments at load into a closure `(stream) => sample | undefined`;
 * multi-valued fetches (headers, cookies) also give an `each` that ACLs use to match any value.
 */
import { randomUUID } from 'node:crypto'
import { ConfigError } from '../model/source.ts'
import { latin1 } from '../http/head.ts'
import { evalState, type CompileCtx, type CompiledExpr, type Fetch, type FetchAny } from './context.ts'
import {
  countCookies, countHeaderValues, eachHeaderValue, eachRequestCookie, eachResponseCookie, fullHeaderAt, headerValueAt,
  cookieValue, fieldValue, firstValue, uriAuthority, uriPath, uriPathq, uriQuery, urlParam, versionText, type Visit,
} from './http-sample.ts'
import { parseIpv4, parseIpv6 } from '../core/ip.ts'
import { rdpCookieValue } from './rdp-cookie.ts'
import { parseSni, sslHelloType } from './tls-hello.ts'
import { PROXY_PROTOCOL_FETCHES } from './proxy-protocol-fetches.ts'
import { SSL_FETCHES } from './ssl-fetches.ts'
import { AUTH_FETCHES } from './auth-fetches.ts'
import { BODY_FETCHES } from './body-fetches.ts'
import { ACL_FETCH } from './acl-fetch.ts'
import { GP_FETCHES } from './gp-arrays.ts'
import { CACHE_FETCHES } from './cache-actions.ts'
import { type StickEntry, type StickTable, type DataName } from './stick-table.ts'
import { trackedAt } from './tracking.ts'
import type { Sample, SampleType, StreamView } from './types.ts'
import { compileVarRef } from './vars.ts'
import { toInt } from './sample.ts'

export interface FetchDef {
  name: string
  type: SampleType
  /** Argument count bounds (default 0..0). */
  args?: [number, number]
  /** Reads request bytes that may still be arriving (see context.ts `evalState`). */
  volatile?: boolean
  compile(args: string[], ctx: CompileCtx): Fetch | { fn: Fetch; any?: FetchAny }
}

const c = (v: Sample) => () => v

function intArg(a: string | undefined, ctx: CompileCtx, what: string, dflt: number): number {
  if (a === undefined || a === '') return dflt
  if (!/^-?\d+$/.test(a)) throw new ConfigError(`${what} must be an integer, not '${a}'`, ctx.at)
  return Number(a)
}

// --- HTTP ----------------------------------------------------------------------------------------

/** `req.hdr(name[,occ])` and friends: the last value in a sample context, every value for ACLs. */
function headerFetch(side: 'req' | 'res', split: boolean, map?: (v: string) => Sample | undefined) {
  return (args: string[], ctx: CompileCtx) => {
    const name = (args[0] ?? '').toLowerCase()
    const occ = intArg(args[1], ctx, 'the occurrence', 0)
    const head = side === 'req' ? (s: StreamView) => s.req : (s: StreamView) => s.res
    if (name === '') {
      // No name: every field's full line (hdr() without argument).
      const fn: Fetch = (s) => {
        const h = head(s)
        if (!h || h.headers.count === 0) return undefined
        return fieldValue(h.headers, h.headers.count - 1)
      }
      return fn
    }
    const pick = split ? headerValueAt : fullHeaderAt
    const fn: Fetch = map
      ? (s) => { const h = head(s); if (!h) return undefined; const v = pick(h.headers, name, occ); return v === undefined ? undefined : map(v) }
      : (s) => { const h = head(s); return h ? pick(h.headers, name, occ) : undefined }
    if (occ !== 0) return fn
    const any: FetchAny = (test) => {
      // A value `map` does not convert (hdr_ip, hdr_val) matches nothing.
      const t: Visit<StreamView> = map ? (v, s) => { const m = map(v); return m !== undefined && test(m, s) } : test
      if (split) return (s) => { const h = head(s); return h !== null && eachHeaderValue(h.headers, name, t, s) }
      return (s) => {
        const h = head(s)
        if (!h) return false
        for (let i = h.headers.find(name, 0); i >= 0; i = h.headers.find(name, i + 1)) if (t(fieldValue(h.headers, i), s)) return true
        return false
      }
    }
    return { fn, any }
  }
}

function headerCount(side: 'req' | 'res', split: boolean) {
  return (args: string[]): Fetch => {
    const name = (args[0] ?? '').toLowerCase()
    return (s) => {
      const h = side === 'req' ? s.req : s.res
      if (!h) return undefined
      if (name === '') return h.headers.count
      if (split) return countHeaderValues(h.headers, name)
      let n = 0
      for (let i = h.headers.find(name, 0); i >= 0; i = h.headers.find(name, i + 1)) n++
      return n
    }
  }
}

function cookieFetch(side: 'req' | 'res') {
  const eachCk = side === 'req' ? eachRequestCookie : eachResponseCookie
  return (args: string[]) => {
    const name = args[0] ?? ''
    const head = side === 'req' ? (s: StreamView) => s.req : (s: StreamView) => s.res
    const fn: Fetch = (s) => { const h = head(s); return h ? cookieValue(eachCk, h.headers, name) : undefined }
    const any: FetchAny = (test) => (s) => { const h = head(s); return h !== null && eachCk(h.headers, name, test, s) }
    return { fn, any }
  }
}

function cookieValFetch(side: 'req' | 'res') {
  const eachCk = side === 'req' ? eachRequestCookie : eachResponseCookie
  return (args: string[]): Fetch => {
    const name = args[0] ?? ''
    return (s) => { const h = side === 'req' ? s.req : s.res; if (!h) return undefined; return toInt(cookieValue(eachCk, h.headers, name) ?? '') }
  }
}

function cookieCount(side: 'req' | 'res') {
  const eachCk = side === 'req' ? eachRequestCookie : eachResponseCookie
  return (args: string[]): Fetch => {
    const name = args[0] ?? ''
    return (s) => { const h = side === 'req' ? s.req : s.res; return h ? countCookies(eachCk, h.headers, name) : undefined }
  }
}

/** `capture.req.hdr(N)` / `capture.res.hdr(N)`: capture slot N of the frontend. Request slots
 *  hold the `capture request header` values first, then what `capture` actions stored. */
function captureFetch(side: 'req' | 'res') {
  return (args: string[], ctx: CompileCtx): Fetch => {
    const idx = intArg(args[0], ctx, 'the capture slot', -1)
    if (idx < 0) throw new ConfigError(`capture.${side}.hdr expects a capture slot number (0 is the first capture)`, ctx.at)
    if (side === 'res') return (s) => (s.resCaptures ?? s.log?.resCaptures)?.[idx]
    return (s) => {
      const hdr = s.reqCaptures ?? s.log?.reqCaptures
      return hdr && idx < hdr.length ? hdr[idx] : s.captures?.[idx]
    }
  }
}

const asIp = (v: string): Sample | undefined => (parseIpv4(v) >= 0 || parseIpv6(v) ? v : undefined)
const asInt = (v: string): Sample | undefined => toInt(v)

const req = (fn: (h: NonNullable<StreamView['req']>, s: StreamView) => Sample | undefined): Fetch => (s) => (s.req ? fn(s.req, s) : undefined)

// --- payload (tcp-request content) ---------------------------------------------------------------

/** Bytes not there yet: say so if they may still arrive. */
function short(s: StreamView): undefined {
  if (!s.payloadFinal) evalState.mayChange = true
  return undefined
}

/** Which bytes a payload fetch reads: the request's (`req.*`) or the response's (`res.*`). */
type Side = 'req' | 'res'
const bytesOf = (s: StreamView, side: Side): Uint8Array | null | undefined => (side === 'req' ? s.payload : s.resPayload)
const finalOf = (s: StreamView, side: Side): boolean => (side === 'req' ? s.payloadFinal : s.resPayloadFinal !== false)
function shortOf(s: StreamView, side: Side): undefined {
  if (!finalOf(s, side)) evalState.mayChange = true
  return undefined
}

function payloadFetch(args: string[], ctx: CompileCtx, side: Side = 'req'): Fetch {
  const off = intArg(args[0], ctx, 'the offset', 0)
  const len = intArg(args[1], ctx, 'the length', 0)
  if (off < 0 || len < 0) throw new ConfigError(`${side}.payload(OFFSET,LENGTH) takes non-negative numbers`, ctx.at)
  return (s) => {
    const p = bytesOf(s, side)
    if (!p) return shortOf(s, side)
    if (len === 0) {
      if (!finalOf(s, side)) evalState.mayChange = true
      return p.length >= off ? p.subarray(off) : undefined
    }
    return p.length >= off + len ? p.subarray(off, off + len) : shortOf(s, side)
  }
}

function payloadLvFetch(args: string[], ctx: CompileCtx, side: Side = 'req'): Fetch {
  const off0 = intArg(args[0], ctx, 'the length offset', 0)
  const size = intArg(args[1], ctx, 'the length size', 1)
  const off1 = args[2] !== undefined ? intArg(args[2], ctx, 'the offset', 0) : undefined
  const short = (s: StreamView): undefined => shortOf(s, side)
  return (s) => {
    const p = bytesOf(s, side)
    if (!p || p.length < off0 + size) return short(s)
    let n = 0
    for (let i = 0; i < size; i++) n = n * 256 + p[off0 + i]!
    const start = off1 ?? off0 + size
    return p.length >= start + n ? p.subarray(start, start + n) : short(s)
  }
}

const HTTP_START = /^[A-Z]+ \S+ HTTP\/\d\.\d\r?\n/
const HTTP_PARTIAL = new RegExp('^[A-Z]+ \\S+ ' + ['H', 'T', 'T', 'P', '\\/', '\\d', '\\.', '\\d', '\\r'].reduceRight((acc, t) => `(${t}${acc})?`, '') + '$')

function protoHttp(s: StreamView): Sample | undefined {
  if (s.req) return true
  const p = s.payload
  if (!p || p.length === 0) return short(s)
  const nl = p.indexOf(10)
  const n = nl < 0 ? Math.min(p.length, 2048) : nl + 1
  const line = latin1(p, 0, n)
  if (nl < 0) {
    // No end of line yet: undecided while what came could still start a request line.
    if (!s.payloadFinal && (/^[A-Z]*$/.test(line) || /^[A-Z]+ \S*$/.test(line) || HTTP_PARTIAL.test(line))) evalState.mayChange = true
    return false
  }
  return HTTP_START.test(line)
}

/** `req.len` of an HTTP request, as HAProxy counts it: the size of its head in HAProxy's internal
 *  form (HTX: a 20-byte start line block with the method, URI and version, each field's name
 *  and value, and one byte ending the headers), which configurations written for HAProxy test. */
function htxSize(h: NonNullable<StreamView['req']>): number {
  let n = 20 + h.method.length + h.uri.length + 8 + 1
  const hs = h.headers
  for (let i = 0; i < hs.count; i++) n += hs.name(i).length + hs.value(i).length
  return n
}

// --- stick counters ------------------------------------------------------------------------------

/** How a counter fetch reads (or updates) an entry. `undefined` = not stored in its table. */
type CounterOp = (e: StickEntry, t: StickTable) => Sample | undefined

const read = (name: DataName): CounterOp => (e, t) => t.read(e, name)
const kread = (name: DataName): CounterOp => (e, t) => { const v = t.read(e, name); return v === undefined ? undefined : Math.floor(v / 1024) }
const incGpc = (n: 0 | 1): CounterOp => (e, t) => {
  const cn = n === 0 ? 'gpc0' : 'gpc1'
  if (!t.has(cn) && t.read(e, `${cn}_rate`) === undefined) return undefined
  t.inc(e, cn, `${cn}_rate`)
  return t.read(e, cn) ?? 0
}
const clrGpc = (n: 0 | 1): CounterOp => (e, t) => {
  const cn = n === 0 ? 'gpc0' : 'gpc1'
  const old = t.read(e, cn)
  if (old === undefined) return undefined
  t.setCounter(e, cn, 0)
  return old
}

/** Counter suffixes of `sc*_…`, `src_…` and `table_…`. */
export const COUNTER_OPS: Readonly<Record<string, CounterOp>> = {
  conn_cnt: read('conn_cnt'),
  conn_cur: read('conn_cur'),
  conn_rate: read('conn_rate'),
  sess_cnt: read('sess_cnt'),
  sess_rate: read('sess_rate'),
  http_req_cnt: read('http_req_cnt'),
  http_req_rate: read('http_req_rate'),
  http_err_cnt: read('http_err_cnt'),
  http_err_rate: read('http_err_rate'),
  http_fail_cnt: read('http_fail_cnt'),
  http_fail_rate: read('http_fail_rate'),
  bytes_in_rate: read('bytes_in_rate'),
  bytes_out_rate: read('bytes_out_rate'),
  kbytes_in: kread('bytes_in_cnt'),
  kbytes_out: kread('bytes_out_cnt'),
  get_gpc0: read('gpc0'),
  get_gpc1: read('gpc1'),
  get_gpt0: read('gpt0'),
  gpc0_rate: read('gpc0_rate'),
  gpc1_rate: read('gpc1_rate'),
  inc_gpc0: incGpc(0),
  inc_gpc1: incGpc(1),
  clr_gpc0: clrGpc(0),
  clr_gpc1: clrGpc(1),
  trackers: (e) => e.refs,
  server_id: (e) => e.serverId,
}

export function tableArg(name: string | undefined, ctx: CompileCtx): StickTable {
  const tname = name === undefined || name === '' ? ctx.proxy : name
  const t = ctx.tables.get(tname)
  if (!t) {
    throw new ConfigError(name ? `no stick table named '${name}' (a table is named after the proxy that declares it)` : `proxy '${ctx.proxy}' has no stick-table; declare one or name a table`, ctx.at)
  }
  return t
}

/** `sc_X(ctr[,table])`, `scN_X([table])`. Not tracked: no sample. */
function scFetch(op: CounterOp, fixed: number | undefined) {
  return (args: string[], ctx: CompileCtx): Fetch => {
    const ctr = fixed ?? intArg(args[0], ctx, 'the stick counter number', 0)
    if (ctr < 0 || ctr > 2) throw new ConfigError(`stick counter ${ctr} does not exist; use 0, 1 or 2`, ctx.at)
    const tname = fixed === undefined ? args[1] : args[0]
    const other = tname !== undefined && tname !== '' ? tableArg(tname, ctx) : undefined
    return (s) => {
      const e = trackedAt(s, ctr)
      if (e === undefined) return undefined
      if (other === undefined || other === e.table) return op(e, e.table)
      const o = other.lookup(e.key)
      return o === undefined ? 0 : op(o, other)
    }
  }
}

/** `src_X([table])`: the client address's entry; 0 when it has none. */
function srcFetch(op: CounterOp, create: boolean) {
  return (args: string[], ctx: CompileCtx): Fetch => {
    const t = tableArg(args[0], ctx)
    return (s) => {
      const key = t.keyOf(s.sess.cliAddr)
      if (key === undefined) return undefined
      const e = create ? t.get(key) : t.lookup(key)
      return e === undefined ? 0 : op(e, t)
    }
  }
}

function counterFetches(): FetchDef[] {
  const out: FetchDef[] = []
  for (const [suffix, op] of Object.entries(COUNTER_OPS)) {
    if (suffix === 'server_id') continue
    out.push({ name: `sc_${suffix}`, type: 'int', args: [1, 2], compile: scFetch(op, undefined) })
    for (const n of [0, 1, 2]) out.push({ name: `sc${n}_${suffix}`, type: 'int', args: [0, 1], compile: scFetch(op, n) })
    if (suffix !== 'trackers') out.push({ name: `src_${suffix}`, type: 'int', args: [0, 1], compile: srcFetch(op, suffix.startsWith('inc_')) })
  }
  const tracked = (fixed: number | undefined) => (args: string[], ctx: CompileCtx): Fetch => {
    const ctr = fixed ?? intArg(args[0], ctx, 'the stick counter number', 0)
    return (s) => trackedAt(s, ctr) !== undefined
  }
  out.push({ name: 'sc_tracked', type: 'bool', args: [1, 2], compile: tracked(undefined) })
  for (const n of [0, 1, 2]) out.push({ name: `sc${n}_tracked`, type: 'bool', args: [0, 1], compile: tracked(n) })
  out.push({
    name: 'src_updt_conn_cnt', type: 'int', args: [0, 1],
    compile: (args, ctx) => {
      const t = tableArg(args[0], ctx)
      return (s) => {
        const key = t.keyOf(s.sess.cliAddr)
        const e = key === undefined ? undefined : t.get(key)
        if (!e) return undefined
        t.inc(e, 'conn_cnt', 'conn_rate')
        return t.read(e, 'conn_cnt')
      }
    },
  })
  return out
}

// --- the table -------------------------------------------------------------------------------------

export const FETCHES: readonly FetchDef[] = [
  // Constants and internal state
  { name: 'always_true', type: 'bool', compile: () => c(true) },
  { name: 'always_false', type: 'bool', compile: () => c(false) },
  { name: 'int', type: 'int', args: [1, 1], compile: (a, ctx) => c(intArg(a[0], ctx, 'int()', 0)) },
  { name: 'str', type: 'str', args: [0, 1], compile: (a) => c(a[0] ?? '') }, // str() is the empty string, as in HAProxy
  { name: 'bool', type: 'bool', args: [1, 1], compile: (a) => c(a[0] === '1' || a[0] === 'true') },
  { name: 'ipv4', type: 'ip', args: [1, 1], compile: (a, ctx) => { if (parseIpv4(a[0]!) < 0) throw new ConfigError(`ipv4() expects an IPv4 address, not '${a[0]}'`, ctx.at); return c(a[0]!) } },
  { name: 'ipv6', type: 'ip', args: [1, 1], compile: (a, ctx) => { if (!parseIpv6(a[0]!)) throw new ConfigError(`ipv6() expects an IPv6 address, not '${a[0]}'`, ctx.at); return c(a[0]!) } },
  { name: 'bin', type: 'bin', args: [1, 1], compile: (a) => c(Uint8Array.from((a[0]!.match(/../g) ?? []).map((h) => parseInt(h, 16)))) },
  { name: 'uuid', type: 'str', volatile: true, args: [0, 1], compile: (a, ctx) => { if (a[0] !== undefined && a[0] !== '4') throw new ConfigError(`uuid: only version 4 is supported, not '${a[0]}'`, ctx.at); return () => randomUUID() } },
  { name: 'var', type: 'any', args: [1, 2], compile: (a, ctx) => { const r = compileVarRef(a[0]!, ctx.at); const d = a[1]; return d === undefined ? r.get : (s) => r.get(s) ?? d } },
  { name: 'env', type: 'str', args: [1, 1], compile: (a) => { const name = a[0]!; return () => process.env[name] } },
  { name: 'rand', type: 'int', args: [0, 1], compile: (a, ctx) => { const r = intArg(a[0], ctx, 'rand()', 2 ** 32); return () => Math.floor(Math.random() * r) } },
  { name: 'date', type: 'int', args: [0, 1], compile: (a, ctx) => { const off = intArg(a[0], ctx, 'date()', 0); return () => Math.floor(Date.now() / 1000) + off } },
  { name: 'thread', type: 'int', args: [0, 0], compile: () => (s) => s.sess.engine.thread?.() ?? 0 },
  { name: 'nbsrv', type: 'int', args: [0, 1], compile: (a, ctx) => backendFn(a[0], ctx, (s, be) => s.sess.engine.nbsrv(be)) },
  { name: 'connslots', type: 'int', args: [0, 1], compile: (a, ctx) => backendFn(a[0], ctx, (s, be) => s.sess.engine.connslots(be)) },
  { name: 'be_conn', type: 'int', args: [0, 1], compile: (a, ctx) => backendFn(a[0], ctx, (s, be) => s.sess.engine.beConn(be)) },
  { name: 'fe_conn', type: 'int', args: [0, 1], compile: (a) => { const fe = a[0]; return (s) => s.sess.engine.feConn(fe ?? s.sess.feName) } },
  { name: 'srv_is_up', type: 'bool', args: [1, 1], compile: (a, ctx) => {
    const [be, srv] = a[0]!.includes('/') ? a[0]!.split('/') as [string, string] : [undefined, a[0]!]
    if (be !== undefined && ctx.backends && !ctx.backends.has(be)) throw new ConfigError(`srv_is_up: no backend named '${be}'`, ctx.at)
    return (s) => s.sess.engine.srvIsUp(be ?? s.beName, srv)
  } },
  { name: 'stopping', type: 'bool', compile: () => c(false) },
  { name: 'wait_end', type: 'bool', volatile: true, compile: () => (s) => (s.payloadFinal ? true : short(s)) },

  // Connection
  { name: 'src', type: 'ip', compile: () => (s) => s.sess.cliAddr },
  { name: 'src_port', type: 'int', compile: () => (s) => s.sess.cliPort },
  { name: 'dst', type: 'ip', compile: () => (s) => s.sess.dstAddr },
  { name: 'dst_port', type: 'int', compile: () => (s) => s.sess.dstPort },
  { name: 'src_is_local', type: 'bool', compile: () => (s) => isLocal(s.sess.cliAddr) },
  { name: 'dst_is_local', type: 'bool', compile: () => (s) => isLocal(s.sess.dstAddr) },
  { name: 'fe_name', type: 'str', compile: () => (s) => s.sess.feName },
  { name: 'so_name', type: 'str', compile: () => (s) => s.sess.soName },
  { name: 'fc_err_str', type: 'str', compile: () => (s) => s.log?.connError },
  { name: 'unique-id', type: 'str', compile: () => (s) => s.sess.uniqueId?.() ?? '' },
  { name: 'be_name', type: 'str', compile: () => (s) => (s.beName === '' ? undefined : s.beName) },
  { name: 'srv_name', type: 'str', compile: () => (s) => (s.srvName === '' ? undefined : s.srvName) },
  ...SSL_FETCHES,
  { name: 'srv_id', type: 'int', compile: () => (s) => s.srvId },

  // Request payload
  { name: 'req.len', type: 'int', volatile: true, compile: () => (s) => { if (s.payload === null && s.req) return htxSize(s.req); if (!s.payloadFinal) evalState.mayChange = true; return s.payload?.length ?? 0 } },
  { name: 'req.payload', type: 'bin', volatile: true, args: [2, 2], compile: payloadFetch },
  { name: 'req.payload_lv', type: 'bin', volatile: true, args: [2, 3], compile: payloadLvFetch },
  // HTTP request body
  { name: 'req.body', type: 'bin', compile: () => (s) => s.reqBody ?? undefined },
  { name: 'req.body_len', type: 'int', compile: () => (s) => (s.req ? s.reqBody?.length ?? 0 : undefined) },
  ...AUTH_FETCHES,
  ...GP_FETCHES,
  ...CACHE_FETCHES,
  // The entries of a stick table (the proxy's own by default), and the room left.
  { name: 'table_cnt', type: 'int', args: [0, 1], compile: (a, ctx) => { const t = tableArg(a[0], ctx); return () => t.count } },
  { name: 'table_avl', type: 'int', args: [0, 1], compile: (a, ctx) => { const t = tableArg(a[0], ctx); return () => Math.max(0, t.size - t.count) } },
  ACL_FETCH,
  { name: 'unique-id', type: 'str', compile: () => (s) => s.sess.uniqueId?.() ?? '' },
  ...BODY_FETCHES,
  { name: 'req.body_size', type: 'int', compile: () => (s) => (s.req && s.req.framing === 'length' ? s.req.contentLength : undefined) },
  // Response payload (tcp-response content)
  { name: 'res.len', type: 'int', volatile: true, compile: () => (s) => { if (s.resPayloadFinal === false) evalState.mayChange = true; return s.resPayload?.length ?? 0 } },
  { name: 'res.payload', type: 'bin', volatile: true, args: [2, 2], compile: (a, ctx) => payloadFetch(a, ctx, 'res') },
  { name: 'res.payload_lv', type: 'bin', volatile: true, args: [2, 3], compile: (a, ctx) => payloadLvFetch(a, ctx, 'res') },
  { name: 'req.proto_http', type: 'bool', volatile: true, compile: () => protoHttp },
  { name: 'req.ssl_hello_type', type: 'int', volatile: true, compile: () => (s) => { const p = s.payload; const t = p ? sslHelloType(p) : -1; return t === -1 ? short(s) : t === -2 ? undefined : t } },
  { name: 'req.ssl_sni', type: 'str', volatile: true, compile: () => (s) => { const p = s.payload; const r = p ? parseSni(p) : null; return r === null ? short(s) : r === false ? undefined : r } },
  { name: 'req.rdp_cookie', type: 'str', volatile: true, args: [0, 1], compile: (a) => { const name = a[0] ?? ''; return (s) => { const r = s.payload ? rdpCookieValue(s.payload, name) : null; return r === null ? short(s) : r === false ? undefined : r } } },
  { name: 'req.rdp_cookie_cnt', type: 'int', volatile: true, args: [0, 1], compile: (a) => { const name = a[0] ?? ''; return (s) => { const r = s.payload ? rdpCookieValue(s.payload, name) : null; return r === null ? short(s) ?? 0 : r === false ? 0 : 1 } } },
  { name: 'req.ssl_ver', type: 'int', volatile: true, compile: () => (s) => { const p = s.payload; if (!p || p.length < 3) return short(s); return p[0] === 0x16 ? p[1]! * 256 + p[2]! : undefined } },

  // HTTP request
  { name: 'method', type: 'str', compile: () => req((h) => h.method) },
  { name: 'path', type: 'str', compile: () => req((h) => uriPath(h.uri)) },
  { name: 'pathq', type: 'str', compile: () => req((h) => uriPathq(h.uri)) },
  { name: 'query', type: 'str', compile: () => req((h) => uriQuery(h.uri)) },
  { name: 'url', type: 'str', compile: () => req((h) => h.uri) },
  { name: 'url_ip', type: 'ip', compile: () => req((h) => { const a = uriAuthority(h.uri).replace(/:\d+$/, ''); return a === '' ? undefined : asIp(a) }) },
  { name: 'url_port', type: 'int', compile: () => req((h) => { const m = /:(\d+)$/.exec(uriAuthority(h.uri)); return m ? Number(m[1]) : 80 }) },
  { name: 'url_param', type: 'str', args: [0, 2], compile: (a) => { const name = a[0] ?? ''; const d = a[1] || '&'; return req((h) => urlParam(h.uri, name, d)) } },
  { name: 'base', type: 'str', compile: () => req((h) => { const host = firstValue(h.headers, 'host'); return host === undefined ? uriPath(h.uri) : host + uriPath(h.uri) }) },
  { name: 'req.hdr', type: 'str', args: [0, 2], compile: headerFetch('req', true) },
  { name: 'req.fhdr', type: 'str', args: [0, 2], compile: headerFetch('req', false) },
  { name: 'req.hdr_cnt', type: 'int', args: [0, 1], compile: headerCount('req', true) },
  { name: 'req.fhdr_cnt', type: 'int', args: [0, 1], compile: headerCount('req', false) },
  { name: 'req.hdr_ip', type: 'ip', args: [0, 2], compile: headerFetch('req', true, asIp) },
  { name: 'req.hdr_val', type: 'int', args: [0, 2], compile: headerFetch('req', true, asInt) },
  { name: 'req.cook', type: 'str', args: [0, 1], compile: cookieFetch('req') },
  { name: 'req.cook_cnt', type: 'int', args: [0, 1], compile: cookieCount('req') },
  { name: 'req.cook_val', type: 'int', args: [0, 1], compile: cookieValFetch('req') },
  { name: 'req.ver', type: 'str', compile: () => req((h) => versionText(h)) },
  { name: 'http_first_req', type: 'bool', compile: () => (s) => s.firstReq ?? true },
  { name: 'capture.req.hdr', type: 'str', args: [1, 1], compile: captureFetch('req') },
  { name: 'capture.req.method', type: 'str', compile: () => req((h) => h.method) },
  { name: 'capture.req.uri', type: 'str', compile: () => req((h) => uriPathq(h.uri)) },
  { name: 'capture.req.ver', type: 'str', compile: () => req((h) => `HTTP/${versionText(h)}`) },

  // HTTP response
  { name: 'status', type: 'int', compile: () => (s) => s.res?.status },
  { name: 'res.hdr', type: 'str', args: [0, 2], compile: headerFetch('res', true) },
  { name: 'res.fhdr', type: 'str', args: [0, 2], compile: headerFetch('res', false) },
  { name: 'res.hdr_cnt', type: 'int', args: [0, 1], compile: headerCount('res', true) },
  { name: 'res.fhdr_cnt', type: 'int', args: [0, 1], compile: headerCount('res', false) },
  { name: 'res.hdr_ip', type: 'ip', args: [0, 2], compile: headerFetch('res', true, asIp) },
  { name: 'res.hdr_val', type: 'int', args: [0, 2], compile: headerFetch('res', true, asInt) },
  { name: 'res.cook', type: 'str', args: [0, 1], compile: cookieFetch('res') },
  { name: 'res.cook_cnt', type: 'int', args: [0, 1], compile: cookieCount('res') },
  { name: 'res.cook_val', type: 'int', args: [0, 1], compile: cookieValFetch('res') },
  { name: 'res.ver', type: 'str', compile: () => (s) => (s.res ? versionText(s.res) : undefined) },
  { name: 'capture.res.hdr', type: 'str', args: [1, 1], compile: captureFetch('res') },
  { name: 'capture.res.ver', type: 'str', compile: () => (s) => (s.res ? `HTTP/${versionText(s.res)}` : undefined) },

  ...counterFetches(),
  ...PROXY_PROTOCOL_FETCHES,
]

/** Older spellings HAProxy still accepts, as aliases of the fetches above. */
const ALIASES: Readonly<Record<string, string>> = {
  hdr: 'req.hdr', fhdr: 'req.fhdr', hdr_cnt: 'req.hdr_cnt', fhdr_cnt: 'req.fhdr_cnt', hdr_ip: 'req.hdr_ip', hdr_val: 'req.hdr_val',
  cook: 'req.cook', cookie: 'req.cook', cook_cnt: 'req.cook_cnt', cook_val: 'req.cook_val',
  shdr: 'res.hdr', shdr_cnt: 'res.hdr_cnt', shdr_ip: 'res.hdr_ip', shdr_val: 'res.hdr_val',
  scook: 'res.cook', scook_cnt: 'res.cook_cnt', scook_val: 'res.cook_val', 'set-cookie': 'res.cook',
  urlp: 'url_param', req_len: 'req.len', payload: 'req.payload', payload_lv: 'req.payload_lv',
  req_proto_http: 'req.proto_http', req_ver: 'req.ver', resp_ver: 'res.ver', 'res.status': 'status', 'txn.status': 'status',
  req_ssl_hello_type: 'req.ssl_hello_type', req_ssl_sni: 'req.ssl_sni', req_ssl_ver: 'req.ssl_ver',
  rdp_cookie: 'req.rdp_cookie', rdp_cookie_cnt: 'req.rdp_cookie_cnt',
}

const BY_NAME = new Map<string, FetchDef>(FETCHES.map((f) => [f.name, f]))
for (const [alias, target] of Object.entries(ALIASES)) BY_NAME.set(alias, { ...BY_NAME.get(target)!, name: alias })

export function findFetch(name: string): FetchDef | undefined {
  return BY_NAME.get(name)
}

export function fetchNames(): string[] {
  return [...BY_NAME.keys()]
}

function backendFn(name: string | undefined, ctx: CompileCtx, read: (s: StreamView, be: string) => number): Fetch {
  if (name !== undefined && name !== '' && ctx.backends && !ctx.backends.has(name)) throw new ConfigError(`no backend named '${name}'`, ctx.at)
  if (name !== undefined && name !== '') return (s) => read(s, name)
  return (s) => read(s, s.beName !== '' ? s.beName : s.sess.feName)
}

function isLocal(addr: string): boolean {
  return addr.startsWith('127.') || addr === '::1' || addr.startsWith('::ffff:127.')
}

/** Compiles a fetch call; argument counts are checked against the table. */
export function compileFetch(def: FetchDef, args: string[], ctx: CompileCtx): CompiledExpr {
  const [min, max] = def.args ?? [0, 0]
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`
    throw new ConfigError(`fetch '${def.name}' takes ${want} argument${max === 1 ? '' : 's'}, not ${args.length}`, ctx.at)
  }
  const r = def.compile(args, ctx)
  const out: CompiledExpr = typeof r === 'function' ? { fn: r, type: def.type, volatile: def.volatile ?? false } : { fn: r.fn, type: def.type, volatile: def.volatile ?? false }
  if (typeof r !== 'function' && r.any) out.any = r.any
  return out
}

