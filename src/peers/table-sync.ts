/**
 * One stick table as the peers share it: its definition on the wire and its log of updates.
 *
 * Each write to the table (the table's update hook, `StickTable.listen`) takes the next update id
 * and appends (id, entry, origin) to the log; an entry's earlier records are then stale and are
 * dropped when the log is compacted. A peer connection sends what lies after the last id the
 * other side acknowledged: after a partition it resumes there, as HAProxy's update tree does.
 * Writes applied from a remote peer are logged too, as 'remote': they are not pushed on to other
 * remote peers (each node pushes its own writes in a full mesh) but are taught in a full resync
 * and to the local peer (the next process on a reload).
 *
 * Ids are counted without bound here; the wire carries them modulo 2^32 (`wireId`, `fromWire`).
 */
import type { StickTableConfig } from '../model/types.ts'
import type { StickEntry, StickTable, UpdateOrigin } from '../rules/stick-table.ts'
import { DATA_TYPES, KEY_TYPES, SERVER_ID, SERVER_KEY, wireKeySize } from './data-types.ts'
import type { TableDef } from './messages.ts'
import type { KeyShape } from './update-codec.ts'

interface Rec {
  id: number
  e: StickEntry
  local: boolean
}

export class SyncedTable {
  readonly name: string
  readonly table: StickTable
  /** This table's id in the definitions edgelb sends (its rank in the section, from 1). */
  readonly def: TableDef
  readonly shape: KeyShape
  /** The last update id given. */
  update = 0
  #log: Rec[] = []
  #ids = new Map<StickEntry, number>()
  #unlisten: () => void
  readonly #changed: () => void

  /** `localId`: its id in the definitions sent; `changed`: called after each write. */
  constructor(shared: { name: string; table: StickTable; cfg: Pick<StickTableConfig, 'type' | 'len'> }, o: { localId: number; changed: () => void }) {
    const { name, table, cfg } = shared
    const localId = o.localId
    this.name = name
    this.table = table
    this.#changed = o.changed
    this.shape = { type: cfg.type, keySize: wireKeySize(cfg) }
    let data = 2 ** SERVER_ID + 2 ** SERVER_KEY
    const params = new Map<number, number[]>()
    for (const dt of DATA_TYPES) {
      if (dt.counter !== undefined && table.has(dt.counter)) data += 2 ** dt.id
      if (dt.rate !== undefined && table.ratePeriod(dt.rate) > 0) {
        data += 2 ** dt.id
        params.set(dt.id, [table.ratePeriod(dt.rate)])
      }
    }
    this.def = { id: localId, name, keyType: KEY_TYPES[cfg.type], keySize: this.shape.keySize, data, expire: table.expire === Infinity ? 0 : table.expire, params }
    this.#unlisten = table.listen((e, origin) => this.#record(e, origin))
  }

  #record(e: StickEntry, origin: UpdateOrigin): void {
    const id = ++this.update
    this.#ids.set(e, id)
    this.#log.push({ id, e, local: origin === 'local' })
    if (this.#log.length > 1024 && this.#log.length > 2 * this.#ids.size) this.#compact()
    this.#changed()
  }

  /** Drops stale records (the entry was written again later, or is gone). */
  #compact(): void {
    const t = this.table
    this.#log = this.#log.filter((r) => this.#ids.get(r.e) === r.id && t.holds(r.e))
    for (const e of this.#ids.keys()) if (!t.holds(e)) this.#ids.delete(e)
  }

  /**
   * Calls `fn` for each live record after `after`, oldest first, the remote ones only when
   * `withRemote`, until `fn` returns false; returns the id reached (the last one visited, or the
   * last update when it went through everything).
   */
  forEachAfter(after: number, withRemote: boolean, fn: (e: StickEntry, id: number) => boolean): number {
    const log = this.#log
    let lo = 0
    let hi = log.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (log[mid]!.id <= after) lo = mid + 1
      else hi = mid
    }
    for (let i = lo; i < log.length; i++) {
      const r = log[i]!
      if (this.#ids.get(r.e) !== r.id || !this.table.holds(r.e)) continue
      if (!r.local && !withRemote) continue
      if (!fn(r.e, r.id)) return r.id
    }
    return this.update
  }

  /** The id an entry was last written with (0: never since it was shared). */
  idOf(e: StickEntry): number {
    return this.#ids.get(e) ?? 0
  }

  /** The unbounded id of a wire id at or below the last update. */
  fromWire(v: number): number {
    const back = ((this.update >>> 0) - (v >>> 0)) >>> 0
    return Math.max(0, this.update - back)
  }

  close(): void {
    this.#unlisten()
  }
}

export function wireId(id: number): number {
  return id >>> 0
}
