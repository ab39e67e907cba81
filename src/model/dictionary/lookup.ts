/**
 * Look-ups over the keyword tables, for the builder (config/build.ts) and the server and bind
 * line parsers: find the keyword a line starts with (the longest known phrase of up to three
 * words), a `server` or `bind` option, or a removed 1.x keyword. Every index is a Map built once when this module loads; a look-up is a
 * few Map probes, never a scan of a table.
 *
 * Conventions the caller owns:
 *  - The caller strips a leading `no` / `default` before looking a line up, then checks
 *    `entry.noForm` itself.
 *  - A word written with a parenthesised argument (`set-var(txn.x)`, `set-var-fmt(…)`,
 *    `set-proxy-v2-tlv-fmt(0x20)`) is matched on the part before '('.
 *  - Section restrictions are not enforced here: `findProxyKeyword` returns the entry so the
 *    caller can judge a misplaced keyword (an error, or a warning that it is ignored) with
 *    `allowedIn` and `proxySectionsOf`.
 */
import type { SectionType } from '../source.ts'
import type { KnownKeyword, KnownOption, LegacyKeyword } from './types.ts'
import { globalKeywords } from './global.ts'
import { proxyKeywords } from './proxy.ts'
import { legacyKeywords } from './legacy.ts'
import { serverOptions } from './server-options.ts'
import { bindOptions } from './bind-options.ts'
import {
  httpAfterResponseActions,
  httpRequestActions,
  httpResponseActions,
  tcpRequestConnectionActions,
  tcpRequestContentActions,
  tcpRequestSessionActions,
  tcpResponseContentActions,
} from './actions.ts'
import {
  acmeKeywords,
  cacheKeywords,
  crtStoreKeywords,
  fcgiAppKeywords,
  httpErrorsKeywords,
  logForwardKeywords,
  logProfileKeywords,
  mailersKeywords,
  peersKeywords,
  programKeywords,
  resolversKeywords,
  ringKeywords,
  tracesKeywords,
  userlistKeywords,
} from './sections.ts'

export type ProxySection = 'defaults' | 'frontend' | 'backend' | 'listen'

/** The sections with their own small keyword tables (sections.ts): every section but global and
 *  the proxies. */
export type OtherSection = Exclude<SectionType, 'global' | ProxySection>

/** The rule sets whose first word after the keyword is an action (actions.ts). */
export type RuleSet =
  | 'http-request'
  | 'http-response'
  | 'http-after-response'
  | 'tcp-request connection'
  | 'tcp-request session'
  | 'tcp-request content'
  | 'tcp-response content'

/** A keyword found at the start of a line, and how many of the line's words it spans. */
export interface KeywordMatch<T> {
  entry: T
  words: number
}

/** The letter of `sections` (see KnownKeyword) that stands for each proxy section. */
const sectionLetter: Readonly<Record<ProxySection, string>> = {
  defaults: 'd',
  frontend: 'f',
  backend: 'b',
  listen: 'l',
}
const PROXY_SECTIONS = Object.keys(sectionLetter) as ProxySection[]

/** The longest phrase any table holds, in words ('capture request header'). */
const MAX_PHRASE_WORDS = 3

/** The part of a word before a parenthesised argument: 'set-var(txn.x)' → 'set-var'. */
function bareWord(word: string): string {
  const paren = word.indexOf('(')
  return paren > 0 ? word.slice(0, paren) : word
}

function indexBy<T extends { kw: string }>(table: readonly T[]): Map<string, T> {
  const map = new Map<string, T>()
  for (const entry of table) if (!map.has(entry.kw)) map.set(entry.kw, entry)
  return map
}

/** The longest phrase of `words` (up to three words) that `index` knows; a word carrying a
 *  parenthesised argument is matched on its bare name. */
export function longestPhrase<T>(index: Map<string, T>, words: readonly string[]): KeywordMatch<T> | undefined {
  const limit = Math.min(MAX_PHRASE_WORDS, words.length)
  for (let n = limit; n >= 1; n--) {
    const phrase = words.slice(0, n).map(bareWord).join(' ')
    const entry = index.get(phrase)
    if (entry !== undefined) return { entry, words: n }
  }
  return undefined
}

const proxyIndex = indexBy(proxyKeywords)
const globalIndex = indexBy(globalKeywords)
const legacyIndex = indexBy(legacyKeywords)
/** The 1.x proxy keywords edgelb still reads, as entries of the proxy table (their sections). */
const legacyProxyIndex = new Map<string, KnownKeyword>(
  legacyKeywords.flatMap((k) => (k.sections === undefined ? [] : [[k.kw, { kw: k.kw, sections: k.sections, ...(k.noForm ? { noForm: true } : {}) }] as const])),
)
const serverIndex = indexBy(serverOptions)
const bindIndex = indexBy(bindOptions)

/** One index per section: a Record, so that a section type without its table does not compile. */
const sectionIndexes: Readonly<Record<OtherSection, Map<string, KnownKeyword>>> = {
  peers: indexBy(peersKeywords),
  userlist: indexBy(userlistKeywords),
  resolvers: indexBy(resolversKeywords),
  mailers: indexBy(mailersKeywords),
  cache: indexBy(cacheKeywords),
  program: indexBy(programKeywords),
  'http-errors': indexBy(httpErrorsKeywords),
  ring: indexBy(ringKeywords),
  'log-forward': indexBy(logForwardKeywords),
  'fcgi-app': indexBy(fcgiAppKeywords),
  'crt-store': indexBy(crtStoreKeywords),
  traces: indexBy(tracesKeywords),
  'log-profile': indexBy(logProfileKeywords),
  acme: indexBy(acmeKeywords),
}

const actionIndexes: ReadonlyMap<RuleSet, ReadonlySet<string>> = new Map([
  ['http-request', new Set(httpRequestActions)],
  ['http-response', new Set(httpResponseActions)],
  ['http-after-response', new Set(httpAfterResponseActions)],
  ['tcp-request connection', new Set(tcpRequestConnectionActions)],
  ['tcp-request session', new Set(tcpRequestSessionActions)],
  ['tcp-request content', new Set(tcpRequestContentActions)],
  ['tcp-response content', new Set(tcpResponseContentActions)],
])

/**
 * The proxy keyword a line starts with (longest phrase first: ['option','httpchk','HEAD']
 * gives 'option httpchk', 2 words). Sections are not checked: `allowedIn` says whether the entry
 * may be written in one, `proxySectionsOf` where it may.
 */
export function findProxyKeyword(words: readonly string[]): KeywordMatch<KnownKeyword> | undefined {
  return longestPhrase(proxyIndex, words)
}

/** Whether a proxy keyword entry is allowed in `section`. */
export function allowedIn(entry: KnownKeyword, section: ProxySection): boolean {
  return entry.sections === undefined || entry.sections.includes(sectionLetter[section])
}

/** The proxy sections a proxy keyword entry is allowed in, in the order defaults, frontend,
 *  backend, listen. */
export function proxySectionsOf(entry: KnownKeyword): ProxySection[] {
  return PROXY_SECTIONS.filter((s) => allowedIn(entry, s))
}

/**
 * The proxy keyword written exactly `phrase` ('timeout connect', 'acl'), or one of the 1.x proxy
 * keywords edgelb still reads ('contimeout'): what config/build.ts places edgelb's own keywords
 * by, so that their sections and `no` form are only ever written here.
 */
export function proxyKeywordByPhrase(phrase: string): KnownKeyword | undefined {
  return proxyIndex.get(phrase) ?? legacyProxyIndex.get(phrase)
}

/** The `global` keyword written exactly `phrase` ('stats socket', 'log'). */
export function globalKeywordByPhrase(phrase: string): KnownKeyword | undefined {
  return globalIndex.get(phrase)
}

/** The `global` keyword a line starts with (longest phrase first: 'stats socket'). */
export function findGlobalKeyword(words: readonly string[]): KeywordMatch<KnownKeyword> | undefined {
  return longestPhrase(globalIndex, words)
}

/** The keyword a line of one of the other sections (peers, resolvers, …) starts with. */
export function findSectionKeyword(
  section: OtherSection,
  words: readonly string[],
): KeywordMatch<KnownKeyword> | undefined {
  return longestPhrase(sectionIndexes[section], words)
}

/** The keywords of one of the other sections, in table order (for "known: …" and did-you-mean). */
export function sectionKeywordNames(section: OtherSection): readonly string[] {
  return [...sectionIndexes[section].keys()]
}

/** A word of a `server` / `default-server` / `server-template` line. */
export function findServerOption(word: string): KnownOption | undefined {
  return serverIndex.get(word) ?? serverIndex.get(bareWord(word))
}

/** A word of a `bind` line. */
export function findBindOption(word: string): KnownOption | undefined {
  return bindIndex.get(word) ?? bindIndex.get(bareWord(word))
}

/**
 * A removed or renamed 1.x keyword a line starts with (longest phrase first:
 * 'option forceclose' before a one-word match). Consult the live tables of the section first:
 * a few words are legacy in one place and current in another (`grace` is a global keyword
 * again).
 */
export function findLegacyKeyword(words: readonly string[]): KeywordMatch<LegacyKeyword> | undefined {
  return longestPhrase(legacyIndex, words)
}

/**
 * The action `word` names in `ruleSet`, as listed in actions.ts: 'set-var(txn.x)' gives
 * 'set-var'; `lua.<name>` is returned as is (Lua registers its actions at run time);
 * `track-sc<N>` is accepted for any N (tune.stick-counters). `undefined` if HAProxy has no
 * such action in that rule set.
 */
export function findAction(ruleSet: RuleSet, word: string): string | undefined {
  const bare = bareWord(word)
  if (bare.startsWith('lua.') && bare.length > 4) return bare
  const actions = actionIndexes.get(ruleSet)
  if (actions === undefined) return undefined
  if (/^track-sc\d+$/.test(bare) && actions.has('track-sc0')) return bare
  return actions.has(bare) ? bare : undefined
}

/** The distinct first words of a table's phrases, in table order ('timeout', 'option', …). */
function firstWords(names: Iterable<string>): string[] {
  const seen = new Set<string>()
  for (const name of names) seen.add(name.split(' ', 1)[0]!)
  return [...seen]
}

/** Every proper prefix of a table's phrases ('timeout', 'capture request'), with the words that
 *  may follow it, in table order. */
function prefixIndex(names: Iterable<string>): Map<string, string[]> {
  const index = new Map<string, string[]>()
  for (const name of names) {
    const words = name.split(' ')
    for (let n = 1; n < words.length; n++) {
      const prefix = words.slice(0, n).join(' ')
      const next = index.get(prefix) ?? []
      if (!next.includes(words[n]!)) next.push(words[n]!)
      index.set(prefix, next)
    }
  }
  return index
}

const proxyPrefixes = prefixIndex(proxyIndex.keys())
const globalPrefixes = prefixIndex(globalIndex.keys())

/** The start of a line that only begins known phrases ('tcp-check' of 'tcp-check bogus',
 *  'capture request' of 'capture request bogus'), and the words that may come next there. */
export interface PhrasePrefix {
  prefix: string
  words: number
  next: readonly string[]
}

/**
 * For a line no phrase of the `proxy` or `global` table matches: the longest run of its first
 * words that begins known phrases, and what may follow it (so that 'tcp-check bogus' is told
 * about `tcp-check connect|send|expect|…`, not offered 'tcp-check' back). `undefined` when even
 * the first word begins no phrase.
 */
export function findPhrasePrefix(table: 'proxy' | 'global', words: readonly string[]): PhrasePrefix | undefined {
  const index = table === 'proxy' ? proxyPrefixes : globalPrefixes
  for (let n = Math.min(MAX_PHRASE_WORDS - 1, words.length); n >= 1; n--) {
    const prefix = words.slice(0, n).map(bareWord).join(' ')
    const next = index.get(prefix)
    if (next !== undefined) return { prefix, words: n, next }
  }
  return undefined
}

/**
 * Candidate lists for `suggest` ("did you mean …?"): every phrase of a table, and the distinct
 * first words of those phrases (what to offer when the first word itself is misspelt). The
 * builder suggests from these only: every keyword edgelb implements has its entry here, and the
 * 1.x words it still reads (`contimeout`…) are not worth offering.
 */
export const proxyKeywordNames: readonly string[] = [...proxyIndex.keys()]
export const proxyFirstWords: readonly string[] = firstWords(proxyIndex.keys())
export const globalKeywordNames: readonly string[] = [...globalIndex.keys()]
export const globalFirstWords: readonly string[] = firstWords(globalIndex.keys())
/** The names `option` takes ('httpclose', 'forwardfor', …), for "unknown option" hints. */
export const proxyOptionNames: readonly string[] = proxyPrefixes.get('option') ?? []
export const serverOptionNames: readonly string[] = [...serverIndex.keys()]
export const bindOptionNames: readonly string[] = [...bindIndex.keys()]
