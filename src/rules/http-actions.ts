/**
 * The `http-request` and `http-response` action tables. An action compiles to
 * `(stream) => verdict | undefined`: undefined lets the next rule run, a verdict stops the rule
 * set (`allow` stops it with `continue`). Header and request-line actions edit the heads in place.
 */
import { ConfigError } from '../model/source.ts'
import { reasonOf } from '../http/errors.ts'
import type { H1Head } from '../http/types.ts'
import { effectActions, type ActionCtx, type ActionKeyword } from './common-actions.ts'
import { compileLogFormat } from './log-format.ts'
import { fieldValue, uriPath, uriPathq, uriPrefix, uriQuery, splitCommas } from './http-sample.ts'
import { fragmentEncode, fragmentStrip, mergeSlashes, percentDecodeUnreserved, percentUpper, sortQuery, stripDot, stripDotdot } from '../http/uri-normalizer.ts'
import { expandGroups } from './pattern.ts'
import { parseRedirect, parseReplyOptions } from './reply.ts'
import { CONTINUE, REJECT, type HttpVerdict, type StreamView } from './types.ts'
import { haproxyRegex } from './regex.ts'
import { CACHE_REQUEST_ACTIONS, CACHE_RESPONSE_ACTIONS } from './cache-actions.ts'
import { WAIT_FOR_BODY_ACTION } from './wait-for-body.ts'

export type HttpAction = (s: StreamView) => HttpVerdict | undefined
type HttpActionKeyword = ActionKeyword<HttpAction>

function regexOf(text: string, ctx: ActionCtx): RegExp {
  try {
    return haproxyRegex(text)
  } catch (e) {
    throw new ConfigError(`invalid regular expression '${text}': ${(e as Error).message}`, ctx.at)
  }
}

/** HAProxy's regex replacement: when `re` matches, the whole value becomes `repl` with `\N`
 *  replaced by the groups (so unanchored text outside the match is dropped, as in HAProxy). */
function regReplace(value: string, re: RegExp, repl: string): string | undefined {
  const m = re.exec(value)
  return m === null ? undefined : expandGroups(repl, m)
}

function expect(kw: string, args: string[], n: number, usage: string, ctx: ActionCtx): void {
  if (args.length !== n) throw new ConfigError(`'${kw}' expects ${usage}`, ctx.at)
}

/** `replace-value`: regReplace on each comma-separated value of a field (undefined: none matched). */
function replaceEachValue(field: string, re: RegExp, repl: string): string | undefined {
  const values = splitCommas(field)
  let changed = false
  for (let k = 0; k < values.length; k++) {
    const out = regReplace(values[k]!, re, repl)
    if (out !== undefined) { values[k] = out; changed = true }
  }
  return changed ? values.join(', ') : undefined
}

type HeadOf = (s: StreamView) => H1Head | null

function headerActions(head: HeadOf): HttpActionKeyword[] {
  /** `replace-header` / `replace-value NAME REGEX FORMAT`: `rewrite` each field named NAME. */
  const replace = (kw: string, example: string, rewrite: typeof regReplace): HttpActionKeyword => ({
    kw,
    compile(args, ctx) {
      expect(kw, args, 3, `a name, a regex and a replacement: ${example}`, ctx)
      const lname = args[0]!.toLowerCase()
      const re = regexOf(args[1]!, ctx)
      const repl = compileLogFormat(args[2]!, ctx)
      return (s) => {
        const h = head(s)?.headers
        if (!h) return undefined
        let r: string | undefined
        for (let i = h.find(lname, 0); i >= 0; i = h.find(lname, i + 1)) {
          const out = rewrite(fieldValue(h, i), re, (r ??= repl(s)))
          if (out !== undefined) h.setValue(i, out)
        }
        return undefined
      }
    },
  })
  return [
    {
      kw: 'set-header',
      compile(args, ctx) {
        expect('set-header', args, 2, 'a name and a value format: set-header X-Forwarded-Proto https', ctx)
        const name = args[0]!
        const v = compileLogFormat(args[1]!, ctx)
        return (s) => { head(s)?.headers.set(name, v(s)); return undefined }
      },
    },
    {
      kw: 'add-header',
      compile(args, ctx) {
        expect('add-header', args, 2, 'a name and a value format: add-header X-Via edgelb', ctx)
        const name = args[0]!
        const v = compileLogFormat(args[1]!, ctx)
        return (s) => { head(s)?.headers.add(name, v(s)); return undefined }
      },
    },
    {
      kw: 'del-header',
      compile(args, ctx) {
        const name = args[0]
        if (name === undefined || (args.length !== 1 && !(args.length === 3 && args[1] === '-m'))) {
          throw new ConfigError(`'del-header' expects a name [-m str|beg|end|sub|reg]`, ctx.at)
        }
        const how = args[2] ?? 'str'
        const lname = name.toLowerCase()
        if (how === 'str') return (s) => { head(s)?.headers.remove(lname); return undefined }
        const tests: Record<string, (n: string) => boolean> = {
          beg: (n) => n.startsWith(lname), end: (n) => n.endsWith(lname), sub: (n) => n.includes(lname),
        }
        let test = tests[how]
        if (how === 'reg') { const re = regexOf(name, ctx); test = (n) => re.test(n) }
        if (!test) throw new ConfigError(`'del-header … -m ${how}': use str, beg, end, sub or reg`, ctx.at)
        const t = test
        return (s) => {
          const h = head(s)?.headers
          if (!h) return undefined
          for (let i = h.count - 1; i >= 0; i--) if (t(h.name(i).toLowerCase())) h.removeAt(i)
          return undefined
        }
      },
    },
    replace('replace-header', 'replace-header Host (.*):80 \\1', regReplace),
    replace('replace-value', 'replace-value X-Forwarded-For ^192\\.168\\.(.*)$ 172.16.\\1', replaceEachValue),
  ]
}

function requestLineActions(): HttpActionKeyword[] {
  const one = (kw: string, apply: (h: H1Head, v: string) => void): HttpActionKeyword => ({
    kw,
    compile(args, ctx) {
      expect(kw, args, 1, 'one format string', ctx)
      const v = compileLogFormat(args[0]!, ctx)
      return (s) => { if (s.req) apply(s.req, v(s)); return undefined }
    },
  })
  const rewrite = (kw: string, read: (h: H1Head) => string, write: (h: H1Head, v: string) => void): HttpActionKeyword => ({
    kw,
    compile(args, ctx) {
      expect(kw, args, 2, 'a regex and a replacement format', ctx)
      const re = regexOf(args[0]!, ctx)
      const repl = compileLogFormat(args[1]!, ctx)
      return (s) => {
        if (!s.req) return undefined
        const out = regReplace(read(s.req), re, repl(s))
        if (out !== undefined) write(s.req, out)
        return undefined
      }
    },
  })
  // An absolute-form URI keeps its scheme and authority when its path or query is rewritten.
  const setPath = (h: H1Head, path: string): void => { const q = uriQuery(h.uri); h.uri = uriPrefix(h.uri) + (q === undefined ? path : `${path}?${q}`) }
  const setPathq = (h: H1Head, pathq: string): void => { h.uri = uriPrefix(h.uri) + pathq }
  return [
    one('set-method', (h, v) => { h.method = v }),
    one('set-uri', (h, v) => { h.uri = v }),
    one('set-path', setPath),
    one('set-pathq', setPathq),
    one('set-query', (h, v) => { const p = uriPrefix(h.uri) + uriPath(h.uri); h.uri = v === '' ? p : `${p}?${v}` }),
    rewrite('replace-uri', (h) => h.uri, (h, v) => { h.uri = v }),
    rewrite('replace-path', (h) => uriPath(h.uri), setPath),
    rewrite('replace-pathq', (h) => uriPathq(h.uri), setPathq),
  ]
}

const allow: HttpActionKeyword = {
  kw: 'allow',
  compile(args, ctx) {
    expect('allow', args, 0, 'no argument', ctx)
    return () => CONTINUE
  },
}

function denyLike(kw: 'deny' | 'tarpit', defaultStatus: number): HttpActionKeyword {
  return {
    kw,
    compile(args, ctx) {
      const o = parseReplyOptions(kw, args, ctx, defaultStatus)
      if (!o.hasBody) {
        const v: HttpVerdict = Object.freeze({ kind: kw, status: o.status })
        return () => v
      }
      if (o.constant) {
        const v: HttpVerdict = Object.freeze({ kind: kw, status: o.status, reply: o.constant })
        return () => v
      }
      const build = o.build
      return (s) => ({ kind: kw, status: o.status, reply: build(s) })
    },
  }
}

const returnAction: HttpActionKeyword = {
  kw: 'return',
  compile(args, ctx) {
    const o = parseReplyOptions('return', args, ctx, 200)
    if (o.constant) {
      const v: HttpVerdict = Object.freeze({ kind: 'reply', reply: o.constant })
      return () => v
    }
    const build = o.build
    return (s) => ({ kind: 'reply', reply: build(s) })
  },
}

const redirect: HttpActionKeyword = {
  kw: 'redirect',
  compile(args, ctx) {
    const build = parseRedirect(args, ctx)
    return (s) => { const reply = build(s); return reply === undefined ? undefined : { kind: 'reply', reply } }
  },
}

/** `http-request auth [realm REALM]`: asks for credentials, HAProxy's 401 with
 *  `WWW-Authenticate: Basic realm="REALM"` (the proxy's name by default). It lets nothing
 *  through: whether a request's credentials are good is for the rule's condition to say
 *  (`unless { http_auth(…) }`). */
const auth: HttpActionKeyword = {
  kw: 'auth',
  compile(args, ctx) {
    let realm = ctx.proxy
    if (args.length > 0) {
      if (args[0] !== 'realm' || args[1] === undefined || args[1] === '' || args.length > 2) {
        throw new ConfigError(`'auth' expects nothing or 'realm NAME': http-request auth realm "Admin area"`, ctx.at)
      }
      realm = args[1]
    }
    const v: HttpVerdict = Object.freeze({
      kind: 'reply',
      reply: Object.freeze({
        status: 401,
        headers: [['content-type', 'text/html'], ['cache-control', 'no-cache'], ['www-authenticate', `Basic realm="${realm}"`]] as [string, string][],
        body: AUTH_PAGE,
      }),
    })
    return () => v
  },
}

/** HAProxy's 401 page. */
const AUTH_PAGE = '<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n'

const reject: HttpActionKeyword = {
  kw: 'reject',
  compile(args, ctx) {
    expect('reject', args, 0, 'no argument', ctx)
    return () => REJECT
  },
}

const silentDrop: HttpActionKeyword = { kw: 'silent-drop', compile: () => () => REJECT }

/** `normalize-uri NORMALIZER [full|strict]`: the path (with or without its query, as each
 *  normalizer works) rewritten in place; `*` and authority-form targets are left alone. A strict
 *  normalizer meeting an invalid `%` escape makes the request a bad one (400). */
const normalizeUri: HttpActionKeyword = {
  kw: 'normalize-uri',
  compile(args, ctx) {
    const [name, flag, ...rest] = args
    const strictOk = name === 'percent-to-uppercase' || name === 'percent-decode-unreserved'
    if (rest.length > 0 || (flag !== undefined && !((flag === 'full' && name === 'path-strip-dotdot') || (flag === 'strict' && strictOk)))) {
      throw new ConfigError(`unexpected '${[flag, ...rest].join(' ')}' after 'normalize-uri ${name ?? ''}'`, ctx.at)
    }
    const strict = flag === 'strict'
    // Each normalizer: what it reads ('path': without the query, 'pathq': with it) and does.
    const forms: Record<string, ['path' | 'pathq' | 'query', (s: string) => string | undefined]> = {
      'path-merge-slashes': ['path', mergeSlashes],
      'path-strip-dot': ['path', stripDot],
      'path-strip-dotdot': ['path', (p) => stripDotdot(p, flag === 'full')],
      'query-sort-by-name': ['query', sortQuery],
      'percent-to-uppercase': ['pathq', (p) => percentUpper(p, strict)],
      'percent-decode-unreserved': ['pathq', (p) => percentDecodeUnreserved(p, strict)],
      'fragment-strip': ['pathq', fragmentStrip],
      'fragment-encode': ['pathq', fragmentEncode],
    }
    const form = name === undefined ? undefined : forms[name]
    if (!form) throw new ConfigError(`'normalize-uri' expects a normalizer: ${Object.keys(forms).join(', ')}`, ctx.at)
    const [part, fn] = form
    return (s) => {
      const h = s.req
      if (!h || h.uri === '*') return undefined
      const prefix = uriPrefix(h.uri)
      const pathq = h.uri.slice(prefix.length)
      if (pathq === '' || pathq[0] !== '/') return undefined
      const q = pathq.indexOf('?')
      const path = q < 0 ? pathq : pathq.slice(0, q)
      const query = q < 0 ? '' : pathq.slice(q)
      let out: string | undefined
      if (part === 'path') { const p = fn(path); out = p === undefined ? undefined : p + query }
      else if (part === 'query') out = query === '' ? pathq : path + fn(query)!
      else out = fn(pathq)
      if (out === undefined) return BAD_REQUEST
      if (out !== pathq) h.uri = prefix + out
      return undefined
    }
  },
}

const BAD_REQUEST: HttpVerdict = Object.freeze({ kind: 'deny', status: 400 })

const setStatus: HttpActionKeyword = {
  kw: 'set-status',
  compile(args, ctx) {
    const n = Number(args[0])
    if (!(n >= 100 && n <= 999) || (args.length !== 1 && !(args.length === 3 && args[1] === 'reason'))) {
      throw new ConfigError(`'set-status' expects a status and optionally 'reason TEXT': set-status 503 reason "Maintenance"`, ctx.at)
    }
    const reason = args[2] ?? reasonOf(n)
    return (s) => {
      if (s.res) { s.res.status = n; s.res.reason = reason }
      return undefined
    }
  },
}

const effects = effectActions<HttpVerdict>()

/** The services edgelb runs for `use-service` (src/stats/ provides them). */
const SERVICES: readonly string[] = ['prometheus-exporter']

/** `use-service NAME`: the named service answers the request (a final action). */
const useService: HttpActionKeyword = {
  kw: 'use-service',
  implemented: (args) => SERVICES.includes(args[0] ?? ''),
  compile(args, ctx) {
    expect('use-service', args, 1, `a service name: ${SERVICES.join(', ')}`, ctx)
    const v: HttpVerdict = Object.freeze({ kind: 'service', name: args[0]! })
    return () => v
  },
}

/** `disable-l7-retry`: the request is sent again only when its connection fails, whatever else
 *  `retry-on` says (a request that must not reach a server twice). */
const disableL7Retry: HttpActionKeyword = {
  kw: 'disable-l7-retry',
  compile(args, ctx) {
    expect('disable-l7-retry', args, 0, 'no argument', ctx)
    return (s) => { s.l7RetryOff = true; return undefined }
  },
}

export const HTTP_REQUEST_ACTIONS: readonly HttpActionKeyword[] = [
  allow,
  denyLike('deny', 403),
  denyLike('tarpit', 500),
  reject,
  silentDrop,
  auth,
  returnAction,
  redirect,
  useService,
  ...headerActions((s) => s.req),
  ...requestLineActions(),
  normalizeUri,
  disableL7Retry,
  ...CACHE_REQUEST_ACTIONS,
  WAIT_FOR_BODY_ACTION,
  ...effects,
]

export const HTTP_RESPONSE_ACTIONS: readonly HttpActionKeyword[] = [
  allow,
  denyLike('deny', 502),
  silentDrop,
  returnAction,
  redirect,
  setStatus,
  ...headerActions((s) => s.res),
  ...CACHE_RESPONSE_ACTIONS,
  // The connection's addresses are the request side's to change.
  ...effects.filter((e) => !/^set-(src|dst)/.test(e.kw)),
]
