/**
 * Compiles a sample expression (`FETCH(args),CONV(args),…`) into one closure, using the fetch
 * and converter tables. Errors name what HAProxy knows but edgelb does not implement yet apart
 * from what nobody knows (with a suggestion).
 */
import { converters as knownConverters, sampleFetches as knownFetches } from '../model/dictionary/fetches.ts'
import { ConfigError } from '../model/source.ts'
import { suggest } from '../model/suggest.ts'
import type { CompileCtx, CompiledExpr, Converter, Fetch } from './context.ts'
import { compileConverter, converterNames, findConverter } from './converters.ts'
import { parseExpr, type ExprSyntax } from './expr-syntax.ts'
import { compileFetch, fetchNames, findFetch } from './fetches.ts'
import type { Sample, SampleType } from './types.ts'

const KNOWN_FETCHES = new Set(knownFetches)
const KNOWN_CONVERTERS = new Set(knownConverters)

/** `also`: more words the name may have been meant as (an ACL criterion: the ACL keywords). */
export function unknownFetch(name: string, ctx: CompileCtx, also: readonly string[] = []): ConfigError {
  if (KNOWN_FETCHES.has(name) || name.startsWith('lua.')) return new ConfigError(`sample fetch '${name}' is not implemented yet`, ctx.at)
  const hint = suggest(name, [...fetchNames(), ...also])
  return new ConfigError(`unknown sample fetch '${name}'${hint ? `; did you mean '${hint}'?` : ''}`, ctx.at)
}

export function compileExpr(text: string, ctx: CompileCtx): CompiledExpr {
  return compileSyntax(parseExpr(text, ctx.at), ctx)
}

export function compileSyntax(syn: ExprSyntax, ctx: CompileCtx): CompiledExpr {
  const def = findFetch(syn.fetch.name)
  if (!def) throw unknownFetch(syn.fetch.name, ctx)
  const base = compileFetch(def, syn.fetch.args, ctx)
  if (syn.convs.length === 0) return base
  const convs: Converter[] = []
  let type: SampleType = base.type
  for (const call of syn.convs) {
    const cdef = findConverter(call.name)
    if (!cdef) {
      if (KNOWN_CONVERTERS.has(call.name) || call.name.startsWith('lua.')) throw new ConfigError(`converter '${call.name}' is not implemented yet`, ctx.at)
      const hint = suggest(call.name, converterNames())
      throw new ConfigError(`unknown converter '${call.name}'${hint ? `; did you mean '${hint}'?` : ''}`, ctx.at)
    }
    convs.push(compileConverter(cdef, call.args, ctx))
    if (cdef.out !== 'same') type = cdef.out
  }
  const chain = chainOf(convs)
  const f = base.fn
  const fn: Fetch = (s) => {
    const v = f(s)
    return v === undefined ? undefined : chain(v, s)
  }
  const out: CompiledExpr = { fn, type, volatile: base.volatile }
  const any = base.any
  if (any) out.any = (test) => any((v, s) => { const c = chain(v, s); return c !== undefined && test(c, s) })
  return out
}

function chainOf(convs: Converter[]): Converter {
  if (convs.length === 1) return convs[0]!
  if (convs.length === 2) {
    const [a, b] = convs as [Converter, Converter]
    return (v, s) => { const x = a(v, s); return x === undefined ? undefined : b(x, s) }
  }
  return (v, s) => {
    let x: Sample | undefined = v
    for (let i = 0; i < convs.length; i++) {
      x = convs[i]!(x, s)
      if (x === undefined) return undefined
    }
    return x
  }
}
