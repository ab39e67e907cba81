/**
 * Server-side connections, of both modes, and the idle ones `mode http` keeps for reuse.
 *
 * A connection belongs to at most one session at a time (its `owner`), which receives its
 * events; a connection its owner dropped (closed, aborted, timed out while connecting) reports
 * nothing more, and is closed if it opens late. In `mode http`, between requests a connection
 * that may carry another one is idle: kept by its session (the next request to the same server
 * uses it), or, with `http-reuse safe|always`, put in its server's pool where any session's later
 * request may take it. An idle connection the server closes, or that stays unused for
 * IDLE_TIMEOUT, is closed and forgotten.
 *
 *   connecting --open--> busy (owner set) --request done, reusable--> idle (session or pool)
 *        \--fail--> closed        \--close/error/not reusable--> closed      \--taken--> busy
 */
import type { Server } from '../backend/server.ts'
import { Timer } from '../core/timer-wheel.ts'
import { wheel } from '../core/wheel.ts'
import { clocked, now } from '../core/clock.ts'
import { connect, setBuffers, tlsFacts, type ConnectTarget, type Sock, type SockHandlers, type TlsFacts } from '../net/runtime.ts'

/** `tune.rcvbuf.server` and `tune.sndbuf.server` (bytes; 0: the system's), set by the engine as it
 *  starts: a small receive buffer bounds what one read of a server's brings. */
export const serverBuffers = { rcv: 0, snd: 0 }

/** How long an idle server connection is kept (HAProxy's `pool-purge-delay` default). */
export const IDLE_TIMEOUT = 5000

/** What a connection reports to the session that owns it. */
export interface SrvConnOwner {
  onSrvOpen(c: SrvConn): void
  onSrvConnectFailed(c: SrvConn): void
  onSrvData(c: SrvConn, chunk: Buffer): void
  onSrvDrain(c: SrvConn): void
  onSrvEnd(c: SrvConn): void
  onSrvClose(c: SrvConn, error: Error | undefined): void
}

export class SrvConn {
  sock: Sock<SrvConn> | null = null
  /** Null for `dispatch` and transparent targets. */
  readonly server: Server | null
  owner: SrvConnOwner | null
  state: 'connecting' | 'busy' | 'idle' | 'closed' = 'connecting'
  /** Requests this connection carried before the current one. */
  uses = 0
  /** In the server's shared pool (else idle with its session, or busy). */
  pooled = false
  /** May go to the shared pool when its session is done with it (`http-reuse` is not never). */
  shareable = false
  /** The PROXY protocol header it begins with (`send-proxy`…), null when none; `ppPending` until
   *  its owner queued it ahead of anything else (`takeProxyHeader`, at open). A TLS connection
   *  sends it in clear, before its handshake (the runtime does, `ConnectTarget.preface`): never
   *  pending. */
  ppHeader: Uint8Array | null = null
  #ppPending = false
  /** The idle timer, made when the connection is first parked (a tcp one never is). */
  #timer: Timer | null = null
  /** TLS: the SNI it was opened with, and what its handshake negotiated (null: clear text). */
  sni: string | undefined = undefined
  tls: TlsFacts | null = null

  constructor(server: Server | null, owner: SrvConnOwner) {
    this.server = server
    this.owner = owner
  }

  static open(target: ConnectTarget, server: Server | null, owner: SrvConnOwner, ppHeader: Uint8Array | null = null): SrvConn {
    const c = new SrvConn(server, owner)
    if (ppHeader !== null) {
      c.ppHeader = ppHeader
      if (target.tls !== undefined) target.preface = ppHeader
      else c.#ppPending = true
    }
    connect(target, c, srvConnHandlers)
    return c
  }

  /** The PROXY header still to send, once: the owner puts it before anything else it sends. */
  takeProxyHeader(): Uint8Array | null {
    if (!this.#ppPending) return null
    this.#ppPending = false
    return this.ppHeader
  }

  /** Idle from now on: no owner events; closed after IDLE_TIMEOUT unless taken. The caller
   *  resumes reading first if it had paused it (a close or stray bytes must be seen). */
  park(): void {
    this.state = 'idle'
    this.owner = null
    wheel.schedule((this.#timer ??= new Timer(() => this.close())), now() + IDLE_TIMEOUT)
  }

  /** Busy again, for `owner`. */
  take(owner: SrvConnOwner): void {
    if (this.#timer !== null) wheel.cancel(this.#timer)
    if (this.pooled) removeFromPool(this)
    this.state = 'busy'
    this.owner = owner
    this.uses++
  }

  /** Closes with a FIN. */
  close(): void {
    if (this.#forget()) this.sock?.end()
  }

  /** Closes at once (RST when data is pending): for aborted exchanges. */
  abort(): void {
    if (this.#forget()) this.sock?.terminate()
  }

  /** Leaves every list and timer; false when it was closed already. */
  #forget(): boolean {
    if (this.state === 'closed') return false
    this.state = 'closed'
    this.owner = null
    if (this.#timer !== null) wheel.cancel(this.#timer)
    if (this.pooled) removeFromPool(this)
    return true
  }
}

// --- the shared pools (http-reuse safe|always) ---------------------------------------------------

const pools = new Map<Server, SrvConn[]>()

/** The most idle connections a server's pool keeps: as many as it ever served at once (at least
 *  MIN_POOL). Without a bound, clients that make one request per connection (each first request
 *  opens its own server connection under `http-reuse safe`) would park thousands of connections
 *  nobody takes, as HAProxy bounds its idle connections by its file-descriptor budget. */
const MIN_POOL = 8

/** Puts an idle connection in its server's pool, or closes it when the pool is full (`pool-max-conn`
 *  when the server sets it). */
export function poolIdle(c: SrvConn): void {
  if (!c.server) { c.close(); return }
  let list = pools.get(c.server)
  if (!list) pools.set(c.server, (list = []))
  const max = c.server.cfg.poolMaxConn
  if (list.length >= (max !== undefined && max >= 0 ? max : Math.max(MIN_POOL, c.server.counters.maxCur))) { c.close(); return }
  c.park()
  c.pooled = true
  list.push(c)
}

/** The most recently parked idle connection to `server` (with `minUses`, one that carried more
 *  than that many requests already), taken out of the pool. */
export function takePooled(server: Server, minUses = 0, accept?: (c: SrvConn) => boolean): SrvConn | undefined {
  const list = pools.get(server)
  if (!list) return undefined
  for (let i = list.length - 1; i >= 0; i--) {
    const c = list[i]!
    if (c.uses < minUses || (accept !== undefined && !accept(c))) continue
    list.splice(i, 1)
    c.pooled = false
    return c
  }
  return undefined
}

function removeFromPool(c: SrvConn): void {
  c.pooled = false
  const list = c.server ? pools.get(c.server) : undefined
  if (!list) return
  const i = list.indexOf(c)
  if (i >= 0) list.splice(i, 1)
}

/** Closes the idle connections of these servers (their engine stopped: nothing will take them,
 *  and an open socket would keep the process alive). */
export function closePooled(servers: Iterable<Server>): void {
  for (const s of servers) {
    const list = pools.get(s)
    if (!list) continue
    pools.delete(s)
    for (const c of list) { c.pooled = false; c.close() }
  }
}

/** Idle connections in the shared pools (for stats and tests). */
export function pooledCount(server?: Server): number {
  if (server) return pools.get(server)?.length ?? 0
  let n = 0
  for (const l of pools.values()) n += l.length
  return n
}

// Module-level handlers: one set for every server connection.
const srvConnHandlers: SockHandlers<SrvConn> = {
  open(s) {
    const c = s.data
    if (c.state !== 'connecting' || !c.owner) { s.terminate(); c.state = 'closed'; return }
    c.sock = s
    c.state = 'busy'
    if (serverBuffers.rcv > 0 || serverBuffers.snd > 0) setBuffers(s as Sock<unknown>, serverBuffers.rcv, serverBuffers.snd)
    if (c.server?.tls) c.tls = tlsFacts(s)
    const ka = c.server?.keepAlive ?? null
    if (ka !== null) s.setKeepAlive?.(true, ka)
    c.owner.onSrvOpen(c)
  },
  data: clocked((s, chunk) => {
    const c = s.data
    if (c.owner) c.owner.onSrvData(c, chunk)
    else c.abort() // bytes on an idle connection: the server is out of step; never reuse it
  }),
  drain(s) {
    const c = s.data
    c.owner?.onSrvDrain(c)
  },
  end(s) {
    const c = s.data
    if (c.owner) c.owner.onSrvEnd(c)
    else c.close()
  },
  close(s, error) {
    const c = s.data
    const owner = c.owner
    if (c.state !== 'closed') {
      c.state = 'closed'
      c.owner = null
      if (c.pooled) removeFromPool(c)
    }
    owner?.onSrvClose(c, error)
  },
  error() {},
  connectError(s) {
    const c = s.data
    const owner = c.owner
    if (c.state !== 'connecting') return
    c.state = 'closed'
    c.owner = null
    owner?.onSrvConnectFailed(c)
  },
}
