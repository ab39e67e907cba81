/**
 * One check in progress: its connections and its deadline (HAProxy's rules):
 *
 *   without `timeout check`: the whole check (connect and answer) must end within the interval;
 *   with it: each connect within min(`timeout connect`, interval), then the answer within
 *   `timeout check` of the connection being established.
 *
 * The scheduler owns the deadline's timer; when it fires it calls expire(), which wakes every
 * wait so that the script ends with a timeout status.
 */
import type { Server } from '../backend/server.ts'
import type { ConnectTarget, Sock } from '../net/runtime.ts'
import { now } from '../core/clock.ts'
import { CheckConn } from './conn.ts'
import { errnoText, type CheckOutcome, type CheckStatus } from './status.ts'
import { CheckEnd, type CheckRun, type ConnectOptions } from './types.ts'

/** What every run of a check shares (built once per check). */
export interface RunSpec {
  server: Server
  backendName: string
  /** Where the check connects unless a step says otherwise, with its source address. */
  target: ConnectTarget
  /** Source address (`source` on the server or backend). */
  source?: string
  /** `check-via-socks4`: the SOCKS4 proxy every check connection goes through. */
  socks4?: { host: string; port: number }
  bufsize: number
  /** `timeout connect` of the backend. */
  connectTimeout?: number
  /** `timeout check` of the backend. */
  checkTimeout?: number
  /** Moves the run's deadline (the scheduler's timer). */
  setDeadline(exp: number): void
  /** The PROXY header the check's connections begin with (`check-send-proxy`, or the server's
   *  `send-proxy` when no `port`/`addr` moves the check): check/send-proxy.ts. */
  proxyHeader?: (s: Sock<CheckConn>) => Uint8Array
}

export class Run implements CheckRun {
  readonly spec: RunSpec
  readonly startedAt: number
  expired = false
  readonly conns: CheckConn[] = []
  /** The interval in force when the run began (inter, fastinter or downinter). */
  readonly interval: number

  constructor(spec: RunSpec, interval: number) {
    this.spec = spec
    this.interval = interval
    this.startedAt = now()
    spec.setDeadline(this.startedAt + interval)
  }

  get bufsize(): number {
    return this.spec.bufsize
  }

  get server(): Server {
    return this.spec.server
  }

  get backendName(): string {
    return this.spec.backendName
  }

  #onExpire: (() => void) | null = null

  onExpire(fn: () => void): void {
    if (this.expired) fn()
    else this.#onExpire = fn
  }

  /** The deadline passed: every wait ends. */
  expire(): void {
    this.expired = true
    for (const c of this.conns) c.wake()
    const f = this.#onExpire
    this.#onExpire = null
    f?.()
  }

  /** Closes every connection (the check is over). */
  closeAll(): void {
    for (const c of this.conns) c.close()
  }

  async connect(options?: ConnectOptions): Promise<CheckConn> {
    const target = options === undefined ? this.spec.target : this.#target(options)
    const conn = new CheckConn(this.bufsize)
    if (options?.linger === true) conn.linger = true
    // The header goes on the check's own connection (HAProxy's default connect: a kind's, the
    // implicit one of a script, or `connect … default`), and where a step asks (`send-proxy`).
    const pp = this.spec.proxyHeader
    if (pp !== undefined && (options === undefined || options.default === true || options.sendProxy === true)) conn.proxyHeader = pp
    this.conns.push(conn)
    const spec = this.spec
    if (spec.checkTimeout !== undefined) spec.setDeadline(now() + Math.min(spec.connectTimeout ?? this.interval, this.interval))
    const socks = spec.socks4 !== undefined && 'host' in target ? spec.socks4 : undefined
    conn.start(socks === undefined ? target : { ...target, host: socks.host, port: socks.port })
    while (conn.state === 'connecting') {
      if (this.expired) { conn.close(); throw new CheckEnd({ status: 'L4TOUT' }) }
      await conn.wait()
    }
    if (conn.sock === null) {
      if (this.expired && conn.error === undefined) throw new CheckEnd({ status: 'L4TOUT' })
      // As HAProxy words them: a connect the system refused at once is a socket error.
      const text = errnoText(conn.error)
      throw new CheckEnd({ status: 'L4CON', info: conn.failedAtOnce ? `General socket error (${text})` : text })
    }
    if (socks !== undefined && 'host' in target) await this.#socks4(conn, target.host, target.port)
    if (spec.checkTimeout !== undefined) spec.setDeadline(now() + spec.checkTimeout)
    return conn
  }

  /** The SOCKS4 CONNECT request (user id "HAProxy", as HAProxy sends it) and its 8-byte answer,
   *  granted (0x5A) or not; then the connection is the server's. */
  async #socks4(conn: CheckConn, host: string, port: number): Promise<void> {
    const ip = host.split('.').map(Number)
    if (ip.length !== 4 || ip.some((b) => !(b >= 0 && b <= 255))) throw new CheckEnd({ status: 'L4CON', info: `SOCKS4 needs an IPv4 address, not '${host}'` })
    conn.send(Buffer.from([4, 1, port >> 8, port & 255, ...ip, ...Buffer.from('HAProxy\0', 'latin1')]))
    for (;;) {
      if (conn.buf.length >= 8) break
      if (conn.eof || conn.state === 'closed') throw new CheckEnd({ status: 'L4CON', info: 'the SOCKS4 proxy closed the connection' })
      if (this.expired) throw new CheckEnd({ status: 'L4TOUT' })
      await conn.wait()
    }
    const code = conn.buf[1]!
    const rest = conn.buf.subarray(8)
    conn.consume()
    if (code !== 0x5a) throw new CheckEnd({ status: 'L4CON', info: `the SOCKS4 proxy refused the connection (code ${code})` })
    if (rest.length > 0) conn.buf = Buffer.from(rest)
  }

  async expect(conn: CheckConn, test: (buf: Buffer, last: boolean) => CheckOutcome | boolean, timeoutStatus: CheckStatus = 'L7TOUT'): Promise<void> {
    for (;;) {
      const last = conn.eof || conn.full || conn.state === 'closed'
      if (conn.error !== undefined && conn.buf.length === 0) {
        throw new CheckEnd({ status: 'SOCKERR', info: errnoText(conn.error) })
      }
      const r = test(conn.buf, last)
      if (r === true) return
      if (r !== false) throw new CheckEnd(r)
      if (last) throw new CheckEnd({ status: 'L7RSP', info: conn.buf.length === 0 ? 'connection closed before any answer' : 'answer ended too early' })
      if (this.expired) throw new CheckEnd({ status: timeoutStatus })
      await conn.wait()
    }
  }

  #target(o: { port?: number; addr?: string }): ConnectTarget {
    const base = this.spec.target
    if (o.addr === undefined && o.port === undefined) return base
    let host = 'host' in base ? base.host : undefined
    let port = 'host' in base ? base.port : undefined
    if (o.addr !== undefined) {
      const a = splitHostPort(o.addr)
      host = a.host
      if (a.port !== undefined) port = a.port
    }
    if (o.port !== undefined) port = o.port
    if (host === undefined || port === undefined) return base
    const t: { host: string; port: number; localAddress?: string } = { host, port }
    if (this.spec.source !== undefined) t.localAddress = this.spec.source
    return t
  }
}

/** `10.0.0.1`, `10.0.0.1:81`, `[::1]:81`, `::1`. */
export function splitHostPort(s: string): { host: string; port?: number } {
  const v6 = s.match(/^\[([^\]]+)\](?::(\d+))?$/)
  if (v6) return v6[2] !== undefined ? { host: v6[1]!, port: Number(v6[2]) } : { host: v6[1]! }
  const i = s.lastIndexOf(':')
  if (i > 0 && s.indexOf(':') === i && /^\d+$/.test(s.slice(i + 1))) return { host: s.slice(0, i), port: Number(s.slice(i + 1)) }
  return { host: s }
}
