/**
 * The server side of an exchange, one for both modes: of a `mode tcp` session, of each request
 * of a `mode http` session. HAProxy's back-end connection states, as edgelb has them:
 *
 *   assign --a server with a free slot--> connect --open--> (the session's data phase)
 *     |  \--every server full--> queued --grant--> connect
 *     |   \--its queue full: RC            \--queue timeout: sQ
 *     `--no usable server: SC (with `dispatch`: connect to that address)
 *   connect --refused, or connect timeout--> retry on the same server, or (option redispatch)
 *     assign again, avoiding it; no retries left: SC (refused) or sC (timed out)
 *   (http) sent, then a failure `retry-on` lists (http/l7-retry.ts) --> the same retry
 *
 * What an exchange keeps of it is a `SrvSide` (the tcp session itself, the http stream); what
 * differs by mode (the balance key, how a connection is opened or reused, how a refusal is
 * answered) the session supplies as a `ServerSession`. Functions, not methods, so that both
 * session classes share them without a common ancestor beyond ClientSide.
 */
import type { HashKey } from '../balance/types.ts'
import type { AssignOptions, Backend } from '../backend/backend.ts'
import type { Waiter } from '../backend/queue.ts'
import type { Server } from '../backend/server.ts'
import { now } from '../core/clock.ts'
import type { PpFlag } from '../model/types.ts'
import type { ConnectTarget, Sock } from '../net/runtime.ts'
import type { StreamView } from '../rules/types.ts'
import { openH2, speaksH2 } from './h2/back.ts'
import { SrvConn, type SrvConnOwner } from './srv-conn.ts'
import type { PhaseTimes, TermCause, TermPhase } from './termination.ts'

/** What an exchange keeps of its server side. Times are monotonic ms, -1 until they happen. */
export interface SrvSide extends PhaseTimes {
  /** The backend it entered (`Backend.enter`), null before (or when none was found). */
  be: Backend | null
  /** The server it goes to; null before assignment, and for `dispatch`. */
  server: Server | null
  /** `server`'s slot is counted (by assign, or a grant) and must be released. */
  holdsSlot: boolean
  /** The server persistence chose (cookie, use-server, stick match): preferred, even when down
   *  (forced) if it is in no maintenance. */
  persisted: Server | undefined
  retriesLeft: number
  retries: number
  /** A retry went to another server (`option redispatch`). */
  redispatched: boolean
}

/** What the server side needs of the session that owns the exchange. */
export interface ServerSession extends Waiter, SrvConnOwner {
  readonly cli: Sock<unknown>
  /** The address and port the client connected to, as rules left them (`set-dst`), else a PROXY
   *  header's when it relayed one: a server without an address (without a port) gets it, and
   *  `option transparent` connects there. */
  readonly dstAddr: string
  readonly dstPort: number
  /** The PROXY header for a new connection to a server with these `send-proxy` flags. */
  proxyHeaderFor(flags: readonly PpFlag[]): Uint8Array
  /** The current server connection (connecting or open), null when none. */
  srv: SrvConn | null
  queueExp: number
  connExp: number
  /** Waiting in a queue (a grant is for it; otherwise the slot is handed back). */
  readonly inQueue: boolean
  /** The key the backend's balance algorithm hashes, undefined when it hashes none. */
  balanceKey(be: Backend): HashKey | undefined
  /** Entered a queue: `queueExp` is set, the session marks its state and reschedules. */
  srvQueued(): void
  /** Connect to `server` (null: the backend's dispatch address): a new connection through
   *  `openServer`, or one the session may reuse. */
  srvConnect(): void
  /** No server for this exchange: it ends with this termination (tcp closes, http answers 503). */
  srvRefused(by: TermCause, phase: TermPhase): void
  /** The exchange as rules see it (a server's `sni` expression reads it). */
  srvStream?(): StreamView
}

/** The starting values of a `SrvSide` for an exchange entering `be`. */
export function enterBackend(st: SrvSide, be: Backend): void {
  be.enter()
  st.be = be
  st.retriesLeft = be.cfg.retries
}

/** Finds a server for the exchange (avoiding `avoid`, the one that just failed), and connects,
 *  queues, or refuses. */
export function assignServer(sess: ServerSession, st: SrvSide, avoid: Server | undefined): void {
  const be = st.be!
  const hashKey = sess.balanceKey(be)
  // Options only when there is something to say: most exchanges have none.
  let opts: AssignOptions | undefined
  const persisted = st.persisted
  if (avoid || persisted || hashKey !== undefined) {
    opts = {}
    if (avoid) opts.avoid = avoid
    else if (persisted) {
      opts.prefer = persisted
      if (!persisted.usable) opts.force = true
    }
    if (hashKey !== undefined) opts.hashKey = hashKey
  }
  const r = be.assign(sess, opts)
  switch (r.kind) {
    case 'server':
      st.server = r.server
      st.holdsSlot = true
      sess.srvConnect()
      return
    case 'queued': {
      st.queueStart = now()
      const t = be.cfg.timeouts.queue ?? be.cfg.timeouts.connect
      sess.queueExp = t === undefined ? Infinity : st.queueStart + t
      sess.srvQueued()
      return
    }
    case 'queue-full':
    case 'none':
      if ((be.dispatch || be.cfg.options['transparent'] === true) && r.kind === 'none') { sess.srvConnect(); return }
      sess.srvRefused(r.kind === 'none' ? 'S' : 'R', 'C')
      return
  }
}

/** A queue granted the exchange a slot on `server` (counted already): connect to it. A grant
 *  that comes too late (the exchange left its queue) gives the slot back. */
export function grantServer(sess: ServerSession, st: SrvSide, server: Server): void {
  if (!sess.inQueue || st.be === null) { st.be?.release(server); return }
  sess.queueExp = Infinity
  st.queueEnd = now()
  st.server = server
  st.holdsSlot = true
  sess.srvConnect()
}

/** Opens a new connection to the exchange's server (or the dispatch address), from the address
 *  the backend says, under `timeout connect`. */
export function openServer(sess: ServerSession, st: SrvSide): SrvConn {
  const be = st.be!
  const t = be.cfg.timeouts.connect
  sess.connExp = t === undefined ? Infinity : st.connectStart + t
  be.counters.connects++
  if (st.server !== null) st.server.counters.connects++
  const server = st.server
  const target = connectTarget(sess, st)
  let sni: string | undefined
  if (server?.cfg.ssl) {
    // Built at load with the server; never clear text where TLS was asked for.
    if (server.tls === null) throw new Error(`server '${server.name}': 'ssl' without its TLS settings built`)
    target.tls = server.tls
    sni = server.sni === null ? undefined : server.sni(sess.srvStream!())
    if (sni !== undefined) target.serverName = sni
  }
  const flags = server?.cfg.sendProxy
  // HTTP/2 servers: a handle on a shared, multiplexed connection (h2/back.ts).
  const pp = flags === undefined ? null : sess.proxyHeaderFor(flags)
  const c = speaksH2(server) ? openH2(target, server!, sess, pp) : SrvConn.open(target, server, sess, pp)
  c.sni = sni
  sess.srv = c
  return c
}

/** Where a new connection of the exchange goes: its server, the backend's `dispatch` address,
 *  or with `option transparent` (and no server) the address the client connected to. */
export function connectTarget(sess: ServerSession, st: SrvSide): ConnectTarget {
  const be = st.be!
  if (st.server === null && be.dispatch === undefined && be.cfg.options['transparent'] === true) {
    const source = be.cfg.source
    return source === undefined ? { host: sess.dstAddr, port: sess.dstPort } : { host: sess.dstAddr, port: sess.dstPort, localAddress: source }
  }
  return be.targetOf(st.server, sess)
}

/** The connection attempt failed (`timedOut`: `timeout connect` ran out): retry on the same
 *  server, or on another one when `option redispatch` says so, or give up. In `mode http`,
 *  `retry-on` must list conn-failure (its default) for a retry. */
export function connectFailed(sess: ServerSession, st: SrvSide, timedOut: boolean): void {
  const be = st.be!
  be.connectFailed(st.server)
  if ((be.cfg.mode !== 'http' || be.cfg.retryOn.connFailure) && retryExchange(sess, st)) return
  sess.srvRefused(timedOut ? 's' : 'S', 'C')
}

/** Sends the exchange to a server again after a failure, while `retries` remain: to the same
 *  server, or on `option redispatch`'s turn to another one (assigned again, avoiding it). False
 *  when no retry is left (or there was no server: `dispatch`). */
export function retryExchange(sess: ServerSession, st: SrvSide): boolean {
  const be = st.be!
  const server = st.server
  if (st.retriesLeft <= 0 || !server) return false
  st.retriesLeft--
  st.retries++
  if (be.retry(server, st.retries)) {
    st.redispatched = true
    st.server = null
    st.holdsSlot = false
    st.persisted = undefined
    assignServer(sess, st, server)
  } else sess.srvConnect()
  return true
}

/** `timeout connect` ran out: the attempt is dropped and counts as failed. */
export function connectTimedOut(sess: ServerSession, st: SrvSide): void {
  sess.connExp = Infinity
  const c = sess.srv
  sess.srv = null
  c?.abort()
  connectFailed(sess, st, true)
}

/** `timeout queue` (else `timeout connect`) ran out in a queue: sQ. */
export function queueTimedOut(sess: ServerSession, st: SrvSide): void {
  sess.queueExp = Infinity
  leaveQueue(sess, st)
  sess.srvRefused('s', 'Q')
}

/** The exchange leaves the queue it waits in (its client left, or the session ends). */
export function leaveQueue(sess: ServerSession, st: SrvSide): void {
  st.be?.unqueue(sess)
  st.queueEnd = now()
}

/** The exchange is over for its backend: its bytes counted on the backend and the server, the
 *  backend left (before the slot is released, so that a lowered dynamic limit applies to the
 *  queue the slot serves), the slot handed to the next waiter. Once per `enterBackend`. */
export function leaveBackend(st: SrvSide, bytesIn: number, bytesOut: number): void {
  const be = st.be
  if (be === null) return
  const server = st.server
  if (server) {
    server.counters.bytesIn += bytesIn
    server.counters.bytesOut += bytesOut
  }
  be.counters.bytesIn += bytesIn
  be.counters.bytesOut += bytesOut
  be.leave()
  if (server && st.holdsSlot) { st.holdsSlot = false; be.release(server) }
}
