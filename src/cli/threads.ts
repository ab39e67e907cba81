/**
 * `nbthread N`: N event loops in one edgelb process. The first thread (the process's own) is
 * the one `edgelb run` always was: it reads the configuration, binds first, runs the health
 * checks, the runtime API, the signals, sd_notify and reloads, and serves traffic too. Each of the
 * N-1 others is a Worker (cli/worker.ts) that reads the same files, builds its own engine and
 * serves the same TCP addresses on its own SO_REUSEPORT sockets. docs/architecture.md, "Threads",
 * says why this shape and what each thread holds.
 *
 *   first thread                               each other thread
 *   load, bind (SO_REUSEPORT), checks ──init──▶ load, bind the same ports, serve
 *   server states (checks, admin) ─────states─▶ applied to its servers
 *   on-marked-down/up ────────────────────kill─▶ its sessions on that server ended
 *   passive health (observe) ◀──────observed─── what its sessions saw, once per turn
 *   stats page, Prometheus ◀──applet / reply──▶ asked of the first thread, answered there
 *   runtime API: show … ──────────────counters▶ deltas back through shared memory, merged
 *                set/enable/… ────────────cli─▶ run there too
 *   SIGUSR2/SIGHUP ─────────────────────reload─▶ reload (new shared cells, new ports)
 *   SIGUSR1, SIGTERM, SIGTTOU/TTIN ──────signal─▶ the same (pause, resume: acknowledged)
 *   stick tables ◀──────── BroadcastChannel ───▶ stick tables (proxy/table-sync.ts)
 *   ◀──────────────────────────── out/err lines, done
 */
import type { Config, CpuMapLine } from '../model/types.ts'
import type { ObservedResult } from '../backend/server.ts'
import type { ListenerSet, SharedSocket } from '../proxy/listeners.ts'
import type { Engine, EngineThread } from '../proxy/engine.ts'
import { ProcessShare, serverStates } from '../proxy/process-share.ts'
import { runtimeName } from '../net/runtime.ts'
import { mergeCounters, type CounterSet } from '../stats/merge.ts'
import { TableSync } from '../proxy/table-sync.ts'
import { availableParallelism } from 'node:os'

/** What a thread is started with (cli/worker.ts reads it). */
export interface ThreadInit {
  t: 'init'
  index: number
  count: number
  /** The BroadcastChannel of the stick tables (proxy/table-sync.ts). */
  tables: string
  /** `cpu-map`: the CPUs this thread binds itself to (none: not bound). */
  cpus?: number[]
  files: readonly string[]
  env: Record<string, string | undefined>
  allowUnimplemented: boolean
  buffer: SharedArrayBuffer
  layout: Record<string, number>
  ports: [string, SharedSocket | null][]
  mailbox: SharedArrayBuffer
}

export type ToThread =
  | ThreadInit
  | { t: 'reload'; buffer: SharedArrayBuffer; layout: Record<string, number>; ports: [string, SharedSocket | null][] }
  | { t: 'states'; states: ReturnType<typeof serverStates> }
  | { t: 'cli'; line: string }
  | { t: 'counters' }
  | { t: 'kill'; be: string; srv: string; why: 'down' | 'up' }
  | { t: 'softStop' | 'stop' | 'pause' | 'resume' }
  | AppletAnswer

export type FromThread =
  | { t: 'ready' }
  | { t: 'failed'; why: string }
  | { t: 'out' | 'err'; line: string }
  | { t: 'done' }
  /** What passive health saw on servers (`observe`), for the first thread's state machine. */
  | { t: 'observed'; results: [be: string, srv: string, result: ObservedResult][] }
  /** A pause or resume is done. */
  | { t: 'ack' }
  | AppletAsk

/** A stats page or service asked of another thread: the first thread answers it, with the
 *  process's counters (only what the applets read of a request travels). */
export interface AppletAsk {
  t: 'applet'
  id: number
  kind: 'stats' | 'service'
  /** The service's name (`prometheus-exporter`), or the proxy of the stats page. */
  name: string
  proxy: string
  method: string
  uri: string
  authorization?: string
  clientAddr: string
}

export interface AppletAnswer {
  t: 'applet-reply'
  id: number
  status: number
  headers: [string, string][]
  body: Uint8Array
}

/** Room for one thread's counters (JSON) when the first thread reads them. */
const MAILBOX_BYTES = 16 << 20
/** How long the first thread waits for a thread's counters before showing what it has. */
const GATHER_WAIT_MS = 1000

/**
 * How many threads serve `config`: `nbthread`, else 1 (docs/config.md, "Threads", says why the
 * default is not the CPU count yet); 1 under a runtime without threads, with a warning.
 */
export function threadCount(config: Config): { n: number; warning?: string } {
  const asked = config.global.nbthread ?? 1
  if (asked <= 1) return { n: 1 }
  if (runtimeName !== 'bun') return { n: 1, warning: `'nbthread ${asked}': running 1 thread: threads need Bun (this is ${runtimeName})` }
  const cpus = availableParallelism()
  if (asked > cpus) return { n: asked, warning: `'nbthread ${asked}' is more than the ${cpus} CPUs this process may run on` }
  return { n: asked }
}

/** The CPUs of each thread (0-based) that `cpu-map` binds, for `n` threads; a later line wins. */
export function threadCpus(lines: readonly CpuMapLine[], n: number): { cpus: Map<number, number[]>; warnings: string[] } {
  const cpus = new Map<number, number[]>()
  const warnings: string[] = []
  for (const l of lines) {
    const all = Array.from({ length: n }, (_, i) => i + 1)
    const set = l.threads === 'all' ? all : l.threads === 'odd' ? all.filter((t) => t % 2 === 1) : l.threads === 'even' ? all.filter((t) => t % 2 === 0) : l.threads
    const threads = set.filter((t) => t <= n)
    if (threads.length < set.length) warnings.push(`'cpu-map' names thread ${set.filter((t) => t > n).join(', ')}, beyond the ${n} this process runs`)
    if (!l.auto) { for (const t of threads) cpus.set(t - 1, l.cpus); continue }
    if (l.cpus.length !== 1 && l.cpus.length < threads.length) warnings.push(`'cpu-map auto:' has ${l.cpus.length} CPUs for ${threads.length} threads: threads past the ${l.cpus.length}th are not bound`)
    threads.forEach((t, i) => {
      const c = l.cpus.length === 1 ? l.cpus[0] : l.cpus[i]
      if (c !== undefined) cpus.set(t - 1, [c])
    })
  }
  return { cpus, warnings }
}

interface Link {
  readonly worker: Worker
  readonly header: Int32Array
  readonly data: Uint8Array
  readonly done: Promise<void>
  ready: Promise<string | undefined>
  gone: boolean
}

export interface ThreadsSetup {
  files: readonly string[]
  env: Readonly<Record<string, string | undefined>>
  allowUnimplemented: boolean
  out(line: string): void
  err(line: string): void
}

/** The other threads of the process, as the first one drives them; also the first thread's
 *  EngineThread (it makes each generation's shared cells). */
export class Threads implements EngineThread {
  readonly checks = true
  readonly count: number
  readonly #setup: ThreadsSetup
  readonly #links: Link[] = []
  #share: ProcessShare | null = null
  #engine: (() => Engine) | null = null
  #statesPending = false
  /** Resolves when every other thread has ended. */
  done: Promise<void> = Promise.resolve()

  /** Opened with the first generation (a start that fails before has nothing to close). */
  #tables: TableSync | null = null
  /** Threads that still have to say they did what they were last asked (pause, resume). */
  #acks: { left: number; done: () => void } | null = null

  constructor(count: number, setup: ThreadsSetup) {
    this.count = count
    this.#setup = setup
  }

  /** Once every thread has ended: what this thread still holds open. */
  close(): void {
    this.#tables?.close()
    this.#tables = null
  }

  share(config: Config): ProcessShare {
    const s = ProcessShare.create(config, this.count)
    s.onServerState = () => this.#statesSoon()
    s.relay = this
    s.tables = this.#tables ??= new TableSync(tableChannel(process.pid))
    this.#share = s
    return s
  }

  killedSessions(be: string, srv: string, why: 'down' | 'up'): void {
    this.#post({ t: 'kill', be, srv, why })
  }

  /** Answers another thread's stats page or service request, as this thread would its own. */
  async #applet(m: AppletAsk): Promise<AppletAnswer> {
    const e = this.#engine?.()
    const p = e?.config.proxies.find((x) => x.name === m.proxy)
    const a = e === undefined || p === undefined ? null : m.kind === 'stats' ? e.applets?.stats(p) ?? null : e.applets?.service(m.name) ?? null
    if (a === null || p === undefined) return { t: 'applet-reply', id: m.id, status: 503, headers: [], body: new Uint8Array() }
    const auth = m.authorization
    const r = await a({ method: m.method, uri: m.uri, proxy: p, clientAddr: m.clientAddr, header: (l) => (l === 'authorization' ? auth : undefined) })
    return { t: 'applet-reply', id: m.id, status: r.status, headers: r.headers.map(([k, v]) => [k, v]), body: r.body }
  }

  /** Another thread's sessions reported on servers: the first thread's passive health hears it. */
  #observed(results: readonly [string, string, ObservedResult][]): void {
    const e = this.#engine?.()
    if (e === undefined) return
    for (const [be, srv, r] of results) e.backends.get(be)?.findServer(srv)?.reportResult(r)
  }

  /** Starts the other threads on what `listeners` bound; resolves once each serves, or with the
   *  reason one could not (the others are then stopped). */
  async start(listeners: ListenerSet, engine: () => Engine, cpus: ReadonlyMap<number, number[]> = new Map()): Promise<string | undefined> {
    this.#engine = engine
    const share = this.#share
    if (share === null) throw new Error('Threads.start: no generation started')
    const ports = [...listeners.sharedPorts()]
    for (let i = 1; i < this.count; i++) {
      const mailbox = new SharedArrayBuffer(8 + MAILBOX_BYTES)
      const worker = new Worker(workerEntry(), { type: 'module' } as WorkerOptions)
      let resolveDone!: () => void
      let resolveReady!: (why: string | undefined) => void
      const link: Link = {
        worker,
        header: new Int32Array(mailbox, 0, 2),
        data: new Uint8Array(mailbox, 8),
        done: new Promise((r) => { resolveDone = () => { link.gone = true; r() } }),
        ready: new Promise((r) => { resolveReady = r }),
        gone: false,
      }
      worker.onmessage = (e: MessageEvent<FromThread>) => {
        const m = e.data
        if (m.t === 'out') this.#setup.out(m.line)
        else if (m.t === 'err') this.#setup.err(m.line)
        else if (m.t === 'ready') resolveReady(undefined)
        else if (m.t === 'failed') resolveReady(`thread ${i + 1}: ${m.why}`)
        else if (m.t === 'done') { worker.terminate(); resolveDone(); this.#ack() }
        else if (m.t === 'ack') this.#ack()
        else if (m.t === 'observed') this.#observed(m.results)
        else if (m.t === 'applet') void this.#applet(m).then((r) => worker.postMessage(r))
      }
      worker.onerror = (e) => {
        this.#setup.err(`edgelb: thread ${i + 1}: ${e.message}`)
        resolveReady(`thread ${i + 1}: ${e.message}`)
        resolveDone()
      }
      worker.addEventListener('close', () => { resolveReady(`thread ${i + 1} ended`); resolveDone() })
      const mine = cpus.get(i)
      const init: ThreadInit = { t: 'init', index: i, count: this.count, tables: tableChannel(process.pid), ...(mine === undefined ? {} : { cpus: mine }), files: this.#setup.files, env: { ...this.#setup.env }, allowUnimplemented: this.#setup.allowUnimplemented, buffer: share.buffer, layout: { ...share.layout }, ports, mailbox }
      worker.postMessage(init)
      this.#links.push(link)
    }
    this.done = Promise.all(this.#links.map((l) => l.done)).then(() => {})
    const failures = (await Promise.all(this.#links.map((l) => l.ready))).filter((w) => w !== undefined)
    if (failures.length > 0) {
      this.stop()
      return failures[0]
    }
    return undefined
  }

  /** A reload served in the first thread: the others read the files again, on its new cells. */
  reload(listeners: ListenerSet): void {
    const s = this.#share
    if (s === null) return
    this.#post({ t: 'reload', buffer: s.buffer, layout: { ...s.layout }, ports: [...listeners.sharedPorts()] })
  }

  softStop(): void { this.#post({ t: 'softStop' }) }
  stop(): void { this.#post({ t: 'stop' }) }
  /** SIGTTOU, SIGTTIN: resolves once every other thread has released (taken back) its ports. */
  pause(): Promise<void> { return this.#acked({ t: 'pause' }) }
  resume(): Promise<void> { return this.#acked({ t: 'resume' }) }

  #acked(m: ToThread): Promise<void> {
    const live = this.#links.filter((l) => !l.gone)
    this.#acks?.done()
    if (live.length === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const acks = { left: live.length, done: () => { if (this.#acks === acks) this.#acks = null; resolve() } }
      this.#acks = acks
      for (const l of live) l.worker.postMessage(m)
    })
  }

  /** A runtime API command that changes something: the other threads run it too. */
  forward(line: string): void {
    this.#post({ t: 'cli', line })
  }

  /**
   * Adds what the other threads counted since the last time into the first thread's counters,
   * before the stats are shown. Synchronous: each thread writes its deltas into its mailbox (shared
   * memory) and the first thread waits for them there, up to GATHER_WAIT_MS each.
   */
  gather(engine: Engine): void {
    const live = this.#links.filter((l) => !l.gone)
    for (const l of live) Atomics.store(l.header, 0, 0)
    for (const l of live) l.worker.postMessage({ t: 'counters' } satisfies ToThread)
    const dec = new TextDecoder()
    for (const l of live) {
      if (Atomics.wait(l.header, 0, 0, GATHER_WAIT_MS) === 'timed-out') continue
      if (Atomics.load(l.header, 0) !== 1) continue
      const text = dec.decode(l.data.slice(0, Atomics.load(l.header, 1)))
      mergeCounters(engine, JSON.parse(text) as CounterSet)
    }
  }

  #ack(): void {
    const a = this.#acks
    if (a !== null && --a.left <= 0) a.done()
  }

  /** Server states changed (checks, admin): the other threads are told once this turn ends. */
  #statesSoon(): void {
    if (this.#statesPending || this.#links.length === 0) return
    this.#statesPending = true
    queueMicrotask(() => {
      this.#statesPending = false
      const e = this.#engine?.()
      if (e !== undefined) this.#post({ t: 'states', states: serverStates(e) })
    })
  }

  #post(m: ToThread): void {
    for (const l of this.#links) l.worker.postMessage(m)
  }
}

/** The stick tables' channel of this process's threads. */
function tableChannel(pid: number): string {
  return `edgelb-stick-tables-${pid}`
}

/** Where cli/worker.ts is: beside this file, or in the compiled executable (build.ts gives it as
 *  a second entry point) in the runtime's embedded file system, under the entry points' common
 *  folder (src/). */
function workerEntry(): string {
  const main = process.argv[1] ?? ''
  if (main.startsWith('/$bunfs/')) return '/$bunfs/root/cli/worker.js'
  return new URL('./worker.ts', import.meta.url).href
}

/** A thread's deltas into its mailbox (cli/worker.ts): 1 = written, 2 = too big to fit. */
export function writeMailbox(mailbox: SharedArrayBuffer, deltas: CounterSet): void {
  const header = new Int32Array(mailbox, 0, 2)
  const data = new Uint8Array(mailbox, 8)
  const bytes = new TextEncoder().encode(JSON.stringify(deltas))
  if (bytes.length > data.length) {
    Atomics.store(header, 0, 2)
  } else {
    data.set(bytes)
    Atomics.store(header, 1, bytes.length)
    Atomics.store(header, 0, 1)
  }
  Atomics.notify(header, 0)
}
