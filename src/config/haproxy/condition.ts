/**
 * HAProxy's condition expressions, as `.if`/`.elif` blocks and `haproxy -cc EXPR` evaluate them:
 * terms joined by `&&` (binding tighter) and `||`, `!` and parentheses; a term is a number (0 is
 * false) or a predicate: `defined(VAR)`, `feature(NAME)`, `streq(A,B)`, `strneq(A,B)`,
 * `strstr(A,B)`, `version_atleast(V)`, `version_before(V)`.
 *
 * edgelb answers as the HAProxy version whose configuration language it speaks (COMPAT_VERSION),
 * and `feature()` is true only for what edgelb has (FEATURES): a configuration or a test suite
 * that asks "is TLS built in?" gets the truth.
 */
import type { Env } from './tokenizer.ts'

/** The HAProxy version edgelb's configuration language matches. */
export const COMPAT_VERSION = '2.6.0'

/** HAProxy build features (`haproxy -vv`'s "Feature list") that edgelb has, by HAProxy's names:
 *  OPENSSL (TLS on binds and servers), PROMEX (the Prometheus exporter), LINUX_SPLICE (`option
 *  splice-*`). Those it has not (LUA, PCRE/PCRE2, …) join when they are built. */
export const FEATURES: ReadonlySet<string> = new Set<string>(['OPENSSL', 'PROMEX', 'LINUX_SPLICE'])

export const PREDICATES = ['defined', 'streq', 'strneq', 'feature', 'version_atleast', 'version_before', 'strstr'] as const

/** `2.5-dev0` → [2, 5, 0, -1, 0]; a release sorts after its dev versions. */
function versionKey(v: string): number[] | undefined {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-dev(\d+))?/.exec(v.trim())
  if (!m) return undefined
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0), m[4] === undefined ? 0 : -1, Number(m[4] ?? 0)]
}

/** Negative, zero or positive as `a` is before, equal to or after `b`; undefined if either is not a version. */
export function compareVersions(a: string, b: string): number | undefined {
  const ka = versionKey(a)
  const kb = versionKey(b)
  if (!ka || !kb) return undefined
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!
  return 0
}

class CondError extends Error {}

/** Evaluates `expr`; `{ error }` says what could not be read, naming `label` (what holds it). */
export function evalCondition(expr: string, env: Env, label = "'.if'"): { value: boolean } | { error: string } {
  const src = expr.trim()
  if (src === '') return { error: `${label} needs a condition` }
  let i = 0
  const skip = (): void => { while (src[i] === ' ' || src[i] === '\t') i++ }
  const orExpr = (): boolean => {
    let v = andExpr()
    for (skip(); src.startsWith('||', i); skip()) { i += 2; const r = andExpr(); v = v || r }
    return v
  }
  const andExpr = (): boolean => {
    let v = unary()
    for (skip(); src.startsWith('&&', i); skip()) { i += 2; const r = unary(); v = v && r }
    return v
  }
  const unary = (): boolean => {
    skip()
    if (src[i] === '!') { i++; return !unary() }
    if (src[i] === '(') {
      i++
      const v = orExpr()
      skip()
      if (src[i] !== ')') throw new CondError(`missing ')' in ${label} condition '${src}'`)
      i++
      return v
    }
    return term()
  }
  const term = (): boolean => {
    const m = /^(-?\d+)|^([a-z_]+)\(([^()]*)\)/.exec(src.slice(i))
    if (!m) throw new CondError(`cannot evaluate ${label} term '${src.slice(i).trim()}'`)
    i += m[0].length
    if (m[1] !== undefined) return Number(m[1]) !== 0
    const args = m[3]!.split(',').map((a) => a.trim().replace(/^"(.*)"$|^'(.*)'$/, '$1$2'))
    return predicate(m[2]!, args)
  }
  const predicate = (fn: string, args: string[]): boolean => {
    const a = args[0] ?? ''
    const b = args[1] ?? ''
    switch (fn) {
      case 'defined': return env[a] !== undefined
      case 'feature': return FEATURES.has(a)
      case 'streq': return a === b
      case 'strneq': return a !== b
      case 'strstr': return a.includes(b)
      case 'version_atleast':
      case 'version_before': {
        const c = compareVersions(COMPAT_VERSION, a)
        if (c === undefined) throw new CondError(`'${a}' is not a version (X.Y[.Z][-devN])`)
        return fn === 'version_atleast' ? c >= 0 : c < 0
      }
      default:
        throw new CondError(`unknown ${label} function '${fn}'; known: ${PREDICATES.join(', ')}`)
    }
  }
  try {
    const value = orExpr()
    skip()
    if (i < src.length) return { error: `unexpected '${src.slice(i)}' in ${label} condition '${src}'` }
    return { value }
  } catch (e) {
    if (e instanceof CondError) return { error: e.message }
    throw e
  }
}
