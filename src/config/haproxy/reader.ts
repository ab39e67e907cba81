/**
 * Reads HAProxy-syntax text into sections of directives (model/source.ts).
 *
 * It knows the section headers and the line grammar (`no`/`default` prefixes, comments, the
 * `.if/.elif/.else/.endif` conditional blocks of 2.4+, `.diag/.notice/.warning/.alert`), and
 * nothing of what keywords mean: that is the builder's job, shared with the YAML reader.
 */
import type { Diagnostic, Directive, ReadResult, SectionSource, SectionType, SourcePos } from '../../model/source.ts'
import { ConfigError, SECTION_TYPES } from '../../model/source.ts'
import { suggest } from '../../model/suggest.ts'
import { evalCondition } from './condition.ts'
import { tokenizeLine, type Env } from './tokenizer.ts'

/** Whether each section's header carries a name. */
const SECTION_NAMED: Readonly<Record<SectionType, 'no' | 'optional' | 'yes'>> = {
  global: 'no',
  defaults: 'optional',
  frontend: 'yes',
  backend: 'yes',
  listen: 'yes',
  peers: 'yes',
  userlist: 'yes',
  resolvers: 'yes',
  mailers: 'yes',
  cache: 'yes',
  program: 'yes',
  'http-errors': 'yes',
  ring: 'yes',
  'log-forward': 'yes',
  'fcgi-app': 'yes',
  'crt-store': 'optional',
  traces: 'no',
  'log-profile': 'yes',
  acme: 'yes',
}

function isSectionType(word: string): word is SectionType {
  return Object.hasOwn(SECTION_NAMED, word)
}

/** An address-looking word (`1.2.3.4:80`, `:80`, `0.0.0.0:81`, `[::]:80`, `ipv6@…`, `a:80,b:81`):
 *  decides whether `listen X` names the section or binds it. */
export function looksLikeAddress(word: string): boolean {
  return /^(ipv4@|ipv6@|unix@|abns@|fd@|sockpair@|udp@|tcp@|tcp4@|tcp6@)/.test(word) ||
    /^(\[[0-9a-fA-F:.]*\]|[0-9.]*|\*)?:[0-9+-]/.test(word) ||
    /^[0-9a-fA-F]*::?[0-9a-fA-F:]*:[0-9]+$/.test(word)
}

interface CondFrame {
  /** Some branch of this .if chain already ran. */
  taken: boolean
  /** The current branch runs. */
  active: boolean
  /** The enclosing block runs. */
  parentActive: boolean
  pos: SourcePos
}

/** Parses HAProxy text. Never throws: every problem becomes a diagnostic, and reading goes on
 *  with the next line so that `edgelb check` can report them all at once. */
export function readHaproxy(text: string, file: string, env: Env = {}): ReadResult {
  const sections: SectionSource[] = []
  const diagnostics: Diagnostic[] = []
  const err = (pos: SourcePos, message: string): void => { diagnostics.push({ severity: 'error', pos, message }) }
  const warn = (pos: SourcePos, message: string): void => { diagnostics.push({ severity: 'warning', pos, message }) }

  let current: SectionSource | undefined
  let pendingComment: string[] = []
  const conds: CondFrame[] = []
  const active = (): boolean => conds.length === 0 || conds[conds.length - 1]!.active

  // `setenv`, `presetenv`, `unsetenv`, `resetenv` in global change the environment the lines
  // after them expand, as HAProxy applies them while it reads.
  const live: Record<string, string | undefined> = { ...env }
  const lines = text.split('\n')
  for (let idx = 0; idx < lines.length; idx++) {
    let raw = lines[idx]!
    if (raw.endsWith('\r')) raw = raw.slice(0, -1)
    const pos: SourcePos = { file, line: idx + 1 }
    let tl
    try {
      tl = tokenizeLine(raw, pos, live)
    } catch (e) {
      if (e instanceof ConfigError) { err(e.pos, e.message); continue }
      throw e
    }
    const words = tl.words
    if (words.length === 0) {
      // A comment block is kept for the next directive even across blank lines, so that
      // `convert` carries a file's header comment over.
      if (tl.comment !== undefined) pendingComment.push(tl.comment)
      continue
    }

    // Conditional blocks: evaluated even inside inactive branches to keep nesting right.
    const w0 = words[0]!
    if (w0.startsWith('.')) {
      handleDotDirective(words, pos)
      continue
    }
    if (!active()) continue
    for (const v of tl.unsetVars) warn(pos, `environment variable '${v}' is not set; it expands to an empty string (write \${${v}-default} to give a default)`)

    const comment = [...pendingComment, ...(tl.comment !== undefined ? [tl.comment] : [])].join('\n') || undefined
    pendingComment = []

    if (isSectionType(w0)) {
      const named = SECTION_NAMED[w0]
      const section: SectionSource = { type: w0, name: '', args: [], pos, directives: [] }
      if (comment !== undefined) section.comment = comment
      const rest = words.slice(1)
      if (named === 'no') {
        if (rest.length > 0) warn(pos, `'${w0}' takes no name; ignoring '${rest.join(' ')}'`)
      } else if (w0 === 'listen' && rest.length > 0 && looksLikeAddress(rest[0]!)) {
        section.args = rest // `listen 1.2.3.4:80`: the builder names it after the address
      } else if (w0 === 'defaults' && rest[0] === 'from') {
        section.args = rest
      } else if (rest.length > 0) {
        section.name = rest[0]!
        section.args = rest.slice(1)
      } else if (named === 'yes') {
        err(pos, `'${w0}' needs a name: write '${w0} NAME'`)
      }
      sections.push(section)
      current = section
      continue
    }

    if (!current) {
      const hint = suggest(w0, SECTION_TYPES)
      err(pos, `'${w0}' appears before any section; ${hint ? `did you mean '${hint}'?` : `start one with 'global', 'defaults', 'frontend', 'backend' or 'listen'`}`)
      continue
    }
    if (current.type === 'global') applyEnvDirective(live, words)
    expandAddress(words, live, (v) => warn(pos, `environment variable '${v}' is not set; it expands to an empty string`))
    const d: Directive = { kw: w0, args: words.slice(1), pos }
    if ((w0 === 'no' || w0 === 'default') && words.length > 1) {
      d.kw = words[1]!
      d.args = words.slice(2)
      if (w0 === 'no') d.no = true
      else d.reset = true
    }
    if (comment !== undefined) d.comment = comment
    current.directives.push(d)
  }
  for (const c of conds) err(c.pos, `'.if' block is never closed; add '.endif'`)
  return { sections, diagnostics }

  function handleDotDirective(words: string[], pos: SourcePos): void {
    const kw = words[0]!
    const top = conds[conds.length - 1]
    switch (kw) {
      case '.if': {
        const parentActive = active()
        const v = parentActive ? evalCond(words.slice(1), pos) : false
        conds.push({ taken: v, active: v, parentActive, pos })
        return
      }
      case '.elif':
        if (!top) { err(pos, `'.elif' without '.if'`); return }
        if (top.taken || !top.parentActive) { top.active = false; return }
        top.active = evalCond(words.slice(1), pos)
        top.taken = top.active
        return
      case '.else':
        if (!top) { err(pos, `'.else' without '.if'`); return }
        top.active = top.parentActive && !top.taken
        top.taken = true
        return
      case '.endif':
        if (!top) { err(pos, `'.endif' without '.if'`); return }
        conds.pop()
        return
      case '.diag':
      case '.notice':
        return
      case '.warning':
        if (active()) warn(pos, words.slice(1).join(' '))
        return
      case '.alert':
        if (active()) err(pos, words.slice(1).join(' '))
        return
      default:
        if (active()) err(pos, `unknown directive '${kw}'; known: .if, .elif, .else, .endif, .diag, .notice, .warning, .alert`)
    }
  }

  /** An `.if`/`.elif` condition (condition.ts); one that cannot be read is an error, and false. */
  function evalCond(words: string[], pos: SourcePos): boolean {
    const r = evalCondition(words.join(' '), env)
    if ('error' in r) { err(pos, r.error); return false }
    return r.value
  }
}

/** `setenv NAME VALUE`, `presetenv NAME VALUE` (only when unset), `unsetenv NAME…`, `resetenv
 *  [NAME…]` (every variable but those named goes) on an environment. Malformed lines change
 *  nothing here: the builder reports them. */
export function applyEnvDirective(env: Record<string, string | undefined>, words: readonly string[]): void {
  const [kw, ...args] = words
  if ((kw === 'setenv' || kw === 'presetenv') && args.length === 2) {
    if (kw === 'setenv' || env[args[0]!] === undefined) env[args[0]!] = args[1]!
  } else if (kw === 'unsetenv') {
    for (const a of args) delete env[a]
  } else if (kw === 'resetenv') {
    for (const k of Object.keys(env)) if (!args.includes(k)) delete env[k]
  }
}

/** Which word of a line is an address, by its keyword (HAProxy's str2sa_range callers). */
const ADDRESS_WORD: Readonly<Record<string, number>> = { bind: 1, server: 2, 'server-template': 3, dispatch: 1, source: 1, log: 1, nameserver: 2, peer: 2 }

/** HAProxy expands `$NAME` in addresses (str2sa_range), quoted or not: `bind $IP:$PORT`. */
export function expandAddress(words: string[], env: Readonly<Record<string, string | undefined>>, unset: (name: string) => void): void {
  const i = ADDRESS_WORD[words[0] ?? '']
  const w = i === undefined ? undefined : words[i]
  if (w === undefined || !w.includes('$')) return
  words[i!] = w.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    const v = env[name]
    if (v === undefined) unset(name)
    return v ?? ''
  })
}
