/**
 * The stick tables of the threads of one process (`nbthread` > 1), kept in step: each thread holds
 * a copy of every table and tells the others what it changed (rules/stick-table.ts `StickSync`):
 * uses, increments as increments, values set, servers stuck to. The changes of one event-loop
 * turn are merged per entry and sent at once, on a BroadcastChannel every thread of the process
 * opens; the others apply them (`StickTable.applyChange`) within a turn of theirs.
 *
 * So counters and rates agree across threads up to the changes in flight (a turn or two), and a
 * client stuck to a server in one thread is stuck to it in the others from then on. A peers link
 * (HAProxy's protocol, between processes) joins here: it runs in the first thread, whose tables
 * hear every thread's changes through `StickTable.onUpdate`, and what it applies (`apply`) is
 * sent on to the other threads as values set.
 */
import type { StickChange, StickKey, StickSync, StickTable } from '../rules/stick-table.ts'

type Batch = [table: string, changes: StickChange[]][]

export class TableSync implements StickSync {
  readonly #channel: BroadcastChannel
  #tables: ReadonlyMap<string, StickTable> = new Map()
  #pending = new Map<StickTable, Map<StickKey, StickChange>>()
  #scheduled = false

  /** `name`: the same in every thread of the process, and only there. */
  constructor(name: string) {
    this.#channel = new BroadcastChannel(name)
    this.#channel.onmessage = (e: { data: unknown }) => this.#receive(e.data as Batch)
  }

  /** The tables of the generation serving in this thread now (a reload brings new ones). */
  attach(tables: ReadonlyMap<string, StickTable>): void {
    this.#tables = tables
    for (const t of tables.values()) t.sync = this
  }

  close(): void {
    this.#channel.close()
  }

  touched(t: StickTable, key: StickKey): void {
    this.#change(t, key)
  }

  added(t: StickTable, key: StickKey, ci: number, ri: number, n: number): void {
    const c = this.#change(t, key)
    // After a value set in the same turn, the increment adds to that value.
    if (ci >= 0 && c.set?.[ci] !== undefined) c.set[ci] += n
    else if (ci >= 0) (c.inc ??= {})[ci] = (c.inc[ci] ?? 0) + n
    if (ri >= 0) (c.rate ??= {})[ri] = (c.rate[ri] ?? 0) + n
  }

  set(t: StickTable, key: StickKey, ci: number, v: number): void {
    const c = this.#change(t, key)
    if (c.inc !== undefined) delete c.inc[ci]
    ;(c.set ??= {})[ci] = v
  }

  server(t: StickTable, key: StickKey, id: number, name: string): void {
    this.#change(t, key).server = [id, name]
  }

  #change(t: StickTable, key: StickKey): StickChange {
    let byKey = this.#pending.get(t)
    if (byKey === undefined) this.#pending.set(t, (byKey = new Map()))
    let c = byKey.get(key)
    if (c === undefined) byKey.set(key, (c = { key }))
    if (!this.#scheduled) {
      this.#scheduled = true
      setImmediate(() => this.#flush())
    }
    return c
  }

  #flush(): void {
    this.#scheduled = false
    const batch: Batch = []
    for (const [t, byKey] of this.#pending) batch.push([t.name, [...byKey.values()]])
    this.#pending = new Map()
    if (batch.length > 0) this.#channel.postMessage(batch)
  }

  #receive(batch: Batch): void {
    for (const [name, changes] of batch) {
      const t = this.#tables.get(name)
      if (t === undefined) continue
      for (const c of changes) t.applyChange(c)
    }
  }
}
