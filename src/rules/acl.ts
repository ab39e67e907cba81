/**
 * ACLs and conditions.
 *
 *   acl NAME CRITERION [-i] [-f FILE] [-m METHOD] [--] [PATTERN…]     (declared several times: OR)
 *   … if|unless [!]ACL [!]{ CRITERION … } … [|| …]                   (implicit AND, `||`/`or`)
 *
 * A criterion is a sample expression whose fetch may be an ACL keyword with an implied match
 * method (`path_beg` = `path -m beg`, `hdr_sub(host)` = `req.hdr(host) -m sub`); without `-m`
 * the method follows the sample type (string → str, integer → int, address → ip, boolean → bool).
 *
 * Evaluation is three-valued as in HAProxy: PASS, FAIL, or MISS when a volatile fetch lacked
 * request bytes that may still arrive (tcp-request content waits then). Encoded so that AND is
 * `&`, OR is `|`:  FAIL = 0, MISS = 1, PASS = 3. A suite (AND) stops at the first FAIL, a
 * condition (OR of suites) at the first PASS, so only what is needed is fetched.
 */
import { aclKeywords as knownAclKeywords, predefinedAcls as knownPredefined } from '../model/dictionary/fetches.ts'
import { ConfigError, type SourcePos } from '../model/source.ts'
import type { RuleConfig } from '../model/types.ts'
import { evalState, type CompileCtx, type CompiledExpr } from './context.ts'
import { compileSyntax, unknownFetch } from './expr.ts'
import { parseExpr } from './expr-syntax.ts'
import { findFetch } from './fetches.ts'
import { createIndex, MATCH_KINDS, PATTERNLESS, type MatchKind, type PatternIndex } from './pattern.ts'
import type { Sample, SampleType, StreamView } from './types.ts'

export const FAIL = 0
export const MISS = 1
export const PASS = 3
export type Tri = 0 | 1 | 3
const NEG: readonly Tri[] = [PASS, MISS, FAIL, FAIL]

export type Test = (s: StreamView) => Tri

/** ACL keywords: a fetch with an implied match method. */
interface AclKeyword {
  fetch: string
  match?: MatchKind
}

const DERIVED_BASES: Readonly<Record<string, string>> = {
  base: 'base', cook: 'req.cook', hdr: 'req.hdr', path: 'path', scook: 'res.cook', shdr: 'res.hdr', url: 'url', urlp: 'url_param',
}
const SUFFIX_MATCH: Readonly<Record<string, MatchKind>> = {
  '': 'str', _beg: 'beg', _dir: 'dir', _dom: 'dom', _end: 'end', _len: 'len', _reg: 'reg', _sub: 'sub',
}

const ACL_KEYWORDS = new Map<string, AclKeyword>()
for (const [base, fetch] of Object.entries(DERIVED_BASES)) {
  for (const [suffix, match] of Object.entries(SUFFIX_MATCH)) ACL_KEYWORDS.set(base + suffix, { fetch, match })
}
for (const [kw, fetch] of [['method', 'method'], ['req_ver', 'req.ver'], ['resp_ver', 'res.ver'], ['req_ssl_sni', 'req.ssl_sni'], ['req_ssl_ver', 'req.ssl_ver'], ['req.ssl_ver', 'req.ssl_ver'], ['payload', 'req.payload'], ['payload_lv', 'req.payload_lv'], ['req_rdp_cookie', 'req.rdp_cookie'], ['req_rdp_cookie_cnt', 'req.rdp_cookie_cnt']] as const) {
  ACL_KEYWORDS.set(kw, { fetch, ...(kw.startsWith('payload') ? { match: 'bin' as const } : {}) })
}

ACL_KEYWORDS.set('ssl_fc_sni_end', { fetch: 'ssl_fc_sni', match: 'end' }).set('ssl_fc_sni_reg', { fetch: 'ssl_fc_sni', match: 'reg' })

const ACL_KEYWORD_NAMES: readonly string[] = [...ACL_KEYWORDS.keys()]

const DEFAULT_MATCH: Readonly<Record<SampleType, MatchKind>> = { str: 'str', int: 'int', bool: 'bool', ip: 'ip', bin: 'bin', any: 'str' }

/** The predefined ACLs, as the criterion lines HAProxy defines them with. */
const PREDEFINED: Readonly<Record<string, string[]>> = {
  TRUE: ['always_true'],
  FALSE: ['always_false'],
  HTTP: ['req.proto_http'],
  'HTTP_1.0': ['req.ver', '1.0'],
  'HTTP_1.1': ['req.ver', '1.1'],
  'HTTP_2.0': ['req.ver', '2.0'],
  'HTTP_3.0': ['req.ver', '3.0'],
  HTTP_CONTENT: ['req.hdr_val(content-length)', 'gt', '0'],
  HTTP_URL_ABS: ['url_reg', '^[^/:]*://'],
  HTTP_URL_SLASH: ['url_beg', '/'],
  HTTP_URL_STAR: ['url', '*'],
  LOCALHOST: ['src', '127.0.0.1/8', '::1'],
  METH_CONNECT: ['method', 'CONNECT'],
  METH_DELETE: ['method', 'DELETE'],
  METH_GET: ['method', 'GET', 'HEAD'],
  METH_HEAD: ['method', 'HEAD'],
  METH_OPTIONS: ['method', 'OPTIONS'],
  METH_POST: ['method', 'POST'],
  METH_PUT: ['method', 'PUT'],
  METH_TRACE: ['method', 'TRACE'],
  RDP_COOKIE: ['req.rdp_cookie_cnt', 'gt', '0'],
  REQ_CONTENT: ['req.len', 'gt', '0'],
  WAIT_END: ['wait_end'],
}

const INT_OPS: Readonly<Record<string, (n: number) => string>> = {
  eq: (n) => `${n}`, ge: (n) => `${n}:`, gt: (n) => `${n + 1}:`, le: (n) => `:${n}`, lt: (n) => `:${n - 1}`,
}

/** One ACL line's criterion and patterns, compiled. */
export function compileTerm(words: readonly string[], ctx: CompileCtx): Test {
  const [crit, ...rest] = words
  if (crit === undefined) throw new ConfigError(`an ACL needs a criterion (a fetch, e.g. path_beg /api)`, ctx.at)
  const syn = parseExpr(crit, ctx.at)
  let implied: MatchKind | undefined
  if (!findFetch(syn.fetch.name)) {
    const kw = ACL_KEYWORDS.get(syn.fetch.name)
    if (kw) {
      implied = kw.match
      syn.fetch = { ...syn.fetch, name: kw.fetch }
    } else if (knownAclKeywords.includes(syn.fetch.name)) {
      throw new ConfigError(`ACL keyword '${syn.fetch.name}' is not implemented yet`, ctx.at)
    } else throw unknownFetch(syn.fetch.name, ctx, ACL_KEYWORD_NAMES)
  }
  const expr = compileSyntax(syn, ctx)

  let icase = false
  let match: MatchKind | undefined
  const files: string[] = []
  let mapFiles = false
  let i = 0
  for (; i < rest.length; i++) {
    const w = rest[i]!
    if (w === '--') { i++; break }
    if (!w.startsWith('-') || /^-\d/.test(w)) break
    if (w === '-i') icase = true
    else if (w === '-n') {} // no DNS resolution: edgelb never resolves patterns
    else if (w === '-M') mapFiles = true
    else if (w === '-f' || w === '-m' || w === '-u') {
      const v = rest[++i]
      if (v === undefined) throw new ConfigError(`ACL flag '${w}' expects a value`, ctx.at)
      if (w === '-f') files.push(v)
      else if (w === '-m') {
        if (!(MATCH_KINDS as readonly string[]).includes(v)) throw new ConfigError(`unknown match method '-m ${v}'; known: ${MATCH_KINDS.join(', ')}`, ctx.at)
        match = v as MatchKind
      }
    } else throw new ConfigError(`unknown ACL flag '${w}'; known: -i, -f FILE, -m METHOD, -n, -M, -u ID, --`, ctx.at)
  }
  const kind: MatchKind = match ?? implied ?? DEFAULT_MATCH[expr.type]
  const patterns = rest.slice(i)

  if (PATTERNLESS.has(kind)) {
    if (patterns.length > 0 || files.length > 0) throw new ConfigError(`match method '${kind}' takes no pattern; remove '${[...patterns, ...files].join(' ')}'`, ctx.at)
    return termOf(expr, kind === 'found' ? (v) => v !== undefined : (v) => v === true || (v !== false && v !== 0 && v !== '' && v !== '0'))
  }

  const indexes: PatternIndex<string>[] = []
  if (patterns.length > 0) {
    const inline = createIndex<string>(kind, icase)
    for (let k = 0; k < patterns.length; k++) {
      let p = patterns[k]!
      if ((kind === 'int' || kind === 'len') && Object.hasOwn(INT_OPS, p)) {
        const n = patterns[++k]
        if (n === undefined || !/^-?\d+$/.test(n)) throw new ConfigError(`'${p}' expects an integer after it`, ctx.at)
        p = INT_OPS[p]!(Number(n))
      }
      try {
        inline.add(p, '')
      } catch (e) {
        throw new ConfigError((e as Error).message, ctx.at)
      }
    }
    indexes.push(inline)
  }
  for (const f of files) indexes.push(ctx.maps.index(f, ctx.fileDir, kind, { icase, whole: !mapFiles, at: ctx.at }))
  if (indexes.length === 0) return () => FAIL // HAProxy: an ACL without pattern never matches

  if (indexes.length === 1) {
    const idx = indexes[0]!
    return termOf(expr, (v) => idx.lookup(v) !== undefined)
  }
  return termOf(expr, (v) => {
    for (let k = 0; k < indexes.length; k++) if (indexes[k]!.lookup(v) !== undefined) return true
    return false
  })
}

function termOf(expr: CompiledExpr, matches: (v: Sample) => boolean): Test {
  const { fn, any, volatile } = expr
  if (any) {
    const some = any(matches)
    if (!volatile) return (s) => (some(s) ? PASS : FAIL)
    return (s) => {
      evalState.mayChange = false
      return some(s) ? PASS : evalState.mayChange ? MISS : FAIL
    }
  }
  if (!volatile) {
    return (s) => {
      const v = fn(s)
      return v !== undefined && matches(v) ? PASS : FAIL
    }
  }
  return (s) => {
    evalState.mayChange = false
    const v = fn(s)
    return v !== undefined && matches(v) ? PASS : evalState.mayChange ? MISS : FAIL
  }
}

/** The named ACLs of one proxy: every declaration of a name is ORed, in declaration order. */
export class AclSet {
  readonly #decls = new Map<string, RuleConfig[]>()
  readonly #compiled = new Map<string, Test>()
  readonly #ctx: Omit<CompileCtx, 'at'>
  readonly #onError: ((e: ConfigError) => void) | undefined

  /** `onError`: report a bad ACL line and treat the ACL as never matching, instead of throwing. */
  constructor(acls: readonly RuleConfig[], ctx: Omit<CompileCtx, 'at'>, onError?: (e: ConfigError) => void) {
    this.#ctx = ctx
    this.#onError = onError
    for (const a of acls) {
      const name = a.args[0]!
      let list = this.#decls.get(name)
      if (!list) this.#decls.set(name, (list = []))
      list.push(a)
    }
  }

  /** Compiles every declared ACL, including unused ones (so `edgelb check` reports them). */
  compileAll(): void {
    for (const name of this.#decls.keys()) this.get(name, this.#decls.get(name)![0]!.pos)
  }

  names(): string[] {
    return [...this.#decls.keys()]
  }

  /** The test of ACL `name`: declared, predefined, or undefined. */
  get(name: string, at: SourcePos): Test | undefined {
    const done = this.#compiled.get(name)
    if (done) return done
    const decls = this.#decls.get(name)
    let t: Test | undefined
    if (decls) {
      const tests = decls.map((d) => {
        if (!this.#onError) return compileTerm(d.args.slice(1), { ...this.#ctx, at: d.pos })
        try {
          return compileTerm(d.args.slice(1), { ...this.#ctx, at: d.pos })
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e
          this.#onError(e)
          return (() => FAIL) as Test
        }
      })
      t = orOf(tests)
    } else if (Object.hasOwn(PREDEFINED, name)) {
      t = compileTerm(PREDEFINED[name]!, { ...this.#ctx, at })
    }
    if (t) this.#compiled.set(name, t)
    return t
  }
}

function orOf(tests: Test[]): Test {
  if (tests.length === 1) return tests[0]!
  return (s) => {
    let r: number = FAIL
    for (let i = 0; i < tests.length; i++) {
      r |= tests[i]!(s)
      if (r === PASS) return PASS
    }
    return r as Tri
  }
}

function andOf(tests: Test[]): Test {
  if (tests.length === 1) return tests[0]!
  if (tests.length === 2) {
    const [a, b] = tests as [Test, Test]
    return (s) => {
      const x = a(s)
      return x === FAIL ? FAIL : ((x & b(s)) as Tri)
    }
  }
  return (s) => {
    let r: number = PASS
    for (let i = 0; i < tests.length; i++) {
      r &= tests[i]!(s)
      if (r === FAIL) return FAIL
    }
    return r as Tri
  }
}

/**
 * Splits `… if|unless COND` off a rule's words. Returns the words before the keyword and the
 * compiled condition (undefined when there is none).
 */
export function splitCondition(words: readonly string[], acls: AclSet, ctx: CompileCtx): { head: string[]; cond: Test | undefined } {
  const k = words.findIndex((w) => w === 'if' || w === 'unless')
  if (k < 0) return { head: [...words], cond: undefined }
  const condWords = words.slice(k + 1)
  if (condWords.length === 0) throw new ConfigError(`'${words[k]}' expects a condition`, ctx.at)
  const test = compileCondition(condWords, acls, ctx)
  return { head: words.slice(0, k), cond: words[k] === 'unless' ? (s) => NEG[test(s)]! : test }
}

/** `[!]TERM … [|| …]`: TERM is an ACL name or `{ CRITERION … }`; `or` in any case is `||`, as
 *  HAProxy reads it. */
export function compileCondition(words: readonly string[], acls: AclSet, ctx: CompileCtx): Test {
  const suites: Test[] = []
  let terms: Test[] = []
  for (let i = 0; i < words.length; i++) {
    let w = words[i]!
    if (w === '||' || w.toLowerCase() === 'or') {
      if (terms.length === 0) throw new ConfigError(`'${w}' needs a condition on each side`, ctx.at)
      suites.push(andOf(terms))
      terms = []
      continue
    }
    let neg = false
    while (w.startsWith('!')) {
      neg = !neg
      w = w.slice(1)
      if (w === '') {
        w = words[++i] ?? ''
        if (w === '') throw new ConfigError(`'!' must be followed by an ACL`, ctx.at)
      }
    }
    let t: Test
    if (w === '{') {
      const end = words.indexOf('}', i + 1)
      if (end < 0) throw new ConfigError(`missing '}' to close the anonymous ACL`, ctx.at)
      t = compileTerm(words.slice(i + 1, end), ctx)
      i = end
    } else if (w === '}' || w === 'if' || w === 'unless') {
      throw new ConfigError(`unexpected '${w}' in a condition`, ctx.at)
    } else {
      const named = acls.get(w, ctx.at)
      if (named) t = named
      else if (findFetch(w) && findFetch(w)!.type === 'bool') t = compileTerm([w], ctx)
      else if (knownPredefined.includes(w)) throw new ConfigError(`predefined ACL '${w}' is not implemented yet`, ctx.at)
      else throw new ConfigError(`unknown ACL '${w}'; declare it with 'acl ${w} …' or write an anonymous ACL: { FETCH PATTERN }`, ctx.at)
    }
    terms.push(neg ? (s) => NEG[t(s)]! : t)
  }
  if (terms.length === 0) throw new ConfigError(`a condition cannot end with '||'`, ctx.at)
  suites.push(andOf(terms))
  return orOf(suites)
}
