/**
 * Entry updates on the wire (doc/peers.txt, "Entry update message format"): the update id (unless
 * incremental), the time left (timed updates), the key as the table's type writes it, then each
 * data type the sender's definition announced, in the order of their ids.
 *
 * server_key travels through a dictionary cache of 128 entries per connection: the first time a
 * name goes out it is sent with its cache id, then the id alone (dcache in HAProxy's peers.c).
 */
import { formatIpv6, parseIpv4, parseIpv6 } from '../core/ip.ts'
import type { CounterName, FreqState, RateName, RemoteUpdate, StickKey } from '../rules/stick-table.ts'
import type { StickTableConfig } from '../model/types.ts'
import { DATA_TYPES, SERVER_ID, SERVER_KEY } from './data-types.ts'
import { Cursor, writeVarint } from './varint.ts'
import { fromUtf8, MSG_INC_UPDATE, MSG_INC_UPDATE_TIMED, MSG_UPDATE, MSG_UPDATE_TIMED, type Out, type TableDef, utf8 } from './messages.ts'

export const DICT_SIZE = 128

/** The names sent on one connection, by cache id (round robin, as HAProxy's LRU key). */
export class TxDict {
  #ids = new Map<string, number>()
  #names: (string | undefined)[] = []
  #next = 0

  /** The id of `name` and whether it is already known to the other side. */
  put(name: string): { id: number; known: boolean } {
    const id = this.#ids.get(name)
    if (id !== undefined) return { id, known: true }
    const slot = this.#next
    this.#next = (this.#next + 1) % DICT_SIZE
    const old = this.#names[slot]
    if (old !== undefined) this.#ids.delete(old)
    this.#names[slot] = name
    this.#ids.set(name, slot)
    return { id: slot, known: false }
  }
}

/** What one table's type needs to write and read keys. */
export interface KeyShape {
  type: StickTableConfig['type']
  keySize: number
}

export function writeKey(out: Out, shape: KeyShape, key: StickKey): void {
  switch (shape.type) {
    case 'ip': out.u32(parseIpv4(String(key)) >>> 0); return
    case 'ipv6': {
      const w = parseIpv6(String(key)) ?? new Uint32Array(4)
      for (let i = 0; i < 4; i++) out.u32(w[i]!)
      return
    }
    case 'integer': out.u32(Number(key) >>> 0); return
    case 'string': {
      let b = utf8.encode(String(key))
      if (b.length > shape.keySize - 1) b = b.subarray(0, shape.keySize - 1)
      out.varint(b.length)
      out.bytes(b)
      return
    }
    case 'binary': {
      const b = new Uint8Array(shape.keySize)
      b.set(Buffer.from(String(key), 'latin1').subarray(0, shape.keySize))
      out.bytes(b)
    }
  }
}

/** `keyLen`: the edgelb table's own length for string and binary keys. */
export function readKey(c: Cursor, shape: KeyShape, keyLen: number): StickKey | undefined {
  switch (shape.type) {
    case 'ip': {
      const v = c.u32()
      return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`
    }
    case 'ipv6': {
      const w = new Uint32Array(4)
      for (let i = 0; i < 4; i++) w[i] = c.u32()
      return formatIpv6(w)
    }
    case 'integer': return c.u32() | 0
    case 'string': {
      const n = c.varint()
      const b = c.bytes(n)
      if (!c.ok) return undefined
      const s = fromUtf8.decode(b.subarray(0, Math.min(b.length, shape.keySize)))
      return s.length > keyLen ? s.slice(0, keyLen) : s
    }
    case 'binary': {
      const b = c.bytes(shape.keySize)
      const s = Buffer.from(b.subarray(0, keyLen)).toString('latin1')
      return s.length < keyLen ? s + '\0'.repeat(keyLen - s.length) : s
    }
  }
}

export interface UpdateOut {
  /** The definition sent for this table, and its key's shape. */
  def: TableDef
  shape: KeyShape
  /** The connection's dictionary cache of server names. */
  dict: TxDict
  updateId: number
  /** The previous update sent on this table was `updateId - 1`: the id may be left out. */
  incremental: boolean
  /** Send the time left before expiry (a full resync does; live updates do not). */
  timed: boolean
}

/** Writes one update of `u` in the shape `o.def` announced for this table. */
export function writeUpdate(out: Out, u: RemoteUpdate, o: UpdateOut): void {
  const { def, shape, dict } = o
  const timed = o.timed && u.expireIn !== undefined
  const m = out.begin(o.incremental ? (timed ? MSG_INC_UPDATE_TIMED : MSG_INC_UPDATE) : (timed ? MSG_UPDATE_TIMED : MSG_UPDATE))
  if (!o.incremental) out.u32(o.updateId)
  if (timed) out.u32(Math.min(0x7fffffff, Math.round(u.expireIn!)))
  writeKey(out, shape, u.key)
  for (const dt of DATA_TYPES) {
    if (Math.floor(def.data / 2 ** dt.id) % 2 === 0) continue
    if (dt.id === SERVER_ID) { out.varint(u.serverId ?? 0); continue }
    if (dt.id === SERVER_KEY) {
      const name = u.serverName ?? ''
      if (name === '') { out.varint(0); continue }
      const { id, known } = dict.put(name)
      if (known) { out.varint(1); out.varint(id + 1); continue }
      const b = utf8.encode(name)
      const body = new Uint8Array(b.length + 12)
      let at = writeVarint(body, 0, id + 1)
      at = writeVarint(body, at, b.length)
      body.set(b, at)
      out.varint(at + b.length)
      out.bytes(body.subarray(0, at + b.length))
      continue
    }
    if (dt.counter !== undefined) { out.varint(Math.max(0, Math.floor(u.counters?.[dt.counter] ?? 0))); continue }
    if (dt.rate !== undefined) {
      const f = u.freqs?.[dt.rate]
      out.varint(f === undefined ? 0 : Math.min(0xffffffff, Math.max(0, Math.round(f.age))))
      out.varint(f?.curr ?? 0)
      out.varint(f?.prev ?? 0)
    }
  }
  out.end(m)
}

export interface UpdateCtx {
  /** The definition the sender announced; the local table's key shape and its own key length. */
  def: TableDef
  shape: KeyShape
  keyLen: number
  /** The previous update id of this table on this connection. */
  lastId: number
  /** The names the other side has sent, by cache id. */
  rxDict: (string | undefined)[]
}

export interface UpdateIn {
  /** The update id: read, or the previous one plus one. */
  id: number
  update: RemoteUpdate | null
}

/** Reads one update (message `type`) in the context `ctx`; returns a reason when it is malformed. */
export function readUpdate(body: Uint8Array, type: number, ctx: UpdateCtx): UpdateIn | string {
  const { def, shape, keyLen, lastId, rxDict } = ctx
  const c = new Cursor(body, 0, body.length)
  const withId = type === MSG_UPDATE || type === MSG_UPDATE_TIMED
  const timed = type === MSG_UPDATE_TIMED || type === MSG_INC_UPDATE_TIMED
  const id = withId ? c.u32() : (lastId + 1) >>> 0
  const expireIn = timed ? c.u32() : undefined
  const key = readKey(c, shape, keyLen)
  if (!c.ok || key === undefined) return 'truncated update key'
  const u: RemoteUpdate = { key, counters: {}, freqs: {} }
  if (expireIn !== undefined) u.expireIn = expireIn | 0
  for (let t = 0; t < 32; t++) {
    if (Math.floor(def.data / 2 ** t) % 2 === 0) continue
    const dt = DATA_TYPES[t]
    if (dt === undefined) return `unknown data type ${t}`
    const n = dt.array ? def.params.get(t)?.[0] ?? 0 : 1
    if (n > 1024) return `data type ${dt.name} with ${n} elements`
    for (let i = 0; i < n; i++) {
      if (dt.kind === 'freq') {
        const f: FreqState = { age: c.varint(), curr: c.varint(), prev: c.varint() }
        if (dt.rate !== undefined) u.freqs![dt.rate as RateName] = f
      } else if (dt.kind === 'dict') {
        const len = c.varint()
        if (!c.ok) break
        if (len === 0) continue
        const sub = new Cursor(body, c.pos, Math.min(c.pos + len, body.length))
        if (c.pos + len > body.length) return 'truncated server_key'
        c.pos += len
        const did = sub.varint()
        if (!sub.ok || did === 0 || did > DICT_SIZE) return `bad server_key cache id ${did}`
        if (sub.left === 0) {
          const name = rxDict[did - 1]
          if (name === undefined) return `server_key cache id ${did} never sent`
          u.serverName = name
        } else {
          const vlen = sub.varint()
          const v = sub.bytes(vlen)
          if (!sub.ok) return 'truncated server_key'
          const name = fromUtf8.decode(v)
          rxDict[did - 1] = name
          u.serverName = name
        }
      } else {
        const v = c.varint()
        if (dt.id === SERVER_ID) u.serverId = v
        else if (dt.counter !== undefined) u.counters![dt.counter as CounterName] = v
      }
    }
    if (!c.ok) return `truncated ${dt.name}`
  }
  return { id, update: u }
}
