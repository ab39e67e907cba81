/**
 * The listening sockets of the process, which outlive the configuration that asked for them.
 *
 * Each address is bound once and kept while configurations follow one another (reload): a
 * configuration that binds an address already listening takes that socket over, so the kernel
 * keeps queueing connections across the switch and none is refused; an address it no longer binds
 * is closed; a new one is bound. Sockets handed over at start (systemd's socket activation, a
 * previous edgelb: net/inherited.ts) are taken by `bind fd@N`, `bind systemd@NAME`, or a plain
 * `bind ADDR:PORT` whose address is the one they are bound to.
 *
 * One generation binds at a time, between `begin()` and `commit()` (or `rollback()` when one of
 * its binds fails: what it bound is closed, what it took over goes back to its owner). All of it
 * runs synchronously, so no connection is accepted half-way through a switch.
 *
 *   entry: bound --claimed by the next generation--> bound (new owner)
 *            |  \--not claimed--> closed (an inherited socket: kept, owned by nobody)
 *            `--owner's stop() (SIGTTOU, SIGTERM)--> closed
 */
import { formatListenAddr } from '../model/address.ts'
import type { ListenAddr } from '../model/types.ts'
import { describeSocket, InheritedSockets, type InheritedSocket } from '../net/inherited.ts'
import { listenTarget } from '../net/listen-target.ts'
import { listen, type Listener, type ListenOptions, type ListenTarget, type Sock, type SockHandlers } from '../net/runtime.ts'

/** One socket a `bind` address opened (a named one may open several). */
export interface BoundListener extends Listener {
  /** The address as bound: a `systemd@NAME` resolved to its descriptor. */
  readonly addr: ListenAddr
  /** How it came: '' when bound here, else the inherited socket it took. */
  readonly origin: string
}

interface Entry {
  readonly key: string
  readonly listener: Listener
  readonly port: number
  readonly addr: ListenAddr
  readonly inherited: InheritedSocket | null
  /** The handle of the frontend that accepts on it now; null: nobody (an inherited socket the
   *  running configuration does not use: its connections are closed at once). */
  owner: Handle | null
}

type Accept = (s: Sock<unknown>) => void

/**
 * The listening sockets of one thread of several (`nbthread` > 1). Each thread opens its own
 * socket on every TCP address, with SO_REUSEPORT (the kernel spreads the connections); the first
 * thread binds first (a port 0 gets its number there) and alone serves unix sockets. An inherited
 * TCP socket is shared when it was opened with SO_REUSEPORT (by a previous edgelb handing over at
 * a binary upgrade, or a systemd socket with ReusePort=yes): the other threads try to bind its
 * address too, and leave it to the first thread when the kernel refuses.
 */
export interface ListenerThreads {
  /** For a thread after the first: the first thread's sockets by key (null: served by the first
   *  thread alone); updated at each reload. Absent: the first thread. */
  ports?: ReadonlyMap<string, SharedSocket | null>
}

/** Where another thread binds one of the first thread's TCP sockets. */
export interface SharedSocket {
  host: string
  port: number
  /** An inherited socket: bound if the kernel lets SO_REUSEPORT join it, else left alone. */
  tryOnly: boolean
  /** Its name, for `bind systemd@NAME` (LISTEN_FDNAMES). */
  name?: string
}

class Handle implements BoundListener {
  readonly #set: ListenerSet
  readonly entry: Entry
  readonly accept: Accept

  constructor(set: ListenerSet, entry: Entry, accept: Accept) {
    this.#set = set
    this.entry = entry
    this.accept = accept
  }

  get port(): number { return this.entry.port }
  get addr(): ListenAddr { return this.entry.addr }
  get origin(): string { return this.entry.inherited === null ? '' : describeSocket(this.entry.inherited) }
  get fd(): number | undefined { return this.entry.listener.fd }

  /** Pauses and resumes taking connections (Listener.pause): the socket's, whoever owns it. */
  pause(ready: () => void): boolean {
    return this.entry.listener.pause?.(ready) ?? false
  }

  resume(): void {
    this.entry.listener.resume?.()
  }

  /** Closes the socket, if this handle still owns it (a later generation's may). */
  stop(): void {
    this.#set.release(this)
  }
}

export class ListenerSet {
  readonly inherited: InheritedSockets
  readonly #entries = new Map<string, Entry>()
  /** Descriptors of inherited sockets that were closed (they cannot be taken again). */
  readonly #closedFds = new Set<number>()
  /** The generation binding now: what it took over and what it bound anew. */
  #pending: { claims: Map<Entry, Handle>; fresh: Entry[]; anyPort: number } | null = null
  /** What the last commit() closed and left unused. */
  lastCommit: { closed: string[]; idle: string[] } = { closed: [], idle: [] }

  /** Null: the process has one thread. */
  readonly threads: ListenerThreads | null

  constructor(inherited: InheritedSockets = new InheritedSockets(), threads: ListenerThreads | null = null) {
    this.inherited = inherited
    this.threads = threads
  }

  /** What the other threads bind (ListenerThreads.ports), by key: null for what this thread
   *  serves alone (unix sockets, inherited sockets that are not TCP). */
  sharedPorts(): Map<string, SharedSocket | null> {
    const out = new Map<string, SharedSocket | null>()
    for (const e of this.#entries.values()) {
      const a = e.inherited?.address
      if (a !== undefined) out.set(e.key, a.kind === 'tcp' ? { host: a.host, port: a.port, tryOnly: true, ...(e.inherited!.name !== undefined ? { name: e.inherited!.name } : {}) } : null)
      else if (e.addr.family === 'ipv4' || e.addr.family === 'ipv6') out.set(e.key, { host: listenHost(e.key), port: e.port, tryOnly: false })
      else out.set(e.key, null)
    }
    return out
  }

  /** A generation starts binding. */
  begin(): void {
    if (this.#pending !== null) throw new Error('ListenerSet.begin: a generation is already binding')
    this.#pending = { claims: new Map(), fresh: [], anyPort: 0 }
  }

  /**
   * Opens (or takes over) what `addr` binds, with `handlers` (whose `open` is the frontend's
   * accept; the other handlers must be the module-level client handlers every frontend shares:
   * a socket taken over keeps those it was opened with). Throws an Error naming the address.
   */
  bind<T>(addr: ListenAddr, handlers: SockHandlers<T>, options: ListenOptions = {}): BoundListener[] {
    const p = this.#pending
    if (p === null) throw new Error('ListenerSet.bind: outside begin()/commit()')
    const accept = handlers.open as Accept | undefined
    if (accept === undefined) throw new Error('ListenerSet.bind: handlers without open')
    const out: BoundListener[] = []
    for (const { key, target, addr: resolved, inherited, tryOnly } of this.#targets(addr)) {
      const e = this.#entries.get(key) ?? (inherited === undefined ? undefined : this.#entryOf(inherited))
      if (e !== undefined) {
        if (p.claims.has(e) || (p.fresh.includes(e))) throw new Error(`cannot bind ${formatListenAddr(resolved)}: EADDRINUSE bound twice by the configuration`)
        const h = new Handle(this, e, accept)
        p.claims.set(e, h)
        out.push(h)
        continue
      }
      const taken = inherited ?? (target.kind === 'fd' ? null : this.inherited.matching(target, (s) => this.#isTaken(s)))
      const shared = this.threads !== null && target.kind === 'tcp' && (taken === null || taken === undefined)
      const opts = shared ? { ...options, reusePort: true } : options
      let entry: Entry
      try {
        entry = this.#open(key, taken === null || taken === undefined ? target : { kind: 'fd', fd: taken.fd }, handlers, opts, resolved, taken ?? null)
      } catch (err) {
        if (tryOnly === true) continue // not joinable (no SO_REUSEPORT on it): the first thread's alone
        throw err
      }
      const h = new Handle(this, entry, accept)
      entry.owner = h
      p.fresh.push(entry)
      out.push(h)
    }
    return out
  }

  /** A generation is binding (between begin() and commit() or rollback()). */
  get binding(): boolean {
    return this.#pending !== null
  }

  /** Binds `addr` outside a reload (the runtime API's `enable frontend`): its sockets are opened
   *  and owned at once, nothing else changes. Throws as bind() does, having opened nothing. */
  bindAlone<T>(addr: ListenAddr, handlers: SockHandlers<T>, options: ListenOptions = {}): BoundListener[] {
    this.begin()
    try {
      const out = this.bind(addr, handlers, options)
      for (const [e, h] of this.#pending!.claims) e.owner = h
      this.#pending = null
      return out
    } catch (err) {
      this.rollback()
      throw err
    }
  }

  /** The generation that bound since begin() serves: the sockets it took over are its own now,
   *  those it did not ask for are closed (inherited ones are kept, owned by nobody). Returns the
   *  addresses closed and the inherited sockets left unused. */
  commit(): { closed: string[]; idle: string[] } {
    const p = this.#pending
    if (p === null) throw new Error('ListenerSet.commit: no begin()')
    this.#pending = null
    const closed: string[] = []
    for (const e of [...this.#entries.values()]) {
      if (p.fresh.includes(e)) continue
      const h = p.claims.get(e)
      if (h !== undefined) { e.owner = h; continue }
      if (e.inherited !== null) { e.owner = null; continue }
      closed.push(formatListenAddr(e.addr.family === 'ipv4' || e.addr.family === 'ipv6' ? { ...e.addr, port: e.port } : e.addr))
      this.#close(e)
    }
    this.lastCommit = { closed, idle: this.unusedInherited() }
    return this.lastCommit
  }

  /** The generation that was binding does not serve: what it bound is closed, what it took over
   *  stays with its owner. */
  rollback(): void {
    const p = this.#pending
    if (p === null) return
    this.#pending = null
    for (const e of p.fresh) this.#close(e)
  }

  /** Inherited sockets no `bind` of the serving generation uses, described for a warning. */
  unusedInherited(): string[] {
    const used = new Set<number>()
    for (const e of this.#entries.values()) if (e.inherited !== null && e.owner !== null) used.add(e.inherited.fd)
    return this.inherited.all.filter((s) => !used.has(s.fd) && !this.#closedFds.has(s.fd)).map(describeSocket)
  }

  /** Inherited sockets no entry holds (unused so far), still open: a successor gets them too. */
  idleInherited(): InheritedSocket[] {
    return this.inherited.all.filter((s) => !this.#closedFds.has(s.fd) && this.#entryOf(s) === undefined)
  }

  /** The listening sockets, with their descriptors when the runtime tells them (binary upgrade). */
  sockets(): { fd: number | undefined; addr: ListenAddr; name: string | undefined }[] {
    return [...this.#entries.values()].map((e) => ({ fd: e.listener.fd, addr: e.addr, name: e.inherited?.name }))
  }

  /** @internal Handle.stop */
  release(h: Handle): void {
    const e = h.entry
    if (e.owner !== h) return
    this.#pending?.claims.delete(e)
    this.#close(e)
  }

  #close(e: Entry): void {
    if (this.#entries.get(e.key) !== e) return
    this.#entries.delete(e.key)
    e.owner = null
    if (e.inherited !== null) this.#closedFds.add(e.inherited.fd)
    e.listener.stop()
  }

  #isTaken(s: InheritedSocket): boolean {
    return this.#closedFds.has(s.fd) || this.#entryOf(s) !== undefined
  }

  #entryOf(s: InheritedSocket): Entry | undefined {
    for (const e of this.#entries.values()) if (e.inherited === s) return e
    return undefined
  }

  #open<T>(key: string, target: ListenTarget, handlers: SockHandlers<T>, options: ListenOptions, addr: ListenAddr, inherited: InheritedSocket | null): Entry {
    const entry: { -readonly [K in keyof Entry]: Entry[K] } = { key, listener: null as unknown as Listener, port: 0, addr, inherited, owner: null }
    // Accepts go to the entry's owner of the moment: the one place a socket changes hands.
    const dispatch: SockHandlers<T> = {
      ...handlers,
      open(s) {
        const h = entry.owner
        if (h === null) { s.end(); return }
        h.accept(s as Sock<unknown>)
      },
    }
    const l = listen(target, dispatch, options)
    entry.listener = l
    entry.port = inherited !== null && inherited.address.kind === 'tcp' ? inherited.address.port : l.port
    if (inherited !== null) inherited.used = true
    this.#entries.set(key, entry)
    return entry
  }

  /** What `addr` binds: one target per socket, keyed by what it is bound to. */
  #targets(addr: ListenAddr): { key: string; target: ListenTarget; addr: ListenAddr; inherited?: InheritedSocket; tryOnly?: boolean }[] {
    const ports = this.threads?.ports
    if (ports !== undefined && addr.family === 'fd') {
      // A thread after the first: the address of the first thread's inherited socket, if TCP.
      const out: { key: string; target: ListenTarget; addr: ListenAddr; tryOnly: boolean }[] = []
      for (const [key, s] of ports) {
        if (s === null || !key.startsWith('fd ')) continue
        if (addr.name !== undefined ? s.name === addr.name : key === `fd ${addr.fd}`) out.push({ key, target: { kind: 'tcp', host: s.host, port: s.port }, addr, tryOnly: true })
      }
      return out
    }
    if (addr.family === 'fd' && addr.name !== undefined) {
      const named = this.inherited.byName(addr.name).filter((s) => !this.#closedFds.has(s.fd))
      if (named.length === 0) {
        const names = [...new Set(this.inherited.all.map((s) => s.name).filter((n) => n !== undefined))]
        throw new Error(`cannot bind systemd@${addr.name}: no inherited socket has that name (${names.length > 0 ? `LISTEN_FDNAMES has ${names.join(', ')}` : 'none was passed with a name: is edgelb started by its .socket unit?'})`)
      }
      return named.map((s) => ({ key: `fd ${s.fd}`, target: { kind: 'fd', fd: s.fd }, addr: { family: 'fd', fd: s.fd, name: addr.name! }, inherited: s }))
    }
    const target = listenTarget(addr)
    if (target.kind === 'fd' && ports !== undefined) {
      const s = ports.get(`fd ${target.fd}`)
      return s === undefined || s === null ? [] : [{ key: `fd ${target.fd}`, target: { kind: 'tcp', host: s.host, port: s.port }, addr, tryOnly: true }]
    }
    if (target.kind === 'fd') {
      const s = this.inherited.byFd(target.fd)
      return [{ key: `fd ${target.fd}`, target, addr, ...(s !== undefined ? { inherited: s } : {}) }]
    }
    // Port 0 (any free port, as tests bind): the k-th such bind of a generation is the k-th of
    // the one before, so a configuration read again keeps its ports.
    const key = target.kind === 'unix' ? `unix ${target.path}` : target.port === 0 ? `tcp ${target.host}:0#${this.#pending!.anyPort++}` : `tcp ${target.host}:${target.port}`
    if (ports === undefined) return [{ key, target, addr }]
    // A thread after the first: where the first thread's socket is, or nothing.
    const s = ports.get(key)
    if (target.kind !== 'tcp' || s === undefined || s === null) return []
    return [{ key, target: { kind: 'tcp', host: s.tryOnly ? s.host : target.host, port: s.port }, addr, tryOnly: s.tryOnly }]
  }
}

/** The host of a `tcp HOST:PORT[#N]` key. */
function listenHost(key: string): string {
  const hp = key.slice(4).replace(/#\d+$/, '')
  return hp.slice(0, hp.lastIndexOf(':'))
}
