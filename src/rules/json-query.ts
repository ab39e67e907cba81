/**
 * `json_query(PATH[,int])`: the value at a JSON path in the input, as HAProxy's converter gives
 * it: a string's text, a number as C's `%g` prints it (or an integer with `int`), a boolean;
 * nothing for null, an array, an object, or no such path. PATH is `$` followed by `.key` (a `\`
 * makes the next character part of the key: `$.my\.key`) and `[N]` steps.
 */
import { ConfigError } from '../model/source.ts'
import type { CompileCtx, Converter } from './context.ts'
import { toStr } from './sample.ts'
import type { Sample } from './types.ts'

type Step = string | number

function parsePath(path: string, ctx: CompileCtx): Step[] {
  if (!path.startsWith('$')) throw new ConfigError(`json_query: a path starts with '$', as in '$.key', not '${path}'`, ctx.at)
  const steps: Step[] = []
  let i = 1
  while (i < path.length) {
    const c = path[i]!
    if (c === '.') {
      let key = ''
      i++
      while (i < path.length && path[i] !== '.' && path[i] !== '[') {
        if (path[i] === '\\' && i + 1 < path.length) i++
        key += path[i++]
      }
      if (key === '') throw new ConfigError(`json_query: empty key in '${path}'`, ctx.at)
      steps.push(key)
    } else if (c === '[') {
      const end = path.indexOf(']', i)
      const n = end < 0 ? '' : path.slice(i + 1, end)
      if (!/^\d+$/.test(n)) throw new ConfigError(`json_query: '[N]' takes an array index in '${path}'`, ctx.at)
      steps.push(Number(n))
      i = end + 1
    } else throw new ConfigError(`json_query: unexpected '${c}' in '${path}'`, ctx.at)
  }
  return steps
}

/** C's `%g`: 6 significant digits, trailing zeros dropped, an exponent below 1e-4 or from 1e6. */
export function formatG(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf'
  if (x === 0) return Object.is(x, -0) ? '-0' : '0'
  const exp = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(6)))))
  if (exp < -4 || exp >= 6) {
    const [m, e] = x.toExponential(5).split('e')
    const mant = m!.includes('.') ? m!.replace(/\.?0+$/, '') : m!
    const n = Number(e)
    return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`
  }
  const s = x.toFixed(Math.max(0, 5 - exp))
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s
}

export function compileJsonQuery(args: string[], ctx: CompileCtx): Converter {
  const steps = parsePath(args[0] ?? '', ctx)
  const asInt = args[1] !== undefined && args[1] !== ''
  if (asInt && args[1] !== 'int') throw new ConfigError(`json_query: the second argument is 'int', not '${args[1]}'`, ctx.at)
  return (v): Sample | undefined => {
    const text = toStr(v)
    if (text === undefined) return undefined
    let node: unknown
    try { node = JSON.parse(Buffer.from(text, 'latin1').toString('utf8')) } catch { return undefined }
    for (const s of steps) {
      if (typeof s === 'number') node = Array.isArray(node) ? node[s] : undefined
      else node = node !== null && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, s) ? (node as Record<string, unknown>)[s] : undefined
      if (node === undefined) return undefined
    }
    if (typeof node === 'string') return Buffer.from(node, 'utf8').toString('latin1')
    if (typeof node === 'boolean') return node
    if (typeof node === 'number') {
      if (!asInt) return formatG(node)
      const n = Math.trunc(node)
      return Math.abs(n) <= Number.MAX_SAFE_INTEGER ? n : undefined
    }
    return undefined
  }
}
