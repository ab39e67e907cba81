/**
 * `resolvers` sections: servers whose address comes from a DNS server the test runs (node:dgram),
 * followed as the answers change; `init-addr none`; `server-template` slots given one address
 * each; NXDOMAIN, an empty answer, a truncated packet and silence, each under its `hold`.
 */
import { afterEach, describe, expect, test } from 'bun:test'
import dgram from 'node:dgram'
import { buildConfig } from '../../src/config/build.ts'
import { readHaproxy } from '../../src/config/haproxy/reader.ts'
import { formatDiagnostic } from '../../src/model/source.ts'
import { cfg, startLb } from '../support/harness.ts'
import { bodyOf, rawExchange, startHttpServer } from '../support/http-harness.ts'
import { Signal } from '../support/wait.ts'

const T = 'timeout connect 2s\n  timeout client 5s\n  timeout server 5s'
const get = (uri: string): string => `GET ${uri} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`

type Reply = { addrs: string[] } | { rcode: number } | { srv: { target: string; port: number; addr?: string }[] } | 'garbage' | 'truncated' | 'silence'

const nameBytes = (name: string): Buffer => Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])])

function record(name: Buffer, type: number, rdata: Buffer): Buffer {
  const h = Buffer.alloc(10)
  h.writeUInt16BE(type, 0)
  h.writeUInt16BE(1, 2)
  h.writeUInt32BE(60, 4)
  h.writeUInt16BE(rdata.length, 8)
  return Buffer.concat([name, h, rdata])
}

/** A DNS server on 127.0.0.1:0 answering A queries as `answer(name)` says (AAAA: no records). */
class FakeDns {
  readonly sock = dgram.createSocket('udp4')
  answer: (name: string) => Reply = () => ({ addrs: [] })
  queries = 0

  async start(): Promise<number> {
    this.sock.on('message', (msg, from) => this.#onQuery(msg, from))
    await new Promise<void>((r) => this.sock.bind(0, '127.0.0.1', r))
    return this.sock.address().port
  }

  #onQuery(q: Buffer, from: dgram.RemoteInfo): void {
    this.queries++
    let o = 12
    const labels: string[] = []
    while (q[o]! !== 0) { labels.push(q.subarray(o + 1, o + 1 + q[o]!).toString()); o += 1 + q[o]! }
    const qEnd = o + 5
    const type = q.readUInt16BE(o + 1)
    const r = this.answer(labels.join('.'))
    if (r === 'silence') return
    if (r === 'garbage') { this.sock.send(Buffer.from([q[0]!, q[1]!, 0x81]), from.port, from.address); return }
    const question = q.subarray(12, qEnd)
    if (typeof r === 'object' && 'srv' in r) {
      const head = Buffer.alloc(12)
      head.writeUInt16BE(q.readUInt16BE(0), 0)
      head.writeUInt16BE(0x8180, 2)
      head.writeUInt16BE(1, 4)
      const answers = type === 33 ? r.srv.map((x) => {
        const fixed = Buffer.alloc(6)
        fixed.writeUInt16BE(10, 0)
        fixed.writeUInt16BE(10, 2)
        fixed.writeUInt16BE(x.port, 4)
        return record(Buffer.from([0xc0, 0x0c]), 33, Buffer.concat([fixed, nameBytes(x.target)]))
      }) : []
      const extra = type === 33 ? r.srv.filter((x) => x.addr !== undefined).map((x) => record(nameBytes(x.target), 1, Buffer.from(x.addr!.split('.').map(Number)))) : []
      head.writeUInt16BE(answers.length, 6)
      head.writeUInt16BE(extra.length, 10)
      this.sock.send(Buffer.concat([head, question, ...answers, ...extra]), from.port, from.address)
      return
    }
    const addrs = typeof r === 'object' && 'addrs' in r && type === 1 ? r.addrs : []
    const rcode = typeof r === 'object' && 'rcode' in r ? r.rcode : 0
    const head = Buffer.alloc(12)
    head.writeUInt16BE(q.readUInt16BE(0), 0)
    head.writeUInt16BE(0x8180 | rcode | (r === 'truncated' ? 0x0200 : 0), 2)
    head.writeUInt16BE(1, 4)
    head.writeUInt16BE(addrs.length, 6)
    const records = addrs.map((a) => {
      const rr = Buffer.alloc(16)
      rr.writeUInt16BE(0xc00c, 0)
      rr.writeUInt16BE(1, 2)
      rr.writeUInt16BE(1, 4)
      rr.writeUInt32BE(60, 6)
      rr.writeUInt16BE(4, 10)
      a.split('.').forEach((x, i) => { rr[12 + i] = Number(x) })
      return rr
    })
    let packet = Buffer.concat([head, question, ...records])
    if (r === 'truncated') packet = packet.subarray(0, packet.length - 3)
    this.sock.send(packet, from.port, from.address)
  }

  close(): void { this.sock.close() }
}

const open: FakeDns[] = []
afterEach(() => { for (const d of open.splice(0)) d.close() })

async function fakeDns(): Promise<{ dns: FakeDns; port: number }> {
  const dns = new FakeDns()
  open.push(dns)
  return { dns, port: await dns.start() }
}

async function lbWith(dnsPort: number, backend: string, resolvers = ''): Promise<{ lb: Awaited<ReturnType<typeof startLb>>; rounds: Signal; round: () => number }> {
  const lb = await startLb(cfg`
    resolvers dns
      nameserver ns1 127.0.0.1:${dnsPort}
      timeout resolve 20ms
      timeout retry 50ms
      resolve_retries 2
      ${resolvers}
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      ${backend}
  `)
  const rounds = new Signal()
  let n = 0
  lb.engine.resolution!.onRound = () => { n++; rounds.notify() }
  return { lb, rounds, round: () => n }
}

describe('resolvers', () => {
  test('a server found by DNS, followed when its address changes; in maintenance until the first answer', async () => {
    await using one = startHttpServer('one')
    const { dns, port } = await fakeDns()
    let addr = '127.0.0.1'
    dns.answer = (name) => (name === 'app.test' ? { addrs: [addr] } : { rcode: 3 })
    const { lb, rounds, round } = await lbWith(port, `server s1 app.test:${one.port} resolvers dns init-addr none`)
    await using _lb = lb
    const s1 = lb.backend('web').servers[0]!
    await rounds.until(() => round() >= 1 && s1.resolvedHost === '127.0.0.1', 'a first answer')
    expect(s1.usable).toBe(true)
    expect(bodyOf(await rawExchange(lb.port(), get('/')))).toBe('one')
    addr = '127.0.0.3'
    await rounds.until(() => s1.resolvedHost === '127.0.0.3', 'the new address')
    expect(lb.logs.some((l) => l.includes('web/s1 changed its IP from 127.0.0.1 to 127.0.0.3 by DNS.'))).toBe(true)
    expect(s1.unresolved).toBe(false)
  })

  test('NXDOMAIN and an empty answer take the server to maintenance once their hold has passed', async () => {
    await using app = startHttpServer('app')
    const { dns, port } = await fakeDns()
    let reply: Reply = { addrs: ['127.0.0.1'] }
    dns.answer = () => reply
    const { lb, rounds } = await lbWith(port, `server s1 app.test:${app.port} resolvers dns init-addr none`, 'hold nx 0s\n  hold other 0s')
    await using _lb = lb
    const s1 = lb.backend('web').servers[0]!
    await rounds.until(() => s1.usable, 'the address')
    expect(bodyOf(await rawExchange(lb.port(), get('/')))).toBe('app')
    reply = { rcode: 3 }
    await rounds.until(() => !s1.usable, 'maintenance after NXDOMAIN')
    expect(s1.effectiveAdmin).toBe('maint')
    // init-addr none: in maintenance until the first answer, which brings it up.
    expect(lb.logs.filter((l) => l.includes('web/s1'))).toEqual([
      expect.stringContaining("Server web/s1 ('app.test') is UP/READY (resolves again)."),
      expect.stringContaining('Server web/s1 is going DOWN for maintenance (DNS NX status).'),
    ])
    expect(await rawExchange(lb.port(), get('/'))).toStartWith('HTTP/1.1 503')
    reply = { addrs: ['127.0.0.1'] }
    await rounds.until(() => s1.usable, 'back')
    reply = { addrs: [] }
    await rounds.until(() => !s1.usable, 'maintenance after an empty answer')
  })

  test('a truncated or garbled answer and silence keep the last address while hold lasts', async () => {
    await using app = startHttpServer('app')
    const { dns, port } = await fakeDns()
    let reply: Reply = { addrs: ['127.0.0.1'] }
    dns.answer = () => reply
    const { lb, rounds, round } = await lbWith(port, `server s1 app.test:${app.port} resolvers dns init-addr none`, 'hold other 30s\n  hold timeout 30s')
    await using _lb = lb
    const s1 = lb.backend('web').servers[0]!
    await rounds.until(() => s1.usable, 'the address')
    for (const r of ['truncated', 'garbage', 'silence'] as const) {
      reply = r
      const seen = dns.queries
      const at = round()
      await rounds.until(() => round() >= at + 2 && dns.queries > seen, `rounds with a ${r} answer`)
      expect(s1.usable).toBe(true)
      expect(s1.resolvedHost).toBe('127.0.0.1')
    }
    expect(bodyOf(await rawExchange(lb.port(), get('/')))).toBe('app')
  })

  test('silence past hold timeout: maintenance, and the rest of the proxy keeps serving', async () => {
    await using app = startHttpServer('app')
    const { dns, port } = await fakeDns()
    let reply: Reply = { addrs: ['127.0.0.1'] }
    dns.answer = () => reply
    const { lb, rounds } = await lbWith(port, `server s1 app.test:${app.port} resolvers dns init-addr none\n  server s2 127.0.0.1:${app.port}`, 'hold timeout 0s')
    await using _lb = lb
    const s1 = lb.backend('web').servers[0]!
    await rounds.until(() => s1.usable, 'the address')
    reply = 'silence'
    await rounds.until(() => !s1.usable, 'maintenance after the retries went unanswered')
    expect(bodyOf(await rawExchange(lb.port(), get('/')))).toBe('app')
  })

  test('server-template: each slot gets its own address, a slot without one waits in maintenance', async () => {
    await using app = startHttpServer('app')
    const { dns, port } = await fakeDns()
    let addrs = ['127.0.0.1', '127.0.0.2']
    dns.answer = () => ({ addrs })
    const { lb, rounds } = await lbWith(port, `server-template srv 3 app.test:${app.port} resolvers dns init-addr none`)
    await using _lb = lb
    const servers = lb.backend('web').servers
    expect(servers.map((s) => s.name)).toEqual(['srv1', 'srv2', 'srv3'])
    await rounds.until(() => servers.filter((s) => s.usable).length === 2, 'two slots filled')
    expect(servers.map((s) => s.resolvedHost)).toEqual(['127.0.0.1', '127.0.0.2', null])
    expect(servers[2]!.effectiveAdmin).toBe('maint')
    addrs = ['127.0.0.2', '127.0.0.3', '127.0.0.1']
    await rounds.until(() => servers.every((s) => s.usable), 'three slots filled')
    expect(new Set(servers.map((s) => s.resolvedHost)).size).toBe(3)
    expect(bodyOf(await rawExchange(lb.port(), get('/')))).toBe('app')
  })

  test('server-template of an SRV name: each slot gets a target and its port; a target without an additional record is asked for', async () => {
    await using a = startHttpServer('a')
    await using b = startHttpServer('b')
    const { dns, port } = await fakeDns()
    dns.answer = (name) => {
      if (name === '_http._tcp.app.test') return { srv: [{ target: 'a.test', port: a.port, addr: '127.0.0.1' }, { target: 'b.test', port: b.port }] }
      if (name === 'b.test') return { addrs: ['127.0.0.1'] }
      return { rcode: 3 }
    }
    const { lb, rounds } = await lbWith(port, `balance roundrobin\n  server-template srv 2 _http._tcp.app.test resolvers dns init-addr none`)
    await using _lb = lb
    const servers = lb.backend('web').servers
    await rounds.until(() => servers.every((s) => s.usable), 'both slots filled')
    expect(servers.map((s) => [s.resolvedHost, s.resolvedPort])).toEqual([['127.0.0.1', a.port], ['127.0.0.1', b.port]])
    const bodies = [bodyOf(await rawExchange(lb.port(), get('/1'))), bodyOf(await rawExchange(lb.port(), get('/2')))]
    expect(bodies.sort()).toEqual(['a', 'b'])
  })

  test('errors at load: no name server, an unknown resolvers section, a TCP name server', () => {
    const text = 'resolvers a\n  hold valid 10s\nresolvers b\n  nameserver t tcp@10.0.0.1:53\n  nameserver u 10.0.0.1:53\nlisten web\n  bind 127.0.0.1:0\n  mode http\n  server s app.test:80 resolvers nope init-addr libc,none\n'
    const read = readHaproxy(text, 'r.cfg')
    const built = buildConfig(read.sections, ['r.cfg'])
    expect(built.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([
      "r.cfg:1: error: resolvers 'a' has no name server; add 'nameserver NAME ADDRESS:PORT' or 'parse-resolv-conf'",
      "r.cfg:4: error: a name server over TCP ('tcp@10.0.0.1:53') is not supported; use its UDP address",
      "r.cfg:9: error: server 's': no resolvers section named 'nope'; known: a, b",
    ])
  })
})
