/**
 * Stick tables: per-key entries (a client address, a cookie, a user id…) holding a server for
 * persistence and counters for tracking and rate limiting.
 *
 * Order and expiry: entries live in a Map in the order they were queued. Every entry of a table
 * has the same `expire`, so an entry's expiry is its last use plus `expire`. A use only stamps the
 * entry (time and a sequence number): it is not moved. Entries are re-queued lazily, HAProxy's
 * trick for timers that are pushed back: when the purge or the eviction meets at the front an
 * entry used since it was queued, it moves it to the back and goes on. So the front holds the
 * least recently used entries — the ones evicted when the table is full — and one timer per table
 * on the process wheel, due when the front entry expires, purges them. A lookup never returns an
 * expired entry, whether or not the purge has run. Entries in use by a tracker (`refs` > 0) are
 * neither evicted nor purged; they are used again when released.
 *
 * Replication (src/peers/, and whatever else keeps copies: other workers): every write goes
 * through the table (`setServer`, counter methods), which calls the listeners added with
 * `listen(fn)` with the entry and where the write came from ('local' for this process's traffic,
 * 'remote' for `applyRemote`). A replica sends `snapshot(e)` — the key, the server, the stored
 * counters, each rate's frequency counter and the time left before expiry — and the receiving
 * side calls `applyRemote(update)`. This is HAProxy's model: peers push an entry's stored data,
 * not the individual increments, so a lost or repeated message cannot drift a counter. The hook
 * knows nothing of sockets or of the wire format.
 */
import { ConfigError, type SourcePos } from '../model/source.ts'
import type { StickTableConfig } from '../model/types.ts'
import { parseDuration } from '../model/units.ts'
import { now as monoNow } from '../core/clock.ts'
import { Timer, type TimerWheel } from '../core/timer-wheel.ts'
import { wheel as processWheel } from '../core/wheel.ts'
import { FreqCtr } from './freq.ts'
import { mappedIpv4, parseIpv4, parseIpv6, formatIpv6 } from '../core/ip.ts'
import { toBin, toInt, toStr, binToStr } from './sample.ts'
import type { Sample } from './types.ts'

export type StickKey = string | number

/** Counters an entry may store (`store …`). Rates carry their period. */
export type CounterName =
  | 'conn_cnt' | 'conn_cur' | 'sess_cnt' | 'http_req_cnt' | 'http_err_cnt'
  | 'bytes_in_cnt' | 'bytes_out_cnt' | 'gpc0' | 'gpc1' | 'gpt0' | 'http_fail_cnt'
export type RateName =
  | 'conn_rate' | 'sess_rate' | 'http_req_rate' | 'http_err_rate'
  | 'bytes_in_rate' | 'bytes_out_rate' | 'gpc0_rate' | 'gpc1_rate' | 'http_fail_rate'
export type DataName = CounterName | RateName | 'server_id'

const COUNTERS: readonly CounterName[] = ['conn_cnt', 'conn_cur', 'sess_cnt', 'http_req_cnt', 'http_err_cnt', 'bytes_in_cnt', 'bytes_out_cnt', 'gpc0', 'gpc1', 'gpt0', 'http_fail_cnt']
const RATES: readonly RateName[] = ['conn_rate', 'sess_rate', 'http_req_rate', 'http_err_rate', 'bytes_in_rate', 'bytes_out_rate', 'gpc0_rate', 'gpc1_rate', 'http_fail_rate']

/** HAProxy's order of the data types (stktable_data_types), in which `show table` lists them. */
const SHOW_ORDER: readonly DataName[] = ['server_id', 'gpt0', 'gpc0', 'gpc0_rate', 'conn_cnt', 'conn_rate', 'conn_cur', 'sess_cnt',
  'sess_rate', 'http_req_cnt', 'http_req_rate', 'http_err_cnt', 'http_err_rate', 'bytes_in_cnt', 'bytes_in_rate',
  'bytes_out_cnt', 'bytes_out_rate', 'gpc1', 'gpc1_rate', 'http_fail_cnt', 'http_fail_rate']

/** Index of each counter and rate in an entry's arrays. */
const CI = Object.fromEntries(COUNTERS.map((c, i) => [c, i])) as Record<CounterName, number>
const RI = Object.fromEntries(RATES.map((r, i) => [r, i])) as Record<RateName, number>

export class StickEntry {
  readonly key: StickKey
  readonly table: StickTable
  /** Monotonic ms of its last use (creation, track, store, release). */
  used = 0
  /** @internal use counter value at its last use, and when it was queued (see the header). */
  useSeq = 0
  queuedSeq = 0
  /** Trackers holding it (sc slots of live sessions and streams). */
  refs = 0
  /** Persistence: the server, by id (HAProxy's puid) and by name. 0 / '' = none. */
  serverId = 0
  serverName = ''
  /** Counter values, by CI index (only the stored ones are kept up to date). */
  readonly c: Float64Array
  /** Rates, by RI index; null for rates the table does not store. */
  readonly r: (FreqCtr | null)[]
  /** The `gpt(N)` tags and `gpc(N)` counters (empty when the table stores none). */
  readonly gpt: Float64Array
  readonly gpc: Float64Array

  constructor(table: StickTable, key: StickKey) {
    this.table = table
    this.key = key
    this.c = new Float64Array(COUNTERS.length)
    this.r = table.rateSlots.map((p) => (p > 0 ? new FreqCtr() : null))
    this.gpt = new Float64Array(table.gptSize)
    this.gpc = new Float64Array(table.gpcSize)
  }

  /** Monotonic ms when it expires (Infinity without `expire`). */
  get exp(): number {
    return this.used + this.table.expire
  }
}

/** What a peer would send for one entry (see the design note above). */
export interface StickUpdate {
  key: StickKey
  serverId?: number
  serverName?: string
  counters?: Partial<Record<CounterName, number>>
  /** Current-period counts of rates. */
  rates?: Partial<Record<RateName, number>>
}

/** A rate's frequency counter as it travels: ms since its current period began, the count of
 *  the current period and of the previous one (HAProxy's freq_ctr). */
export interface FreqState {
  age: number
  curr: number
  prev: number
}

/** An entry's whole stored state, as a replica sends it (`snapshot`) and applies it
 *  (`applyRemote`). Absent fields are left as they are on the receiving side. */
export interface RemoteUpdate {
  key: StickKey
  serverId?: number
  serverName?: string
  counters?: Partial<Record<CounterName, number>>
  freqs?: Partial<Record<RateName, FreqState>>
  /** ms before it expires; absent: the table's `expire` from now. */
  expireIn?: number
}

/** Where a write came from: this process's traffic, or `applyRemote`. */
export type UpdateOrigin = 'local' | 'remote'
export type UpdateListener = (e: StickEntry, origin: UpdateOrigin) => void

/**
 * What the threads of one process (`nbthread`) tell each other of an entry, so that their copies
 * of a table agree (proxy/table-sync.ts carries it). Unlike a peer's update, increments travel as
 * increments: counts made at once in two threads add up. Indexes are the tables' own (CI, RI).
 */
export interface StickChange {
  key: StickKey
  /** Counter index → amount added. */
  inc?: Record<number, number>
  /** Rate index → events added. */
  rate?: Record<number, number>
  /** Counter index → value set. */
  set?: Record<number, number>
  server?: [id: number, name: string]
}

/** Who hears of each change made to a table in this thread (null: one thread). */
export interface StickSync {
  touched(t: StickTable, key: StickKey): void
  added(t: StickTable, key: StickKey, ci: number, ri: number, n: number): void
  set(t: StickTable, key: StickKey, ci: number, v: number): void
  server(t: StickTable, key: StickKey, id: number, name: string): void
}

export interface StickTableOptions {
  wheel?: TimerWheel
  now?: () => number
}

export class StickTable {
  readonly name: string
  readonly type: StickTableConfig['type']
  readonly keyLen: number
  readonly size: number
  readonly expire: number
  /** Which counters are stored (by CI index). */
  readonly stores: Uint8Array
  /** Period in ms of each stored rate (by RI index); 0 = not stored. */
  readonly rateSlots: number[]
  readonly storesServer: boolean
  /** `store gpt(N)`, `gpc(N)`: the sizes of the general purpose arrays (0: none). */
  readonly gptSize: number = 0
  readonly gpcSize: number = 0
  /** Called after each write to an entry (replication hook); null = nobody listens. */
  onUpdate: ((e: StickEntry) => void) | null = null
  #listeners: UpdateListener[] = []
  /** The other threads of the process, told of each change made here; null: one thread. */
  sync: StickSync | null = null

  #entries = new Map<StickKey, StickEntry>()
  #seq = 0
  readonly #timer: Timer
  readonly #wheel: TimerWheel
  readonly #now: () => number

  constructor(name: string, cfg: Omit<StickTableConfig, 'pos'> & { pos?: SourcePos }, options: StickTableOptions = {}) {
    this.name = name
    this.type = cfg.type
    this.keyLen = cfg.len ?? 32
    this.size = cfg.size
    this.expire = cfg.expire ?? Infinity
    this.#wheel = options.wheel ?? processWheel
    this.#now = options.now ?? monoNow
    this.stores = new Uint8Array(COUNTERS.length)
    this.rateSlots = RATES.map(() => 0)
    let server = false
    const at = cfg.pos ?? { file: '', line: 0 }
    for (const item of cfg.store) {
      const m = /^([a-z0-9_]+)(?:\((.*)\))?$/.exec(item.trim())
      const name = m?.[1] ?? item
      if (name === 'server_id' || name === 'server_key' || name === 'server_name') { server = true; continue }
      if (name === 'gpt' || name === 'gpc') {
        const n = Number(m?.[2] ?? '')
        if (!(Number.isInteger(n) && n >= 1 && n <= 100)) throw new ConfigError(`stick-table store '${name}' needs a number of elements from 1 to 100: ${name}(2)`, at)
        if (name === 'gpt') this.gptSize = n
        else this.gpcSize = n
        continue
      }
      if (name in CI) {
        if (m?.[2] !== undefined) throw new ConfigError(`stick-table store '${name}' takes no period`, at)
        this.stores[CI[name as CounterName]] = 1
      } else if (name in RI) {
        if (m?.[2] === undefined) throw new ConfigError(`stick-table store '${name}' needs a period: ${name}(10s)`, at)
        const period = parseDuration(m[2], at)
        if (!(period > 0 && period < Infinity)) throw new ConfigError(`stick-table store '${name}' needs a positive period`, at)
        this.rateSlots[RI[name as RateName]] = period
      } else {
        throw new ConfigError(`unknown stick-table data type '${name}'; known: server_id, ${[...COUNTERS, ...RATES.map((r) => `${r}(period)`)].join(', ')}`, at)
      }
    }
    // `stick on` works without `store server_id`: HAProxy adds it for stick rules, and an entry
    // always has room for it here.
    this.storesServer = server
    this.#timer = new Timer(() => this.#purgeExpired())
  }

  get count(): number {
    return this.#entries.size
  }

  /** Declared the same way (type, key length, size, expiry, what it stores): a reload keeps this
   *  table rather than start `other` empty. */
  sameShape(other: StickTable): boolean {
    return this.type === other.type && this.keyLen === other.keyLen && this.size === other.size && this.expire === other.expire &&
      this.storesServer === other.storesServer && this.gptSize === other.gptSize && this.gpcSize === other.gpcSize && this.stores.every((v, i) => v === other.stores[i]) && this.rateSlots.every((v, i) => v === other.rateSlots[i])
  }

  /** The key of a sample for this table's type, or undefined if it does not convert. */
  keyOf(v: Sample | undefined): StickKey | undefined {
    if (v === undefined) return undefined
    switch (this.type) {
      case 'ip': {
        const s = toStr(v)
        if (s === undefined) return undefined
        if (parseIpv4(s) >= 0) return s
        const w = parseIpv6(s)
        if (!w) return undefined
        const m = mappedIpv4(w)
        return m >= 0 ? `${m >>> 24}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}` : undefined
      }
      case 'ipv6': {
        const s = toStr(v)
        if (s === undefined) return undefined
        const a = parseIpv4(s)
        if (a >= 0) return formatIpv6(Uint32Array.of(0, 0, 0xffff, a))
        const w = parseIpv6(s)
        return w ? formatIpv6(w) : undefined
      }
      case 'integer':
        return toInt(v)
      case 'string': {
        const s = toStr(v)
        return s === undefined ? undefined : s.length > this.keyLen ? s.slice(0, this.keyLen) : s
      }
      case 'binary': {
        const b = toBin(v)
        if (b === undefined) return undefined
        const s = binToStr(b.length > this.keyLen ? b.subarray(0, this.keyLen) : b)
        return s.length < this.keyLen ? s + '\0'.repeat(this.keyLen - s.length) : s
      }
    }
  }

  /** The entry of `key` if there is one and it has not expired (a read: does not touch it). */
  lookup(key: StickKey): StickEntry | undefined {
    const e = this.#entries.get(key)
    if (e === undefined || e.refs > 0 || e.used + this.expire > this.#now()) return e
    this.#entries.delete(key)
    return undefined
  }

  /** Whether `e` is still this table's entry for its key (not purged, evicted or cleared). */
  holds(e: StickEntry): boolean {
    return this.#entries.get(e.key) === e
  }

  /** The entry of `key`, created if needed (evicting the least recently used unreferenced entry
   *  when the table is full); touched. Undefined when full of referenced entries. */
  get(key: StickKey): StickEntry | undefined {
    const t = this.#now()
    let e = this.#entries.get(key)
    if (e !== undefined) {
      if (e.refs > 0 || e.used + this.expire > t) {
        e.used = t
        e.useSeq = ++this.#seq
        if (this.sync !== null) this.sync.touched(this, key)
        return e
      }
      this.#entries.delete(key) // expired, not purged yet: start afresh
    }
    if (this.#entries.size >= this.size && !this.#evictOne()) return undefined
    e = new StickEntry(this, key)
    e.used = t
    e.useSeq = e.queuedSeq = ++this.#seq
    this.#entries.set(key, e)
    if (this.expire !== Infinity && !this.#timer.scheduled) this.#wheel.schedule(this.#timer, e.exp)
    if (this.sync !== null) this.sync.touched(this, key)
    return e
  }

  /** Marks a use: restarts the entry's expiry and makes it the most recently used. O(1). */
  touch(e: StickEntry): void {
    e.used = this.#now()
    e.useSeq = ++this.#seq
  }

  #requeue(e: StickEntry): void {
    this.#entries.delete(e.key)
    this.#entries.set(e.key, e)
    e.queuedSeq = e.useSeq
  }

  delete(key: StickKey): boolean {
    return this.#entries.delete(key)
  }

  clear(): void {
    this.#entries.clear()
  }

  /** Live entries, least recently queued first. */
  *entries(): Generator<StickEntry> {
    const t = this.#now()
    for (const e of this.#entries.values()) if (e.refs > 0 || e.used + this.expire > t) yield e
  }

  #evictOne(): boolean {
    let budget = this.#entries.size
    for (const e of this.#entries.values()) {
      if (budget-- <= 0) return false
      if (e.refs > 0 || e.useSeq !== e.queuedSeq) {
        this.#requeue(e) // in use, or used since queued: not the least recently used
        continue
      }
      this.#entries.delete(e.key)
      return true
    }
    return false
  }

  /** Removes expired entries from the front; re-arms the timer for the next one. */
  #purgeExpired(): void {
    const t = this.#now()
    let budget = this.#entries.size
    for (const e of this.#entries.values()) {
      if (budget-- <= 0) break
      if (e.used + this.expire > t) {
        if (e.useSeq === e.queuedSeq) break
        this.#requeue(e) // used since queued: its place is further back
        continue
      }
      if (e.refs > 0) {
        this.touch(e) // in use: keep it, as if used now
        this.#requeue(e)
        continue
      }
      this.#entries.delete(e.key)
    }
    const first = this.#entries.values().next()
    if (!first.done) this.#wheel.schedule(this.#timer, first.value.exp)
  }

  /** Purges what has expired now (tests and the admin API; the timer does it otherwise). */
  purge(): void {
    this.#purgeExpired()
  }

  // --- data ------------------------------------------------------------------------------------

  has(name: CounterName): boolean {
    return this.stores[CI[name]] === 1
  }

  /** Reads a stored counter or rate; undefined when the table does not store it. */
  read(e: StickEntry, name: DataName): number | undefined {
    if (name === 'server_id') return e.serverId
    const ci = (CI as Record<string, number>)[name]
    if (ci !== undefined) return this.stores[ci] === 1 ? e.c[ci] : undefined
    const ri = RI[name as RateName]
    const period = this.rateSlots[ri]!
    return period > 0 ? e.r[ri]!.read(this.#now(), period) : undefined
  }

  /** Adds to a counter and its rate (if stored): `inc(e, 'http_req_cnt', 'http_req_rate')`. */
  inc(e: StickEntry, counter: CounterName | null, rate: RateName | null, n = 1): void {
    let ci = -1
    let ri = -1
    if (counter !== null) {
      ci = CI[counter]
      if (this.stores[ci] === 1) e.c[ci]! += n
      else ci = -1
    }
    if (rate !== null) {
      ri = RI[rate]
      const period = this.rateSlots[ri]!
      if (period > 0) e.r[ri]!.add(this.#now(), period, n)
      else ri = -1
    }
    if (this.sync !== null && (ci >= 0 || ri >= 0)) this.sync.added(this, e.key, ci, ri, n)
    this.#updated(e)
  }

  setCounter(e: StickEntry, counter: CounterName, value: number): void {
    const ci = CI[counter]
    if (this.stores[ci] === 1) {
      e.c[ci] = value
      if (this.sync !== null) this.sync.set(this, e.key, ci, value)
    }
    this.#updated(e)
  }

  /** Element `idx` of `gpt` or `gpc`; undefined when the table does not store it. */
  readArray(e: StickEntry, array: 'gpt' | 'gpc', idx: number): number | undefined {
    return idx >= 0 && idx < e[array].length ? e[array][idx] : undefined
  }

  /** Sets element `idx` of `gpt` or `gpc` (nothing when not stored). */
  setArray(e: StickEntry, array: 'gpt' | 'gpc', idx: number, value: number): void {
    if (idx < 0 || idx >= e[array].length) return
    e[array][idx] = value
    if (this.onUpdate !== null) this.onUpdate(e)
  }

  setServer(e: StickEntry, id: number, name: string): void {
    e.serverId = id
    e.serverName = name
    this.touch(e)
    if (this.sync !== null) this.sync.server(this, e.key, id, name)
    this.#updated(e)
  }

  #updated(e: StickEntry): void {
    if (this.onUpdate !== null) this.onUpdate(e)
    const l = this.#listeners
    for (let i = 0; i < l.length; i++) l[i]!(e, 'local')
  }

  /** Calls `fn` after each write to an entry, from here or applied (see the header); returns
   *  what removes it. */
  listen(fn: UpdateListener): () => void {
    this.#listeners = [...this.#listeners, fn]
    return () => { this.#listeners = this.#listeners.filter((x) => x !== fn) }
  }

  /** Period in ms of a stored rate; 0 when the table does not store it. */
  ratePeriod(name: RateName): number {
    return this.rateSlots[RI[name]]!
  }

  /** `e`'s whole stored state, for a replica (see `RemoteUpdate`). */
  snapshot(e: StickEntry): RemoteUpdate {
    const t = this.#now()
    const u: RemoteUpdate = { key: e.key, serverId: e.serverId, serverName: e.serverName, counters: {}, freqs: {} }
    COUNTERS.forEach((c, i) => { if (this.stores[i] === 1) u.counters![c] = e.c[i]! })
    RATES.forEach((r, i) => {
      const period = this.rateSlots[i]!
      if (period === 0) return
      const f = e.r[i]!
      f.add(t, period, 0)
      u.freqs![r] = { age: Math.max(0, t - f.tick), curr: f.curr, prev: f.prev }
    })
    if (this.expire !== Infinity) u.expireIn = e.refs > 0 ? this.expire : Math.max(0, Math.round(e.exp - t))
    return u
  }

  /** Applies what a replica sent: creates the entry if needed (undefined when the table is full of
   *  entries in use), overwrites what `u` carries, sets its expiry, and tells the listeners with
   *  origin 'remote'. A counter or rate the table does not store is ignored, as is `conn_cur`
   *  (concurrent connections are each node's own, as HAProxy keeps them). */
  applyRemote(u: RemoteUpdate): StickEntry | undefined {
    const e = this.get(u.key)
    if (!e) return undefined
    if (u.serverId !== undefined) e.serverId = u.serverId
    if (u.serverName !== undefined) e.serverName = u.serverName
    if (u.counters) for (const c in u.counters) {
      const ci = CI[c as CounterName]
      if (ci !== undefined && c !== 'conn_cur' && this.stores[ci] === 1) e.c[ci] = u.counters[c as CounterName]!
    }
    const t = this.#now()
    if (u.freqs) for (const r in u.freqs) {
      const ri = RI[r as RateName]
      const f = ri === undefined ? null : e.r[ri]
      if (!f) continue
      const v = u.freqs[r as RateName]!
      f.tick = t - v.age
      f.curr = v.curr
      f.prev = v.prev
    }
    if (u.expireIn !== undefined && this.expire !== Infinity && e.refs === 0) e.used = t - Math.max(0, this.expire - u.expireIn)
    // The process's other threads take a peer's values as values (not increments).
    if (this.sync !== null) {
      if (u.serverId !== undefined || u.serverName !== undefined) this.sync.server(this, e.key, e.serverId, e.serverName)
      if (u.counters) for (const c in u.counters) {
        const ci = CI[c as CounterName]
        if (ci !== undefined && c !== 'conn_cur' && this.stores[ci] === 1) this.sync.set(this, e.key, ci, e.c[ci]!)
      }
    }
    const l = this.#listeners
    for (let i = 0; i < l.length; i++) l[i]!(e, 'remote')
    return e
  }

  /** Applies a change another thread made (StickChange), without telling it back; the
   *  replication hook hears of it as of a change made here. */
  applyChange(c: StickChange): void {
    const sync = this.sync
    this.sync = null
    try {
      const e = this.get(c.key)
      if (e === undefined) return
      const t = this.#now()
      if (c.inc !== undefined) for (const [ci, n] of Object.entries(c.inc)) if (this.stores[Number(ci)] === 1) e.c[Number(ci)]! += n
      if (c.set !== undefined) for (const [ci, v] of Object.entries(c.set)) if (this.stores[Number(ci)] === 1) e.c[Number(ci)] = v
      if (c.rate !== undefined) {
        for (const [ri, n] of Object.entries(c.rate)) {
          const period = this.rateSlots[Number(ri)]!
          if (period > 0) e.r[Number(ri)]!.add(t, period, n)
        }
      }
      if (c.server !== undefined) { e.serverId = c.server[0]; e.serverName = c.server[1] }
      this.#updated(e)
    } finally {
      this.sync = sync
    }
  }

  /** Each live entry as `show table` writes it: `key=K use=N exp=MS` and its stored data in
   *  HAProxy's order (`conn_rate(10000)=1` for a rate, with its period in ms). */
  dumpEntries(): string[] {
    const t = this.#now()
    const out: string[] = []
    for (const e of this.entries()) {
      let line = `key=${this.type === 'binary' ? Buffer.from(String(e.key), 'latin1').toString('hex') : e.key} use=${e.refs} exp=${this.expire === Infinity ? 0 : Math.max(0, Math.round(e.exp - t))}`
      for (const name of SHOW_ORDER) {
        if (name === 'server_id') { if (this.storesServer) line += ` server_id=${e.serverId}`; continue }
        const ri = (RI as Record<string, number>)[name]
        if (ri !== undefined) { const p = this.rateSlots[ri]!; if (p > 0) line += ` ${name}(${p})=${this.read(e, name)}`; continue }
        if (this.stores[CI[name as CounterName]] === 1) line += ` ${name}=${this.read(e, name)}`
      }
      out.push(line)
    }
    return out
  }

  /** What a peer would send for `e`. */
  exportEntry(e: StickEntry): StickUpdate {
    const u: StickUpdate = { key: e.key, counters: {}, rates: {} }
    if (e.serverId !== 0 || e.serverName !== '') { u.serverId = e.serverId; u.serverName = e.serverName }
    COUNTERS.forEach((c, i) => { if (this.stores[i] === 1) u.counters![c] = e.c[i]! })
    RATES.forEach((r, i) => { if (this.rateSlots[i]! > 0) u.rates![r] = e.r[i]!.curr })
    return u
  }

  /** Applies what a peer sent: creates or touches the entry, then overwrites its values. */
  apply(u: StickUpdate): StickEntry | undefined {
    const e = this.get(u.key)
    if (!e) return undefined
    if (u.serverId !== undefined) { e.serverId = u.serverId; e.serverName = u.serverName ?? '' }
    for (const [c, v] of Object.entries(u.counters ?? {})) if (this.stores[CI[c as CounterName]] === 1) e.c[CI[c as CounterName]] = v
    if (this.sync !== null) {
      if (u.serverId !== undefined) this.sync.server(this, e.key, e.serverId, e.serverName)
      for (const [c, v] of Object.entries(u.counters ?? {})) if (this.stores[CI[c as CounterName]] === 1) this.sync.set(this, e.key, CI[c as CounterName], v)
    }
    const t = this.#now()
    for (const [r, v] of Object.entries(u.rates ?? {})) {
      const f = e.r[RI[r as RateName]]
      if (f) { f.add(t, this.rateSlots[RI[r as RateName]]!, 0); f.curr = v }
    }
    return e
  }
}
