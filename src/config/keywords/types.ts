/**
 * The shape of edgelb's keyword tables: each module that owns a keyword exports entries of these
 * types, and config/build.ts applies them to the directives of both readers.
 */
import type { Directive, SourcePos } from '../source.ts'
import type { GlobalConfig, ProxyConfig, ServerOptions, BindConfig } from '../types.ts'

/** What a keyword handler may do besides filling the model: report, and look things up. */
export interface KeywordCtx {
  warn(message: string, at: SourcePos): void
  error(message: string, at: SourcePos): void
}

/** Sections a proxy keyword is allowed in: letters of 'dfbl' (defaults, frontend, backend, listen). */
export type SectionLetters = string

export interface ProxyKeyword {
  /** The phrase as written: 'mode', 'timeout connect', 'option httpclose', 'capture request header'. */
  kw: string
  sections: SectionLetters
  /** Refused, not just ignored, in a frontend or backend that lacks the side it needs (HAProxy's
   *  `failifnotcap`: `server` in a frontend). See `misplaced` in config/build.ts. */
  failIfNotCap?: true
  /** Accepts a leading `no` (the handler reads `d.no`). */
  noForm?: boolean
  /** Parsed into the model, but the engine does not act on it yet: `edgelb check` says so. */
  notBuilt?: string
  /** `args` are the words after the phrase. Throws ConfigError for a bad value. */
  parse(args: string[], d: Directive, p: ProxyConfig, ctx: KeywordCtx): void
}

export interface GlobalKeyword {
  kw: string
  noForm?: boolean
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
