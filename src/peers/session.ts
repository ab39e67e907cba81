/**
 * One connection with a remote peer, either side of the handshake:
 *
 *   connected ──hello──▶ wait-status ──200──▶ open          (we connected)
 *   accepted ──▶ wait-hello ──hello ok, 200──▶ open         (it connected)
 *   any ──bad input, timeout, close──▶ closed               (the service reconnects later)
 *
 * Once open, both sides send table definitions, updates, acks, resync control messages and
 * heartbeats (3 s idle); 5 s without a message closes it. Input is parsed as it arrives; output
 * is written to the socket in one buffer per turn, and produced only while the socket keeps up.
 */
import { now } from '../core/clock.ts'
import { Timer } from '../core/timer-wheel.ts'
import { wheel } from '../core/wheel.ts'
import { ByteQueue, CLOSED, FLUSHED } from '../core/byte-queue.ts'
import type { Sock } from '../net/runtime.ts'
import type { StickEntry } from '../rules/stick-table.ts'
import { checkHello, helloText, readLines, STATUS_OK, STATUS_TEXT } from './handshake.ts'
import * as M from './messages.ts'
import { DATA_TYPES } from './data-types.ts'
import { Cursor } from './varint.ts'
import type { SyncedTable } from './table-sync.ts'
import { DICT_SIZE, readUpdate, TxDict, writeUpdate } from './update-codec.ts'
import type { PeerLink, PeersService } from './service.ts'

/** HAProxy's: a heartbeat after 3 s without sending, a peer silent for 5 s is dead, 5 s for a
 *  handshake. */
export const PEER_TIMEOUTS: PeerTimeouts = { heartbeat: 3000, dead: 5000, handshake: 5000 }

export interface PeerTimeouts {
  heartbeat: number
  dead: number
  handshake: number
}
/** Largest table message body accepted (HAProxy's default buffer is 16 kB). */
export const MAX_BODY = 64 * 1024
/** Messages produced per turn before yielding to the event loop (a resync of many entries). */
const BATCH = 4096
/** Bytes waiting for the socket beyond which nothing more is produced until it drains. */
const HIGH_WATER = 256 * 1024

const isArray = (t: number): boolean => DATA_TYPES[t]?.array === true
const isFreq = (t: number): boolean => DATA_TYPES[t]?.kind === 'freq'

interface TxState {
  /** Last update id pushed (or acknowledged before this connection). */
  pushed: number
  /** The id of the last update message sent on this connection (an incremental one follows it). */
  lastSent: number
  /** A full resync being taught: the entries left, and the update id when it began. */
  teach: Iterator<StickEntry> | null
  teachOrigin: number
}

interface RxTable {
  def: M.TableDef
  local: SyncedTable | null
  /** Last update id received, and the last one acknowledged (wire ids). */
  lastGet: number
  acked: number
}

export type SessionState = 'wait-status' | 'wait-hello' | 'open' | 'closed'

export class PeerSession {
  state: SessionState
  link: PeerLink | null
  readonly sock: Sock<PeerSession>
  readonly svc: PeersService
  readonly outgoing: boolean
  /** We asked this peer for a full resync and it has not finished. */
  learning = false
  #teaching = false
  #finishedSent = false
  #confirms = 0
  #in = new Uint8Array(4096)
  #inLen = 0
  #out = new M.Out()
  #pending = new ByteQueue()
  #lastRecv = now()
  #lastSend = now()
  #tx = new Map<SyncedTable, TxState>()
  #lastDefined: SyncedTable | null = null
  #rx: RxTable | null = null
  #rxById = new Map<number, RxTable>()
  #txDict = new TxDict()
  #rxDict: (string | undefined)[] = new Array(DICT_SIZE)
  #unknownLogged = new Set<string>()
  /** One deadline per connection, on the process's timer wheel (#arm). */
  readonly #timer = new Timer(() => this.#onTimer())
  #pumpQueued = false

  constructor(svc: PeersService, sock: Sock<PeerSession>, link: PeerLink | null) {
    this.svc = svc
    this.sock = sock
    this.link = link
    this.outgoing = link !== null
    this.state = link !== null ? 'wait-status' : 'wait-hello'
    if (link !== null) {
      this.#write(new TextEncoder().encode(helloText(link.name, svc.localName, process.pid)))
    }
    this.#arm()
  }

  get name(): string {
    return this.link?.name ?? `${this.sock.remoteAddress}:${this.sock.remotePort ?? 0}`
  }

  // --- input -----------------------------------------------------------------------------------

  onData(chunk: Uint8Array): void {
    if (this.state === 'closed') return
    this.#lastRecv = now()
    if (this.#inLen + chunk.length > this.#in.length) {
      let size = this.#in.length * 2
      while (size < this.#inLen + chunk.length) size *= 2
      const b = new Uint8Array(size)
      b.set(this.#in.subarray(0, this.#inLen))
      this.#in = b
    }
    this.#in.set(chunk, this.#inLen)
    this.#inLen += chunk.length
    let pos = 0
    if (this.state === 'wait-hello' || this.state === 'wait-status') {
      const n = this.state === 'wait-hello' ? 3 : 1
      const r = readLines(this.#in, this.#inLen, n)
      if (r.kind === 'need-more') return
      if (r.kind === 'error') return this.fail('handshake line too long', 501)
      pos = r.next
      if (this.state === 'wait-hello' ? !this.#onHello(r.lines) : !this.#onStatus(r.lines[0]!)) return
    }
    while (this.state === 'open') {
      const r = M.readFrame(this.#in, pos, this.#inLen, MAX_BODY)
      if (r.kind === 'need-more') break
      if (r.kind === 'error') {
        M.errorMsg(this.#out, r.size ? M.ERR_SIZE : M.ERR_PROTOCOL)
        return this.fail(r.reason)
      }
      pos = r.next
      const why = this.#onFrame(r.frame)
      if (why !== undefined) {
        if (this.state !== 'open') return
        M.errorMsg(this.#out, M.ERR_PROTOCOL)
        return this.fail(why)
      }
    }
    if (pos > 0) {
      this.#in.copyWithin(0, pos, this.#inLen)
      this.#inLen -= pos
    }
    if (this.state === 'open') this.pump()
  }

  #onHello(lines: string[]): boolean {
    const c = checkHello(lines, this.svc.localName, (n) => this.svc.knows(n))
    if (c.status !== STATUS_OK) {
      this.#write(new TextEncoder().encode(`${c.status}\n`))
      this.fail(`refused: ${'reason' in c ? c.reason : ''} (status ${c.status})`)
      return false
    }
    const link = this.svc.adopt(this, (c as { peer: string }).peer)
    if (typeof link === 'number') {
      this.#write(new TextEncoder().encode(`${link}\n`))
      this.fail(`refused: ${link === 300 ? 'our own connection to it is under way' : 'unknown peer'} (status ${link})`)
      return false
    }
    this.link = link
    this.#write(new TextEncoder().encode(`${STATUS_OK}\n`))
    this.#opened()
    return true
  }

  #onStatus(line: string): boolean {
    const code = Number(line.trim())
    if (code !== STATUS_OK) {
      this.fail(`peer answered ${line.trim().slice(0, 20)}${STATUS_TEXT[code] ? ` (${STATUS_TEXT[code]})` : ''}`)
      return false
    }
    this.#opened()
    return true
  }

  /** A full resync: every entry of every table, then "finished" (or "partial"). */
  #startTeaching(): void {
    this.#teaching = true
    this.#finishedSent = false
    for (const [t, s] of this.#tx) { s.teach = t.table.entries(); s.teachOrigin = t.update }
  }

  #opened(): void {
    this.state = 'open'
    for (const t of this.svc.tables) this.#tx.set(t, { pushed: this.link!.acked.get(t) ?? 0, lastSent: 0, teach: null, teachOrigin: 0 })
    // Connected to the next process under our own name: it is taught at once (a handover).
    if (this.link!.local && this.outgoing) this.#startTeaching()
    this.svc.sessionOpened(this)
    this.#arm()
    this.pump()
  }

  /** Handles one message; returns why the connection must close, if it must. */
  #onFrame(f: M.Frame): string | undefined {
    if (f.cls === M.CLASS_CONTROL) {
      switch (f.type) {
        case M.CTRL_RESYNC_REQ:
          this.#startTeaching()
          return undefined
        case M.CTRL_RESYNC_FINISHED:
        case M.CTRL_RESYNC_PARTIAL:
          this.#confirms++
          if (this.learning || this.link?.local === true) { this.learning = false; this.svc.learned(this, f.type === M.CTRL_RESYNC_FINISHED) }
          return undefined
        case M.CTRL_RESYNC_CONFIRM:
          if (this.#teaching) {
            this.#teaching = false
            for (const s of this.#tx.values()) { s.pushed = Math.max(s.pushed, s.teachOrigin); s.teach = null }
            this.svc.taught(this)
          }
          return undefined
        case M.CTRL_HEARTBEAT:
          return undefined
        default:
          return `unknown control message ${f.type}`
      }
    }
    if (f.cls === M.CLASS_ERROR) {
      this.fail(f.type === M.ERR_SIZE ? 'peer reported a message over its size limit' : 'peer reported a protocol error')
      return 'closed'
    }
    const body = f.body!
    switch (f.type) {
      case M.MSG_DEFINE: {
        const d = M.readDefine(body, isArray, isFreq)
        if (typeof d === 'string') return d
        let local = this.svc.table(d.name) ?? null
        if (local === null) {
          if (!this.#unknownLogged.has(d.name)) { this.#unknownLogged.add(d.name); this.svc.log(`peer ${this.name}: table '${d.name}' is not shared here: its updates are ignored`) }
        } else if (local.def.keyType !== d.keyType || local.def.keySize !== d.keySize) {
          this.svc.log(`peer ${this.name}: table '${d.name}' has key type ${d.keyType} size ${d.keySize} there, ${local.def.keyType} size ${local.def.keySize} here: its updates are ignored`)
          local = null
        }
        // Defined again (the sender switched tables and back): its update ids go on.
        const was = this.#rxById.get(d.id)
        this.#rx = was !== undefined && was.def.name === d.name ? Object.assign(was, { def: d, local }) : { def: d, local, lastGet: 0, acked: 0 }
        this.#rxById.set(d.id, this.#rx)
        return undefined
      }
      case M.MSG_SWITCH: {
        const c = new Cursor(body, 0, body.length)
        const id = c.varint()
        const rx = c.ok ? this.#rxById.get(id) : undefined
        if (rx === undefined) return 'switch to a table never defined'
        this.#rx = rx
        return undefined
      }
      case M.MSG_UPDATE: case M.MSG_INC_UPDATE: case M.MSG_UPDATE_TIMED: case M.MSG_INC_UPDATE_TIMED: {
        const rx = this.#rx
        if (rx === null) return 'update for a table never defined'
        if (rx.local === null) return undefined
        const r = readUpdate(body, f.type, { def: rx.def, shape: rx.local.shape, keyLen: rx.local.table.keyLen, lastId: rx.lastGet, rxDict: this.#rxDict })
        if (typeof r === 'string') return `table '${rx.def.name}': ${r}`
        rx.lastGet = r.id
        if (r.update !== null) rx.local.table.applyRemote(r.update)
        return undefined
      }
      case M.MSG_ACK: {
        const a = M.readAck(body)
        if (typeof a === 'string') return a
        const t = this.svc.tables.find((x) => x.def.id === a.table)
        if (t === undefined) return `ack for table id ${a.table}, never defined`
        const id = t.fromWire(a.update)
        if (id > (this.link!.acked.get(t) ?? 0)) this.link!.acked.set(t, id)
        return undefined
      }
      default:
        return `unknown table message type ${f.type}`
    }
  }

  // --- output ----------------------------------------------------------------------------------

  /** Produces what is due (acks, a resync being taught, new updates, confirmations) and writes
   *  it, as long as the socket keeps up; schedules itself again for a long resync. */
  pump(): void {
    if (this.state !== 'open' || this.#pending.size > HIGH_WATER) return
    const out = this.#out
    for (const rx of this.#rxById.values()) {
      if (rx.lastGet !== rx.acked && rx.local !== null) { M.writeAck(out, rx.def.id, rx.lastGet); rx.acked = rx.lastGet }
    }
    let budget = BATCH
    const t0 = now()
    const withRemote = this.link?.local === true
    for (const [t, s] of this.#tx) {
      if (budget <= 0) break
      if (this.#teaching && s.teach !== null) {
        this.#define(t)
        for (;;) {
          if (budget <= 0) break
          const n = s.teach.next()
          if (n.done) { s.teach = null; break }
          const e = n.value
          const id = t.idOf(e)
          writeUpdate(out, t.table.snapshot(e), { def: t.def, shape: t.shape, dict: this.#txDict, updateId: id >>> 0, incremental: id === s.lastSent + 1, timed: true })
          s.lastSent = id
          budget--
        }
        continue
      }
      if (this.#teaching || this.learning || s.pushed >= t.update) continue
      s.pushed = t.forEachAfter(s.pushed, withRemote, (e, id) => {
        this.#define(t)
        writeUpdate(out, t.table.snapshot(e), { def: t.def, shape: t.shape, dict: this.#txDict, updateId: id >>> 0, incremental: id === s.lastSent + 1, timed: false })
        s.lastSent = id
        return --budget > 0
      })
    }
    if (this.#teaching && !this.#finishedSent && [...this.#tx.values()].every((s) => s.teach === null)) {
      M.control(out, this.svc.resynced ? M.CTRL_RESYNC_FINISHED : M.CTRL_RESYNC_PARTIAL)
      this.#finishedSent = true
    }
    for (; this.#confirms > 0; this.#confirms--) M.control(out, M.CTRL_RESYNC_CONFIRM)
    if (out.len === 0 && t0 - this.#lastSend >= this.svc.timeouts.heartbeat) M.control(out, M.CTRL_HEARTBEAT)
    if (out.len > 0) this.#write(out.take())
    if (budget <= 0) this.#pumpSoon()
  }

  /** Sends `t`'s definition before its updates unless the last ones sent were already its. */
  #define(t: SyncedTable): void {
    if (this.#lastDefined === t) return
    M.writeDefine(this.#out, t.def)
    this.#lastDefined = t
  }

  #pumpSoon(): void {
    if (this.#pumpQueued) return
    this.#pumpQueued = true
    setImmediate(() => { this.#pumpQueued = false; this.pump() })
  }

  /** Asks this peer for a full resync. */
  requestResync(): void {
    this.learning = true
    M.control(this.#out, M.CTRL_RESYNC_REQ)
    this.#write(this.#out.take())
  }

  #write(chunk: Uint8Array): void {
    this.#lastSend = now()
    if (this.#pending.size > 0) { this.#pending.push(chunk); return }
    const n = this.sock.write(chunk)
    if (n >= 0 && n < chunk.length) this.#pending.push(chunk.subarray(n))
  }

  onDrain(): void {
    if (this.#pending.flush(this.sock) === CLOSED) return
    if (this.#pending.size === 0 || this.#pending.size <= HIGH_WATER) this.pump()
  }

  // --- end -------------------------------------------------------------------------------------

  /** Logs why, sends what is queued (a status or an error message) and closes. */
  fail(why: string, status?: number): void {
    if (this.state === 'closed') return
    if (status !== undefined) this.#write(new TextEncoder().encode(`${status}\n`))
    if (this.#out.len > 0) this.#write(this.#out.take())
    this.svc.log(`peer ${this.name}: ${why}; disconnected`)
    this.close()
  }

  close(): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    wheel.cancel(this.#timer)
    this.sock.end()
    this.svc.sessionClosed(this)
  }

  /** The socket closed (by either side). */
  onClose(): void {
    if (this.state === 'closed') return
    if (this.state === 'open') this.svc.log(`peer ${this.name}: connection closed`)
    this.state = 'closed'
    wheel.cancel(this.#timer)
    this.svc.sessionClosed(this)
  }

  /** One timer per connection: the handshake's deadline, then heartbeats and the dead peer's. */
  #arm(): void {
    if (this.state === 'closed') { wheel.cancel(this.#timer); return }
    const t = now()
    let due: number
    const to = this.svc.timeouts
    if (this.state !== 'open') due = this.#lastRecv + to.handshake
    else due = Math.min(this.#lastRecv + to.dead, this.#lastSend + to.heartbeat)
    wheel.schedule(this.#timer, Math.max(t + 10, due))
  }

  #onTimer(): void {
    if (this.state === 'closed') return
    const t = now()
    const to = this.svc.timeouts
    if (this.state !== 'open') { if (t - this.#lastRecv >= to.handshake) return this.fail('handshake timed out') }
    else if (t - this.#lastRecv >= to.dead) return this.fail(`nothing received for ${to.dead / 1000} s`)
    else this.pump()
    this.#arm()
  }
}
