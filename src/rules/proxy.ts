/**
 * One proxy's rules, compiled: the single entry point the sessions call.
 *
 *   const rules = compileRules(config, { fileDir })       // at load: every proxy, one MapStore,
 *   const fe = rules.proxies.get('www')!                  // the stick tables of the process
 *   fe.tcpConnection(sess)        → 'accept' | 'reject'  (tcp-request connection, then session)
 *   fe.tcpContent(stream)         → 'accept' | 'reject' | 'wait'
 *   fe.httpRequest(stream)        → HttpVerdict          (http-request rules, then `redirect`)
 *   fe.selectBackend(stream)      → backend name | undefined (use_backend, default_backend)
 *   be.stickMatch / stickStoreRequest / stickStoreResponse, ignorePersist / forcePersist,
 *   be.useServer(stream), be.httpResponse(stream) then fe.httpResponse(stream)
 *
 * `has` says which phases have rules, so a proxy without rules costs one flag test per phase.
 * Rule order within a phase is the configuration's; each rule is `{ cond, action }` where both
 * were compiled into closures (acl.ts, http-actions.ts, tcp-actions.ts).
 */
import { actionProtection } from '../model/dictionary/protection.ts'
import type { Protection } from '../model/dictionary/types.ts'
import { dirname } from 'node:path'
import { findAction, type RuleSet } from '../model/dictionary/lookup.ts'
import { ConfigError, type SourcePos } from '../model/source.ts'
import { suggest } from '../model/suggest.ts'
import type { Config, ProxyConfig, RuleConfig } from '../model/types.ts'
import { parseDuration } from '../model/units.ts'
import { AclSet, MISS, PASS, splitCondition, type Test } from './acl.ts'
import type { ActionKeyword, Phase } from './common-actions.ts'
import type { CompileCtx, RulesEnv } from './context.ts'
import { Userlist } from './userlist.ts'
import { HttpCache } from './cache.ts'
import { waitForBodyOf, type WaitForBody } from './wait-for-body.ts'
import { HTTP_REQUEST_ACTIONS, HTTP_RESPONSE_ACTIONS, type HttpAction } from './http-actions.ts'
import { compileLegacyRules } from './legacy-filters.ts'
import { compileLogFormat, constantFormat } from './log-format.ts'
import { compileExpr } from './expr.ts'
import { compileVarRef } from './vars.ts'
import { MapStore } from './maps.ts'
import { parseRedirect } from './reply.ts'
import { StickTable, type StickTableOptions } from './stick-table.ts'
import { compileStickRules, type ServerRef } from './stick-rules.ts'
import { TCP_CONNECTION_ACTIONS, TCP_CONTENT_ACTIONS, TCP_RESPONSE_ACTIONS, TCP_SESSION_ACTIONS, type TcpAction } from './tcp-actions.ts'
import {
  CONTINUE, type HttpVerdict, type Sample, type SessionView, type StreamView, type TcpContentVerdict, type TcpVerdict,
} from './types.ts'

export interface ProxyRules {
  readonly name: string
  readonly has: {
    readonly tcpConnection: boolean
    readonly tcpContent: boolean
    readonly tcpResponse: boolean
    readonly httpRequest: boolean
    readonly httpResponse: boolean
    readonly httpAfterResponse: boolean
    readonly switching: boolean
    readonly stick: boolean
    readonly persist: boolean
    readonly useServer: boolean
    /** `stats admin` or `stats http-request` rules. */
    readonly stats: boolean
  }
  /** `tcp-request inspect-delay`, ms (0 = decide on what is there). */
  readonly inspectDelay: number
  /** `tcp-response inspect-delay`, ms. */
  readonly resInspectDelay: number
  /** `http-request wait-for-body` as the first rule (wait-for-body.ts); null: none. */
  readonly waitForBody: WaitForBody | null
  /** `tcp-request connection` rules, then (unless rejected) `tcp-request session` rules. */
  tcpConnection(sess: SessionView): TcpVerdict
  /** The two sets apart, for a connection that reads a PROXY header between them: connection
   *  rules see the socket's addresses (and may `expect-proxy`), session rules the header's. */
  tcpConnectionRules(sess: SessionView): TcpVerdict
  tcpSessionRules(sess: SessionView): TcpVerdict
  /** Some `tcp-request connection expect-proxy` rule may ask for a PROXY header. */
  readonly expectsProxy: boolean
  tcpContent(s: StreamView): TcpContentVerdict
  /** `tcp-response content`, on `s.resPayload` (resumes where it waited, as tcpContent). */
  tcpResponse(s: StreamView): TcpContentVerdict
  httpRequest(s: StreamView): HttpVerdict
  httpResponse(s: StreamView): HttpVerdict
  /** `http-after-response`: runs on every response, edgelb's own included. Only rewrites. */
  httpAfterResponse(s: StreamView): HttpVerdict
  /** The backend `use_backend`/`default_backend` choose; undefined: none (a listen uses itself). */
  selectBackend(s: StreamView): string | undefined
  /** The server `use-server` names, if any rule applies. */
  useServer(s: StreamView): string | undefined
  stickMatch(s: StreamView): string | undefined
  stickStoreRequest(s: StreamView, srv: ServerRef): void
  stickStoreResponse(s: StreamView, srv: ServerRef): void
  /** `ignore-persist`: do not use a persistence cookie or stick entry for this request. */
  ignorePersist(s: StreamView): boolean
  /** `force-persist`: use the persisted server even if it is down. */
  forcePersist(s: StreamView): boolean
  /** `stats http-request` rules, in order: the first whose condition holds decides (`allow`: the
   *  page, without `stats auth`; `deny`: 403; `auth [realm R]`: 401); undefined: none applies. */
  statsRequest(s: StreamView): StatsVerdict | undefined
  /** `stats admin if|unless COND`: whether this request may use the page's admin actions. */
  statsAdmin(s: StreamView): boolean
}

export type StatsVerdict = { action: 'allow' | 'deny' } | { action: 'auth'; realm: string | undefined }

export interface CompileOptions {
  /** Reports "HAProxy knows this, edgelb does not do it yet" (the rule is skipped). */
  warn?: (message: string, at: SourcePos) => void
  /** When set, takes the rules edgelb knows but does not implement instead of `warn`, with what
   *  each protects (every action does: model/dictionary/protection.ts), so the builder can refuse
   *  them (fail closed). */
  unimplemented?: (what: string, at: SourcePos, protects: Protection) => void
  /** When set, a bad rule is reported here and skipped, and compiling goes on (`edgelb check`
   *  lists every problem); otherwise the first ConfigError is thrown. */
  onError?: (e: ConfigError) => void
}

/** Runs `fn`; with `onError`, a ConfigError is reported instead of thrown. */
function guarded<T>(options: CompileOptions, fn: () => T): T | undefined {
  if (!options.onError) return fn()
  try {
    return fn()
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e
    options.onError(e)
    return undefined
  }
}

interface Rule<A> {
  cond: Test | undefined
  act: A
}

/** The phase each rule set's actions run in. Which actions HAProxy knows in a set is the
 *  dictionary's (model/dictionary/lookup.ts findAction). */
const PHASES: Readonly<Partial<Record<RuleSet, Phase>>> = {
  'tcp-request connection': 'tcp-connection',
  'tcp-request session': 'tcp-session',
  'tcp-request content': 'tcp-content',
  'tcp-response content': 'tcp-response',
  'http-request': 'http-request',
  'http-response': 'http-response',
  'http-after-response': 'http-response',
}

function compileRuleSet<A>(
  kw: string, rules: readonly RuleConfig[], table: readonly ActionKeyword<A>[], acls: AclSet,
  base: Omit<CompileCtx, 'at'>, captureSlots: { count: number }, options: CompileOptions,
): Rule<A>[] {
  const byKw = new Map(table.map((a) => [a.kw, a]))
  const phase = PHASES[kw as RuleSet]!
  const out: Rule<A>[] = []
  for (const r of rules) {
    if (r.kw !== kw) continue
    const rule = guarded(options, (): Rule<A> | undefined => {
      const ctxBase: CompileCtx = { ...base, at: r.pos }
      const { head, cond } = splitCondition(r.args, acls, ctxBase)
      const [word, ...args] = head
      if (word === undefined) throw new ConfigError(`'${kw}' expects an action before the condition`, r.pos)
      const paren = word.indexOf('(')
      const name = paren < 0 ? word : word.slice(0, paren)
      let param: string | undefined
      if (paren >= 0) {
        if (!word.endsWith(')')) throw new ConfigError(`missing ')' in '${word}'`, r.pos)
        param = word.slice(paren + 1, -1)
      }
      const def = byKw.get(name)
      if (!def || (def.implemented !== undefined && !def.implemented(args))) {
        if (findAction(kw as RuleSet, name) !== undefined) {
          if (options.unimplemented) options.unimplemented(`'${kw} ${name}'`, r.pos, actionProtection(name))
          else options.warn?.(`'${kw} ${name}' is parsed but not implemented yet; edgelb ignores this rule`, r.pos)
          return undefined
        }
        const hint = suggest(name, table.map((a) => a.kw))
        throw new ConfigError(`unknown '${kw}' action '${name}'${hint ? `; did you mean '${hint}'?` : ''}`, r.pos)
      }
      if (def.param === 'required' && param === undefined) throw new ConfigError(`'${name}' needs its argument in parentheses: ${name}(…)`, r.pos)
      if (def.param === undefined && param !== undefined) throw new ConfigError(`'${name}' takes no argument in parentheses`, r.pos)
      return { cond, act: def.compile(args, { ...ctxBase, phase, acls, param, captureSlots }) }
    })
    if (rule) out.push(rule)
  }
  return out
}

function runHttp(rules: Rule<HttpAction>[]): (s: StreamView) => HttpVerdict {
  if (rules.length === 0) return () => CONTINUE
  return (s) => {
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!
      if (r.cond !== undefined && r.cond(s) !== PASS) continue
      const v = r.act(s)
      if (v !== undefined) return v
    }
    return CONTINUE
  }
}

/** `first`, then (unless it answered) `then`: an `allow` among `first` does not skip `then`. */
function runHttpThen(first: Rule<HttpAction>[], then: Rule<HttpAction>[]): (s: StreamView) => HttpVerdict {
  if (then.length === 0) return runHttp(first)
  if (first.length === 0) return runHttp(then)
  const a = runHttp(first)
  const b = runHttp(then)
  return (s) => {
    const v = a(s)
    return v.kind === 'continue' ? b(s) : v
  }
}

/** A `tcp-request connection` or `session` rule set: the first verdict, else accept. */
function runTcp(rules: Rule<TcpAction>[]): (sess: SessionView) => TcpVerdict {
  if (rules.length === 0) return () => 'accept'
  return (sess) => {
    const s = connectionStream(sess)
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!
      if (r.cond !== undefined && r.cond(s) !== PASS) continue
      const v = r.act(s)
      if (v !== undefined) return v
    }
    return 'accept'
  }
}

function anyOf(conds: Test[]): (s: StreamView) => boolean {
  if (conds.length === 0) return () => false
  return (s) => {
    for (const c of conds) if (c(s) === PASS) return true
    return false
  }
}

/** A StreamView for the connection phase: no request yet, nothing in the buffer. */
function connectionStream(sess: SessionView): StreamView {
  return { sess, req: null, res: null, payload: null, payloadFinal: true, beName: '', srvName: '', vars: new Map<string, Sample>(), sc: sess.sc }
}

export function compileProxyRules(p: ProxyConfig, env: RulesEnv, options: CompileOptions = {}): ProxyRules {
  const base: Omit<CompileCtx, 'at'> = { ...env, proxy: p.name }
  const acls = new AclSet(p.acls, base, options.onError)
  base.acl = (name, at) => acls.get(name, at)
  acls.compileAll()
  const captureSlots = { count: p.captures.filter((c) => c.kind === 'request').length }
  const resCaptureSlots = { count: p.captures.filter((c) => c.kind === 'response').length }

  const tcpConn = compileRuleSet('tcp-request connection', p.rules, TCP_CONNECTION_ACTIONS, acls, base, captureSlots, options)
  const tcpSess = compileRuleSet('tcp-request session', p.rules, TCP_SESSION_ACTIONS, acls, base, captureSlots, options)
  const tcpContent = compileRuleSet('tcp-request content', p.rules, TCP_CONTENT_ACTIONS, acls, base, captureSlots, options)
  const tcpResponse = compileRuleSet('tcp-response content', p.rules, TCP_RESPONSE_ACTIONS, acls, base, resCaptureSlots, options)
  const httpReq = compileRuleSet('http-request', p.rules, HTTP_REQUEST_ACTIONS, acls, base, captureSlots, options)
  const httpRes = compileRuleSet('http-response', p.rules, HTTP_RESPONSE_ACTIONS, acls, base, resCaptureSlots, options)
  const httpAfter = compileRuleSet('http-after-response', p.rules, HTTP_RESPONSE_ACTIONS.filter((a) => !['deny', 'return', 'redirect', 'silent-drop'].includes(a.kw)), acls, base, resCaptureSlots, options)

  // HAProxy 1.x's block (first of the http-request rules), then after the http-request rules
  // (even when `allow` ended them) its req* filters and reqadd, then the `redirect` keyword;
  // its rsp* filters and rspadd after the http-response rules: where HAProxy evaluates them.
  const legacy = compileLegacyRules(p.rules, acls, base, guarded.bind(null, options) as <T>(fn: () => T) => T | undefined)
  httpReq.unshift(...legacy.block)
  const afterReq = legacy.request
  for (const r of p.rules) {
    if (r.kw !== 'redirect') continue
    guarded(options, () => {
      const ctx: CompileCtx = { ...base, at: r.pos }
      const { head, cond } = splitCondition(r.args, acls, ctx)
      const build = parseRedirect(head, ctx)
      afterReq.push({ cond, act: (s) => { const reply = build(s); return reply === undefined ? undefined : { kind: 'reply', reply } } })
    })
  }

  let inspectDelay = 0
  let resInspectDelay = 0
  for (const r of p.rules) {
    if (r.kw !== 'tcp-request inspect-delay' && r.kw !== 'tcp-response inspect-delay') continue
    guarded(options, () => {
      if (r.args.length !== 1) throw new ConfigError(`'${r.kw}' expects a duration`, r.pos)
      const d = parseDuration(r.args[0]!, r.pos)
      if (r.kw === 'tcp-request inspect-delay') inspectDelay = d
      else resInspectDelay = d
    })
  }

  // use_backend / default_backend
  const switching: { cond: Test | undefined; name: (s: StreamView) => string; dynamic: boolean }[] = []
  for (const u of p.useBackends) {
    guarded(options, () => {
      const ctx: CompileCtx = { ...base, at: u.pos }
      const { head, cond } = splitCondition(u.args, acls, ctx)
      if (head.length !== 1) throw new ConfigError(`'use_backend' expects one backend name before the condition, not '${head.join(' ')}'`, u.pos)
      const text = head[0]!
      const name = constantFormat(text) // validate.ts checks that it exists
      if (name !== undefined) switching.push({ cond, name: () => name, dynamic: false })
      else switching.push({ cond, name: compileLogFormat(text, ctx), dynamic: true })
    })
  }
  const dflt = p.defaultBackend // validate.ts checks that it exists
  const backends = env.backends
  const selectBackend = (s: StreamView): string | undefined => {
    for (let i = 0; i < switching.length; i++) {
      const r = switching[i]!
      if (r.cond !== undefined && r.cond(s) !== PASS) continue
      const name = r.name(s)
      if (!r.dynamic || !backends || backends.has(name)) return name
      return dflt // a dynamic name that is no backend: HAProxy falls back to default_backend
    }
    return dflt
  }

  // use-server, force-persist, ignore-persist
  const useServers: { cond: Test | undefined; name: string }[] = []
  const force: Test[] = []
  const ignore: Test[] = []
  for (const r of p.rules) {
    if (r.kw !== 'use-server' && r.kw !== 'force-persist' && r.kw !== 'ignore-persist') continue
    guarded(options, () => {
      const ctx: CompileCtx = { ...base, at: r.pos }
      const { head, cond } = splitCondition(r.args, acls, ctx)
      if (r.kw === 'use-server') {
        if (head.length !== 1) throw new ConfigError(`'use-server' expects a server name: use-server NAME if COND`, r.pos)
        if (!p.servers.some((s) => s.name === head[0])) throw new ConfigError(`use-server: no server named '${head[0]}' in ${p.kind} '${p.name}'`, r.pos)
        useServers.push({ cond, name: head[0]! })
        return
      }
      if (head.length !== 0 || cond === undefined) throw new ConfigError(`'${r.kw}' expects a condition: ${r.kw} if COND`, r.pos)
      ;(r.kw === 'force-persist' ? force : ignore).push(cond)
    })
  }

  const stick = compileStickRules(p.rules, acls, base, guarded.bind(null, options) as <T>(fn: () => T) => T | undefined)

  // The stats page's own rules (`stats http-request`, `stats admin`).
  const statsReq: { cond: Test | undefined; verdict: StatsVerdict }[] = []
  const statsAdmin: Test[] = []
  for (const r of p.rules) {
    if (r.kw !== 'stats http-request' && r.kw !== 'stats admin') continue
    guarded(options, () => {
      const ctx: CompileCtx = { ...base, at: r.pos }
      const { head, cond } = splitCondition(r.args, acls, ctx)
      if (r.kw === 'stats admin') {
        if (head.length !== 0 || cond === undefined) throw new ConfigError(`'stats admin' expects a condition: stats admin if LOCALHOST (or: if TRUE)`, r.pos)
        statsAdmin.push(cond)
        return
      }
      const [action, ...rest] = head
      if (action === 'allow' || action === 'deny') {
        if (rest.length > 0) throw new ConfigError(`'stats http-request ${action}' takes no argument; remove '${rest.join(' ')}'`, r.pos)
        statsReq.push({ cond, verdict: { action } })
      } else if (action === 'auth') {
        if (rest.length !== 0 && !(rest.length === 2 && rest[0] === 'realm')) throw new ConfigError(`'stats http-request auth' takes only 'realm NAME'`, r.pos)
        statsReq.push({ cond, verdict: { action: 'auth', realm: rest[1] } })
      } else {
        throw new ConfigError(`'stats http-request' expects allow, deny or auth [realm NAME], got '${action ?? ''}'`, r.pos)
      }
    })
  }

  const contentRun = tcpContent
  const connectionRules = runTcp(tcpConn)
  const sessionRules = runTcp(tcpSess)
  return {
    name: p.name,
    has: {
      tcpConnection: tcpConn.length + tcpSess.length > 0,
      tcpContent: tcpContent.length > 0,
      tcpResponse: tcpResponse.length > 0,
      httpRequest: httpReq.length + afterReq.length > 0,
      httpResponse: httpRes.length + legacy.response.length > 0,
      httpAfterResponse: httpAfter.length > 0,
      switching: switching.length > 0 || dflt !== undefined,
      stick: stick.any,
      persist: force.length + ignore.length > 0,
      useServer: useServers.length > 0,
      stats: statsReq.length + statsAdmin.length > 0,
    },
    inspectDelay,
    resInspectDelay,
    waitForBody: waitForBodyOf(p, acls, base, guarded.bind(null, options) as <T>(fn: () => T) => T | undefined),
    tcpConnection(sess) {
      // An `accept` ends the connection rules only: session rules still run, as in HAProxy.
      return connectionRules(sess) === 'reject' ? 'reject' : sessionRules(sess)
    },
    tcpConnectionRules: connectionRules,
    tcpSessionRules: sessionRules,
    expectsProxy: p.rules.some((r) => r.kw === 'tcp-request connection' && r.args[0] === 'expect-proxy'),
    tcpContent(s) {
      for (let i = s.tcpRuleAt ?? 0; i < contentRun.length; i++) {
        const r = contentRun[i]!
        if (r.cond !== undefined) {
          const t = r.cond(s)
          if (t === MISS && !s.payloadFinal) { s.tcpRuleAt = i; return 'wait' }
          if (t !== PASS) continue
        }
        const v = (r.act as TcpAction)(s)
        if (v !== undefined) { s.tcpRuleAt = undefined; return v }
      }
      s.tcpRuleAt = undefined
      return 'accept'
    },
    tcpResponse(s) {
      for (let i = s.tcpResRuleAt ?? 0; i < tcpResponse.length; i++) {
        const r = tcpResponse[i]!
        if (r.cond !== undefined) {
          const t = r.cond(s)
          if (t === MISS && s.resPayloadFinal === false) { s.tcpResRuleAt = i; return 'wait' }
          if (t !== PASS) continue
        }
        const v = (r.act as TcpAction)(s)
        if (v !== undefined) { s.tcpResRuleAt = undefined; return v }
      }
      s.tcpResRuleAt = undefined
      return 'accept'
    },
    httpRequest: runHttpThen(httpReq, afterReq),
    httpResponse: runHttpThen(httpRes, legacy.response),
    httpAfterResponse: runHttp(httpAfter),
    selectBackend,
    useServer(s) {
      for (const u of useServers) if (u.cond === undefined || u.cond(s) === PASS) return u.name
      return undefined
    },
    stickMatch: stick.match,
    stickStoreRequest: stick.storeRequest,
    stickStoreResponse: stick.storeResponse,
    ignorePersist: anyOf(ignore),
    forcePersist: anyOf(force),
    statsRequest(s) {
      for (const r of statsReq) if (r.cond === undefined || r.cond(s) === PASS) return r.verdict
      return undefined
    },
    statsAdmin: anyOf(statsAdmin),
  }
}

/** What a global `set-var` expression sees: no connection, no stream. */
const loadTimeSession: SessionView = {
  cliAddr: '', cliPort: 0, dstAddr: '', dstPort: 0, feName: '', vars: new Map<string, Sample>(), sc: [undefined, undefined, undefined],
  engine: { nbsrv: () => 0, connslots: () => 0, beConn: () => 0, feConn: () => 0, srvIsUp: () => false },
}

export interface CompiledRules {
  proxies: Map<string, ProxyRules>
  tables: Map<string, StickTable>
  maps: MapStore
  /** `cache` sections by name (`show cache`). */
  caches?: Map<string, HttpCache>
}

/**
 * `set var NAME EXPR` / `set var NAME fmt FORMAT` of the runtime API: evaluates a sample
 * expression (or log-format string) outside any stream, as a global `set-var` line does, and
 * sets the variable (a `proc.*` one: the other scopes die with their streams). Throws ConfigError
 * for a bad expression or name.
 */
export function setVarNow(rules: CompiledRules, name: string, kind: 'expr' | 'fmt', text: string): void {
  const at = { file: 'cli', line: 1 }
  const ref = compileVarRef(name, at)
  const ctx: CompileCtx = { tables: rules.tables, maps: rules.maps, fileDir: '.', proxy: '', at }
  const s = connectionStream(loadTimeSession)
  const value = kind === 'expr' ? compileExpr(text, ctx).fn(s) : compileLogFormat(text, ctx)(s)
  if (value !== undefined) ref.set(s, value)
}

/**
 * Compiles every proxy of a configuration. Throws ConfigError (with file and line) on the first
 * bad rule; with `onError`, each is reported and compiling goes on (`edgelb check`, through proxy/runtime.ts).
 */
export function compileRules(config: Config, options: CompileOptions & { fileDir?: string; maps?: MapStore; tables?: StickTableOptions; keepTables?: ReadonlyMap<string, StickTable> } = {}): CompiledRules {
  const tables = new Map<string, StickTable>()
  // Tables of proxies, then those declared in peers sections (named `SECTION/TABLE`).
  const declared = [
    ...config.proxies.flatMap((p) => (p.stickTable ? [{ name: p.name, cfg: p.stickTable }] : [])),
    ...config.peers.flatMap((s) => (s.tables ?? []).map((t) => ({ name: `${s.name}/${t.name}`, cfg: t.cfg }))),
  ]
  for (const { name, cfg } of declared) {
    const t = guarded(options, () => new StickTable(name, cfg, options.tables))
    // A reload keeps a running table declared again the same way (entries, counters, expiry).
    const kept = options.keepTables?.get(name)
    if (t) tables.set(name, kept !== undefined && kept.sameShape(t) ? kept : t)
  }
  const maps = options.maps ?? new MapStore()
  const backends = new Set(config.proxies.filter((p) => p.kind === 'backend' || p.kind === 'listen').map((p) => p.name))
  const userlists = new Map((config.userlists ?? []).map((u) => [u.name, new Userlist(u)]))
  const caches = new Map((config.caches ?? []).map((c) => [c.name, new HttpCache(c)]))
  // Global `set-var`/`set-var-fmt`: evaluated now, in order, as HAProxy does while parsing.
  for (const v of config.global.setVars ?? []) {
    guarded(options, () => {
      const ctx: CompileCtx = { tables, maps, fileDir: options.fileDir ?? dirname(v.pos.file), proxy: '', at: v.pos, backends, userlists, caches }
      const ref = compileVarRef(v.name, v.pos)
      const s = connectionStream(loadTimeSession)
      const value = v.kw === 'set-var' ? compileExpr(v.value, ctx).fn(s) : compileLogFormat(v.value, ctx)(s)
      if (value !== undefined) ref.set(s, value)
    })
  }
  const proxies = new Map<string, ProxyRules>()
  for (const p of config.proxies) {
    // Relative map, ACL and body files are read from the directory of the file that declares the proxy.
    const env: RulesEnv = { tables, maps, fileDir: options.fileDir ?? dirname(p.pos.file), backends, userlists, caches }
    proxies.set(p.name, compileProxyRules(p, env, options))
  }
  return { proxies, tables, maps, caches }
}
