/**
 * Pattern indexes: how ACL patterns and map keys are stored for each match method, shared by
 * ACLs (value = true) and maps (value = the map's value), as in HAProxy where both are built on
 * the same pattern core.
 *
 *   str        hash (Map)                       exact string, O(1)
 *   beg / end  radix tree (end: on reversed keys) longest prefix / suffix, O(key length)
 *   ip         one hash per prefix length        longest prefix first, ≤ 33 (129) probes
 *   int        hash of points + list of ranges   `80`, `1024:65535`, `:1023`
 *   len        list of ranges on the length
 *   sub, dom, dir, reg, bin: lists, first match in insertion order (as HAProxy's lists)
 *   found, bool: no pattern at all
 *
 * Every index accepts edits at run time (`add`, `set`, `delete`, `clear`) for the admin API.
 */
import { maskOf, maskV6, mappedIpv4, parseIpv4, parseIpv6, parseNet } from '../core/ip.ts'
import { RadixTree } from './radix.ts'
import { binToStr, toBool, toInt, toStr } from './sample.ts'
import type { Sample } from './types.ts'
import { haproxyRegex } from './regex.ts'

export type MatchKind = 'str' | 'beg' | 'end' | 'sub' | 'reg' | 'dom' | 'dir' | 'len' | 'int' | 'ip' | 'bin' | 'bool' | 'found'

export const MATCH_KINDS: readonly MatchKind[] = ['str', 'beg', 'end', 'sub', 'reg', 'dom', 'dir', 'len', 'int', 'ip', 'bin', 'bool', 'found']

/** Match methods that take no pattern. */
export const PATTERNLESS: ReadonlySet<MatchKind> = new Set<MatchKind>(['bool', 'found'])

export interface PatternIndex<V> {
  readonly kind: MatchKind
  readonly icase: boolean
  readonly size: number
  /** Adds a pattern; an existing identical key keeps its first value (as a file loaded twice).
   *  Throws Error (with a message for the operator) when the pattern is invalid for the kind. */
  add(key: string, value: V): void
  /** Adds or replaces. */
  set(key: string, value: V): void
  /** Removes every pattern written as `key`; returns whether there was one. */
  delete(key: string): boolean
  clear(): void
  /** The value of the matching pattern (longest for beg/end/ip, first otherwise), or undefined. */
  lookup(v: Sample): V | undefined
}

/** Builds an empty index for `kind`. `icase`: `-i` (strings compared without case). */
export function createIndex<V>(kind: MatchKind, icase = false): PatternIndex<V> {
  return INDEXES[kind](icase) as PatternIndex<V>
}

type IndexFactory = (icase: boolean) => PatternIndex<unknown>

const INDEXES: Readonly<Record<MatchKind, IndexFactory>> = {
  str: (icase) => new StrIndex(icase),
  beg: (icase) => new RadixIndex('beg', icase, false),
  end: (icase) => new RadixIndex('end', icase, true),
  sub: (icase) => new ListIndex('sub', icase, literal((s, p) => s.includes(p))),
  dom: (icase) => new ListIndex('dom', icase, literal((s, p) => delimitedMatch(s, p, isDomDelim))),
  dir: (icase) => new ListIndex('dir', icase, literal((s, p) => delimitedMatch(s, p, isDirDelim))),
  reg: (icase) => new ListIndex('reg', icase, REG),
  bin: () => new BinIndex(),
  len: () => new RangeIndex('len', true),
  int: () => new RangeIndex('int', false),
  ip: () => new IpIndex(),
  bool: () => new FlagIndex('bool'),
  found: () => new FlagIndex('found'),
}

class StrIndex<V> implements PatternIndex<V> {
  readonly kind = 'str' as const
  readonly icase: boolean
  #map = new Map<string, V>()
  constructor(icase: boolean) {
    this.icase = icase
  }
  get size(): number {
    return this.#map.size
  }
  add(key: string, value: V): void {
    const k = this.icase ? key.toLowerCase() : key
    if (!this.#map.has(k)) this.#map.set(k, value)
  }
  set(key: string, value: V): void {
    this.#map.set(this.icase ? key.toLowerCase() : key, value)
  }
  delete(key: string): boolean {
    return this.#map.delete(this.icase ? key.toLowerCase() : key)
  }
  clear(): void {
    this.#map.clear()
  }
  lookup(v: Sample): V | undefined {
    const s = typeof v === 'string' ? v : toStr(v)
    if (s === undefined) return undefined
    return this.#map.get(this.icase ? s.toLowerCase() : s)
  }
}

class RadixIndex<V> implements PatternIndex<V> {
  readonly kind: MatchKind
  readonly icase: boolean
  #tree: RadixTree<V>
  constructor(kind: MatchKind, icase: boolean, reverse: boolean) {
    this.kind = kind
    this.icase = icase
    this.#tree = new RadixTree<V>({ reverse })
  }
  get size(): number {
    return this.#tree.size
  }
  add(key: string, value: V): void {
    this.#tree.set(this.icase ? key.toLowerCase() : key, value, false)
  }
  set(key: string, value: V): void {
    this.#tree.set(this.icase ? key.toLowerCase() : key, value, true)
  }
  delete(key: string): boolean {
    return this.#tree.delete(this.icase ? key.toLowerCase() : key)
  }
  clear(): void {
    this.#tree.clear()
  }
  lookup(v: Sample): V | undefined {
    const s = typeof v === 'string' ? v : toStr(v)
    if (s === undefined) return undefined
    return this.#tree.longest(this.icase ? s.toLowerCase() : s)
  }
}

/** How a list kind compiles its patterns and tests a sample against one. */
interface ListKind<P> {
  /** The pattern `key` stands for; throws Error (with a message for the operator) if invalid. */
  prep(key: string, icase: boolean): P
  test(s: string, p: P): boolean
  /** With `-i`, lower-case the sample before testing (reg folds case in the regex instead). */
  foldSample: boolean
}

const literal = (test: (s: string, p: string) => boolean): ListKind<string> => ({
  prep: (key, icase) => (icase ? key.toLowerCase() : key), test, foldSample: true,
})

const REG: ListKind<RegExp> = {
  prep(key, icase) {
    try {
      return haproxyRegex(key, icase ? 'i' : '')
    } catch (e) {
      throw new Error(`invalid regular expression '${key}': ${(e as Error).message}`)
    }
  },
  test: (s, re) => re.test(s),
  foldSample: false,
}

/** `template` with each `\N` (N a digit) replaced by group N of `m` ('' for a group that did not
 *  take part), as HAProxy's regex replacements and map_regm write back-references. A scan, not
 *  String.replace with a callback: it runs per request for replace-header and friends. */
export function expandGroups(template: string, m: RegExpExecArray): string {
  let i = template.indexOf('\\')
  if (i < 0) return template
  let out = ''
  let from = 0
  for (; i >= 0 && i + 1 < template.length; i = template.indexOf('\\', i + 1)) {
    const d = template.charCodeAt(i + 1) - 48
    if (d < 0 || d > 9) continue
    out += template.slice(from, i) + (m[d] ?? '')
    from = i + 2
    i++
  }
  return out + template.slice(from)
}

/** Patterns tried in insertion order; the first that matches wins (HAProxy's lists). */
class ListIndex<V, P> implements PatternIndex<V> {
  readonly kind: MatchKind
  readonly icase: boolean
  #keys: string[] = []
  #pats: P[] = []
  #values: V[] = []
  readonly #how: ListKind<P>
  readonly #fold: boolean
  constructor(kind: MatchKind, icase: boolean, how: ListKind<P>) {
    this.kind = kind
    this.icase = icase
    this.#how = how
    this.#fold = icase && how.foldSample
  }
  get size(): number {
    return this.#keys.length
  }
  add(key: string, value: V): void {
    const p = this.#how.prep(key, this.icase)
    this.#keys.push(key)
    this.#pats.push(p)
    this.#values.push(value)
  }
  set(key: string, value: V): void {
    const i = this.#keys.indexOf(key)
    if (i >= 0) this.#values[i] = value
    else this.add(key, value)
  }
  delete(key: string): boolean {
    let found = false
    for (let i = this.#keys.length - 1; i >= 0; i--) {
      if (this.#keys[i] !== key) continue
      this.#keys.splice(i, 1)
      this.#pats.splice(i, 1)
      this.#values.splice(i, 1)
      found = true
    }
    return found
  }
  clear(): void {
    this.#keys = []
    this.#pats = []
    this.#values = []
  }
  lookup(v: Sample): V | undefined {
    let s = typeof v === 'string' ? v : toStr(v)
    if (s === undefined) return undefined
    if (this.#fold) s = s.toLowerCase()
    const i = this.#first(s)
    return i < 0 ? undefined : this.#values[i]
  }
  /** The first matching pattern and its value (map_regm substitutes the regex's groups). */
  firstMatch(s: string): [P, V] | undefined {
    const i = this.#first(this.#fold ? s.toLowerCase() : s)
    return i < 0 ? undefined : [this.#pats[i]!, this.#values[i]!]
  }
  #first(s: string): number {
    const pats = this.#pats
    const test = this.#how.test
    for (let i = 0; i < pats.length; i++) if (test(s, pats[i]!)) return i
    return -1
  }
}

const isDomDelim = (c: number): boolean => c === 46 || c === 47 || c === 58 || c === 63 // . / : ?
const isDirDelim = (c: number): boolean => c === 47 || c === 63 // / ?

/** `p` occurs in `s` with a delimiter (or the start/end) on each side; delimiters at the edges
 *  of `p` itself are ignored, as HAProxy's dom/dir matching does. */
function delimitedMatch(s: string, p: string, delim: (c: number) => boolean): boolean {
  let a = 0
  let b = p.length
  while (a < b && delim(p.charCodeAt(a))) a++
  while (b > a && delim(p.charCodeAt(b - 1))) b--
  if (a === b) return false
  const core = a === 0 && b === p.length ? p : p.slice(a, b)
  let from = 0
  for (;;) {
    const i = s.indexOf(core, from)
    if (i < 0) return false
    const end = i + core.length
    if ((i === 0 || delim(s.charCodeAt(i - 1))) && (end === s.length || delim(s.charCodeAt(end)))) return true
    from = i + 1
  }
}

/** Binary patterns are written in hex (`-m bin 48454c4c4f`). */
class BinIndex<V> implements PatternIndex<V> {
  readonly kind = 'bin' as const
  readonly icase = false
  #map = new Map<string, V>()
  get size(): number {
    return this.#map.size
  }
  #bytes(key: string): string {
    if (!/^([0-9a-fA-F]{2})*$/.test(key)) throw new Error(`invalid binary pattern '${key}': write bytes in hex, two digits each`)
    let s = ''
    for (let i = 0; i < key.length; i += 2) s += String.fromCharCode(parseInt(key.slice(i, i + 2), 16))
    return s
  }
  add(key: string, value: V): void {
    const k = this.#bytes(key)
    if (!this.#map.has(k)) this.#map.set(k, value)
  }
  set(key: string, value: V): void {
    this.#map.set(this.#bytes(key), value)
  }
  delete(key: string): boolean {
    return this.#map.delete(this.#bytes(key))
  }
  clear(): void {
    this.#map.clear()
  }
  lookup(v: Sample): V | undefined {
    const s = v instanceof Uint8Array ? binToStr(v) : toStr(v)
    return s === undefined ? undefined : this.#map.get(s)
  }
}

/** Integer patterns: `N`, `LO:HI`, `:HI`, `LO:` (ACLs turn `gt N`, `le N`… into ranges). */
export function parseIntRange(key: string): [number, number] | undefined {
  const m = /^(-?\d+)?(:)?(-?\d+)?$/.exec(key.trim())
  if (!m || (m[1] === undefined && m[3] === undefined)) return undefined
  const lo = m[1] !== undefined ? Number(m[1]) : -Infinity
  const hi = m[2] === undefined ? lo : m[3] !== undefined ? Number(m[3]) : Infinity
  return [lo, hi]
}

class RangeIndex<V> implements PatternIndex<V> {
  readonly kind: MatchKind
  readonly icase = false
  readonly #onLength: boolean
  #points = new Map<number, V>()
  #keys: string[] = []
  #ranges: number[] = [] // lo, hi pairs
  #values: V[] = []
  constructor(kind: MatchKind, onLength: boolean) {
    this.kind = kind
    this.#onLength = onLength
  }
  get size(): number {
    return this.#points.size + this.#keys.length
  }
  #parse(key: string): [number, number] {
    const r = parseIntRange(key)
    if (!r) throw new Error(`invalid integer pattern '${key}': write N, LOW:HIGH, :HIGH or LOW:`)
    return r
  }
  add(key: string, value: V): void {
    const [lo, hi] = this.#parse(key)
    if (lo === hi) {
      if (!this.#points.has(lo)) this.#points.set(lo, value)
      return
    }
    this.#keys.push(key)
    this.#ranges.push(lo, hi)
    this.#values.push(value)
  }
  set(key: string, value: V): void {
    const [lo, hi] = this.#parse(key)
    if (lo === hi) { this.#points.set(lo, value); return }
    const i = this.#keys.indexOf(key)
    if (i >= 0) this.#values[i] = value
    else this.add(key, value)
  }
  delete(key: string): boolean {
    const [lo, hi] = this.#parse(key)
    if (lo === hi) return this.#points.delete(lo)
    const i = this.#keys.indexOf(key)
    if (i < 0) return false
    this.#keys.splice(i, 1)
    this.#ranges.splice(2 * i, 2)
    this.#values.splice(i, 1)
    return true
  }
  clear(): void {
    this.#points.clear()
    this.#keys = []
    this.#ranges = []
    this.#values = []
  }
  lookup(v: Sample): V | undefined {
    let n: number | undefined
    if (this.#onLength) {
      const s = typeof v === 'string' ? v : v instanceof Uint8Array ? undefined : toStr(v)
      n = s !== undefined ? s.length : v instanceof Uint8Array ? v.length : undefined
    } else n = toInt(v)
    if (n === undefined) return undefined
    const p = this.#points.get(n)
    if (p !== undefined) return p
    const r = this.#ranges
    for (let i = 0; i < r.length; i += 2) if (n >= r[i]! && n <= r[i + 1]!) return this.#values[i >> 1]
    return undefined
  }
}

/** Longest-prefix match: one hash per prefix length in use, probed from the longest. */
class IpIndex<V> implements PatternIndex<V> {
  readonly kind = 'ip' as const
  readonly icase = false
  #v4: (Map<number, V> | undefined)[] = new Array(33)
  #v4Lens: number[] = []
  #v6: (Map<string, V> | undefined)[] = new Array(129)
  #v6Lens: number[] = []
  #size = 0
  get size(): number {
    return this.#size
  }
  #net(key: string) {
    const n = parseNet(key.trim())
    if (!n) throw new Error(`invalid IP address or network '${key}'`)
    return n
  }
  #put(key: string, value: V, replace: boolean): void {
    const n = this.#net(key)
    if (n.v === 4) {
      let m = this.#v4[n.len]
      if (!m) { m = this.#v4[n.len] = new Map(); this.#v4Lens = lensOf(this.#v4) }
      if (!m.has(n.addr)) this.#size++
      else if (!replace) return
      m.set(n.addr, value)
    } else {
      let m = this.#v6[n.len]
      if (!m) { m = this.#v6[n.len] = new Map(); this.#v6Lens = lensOf(this.#v6) }
      const k = v6Key(n.addr)
      if (!m.has(k)) this.#size++
      else if (!replace) return
      m.set(k, value)
    }
  }
  add(key: string, value: V): void {
    this.#put(key, value, false)
  }
  set(key: string, value: V): void {
    this.#put(key, value, true)
  }
  delete(key: string): boolean {
    const n = this.#net(key)
    const ok = n.v === 4 ? this.#v4[n.len]?.delete(n.addr) : this.#v6[n.len]?.delete(v6Key(n.addr))
    if (ok) this.#size--
    return ok === true
  }
  clear(): void {
    this.#v4 = new Array(33)
    this.#v6 = new Array(129)
    this.#v4Lens = []
    this.#v6Lens = []
    this.#size = 0
  }
  lookup(v: Sample): V | undefined {
    // An integer is an IPv4 address in host order, as HAProxy casts it (c_int2ip).
    if (typeof v === 'number') return Number.isInteger(v) ? this.#find4(v >>> 0) : undefined
    const s = typeof v === 'string' ? v : toStr(v)
    if (s === undefined) return undefined
    const a = parseIpv4(s)
    if (a >= 0) return this.#find4(a) ?? (this.#v6Lens.length > 0 ? this.#find6(Uint32Array.of(0, 0, 0xffff, a)) : undefined)
    const w = parseIpv6(s)
    if (!w) return undefined
    const m4 = mappedIpv4(w)
    return this.#find6(w) ?? (m4 >= 0 ? this.#find4(m4) : undefined)
  }
  #find4(a: number): V | undefined {
    const lens = this.#v4Lens
    for (let i = 0; i < lens.length; i++) {
      const len = lens[i]!
      const hit = this.#v4[len]!.get((a & maskOf(len)) >>> 0)
      if (hit !== undefined) return hit
    }
    return undefined
  }
  #find6(w: Uint32Array): V | undefined {
    for (const len of this.#v6Lens) {
      const hit = this.#v6[len]!.get(v6Key(maskV6(w, len)))
      if (hit !== undefined) return hit
    }
    return undefined
  }
}

function lensOf(maps: (Map<unknown, unknown> | undefined)[]): number[] {
  const out: number[] = []
  for (let len = maps.length - 1; len >= 0; len--) if (maps[len]) out.push(len)
  return out
}

function v6Key(w: Uint32Array): string {
  return `${w[0]}:${w[1]}:${w[2]}:${w[3]}`
}

/** `bool` and `found` take no pattern: they test the sample itself. */
class FlagIndex<V> implements PatternIndex<V> {
  readonly kind: MatchKind
  readonly icase = false
  readonly size = 0
  constructor(kind: MatchKind) {
    this.kind = kind
  }
  add(key: string): void {
    throw new Error(`'-m ${this.kind}' takes no pattern; remove '${key}'`)
  }
  set(key: string): void {
    this.add(key)
  }
  delete(): boolean {
    return false
  }
  clear(): void {}
  lookup(v: Sample): V | undefined {
    const ok = this.kind === 'found' ? v !== undefined : toBool(v) === true
    return (ok ? true : undefined) as V | undefined
  }
}

/** For map_regm: the index as a regex list (undefined when `index` is not a reg index). */
export function asRegIndex<V>(index: PatternIndex<V>): { firstMatch(s: string): [RegExp, V] | undefined } | undefined {
  return index instanceof ListIndex && index.kind === 'reg' ? (index as ListIndex<V, RegExp>) : undefined
}
