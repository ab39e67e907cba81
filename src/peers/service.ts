/**
 * A `peers` section at run time: the local peer's listener, a link to each remote peer (one
 * connection at a time, either direction), the shared tables, and the process's resync state.
 *
 *   links: connect at start, reconnect after a close with a backoff (0.1 s doubling to 5 s, plus
 *          up to 0.5 s at random so two peers do not keep colliding); a hello from a peer that
 *          already has a connection replaces it (the last connected wins, doc/peers.txt).
 *   resync: a process that starts asks one connected peer for a full resync (control 0); the
 *          peer teaches every entry, then says finished (1) or partial (2: it was not resynced
 *          itself); on partial, on a close mid-resync, another peer (or the same, later) is
 *          asked. Alone for 5 s, a process considers itself resynced with what it has.
 *
 *   handover: a process that stops softly (SIGUSR1, or the old one of a binary upgrade) closes
 *          its listener and connects to its own address, where the process that replaces it
 *          listens too (SO_REUSEPORT), as its own local peer; it teaches every entry, remote
 *          ones included, and waits for the confirmation (5 s at most) before it stops: the
 *          tables go on in the new process, as HAProxy's old process teaches the new one.
 *
 * The timers here are the runtime's (a handful per section, not per client connection): the
 * service outlives the engine generations a reload replaces, and the wheel's driver with them.
 */
import { now } from '../core/clock.ts'
import { holdWheelDriver } from '../core/wheel.ts'
import { connect, listen, runtimeName, type Listener, type ListenTarget, type Sock, type SockHandlers } from '../net/runtime.ts'
import { PEER_TIMEOUTS, PeerSession, type PeerTimeouts } from './session.ts'
import { SyncedTable } from './table-sync.ts'
import type { StickTable } from '../rules/stick-table.ts'
import type { StickTableConfig } from '../model/types.ts'

/** A table the section shares: its name on the wire, the table, how it was declared. */
export interface SharedTable {
  name: string
  table: StickTable
  cfg: Pick<StickTableConfig, 'type' | 'len'>
}

export interface PeerAddress {
  name: string
  host: string
  port: number
}

/** A remote peer (or the local one, for the next process on a reload). */
export class PeerLink {
  readonly name: string
  readonly host: string
  /** Its port (tests on port 0 set it once the other side listens). */
  port: number
  /** The local peer: it is taught remote writes too. */
  readonly local: boolean
  session: PeerSession | null = null
  /** Last update id it acknowledged, per table (kept across its connections). */
  readonly acked = new Map<SyncedTable, number>()
  failures = 0
  timer: ReturnType<typeof setTimeout> | undefined
  /** When it last answered a resync request with "partial". */
  partialAt = -Infinity
  /** It taught this process what it had (finished or partial) since the process started. */
  taughtUs = false

  constructor(a: PeerAddress, local: boolean) {
    this.name = a.name
    this.host = a.host
    this.port = a.port
    this.local = local
  }
}

export interface PeersStatus {
  section: string
  local: string
  port: number
  resynced: boolean
  peers: { name: string; addr: string; state: string; direction: string; learning: boolean; tables: { name: string; update: number; acked: number }[] }[]
}

export interface PeersServiceOptions {
  /** Where peer events are logged (a line without a newline). */
  log(line: string): void
  /** ms alone before a starting process considers itself resynced (default 5000). */
  aloneMs?: number
  /** Heartbeat, dead peer and handshake delays (default HAProxy's: PEER_TIMEOUTS). */
  timeouts?: PeerTimeouts
}

const RESYNC_RETRY_MS = 1000
const ALONE_MS = 5000

/** The listener's handlers, one set per service: an accepted socket becomes a session at once. */
function acceptHandlers(svc: PeersService): SockHandlers<PeerSession> {
  return {
    open(s) { s.data = new PeerSession(svc, s, null); svc.accepted(s.data) },
    data(s, chunk) { s.data.onData(chunk) },
    drain(s) { s.data.onDrain() },
    end(s) { s.end() },
    close(s) { s.data?.onClose() },
  }
}

interface Dialing { link: PeerLink; svc: PeersService; sess: PeerSession | null }
const dialHandlers: SockHandlers<Dialing> = {
  open(s) {
    const d = s.data
    if (d.svc.stopped || d.link.session !== null) { s.end(); return }
    const sess = new PeerSession(d.svc, s as unknown as Sock<PeerSession>, d.link)
    d.sess = sess
    d.link.session = sess
  },
  data(s, chunk) { s.data.sess?.onData(chunk) },
  drain(s) { s.data.sess?.onDrain() },
  end(s) { s.end() },
  close(s) { const d = s.data; if (d.sess) d.sess.onClose(); else d.svc.dialFailed(d.link, 'closed') },
  connectError(s, e) { s.data.svc.dialFailed(s.data.link, e.message) },
}

export class PeersService {
  readonly section: string
  readonly localName: string
  readonly tables: SyncedTable[]
  readonly links: PeerLink[]
  readonly timeouts: PeerTimeouts
  /** This process holds what its peers hold (resync finished, or nobody to learn from). */
  resynced = false
  stopped = false
  readonly #byName = new Map<string, SyncedTable>()
  readonly #bind: ListenTarget | null
  readonly #log: (line: string) => void
  readonly #aloneMs: number
  #listener: Listener | null = null
  #accepted = new Set<PeerSession>()
  #learner: PeerSession | null = null
  #startedAt = 0
  #resyncTimer: ReturnType<typeof setTimeout> | undefined
  /** Keeps the timer wheel (the sessions' deadlines) driven while the service runs. */
  #releaseWheel: (() => void) | null = null
  #wakeQueued = false
  #waiters: (() => void)[] = []
  /** This process under its own name: the previous or the next process on a handover. */
  readonly #localLink: PeerLink
  #handover: Promise<void> | null = null
  #handoverEnd: ((why: string) => void) | null = null

  constructor(o: { section: string; localName: string; bind: ListenTarget | null; peers: PeerAddress[]; tables: SharedTable[] } & PeersServiceOptions) {
    this.section = o.section
    this.localName = o.localName
    this.#bind = o.bind
    this.tables = o.tables.map((t, i) => new SyncedTable(t, { localId: i + 1, changed: () => this.wake() }))
    for (const t of this.tables) this.#byName.set(t.name, t)
    this.links = o.peers.map((p) => new PeerLink(p, false))
    this.#log = o.log
    this.#aloneMs = o.aloneMs ?? ALONE_MS
    this.timeouts = o.timeouts ?? PEER_TIMEOUTS
    const b = o.bind
    this.#localLink = new PeerLink({ name: o.localName, host: b?.kind === 'tcp' && b.host !== '0.0.0.0' && b.host !== '::' ? b.host : '127.0.0.1', port: b?.kind === 'tcp' ? b.port : 0 }, true)
  }

  /** Whether `plan` is what this service runs (a reload that changed nothing of the section). */
  matches(plan: { section: string; localName: string; bind: ListenTarget | null; peers: PeerAddress[]; tables: SharedTable[] }): boolean {
    const b = this.#bind
    const sameBind = JSON.stringify(b) === JSON.stringify(plan.bind)
    return plan.section === this.section && plan.localName === this.localName && sameBind &&
      plan.peers.length === this.links.length && plan.peers.every((p, i) => { const l = this.links[i]!; return l.name === p.name && l.host === p.host && l.port === p.port }) &&
      plan.tables.length === this.tables.length && plan.tables.every((t, i) => this.tables[i]!.name === t.name && this.tables[i]!.table === t.table)
  }

  /** The port the local peer listens on (0 without a listener). */
  get port(): number {
    return this.#listener?.port ?? 0
  }

  table(name: string): SyncedTable | undefined {
    return this.#byName.get(name)
  }

  knows(name: string): boolean {
    return this.links.some((l) => l.name === name) || name === this.localName
  }

  log(line: string): void {
    this.#log(`peers ${this.section}: ${line}`)
  }

  /** Listens (throws when the bind fails) and connects to every remote peer. */
  start(): void {
    this.listen()
    this.dialAll()
  }

  /** The first half of `start`: the local peer's listener. */
  listen(): void {
    this.#releaseWheel ??= holdWheelDriver()
    if (this.#bind !== null && this.#listener === null) {
      // Shared with the process that replaces this one on a binary upgrade (see `handover`); Deno
      // has SO_REUSEPORT only behind --unstable-net (and no binary upgrade): a plain listener there.
      this.#listener = listen<PeerSession>(this.#bind, acceptHandlers(this), { reusePort: runtimeName !== 'deno' })
      if (this.#localLink.port === 0) this.#localLink.port = this.#listener.port
    }
  }

  /** The second half of `start`: connections to every remote peer; the resync clock starts. */
  dialAll(): void {
    this.#releaseWheel ??= holdWheelDriver()
    this.#startedAt = now()
    if (this.links.length === 0) this.resynced = true
    for (const l of this.links) this.#dial(l)
    this.#scheduleResync(this.#aloneMs)
  }

  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.#listener?.stop()
    this.#listener = null
    if (this.#resyncTimer !== undefined) clearTimeout(this.#resyncTimer)
    for (const l of this.links) { if (l.timer !== undefined) clearTimeout(l.timer); l.session?.close() }
    for (const s of [...this.#accepted]) s.close()
    for (const t of this.tables) t.close()
    this.#releaseWheel?.()
    this.#releaseWheel = null
  }

  // --- connections -------------------------------------------------------------------------------

  #dial(l: PeerLink): void {
    l.timer = undefined
    if (this.stopped || l.session !== null) return
    if (l.host === '') return // no address: linked only when it connects
    const d: Dialing = { link: l, svc: this, sess: null }
    try {
      connect<Dialing>({ host: l.host, port: l.port }, d, dialHandlers)
    } catch (e) {
      this.dialFailed(l, (e as Error).message)
    }
  }

  dialFailed(l: PeerLink, why: string): void {
    if (l.local) { this.#handoverEnd?.('nobody'); return }
    if (l.failures === 0) this.log(`peer ${l.name}: cannot connect to ${l.host}:${l.port} (${why}); retrying`)
    l.failures++
    this.#redial(l)
  }

  #redial(l: PeerLink): void {
    if (this.stopped || l.timer !== undefined || l.session !== null) return
    const delay = Math.min(5000, 100 * 2 ** Math.min(l.failures, 6)) + Math.random() * 500
    l.timer = setTimeout(() => this.#dial(l), delay)
    ;(l.timer as { unref?(): void }).unref?.()
  }

  accepted(s: PeerSession): void {
    if (this.stopped) { s.close(); return }
    this.#accepted.add(s)
  }

  /** A hello from `name` was accepted on `s`: it becomes that peer's connection, replacing any
   *  other (the last connected wins), or the status to refuse it with. Both sides connecting at
   *  once: the connection opened by the peer whose name sorts last is kept (the other side,
   *  edgelb, decides the same; HAProxy has already kept ours when it sees its own refused). */
  adopt(s: PeerSession, name: string): PeerLink | number {
    this.#accepted.delete(s)
    const l = name === this.localName ? this.#localLink : this.links.find((x) => x.name === name)
    if (l === undefined) return 504
    const old = l.session
    if (old !== null && old.outgoing && old.state === 'wait-status' && this.localName > name) return 300
    l.session = s
    if (old !== null && old !== s) old.close()
    if (l.timer !== undefined) { clearTimeout(l.timer); l.timer = undefined }
    return l
  }

  sessionOpened(s: PeerSession): void {
    const l = s.link!
    if (l.local) {
      this.log(s.outgoing ? 'handing the tables over to the next process' : 'the previous process is handing its tables over')
      return
    }
    l.failures = 0
    this.log(`peer ${l.name}: connected (${s.outgoing ? 'outgoing' : 'incoming'})`)
    this.#notify()
    this.#assignLearner()
  }

  sessionClosed(s: PeerSession): void {
    this.#accepted.delete(s)
    const l = s.link
    if (this.#learner === s) {
      this.#learner = null
      this.log(`peer ${l?.name ?? '?'}: closed during a resync; asking another peer`)
      this.#scheduleResync(0)
    }
    if (l?.local === true && s.outgoing) this.#handoverEnd?.('the next process closed the connection')
    if (l !== null && l.session === s) {
      l.session = null
      if (l.local) { this.#notify(); return }
      if (!s.outgoing) l.failures = 0
      this.#redial(l)
    }
    this.#notify()
  }

  // --- resync ----------------------------------------------------------------------------------

  #assignLearner(): void {
    if (this.resynced || this.#learner !== null || this.stopped) return
    const t = now()
    const open = this.links.filter((l) => l.session?.state === 'open')
    const pick = open.find((l) => t - l.partialAt >= RESYNC_RETRY_MS) ?? null
    if (pick === null) return
    this.#learner = pick.session
    this.log(`peer ${pick.name}: asking for a full resync`)
    pick.session!.requestResync()
  }

  learned(s: PeerSession, finished: boolean): void {
    if (s.link?.local === true) {
      if (finished) this.#resyncDone('from the previous process')
      else this.log('taught by the previous process, which was not resynced itself: the remote peers are asked too')
      return
    }
    if (this.#learner !== s) return
    this.#learner = null
    s.link!.taughtUs = true
    if (finished) { this.#resyncDone(`from peer ${s.link!.name}`); return }
    s.link!.partialAt = now()
    this.log(`peer ${s.link!.name}: partial resync (it is not resynced itself)`)
    // Every peer taught what it had: nobody holds more than this process now.
    if (this.links.every((l) => l.taughtUs)) { this.#resyncDone('from every peer (each partial)'); return }
    if (now() - this.#startedAt >= this.#aloneMs) { this.#resyncDone('as far as the peers could: none had a full copy'); return }
    this.#assignLearner()
    this.#scheduleResync(RESYNC_RETRY_MS)
  }

  taught(s: PeerSession): void {
    if (s.link?.local === true && s.outgoing) { this.#handoverEnd?.('taught'); s.close() }
    this.#notify()
  }

  /**
   * Hands the tables over to the process that replaces this one (see the header); resolves when
   * it confirmed, when nobody listens in its place, or after 5 s. Stops listening first.
   */
  handover(): Promise<void> {
    if (this.#handover !== null) return this.#handover
    if (this.stopped || this.#bind === null || this.#localLink.port === 0) return Promise.resolve()
    this.#listener?.stop()
    this.#listener = null
    this.#handover = new Promise<void>((resolve) => {
      const timer = setTimeout(() => end('timed out'), 5000)
      const end = (why: string): void => {
        if (this.#handoverEnd === null) return
        this.#handoverEnd = null
        clearTimeout(timer)
        if (why === 'taught') this.log('tables handed over to the next process')
        else if (why !== 'nobody') this.log(`handover to the next process: ${why}`)
        resolve()
      }
      this.#handoverEnd = end
      this.#dial(this.#localLink)
    })
    return this.#handover
  }

  #resyncDone(how: string): void {
    if (this.resynced) return
    this.resynced = true
    if (this.#resyncTimer !== undefined) clearTimeout(this.#resyncTimer)
    this.log(`resynced ${how} in ${Math.round(now() - this.#startedAt)} ms`)
    this.#notify()
  }

  #scheduleResync(ms: number): void {
    if (this.resynced || this.stopped) return
    if (this.#resyncTimer !== undefined) clearTimeout(this.#resyncTimer)
    this.#resyncTimer = setTimeout(() => {
      this.#resyncTimer = undefined
      if (this.resynced) return
      const open = this.links.some((l) => l.session?.state === 'open')
      if (this.#learner === null && now() - this.#startedAt >= this.#aloneMs) { this.#resyncDone(open ? 'as far as the peers could: none had a full copy' : 'alone: no peer connected'); return }
      this.#assignLearner()
      this.#scheduleResync(this.#learner === null ? RESYNC_RETRY_MS : this.#aloneMs)
    }, ms)
    ;(this.#resyncTimer as { unref?(): void }).unref?.()
  }

  // --- updates ---------------------------------------------------------------------------------

  /** A table changed: every open connection sends what is new, once per turn. */
  wake(): void {
    if (this.#wakeQueued || this.stopped) return
    this.#wakeQueued = true
    setImmediate(() => {
      this.#wakeQueued = false
      for (const l of this.links) if (l.session?.state === 'open') l.session.pump()
    })
  }

  /** Resolves when `check()` holds, re-checked on connection and resync events (tests, bench). */
  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve()
    return new Promise((resolve) => {
      const w = (): void => { if (check()) { this.#waiters = this.#waiters.filter((x) => x !== w); resolve() } }
      this.#waiters.push(w)
    })
  }

  #notify(): void {
    for (const w of [...this.#waiters]) w()
  }

  /** The connected peers, for `show peers` and the stats (ConnectedPeers). */
  get connected(): number {
    return this.links.filter((l) => l.session?.state === 'open').length
  }

  /** Peer connections open or in their handshake (ActivePeers). */
  get active(): number {
    return this.links.filter((l) => l.session !== null).length + this.#accepted.size
  }

  /** What `show peers` prints of this section. */
  status(): PeersStatus {
    return {
      section: this.section, local: this.localName, port: this.port, resynced: this.resynced,
      peers: this.links.map((l) => ({
        name: l.name, addr: `${l.host}:${l.port}`,
        state: l.session === null ? 'none' : l.session.state === 'open' ? 'established' : 'handshake',
        direction: l.session === null ? '' : l.session.outgoing ? 'outgoing' : 'incoming',
        learning: l.session?.learning === true,
        tables: this.tables.map((t) => ({ name: t.name, update: t.update, acked: l.acked.get(t) ?? 0 })),
      })),
    }
  }
}
