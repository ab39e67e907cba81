/**
 * Reads edgelb's YAML syntax into sections of directives (model/source.ts), the same records
 * `readHaproxy` produces, so that one builder applies HAProxy's keyword semantics to both.
 *
 * The schema in one paragraph (docs/config.md has it in full): top-level keys name section
 * groups (`global`, `defaults`, `frontends`, `backends`, `listen`, `peers`, …); inside a section,
 * a key is an HAProxy keyword and its value gives the words after it:
 *
 *   string  → `K <words>`, split like an HAProxy line (quotes, escapes, `${VAR}`)
 *   number  → `K <number as written>`          true → `K`          false → `no K`
 *   list    → one directive per element         map  → `K <subkey> <value…>` per entry, recursively
 *
 * plus the special keys `servers`, `default-server`, `bind` (maps of server/bind options),
 * `name`/`from` (defaults naming, `from` inheritance) and the `no K`/`default K` key prefixes.
 *
 * Each directive carries the line and column of the key, or of the list item, that produced it.
 * This reader knows shapes, not keywords: `timeout: { conect: 5s }` reads fine and the builder
 * reports the typo, exactly as it would for the `.cfg` line.
 */
import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml'
import type { Document, Node, Pair, Scalar, YAMLMap } from 'yaml'
import { ConfigError } from '../../model/source.ts'
import type { Diagnostic, Directive, ReadResult, SectionSource, SectionType, SourcePos } from '../../model/source.ts'
import { tokenizeLine } from '../haproxy/tokenizer.ts'
import { suggest } from '../../model/suggest.ts'
import type { Env } from '../haproxy/tokenizer.ts'
import { NAMED_GROUPS, PROXY_TYPES, SINGLE_SECTIONS, TOP_LEVEL_KEYS } from './schema.ts'

/** Where a directive is being produced: the YAML path for messages, and its position. */
interface At {
  path: string
  pos: SourcePos
}

/** Parses edgelb YAML. Never throws: YAML syntax errors, duplicate keys and wrong shapes become
 *  error diagnostics naming the key path, and reading goes on with the next key. A document
 *  with YAML syntax errors yields no sections (what follows the error cannot be trusted). */
export function readYaml(text: string, file: string, env: Env = {}): ReadResult {
  const sections: SectionSource[] = []
  const diagnostics: Diagnostic[] = []
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: true, uniqueKeys: false, prettyErrors: true })

  for (const e of doc.errors) {
    const lp = e.linePos?.[0]
    diagnostics.push({ severity: 'error', pos: lp ? { file, line: lp.line, col: lp.col } : { file, line: 1 }, message: `invalid YAML: ${cleanYamlMessage(e.message)}` })
  }
  if (doc.errors.length > 0) return { sections, diagnostics }
  for (const w of doc.warnings) {
    const lp = w.linePos?.[0]
    diagnostics.push({ severity: 'warning', pos: lp ? { file, line: lp.line, col: lp.col } : { file, line: 1 }, message: `YAML: ${cleanYamlMessage(w.message)}` })
  }

  const posOf = (node: Node | null | undefined): SourcePos => {
    const offset = node?.range?.[0] ?? 0
    const lp = lineCounter.linePos(offset)
    return { file, line: lp.line, col: lp.col }
  }
  const err = (pos: SourcePos, message: string): void => { diagnostics.push({ severity: 'error', pos, message }) }
  const warn = (pos: SourcePos, message: string): void => { diagnostics.push({ severity: 'warning', pos, message }) }

  const root = deref(doc, doc.contents)
  if (root === undefined || (isScalar(root) && root.value === null)) return { sections, diagnostics }
  if (!isMap(root)) {
    err(posOf(root), `the top level must be a map of sections ('global:', 'defaults:', 'frontends:', 'backends:', 'listen:'…), not ${describe(root)}`)
    return { sections, diagnostics }
  }

  for (const entry of entriesOf(root, '')) {
    const { key, value, keyNode } = entry
    const at: At = { path: key, pos: posOf(keyNode) }
    const single = Object.hasOwn(SINGLE_SECTIONS, key) ? SINGLE_SECTIONS[key] : undefined
    const group = Object.hasOwn(NAMED_GROUPS, key) ? NAMED_GROUPS[key] : undefined
    if (single !== undefined) {
      readSection(single, '', value, at, entry.comment)
    } else if (key === 'defaults') {
      readDefaults(value, at, entry.comment)
    } else if (group !== undefined) {
      readGroup(group, key, value, at, entry.comment)
    } else {
      const s = suggest(key, TOP_LEVEL_KEYS)
      err(at.pos, `unknown top-level key '${key}'; ` + (s !== undefined ? `did you mean '${s}'?` : `known keys: ${TOP_LEVEL_KEYS.join(', ')}`))
    }
  }
  return { sections, diagnostics }

  // --- sections -----------------------------------------------------------------------------

  function readDefaults(value: Node | undefined, at: At, comment: string | undefined): void {
    if (isSeq(value)) {
      value.items.forEach((item, i) => {
        const node = deref(doc, item)
        const itemAt: At = { path: `${at.path}[${i}]`, pos: posOf(node) }
        if (node !== undefined && !isMap(node) && !isNull(node)) {
          err(itemAt.pos, `'${itemAt.path}' must be a map of settings (KEY: VALUE), not ${describe(node)}`)
          return
        }
        readSection('defaults', '', node, itemAt, i === 0 ? comment : undefined)
      })
      return
    }
    if (value !== undefined && !isMap(value) && !isNull(value)) {
      err(at.pos, `'${at.path}' must be a map of settings, or a list of such maps for several defaults sections, not ${describe(value)}`)
      return
    }
    readSection('defaults', '', value, at, comment)
  }

  function readGroup(type: SectionType, key: string, value: Node | undefined, at: At, comment: string | undefined): void {
    if (value === undefined || isNull(value)) return
    if (!isMap(value)) {
      err(at.pos, `'${key}' must be a map of ${type} names to their settings (${key}: { NAME: { KEY: VALUE } }), not ${describe(value)}`)
      return
    }
    let first = true
    for (const e of entriesOf(value, key)) {
      const sectionAt: At = { path: `${key}.${e.key}`, pos: posOf(e.keyNode) }
      if (e.value !== undefined && !isMap(e.value) && !isNull(e.value)) {
        err(sectionAt.pos, `'${sectionAt.path}' must be a map of settings (KEY: VALUE), not ${describe(e.value)}`)
        continue
      }
      readSection(type, e.key, e.value, sectionAt, joinComments(first ? comment : undefined, e.comment))
      first = false
    }
  }

  function readSection(type: SectionType, name: string, value: Node | undefined, at: At, comment: string | undefined): void {
    const section: SectionSource = { type, name, args: [], pos: at.pos, directives: [] }
    if (comment !== undefined) section.comment = comment
    if (value !== undefined && !isNull(value) && !isMap(value)) {
      err(at.pos, `'${at.path}' must be a map of settings (KEY: VALUE), not ${describe(value)}`)
      return
    }
    sections.push(section)
    if (value === undefined || !isMap(value)) return
    for (const e of entriesOf(value, at.path)) {
      const keyAt: At = { path: `${at.path}.${e.key}`, pos: posOf(e.keyNode) }
      if (type === 'defaults' && e.key === 'name') {
        const w = singleWord(e.value, keyAt)
        if (w !== undefined) section.name = w
      } else if (e.key === 'from' && (type === 'defaults' || PROXY_TYPES.has(type))) {
        const w = singleWord(e.value, keyAt)
        if (w !== undefined) section.args = ['from', w]
      } else if (e.key === 'servers') {
        readServers(section, e.value, keyAt, e.comment)
      } else if (e.key === 'default-server' || e.key === 'bind') {
        readOptionLines(section, e.key, e.value, keyAt, e.comment)
      } else {
        const words = tokenize(e.key, keyAt)
        if (words === undefined) continue
        if (words.length === 0) { err(keyAt.pos, `empty key in '${at.path}'`); continue }
        let prefix: 'no' | 'default' | undefined
        if ((words[0] === 'no' || words[0] === 'default') && words.length > 1) prefix = words.shift() as 'no' | 'default'
        emit(section, words, e.value, keyAt, { prefix, comment: e.comment })
      }
    }
  }

  // --- generic rules ------------------------------------------------------------------------

  /** Applies the generic rules: `words` are the keyword and any subkeys above `value`. */
  function emit(section: SectionSource, words: string[], value: Node | undefined, at: At, opts: { prefix?: 'no' | 'default'; comment?: string }): void {
    if (value === undefined || isNull(value)) {
      err(at.pos, `'${at.path}' has no value; write true for the keyword alone, or its arguments`)
      return
    }
    if (isScalar(value)) {
      const v = value.value
      if (typeof v === 'boolean') {
        if (v) { push(section, words, at.pos, opts.prefix, opts.comment); return }
        if (opts.prefix !== undefined) {
          err(at.pos, `'${at.path}' is false under a '${opts.prefix}' key; write the keyword under its own key with false for the 'no' form`)
          return
        }
        push(section, words, at.pos, 'no', opts.comment)
        return
      }
      if (typeof v === 'number' || typeof v === 'bigint') {
        push(section, [...words, numberText(value)], at.pos, opts.prefix, opts.comment)
        return
      }
      if (typeof v === 'string') {
        const tl = tokenizeFull(v, at)
        if (tl === undefined) return
        push(section, [...words, ...tl.words], at.pos, opts.prefix, joinComments(opts.comment, tl.comment))
        return
      }
      err(at.pos, `'${at.path}' must be true, false, a number or a string, not ${describe(value)}`)
      return
    }
    if (isSeq(value)) {
      value.items.forEach((item, i) => {
        const node = deref(doc, item)
        const comment = joinComments(i === 0 ? joinComments(opts.comment, value.commentBefore ?? undefined) : undefined, nodeComments(node))
        emit(section, words, node, { path: `${at.path}[${i}]`, pos: posOf(node) }, { prefix: opts.prefix, comment })
      })
      return
    }
    if (isMap(value)) {
      let first = true
      for (const e of entriesOf(value, at.path)) {
        const subAt: At = { path: `${at.path}.${e.key}`, pos: posOf(e.keyNode) }
        const sub = tokenize(e.key, subAt)
        if (sub === undefined) continue
        if (sub.length === 0) { err(subAt.pos, `empty key in '${at.path}'`); continue }
        emit(section, [...words, ...sub], e.value, subAt, { prefix: opts.prefix, comment: joinComments(first ? opts.comment : undefined, e.comment) })
        first = false
      }
      return
    }
    err(at.pos, `'${at.path}' must be true, false, a number, a string, a list or a map, not ${describe(value)}`)
  }

  function push(section: SectionSource, words: string[], pos: SourcePos, prefix: 'no' | 'default' | undefined, comment: string | undefined): void {
    const d: Directive = { kw: words[0]!, args: words.slice(1), pos }
    if (prefix === 'no') d.no = true
    else if (prefix === 'default') d.reset = true
    if (comment !== undefined) d.comment = comment
    section.directives.push(d)
  }

  // --- servers, default-server, bind ----------------------------------------------------------

  /** `servers:` is a map name → "ADDRESS [OPTIONS]" or { address, OPTION: VALUE… }, or a list of
   *  such maps carrying `name:` (or of whole "NAME ADDRESS [OPTIONS]" strings). */
  function readServers(section: SectionSource, value: Node | undefined, at: At, comment: string | undefined): void {
    const shape = `a map of server names to an address and options (servers: { NAME: "ADDRESS [OPTIONS]" })`
    if (isMap(value)) {
      let first = true
      for (const e of entriesOf(value, at.path)) {
        const srvAt: At = { path: `${at.path}.${e.key}`, pos: posOf(e.keyNode) }
        const c = joinComments(first ? comment : undefined, e.comment)
        first = false
        readServer(section, e.key, e.value, srvAt, c)
      }
      return
    }
    if (isSeq(value)) {
      value.items.forEach((item, i) => {
        const node = deref(doc, item)
        const itemAt: At = { path: `${at.path}[${i}]`, pos: posOf(node) }
        const c = joinComments(i === 0 ? comment : undefined, nodeComments(node))
        if (isMap(node)) {
          const nameNode = deref(doc, node.get('name', true))
          if (nameNode === undefined) { err(itemAt.pos, `'${itemAt.path}' needs a 'name' key: the server's name`); return }
          const name = singleWord(nameNode, { path: `${itemAt.path}.name`, pos: posOf(nameNode) })
          if (name === undefined) return
          readServer(section, name, node, { path: `${at.path}.${name}`, pos: itemAt.pos }, c, 'name')
        } else if (isScalar(node) && typeof node.value === 'string') {
          emit(section, ['server'], node, itemAt, { comment: c })
        } else {
          err(itemAt.pos, `'${itemAt.path}' must be a map with 'name' and 'address', or a string "NAME ADDRESS [OPTIONS]", not ${describe(node)}`)
        }
      })
      return
    }
    err(at.pos, `'${at.path}' must be ${shape}, not ${describe(value)}`)
  }

  function readServer(section: SectionSource, name: string, value: Node | undefined, at: At, comment: string | undefined, skip?: string): void {
    if (isMap(value)) {
      const words = optionWords(value, at, { address: 'required', skip, what: `server '${name}'`, missing: `server '${name}' in '${parentPath(at.path)}' needs an address: add 'address: ADDRESS'` })
      if (words !== undefined) push(section, ['server', name, ...words], at.pos, undefined, comment)
      return
    }
    if (isScalar(value) && (typeof value.value === 'string' || typeof value.value === 'number')) {
      emit(section, ['server', name], value, at, { comment })
      return
    }
    if (value === undefined || isNull(value)) {
      err(at.pos, `server '${name}' in '${parentPath(at.path)}' needs an address: write '${name}: ADDRESS [OPTIONS]' or add 'address: ADDRESS'`)
      return
    }
    err(at.pos, `'${at.path}' must be a string "ADDRESS [OPTIONS]" or a map { address: ADDRESS, OPTION: VALUE }, not ${describe(value)}`)
  }

  /** `bind` and `default-server`: a string (or number, or true) follows the generic rules; a map
   *  is an options map; a list holds any of those. */
  function readOptionLines(section: SectionSource, kw: 'bind' | 'default-server', value: Node | undefined, at: At, comment: string | undefined): void {
    const one = (node: Node | undefined, nodeAt: At, c: string | undefined): void => {
      if (isMap(node)) {
        const words = optionWords(node, nodeAt, kw === 'bind'
          ? { address: 'required', what: `'${nodeAt.path}'`, missing: `'${nodeAt.path}' needs an address: add 'address: ADDRESS' (e.g. address: ":80")` }
          : { address: 'forbidden', what: `'${nodeAt.path}'` })
        if (words === undefined) return
        if (words.length === 0) { err(nodeAt.pos, `'${nodeAt.path}' is an empty map; write true for the keyword alone`); return }
        push(section, [kw, ...words], nodeAt.pos, undefined, c)
      } else {
        emit(section, [kw], node, nodeAt, { comment: c })
      }
    }
    if (isSeq(value)) {
      value.items.forEach((item, i) => {
        const node = deref(doc, item)
        one(node, { path: `${at.path}[${i}]`, pos: posOf(node) }, joinComments(i === 0 ? comment : undefined, nodeComments(node)))
      })
      return
    }
    one(value, at, comment)
  }

  /** Turns `{ address: A, check: true, inter: 2s, tfo: false }` into `A check inter 2s no-tfo`:
   *  the address first, then the options in written order. */
  function optionWords(map: YAMLMap, at: At, opts: { address: 'required' | 'forbidden'; skip?: string; what: string; missing?: string }): string[] | undefined {
    let address: string[] | undefined
    const words: string[] = []
    let ok = true
    for (const e of entriesOf(map, at.path)) {
      if (e.key === opts.skip) continue
      const optAt: At = { path: `${at.path}.${e.key}`, pos: posOf(e.keyNode) }
      if (e.key === 'address') {
        if (opts.address === 'forbidden') { err(optAt.pos, `${opts.what} takes no address; remove 'address'`); ok = false; continue }
        const w = valueWords(e.value, optAt)
        if (w === undefined || w === true || w === false) {
          if (w !== undefined) err(optAt.pos, `'${optAt.path}' must be an address such as 10.0.0.1:80, not ${describe(e.value)}`)
          ok = false
          continue
        }
        address = w
        continue
      }
      const values = isSeq(e.value) ? e.value.items.map((n) => deref(doc, n)) : [e.value]
      for (const v of values) {
        const w = valueWords(v, optAt)
        if (w === undefined) { ok = false; continue }
        if (w === true) words.push(e.key)
        else if (w === false) words.push(`no-${e.key}`)
        else words.push(e.key, ...w)
      }
    }
    if (opts.address === 'required' && address === undefined) {
      if (ok) err(at.pos, opts.missing ?? `${opts.what} needs an address`)
      return undefined
    }
    return ok ? [...(address ?? []), ...words] : undefined
  }

  /** One option value: true/false, or the words of a number or string. */
  function valueWords(value: Node | undefined, at: At): string[] | boolean | undefined {
    if (isScalar(value)) {
      const v = value.value
      if (typeof v === 'boolean') return v
      if (typeof v === 'number' || typeof v === 'bigint') return [numberText(value)]
      if (typeof v === 'string') return tokenizeFull(v, at)?.words
    }
    if (value === undefined || isNull(value)) err(at.pos, `'${at.path}' has no value; write true for a flag, or its argument`)
    else err(at.pos, `'${at.path}' must be true, false, a number or a string, not ${describe(value)}`)
    return undefined
  }

  // --- helpers that report ------------------------------------------------------------------

  /** A map's entries with their keys as text, skipping (and reporting) duplicate, empty, merge
   *  and non-scalar keys. A comment before or on an entry is joined into `comment`. */
  function entriesOf(map: YAMLMap, path: string): { key: string; keyNode: Node; value: Node | undefined; comment: string | undefined }[] {
    const seen = new Map<string, number>()
    const out: { key: string; keyNode: Node; value: Node | undefined; comment: string | undefined }[] = []
    map.items.forEach((pair: Pair, i: number) => {
      const keyNode = pair.key as Node | null
      const value = deref(doc, pair.value)
      const full = (k: string): string => (path === '' ? k : `${path}.${k}`)
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
        err(posOf(keyNode ?? value), `a key in '${path || 'the top level'}' is not a plain word; write keys as text`)
        return
      }
      const key = scalarText(keyNode)
      if (key === '<<' && keyNode.type === 'PLAIN') {
        err(posOf(keyNode), `YAML merge keys ('<<') are not supported in '${path || 'the top level'}'; to share settings, use a named defaults section and 'from:'`)
        return
      }
      const line = posOf(keyNode).line
      const first = seen.get(key)
      if (first !== undefined) {
        err(posOf(keyNode), `duplicate key '${full(key)}' (first at line ${first}); write the key once and give several values as a list`)
        return
      }
      seen.set(key, line)
      const comment = joinComments(i === 0 ? (map.commentBefore ?? undefined) : undefined, nodeComments(keyNode), isScalar(value) ? nodeComments(value) : undefined)
      out.push({ key, keyNode, value, comment })
    })
    return out
  }

  function singleWord(value: Node | undefined, at: At): string | undefined {
    if (isScalar(value) && (typeof value.value === 'string' || typeof value.value === 'number')) {
      const words = typeof value.value === 'string' ? tokenize(value.value, at) : [numberText(value)]
      if (words === undefined) return undefined
      if (words.length === 1) return words[0]
    }
    const key = at.path.slice(at.path.lastIndexOf('.') + 1)
    err(at.pos, `'${at.path}' must be a single word, e.g. '${key}: web-defaults'`)
    return undefined
  }

  function tokenize(text: string, at: At): string[] | undefined {
    return tokenizeFull(text, at)?.words
  }

  function tokenizeFull(text: string, at: At): { words: string[]; comment?: string } | undefined {
    try {
      const tl = tokenizeLine(text, at.pos, env)
      for (const v of tl.unsetVars) warn(at.pos, `environment variable '${v}' is not set; it expands to an empty string (write \${${v}-default} to give a default)`)
      return tl
    } catch (e) {
      if (e instanceof ConfigError) { err(at.pos, `in '${at.path}': ${e.message}`); return undefined }
      throw e
    }
  }
}

// --- pure helpers ---------------------------------------------------------------------------

/** The node itself, or what an alias (`*name`) points to. */
function deref(doc: Document, node: unknown): Node | undefined {
  if (isAlias(node)) return node.resolve(doc) ?? undefined
  return isNode(node) ? node : undefined
}

function isNull(node: Node): boolean {
  return isScalar(node) && node.value === null
}

/** A number as the operator wrote it (`0600` stays `0600`, `0x1F` stays `0x1F`), so that the
 *  builder sees what the `.cfg` line would have carried; decimal when there is no source. */
function numberText(node: Scalar): string {
  if (typeof node.source === 'string' && node.type === 'PLAIN') return node.source
  return String(node.value)
}

/** A scalar key as text: numbers as written (`503:` → '503'). */
function scalarText(node: Scalar): string {
  if (typeof node.value === 'string') return node.value
  if (typeof node.source === 'string') return node.source
  return String(node.value)
}

function nodeComments(node: Node | undefined): string | undefined {
  if (node === undefined) return undefined
  return joinComments(node.commentBefore ?? undefined, isScalar(node) ? (node.comment ?? undefined) : undefined)
}

/** Joins comment fragments line by line, each line trimmed (YAML keeps the blank after `#`). */
function joinComments(...parts: (string | undefined)[]): string | undefined {
  const lines = parts.filter((p): p is string => p !== undefined).flatMap((p) => p.split('\n')).map((l) => l.trim()).filter((l) => l !== '')
  return lines.length > 0 ? lines.join('\n') : undefined
}

function parentPath(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['))
  return cut > 0 ? path.slice(0, cut) : path
}

/** What a node is, for "… not a list" messages. */
function describe(node: Node | undefined): string {
  if (node === undefined) return 'nothing'
  if (isSeq(node)) return 'a list'
  if (isMap(node)) return 'a map'
  if (isScalar(node)) {
    const v = node.value
    if (v === null) return 'an empty value'
    if (typeof v === 'boolean') return v ? 'true' : 'false'
    if (typeof v === 'number' || typeof v === 'bigint') return 'a number'
    if (typeof v === 'string') return 'a string'
  }
  return 'a value of another kind'
}

/** The yaml package's message without its " at line L, column C:" excerpt (the position is in
 *  the diagnostic already). */
function cleanYamlMessage(message: string): string {
  const cut = message.search(/ at line \d+, column \d+/)
  return (cut >= 0 ? message.slice(0, cut) : message).trim()
}
