/**
 * Writes HAProxy sections (as `readHaproxy` gives them) as edgelb YAML that `readYaml` reads back
 * into the same directives: same keywords, words, `no`/`default` prefixes and, within one keyword,
 * the same order. Used by `edgelb convert`.
 *
 * The output is meant to read like hand-written YAML, so lines are grouped:
 *
 *   timeout connect 5s / timeout client 30s   → timeout: { connect: 5s, client: 30s }   (block map)
 *   option httpclose / option forwardfor       → option: [httpclose, forwardfor]
 *   option httpchk HEAD / / no option x        → option: { httpchk: HEAD /, x: false }
 *   acl is_api path_beg /api                   → acl: { is_api: path_beg /api }
 *   server webA 10.0.0.1:80 cookie A check     → servers: { webA: { address: 10.0.0.1:80, cookie: A, check: true } }
 *   http-request … (repeated)                  → http-request: [ "…", "…" ]
 *   anything else                              → kw: "args" (words joined as an HAProxy line would be)
 *
 * A group takes the place of its first member. Only keywords whose lines are independent of one
 * another are regrouped by subkey (timeout, option, acl): rule keywords keep their order because
 * each keyword keeps its own lines in file order.
 *
 * What the YAML cannot say the same way is rewritten to what means the same to HAProxy:
 *   - `listen NAME ADDR` (1.x) and `frontend NAME ADDR` → a first `bind: ADDR`; `listen ADDR` with
 *     no name is named after its address, as the builder names it;
 *   - several `global` (or `traces`) sections → one (their settings accumulate, so order is all that
 *     matters);
 *   - several `defaults` sections → a `defaults:` list; when a proxy in the .cfg sits under a
 *     defaults section that is not the last one, that section gets a name (`defaults-N` if it had
 *     none) and the proxy `from: NAME`, because YAML lists all defaults before all proxies;
 *   - `no KW ARGS…` and `default KW …` lines → keys `no KW` / `default KW` (their order relative to
 *     plain `KW` lines is not kept; HAProxy only has them for `option`s, with no further words).
 */
import { Document, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml'
import type { Node } from 'yaml'
import type { Directive, SectionSource, SectionType } from '../../model/source.ts'
import { findServerOption } from '../../model/dictionary/lookup.ts'
import { joinWords, quoteWord } from '../haproxy/tokenizer.ts'
import { groupKeyOf, PROXY_TYPES, SINGLE_SECTIONS } from './schema.ts'

const SINGLE_TYPES: ReadonlySet<SectionType> = new Set(Object.values(SINGLE_SECTIONS))

/** Keywords whose lines are independent per first word, so they may be grouped into a map. */
const SUBKEY_GROUPED: ReadonlySet<string> = new Set(['timeout', 'option', 'acl'])

/** One value in the making, with the comment that goes before it. */
interface Item {
  node: Node
  comment?: string
}

type Slot =
  | { kind: 'values'; key: string; items: Item[] }
  | { kind: 'submap'; key: string; entries: Map<string, Item[]> }
  | { kind: 'names'; key: string; items: Item[] }
  | { kind: 'servers'; entries: { name: string; item: Item }[] }

/** What the section header contributes to the YAML section map. */
interface Head {
  name?: string
  from?: string
  bind?: Directive
}

/** HAProxy sections → edgelb YAML text (ends with a newline). */
export function writeYaml(sections: readonly SectionSource[]): string {
  const root = new YAMLMap()
  const groups = new Map<string, YAMLMap | YAMLSeq>()
  const groupNode = (key: string, make: () => YAMLMap | YAMLSeq): YAMLMap | YAMLSeq => {
    let g = groups.get(key)
    if (!g) { g = make(); groups.set(key, g) }
    return g
  }

  // global and defaults first, whatever their place in the file: to HAProxy, a proxy takes the
  // defaults above it, and the YAML reader emits sections in document order.
  const topComments = new Map<string, string>()
  /** `global` and `traces`: unnamed, so several sections of the type become one. */
  const single = (type: SectionType): void => {
    const all = sections.filter((s) => s.type === type)
    if (all.length === 0) return
    const key = groupKeyOf(type)
    groups.set(key, sectionMap(all.flatMap((s) => s.directives), {}))
    const comment = joinLines(all.map((s) => s.comment))
    if (comment !== undefined) topComments.set(key, comment)
  }
  single('global')
  const plan = planDefaults(sections)
  const defaults = sections.filter((s) => s.type === 'defaults')
  const defaultsMaps = defaults.map((s) => {
    const name = plan.names.get(s) ?? s.name
    const head: Head = { name: name !== '' ? name : undefined, from: s.args[0] === 'from' ? s.args[1] : undefined }
    const comment = joinLines([s.comment, droppedArgsNote(s, s.args[0] === 'from' ? 2 : 0), plan.notes.get(s)])
    return { map: sectionMap(s.directives, head), comment }
  })
  if (defaultsMaps.length === 1) {
    const only = defaultsMaps[0]!
    groups.set('defaults', only.map)
    if (only.comment !== undefined) topComments.set('defaults', only.comment)
  } else if (defaultsMaps.length > 1) {
    const seq = new YAMLSeq()
    for (const { map, comment } of defaultsMaps) {
      if (comment !== undefined) map.commentBefore = yamlComment(comment)
      seq.items.push(map)
    }
    groups.set('defaults', seq)
  }

  const usedNames = new Map<string, Set<string>>()
  for (const s of sections) {
    if (s.type === 'defaults' || SINGLE_TYPES.has(s.type)) continue
    const key = groupKeyOf(s.type)
    const group = groupNode(key, () => new YAMLMap())
    if (!(group instanceof YAMLMap)) continue
    const head: Head = {}
    const notes: (string | undefined)[] = [s.comment]
    let name = s.name
    let args = s.args
    if (args[0] === 'from') {
      head.from = args[1]
      if (args.length > 2) notes.push(droppedArgsNote(s, 2))
      args = []
    }
    if (args.length > 0 && (s.type === 'listen' || s.type === 'frontend')) {
      head.bind = { kw: 'bind', args, pos: s.pos }
      if (name === '') name = args[0]!
    } else if (args.length > 0) {
      notes.push(droppedArgsNote(s, 0))
    }
    if (head.from === undefined && plan.from.has(s)) head.from = plan.from.get(s)
    notes.push(plan.notes.get(s))
    const used = usedNames.get(key) ?? new Set<string>()
    usedNames.set(key, used)
    if (used.has(name)) {
      let n = 2
      while (used.has(`${name}-${n}`)) n++
      notes.push(`edgelb convert: a second ${s.type} named '${name}' in the .cfg; renamed '${name}-${n}' (HAProxy refuses duplicate names)`)
      name = `${name}-${n}`
    }
    used.add(name)
    const k = new Scalar(name)
    const comment = joinLines(notes)
    if (comment !== undefined) k.commentBefore = yamlComment(comment)
    group.items.push(new Pair(k, sectionMap(s.directives, head)))
  }

  for (const type of SINGLE_TYPES) if (type !== 'global') single(type)

  // Top-level order: global, defaults, then the other groups in order of first appearance.
  const ordered = [...groups.keys()].sort((a, b) => rank(a) - rank(b))
  for (const key of ordered) {
    const k = new Scalar(key)
    const c = topComments.get(key)
    if (c !== undefined) k.commentBefore = yamlComment(c)
    root.items.push(new Pair(k, groups.get(key)!))
  }
  const doc = new Document()
  doc.contents = root
  return doc.toString({ lineWidth: 0 })
}

function rank(key: string): number {
  return key === 'global' ? 0 : key === 'defaults' ? 1 : 2
}

/** Which defaults sections need a name, and which proxies a `from:`, so that each proxy keeps the
 *  defaults section it had in the .cfg (the last one above it) once YAML lists them all first. */
function planDefaults(sections: readonly SectionSource[]): { names: Map<SectionSource, string>; from: Map<SectionSource, string>; notes: Map<SectionSource, string> } {
  const names = new Map<SectionSource, string>()
  const from = new Map<SectionSource, string>()
  const notes = new Map<SectionSource, string>()
  const all = sections.filter((s) => s.type === 'defaults')
  const lastOfAll = all[all.length - 1]
  const taken = new Set(sections.map((s) => s.name))
  const nameOf = (d: SectionSource): string => {
    if (d.name !== '') return d.name
    const known = names.get(d)
    if (known !== undefined) return known
    let n = all.indexOf(d) + 1
    while (taken.has(`defaults-${n}`)) n++
    const name = `defaults-${n}`
    taken.add(name)
    names.set(d, name)
    notes.set(d, `edgelb convert: named so that the proxies below it in the .cfg can keep it with 'from: ${name}'`)
    return name
  }
  let last: SectionSource | undefined
  for (const s of sections) {
    if (s.type === 'defaults') { last = s; continue }
    if (!PROXY_TYPES.has(s.type) || s.args[0] === 'from' || last === lastOfAll) continue
    if (last === undefined) {
      notes.set(s, `edgelb convert: in the .cfg this ${s.type} came before any defaults section; here it takes the last one`)
    } else {
      from.set(s, nameOf(last))
    }
  }
  return { names, from, notes }
}

/** One section's settings map, with the grouping described at the top of this file. */
function sectionMap(directives: readonly Directive[], head: Head): YAMLMap {
  const map = new YAMLMap()
  if (head.name !== undefined) map.items.push(new Pair(new Scalar('name'), new Scalar(head.name)))
  if (head.from !== undefined) map.items.push(new Pair(new Scalar('from'), new Scalar(head.from)))

  const all = head.bind ? [head.bind, ...directives] : directives
  const groupable = new Map<string, boolean>()
  for (const kw of SUBKEY_GROUPED) {
    const members = all.filter((d) => d.kw === kw && !d.reset)
    groupable.set(kw, members.every((d) => d.args.length >= 1 && (!d.no || d.args.length === 1)))
  }
  const options = all.filter((d) => d.kw === 'option' && !d.reset)
  const optionNames = options.every((d) => !d.no && d.args.length === 1)
  const servers = all.filter((d) => d.kw === 'server')
  const serverNames = servers.map((d) => d.args[0])
  const serversGroupable = servers.every((d) => !d.no && !d.reset && d.args.length >= 2) && new Set(serverNames).size === serverNames.length

  const slots = new Map<string, Slot>()
  const values = (key: string): Item[] => {
    let s = slots.get(key)
    if (!s) { s = { kind: 'values', key, items: [] }; slots.set(key, s) }
    return s.kind === 'values' ? s.items : []
  }

  for (const d of all) {
    const comment = d.comment
    if (d.reset) {
      values(`default ${quoteWord(d.kw)}`).push({ node: wordsNode(d.args), comment })
    } else if (SUBKEY_GROUPED.has(d.kw) && groupable.get(d.kw)) {
      const node = d.no ? new Scalar(false) : wordsNode(d.args.slice(1))
      if (d.kw === 'option' && optionNames) {
        let s = slots.get('option')
        if (!s) { s = { kind: 'names', key: 'option', items: [] }; slots.set('option', s) }
        if (s.kind === 'names') s.items.push({ node: new Scalar(quoteWord(d.args[0]!)), comment })
        continue
      }
      let s = slots.get(d.kw)
      if (!s) { s = { kind: 'submap', key: d.kw, entries: new Map() }; slots.set(d.kw, s) }
      if (s.kind !== 'submap') continue
      const sub = quoteWord(d.args[0]!)
      const items = s.entries.get(sub) ?? []
      items.push({ node, comment })
      s.entries.set(sub, items)
    } else if (d.kw === 'server' && serversGroupable) {
      let s = slots.get('servers')
      if (!s) { s = { kind: 'servers', entries: [] }; slots.set('servers', s) }
      if (s.kind === 'servers') s.entries.push({ name: d.args[0]!, item: { node: serverNode(d.args.slice(1), true), comment } })
    } else if (d.no) {
      if (d.args.length === 0) values(quoteWord(d.kw)).push({ node: new Scalar(false), comment })
      else values(`no ${quoteWord(d.kw)}`).push({ node: wordsNode(d.args), comment })
    } else if (d.kw === 'default-server') {
      values('default-server').push({ node: d.args.length > 0 ? serverNode(d.args, false) : new Scalar(true), comment })
    } else {
      values(quoteWord(d.kw)).push({ node: wordsNode(d.args), comment })
    }
  }

  for (const slot of slots.values()) {
    switch (slot.kind) {
      case 'values':
        map.items.push(itemsPair(slot.key, slot.items))
        break
      case 'names': {
        const seq = new YAMLSeq()
        seq.flow = true
        seq.items.push(...slot.items.map((i) => i.node))
        const k = new Scalar(slot.key)
        const c = joinLines(slot.items.map((i) => i.comment))
        if (c !== undefined) k.commentBefore = yamlComment(c)
        map.items.push(new Pair(k, seq))
        break
      }
      case 'submap': {
        const sub = new YAMLMap()
        for (const [name, items] of slot.entries) sub.items.push(itemsPair(name, items))
        map.items.push(new Pair(new Scalar(slot.key), sub))
        break
      }
      case 'servers': {
        const sub = new YAMLMap()
        for (const { name, item } of slot.entries) {
          const k = new Scalar(name)
          if (item.comment !== undefined) k.commentBefore = yamlComment(item.comment)
          sub.items.push(new Pair(k, item.node))
        }
        map.items.push(new Pair(new Scalar('servers'), sub))
        break
      }
    }
  }
  return map
}

/** `key: value` for one item, `key: [ … ]` (block list) for several; comments before each. */
function itemsPair(key: string, items: Item[]): Pair {
  const k = new Scalar(key)
  if (items.length === 1) {
    const only = items[0]!
    if (only.comment !== undefined) k.commentBefore = yamlComment(only.comment)
    return new Pair(k, only.node)
  }
  const seq = new YAMLSeq()
  for (const i of items) {
    if (i.comment !== undefined) i.node.commentBefore = yamlComment(i.comment)
    seq.items.push(i.node)
  }
  return new Pair(k, seq)
}

/** The words after a keyword as one YAML value: true for none, a number for one plain integer,
 *  else the words joined as on an HAProxy line (the reader splits them the same way). */
function wordsNode(words: readonly string[]): Scalar {
  if (words.length === 0) return new Scalar(true)
  if (words.length === 1 && isPlainInteger(words[0]!)) return new Scalar(Number(words[0]))
  return new Scalar(joinWords(words))
}

function isPlainInteger(w: string): boolean {
  return /^(0|-?[1-9][0-9]*)$/.test(w) && Number.isSafeInteger(Number(w))
}

/** A server's (or default-server's) words as a flow map `{ address: A, check: true, inter: 2000 }`,
 *  each option taking as many words as the keyword dictionary gives it (`no-X` of a flag `X` is
 *  `X: false`), or as one string when a word is not an option or an option repeats (the string
 *  always reads back exactly). A server with only an address is just the address. */
function serverNode(words: readonly string[], withAddress: boolean): Node {
  const opts = withAddress ? words.slice(1) : words
  if (withAddress && opts.length === 0) return wordsNode(words)
  const map = new YAMLMap()
  map.flow = true
  if (withAddress) map.items.push(new Pair(new Scalar('address'), wordsNode([words[0]!])))
  const seen = new Set<string>()
  for (let i = 0; i < opts.length; i++) {
    const w = opts[i]!
    const n = findServerOption(w)?.args
    if (n === undefined || opts.length - 1 - i < n) return wordsNode(words)
    let key = w
    let value: Scalar = new Scalar(true)
    if (n > 0) {
      value = wordsNode(opts.slice(i + 1, i + 1 + n))
      i += n
    } else if (w.startsWith('no-') && findServerOption(w.slice(3))?.args === 0) {
      key = w.slice(3)
      value = new Scalar(false)
    }
    if (seen.has(key)) return wordsNode(words)
    seen.add(key)
    map.items.push(new Pair(new Scalar(key), value))
  }
  return map
}

function droppedArgsNote(s: SectionSource, from: number): string | undefined {
  const extra = s.args.slice(from)
  if (extra.length === 0) return undefined
  return `edgelb convert: words '${joinWords(extra)}' after '${s.type}${s.name !== '' ? ' ' + s.name : ''}' have no YAML form and were left out`
}

function joinLines(parts: readonly (string | undefined)[]): string | undefined {
  const kept = parts.filter((p): p is string => p !== undefined && p !== '')
  return kept.length > 0 ? kept.join('\n') : undefined
}

/** The yaml package writes `#` + each line; a blank after `#` reads better. */
function yamlComment(text: string): string {
  return text.split('\n').map((l) => ` ${l}`).join('\n')
}
