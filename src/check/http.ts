/**
 * `option httpchk` and the `http-check` lines: one HTTP request per check, and rules on the
 * response (HAProxy 2.x semantics).
 *
 *   option httpchk                          OPTIONS / HTTP/1.0
 *   option httpchk URI | METH URI [VER]     that request line
 *   option httpchk METH URI HTTP/1.1\r\nHost:\ www      (1.x form) the request line and those
 *                                           header lines, sent exactly as written
 *   http-check send [meth M] [uri U] [ver V] [hdr NAME VALUE]… [body B]
 *                                           overrides the request line, adds headers and a body
 *                                           (the 1.x embedded headers are then dropped)
 *   http-check connect [port N] [addr A]    where to connect
 *   http-check expect [!] status CODES | rstatus RE | string S | rstring RE  [+ options as for
 *                                           tcp-check expect]; all must pass, in order
 *   http-check expect [!] hdr|fhdr name … [value …]     a header of the response (http-hdr-expect.ts)
 *   http-check set-var(check.NAME) EXPR, http-check unset-var(check.NAME)
 *                                           variables of the check, read by the `-lf` patterns;
 *                                           the expect and variable lines run in order
 *   http-check disable-on-404               a 404 from a server that is up means "stopping":
 *                                           no new traffic, sessions with persistence go on
 *   http-check send-state                   adds X-Haproxy-Server-State
 *
 * Without an expect rule, a 2xx or 3xx status passes (guide §4.1). A failed status is "Layer7
 * wrong status" with the code and the reason phrase as info; a content mismatch is "Layer7
 * invalid response". HTTP/1.1 requests carry `Connection: close` unless a Connection header is
 * given; a body gets its Content-Length.
 */
import { dirname } from 'node:path'
import type { Server } from '../backend/server.ts'
import type { SourcePos } from '../model/source.ts'
import type { ProxyConfig } from '../model/types.ts'
import type { CompileCtx } from '../rules/context.ts'
import { compileExpr } from '../rules/expr.ts'
import { MapStore } from '../rules/maps.ts'
import type { Sample, SessionView, StreamView } from '../rules/types.ts'
import { compileVarRef, type VarRef } from '../rules/vars.ts'
import { compileHeaderExpect, evalHeaderExpect, isHeaderExpect, type HeaderExpect } from './http-hdr-expect.ts'
import { createResponseParser } from '../http/h1-parser.ts'
import type { H1Head, H1Parser } from '../http/types.ts'
import { parseConnectArgs, type ConnectOverride } from './connect-args.ts'
import { compileExpect, matchBody, matchStatus, type ExpectRule } from './expect.ts'
import type { CheckOutcome } from './status.ts'
import { CheckConfigError, type CheckKind, type CheckRun } from './types.ts'

interface HttpCheckSpec {
  method: string
  uri: string
  version: string
  /** 1.x header lines embedded in the version, sent as written (only without `send` headers). */
  rawHeaders?: string
  headers: [string, string][]
  body?: string
  /** `http-check connect port|addr`. */
  connect?: ConnectOverride
  expects: ExpectRule[]
  /** What runs on the response, in order: `expects` and the header and variable lines. */
  steps: Step[]
  disableOn404: boolean
  sendState: boolean
}

type Step =
  | { kind: 'expect'; rule: ExpectRule }
  | { kind: 'hdr'; rule: HeaderExpect }
  | { kind: 'set-var'; ref: VarRef; value: (v: StreamView) => Sample | undefined }
  | { kind: 'unset-var'; ref: VarRef }

const EMPTY = Buffer.alloc(0)
const DEFAULT_EXPECT: ExpectRule = { type: 'status', pattern: '200-399', inverse: false, minRecv: -1, codes: [[200, 399]] }

export function compileHttpCheckSpec(p: ProxyConfig): HttpCheckSpec {
  const base = p.httpCheck ?? { method: 'OPTIONS', uri: '/', version: 'HTTP/1.0' }
  const spec: HttpCheckSpec = { method: base.method, uri: base.uri, version: base.version, headers: [], expects: [], steps: [], disableOn404: false, sendState: false }
  const ctx: CompileCtx = { tables: new Map(), maps: new MapStore(), fileDir: dirname(p.pos.file), proxy: p.name, at: p.pos }
  if (base.rawHeaders !== undefined) spec.rawHeaders = base.rawHeaders
  for (const r of p.rules) {
    if (!r.kw.startsWith('http-check ')) continue
    const at = r.pos
    const a = r.args
    switch (r.kw) {
      case 'http-check send':
        for (let i = 0; i < a.length; i++) {
          const w = a[i]!
          const v = a[i + 1]
          if (v === undefined && w !== 'comment') throw new CheckConfigError(`'http-check send ${w}' expects a value`, at)
          if (w === 'meth') spec.method = v!.toUpperCase()
          else if (w === 'uri') spec.uri = v!
          else if (w === 'ver') spec.version = v!
          else if (w === 'body') spec.body = v!
          else if (w === 'comment') { /* a label for failure messages */ }
          else if (w === 'hdr') {
            const value = a[i + 2]
            if (value === undefined) throw new CheckConfigError(`'http-check send hdr ${v}' expects a value`, at)
            spec.headers.push([v!, value])
            i++
          } else {
            throw new CheckConfigError(`'http-check send ${w}' is not supported; edgelb knows meth, uri, ver, hdr, body and comment`, at)
          }
          i++
        }
        break
      case 'http-check expect':
        if (isHeaderExpect(a)) spec.steps.push({ kind: 'hdr', rule: compileHeaderExpect(a, ctx, at) })
        else {
          const rule = compileExpect(a, true, at)
          spec.expects.push(rule)
          spec.steps.push({ kind: 'expect', rule })
        }
        break
      case 'http-check set-var':
      case 'http-check unset-var':
        spec.steps.push(compileVarStep(r.kw, a, ctx, at))
        break
      case 'http-check disable-on-404':
        spec.disableOn404 = true
        break
      case 'http-check send-state':
        spec.sendState = true
        break
      case 'http-check connect': {
        const { to } = parseConnectArgs(a, r.kw, at)
        if (to !== undefined) spec.connect = to
        break
      }
      default:
        throw new CheckConfigError(`'${r.kw}' is not supported yet`, at)
    }
  }
  if (!/^[A-Z]+$/.test(spec.method)) throw new CheckConfigError(`invalid HTTP method '${spec.method}' in the HTTP check`, p.pos)
  if (spec.headers.length > 0 || spec.body !== undefined) delete spec.rawHeaders
  return spec
}

/** `http-check set-var(check.NAME) EXPR` / `unset-var(check.NAME)` (the line's keyword holds the
 *  action; its name is in the first word, `set-var(check.x)`). */
function compileVarStep(kw: string, a: string[], ctx: CompileCtx, at: SourcePos): Step {
  const m = /^\((.+)\)$/.exec(a[0] ?? '')
  const name = m?.[1]
  if (name === undefined) throw new CheckConfigError(`'${kw}' needs its variable in parentheses: ${kw}(check.name)`, at)
  let ref: VarRef
  try { ref = compileVarRef(name, at) } catch (e) { throw new CheckConfigError((e as Error).message, at) }
  if (kw === 'http-check unset-var') return { kind: 'unset-var', ref }
  if (a.length !== 2) throw new CheckConfigError(`'${kw}(${name})' expects one sample expression`, at)
  try {
    return { kind: 'set-var', ref, value: compileExpr(a[1]!, { ...ctx, at }).fn }
  } catch (e) {
    throw new CheckConfigError((e as Error).message, at)
  }
}

/** What a check's rules see: no connection, the response head, the check's variables. */
function checkView(res: H1Head): StreamView {
  const sess: SessionView = {
    cliAddr: '', cliPort: 0, dstAddr: '', dstPort: 0, feName: '', vars: new Map(), sc: [undefined, undefined, undefined],
    engine: { nbsrv: () => 0, connslots: () => 0, beConn: () => 0, feConn: () => 0, srvIsUp: () => false },
  }
  return { sess, req: null, res, payload: null, payloadFinal: true, beName: '', srvName: '', vars: new Map(), sc: sess.sc }
}

/** HAProxy's X-Haproxy-Server-State value (`UP 2/3; name=be/srv; …`). */
export function serverStateHeader(s: Server, beName: string): string {
  const c = s.cfg
  let st: string
  if (!c.check) st = 'no check'
  else if (s.up) {
    const full = s.checkHealth === c.rise + c.fall - 1
    st = `${s.nolb ? 'NOLB' : 'UP'}${full ? '' : ` ${s.checkHealth - c.rise + 1}/${c.fall}`}`
  } else {
    st = s.checkHealth > 0 ? `DOWN ${s.checkHealth}/${c.rise}` : 'DOWN'
  }
  const addr = c.addr.path ?? c.addr.host
  return `${st}; address=${addr}; port=${c.addr.port ?? ''}; name=${beName}/${s.name}; node=edgelb; weight=${s.weight}/${s.uweight}; scur=${s.cur}; qcur=${s.queue.total}`
}

/** The request bytes (without the state header, which changes per check). */
function requestHead(spec: HttpCheckSpec): { head: string; raw: boolean } {
  const line = `${spec.method} ${spec.uri} ${spec.version}\r\n`
  if (spec.rawHeaders !== undefined) return { head: `${line}${spec.rawHeaders}\r\n`, raw: true }
  let head = line
  let connection = false
  for (const [n, v] of spec.headers) {
    head += `${n}: ${v}\r\n`
    if (n.toLowerCase() === 'connection') connection = true
  }
  if (!connection && spec.version === 'HTTP/1.1') head += 'Connection: close\r\n'
  if (spec.body !== undefined) head += `Content-Length: ${Buffer.byteLength(spec.body, 'latin1')}\r\n`
  return { head, raw: false }
}

/** Decodes as much of a chunked body as `buf` holds: the data so far and whether it ended. */
export function dechunk(buf: Buffer): { body: Buffer; complete: boolean; error: boolean } {
  const parts: Buffer[] = []
  let i = 0
  for (;;) {
    const eol = buf.indexOf('\r\n', i, 'latin1')
    if (eol < 0) return { body: Buffer.concat(parts), complete: false, error: false }
    const size = parseInt(buf.toString('latin1', i, eol).split(';', 1)[0]!.trim(), 16)
    if (!Number.isFinite(size) || size < 0) return { body: Buffer.concat(parts), complete: false, error: true }
    if (size === 0) return { body: Buffer.concat(parts), complete: true, error: false }
    const start = eol + 2
    if (buf.length < start + size) {
      parts.push(buf.subarray(start))
      return { body: Buffer.concat(parts), complete: false, error: false }
    }
    parts.push(buf.subarray(start, start + size))
    i = start + size + 2
  }
}

/** The body received so far after the head, and whether it is complete. */
function bodyOf(head: H1Head, buf: Buffer, method: string): { body: Buffer; complete: boolean } {
  const rest = buf.subarray(head.size)
  const none = method === 'HEAD' || head.status < 200 || head.status === 204 || head.status === 304
  if (none || head.framing === 'none') return { body: EMPTY, complete: true }
  if (head.framing === 'length') {
    const n = head.contentLength
    return rest.length >= n ? { body: rest.subarray(0, n), complete: true } : { body: rest, complete: false }
  }
  if (head.framing === 'chunked') {
    const d = dechunk(rest)
    return { body: d.body, complete: d.complete || d.error }
  }
  return { body: rest, complete: false }
}

export function compileHttpCheck(p: ProxyConfig, maxHeaders: number): CheckKind {
  const spec = compileHttpCheckSpec(p)
  const { head, raw } = requestHead(spec)
  const fixed = raw || !spec.sendState ? Buffer.from(`${head}\r\n${spec.body ?? ''}`, 'latin1') : undefined
  const steps: Step[] = spec.steps.some((s) => s.kind === 'expect' || s.kind === 'hdr') ? spec.steps : [...spec.steps, { kind: 'expect', rule: DEFAULT_EXPECT }]
  const lastExpect = [...steps].reverse().find((s) => s.kind === 'expect' || s.kind === 'hdr')!
  // Parsers are lent to a run while it reads the answer's head (the runs of a backend's servers
  // overlap), then kept for the next ones.
  const spareParsers: H1Parser[] = []
  return {
    name: 'http',
    async run(t: CheckRun): Promise<CheckOutcome> {
      const c = await t.connect(spec.connect)
      const req = fixed ?? Buffer.from(`${head}X-Haproxy-Server-State: ${serverStateHeader(t.server, t.backendName)}\r\n\r\n${spec.body ?? ''}`, 'latin1')
      c.send(req)
      const parser = spareParsers.pop() ?? createResponseParser({ maxHead: t.bufsize, maxHeaders })
      let resp: H1Head | undefined
      try {
        await t.expect(c, (buf, last) => {
          const r = parser.parse(buf, buf.length)
          if (r.kind === 'done') { resp = r.head; return true }
          if (r.kind === 'error') return { status: 'L7RSP', info: r.reason }
          if (!last) return false
          return { status: 'L7RSP', info: buf.length === 0 ? 'TCPCHK got an empty response at step 2' : 'truncated HTTP response' }
        })
      } finally {
        parser.reset()
        spareParsers.push(parser)
      }
      const h = resp!
      const code = h.status
      if (spec.disableOn404 && code === 404 && t.server.up) return { status: 'L7OKC', code }
      let view: StreamView | undefined
      for (const step of steps) {
        if (step.kind !== 'expect') {
          view ??= checkView(h)
          if (step.kind === 'hdr') { const f = evalHeaderExpect(step.rule, h, view); if (f) return f }
          else if (step.kind === 'set-var') { const v = step.value(view); if (v !== undefined) step.ref.set(view, v) }
          else step.ref.unset(view)
          continue
        }
        const e = step.rule
        if (e.type === 'status' || e.type === 'rstatus') {
          if (matchStatus(e, code) === e.inverse) return { status: e.errorStatus ?? 'L7STS', code, info: e.onError ?? h.reason }
          continue
        }
        let failure: CheckOutcome | undefined
        await t.expect(c, (buf, last) => {
          const { body, complete } = bodyOf(h, buf, spec.method)
          const done = complete || last
          if (!done && e.minRecv > 0 && body.length < e.minRecv) return false
          if (body.length === 0) {
            if (!done) return false
            failure = { status: e.errorStatus ?? 'L7RSP', code, info: e.onError ?? 'HTTP content check could not find a response body' }
            return true
          }
          if (!done && e.type === 'string' && body.length < e.pattern.length) return false
          const match = matchBody(e, body)
          if (!match && !done && e.minRecv === -1) return false
          if (match === e.inverse) {
            failure = { status: e.errorStatus ?? 'L7RSP', code, info: e.onError ?? (e.inverse ? 'HTTP check matched unwanted content' : 'HTTP content check did not match') }
          }
          return true
        }, e.timeoutStatus ?? 'L7TOUT')
        if (failure) return failure
      }
      const lastRule = lastExpect.rule
      const ok: CheckOutcome = { status: lastRule.okStatus ?? 'L7OK', code }
      if ('onSuccess' in lastRule && lastRule.onSuccess !== undefined) ok.info = lastRule.onSuccess
      return ok
    },
  }
}
