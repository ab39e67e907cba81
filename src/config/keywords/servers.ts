/**
 * `server`, `default-server` and `bind` lines: a head (name, address) followed by option words,
 * each option taking a fixed number of values. edgelb's own tables say what an option means; the
 * dictionary of HAProxy's options says how many words to skip for the ones edgelb keeps as is.
 */
import { findBindOption, findServerOption } from '../../model/dictionary/lookup.ts'
import type { KnownOption, Protection } from '../../model/dictionary/types.ts'
import { bindOptions } from '../../model/dictionary/bind-options.ts'
import { serverOptions } from '../../model/dictionary/server-options.ts'
import { parseBindSpec, parseServerAddr } from '../../model/address.ts'
import { ConfigError, type Directive, type SourcePos } from '../../model/source.ts'
import { suggest } from '../../model/suggest.ts'
import type { BindConfig, ProxyConfig, ServerConfig, ServerOptions } from '../../model/types.ts'
import { bindOptionKeywords } from './bind-options.ts'
import { serverOptionKeywords } from './server-options.ts'
import { checkBindTls } from './tls-options.ts'
import type { KeywordCtx } from './types.ts'

/** What edgelb does not do yet about a keyword it parses. */
export interface NotBuilt {
  /** The feature it belongs to, when that says more than the keyword ('stats page'). */
  area?: string
  /** Replaces "edgelb ignores it for now" when edgelb does something else meanwhile. */
  instead?: string
  /** What it protects (the dictionary's `protects`): then it refuses the config (fail closed). */
  protects?: Protection | undefined
}

/** Reports a keyword that parses but does nothing yet. The builder folds repeats of one that
 *  protects nothing into one warning; each line of one that protects is an error of its own. */
export interface NotBuiltSink {
  notBuilt(what: string, at: SourcePos, options?: NotBuilt): void
}

const serverTable = new Map(serverOptionKeywords.map((k) => [k.kw, k]))
const bindTable = new Map(bindOptionKeywords.map((k) => [k.kw, k]))

function takeValues(words: string[], i: number, n: number, kw: string, at: SourcePos): string[] {
  const values = words.slice(i + 1, i + 1 + n)
  if (values.length < n) throw new ConfigError(`'${kw}' expects ${n === 1 ? 'a value' : `${n} values`}`, at)
  return values
}

/** What an option table entry offers the shared word loop. */
interface OptionEntry<T> {
  args: number
  notBuilt?: string
  apply(values: string[], target: T, at: SourcePos, ctx: KeywordCtx): void
}

/**
 * Walks option words: edgelb's own entries give them a meaning; words HAProxy knows (the
 * dictionary gives their arity) are kept in `extra` with a "not implemented yet" warning; any
 * other word is an error with a suggestion. `line` names the line kind in messages.
 */
function applyOptions<T>(words: string[], target: T, d: Directive, ctx: KeywordCtx & NotBuiltSink, table: {
  line: string
  own: ReadonlyMap<string, OptionEntry<T>>
  known(word: string): KnownOption | undefined
  extra(target: T): Record<string, string | true>
  names: readonly string[]
}): void {
  // Options of this line that protect and are not implemented, by protection: one error each.
  const unprotected = new Map<Protection, string[]>()
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!
    if (d.kw === 'default-server' && table.known(w)?.serverOnly) {
      throw new ConfigError(`'${w}' names one server, so 'default-server' does not take it; write it on the server's own line`, d.pos)
    }
    const own = table.own.get(w)
    if (own) {
      own.apply(takeValues(words, i, own.args, w, d.pos), target, d.pos, ctx)
      const protects = table.known(w)?.protects
      if (own.notBuilt && protects !== undefined) unprotected.set(protects, [...(unprotected.get(protects) ?? []), w])
      else if (own.notBuilt) ctx.notBuilt(`${table.line} option '${w}'`, d.pos, { area: own.notBuilt })
      i += own.args
      continue
    }
    const known = table.known(w)
    if (known) {
      const values = takeValues(words, i, known.args, w, d.pos)
      table.extra(target)[w] = values.length === 0 ? true : values.join(' ')
      if (known.protects !== undefined) unprotected.set(known.protects, [...(unprotected.get(known.protects) ?? []), w])
      else ctx.notBuilt(`${table.line} option '${w}'`, d.pos)
      i += known.args
      continue
    }
    const hint = suggest(w, table.names)
    throw new ConfigError(`unknown ${table.line === 'bind' ? 'bind' : d.kw} option '${w}'${hint ? `; did you mean '${hint}'?` : ''}`, d.pos)
  }
  for (const [protects, ws] of unprotected) {
    ctx.notBuilt(`${table.line} option${ws.length > 1 ? 's' : ''} ${ws.map((w) => `'${w}'`).join(', ')}`, d.pos, { protects })
  }
}

const serverOptionNames = serverOptions.map((o) => o.kw)
const bindOptionNames = bindOptions.map((o) => o.kw)

/** Applies `server` / `default-server` option words to `s`. */
export function applyServerOptions(words: string[], s: ServerOptions, d: Directive, ctx: KeywordCtx & NotBuiltSink): void {
  applyOptions(words, s, d, ctx, { line: 'server', own: serverTable, known: findServerOption, extra: (t) => t.extra, names: serverOptionNames })
}

/** `server NAME ADDRESS [options…]`. */
export function parseServerLine(args: string[], d: Directive, p: ProxyConfig, ctx: KeywordCtx & NotBuiltSink): ServerConfig {
  const [name, address] = args
  if (name === undefined) throw new ConfigError(`'server' expects a name and an address: server NAME ADDRESS[:PORT] [options]`, d.pos)
  if (address === undefined) throw new ConfigError(`server '${name}' has no address; write server ${name} ADDRESS[:PORT] [options]`, d.pos)
  if (serverTable.has(address) || findServerOption(address)) {
    throw new ConfigError(`server '${name}' has no address before its options ('${address}' is an option); write server ${name} ADDRESS[:PORT] ${args.slice(1).join(' ')}`, d.pos)
  }
  const opts: ServerOptions = structuredClone(p.defaultServer)
  applyServerOptions(args.slice(2), opts, d, ctx)
  return { ...opts, name, addr: parseServerAddr(address, d.pos), pos: d.pos, index: p.servers.length }
}

/** `bind ADDRESS [options…]`. */
export function parseBindLine(args: string[], d: Directive, ctx: KeywordCtx & NotBuiltSink): BindConfig {
  const [spec] = args
  if (spec === undefined) throw new ConfigError(`'bind' expects an address: bind ADDRESS:PORT [options], e.g. bind :80`, d.pos)
  const b: BindConfig = { spec, addrs: parseBindSpec(spec, d.pos), pos: d.pos, options: {} }
  applyOptions(args.slice(1), b, d, ctx, { line: 'bind', own: bindTable, known: findBindOption, extra: (t) => t.options, names: bindOptionNames })
  checkBindTls(b)
  return b
}
