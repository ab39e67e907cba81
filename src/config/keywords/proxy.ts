/**
 * Keywords of `defaults`, `frontend`, `backend` and `listen` sections that edgelb gives a meaning
 * to. Where each may be written is the dictionary's (model/dictionary/proxy.ts), not this file's.
 * `option …` lives in options.ts; server and bind lines in servers.ts.
 */
import { readFileSync } from 'node:fs'
import { algorithms, findAlgorithm } from '../../balance/registry.ts'
import { ERROR_STATUSES } from '../../http/errors.ts'
import { parseIpv4Net, parseServerAddr } from '../../model/address.ts'
import { ConfigError, type Directive } from '../../model/source.ts'
import { hasOwnHttpCheck, inherited } from './options.ts'
import type { CookieConfig, LogTarget, ProxyConfig, StatsConfig, StickTableConfig, Timeouts } from '../../model/types.ts'
import { MAX_LOG_LEN, MIN_LOG_LEN } from '../../log/frame.ts'
import { facilityNumber, levelNumber, LOG_FACILITIES, LOG_LEVELS } from '../../log/levels.ts'
import { parseSample } from '../../log/sample.ts'
import { isSyslogFormat, SYSLOG_FORMATS } from '../../log/syslog-header.ts'
import { parseLogDest } from '../../log/target-address.ts'
import { parseDuration, parseIntIn, parseSize } from '../../model/units.ts'
import { uniqueServer } from './legacy.ts'
import { retryOnKeyword } from './retry-on.ts'
import { parseSource } from './source-range.ts'
import { optionKeywords } from './options.ts'
import { compressionKeywords } from './compression.ts'
import { serverTemplateKeyword } from './server-template.ts'
import { applyServerOptions, parseBindLine, parseServerLine, type NotBuiltSink } from './servers.ts'
import type { KeywordCtx, ProxyKeyword } from './types.ts'
import { none, one } from './words.ts'

type Ctx = KeywordCtx & NotBuiltSink

const STATS = 'stats page'
/** HAProxy's default stats URI. */
export const DEFAULT_STATS_URI = '/haproxy?stats'

/** `timeout NAME VALUE` for one timeout, and its 1.x alias when there is one. */
const TIMEOUTS: readonly { name: string; field: keyof Timeouts; legacy?: string }[] = [
  { name: 'connect', field: 'connect', legacy: 'contimeout' },
  { name: 'client', field: 'client', legacy: 'clitimeout' },
  { name: 'server', field: 'server', legacy: 'srvtimeout' },
  { name: 'queue', field: 'queue' },
  { name: 'tunnel', field: 'tunnel' },
  { name: 'client-fin', field: 'clientFin' },
  { name: 'server-fin', field: 'serverFin' },
  { name: 'http-request', field: 'httpRequest' },
  { name: 'http-keep-alive', field: 'httpKeepAlive' },
  { name: 'check', field: 'check' },
  { name: 'tarpit', field: 'tarpit' },
]

const timeoutKeywords: ProxyKeyword[] = TIMEOUTS.flatMap((t) => {
  const modern: ProxyKeyword = {
    kw: `timeout ${t.name}`,
    parse(args, d, p) { p.timeouts[t.field] = parseDuration(one(`timeout ${t.name}`, args, d, 'a duration'), d.pos) },
  }
  if (!t.legacy) return [modern]
  const legacy: ProxyKeyword = {
    kw: t.legacy,
    parse(args, d, p, ctx) {
      const v = one(t.legacy!, args, d, 'a duration')
      p.timeouts[t.field] = parseDuration(v, d.pos)
      ctx.warn(`'${t.legacy}' is a 1.x keyword; edgelb reads it as 'timeout ${t.name} ${v}' (write that instead)`, d.pos)
    },
  }
  return [modern, legacy]
})

/** `balance NAME[(PARAM)] [WORDS…]`: `random(3)`, `hdr(Host)`, `rdp-cookie(mstshash)`, `uri whole
 *  len 10 depth 2`, `hash req.cook(id)`. The algorithm (src/balance/registry.ts) reads its own
 *  arguments. */
function parseBalance(args: string[], d: Directive, p: ProxyConfig, ctx: Ctx): void {
  const [word, ...rest] = args
  const names = algorithms.map((a) => a.name)
  if (word === undefined) throw new ConfigError(`'balance' expects an algorithm: ${names.join(', ')}`, d.pos)
  const m = /^([a-z_-]+)(?:\((.*)\))?$/.exec(word)
  const algo = m ? findAlgorithm(m[1]!) : undefined
  if (!m || !algo) {
    const near = names.find((a) => a.startsWith(word.slice(0, 3)))
    throw new ConfigError(`unknown balance algorithm '${word}'${near ? `; did you mean '${near}'?` : `; known: ${names.join(', ')}`}`, d.pos)
  }
  const parsed = algo.parse({
    param: m[2],
    words: rest,
    at: d.pos,
    notBuilt: (what, instead) => ctx.notBuilt(what, d.pos, instead === undefined ? {} : { instead }),
  })
  p.balance = { algo: algo.name, ...parsed }
}

/** `hash-type map-based|consistent [FUNCTION [avalanche]]`. Without a function: sdbm, and for
 *  `consistent` the avalanche too (HAProxy's default, kept from 1.4, where consistent hashing
 *  always applied it): raw sdbm places keys that differ only at their end side by side on the
 *  ring, so 40 paths /k/1 … /k/40 would all reach one or two servers. */
function parseHashType(args: string[], d: Directive, p: ProxyConfig): void {
  const [method, fn, mod] = args
  if (method !== 'map-based' && method !== 'consistent') throw new ConfigError(`'hash-type' expects 'map-based' or 'consistent', got '${method ?? ''}'`, d.pos)
  p.hashType = { method, fn: 'sdbm', avalanche: fn === undefined && method === 'consistent' }
  if (fn !== undefined) {
    if (fn !== 'sdbm' && fn !== 'djb2' && fn !== 'wt6' && fn !== 'crc32' && fn !== 'none') throw new ConfigError(`unknown hash function '${fn}'; known: sdbm, djb2, wt6, crc32, none`, d.pos)
    p.hashType.fn = fn
  }
  if (mod !== undefined) {
    if (mod !== 'avalanche') throw new ConfigError(`unknown hash modifier '${mod}'; known: avalanche`, d.pos)
    p.hashType.avalanche = true
  }
}

/** `cookie NAME [insert|rewrite|prefix] [indirect] [nocache] [postonly] [preserve] [httponly]
 *  [secure] [domain D]* [maxidle T] [maxlife T] [dynamic] [attr A]*`. */
function parseCookie(args: string[], d: Directive, p: ProxyConfig): void {
  const [name, ...rest] = args
  if (!name) throw new ConfigError(`'cookie' expects a cookie name: cookie SERVERID insert indirect`, d.pos)
  const c: CookieConfig = { name, indirect: false, nocache: false, postonly: false, preserve: false, httponly: false, secure: false, domains: [], dynamic: false, attrs: [], pos: d.pos }
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!
    switch (w) {
      case 'insert': case 'rewrite': case 'prefix':
        if (c.method && c.method !== w) throw new ConfigError(`'cookie' accepts only one of insert, rewrite, prefix (got '${c.method}' and '${w}')`, d.pos)
        c.method = w
        break
      case 'indirect': c.indirect = true; break
      case 'nocache': c.nocache = true; break
      case 'postonly': c.postonly = true; break
      case 'preserve': c.preserve = true; break
      case 'httponly': c.httponly = true; break
      case 'secure': c.secure = true; break
      case 'dynamic': c.dynamic = true; break
      case 'domain': case 'maxidle': case 'maxlife': case 'attr': {
        const v = rest[++i]
        if (v === undefined) throw new ConfigError(`'cookie ${w}' expects a value`, d.pos)
        if (w === 'domain') c.domains.push(v)
        else if (w === 'attr') c.attrs.push(v)
        else c[w] = parseDuration(v, d.pos, 's')
        break
      }
      default:
        throw new ConfigError(`unknown cookie option '${w}'; known: insert, rewrite, prefix, indirect, nocache, postonly, preserve, httponly, secure, domain, maxidle, maxlife, dynamic, attr`, d.pos)
    }
  }
  if (c.method === undefined && (c.indirect || c.nocache || c.postonly)) {
    throw new ConfigError(`'cookie ${name}' uses insert-only options (indirect, nocache, postonly) without 'insert' or 'prefix'`, d.pos)
  }
  p.cookie = c
}

/** A rule keyword: kept as words for the rules engine, in declaration order. */
function rule(kw: string, notBuilt?: string): ProxyKeyword {
  return {
    kw,
    ...(notBuilt ? { notBuilt } : {}),
    parse(args, d, p) {
      const takesAction = !/^(stats|http-check|tcp-check) /.test(kw)
      if (args.length === 0 && takesAction) throw new ConfigError(`'${kw}' expects an action or a value`, d.pos)
      p.rules.push({ kw, args, pos: d.pos })
    },
  }
}

/** The proxy's stats page settings, made (with HAProxy's defaults) by the first `stats` line. */
function statsOf(p: ProxyConfig): StatsConfig {
  return (p.stats ??= { uri: DEFAULT_STATS_URI, auths: [], hideVersion: false, showLegends: false, scope: [] })
}

/** `stats enable|uri|auth|realm|refresh|hide-version|show-legends|show-node|show-desc|scope`:
 *  each enables the page, as in HAProxy. */
const statsKeywords: readonly ProxyKeyword[] = [
  { kw: 'stats enable', parse: (args, d, p) => { none('stats enable', args, d); statsOf(p) } },
  { kw: 'stats uri', parse: (args, d, p) => { statsOf(p).uri = one('stats uri', args, d, 'a URI prefix, e.g. /stats') } },
  {
    kw: 'stats auth',
    parse(args, d, p) {
      const v = one('stats auth', args, d, 'USER:PASSWORD')
      const colon = v.indexOf(':')
      if (colon <= 0) throw new ConfigError(`'stats auth' expects USER:PASSWORD, got '${v}'`, d.pos)
      statsOf(p).auths.push({ user: v.slice(0, colon), password: v.slice(colon + 1) })
    },
  },
  {
    kw: 'stats realm',
    parse(args, d, p) {
      // One word in HAProxy (HAProxy\ Statistics); words separated by spaces (a YAML value) are
      // taken as one realm too.
      if (args.length === 0) throw new ConfigError(`'stats realm' expects a realm name`, d.pos)
      statsOf(p).realm = args.join(' ')
    },
  },
  {
    kw: 'stats refresh',
    parse(args, d, p) {
      const ms = parseDuration(one('stats refresh', args, d, 'a duration'), d.pos, 's')
      statsOf(p).refresh = ms
    },
  },
  { kw: 'stats hide-version', parse: (args, d, p) => { none('stats hide-version', args, d); statsOf(p).hideVersion = true } },
  { kw: 'stats show-legends', parse: (args, d, p) => { none('stats show-legends', args, d); statsOf(p).showLegends = true } },
  { kw: 'stats show-node', parse: (args, d, p) => { statsOf(p).showNode = args.join(' ') } },
  { kw: 'stats show-desc', parse: (args, d, p) => { statsOf(p).showDesc = args.join(' ') } },
  { kw: 'stats scope', parse: (args, d, p) => { statsOf(p).scope.push(one('stats scope', args, d, "a proxy name, or '.' for this one")) } },
]

/** An `http-check` line. As in HAProxy, the first one a section writes starts its own HTTP check:
 *  what it inherited from a defaults section (its `http-check` lines, and the request of its
 *  `option httpchk`) is dropped, so the request is OPTIONS / HTTP/1.0 unless this section says
 *  otherwise. */
function httpCheckRule(kw: string): ProxyKeyword {
  const base = rule(kw)
  return {
    kw,
    parse(args, d, p, ctx) {
      const own = hasOwnHttpCheck(p) || p.rules.some((r) => r.kw.startsWith('http-check ') && !inherited(r.pos, p.pos))
      if (!own) {
        p.rules = p.rules.filter((r) => !r.kw.startsWith('http-check '))
        if (p.httpCheck !== undefined) p.httpCheck = { method: 'OPTIONS', uri: '/', version: 'HTTP/1.0' }
      }
      // `set-var(check.x)`: the phrase is matched on the bare word; its argument comes first.
      const param = /set-var$/.test(kw) ? [d.kw, ...d.args].map((w) => /^(?:un)?set-var(\(.*\))$/.exec(w)?.[1]).find((x) => x !== undefined) : undefined
      base.parse(param === undefined ? args : [param, ...args], d, p, ctx)
    },
  }
}

function countKw(kw: string, field: 'maxconn' | 'backlog' | 'fullconn', max: number): ProxyKeyword {
  return { kw, parse: (args, d, p) => { p[field] = parseIntIn(one(kw, args, d, 'a number'), d.pos, `'${kw}'`, 0, max) } }
}

/** `log global` | `log ADDRESS [len N] [format F] [sample R:S] [profile P] FACILITY [LEVEL [MINLEVEL]]`,
 *  and `no log`, which drops the section's log lines so far (those of `defaults` too). Shared with
 *  global. The address is read here (src/log/target-address.ts), so a bad one is refused with its
 *  line; what edgelb does not do yet with a valid line is said once per kind: a target it does
 *  not send to (its lines go to stdout) and `profile` (ignored). */
export function parseLog(args: string[], d: Directive, owner: { logs: LogTarget[] }, ctx: KeywordCtx & NotBuiltSink): void {
  if (d.no) { owner.logs = []; return }
  const [address, ...rest] = args
  if (!address) throw new ConfigError(`'log' expects a target: log global, log stdout format raw local0, log 127.0.0.1:514 local0`, d.pos)
  const t: LogTarget = { address, pos: d.pos }
  if (address === 'global') {
    if (rest.length > 0) throw new ConfigError(`'log global' takes no more words`, d.pos)
    owner.logs.push(t)
    return
  }
  const dest = parseLogDest(address, d.pos)
  if (dest.kind === 'udp' && dest.host === '0.0.0.0' && !address.includes('0.0.0.0')) ctx.warn(`log target '${address}' has no address: lines go to 0.0.0.0:${dest.port}, this host, as in HAProxy; write the syslog server's address`, d.pos)
  let profile = false
  let i = 0
  while (i < rest.length && ['len', 'format', 'sample', 'profile'].includes(rest[i]!)) {
    const k = rest[i]!
    const v = rest[i + 1]
    if (v === undefined) throw new ConfigError(`'log ... ${k}' expects a value`, d.pos)
    if (k === 'format') {
      if (!isSyslogFormat(v)) throw new ConfigError(`unknown log format '${v}'; known: ${SYSLOG_FORMATS.join(', ')}`, d.pos)
      t.format = v
    } else if (k === 'len') {
      t.len = parseIntIn(v, d.pos, "log 'len'", MIN_LOG_LEN, MAX_LOG_LEN)
    } else if (k === 'sample') {
      parseSample(v, d.pos)
      t.sample = v
    } else {
      profile = true
    }
    i += 2
  }
  const [facility, level, minLevel, extra] = rest.slice(i)
  if (facility === undefined) throw new ConfigError(`'log ${address}' needs a facility, e.g. 'log ${address} local0'`, d.pos)
  if (facilityNumber(facility) < 0) throw new ConfigError(`unknown log facility '${facility}'; known: ${LOG_FACILITIES.join(', ')}`, d.pos)
  t.facility = facility
  for (const lv of [level, minLevel]) {
    if (lv !== undefined && levelNumber(lv) < 0) throw new ConfigError(`unknown log level '${lv}'; known: ${LOG_LEVELS.join(', ')}`, d.pos)
  }
  if (level !== undefined) t.level = level
  if (minLevel !== undefined) t.minLevel = minLevel
  if (extra !== undefined) throw new ConfigError(`unexpected '${extra}' at the end of 'log'`, d.pos)
  if (dest.kind === 'unsupported') ctx.notBuilt(`logging to '${address}'`, d.pos, { area: dest.what, instead: 'its lines go to stdout for now' })
  if (profile) ctx.notBuilt(`'log ... profile'`, d.pos, { area: 'log profiles' })
  owner.logs.push(t)
}

/** The words of a `stick-table` line (and of a `table NAME` line of a peers section). */
export function parseStickTable(args: readonly string[], d: Directive): StickTableConfig {
  const st: StickTableConfig = { type: 'ip', size: 0, store: [], pos: d.pos }
  let sawType = false
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!
    const v = args[i + 1]
    const need = (): string => {
      if (v === undefined) throw new ConfigError(`'stick-table ${w}' expects a value`, d.pos)
      i++
      return v
    }
    if (w === 'type') {
      const t = need()
      if (t !== 'ip' && t !== 'ipv6' && t !== 'integer' && t !== 'string' && t !== 'binary') throw new ConfigError(`unknown stick-table type '${t}'; known: ip, ipv6, integer, string, binary`, d.pos)
      st.type = t
      sawType = true
      if ((t === 'string' || t === 'binary') && args[i + 1] === 'len') { i++; st.len = parseIntIn(args[++i] ?? '', d.pos, "'len'", 1, 65535) }
    } else if (w === 'size') st.size = parseSize(need(), d.pos)
    else if (w === 'expire') st.expire = parseDuration(need(), d.pos)
    else if (w === 'store') st.store.push(...need().split(','))
    else if (w === 'peers') st.peers = need()
    else if (w === 'nopurge' || w === 'write-to' || w === 'srvkey' || w === 'recv-only') { if (w !== 'nopurge' && w !== 'recv-only') need() }
    else throw new ConfigError(`unknown stick-table option '${w}'; known: type, size, expire, store, peers, nopurge, srvkey, write-to, recv-only`, d.pos)
  }
  if (!sawType) throw new ConfigError(`'stick-table' needs a type: stick-table type ip size 100k expire 30m`, d.pos)
  if (st.size === 0) throw new ConfigError(`'stick-table' needs a size: stick-table type ${st.type} size 100k`, d.pos)
  return st
}

export const proxyKeywords: readonly ProxyKeyword[] = [
  {
    kw: 'mode',
    parse(args, d, p, ctx) {
      const m = one('mode', args, d, "'tcp' or 'http'")
      if (m === 'health') throw new ConfigError(`'mode health' was removed from HAProxy; use 'monitor-uri' in an http frontend or 'monitor-net' instead`, d.pos)
      if (m !== 'tcp' && m !== 'http') throw new ConfigError(`unknown mode '${m}'; write 'mode tcp' or 'mode http'`, d.pos)
      p.mode = m
    },
  },
  { kw: 'bind', parse: (args, d, p, ctx) => { p.binds.push(parseBindLine(args, d, ctx as Ctx)) } },
  { kw: 'balance', parse: (args, d, p, ctx) => parseBalance(args, d, p, ctx as Ctx) },
  { kw: 'hash-type', parse: parseHashType },
  ...timeoutKeywords,
  {
    kw: 'redispatch',
    parse(args, d, p, ctx) {
      none('redispatch', args, d)
      p.options['redispatch'] = true
      ctx.warn(`'redispatch' is a 1.x keyword; edgelb reads it as 'option redispatch' (write that instead)`, d.pos)
    },
  },
  {
    kw: 'server',
    parse(args, d, p, ctx) { p.servers.push(uniqueServer(parseServerLine(args, d, p, ctx as Ctx), p, ctx)) },
  },
  { kw: 'default-server', parse: (args, d, p, ctx) => applyServerOptions(args, p.defaultServer, d, ctx as Ctx) },
  { kw: 'cookie', parse: parseCookie },
  countKw('maxconn', 'maxconn', 10_000_000),
  countKw('backlog', 'backlog', 1_000_000),
  countKw('fullconn', 'fullconn', 10_000_000),
  { kw: 'id', parse: (args, d, p) => { p.id = parseIntIn(one('id', args, d, 'a number'), d.pos, "'id'", 1, 2_147_483_647) } },
  { kw: 'retries', parse: (args, d, p) => { p.retries = parseIntIn(one('retries', args, d, 'a number'), d.pos, "'retries'", 0, 100) } },
  retryOnKeyword,
  { kw: 'grace', parse: (args, d, p) => { p.grace = parseDuration(one('grace', args, d, 'a duration'), d.pos) } },
  { kw: 'dispatch', parse: (args, d, p) => { p.dispatch = parseServerAddr(one('dispatch', args, d, 'an address'), d.pos) } },
  {
    kw: 'source',
    parse(args, d, p) {
      if (args.length === 0) throw new ConfigError(`'source' expects an address: source 10.0.0.1`, d.pos)
      p.source = parseSource(args[0]!, 'source', d.pos, { checkAddress: false })
    },
  },
  {
    kw: 'monitor-net',
    parse(args, d, p) { p.monitorNet.push(parseIpv4Net(one('monitor-net', args, d, 'a network'), d.pos)) },
  },
  {
    kw: 'http-reuse',
    parse(args, d, p) {
      const m = one('http-reuse', args, d, "'never', 'safe', 'aggressive' or 'always'")
      if (m !== 'never' && m !== 'safe' && m !== 'aggressive' && m !== 'always') throw new ConfigError(`unknown 'http-reuse' mode '${m}'; write never, safe, aggressive or always`, d.pos)
      p.httpReuse = m
    },
  },
  { kw: 'monitor-uri', parse: (args, d, p) => { p.monitorUri = one('monitor-uri', args, d, 'a path') } },
  { kw: 'default_backend', parse: (args, d, p) => { p.defaultBackend = one('default_backend', args, d, 'a backend name') } },
  {
    kw: 'use_backend',
    parse(args, d, p, ctx) {
      if (args.length === 0) throw new ConfigError(`'use_backend' expects a backend name: use_backend NAME [if|unless CONDITION]`, d.pos)
      p.useBackends.push({ kw: 'use_backend', args, pos: d.pos })
    },
  },
  {
    kw: 'acl',
    parse(args, d, p) {
      if (args.length < 2) throw new ConfigError(`'acl' expects a name and a criterion: acl NAME FETCH [flags] [values]`, d.pos)
      if (!/^[A-Za-z0-9_.:-]+$/.test(args[0]!)) throw new ConfigError(`invalid ACL name '${args[0]}'; use letters, digits, '_', '-', '.', ':'`, d.pos)
      p.acls.push({ kw: 'acl', args, pos: d.pos })
    },
  },
  { kw: 'disabled', parse: (args, d, p) => { none('disabled', args, d); p.disabled = true } },
  { kw: 'enabled', parse: (args, d, p) => { none('enabled', args, d); p.disabled = false } },
  { kw: 'log', parse: (args, d, p, ctx) => parseLog(args, d, p, ctx as Ctx) },
  { kw: 'log-tag', parse: (args, d, p) => { p.logTag = one('log-tag', args, d, 'a tag (the program name in syslog headers)') } },
  { kw: 'log-format', parse: (args, d, p) => { p.logFormat = one('log-format', args, d, 'a format string (quote it)') } },
  { kw: 'unique-id-format', parse: (args, d, p) => { p.uniqueIdFormat = one('unique-id-format', args, d, 'a format string (quote it)') } },
  {
    kw: 'load-server-state-from-file',
    parse(args, d, p) {
      const v = one('load-server-state-from-file', args, d, "'global', 'local' or 'none'")
      if (v !== 'global' && v !== 'local' && v !== 'none') throw new ConfigError(`'load-server-state-from-file' expects 'global', 'local' or 'none', got '${v}'`, d.pos)
      p.loadServerState = v
    },
  },
  {
    kw: 'server-state-file-name',
    parse(args, d, p) {
      if (args.length > 1) throw new ConfigError(`'server-state-file-name' takes at most a file name; remove '${args.slice(1).join(' ')}'`, d.pos)
      p.serverStateFileName = args[0] ?? 'use-backend-name'
    },
  },
  { kw: 'error-log-format', parse: (args, d, p) => { p.errorLogFormat = one('error-log-format', args, d, 'a format string (quote it)') } },
  { kw: 'unique-id-header', parse: (args, d, p) => { p.uniqueIdHeader = one('unique-id-header', args, d, 'a header name') } },
  ...(['request', 'response'] as const).map((kind): ProxyKeyword => ({
    kw: `capture ${kind} header`,
    parse(args, d, p) {
      const [header, lenKw, len] = args
      if (!header || lenKw !== 'len' || len === undefined || args.length !== 3) throw new ConfigError(`'capture ${kind} header' expects NAME len LENGTH`, d.pos)
      p.captures.push({ kind, header, len: parseIntIn(len, d.pos, "'len'", 1, 65535) })
    },
  })),
  {
    kw: 'errorfile',
    parse(args, d, p, ctx) {
      const [code, file] = args
      if (code === undefined || file === undefined || args.length !== 2) throw new ConfigError(`'errorfile' expects a status code and a file: errorfile 503 /etc/edgelb/errors/503.http`, d.pos)
      const n = parseIntIn(code, d.pos, 'errorfile status', 200, 599)
      if (!ERROR_STATUSES.includes(n)) {
        // HAProxy too ignores, with a warning, a page for a status it never answers itself.
        ctx.warn(`edgelb never answers ${n} itself, so 'errorfile ${n}' is ignored; statuses it answers: ${ERROR_STATUSES.join(', ')}`, d.pos)
        return
      }
      // Read now, so that a missing or unreadable file is refused with its line before anything binds.
      try {
        readFileSync(file)
      } catch (e) {
        throw new ConfigError(`errorfile ${n}: cannot read '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give the path of a file holding a whole HTTP response`, d.pos)
      }
      p.errorFiles[n] = file
    },
  },
  {
    kw: 'stick-table',
    parse(args, d, p) {
      p.stickTable = parseStickTable(args, d)
    },
  },
  rule('http-request'),
  rule('http-response'),
  rule('http-after-response'),
  rule('tcp-request connection'),
  rule('tcp-request session'),
  rule('tcp-request content'),
  rule('tcp-request inspect-delay'),
  rule('tcp-response content'),
  rule('tcp-response inspect-delay'),
  rule('stick on'),
  rule('stick match'),
  rule('stick store-request'),
  rule('stick store-response'),
  rule('redirect'),
  rule('use-server'),
  rule('force-persist'),
  rule('ignore-persist'),
  httpCheckRule('http-check connect'),
  httpCheckRule('http-check send'),
  httpCheckRule('http-check expect'),
  httpCheckRule('http-check disable-on-404'),
  httpCheckRule('http-check send-state'),
  httpCheckRule('http-check set-var'),
  httpCheckRule('http-check unset-var'),
  rule('tcp-check connect'),
  rule('tcp-check send'),
  rule('tcp-check send-binary'),
  rule('tcp-check expect'),
  rule('tcp-check comment'),
  ...statsKeywords,
  rule('stats admin'),
  rule('stats http-request'),
  ...optionKeywords,
  ...compressionKeywords,
  serverTemplateKeyword,
  {
    // `filter compression` and `filter cache NAME` declare what `compression …` and the cache
    // actions do anyway (HAProxy needs them written when other filters are): accepted. Any other
    // filter (SPOE, bandwidth limits, traces…) is not implemented, and protects.
    kw: 'filter',
    parse(args, d, p, ctx) {
      const kind = args[0]
      if (kind === 'compression' && args.length === 1) return
      if (kind === 'cache' && args.length === 2) return
      ;(ctx as Ctx).notBuilt(`'filter'`, d.pos, { protects: 'filter' })
    },
  },
  { kw: 'external-check command', parse: (args, d, p) => { (p.externalCheck ??= {}).command = one('external-check command', args, d, 'a program') } },
  { kw: 'external-check path', parse: (args, d, p) => { (p.externalCheck ??= {}).path = one('external-check path', args, d, 'a PATH') } },
  { kw: 'clitcpka-idle', parse: (args, d, p) => { p.cliTcpkaIdle = parseDuration(one('clitcpka-idle', args, d, 'a duration'), d.pos) } },
  { kw: 'srvtcpka-idle', parse: (args, d, p) => { p.srvTcpkaIdle = parseDuration(one('srvtcpka-idle', args, d, 'a duration'), d.pos) } },
]
