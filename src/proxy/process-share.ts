/**
 * What the threads of one edgelb (`nbthread` > 1) share of a generation: its connection counts
 * and queue lengths, in one SharedArrayBuffer, so that every `maxconn` (global, frontend,
 * server), `maxqueue`, `leastconn`, `first` and the stats' current sessions and queues see the
 * whole process. Each thread builds its own
 * engine from the same configuration; `ShareLayout` names the cells, and each engine's counts
 * are pointed at them (`attach`) before it binds.
 *
 *   cells: [wake sequence, waiting threads, actconn, frontend…, (backend, its queue, (server,
 *           its queue)…)…]
 *
 * A connection parked on a full `maxconn`, or queued on a full server, waits in the thread that
 * accepted it; a slot another thread frees wakes it through `WakeSignal` (core/shared-count.ts).
 * Queues are first-come first-served within a thread; across threads, the first to wake takes
 * the slot.
 */
import { LocalCount, SharedCount, WakeSignal, type Count } from '../core/shared-count.ts'
import type { Config } from '../model/types.ts'
import type { Engine } from './engine.ts'
import type { AdminState } from '../backend/server.ts'
import type { TableSync } from './table-sync.ts'

/** The cell of each count, by name: `actconn`, `fe NAME`, `be NAME`, `srv BACKEND/SERVER`, and
 *  the queues' `queue BACKEND`, `queue BACKEND/SERVER`. */
export type ShareLayout = Readonly<Record<string, number>>

const FIRST_COUNT = 2

/** The cells a configuration's counts take (the same in every thread that reads it). */
export function shareLayout(config: Config): ShareLayout {
  const out: Record<string, number> = {}
  let i = FIRST_COUNT
  out['actconn'] = i++
  for (const p of config.proxies) {
    if (p.kind === 'frontend' || p.kind === 'listen') out[`fe ${p.name}`] = i++
  }
  for (const p of config.proxies) {
    if (p.kind !== 'backend' && p.kind !== 'listen') continue
    out[`be ${p.name}`] = i++
    out[`queue ${p.name}`] = i++
    for (const s of p.servers) {
      out[`srv ${p.name}/${s.name}`] = i++
      out[`queue ${p.name}/${s.name}`] = i++
    }
  }
  return out
}

/** One generation's shared cells, as each thread holds them. */
export class ProcessShare {
  readonly buffer: SharedArrayBuffer
  readonly layout: ShareLayout
  /** How many threads serve (`nbthread`). */
  readonly threads: number
  /** This thread's number, from 0 (the first thread) to threads - 1 (HAProxy's `thread`). */
  readonly index: number
  readonly #cells: Int32Array
  readonly #wake: WakeSignal
  #engine: Engine | null = null
  #armed = false
  /** Called when a server's state changed in this thread (the first thread tells the others). */
  onServerState: (() => void) | null = null
  /** In the first thread: how the stats gather the other threads' counters, and how a runtime
   *  API command that changes something reaches them (cli/threads.ts). */
  relay: { gather(engine: Engine): void; forward(line: string): void } | null = null
  /** How this thread's stick tables stay in step with the other threads'. */
  tables: TableSync | null = null

  constructor(buffer: SharedArrayBuffer, layout: ShareLayout, threads: number, index: number) {
    this.index = index
    this.buffer = buffer
    this.layout = layout
    this.threads = threads
    this.#cells = new Int32Array(buffer)
    this.#wake = new WakeSignal(this.#cells, 0)
  }

  /** New cells, all zero, for `config` (the first thread of a generation makes them). */
  static create(config: Config, threads: number): ProcessShare {
    const layout = shareLayout(config)
    const n = Math.max(FIRST_COUNT, ...Object.values(layout)) + 1
    return new ProcessShare(new SharedArrayBuffer(n * 4), layout, threads, 0)
  }

  #count(name: string): Count {
    const i = this.layout[name]
    return i === undefined ? new LocalCount() : new SharedCount(this.#cells, i)
  }

  /** Points `engine`'s counts at the shared cells; called before it binds. A count the layout
   *  does not know (a configuration read differently) stays the thread's own. */
  attach(engine: Engine): void {
    this.#engine = engine
    this.tables?.attach(engine.rules.tables)
    engine.actconns = this.#count('actconn')
    for (const fe of engine.frontends) fe.conns = this.#count(`fe ${fe.name}`)
    const arm = (): void => this.arm()
    const signal = (): void => this.#wake.signal()
    const changed = (): void => this.onServerState?.()
    for (const be of engine.backends.values()) {
      be.onServerState = changed
      be.sessions = this.#count(`be ${be.name}`)
      be.queue.count = this.#count(`queue ${be.name}`)
      for (const s of be.servers) {
        s.conns = this.#count(`srv ${be.name}/${s.name}`)
        s.queue.count = this.#count(`queue ${be.name}/${s.name}`)
      }
      be.onQueued = arm
      be.onReleased = signal
    }
  }

  /** Before the stats are shown: the other threads' counters are added into this engine's. */
  gatherStats(): void {
    if (this.relay !== null && this.#engine !== null) this.relay.gather(this.#engine)
  }

  /** A runtime API command changed something here: the other threads run it too. */
  commandRan(line: string): void {
    this.relay?.forward(line)
  }

  /** A slot was freed in this thread: threads with waiters retry. */
  signal(): void {
    this.#wake.signal()
  }

  /** This thread has waiters (parked or queued): until none is left, it retries each time
   *  another thread frees a slot. */
  arm(): void {
    if (this.#armed) return
    this.#armed = true
    // Not now: the caller is queueing or parking a connection and has not finished doing so.
    queueMicrotask(() => void this.#waitLoop())
  }

  async #waitLoop(): Promise<void> {
    const e = this.#engine
    try {
      while (e !== null && e.state !== 'stopped') {
        const seen = this.#wake.mark()
        for (const fe of e.frontends) if (fe.parked > 0) fe.unpark()
        for (const be of e.backends.values()) be.serveQueues()
        if (!hasWaiters(e)) break
        await this.#wake.wait(seen)
      }
    } finally {
      this.#armed = false
    }
  }
}

function hasWaiters(e: Engine): boolean {
  for (const fe of e.frontends) if (fe.parked > 0) return true
  for (const be of e.backends.values()) {
    if (be.queue.length > 0) return true
    for (const s of be.servers) if (s.queue.length > 0) return true
  }
  return false
}

/** What the other threads apply of a server's state, as the first thread's checks and runtime
 *  API leave it. */
export interface ServerState {
  be: string
  srv: string
  admin: AdminState
  inheritedAdmin: AdminState
  up: boolean
  nolb: boolean
  uweight: number
  weight: number
  maxconnBase: number
  maxconn: number
  throttle: number
}

/** Every server's state in `engine`. */
export function serverStates(engine: Engine): ServerState[] {
  const out: ServerState[] = []
  for (const be of engine.backends.values()) {
    for (const s of be.servers) {
      out.push({ be: be.name, srv: s.name, admin: s.admin, inheritedAdmin: s.inheritedAdmin, up: s.up, nolb: s.nolb, uweight: s.uweight, weight: s.weight, maxconnBase: s.maxconnBase, maxconn: s.maxconn, throttle: s.throttle })
    }
  }
  return out
}

/** Applies the first thread's server states to this thread's engine. */
export function applyServerStates(engine: Engine, states: readonly ServerState[]): void {
  for (const st of states) {
    const be = engine.backends.get(st.be)
    const s = be?.findServer(st.srv)
    if (be === undefined || s === undefined) continue
    const rose = st.maxconn === 0 ? s.maxconn !== 0 : st.maxconn > s.maxconn
    s.admin = st.admin
    s.inheritedAdmin = st.inheritedAdmin
    s.up = st.up
    s.nolb = st.nolb
    s.uweight = st.uweight
    s.weight = st.weight
    s.maxconnBase = st.maxconnBase
    s.maxconn = st.maxconn
    s.throttle = st.throttle
    be.serverStateChanged(s)
    if (rose) be.serveQueues(s)
  }
}
