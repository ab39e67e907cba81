/**
 * Asks a `resolvers` section's name servers, over UDP, as HAProxy does: each query goes to every
 * name server at once and the first answer to it counts; no answer within `timeout retry` sends
 * it again, up to `resolve_retries` times, then the outcome is `timeout`. Nothing blocks: one
 * datagram socket per section, opened at the first query.
 *
 * Outcomes: `valid` (NOERROR with records of the type asked), `empty` (NOERROR without them),
 * `nx` (NXDOMAIN), `refused`, `other` (another error code, a truncated answer, a packet that does
 * not parse), `timeout`.
 */
import dgram from 'node:dgram'
import { isIP } from 'node:net'
import { encodeQuery, parseAnswer, RCODE_NXDOMAIN, RCODE_REFUSED, type DnsAnswer } from './dns-packet.ts'

export type DnsOutcome =
  | { kind: 'valid'; answer: DnsAnswer }
  | { kind: 'empty' | 'nx' | 'refused' | 'other' | 'timeout' }

export interface DnsClientOptions {
  retries: number
  /** ms before a query is sent again. */
  timeoutRetry: number
  payloadSize: number
}

interface Pending {
  name: string
  type: number
  packet: Uint8Array
  left: number
  timer: ReturnType<typeof setTimeout> | undefined
  done: (o: DnsOutcome) => void
}

/** `a` and `b` name the same address (an IPv4 one may come back IPv4-mapped). */
function sameAddress(a: string, b: string): boolean {
  return a === b || b === `::ffff:${a}` || a === `::ffff:${b}`
}

export class DnsClient {
  #servers: readonly { host: string; port: number }[]
  #opts: DnsClientOptions
  #sock4: dgram.Socket | null = null
  #sock6: dgram.Socket | null = null
  #pending = new Map<number, Pending>()
  #closed = false

  constructor(servers: readonly { host: string; port: number }[], opts: DnsClientOptions) {
    this.#servers = servers
    this.#opts = opts
  }

  /** Asks for the `type` records of `name`. */
  query(name: string, type: number): Promise<DnsOutcome> {
    return new Promise((resolve) => {
      if (this.#closed) { resolve({ kind: 'timeout' }); return }
      let id: number
      do id = Math.floor(Math.random() * 65536); while (this.#pending.has(id))
      const p: Pending = { name: name.toLowerCase().replace(/\.$/, ''), type, packet: encodeQuery(id, name, type, this.#opts.payloadSize), left: this.#opts.retries, timer: undefined, done: resolve }
      this.#pending.set(id, p)
      this.#send(id, p)
    })
  }

  #socket(family: 4 | 6): dgram.Socket {
    const cur = family === 4 ? this.#sock4 : this.#sock6
    if (cur !== null) return cur
    const s = dgram.createSocket(family === 4 ? 'udp4' : 'udp6')
    s.on('message', (msg: Buffer, from: dgram.RemoteInfo) => {
      // Only the name servers' answers count (another sender could guess an id).
      if (this.#servers.some((ns) => ns.port === from.port && sameAddress(ns.host, from.address))) this.#onMessage(msg)
    })
    s.on('error', () => {})
    s.unref()
    if (family === 4) this.#sock4 = s
    else this.#sock6 = s
    return s
  }

  #send(id: number, p: Pending): void {
    for (const ns of this.#servers) this.#socket(isIP(ns.host) === 6 ? 6 : 4).send(p.packet, ns.port, ns.host)
    p.timer = setTimeout(() => {
      if (this.#pending.get(id) !== p) return
      if (--p.left > 0) this.#send(id, p)
      else this.#finish(id, p, { kind: 'timeout' })
    }, this.#opts.timeoutRetry)
  }

  #finish(id: number, p: Pending, o: DnsOutcome): void {
    clearTimeout(p.timer)
    this.#pending.delete(id)
    p.done(o)
  }

  #onMessage(msg: Buffer): void {
    if (msg.length < 2) return
    const id = msg.readUInt16BE(0)
    const p = this.#pending.get(id)
    if (p === undefined) return
    const a = parseAnswer(msg)
    if (a === null) { this.#finish(id, p, { kind: 'other' }); return }
    if (a.question !== p.name) return // not the answer to this query
    if (a.truncated) { this.#finish(id, p, { kind: 'other' }); return }
    if (a.rcode === RCODE_NXDOMAIN) { this.#finish(id, p, { kind: 'nx' }); return }
    if (a.rcode === RCODE_REFUSED) { this.#finish(id, p, { kind: 'refused' }); return }
    if (a.rcode !== 0) { this.#finish(id, p, { kind: 'other' }); return }
    const has = a.answers.some((r) => r.type === p.type)
    this.#finish(id, p, has ? { kind: 'valid', answer: a } : { kind: 'empty' })
  }

  close(): void {
    this.#closed = true
    for (const [id, p] of this.#pending) this.#finish(id, p, { kind: 'timeout' })
    this.#sock4?.close()
    this.#sock6?.close()
    this.#sock4 = this.#sock6 = null
  }
}
