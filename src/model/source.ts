/**
 * The syntax-neutral form both config readers produce.
 *
 * A reader (HAProxy `.cfg` or YAML) turns its text into sections of directives: one directive per
 * HAProxy keyword line, with its words already unquoted and its position in the file. The builder
 * (config/build.ts) then applies the same keyword tables to both, so the two syntaxes cannot drift:
 * `timeout connect 5s` and YAML `timeout: { connect: 5s }` reach the same handler.
 */

/** Where a directive or a word came from. `line` is 1-based; `col` 1-based when known. */
export interface SourcePos {
  file: string
  line: number
  col?: number
}

/** Section types the readers know, each also the keyword that starts it. `peers`, `userlist`,
 *  `resolvers`… are kept for the builder to warn about rather than rejected, so real-world files
 *  load. */
export const SECTION_TYPES = [
  'global',
  'defaults',
  'frontend',
  'backend',
  'listen',
  'peers',
  'userlist',
  'resolvers',
  'mailers',
  'cache',
  'program',
  'http-errors',
  'ring',
  'log-forward',
  'fcgi-app',
  'crt-store',
  'traces',
  'log-profile',
  'acme',
] as const

export type SectionType = (typeof SECTION_TYPES)[number]

/** One keyword line: `server webA 10.0.0.1:80 check` is `{ kw: 'server', args: ['webA', …] }`. */
export interface Directive {
  kw: string
  args: string[]
  pos: SourcePos
  /** The line started with `no` (`no option httpclose`). */
  no?: boolean
  /** The line started with `default` (`default option httpclose`: reset to the defaults value). */
  reset?: boolean
  /** A comment that stood on the line(s) just above, or at the end of the line, without `#`. */
  comment?: string
}

/** A section header and its directives, in file order. */
export interface SectionSource {
  type: SectionType
  /** '' for `global`, unnamed `defaults`, and `listen ADDR` with no name (the builder names it). */
  name: string
  /** Words after the name: `listen web 1.2.3.4:80` → ['1.2.3.4:80']; `defaults x from y` → ['from', 'y']. */
  args: string[]
  pos: SourcePos
  directives: Directive[]
  comment?: string
}

/** What a reader returns: sections, plus problems it found in the syntax itself. */
export interface ReadResult {
  sections: SectionSource[]
  diagnostics: Diagnostic[]
}

export type Severity = 'error' | 'warning'

/** One problem, printed by `edgelb check` as `FILE:LINE: error: message`. */
export interface Diagnostic {
  severity: Severity
  pos: SourcePos
  message: string
}

/** Thrown at load time for a problem that stops reading; carries the position for `FILE:LINE:`. */
export class ConfigError extends Error {
  readonly pos: SourcePos
  constructor(message: string, pos: SourcePos) {
    super(message)
    this.name = 'ConfigError'
    this.pos = pos
  }
}

/** Puts diagnostics in reading order: by file (in the order of `files`), then by line; those of
 *  one line keep their order. Sorts in place and returns the array. */
export function sortDiagnostics(diagnostics: Diagnostic[], files: readonly string[]): Diagnostic[] {
  return diagnostics.sort((a, b) => (a.pos.file === b.pos.file ? a.pos.line - b.pos.line : files.indexOf(a.pos.file) - files.indexOf(b.pos.file)))
}

/** `file:line: severity: message`: the one format every tool and test reads. */
export function formatDiagnostic(d: Diagnostic): string {
  // Line 0 = about the file as a whole (missing, unreadable, binary…).
  const where = d.pos.line > 0 ? `${d.pos.file}:${d.pos.line}` : d.pos.file
  return `${where}: ${d.severity}: ${d.message}`
}
