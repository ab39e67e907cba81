/**
 * Builds the configuration model from the sections either reader produced.
 *
 * For each directive it finds the keyword in one table of the dictionary's entries joined to
 * edgelb's handlers (longest phrase first: 'timeout connect' before 'timeout'), checks by the
 * entry that the section allows it (and its `no`), and runs the handler. A keyword HAProxy knows
 * but edgelb has no handler for yet is accepted
 * with one "not implemented yet" warning per keyword, unless it protects (the dictionary's
 * `protects`: TLS, authentication, access, rules…), which is an error at each of its lines (fail
 * closed) or, with `allowUnimplemented`, a warning that says what goes unprotected; a keyword
 * HAProxy removed gets an error
 * naming its replacement; anything else is an unknown keyword, with a did-you-mean suggestion
 * (about the second word when the first begins known phrases: 'tcp-check bogus'). Defaults
 * follow HAProxy: each `defaults` section replaces the previous unnamed one for the proxies that
 * follow; `from NAME` picks a named one.
 */
import {
  allowedIn,
  findGlobalKeyword,
  findLegacyKeyword,
  findPhrasePrefix,
  findProxyKeyword,
  findSectionKeyword,
  globalFirstWords,
  globalKeywordByPhrase,
  globalKeywordNames,
  longestPhrase,
  proxyFirstWords,
  proxyKeywordByPhrase,
  proxyKeywordNames,
  proxyOptionNames,
  proxySectionsOf,
  sectionKeywordNames,
  type OtherSection,
  type ProxySection,
} from '../model/dictionary/lookup.ts'
import { protectionText } from '../model/dictionary/protection.ts'
import { sectionProtects } from '../model/dictionary/sections.ts'
import type { KnownKeyword, Protection } from '../model/dictionary/types.ts'
import { globalKeywords } from './keywords/global.ts'
import { legacyProxyKeywords } from './keywords/legacy.ts'
import { parseStickTable, proxyKeywords } from './keywords/proxy.ts'
import { parseBindSpec, parseServerAddr } from '../model/address.ts'
import { readRing } from './keywords/ring.ts'
import { parseBindLine, type NotBuilt, type NotBuiltSink } from './keywords/servers.ts'
import { defaultServerOptions } from './keywords/server-options.ts'
import type { KeywordCtx } from './keywords/types.ts'
import { ConfigError, SECTION_TYPES, sortDiagnostics, type Diagnostic, type Directive, type SectionSource, type SourcePos } from '../model/source.ts'
import { suggest } from '../model/suggest.ts'
import type { Config, GlobalConfig, PeersConfig, ProgramConfig, ProxyConfig, RingConfig, UserlistConfig, CacheConfig, ResolversConfig } from '../model/types.ts'
import { validateConfig } from './validate.ts'
import { readUserlist } from './userlist.ts'
import { readCache } from './cache.ts'
import { checkServerResolvers, readResolvers } from './resolvers.ts'
import { buildRuntime, type Runtime } from '../proxy/runtime.ts'
import { applyStateAddresses } from '../proxy/server-state-file.ts'
import type { StickTable } from '../rules/stick-table.ts'

export interface BuildResult {
  config: Config
  /** The run-time objects (rules, stick tables, maps, backends, health checks), built once:
   *  `edgelb run` starts the engine with them when `diagnostics` has no error. */
  runtime: Runtime
  diagnostics: Diagnostic[]
  /** How many lines edgelb knows but does not implement (ignored, or done otherwise), and how
   *  many of them protect something (refused, unless allowed). */
  unimplemented: { lines: number; protections: number }
}

export interface BuildOptions {
  /** The operator accepts running without the protections edgelb does not implement: each is a
   *  warning saying what goes unprotected, instead of an error (`--allow-unimplemented`). */
  allowUnimplemented?: boolean
  /** A reload: the stick tables of the running configuration, kept where the new one declares a
   *  table of the same name and shape (proxy/runtime.ts). */
  keepTables?: ReadonlyMap<string, StickTable>
  /** This process's peer name (`-L NAME`): it wins over the `localpeer` keyword, as in HAProxy. */
  localPeer?: string
}

/** A line that protects something edgelb does not implement: refused, or allowed with a warning. */
function reportUnprotected(ctx: { warn(m: string, at: SourcePos): void; error(m: string, at: SourcePos): void }, what: string, at: SourcePos, protects: Protection, allow: boolean): void {
  const t = protectionText[protects]
  if (allow) ctx.warn(`${what}: not implemented yet, accepted by --allow-unimplemented: edgelb will ${t.risk}`, at)
  else ctx.error(`${what}: not implemented yet, so edgelb would ${t.risk}; ${t.instead}, or run with --allow-unimplemented to accept the gap knowingly`, at)
}

/** A keyword of the dictionary, with edgelb's handler when edgelb implements it. */
interface Keyword<K> {
  entry: KnownKeyword
  own?: K
}

/**
 * Every keyword of a dictionary table, each of edgelb's beside its dictionary entry. Where a
 * keyword may be written, what HAProxy does when it is misplaced and whether it takes `no` are
 * HAProxy's grammar, kept only in the dictionary; the keyword tables say what a keyword does.
 * Joining them here, once, means the two cannot disagree: a keyword edgelb implements without a
 * dictionary entry is a programming error that stops this module from loading.
 */
function keywordTable<K extends { kw: string }>(names: readonly string[], own: readonly K[], entryOf: (phrase: string) => KnownKeyword | undefined): Map<string, Keyword<K>> {
  const table = new Map<string, Keyword<K>>(names.map((kw) => [kw, { entry: entryOf(kw)! }]))
  for (const k of own) {
    const entry = entryOf(k.kw)
    if (entry === undefined) throw new Error(`edgelb keyword '${k.kw}' has no entry in the keyword dictionary (model/dictionary/)`)
    table.set(k.kw, { entry, own: k })
  }
  return table
}
const proxyTable = keywordTable(proxyKeywordNames, [...proxyKeywords, ...legacyProxyKeywords], proxyKeywordByPhrase)
const globalTable = keywordTable(globalKeywordNames, globalKeywords, globalKeywordByPhrase)

/** `no` and `default` only go with the keywords HAProxy gives them to. */
function checkPrefix(d: Directive, phrase: string, entry: KnownKeyword): void {
  if (!(d.no || d.reset) || entry.noForm) return
  const prefix = d.no ? 'no' : 'default'
  throw new ConfigError(`'${prefix}' cannot be used with '${phrase}', which has no '${prefix}' form; remove the line${d.no ? ' to leave it unset' : ''}`, d.pos)
}

/** A keyword HAProxy removed: refused, naming what replaces it. */
function checkRemoved(words: readonly string[], at: SourcePos): void {
  const legacy = findLegacyKeyword(words)
  if (legacy) throw new ConfigError(`'${legacy.entry.kw}' was removed from HAProxy; write '${legacy.entry.replacement}' instead`, at)
}

/**
 * A line of a section with its own small table (peers, program, cache, resolvers…): an unknown
 * keyword is an error, with a did-you-mean or the list of what the section takes; `no` only goes
 * where HAProxy has it. What the keyword does is for the section's reader, if edgelb has one.
 */
function checkSectionLine(section: OtherSection, d: Directive): void {
  const words = [d.kw, ...d.args]
  const match = findSectionKeyword(section, words)
  if (match) { checkPrefix(d, words.slice(0, match.words).join(' '), match.entry); return }
  const known = sectionKeywordNames(section)
  const written = d.args[0] !== undefined && known.some((k) => k.startsWith(`${d.kw} `)) ? `${d.kw} ${d.args[0]}` : d.kw
  const hint = suggest(written, known)
  throw new ConfigError(`unknown keyword '${written}' in a ${section} section; ${hint ? `did you mean '${hint}'?` : `known: ${known.join(', ')}`}`, d.pos)
}

/**
 * The message for a line that starts no keyword of `table`. When its first words begin known
 * phrases ('tcp-check bogus', 'timeout' alone), it is about the word that follows them (`tcp-check
 * connect|send|expect|…`); otherwise about the first word, offering the closest first word (and
 * the phrase it makes with the next word, when it makes one: 'timout connect' → 'timeout connect').
 */
function unknownKeyword(table: 'proxy' | 'global', words: readonly string[], where: string): string {
  const prefix = findPhrasePrefix(table, words)
  if (prefix) {
    const next = words[prefix.words]
    const choices = prefix.next.length === 1 ? `'${prefix.next[0]}'` : `one of: ${prefix.next.join(', ')}`
    if (next === undefined) return `'${prefix.prefix}' expects ${choices}`
    const written = words.slice(0, prefix.words + 1).join(' ')
    const hint = suggest(next, prefix.next)
    if (hint) return `unknown keyword '${written}'${where}; did you mean '${prefix.prefix} ${hint}'?`
    return `unknown keyword '${written}'${where}; after '${prefix.prefix}' write ${choices}`
  }
  const hint = suggest(words[0]!, table === 'proxy' ? proxyFirstWords : globalFirstWords)
  if (hint === undefined) {
    // A misspelt section header reads as a keyword of the section above it.
    const section = suggest(words[0]!, SECTION_TYPES)
    return `unknown keyword '${words[0]}'${where}${section ? `; did you mean to start a '${section}' section?` : ''}`
  }
  const find = table === 'proxy' ? findProxyKeyword : findGlobalKeyword
  const phrase = find([hint, ...words.slice(1)])
  const offered = phrase && phrase.words > 1 ? [hint, ...words.slice(1, phrase.words)].join(' ') : hint
  return `unknown keyword '${words[0]}'${where}; did you mean '${offered}'?`
}

export function defaultGlobal(): GlobalConfig {
  return { daemon: false, quiet: false, logs: [], statsSockets: [], setVars: [], spreadChecks: 0, tune: { bufsize: 16384, maxhdr: 101 } }
}

/** A proxy with HAProxy's built-in defaults (what applies before any `defaults` section). */
export function defaultProxy(kind: ProxyConfig['kind'], name: string, pos: SourcePos): ProxyConfig {
  return {
    kind,
    name,
    pos,
    mode: 'tcp',
    disabled: false,
    binds: [],
    retries: 3,
    redispatchAfter: -1,
    retryOn: { connFailure: true, emptyResponse: false, junkResponse: false, responseTimeout: false, zeroRttRejected: false, statuses: [] },
    grace: 0,
    balance: { algo: 'roundrobin' },
    hashType: { method: 'map-based', fn: 'sdbm', avalanche: false },
    timeouts: {},
    options: {},
    optionArgs: {},
    defaultServer: defaultServerOptions(),
    servers: [],
    monitorNet: [],
    useBackends: [],
    acls: [],
    rules: [],
    logs: [],
    captures: [],
    errorFiles: {},
    httpReuse: 'safe',
  }
}

/** Positions are data: keep them; everything else of a defaults section is copied deeply. */
function inherit(from: ProxyConfig, kind: ProxyConfig['kind'], name: string, pos: SourcePos): ProxyConfig {
  const p = structuredClone(from)
  p.kind = kind
  p.name = name
  p.pos = pos
  // Lists that belong to the section that declares them, not to what inherits from it.
  p.binds = []
  p.servers = []
  delete p.from
  return p
}

export function buildConfig(sections: readonly SectionSource[], files: readonly string[] = [], options: BuildOptions = {}): BuildResult {
  const diagnostics: Diagnostic[] = []
  const notBuilt = new Map<string, { area: string | undefined; at: SourcePos; more: number; instead: string | undefined }>()
  /** Lines ('file:line') edgelb does not implement, and those of them that protect something. */
  const unimplementedLines = new Set<string>()
  const unprotectedLines = new Set<string>()
  const lineKey = (at: SourcePos): string => `${at.file}\0${at.line}`
  const allow = options.allowUnimplemented === true
  const ctx: KeywordCtx & NotBuiltSink = {
    warn: (message, pos) => { diagnostics.push({ severity: 'warning', pos, message }) },
    error: (message, pos) => { diagnostics.push({ severity: 'error', pos, message }) },
    notBuilt(what, at, o: NotBuilt = {}) {
      unimplementedLines.add(lineKey(at))
      if (o.protects !== undefined) {
        unprotectedLines.add(lineKey(at))
        reportUnprotected(ctx, what, at, o.protects, allow)
        return
      }
      const seen = notBuilt.get(what)
      if (seen) seen.more++
      else notBuilt.set(what, { area: o.area, at, more: 0, instead: o.instead })
    },
  }
  const guard = (fn: () => void): void => {
    try {
      fn()
    } catch (e) {
      if (e instanceof ConfigError) ctx.error(e.message, e.pos)
      else throw e
    }
  }

  const global = defaultGlobal()
  const proxies: ProxyConfig[] = []
  const peers: PeersConfig[] = []
  const userlists: UserlistConfig[] = []
  const caches: CacheConfig[] = []
  const resolvers: ResolversConfig[] = []
  const programs: ProgramConfig[] = []
  const rings: RingConfig[] = []
  const namedDefaults = new Map<string, ProxyConfig>()
  let current = defaultProxy('defaults', '', { file: files[0] ?? '', line: 0 })
  const ignoredSections = new Set<string>()
  /** First line of each phrase per proxy, for messages about settings the model keeps no line for. */
  const phrasePos = new Map<ProxyConfig, Map<string, SourcePos>>()

  for (const s of sections) {
    switch (s.type) {
      case 'global':
        for (const d of s.directives) guard(() => applyGlobal(d, global))
        break
      case 'defaults': {
        let base = defaultProxy('defaults', '', s.pos)
        if (s.args[0] === 'from') {
          const parent = namedDefaults.get(s.args[1] ?? '')
          if (parent) base = parent
          else ctx.error(`defaults section '${s.args[1] ?? ''}' is not declared before this one`, s.pos)
        }
        const p = inherit(base, 'defaults', s.name, s.pos)
        for (const d of s.directives) guard(() => applyProxy(d, p, 'defaults'))
        if (s.name !== '') {
          if (namedDefaults.has(s.name)) ctx.warn(`defaults section '${s.name}' is declared again; the later one replaces it`, s.pos)
          namedDefaults.set(s.name, p)
        }
        current = p
        break
      }
      case 'frontend':
      case 'backend':
      case 'listen': {
        let base = current
        let from: string | undefined
        let headerAddr: string | undefined
        const args = [...s.args]
        if (args[0] === 'from') {
          from = args[1]
          const named = namedDefaults.get(from ?? '')
          if (named) base = named
          else ctx.error(`defaults section '${from ?? ''}' is not declared; declare 'defaults ${from ?? 'NAME'}' before this ${s.type}`, s.pos)
          args.splice(0, 2)
        }
        let name = s.name
        if (args.length > 0) {
          if (s.type === 'backend') ctx.error(`a backend does not take an address on its header; remove '${args.join(' ')}'`, s.pos)
          else headerAddr = args[0]
          if (args.length > 1) ctx.error(`unexpected '${args.slice(1).join(' ')}' after the address of ${s.type} '${name || args[0]}'`, s.pos)
        }
        if (name === '' && headerAddr !== undefined) {
          name = headerAddr
          ctx.warn(`this listen section has no name; edgelb names it '${name}' (write 'listen NAME ${headerAddr}' to choose one)`, s.pos)
        }
        const p = inherit(base, s.type, name, s.pos)
        if (from !== undefined) p.from = from
        if (headerAddr !== undefined) {
          const addr = headerAddr
          guard(() => { p.binds.push(parseBindLine([addr], { kw: 'bind', args: [addr], pos: s.pos }, ctx)) })
        }
        const section = s.type
        for (const d of s.directives) guard(() => applyProxy(d, p, section))
        proxies.push(p)
        break
      }
      case 'peers':
        peers.push(readPeers(s))
        break
      case 'ring': {
        const r = readRing(s, ctx, guard)
        if (r) {
          if (rings.some((q) => q.name === r.name)) ctx.error(`ring '${r.name}' is declared twice`, s.pos)
          else rings.push(r)
        }
        break
      }
      case 'cache': {
        for (const d of s.directives) guard(() => checkSectionLine('cache', d))
        const c = readCache(s, guard)
        if (caches.some((x) => x.name === c.name)) ctx.error(`cache '${c.name}' is declared twice`, s.pos)
        else caches.push(c)
        break
      }
      case 'resolvers': {
        for (const d of s.directives) guard(() => checkSectionLine('resolvers', d))
        const r = readResolvers(s, guard)
        if (resolvers.some((x) => x.name === r.name)) ctx.error(`resolvers '${r.name}' is declared twice`, s.pos)
        else resolvers.push(r)
        break
      }
      case 'userlist': {
        for (const d of s.directives) guard(() => checkSectionLine('userlist', d))
        const u = readUserlist(s, guard, ctx.warn)
        if (userlists.some((x) => x.name === u.name)) ctx.error(`userlist '${u.name}' is declared twice`, s.pos)
        else userlists.push(u)
        break
      }
      case 'program': {
        const p = readProgram(s)
        if (p) {
          if (programs.some((q) => q.name === p.name)) ctx.error(`program '${p.name}' is declared twice`, s.pos)
          else programs.push(p)
        }
        break
      }
      default: {
        const section = s.type
        const protects = sectionProtects[section]
        for (const d of [s, ...s.directives]) {
          unimplementedLines.add(lineKey(d.pos))
          if (protects !== undefined) unprotectedLines.add(lineKey(d.pos))
        }
        if (protects !== undefined) {
          reportUnprotected(ctx, `a '${section}' section`, s.pos, protects, allow)
        } else if (!ignoredSections.has(section)) {
          ignoredSections.add(section)
          ctx.warn(`'${section}' sections are not implemented yet; edgelb ignores '${section}${s.name ? ` ${s.name}` : ''}'`, s.pos)
        }
        for (const d of s.directives) guard(() => checkSectionLine(section, d))
      }
    }
  }

  if (options.localPeer !== undefined) global.localPeer = options.localPeer
  for (const t of [...global.logs, ...proxies.flatMap((p) => p.logs)]) {
    const ring = /^ring@(.+)$/.exec(t.address)?.[1]
    if (ring !== undefined && !rings.some((r) => r.name === ring)) ctx.error(`log target 'ring@${ring}': no ring section '${ring}' is declared${rings.length ? ` (declared: ${rings.map((r) => r.name).join(', ')})` : ''}`, t.pos)
  }
  const config: Config = { global, proxies, peers, userlists, caches, resolvers, programs, files: [...files], ...(rings.length ? { rings } : {}) }
  validateConfig(config, ctx, (p, phrase) => phrasePos.get(p)?.get(phrase))
  checkServerResolvers(config, ctx.error)
  // `load-server-state-from-file`: the saved addresses, before anything connects to the servers.
  applyStateAddresses(config)
  // The run-time objects, built once here: every rule, map, stick table, balancing key and health
  // check that cannot work is reported at its line, and `run` starts with these same objects.
  const runtime = buildRuntime(config, {
    ...ctx,
    unimplemented: (what, at, protects) => ctx.notBuilt(what, at, { protects }),
    balanceAt: (p) => phrasePos.get(p)?.get('balance'),
  }, options.keepTables === undefined ? {} : { keepTables: options.keepTables })

  for (const [what, { area, at, more, instead }] of notBuilt) {
    const also = more > 0 ? ` (and ${more} more use${more > 1 ? 's' : ''})` : ''
    const why = area === undefined ? '' : ` (${area})`
    ctx.warn(`${what} is parsed but not implemented yet${why}; ${instead ?? 'edgelb ignores it for now'}${also}`, at)
  }
  sortDiagnostics(diagnostics, files)
  return { config, runtime, diagnostics, unimplemented: { lines: unimplementedLines.size, protections: unprotectedLines.size } }

  function applyGlobal(d: Directive, g: GlobalConfig): void {
    const words = [d.kw, ...d.args]
    const match = longestPhrase(globalTable, words)
    if (match) {
      const { entry, own } = match.entry
      const phrase = words.slice(0, match.words).join(' ')
      checkPrefix(d, phrase, entry)
      if (own) {
        own.parse(words.slice(match.words), d, g, ctx)
        if (own.notBuilt) ctx.notBuilt(`'${phrase}'`, d.pos, { area: own.notBuilt, protects: entry.protects })
      } else {
        ctx.notBuilt(`'${phrase}'`, d.pos, { protects: entry.protects })
      }
      return
    }
    checkRemoved(words, d.pos)
    const proxyKw = longestPhrase(proxyTable, words)
    if (proxyKw) throw new ConfigError(`'${words.slice(0, proxyKw.words).join(' ')}' belongs in a defaults, frontend, backend or listen section, not in 'global'`, d.pos)
    throw new ConfigError(unknownKeyword('global', words, ` in 'global'`), d.pos)
  }

  /**
   * Whether a keyword applies where it is written, by its dictionary entry. Outside its sections
   * HAProxy refuses it in a defaults section, and in a frontend or backend lacking the side it
   * needs only warns and ignores it (its warnifnotcap: `timeout server` in a frontend), unless the
   * keyword cannot be ignored safely (`failIfNotCap`: `server` in a frontend). ACLs and rules are
   * refused in an unnamed defaults section (HAProxy 2.5+ takes them in named ones only).
   */
  function placed(phrase: string, entry: KnownKeyword, section: ProxySection, p: ProxyConfig, at: SourcePos): boolean {
    if (allowedIn(entry, section)) {
      if (section === 'defaults' && entry.namedDefaultsOnly && p.name === '') {
        throw new ConfigError(`'${phrase}' is not allowed in an unnamed defaults section; name the section (defaults NAME) or move the line to the proxies`, at)
      }
      return true
    }
    const belongs = proxySectionsOf(entry)
    if (section === 'defaults' || !belongs.includes('listen') || entry.failIfNotCap) throw new ConfigError(`'${phrase}' is not allowed in a ${section} section; it belongs in: ${belongs.join(', ')}`, at)
    ctx.warn(`'${phrase}' is ignored in a ${section} section, which has no ${section === 'frontend' ? 'backend' : 'frontend'} side; move it to: ${belongs.join(', ')}`, at)
    return false
  }

  function applyProxy(d: Directive, p: ProxyConfig, section: ProxySection): void {
    const words = [d.kw, ...d.args]
    const match = longestPhrase(proxyTable, words)
    if (match) {
      const { entry, own } = match.entry
      const phrase = words.slice(0, match.words).join(' ')
      if (!placed(phrase, entry, section, p, d.pos)) return
      checkPrefix(d, phrase, entry)
      if (d.reset) {
        if (!phrase.startsWith('option ')) throw new ConfigError(`'default' can only reset an option ('default option NAME')`, d.pos)
        const name = phrase.slice(7)
        if (current.options[name] === undefined) delete p.options[name]
        else p.options[name] = current.options[name]!
        return
      }
      if (!own) {
        if (phrase.startsWith('option ')) p.options[phrase.slice(7)] = !d.no
        // `no option X` turns off what edgelb does not do: nothing is left unprotected.
        ctx.notBuilt(`'${phrase}'`, d.pos, { protects: d.no ? undefined : entry.protects })
        return
      }
      own.parse(words.slice(match.words), d, p, ctx)
      if (own.notBuilt && !d.no) ctx.notBuilt(`'${phrase}'`, d.pos, { area: own.notBuilt, protects: entry.protects })
      let seen = phrasePos.get(p)
      if (!seen) phrasePos.set(p, (seen = new Map()))
      if (!seen.has(phrase)) seen.set(phrase, d.pos)
      return
    }
    checkRemoved(words, d.pos)
    if (d.kw === 'option') {
      const name = d.args[0]
      if (name === undefined) throw new ConfigError(`'option' expects an option name, e.g. option httpclose`, d.pos)
      const hint = suggest(name, proxyOptionNames)
      throw new ConfigError(`unknown option '${name}'${hint ? `; did you mean '${hint}'?` : ''}`, d.pos)
    }
    // A global keyword, unless it also begins proxy phrases ('external-check' → 'external-check command').
    const globalKw = findGlobalKeyword(words)
    if (globalKw && findPhrasePrefix('proxy', words.slice(0, globalKw.words))?.words !== globalKw.words) {
      throw new ConfigError(`'${words.slice(0, globalKw.words).join(' ')}' belongs in the 'global' section, not in a ${section} section`, d.pos)
    }
    throw new ConfigError(unknownKeyword('proxy', words, ''), d.pos)
  }

  /** HAProxy's master-worker `program` section: `command` is required; `user`/`group` (drop
   *  privileges) are not built; `option start-on-reload` is accepted (edgelb has no reload). */
  function readProgram(s: SectionSource): ProgramConfig | undefined {
    if (s.name === '') { ctx.error(`a program section needs a name: program NAME`, s.pos); return undefined }
    let command: string[] | undefined
    for (const d of s.directives) {
      guard(() => {
        checkSectionLine('program', d)
        if (d.kw === 'command') {
          if (d.args.length === 0) throw new ConfigError(`'command' expects the program and its arguments, e.g. command edgelb serve 127.0.0.1:9001`, d.pos)
          command = d.args
        } else if (d.kw === 'user' || d.kw === 'group') {
          ctx.notBuilt(`'${d.kw}' in a program section`, d.pos, { instead: 'the program runs as edgelb\'s own user' })
        }
      })
    }
    if (command === undefined) { ctx.error(`program '${s.name}' has no 'command'; write: command PROGRAM [ARGS...]`, s.pos); return undefined }
    return { name: s.name, command, pos: s.pos }
  }

  function readPeers(s: SectionSource): PeersConfig {
    const out: PeersConfig = { name: s.name, pos: s.pos, peers: [] }
    for (const d of s.directives) {
      guard(() => {
        checkSectionLine('peers', d)
        if (d.kw === 'peer' || d.kw === 'server') {
          const [name, address, ...opts] = d.args
          if (!name || (!address && d.kw === 'peer')) throw new ConfigError(`'${d.kw}' expects a name and an address: ${d.kw} NAME ADDRESS:PORT`, d.pos)
          // The local peer's address is where this process listens (fd@N too); the others' are
          // where it connects.
          if (address) { if (address.startsWith('fd@')) parseBindSpec(address, d.pos); else parseServerAddr(address, d.pos) }
          if (out.peers.some((p) => p.name === name)) throw new ConfigError(`peer '${name}' is declared twice in peers section '${s.name}'`, d.pos)
          out.peers.push({ name, address: address ?? '', pos: d.pos })
          if (opts.length > 0) ctx.notBuilt(`'${opts[0]}' on a peer`, d.pos, { area: 'peers options (ssl…)', ...(opts.includes('ssl') ? { protects: 'tls' as const } : {}) })
        } else if (d.kw === 'bind') {
          const [address, ...opts] = d.args
          if (!address) throw new ConfigError(`'bind' expects an address: bind ADDRESS:PORT`, d.pos)
          parseBindSpec(address, d.pos)
          ;(out.binds ??= []).push({ address, pos: d.pos })
          if (opts.length > 0) ctx.notBuilt(`'${opts[0]}' on a peers bind`, d.pos, { area: 'peers options (ssl…)', ...(opts.includes('ssl') ? { protects: 'tls' as const } : {}) })
        } else if (d.kw === 'table') {
          const [name, ...words] = d.args
          if (!name) throw new ConfigError(`'table' expects a name and a stick-table definition: table NAME type ip size 100k`, d.pos)
          ;(out.tables ??= []).push({ name, cfg: parseStickTable(words, d) })
        } else if (d.kw === 'disabled') {
          out.disabled = true
        } else if (d.kw === 'enable') {
          delete out.disabled
        } else if (d.kw === 'default-bind' || d.kw === 'default-server' || d.kw === 'shards' || d.kw === 'log') {
          ctx.notBuilt(`'${d.kw}' in a peers section`, d.pos, { area: 'peers options' })
        }
      })
    }
    return out
  }

}
