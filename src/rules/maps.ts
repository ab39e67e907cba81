/**
 * Map and ACL files: read once at load, indexed for each match method that uses them, and
 * editable at run time (the admin API's `add map`, `del map`, `set map`, `clear map`).
 *
 * A file is one PatternRef (its lines, in order); every ACL or map converter that names the
 * file with a given match method and case option shares one PatternIndex attached to that ref.
 * An edit goes to the ref, which applies it to each attached index, so `map_str(hosts.map)` and
 * `map_beg(hosts.map)` see the same entries — as HAProxy's pat_ref does.
 *
 * File format: one entry per line; blank lines and lines starting with `#` are skipped. In a map,
 * the key is the first word and the value the rest of the line; in an ACL file the whole line
 * (trimmed) is the pattern.
 */
import { readFileSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { ConfigError, type SourcePos } from '../model/source.ts'
import { createIndex, type MatchKind, type PatternIndex } from './pattern.ts'

export interface RefEntry {
  /** First word (map key). */
  key: string
  /** Rest of the line (map value); '' in a pattern-only file. */
  value: string
  /** The whole line, trimmed (ACL pattern). */
  line: string
}

interface Attached {
  index: PatternIndex<string>
  /** Indexed by `line` (ACL file) rather than `key` (map). */
  whole: boolean
}

export class PatternRef {
  readonly name: string
  #entries: RefEntry[] = []
  #attached: Attached[] = []

  constructor(name: string, entries: RefEntry[] = []) {
    this.name = name
    this.#entries = entries
  }

  get size(): number {
    return this.#entries.length
  }

  entries(): readonly RefEntry[] {
    return this.#entries
  }

  /** An ACL reads it (`acl … -f FILE`): its entries are whole-line patterns. */
  get usedByAcl(): boolean {
    return this.#attached.some((a) => a.whole)
  }

  /** A map converter reads it (`map(FILE)`): its entries are keys and values. */
  get usedByMap(): boolean {
    return this.#attached.some((a) => !a.whole)
  }

  /** An index of this ref's entries for `kind`; `whole` = ACL patterns (whole lines). Throws
   *  Error naming the line number when an entry is invalid for the kind. */
  attach(kind: MatchKind, options: { icase?: boolean; whole?: boolean } = {}): PatternIndex<string> {
    const whole = options.whole ?? false
    const index = createIndex<string>(kind, options.icase ?? false)
    this.#entries.forEach((e, i) => {
      try {
        index.add(whole ? e.line : e.key, whole ? '' : e.value)
      } catch (err) {
        throw new Error(`entry ${i + 1} ('${e.line}'): ${(err as Error).message}`)
      }
    })
    this.#attached.push({ index, whole })
    return index
  }

  /** Appends an entry (map: `key value`; ACL: the pattern as `key`). Validates it against every
   *  attached index first, so a bad entry changes nothing. */
  add(key: string, value = ''): void {
    const e: RefEntry = { key, value, line: value === '' ? key : `${key} ${value}` }
    this.#check(e)
    this.#entries.push(e)
    for (const a of this.#attached) a.index.add(a.whole ? e.line : e.key, a.whole ? '' : e.value)
  }

  /** Sets the value of every entry with `key` (adds one when there is none). */
  set(key: string, value: string): void {
    let found = false
    for (const e of this.#entries) {
      if (e.key !== key) continue
      e.value = value
      e.line = `${key} ${value}`
      found = true
    }
    if (!found) { this.add(key, value); return }
    for (const a of this.#attached) if (!a.whole) a.index.set(key, value)
  }

  /** Deletes every entry with `key` (or whose whole line is `key`); returns whether any was. */
  delete(key: string): boolean {
    const before = this.#entries.length
    this.#entries = this.#entries.filter((e) => e.key !== key && e.line !== key)
    for (const a of this.#attached) a.index.delete(key)
    return this.#entries.length !== before
  }

  clear(): void {
    this.#entries = []
    for (const a of this.#attached) a.index.clear()
  }

  #check(e: RefEntry): void {
    for (const a of this.#attached) {
      const probe = createIndex<string>(a.index.kind, a.index.icase)
      probe.add(a.whole ? e.line : e.key, e.value)
    }
  }
}

/** Parses the text of a map or ACL file. */
export function parseRefText(text: string): RefEntry[] {
  const out: RefEntry[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const m = /^(\S+)\s*(.*)$/.exec(line)!
    out.push({ key: m[1]!, value: m[2]!, line })
  }
  return out
}

/** Every map and ACL file the configuration uses, by resolved path. One per process. */
export class MapStore {
  #refs = new Map<string, PatternRef>()
  #indexes = new Map<string, PatternIndex<string>>()
  readonly #read: (path: string) => string

  constructor(options: { read?: (path: string) => string } = {}) {
    this.#read = options.read ?? ((p) => readFileSync(p, 'utf8'))
  }

  /** The ref of `file` (relative to `dir`), read on first use. Throws ConfigError at `at`. */
  ref(file: string, dir: string, at: SourcePos): PatternRef {
    const path = isAbsolute(file) ? file : resolve(dir, file)
    let ref = this.#refs.get(path)
    if (ref) return ref
    let text: string
    try {
      text = this.#read(path)
    } catch (e) {
      throw new ConfigError(`cannot read '${file}' (${path}): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, at)
    }
    ref = new PatternRef(path, parseRefText(text))
    this.#refs.set(path, ref)
    return ref
  }

  /** The shared index of `file` for a match method. */
  index(file: string, dir: string, kind: MatchKind, options: { icase?: boolean; whole?: boolean; at: SourcePos }): PatternIndex<string> {
    const ref = this.ref(file, dir, options.at)
    const id = `${ref.name}\0${kind}\0${options.icase ? 'i' : ''}\0${options.whole ? 'w' : ''}`
    let index = this.#indexes.get(id)
    if (index) return index
    try {
      index = ref.attach(kind, options)
    } catch (e) {
      throw new ConfigError(`'${file}': ${(e as Error).message}`, options.at)
    }
    this.#indexes.set(id, index)
    return index
  }

  /** For the admin API: the ref of a loaded file, by its path as resolved at load. */
  get(path: string): PatternRef | undefined {
    return this.#refs.get(path)
  }

  paths(): string[] {
    return [...this.#refs.keys()]
  }
}
