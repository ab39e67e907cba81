/**
 * The shape of edgelb's keyword tables: each module that owns a keyword exports entries of these
 * types, and config/build.ts applies them to the directives of both readers.
 *
 * These entries say what a keyword does, never where it may be written or whether it takes `no`:
 * that is HAProxy's grammar, kept once in the dictionary (model/dictionary/proxy.ts and
 * global.ts), which config/build.ts reads for every keyword. A keyword here without an entry there
 * stops config/build.ts from loading.
 */
import type { Directive, SourcePos } from '../../model/source.ts'
import type { GlobalConfig, ProxyConfig, ServerOptions, BindConfig } from '../../model/types.ts'

/** What a keyword handler may do besides filling the model: report, and look things up. */
export interface KeywordCtx {
  warn(message: string, at: SourcePos): void
  error(message: string, at: SourcePos): void
}

export interface ProxyKeyword {
  /** The phrase as written: 'mode', 'timeout connect', 'option httpclose', 'capture request header'. */
  kw: string
  /** Parsed into the model, but the engine does not act on it yet: `edgelb check` says so. */
  notBuilt?: string
  /** `args` are the words after the phrase; `d.no` is only ever set for a keyword the
   *  dictionary gives a `no` form. Throws ConfigError for a bad value. */
  parse(args: string[], d: Directive, p: ProxyConfig, ctx: KeywordCtx): void
}

export interface GlobalKeyword {
  kw: string
  notBuilt?: string
  parse(args: string[], d: Directive, g: GlobalConfig, ctx: KeywordCtx): void
}

/** A word on a `server` / `default-server` line. `args` = how many words follow it. */
export interface ServerOptionKeyword {
  kw: string
  args: number
  notBuilt?: string
  apply(values: string[], s: ServerOptions, at: SourcePos, ctx: KeywordCtx): void
}

/** A word on a `bind` line. */
export interface BindOptionKeyword {
  kw: string
  args: number
  notBuilt?: string
  apply(values: string[], b: BindConfig, at: SourcePos, ctx: KeywordCtx): void
}
