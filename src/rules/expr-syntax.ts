/**
 * The syntax of sample expressions, shared by ACLs, rules, maps and log-format strings:
 *
 *   FETCH[(ARG,…)][,CONV[(ARG,…)]]…        req.hdr(host,1),lower,map_str(hosts.map,default)
 *
 * Arguments are separated by commas; inside the parentheses, "double" or 'single' quotes keep
 * commas and parentheses as text, and a backslash escapes a comma, a parenthesis, a quote, a blank
 * or itself (any other backslash is kept, for regexes), as in HAProxy 2.x.
 * This file knows the shape only; fetches.ts and converters.ts give the names their meaning.
 */
import { ConfigError, type SourcePos } from '../model/source.ts'

export interface CallSyntax {
  name: string
  args: string[]
  /** Parentheses were written (`name()` differs from `name` for error messages only). */
  parens: boolean
}

export interface ExprSyntax {
  fetch: CallSyntax
  convs: CallSyntax[]
}

const NAME = /[A-Za-z0-9_.+\-]/
/** A backslash escapes these (so `regsub(\.,_)` keeps its regex escape, as in HAProxy). */
const ESCAPABLE = '\\,()"\' '

/** Parses one expression; throws ConfigError naming the text and what is wrong. */
export function parseExpr(text: string, at: SourcePos): ExprSyntax {
  let i = 0
  const call = (): CallSyntax => {
    const start = i
    while (i < text.length && NAME.test(text[i]!)) i++
    const name = text.slice(start, i)
    if (name === '') throw new ConfigError(`expected a name at position ${start + 1} of '${text}'`, at)
    if (text[i] !== '(') return { name, args: [], parens: false }
    i++
    const args: string[] = []
    let cur = ''
    let quote = ''
    let sawAny = false
    for (;;) {
      if (i >= text.length) throw new ConfigError(`missing ')' after the arguments of '${name}' in '${text}'`, at)
      const c = text[i++]!
      if (quote !== '') {
        if (c === '\\' && quote === '"' && i < text.length && ESCAPABLE.includes(text[i]!)) cur += text[i++]!
        else if (c === quote) quote = ''
        else cur += c
        continue
      }
      if (c === '\\' && i < text.length && ESCAPABLE.includes(text[i]!)) { cur += text[i++]!; sawAny = true; continue }
      if (c === '"' || c === "'") { quote = c; sawAny = true; continue }
      if (c === ',') { args.push(cur); cur = ''; sawAny = true; continue }
      if (c === ')') break
      cur += c
      sawAny = true
    }
    if (sawAny || args.length > 0) args.push(cur)
    return { name, args, parens: true }
  }
  const fetch = call()
  const convs: CallSyntax[] = []
  while (i < text.length) {
    if (text[i] !== ',') throw new ConfigError(`unexpected '${text.slice(i)}' after '${text.slice(0, i)}'; converters follow a comma: FETCH,CONVERTER`, at)
    i++
    convs.push(call())
  }
  return { fetch, convs }
}

/** Where `%[` … `]` ends: the index of the closing bracket, skipping brackets inside
 *  parentheses and quotes (`%[req.hdr(x),regsub("]",_)]`). -1 if none. */
export function findExprEnd(text: string, from: number): number {
  let depth = 0
  let quote = ''
  for (let i = from; i < text.length; i++) {
    const c = text[i]!
    if (quote !== '') {
      if (c === '\\') i++
      else if (c === quote) quote = ''
    } else if (c === '\\') i++
    else if (c === '"' || c === "'") quote = c
    else if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === ']' && depth <= 0) return i
  }
  return -1
}
