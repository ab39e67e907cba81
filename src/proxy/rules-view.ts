/**
 * How sessions meet the rules library (src/rules): the per-connection view its fetches read
 * (SessionView), and turning an `HttpReply` a rule built (`return`, `redirect`, `deny` with a
 * body) into the bytes sent.
 *
 * A session creates its view only when some rule may read it, so proxies without rules allocate
 * nothing for them.
 */
import { reasonOf } from '../http/errors.ts'
import { sessionEnd } from '../rules/tracking.ts'
import type { ConnAddrs, EngineView, HttpReply, ProxiedConn, Sample, SessionView } from '../rules/types.ts'
import type { StickEntry } from '../rules/stick-table.ts'
import type { Sock, TlsFacts } from '../net/runtime.ts'

/** What a view needs of its session. */
export interface ViewedSession {
  readonly cliAddr: string
  readonly cliPort: number
  readonly cli: Sock<unknown>
  readonly proxied: ProxiedConn | null
  ppExpected: boolean
  readonly cliTls: TlsFacts | null
  readonly soName?: string | undefined
  /** `set-src`, `set-src-port`: the client address everything sees from then on. */
  setCliAddr(addr: string | undefined, port: number | undefined): void
  /** The current stream's `unique-id-format` id, made on first use ('' without a format). */
  uniqueId(): string
}

export class SessView implements SessionView {
  readonly #owner: ViewedSession
  readonly feName: string
  readonly engine: EngineView
  readonly vars = new Map<string, Sample>()
  readonly sc: (StickEntry | undefined)[] = [undefined, undefined, undefined]
  #dst: string | undefined
  #dstPort: number | undefined
  /** Which rules run now, as HAProxy scopes set-src/set-dst: `connection` rules change the
   *  connection's own addresses (`fc_src`, `fc_dst`) too; `session` rules the session's; rules of a
   *  stream (content, http) that stream's only: the next request starts from the session's. */
  level: 'connection' | 'session' | 'stream' = 'stream'
  #fc: ConnAddrs | null = null
  #session: ConnAddrs | null = null

  constructor(owner: ViewedSession, feName: string, engine: EngineView) {
    this.#owner = owner
    this.feName = feName
    this.engine = engine
  }

  get cliAddr(): string { return this.#owner.cliAddr }
  get cliPort(): number { return this.#owner.cliPort }
  get cliTls(): TlsFacts | null { return this.#owner.cliTls }

  get proxied(): ProxiedConn | null { return this.#owner.proxied }

  expectProxy(): void { this.#owner.ppExpected = true }

  uniqueId(): string { return this.#owner.uniqueId() }

  get soName(): string | undefined { return this.#owner.soName }

  /** `set-dst`'s address when a rule set one, else the PROXY header's, else the socket's. */
  get dstAddr(): string {
    if (this.#dst !== undefined) return this.#dst
    const pp = this.#owner.proxied?.header.addrs
    return pp ? pp.dst : this.#owner.cli.localAddress ?? ''
  }

  get dstPort(): number {
    if (this.#dstPort !== undefined) return this.#dstPort
    const pp = this.#owner.proxied?.header.addrs
    return pp ? pp.dstPort : this.#owner.cli.localPort ?? 0
  }

  /** The connection's addresses, once a later rule changed the session's (null: the same). */
  get fc(): ConnAddrs | null { return this.#fc }

  /** An address is about to change: what the levels above must keep is kept first. */
  #keepConnectionAddrs(): void {
    if (this.level === 'connection') return
    if (this.#fc === null) this.#fc = this.#addrs()
    if (this.level === 'stream' && this.#session === null) this.#session = this.#addrs()
  }

  #addrs(): ConnAddrs {
    return { src: this.cliAddr, srcPort: this.cliPort, dst: this.dstAddr, dstPort: this.dstPort }
  }

  /** A PROXY header that relays addresses was read: its destination replaces what the connection
   *  rules set. */
  headerRead(): void {
    this.#dst = undefined
    this.#dstPort = undefined
  }

  /** A stream (an HTTP request) ended: what its rules changed of the addresses ends with it. */
  streamEnded(): void {
    const a = this.#session
    if (a === null) return
    this.#session = null
    this.#owner.setCliAddr(a.src, a.srcPort)
    this.#dst = a.dst
    this.#dstPort = a.dstPort
  }

  setSrc(addr: string | undefined, port: number | undefined): void {
    this.#keepConnectionAddrs()
    this.#owner.setCliAddr(addr, port)
  }

  setDst(addr: string | undefined, port: number | undefined): void {
    this.#keepConnectionAddrs()
    if (addr !== undefined) this.#dst = addr
    if (port !== undefined) this.#dstPort = port
  }

  /** The session ended: what it tracked is released (conn_cur goes down). */
  end(): void {
    sessionEnd(this)
  }
}

/** The bytes of a reply a rule built, saying `connection: close` unless `close` is false. */
export function encodeReply(r: HttpReply, close = true): Uint8Array {
  const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body
  let head = `HTTP/1.1 ${r.status} ${reasonOf(r.status)}\r\n`
  for (const [n, v] of r.headers) head += `${n}: ${v}\r\n`
  head += `content-length: ${body.length}\r\n${close ? 'connection: close\r\n' : ''}\r\n`
  return Buffer.concat([Buffer.from(head, 'latin1'), body])
}
