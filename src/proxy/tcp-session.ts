/**
 * A `mode tcp` session: one client connection relayed to one server connection.
 *
 *   accepted --assign--> [queued Q] --grant--> connecting C --open--> data D --FIN both ways--> closed
 *                 \-- no server: closed SC        \-- refused/timeout: retry (redispatch on the last)
 *
 * The server side (assign, queue, connect, retries) is server-side.ts's, shared with `mode http`;
 * the log line, written when the session ends, is traffic-log.ts's.
 *
 * Bytes move as received: each Buffer is handed to the other socket; what the kernel does not take
 * waits in a ByteQueue and the reading side is paused until `drain` (so a slow reader never grows
 * the proxy's memory). A FIN from one side becomes a shutdown of writing on the other side once
 * its queue is flushed. One Timer per session carries the earliest of its deadlines.
 */
import type { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import { ByteQueue, CLOSED, FLUSHED } from '../core/byte-queue.ts'
import { now } from '../core/clock.ts'
import { Timer } from '../core/timer-wheel.ts'
import { wheel } from '../core/wheel.ts'
import { canReadInto, closePipe, openPipe, readInto, splice, type Pipe, type Sock, type TlsFacts } from '../net/runtime.ts'
import type { Frontend } from './frontend.ts'
import type { HashKey } from '../balance/types.ts'
import type { TermCause, TermPhase, Termination } from './termination.ts'
import { ClientSide } from './client-side.ts'
import { uniqueIdOf } from './unique-id.ts'
import { assignServer, connectFailed, connectTimedOut, enterBackend, grantServer, leaveBackend, leaveQueue, openServer, queueTimedOut, type ServerSession, type SrvSide } from './server-side.ts'
import type { SrvConn } from './srv-conn.ts'
import { nextTurn, PULLS_MAX, type Puller } from './pull.ts'
import { countBytes } from '../rules/tracking.ts'
import type { LogFields, Sample, SessionView, StreamView } from '../rules/types.ts'
import type { StickEntry } from '../rules/stick-table.ts'

/** The session's content as `tcp-request content` rules see it (tcp mode has one "stream"). */
class ContentStream implements StreamView {
  log?: LogFields
  logLevel?: string
  readonly sess: SessionView
  readonly req = null
  readonly res = null
  payload: Uint8Array | null = null
  payloadFinal = false
  resPayload: Uint8Array | null = null
  resPayloadFinal = true
  beName = ''
  srvName = ''
  tcpRuleAt: number | undefined = undefined
  /** The session's unique id (`unique-id-format`), once made (unique-id.ts). */
  uniqueId: string | undefined = undefined
  readonly vars = new Map<string, Sample>()
  /** What TLS negotiated with the server (`ssl_bc*`). */
  srvTls: TlsFacts | null = null
  /** In tcp mode the stream is the session: what content rules track lives as long as it. */
  readonly sc: (StickEntry | undefined)[]
  constructor(sess: SessionView) {
    this.sess = sess
    this.sc = sess.sc
  }
}

type Phase = 'new' | 'Q' | 'C' | 'D' | 'closed'

/** Bytes one splice moves at most (a pipe's default capacity). */
const SPLICE_MAX = 65536

/** Bytes a client may send before its server connection is up before it is paused. */
const EARLY_DATA_LIMIT = 64 * 1024

/** The session is its own exchange: it keeps its server side (`SrvSide`) itself. */
export class TcpSession extends ClientSide implements ServerSession, SrvSide, Puller {
  /** Reading from the server is paused (by us). */
  #srvPaused = false
  be: Backend | null = null
  /** The server connection: connecting (no `sock` yet), then open. */
  srv: SrvConn | null = null
  server: Server | null = null
  holdsSlot = false
  /** Persistence is http's: never set in tcp mode. */
  persisted: Server | undefined = undefined
  phase: Phase = 'new'

  readonly toCli = new ByteQueue()
  readonly toSrv = new ByteQueue()
  /** The peer sent FIN. */
  cliEof = false
  srvEof = false
  /** We sent FIN to the peer. */
  cliShut = false
  srvShut = false
  /** The server connection closed (cleanly); client bytes for it are dropped from then on. */
  srvGone = false

  /** Deadlines (monotonic ms; Infinity = none). The timer holds the earliest. */
  cliExp = Infinity
  srvExp = Infinity
  connExp = Infinity
  queueExp = Infinity
  readonly #timer: Timer

  retriesLeft = 0
  retries = 0
  redispatched = false
  bytesIn = 0
  bytesOut = 0
  queueStart = -1
  /** When it left the queue (granted a slot, timed out, or aborted); -1 if never queued. */
  queueEnd = -1
  connectStart = -1
  connectEnd = -1
  termination: Termination | null = null
  /** The pull path's buffers (a `tune.bufsize` each, made on first use), whether a pull loop
   *  runs, and whether one waits for its next turn (pull.ts). */
  #srvBuf: Buffer | null = null
  #cliBuf: Buffer | null = null
  #pullingSrv = false
  #pullingCli = false
  #srvTurn = false
  #cliTurn = false
  /** `option splice-response` / `splice-request` (or `splice-auto`, both), on the frontend or the
   *  backend: the pull path moves the bytes through a kernel pipe (opened on first use) instead
   *  of reading them; null while none is open. */
  #spliceToCli = false
  #spliceToSrv = false
  /** A side that did not take a write whole: from then on the other side is read a buffer at a
   *  time (the pull path), so what waits for it stays bounded. While both keep up, the
   *  runtime's own reads are cheaper (measured: bench/suite.ts, tcp keep-alive). */
  #cliSlow = false
  #srvSlow = false
  #srvPipe: Pipe | null = null
  #cliPipe: Pipe | null = null

  constructor(fe: Frontend, cli: Sock<TcpSession>) {
    super(fe, cli)
    this.#timer = new Timer(() => this.#onTimer())
  }

  #pauseSrv(): void {
    const sock = this.srv?.sock
    if (this.#srvPaused || !sock) return
    this.#srvPaused = true
    sock.pause()
  }

  #resumeSrv(): void {
    const sock = this.srv?.sock
    if (!this.#srvPaused || !sock) return
    this.#srvPaused = false
    sock.resume()
  }

  /** Starts the session: picks a server (or queues). Bytes the client sends before the server
   *  connection is up wait in `toSrv`; the client is paused only past EARLY_DATA_LIMIT (pausing
   *  and resuming each cost the runtime several system calls, which most sessions never need). */
  start(be: Backend | null): void {
    const rules = this.fe.rules
    if (rules !== null && (rules.has.tcpContent || rules.has.switching)) {
      // Content inspection: hold the first bytes until `tcp-request content` decides (or the
      // inspect delay runs out), then choose the backend by content.
      this.#inspect = { stream: new ContentStream(this.view), payload: null, exp: now() + rules.inspectDelay, fallback: be }
      this.#refreshCli()
      this.#inspectNow()
      return
    }
    this.#startOn(be)
  }

  /** Content inspection state (null once decided, or when the frontend has no content rules). */
  #inspect: { stream: ContentStream; payload: Uint8Array | null; exp: number; fallback: Backend | null } | null = null
  #logStream: ContentStream | null = null
  /** `tcp-response content` inspection: the server's first bytes held until the backend's rules
   *  decide (or `tcp-response inspect-delay` runs out); null once decided, or without rules. */
  #resInspect: { payload: Buffer | null; exp: number } | null = null

  /** The level `tcp-request content set-log-level` gave this session, if any. */
  get logLevel(): string | undefined {
    return this.#logStream?.logLevel
  }

  override uniqueId(): string {
    return uniqueIdOf(this.fe, this.logStream())
  }

  /** The session as log-format tags read it (its content stream, or a new one). */
  logStream(): ContentStream {
    return this.#logStream ??= new ContentStream(this.view)
  }

  #inspectNow(): void {
    const ins = this.#inspect!
    const rules = this.fe.rules!
    const st = ins.stream
    st.payload = ins.payload
    st.payloadFinal = now() >= ins.exp || this.cliEof || (ins.payload?.length ?? 0) >= this.fe.host.tune.bufsize
    const v = rules.has.tcpContent ? rules.tcpContent(st) : 'accept'
    if (v === 'wait' && !st.payloadFinal) { this.#resched(); return }
    this.#inspect = null
    this.#logStream = st
    if (v === 'reject') { this.finish('P', 'R'); return }
    let be = ins.fallback
    if (rules.has.switching) {
      const name = rules.selectBackend(st)
      if (name !== undefined) be = this.fe.host.backendNamed(name) ?? null
    }
    if (ins.payload !== null) this.toSrv.push(ins.payload)
    this.#startOn(be)
  }

  #startOn(be: Backend | null): void {
    this.#refreshCli()
    if (!be) { this.finish('S', 'C'); return }
    enterBackend(this, be)
    assignServer(this, this, undefined)
  }

  // --- the server side (server-side.ts decides; these are the session's part) -----------------

  get inQueue(): boolean {
    return this.phase === 'Q'
  }

  /** The key the backend's algorithm hashes for this session (its compiled `LbKey`), if any. */
  balanceKey(be: Backend): HashKey | undefined {
    const k = be.balanceKey
    if (k === null) return undefined
    return k.from === 'source' ? k.get(this.cliAddr) : k.get(this.logStream())
  }

  srvQueued(): void {
    this.phase = 'Q'
    this.#resched()
  }

  srvRefused(by: TermCause, phase: TermPhase): void {
    this.finish(by, phase)
  }

  /** Waiter: a queue granted a slot on `server` (already counted by the backend). */
  grant(server: Server): void {
    grantServer(this, this, server)
  }

  srvStream(): ContentStream {
    return this.#inspect?.stream ?? this.logStream()
  }

  srvConnect(): void {
    this.phase = 'C'
    this.connectStart = now()
    openServer(this, this)
    this.#resched()
  }

  /** The server connection is up: release the client and flush what it already sent. */
  onSrvOpen(c: SrvConn): void {
    if (c !== this.srv) { c.close(); return }
    const s = c.sock!
    this.server?.reportResult('l4-ok')
    if (c.tls !== null) this.logStream().srvTls = c.tls
    this.phase = 'D'
    this.connectEnd = now()
    this.connExp = Infinity
    // Splicing moves bytes between the two sockets as they are: both must be clear text.
    if (this.cliTls === null && c.tls === null && c.server?.cfg.ssl !== true) {
      const fo = this.fe.cfg.options
      const bo = this.be?.cfg.options
      const auto = fo['splice-auto'] === true || bo?.['splice-auto'] === true
      this.#spliceToCli = auto || fo['splice-response'] === true || bo?.['splice-response'] === true
      this.#spliceToSrv = auto || fo['splice-request'] === true || bo?.['splice-request'] === true
    }
    const beRules = this.be === null ? null : this.fe.host.rulesOf(this.be.name)
    if (beRules?.has.tcpResponse) this.#resInspect = { payload: null, exp: this.connectEnd + beRules.resInspectDelay }
    this.#refreshSrv()
    const pp = c.takeProxyHeader()
    if (pp !== null) this.toSrv.unshift(pp)
    if (this.toSrv.size > 0 && this.toSrv.flush(s) === CLOSED) return
    if (this.toSrv.size === 0) {
      if (this.cliEof) this.#shutSrv()
      else this.resumeCli()
    }
    this.#resched()
  }

  /** A connection attempt failed: retry, or give up (server-side.ts). */
  onSrvConnectFailed(c: SrvConn): void {
    if (c !== this.srv) return
    this.srv = null
    connectFailed(this, this, false)
  }

  // --- data -----------------------------------------------------------------------------------

  onCliData(chunk: Buffer): void {
    this.#cliChunk(chunk)
    if (!this.#pullingCli && this.toSrv.size === 0 && this.#cliPullable()) { this.pauseCli(); this.#pullCli() }
  }

  #cliChunk(chunk: Buffer): void {
    this.bytesIn += chunk.length
    this.#refreshCli()
    const ins = this.#inspect
    if (ins !== null) {
      ins.payload = ins.payload === null ? chunk : Buffer.concat([ins.payload, chunk])
      this.#inspectNow()
      return
    }
    const srv = this.srv?.sock
    if (this.srvGone) return
    if (!srv) {
      this.toSrv.push(chunk)
      if (this.toSrv.size > EARLY_DATA_LIMIT) this.pauseCli()
      return
    }
    if (this.toSrv.size > 0) { this.toSrv.push(chunk); this.pauseCli(); return }
    const n = srv.write(chunk)
    if (n === chunk.length) { this.#refreshSrv(); return }
    if (n < 0) return
    this.#srvSlow = true
    this.toSrv.push(n === 0 ? chunk : chunk.subarray(n))
    this.pauseCli()
    this.#refreshSrv()
  }

  onSrvData(c: SrvConn, chunk: Buffer): void {
    if (c !== this.srv) { c.abort(); return }
    this.#srvChunk(c, chunk)
    if (!this.#pullingSrv && this.toCli.size === 0 && this.#srvPullable(c)) { this.#pauseSrv(); this.#pullSrv() }
  }

  #srvChunk(c: SrvConn, chunk: Buffer): void {
    this.bytesOut += chunk.length
    this.#refreshSrv()
    const ins = this.#resInspect
    if (ins !== null) {
      ins.payload = ins.payload === null ? chunk : Buffer.concat([ins.payload, chunk])
      this.#inspectResponse()
      return
    }
    this.#toCli(chunk)
  }

  /** `tcp-response content` on what the server sent so far: wait for more, reject (the session
   *  ends, PD), or accept (the held bytes go to the client). */
  #inspectResponse(): void {
    const ins = this.#resInspect!
    const rules = this.fe.host.rulesOf(this.be!.name)!
    const st = this.logStream()
    st.resPayload = ins.payload
    st.resPayloadFinal = now() >= ins.exp || this.srvEof || (ins.payload?.length ?? 0) >= this.fe.host.tune.bufsize
    const v = rules.tcpResponse(st)
    if (v === 'wait' && !st.resPayloadFinal) { this.#resched(); return }
    this.#resInspect = null
    st.resPayload = null
    if (v === 'reject') { this.finish('P', 'D'); return }
    if (ins.payload !== null) this.#toCli(ins.payload)
    if (this.srvEof && this.toCli.size === 0) this.#shutCli()
    this.#maybeDone()
  }

  #toCli(chunk: Buffer): void {
    if (this.toCli.size > 0) { this.toCli.push(chunk); this.#pauseSrv(); return }
    const n = this.cli.write(chunk)
    if (n === chunk.length) { this.#refreshCli(); return }
    if (n < 0) return
    this.#cliSlow = true
    this.toCli.push(n === 0 ? chunk : chunk.subarray(n))
    this.#pauseSrv()
    this.#refreshCli()
  }

  /** The client can take more: flush, then let the server speak again. */
  onCliDrain(): void {
    if (this.toCli.size === 0) return
    const r = this.toCli.flush(this.cli)
    if (r !== FLUSHED) return
    this.#refreshCli()
    if (this.srvEof) this.#shutCli()
    else if (this.#srvPaused && this.srv !== null && this.#srvPullable(this.srv)) this.#pullSrv()
    else this.#resumeSrv()
  }

  onSrvDrain(c: SrvConn): void {
    const srv = c.sock
    if (c !== this.srv || !srv || this.toSrv.size === 0) return
    const r = this.toSrv.flush(srv)
    if (r !== FLUSHED) return
    this.#refreshSrv()
    if (this.cliEof) this.#shutSrv()
    else if (this.cliPaused && this.#cliPullable()) this.#pullCli()
    else this.resumeCli()
  }

  // --- the pull path (pull.ts): once no rule inspects the bytes, on clear-text connections ------

  #cliPullable(): boolean {
    return canReadInto && (this.#srvSlow || this.#spliceToSrv) && this.cliTls === null && this.#inspect === null && this.phase === 'D' && !this.cliEof && !this.srvGone && this.srv?.sock != null
  }

  #srvPullable(c: SrvConn): boolean {
    return canReadInto && (this.#cliSlow || this.#spliceToCli) && c === this.srv && c.sock !== null && c.tls === null && c.server?.cfg.ssl !== true && this.#resInspect === null && this.phase === 'D' && !this.srvEof
  }

  /** Reads client bytes while the server takes them (pull.ts); the client is paused. */
  #pullCli(): void {
    const size = this.fe.host.tune.bufsize
    const buf = (this.#cliBuf ??= Buffer.allocUnsafe(size))
    const pipe = this.#spliceToSrv ? (this.#cliPipe ??= openPipe()) : null
    this.#pullingCli = true
    try {
      for (let i = 0; i < PULLS_MAX; i++) {
        if (pipe !== null) {
          const n = splice(this.cli, this.srv!.sock!, pipe, SPLICE_MAX)
          if (n <= 0) break
          this.#spliced(pipe, n, true)
        } else {
          const n = readInto(this.cli, buf)
          if (n <= 0) break
          this.#cliChunk(n === size ? buf : buf.subarray(0, n))
        }
        if (this.toSrv.size > 0 || !this.cliPaused) return
        if (!this.#cliPullable()) break
        if (i === PULLS_MAX - 1) { this.#cliTurn = true; nextTurn(this); return }
      }
    } finally {
      this.#pullingCli = false
    }
    if (this.phase === 'D') this.resumeCli()
  }

  /** Reads server bytes while the client takes them (pull.ts); the server is paused. */
  #pullSrv(): void {
    const c = this.srv!
    const sock = c.sock!
    const size = this.fe.host.tune.bufsize
    const buf = (this.#srvBuf ??= Buffer.allocUnsafe(size))
    const pipe = this.#spliceToCli ? (this.#srvPipe ??= openPipe()) : null
    this.#pullingSrv = true
    try {
      for (let i = 0; i < PULLS_MAX; i++) {
        if (pipe !== null) {
          const n = splice(sock, this.cli, pipe, SPLICE_MAX)
          if (n <= 0) break
          this.#spliced(pipe, n, false)
        } else {
          const n = readInto(sock, buf)
          if (n <= 0) break
          this.#srvChunk(c, n === size ? buf : buf.subarray(0, n))
        }
        if (this.toCli.size > 0 || this.srv !== c) return
        if (!this.#srvPullable(c)) break
        if (i === PULLS_MAX - 1) { this.#srvTurn = true; nextTurn(this); return }
      }
    } finally {
      this.#pullingSrv = false
    }
    this.#resumeSrv()
  }

  /** `n` bytes went through `pipe` (to the server when `toSrv`): counted as read and written;
   *  what the other side did not take is written as any other bytes (it waits for `drain`). */
  #spliced(pipe: Pipe, n: number, toSrv: boolean): void {
    const rest = pipe.rest as Buffer | null
    pipe.rest = null
    if (toSrv) {
      this.bytesIn += n
      this.#refreshCli()
      if (rest === null) { this.#refreshSrv(); return }
      const srv = this.srv!.sock!
      const w = srv.write(rest)
      if (w >= 0 && w < rest.length) { this.toSrv.push(w === 0 ? rest : rest.subarray(w)); this.pauseCli() }
      this.#refreshSrv()
      return
    }
    this.bytesOut += n
    this.#refreshSrv()
    if (rest === null) { this.#refreshCli(); return }
    this.#toCli(rest)
  }

  pullTurn(): void {
    if (this.phase === 'closed') return
    if (this.#srvTurn) {
      this.#srvTurn = false
      const c = this.srv
      if (this.#srvPaused && c !== null && this.toCli.size === 0 && this.#srvPullable(c)) this.#pullSrv()
      else if (this.toCli.size === 0) this.#resumeSrv()
    }
    if (this.#cliTurn) {
      this.#cliTurn = false
      if (this.cliPaused && this.toSrv.size === 0 && this.#cliPullable()) this.#pullCli()
      else if (this.toSrv.size === 0 && this.phase === 'D') this.resumeCli()
    }
  }

  onCliEnd(): void {
    this.cliEof = true
    if (this.#inspect !== null) {
      this.#inspectNow()
      if (this.phase === 'closed') return
    }
    if (this.phase === 'Q' || this.phase === 'C') {
      // The client gave up before we reached a server (abortonclose in TCP terms): nothing to send.
      if (this.toSrv.size === 0) { this.finish('C', this.phase); return }
    }
    this.#refreshCli()
    if (this.srv?.sock && this.toSrv.size === 0) this.#shutSrv()
    this.#maybeDone()
  }

  onSrvEnd(c: SrvConn): void {
    if (c !== this.srv) return
    this.srvEof = true
    if (this.#resInspect !== null) { this.#inspectResponse(); if ((this.phase as Phase) === 'closed') return }
    this.#refreshSrv()
    if (this.toCli.size === 0) this.#shutCli()
    this.#maybeDone()
  }

  // A reset arrives as a close with an error (ECONNRESET). A close without one is a FIN: Bun
  // reports the peer's FIN as `close`, never `end`, once our own FIN went out first, and a peer
  // may close both ways at once. Either way nothing more will come from that side, and what is
  // still queued for the other side must be delivered before the session ends.

  onCliClose(error: Error | undefined): void {
    if (this.phase === 'closed') return
    if (error || !this.cliShut) { this.finish('C', this.#termPhase()); return }
    this.cliEof = true
    this.#refreshCli()
    if (this.srv?.sock && this.toSrv.size === 0) this.#shutSrv()
    this.#maybeDone()
  }

  onSrvClose(c: SrvConn, error: Error | undefined): void {
    if (this.phase === 'closed' || c !== this.srv) return
    if (this.phase === 'C') { this.onSrvConnectFailed(c); return }
    if (error) { this.finish('S', this.#termPhase()); return }
    this.srvEof = true
    // Closed: nothing more can be sent to it, which is as good as our FIN.
    this.srvShut = true
    this.srvGone = true
    if (this.#resInspect !== null) { this.#inspectResponse(); if ((this.phase as Phase) === 'closed') return }
    this.#refreshSrv()
    if (this.toCli.size === 0) this.#shutCli()
    this.#maybeDone()
  }

  // When the other direction is already over, the session ends right after: finish() closes the
  // socket with a FIN anyway, so the separate shutdown() (and its system calls) is skipped.
  #shutSrv(): void {
    const sock = this.srv?.sock
    if (this.srvShut || !sock) return
    this.srvShut = true
    if (!(this.srvEof && this.cliEof && this.cliShut)) sock.shutdown()
    else this.#maybeDone()
    this.#refreshSrv()
  }

  #shutCli(): void {
    if (this.cliShut) return
    this.cliShut = true
    if (!(this.cliEof && this.srvEof && this.srvShut)) this.cli.shutdown()
    else this.#maybeDone()
    this.#refreshCli()
  }

  #maybeDone(): void {
    if (this.cliEof && this.srvEof && this.cliShut && this.srvShut) this.finish('-', '-')
  }

  #termPhase(): TermPhase {
    return this.phase === 'Q' ? 'Q' : this.phase === 'C' ? 'C' : 'D'
  }

  // --- deadlines ------------------------------------------------------------------------------

  // A side's deadline runs while we expect something of it (HAProxy's read and write timeouts):
  // its data or FIN (it has not sent FIN yet), or room for what we queued for it. Once we sent
  // our FIN to it, waiting for its own FIN uses client-fin / server-fin (HAProxy's half-closed
  // timeouts: no FIN_WAIT connection lingers for the long tunnel timeout). In data transfer,
  // `timeout tunnel` supersedes client and server. A side that sent FIN and has nothing queued
  // for it has no deadline: the other side's governs (a slow server answering a request that
  // ended with FIN is judged by `timeout server`, not `timeout client`).

  #refreshCli(): void {
    const to = this.fe.cfg.timeouts
    let t: number | undefined
    if (!this.cliEof || this.toCli.size > 0) {
      const tunnel = this.phase === 'D' ? this.be?.cfg.timeouts.tunnel : undefined
      t = this.cliShut && to.clientFin !== undefined ? to.clientFin : tunnel ?? to.client
    }
    this.cliExp = t === undefined ? Infinity : now() + t
    this.#resched()
  }

  #refreshSrv(): void {
    const to = this.be?.cfg.timeouts
    if (!to) return
    let t: number | undefined
    if (this.phase === 'D' && (!this.srvEof || (this.toSrv.size > 0 && !this.srvGone))) {
      t = this.srvShut && to.serverFin !== undefined ? to.serverFin : to.tunnel ?? to.server
    }
    this.srvExp = t === undefined ? Infinity : now() + t
    this.#resched()
  }

  #resched(): void {
    if (this.phase === 'closed') return
    const exp = Math.min(this.cliExp, this.srvExp, this.connExp, this.queueExp, this.#inspect?.exp ?? Infinity, this.#resInspect?.exp ?? Infinity)
    if (exp !== this.#timer.exp) wheel.schedule(this.#timer, exp)
  }

  #onTimer(): void {
    if (this.phase === 'closed') return
    const t = now()
    if (this.#inspect !== null && this.#inspect.exp <= t) { this.#inspectNow(); return }
    if (this.#resInspect !== null && this.#resInspect.exp <= t) { this.#inspectResponse(); return }
    if (this.queueExp <= t) { queueTimedOut(this, this); return }
    if (this.connExp <= t) { connectTimedOut(this, this); return }
    if (this.cliExp <= t) { this.finish('c', this.#termPhase()); return }
    if (this.srvExp <= t) { this.finish('s', this.#termPhase()); return }
    this.#resched()
  }

  // --- end ------------------------------------------------------------------------------------

  /** Ends the session once: closes both sides, frees the server slot and the frontend slot; the
   *  frontend then logs it. */
  finish(by: TermCause, phase: TermPhase): void {
    if (this.phase === 'closed') return
    const wasQueued = this.phase === 'Q'
    this.phase = 'closed'
    this.termination = { by, phase }
    wheel.cancel(this.#timer)
    if (wasQueued) leaveQueue(this, this)
    const normal = by === '-'
    const srv = this.srv
    if (srv) {
      if (normal) srv.close()
      else srv.abort()
    }
    if (normal) this.cli.end()
    else this.cli.terminate()
    this.toCli.clear()
    this.toSrv.clear()
    if (this.#srvPipe !== null) { closePipe(this.#srvPipe); this.#srvPipe = null }
    if (this.#cliPipe !== null) { closePipe(this.#cliPipe); this.#cliPipe = null }
    // Before the log line, so that it counts this session nowhere (HAProxy's tcplog shows
    // 0/0/0/0 for a lone session).
    leaveBackend(this, this.bytesIn, this.bytesOut)
    const view = this.madeView
    if (view !== null) {
      countBytes(this.logStream(), this.bytesIn, this.bytesOut)
      view.end()
    }
    this.fe.sessionEnded(this)
  }

  /** Hard stop: kill the session now (SIGTERM). */
  kill(): void {
    this.finish('K', this.#termPhase())
  }
}
