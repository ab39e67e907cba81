// The PROXY protocol, both sides, against raw sockets: what edgelb accepts (`accept-proxy`,
// `expect-proxy`) and how it refuses the rest, what it sends to servers (`send-proxy`,
// `send-proxy-v2` and its options, health checks) byte for byte, and edgelb chained to edgelb.
import { describe, expect, test } from 'bun:test'
import { buildProxyV2, crc32c } from '../../src/net/proxy-protocol.ts'
import { cfg, connectClient, startLb, startServer, until, type TestConn } from '../support/harness.ts'

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1')
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const SIG = '0d0a0d0a000d0a515549540a'
/** The line of a connection refused in its handshake: `ADDR:PORT [DATE] FE/LISTENER: TEXT`. */
const refused = (text: string): RegExp => new RegExp(`^127\\.0\\.0\\.1:\\d+ \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\] fe/1: ${text.replace(/\./g, '\\.')}$`)

const GLOBAL = `global
  log stdout format raw local0
defaults
  log global
  timeout client 5s
  timeout server 5s
  timeout connect 1s
`

/** A v2 TCP4 header for 192.0.2.1:56324 → 198.51.100.11:443 with these TLVs (type, text). */
function v2(tlvs: [number, string][] = []): Buffer {
  return Buffer.from(buildProxyV2({ addrs: { src: '192.0.2.1', srcPort: 56324, dst: '198.51.100.11', dstPort: 443 }, tlvs: tlvs.map(([type, v]) => ({ type, value: ascii(v) })) }))
}

/** Waits until `srv` accepted its connection `i` and that connection received `text`. */
async function serverGot(srv: ReturnType<typeof startServer>, i: number, text: string): Promise<TestConn> {
  await srv.waitAccepted(i + 1)
  const c = srv.conns[i]!
  await c.waitText(text)
  return c
}

describe('accept-proxy', () => {
  test('v1: the header\'s addresses are the session\'s (src, dst, logs); fc_* are the socket\'s; the server gets only what follows', async () => {
    await using srv = startServer('s1', 'echo')
    await using lb = await startLb(GLOBAL + cfg`
      frontend fe
        mode tcp
        bind 127.0.0.1:0 accept-proxy
        log-format "%ci:%cp %fi:%fp src=%[src] dst=%[dst]:%[dst_port] fc_src=%[fc_src] fc_dst=%[fc_dst]:%[fc_dst_port] pp=%[fc_rcvd_proxy] %ts"
        default_backend be
      backend be
        mode tcp
        server s1 127.0.0.1:${srv.port}`)
    using c = await connectClient(lb.port())
    await c.write('PROXY TCP4 192.0.2.1 198.51.100.11 56324 443\r\nhello')
    await c.waitText('hello')
    expect(srv.conns[0]!.text()).toBe('hello')
    c.shutdown()
    await c.waitClosed()
    const [line] = await lb.waitLogs(1)
    expect(line).toBe(`192.0.2.1:56324 198.51.100.11:443 src=192.0.2.1 dst=198.51.100.11:443 fc_src=127.0.0.1 fc_dst=127.0.0.1:${lb.port()} pp=1 --`)
  })

  test('v2 arriving in pieces, TLVs read by fc_pp_authority, fc_pp_unique_id, fc_pp_tlv; the bytes after it are data', async () => {
    await using srv = startServer('s1', 'echo')
    await using lb = await startLb(GLOBAL + cfg`
      frontend fe
        mode tcp
        bind 127.0.0.1:0 accept-proxy
        log-format "%ci:%cp auth=%[fc_pp_authority] id=%[fc_pp_unique_id] e0=%[fc_pp_tlv(0xE0)] e0=%[fc_pp_tlv(224)] noop=%[fc_pp_tlv(NOOP)]"
        default_backend be
      backend be
        mode tcp
        server s1 127.0.0.1:${srv.port}`)
    const h = v2([[0x02, 'www.example.com'], [0x05, 'req-42'], [0xe0, 'custom']])
    const all = Buffer.concat([h, ascii('payload')])
    using c = await connectClient(lb.port())
    for (const piece of [all.subarray(0, 5), all.subarray(5, 14), all.subarray(14, 30), all.subarray(30)]) await c.write(piece)
    await c.waitText('payload')
    expect(srv.conns[0]!.text()).toBe('payload')
    c.shutdown()
    await c.waitClosed()
    expect(await lb.waitLogs(1)).toEqual(['192.0.2.1:56324 auth=www.example.com id=req-42 e0=custom e0=custom noop=-'])
  })

  test('LOCAL (v2) and UNKNOWN (v1) keep the connection\'s own addresses', async () => {
    await using srv = startServer('s1', 'echo')
    await using lb = await startLb(GLOBAL + cfg`
      frontend fe
        mode tcp
        bind 127.0.0.1:0 accept-proxy
        log-format "%ci %[fc_rcvd_proxy] %[fc_pp_unique_id]"
        default_backend be
      backend be
        mode tcp
        server s1 127.0.0.1:${srv.port}`)
    for (const header of [hex(SIG + '2000' + '0005' + '050002' + '6964'), ascii('PROXY UNKNOWN\r\n')]) {
      using c = await connectClient(lb.port(), { localAddress: '127.0.0.3' })
      await c.write(Buffer.concat([header, ascii('x')]))
      await c.waitText('x')
      c.shutdown()
      await c.waitClosed()
    }
    expect(await lb.waitLogs(2)).toEqual(['127.0.0.3 1 id', '127.0.0.3 1 -'])
  })

  test('http: X-Forwarded-For, the httplog line and a session-tracked stick entry use the header\'s address', async () => {
    const seen: string[] = []
    await using app = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (r) => { seen.push(r.headers.get('x-forwarded-for') ?? '') ; return new Response('ok') } })
    await using lb = await startLb(GLOBAL + cfg`
      frontend fe
        mode http
        bind 127.0.0.1:0 accept-proxy
        option forwardfor
        option httplog
        stick-table type ipv6 size 10 store conn_cnt
        tcp-request session track-sc0 src
        default_backend be
      backend be
        mode http
        balance source
        server s1 127.0.0.1:${app.port}`)
    using c = await connectClient(lb.port())
    await c.write('PROXY TCP6 2001:db8::7 2001:db8::1 40000 80\r\nGET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n')
    await c.waitEof()
    expect(c.text()).toStartWith('HTTP/1.1 200')
    expect(seen).toEqual(['2001:db8::7'])
    const [line] = await lb.waitLogs(1)
    expect(line).toStartWith('2001:db8::7:40000 [')
    const t = lb.engine.rules.tables.get('fe')!
    expect(t.read(t.lookup('2001:db8::7')!, 'conn_cnt')).toBe(1)
    expect(t.lookup('127.0.0.1')).toBeUndefined()
  })

  test('balance source hashes the header\'s address, not the socket\'s', async () => {
    await using a = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('a') })
    await using b = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('b') })
    await using lb = await startLb(GLOBAL + cfg`
      listen fe
        mode http
        bind 127.0.0.1:0 accept-proxy
        balance source
        server a 127.0.0.1:${a.port}
        server b 127.0.0.1:${b.port}`)
    const served: string[] = []
    for (let i = 1; i <= 8; i++) {
      for (let round = 0; round < 2; round++) {
        using c = await connectClient(lb.port())
        await c.write(`PROXY TCP4 10.0.0.${i} 10.1.1.1 4000 80\r\nGET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`)
        await c.waitEof()
        served.push(c.text().slice(-1))
      }
    }
    // Each client address always goes to one server, and the eight spread over both.
    for (let i = 0; i < 16; i += 2) expect(served[i]).toBe(served[i + 1]!)
    expect(new Set(served).size).toBe(2)
  })

  test('bad input: each connection is closed and logged with HAProxy\'s reason, reaches no server and harms no other connection', async () => {
    await using srv = startServer('s1', 'echo')
    await using lb = await startLb(GLOBAL + cfg`
      frontend fe
        mode tcp
        bind 127.0.0.1:0 accept-proxy
        option tcplog
        default_backend be
      backend be
        mode tcp
        server s1 127.0.0.1:${srv.port}`)
    // A session that works, before and after.
    using good = await connectClient(lb.port())
    await good.write('PROXY TCP4 192.0.2.9 198.51.100.1 1000 80\r\nfirst')
    await good.waitText('first')

    const cases: [string, Uint8Array | null, boolean, string][] = [
      ['no header', ascii('GET / HTTP/1.1\r\n\r\n'), false, 'Received something which does not look like a PROXY protocol header'],
      ['garbage after the v1 fields', ascii('PROXY TCP4 192.0.2.1 198.51.100.1 1 2 garbage\r\n'), false, 'Received an invalid PROXY protocol header'],
      ['an unknown v1 protocol', ascii('PROXY UDP4 192.0.2.1 198.51.100.1 1 2\r\n'), false, 'Received an unhandled protocol in the PROXY protocol header'],
      ['a v1 line without CRLF in 107 bytes', ascii('PROXY TCP4 ' + '1'.repeat(120)), false, 'Received an invalid PROXY protocol header'],
      ['a v2 length shorter than its addresses', hex(SIG + '21110008' + '0000000000000000'), false, 'Received an invalid PROXY protocol header'],
      ['a v2 length longer than what came, then FIN', hex(SIG + '21110020' + '00'.repeat(12)), true, 'Truncated PROXY protocol header received'],
      ['a v2 header longer than a buffer', hex(SIG + '2111ffff'), false, 'Truncated PROXY protocol header received'],
      ['a wrong CRC32C', hex(SIG + '21110013' + '00'.repeat(12) + '030004' + '12345678'), false, 'Received an invalid PROXY protocol header'],
      ['nothing, then FIN', null, true, 'Connection closed while waiting for PROXY protocol header'],
    ]
    for (const [name, bytes, fin, reason] of cases) {
      const before = lb.logs.length
      using c = await connectClient(lb.port())
      if (bytes !== null) await c.write(bytes)
      if (fin) c.shutdown()
      await c.waitClosed()
      expect([name, c.received]).toEqual([name, 0])
      await lb.waitLogs(before + 1)
      expect([name, lb.logs[before]]).toEqual([name, expect.stringMatching(refused(reason))])
    }
    expect(srv.accepted).toBe(1)
    expect(lb.frontend().handshakes.size).toBe(0)
    await good.write('second')
    await good.waitText('firstsecond')
    good.shutdown()
    await good.waitClosed()
    expect(lb.frontend().totalSessions).toBe(1)
  })

  test('timeout client: a connection still without a whole header is closed and logged; a silent one too', async () => {
    await using lb = await startLb(GLOBAL + cfg`
      frontend fe
        mode tcp
        bind 127.0.0.1:0 accept-proxy
        option tcplog
        timeout client 200ms
        default_backend be
      backend be
        mode tcp
        server s1 127.0.0.1:9`)
    using partial = await connectClient(lb.port())
    await partial.write('PROXY TCP4 192.0')
    using silent = await connectClient(lb.port())
    await Promise.all([partial.waitClosed(), silent.waitClosed()])
    expect(await lb.waitLogs(2)).toEqual([expect.stringMatching(refused('Timeout while waiting for PROXY protocol header')), expect.stringMatching(refused('Timeout while waiting for PROXY protocol header'))])
  })

  test('a connection reading its header holds a maxconn slot; one beyond waits in the kernel\'s queue, its header unread, until the slot frees', async () => {
    await using srv = startServer('s1', 'echo')
    await using lb = await startLb(GLOBAL + cfg`
      frontend fe
        mode tcp
        bind 127.0.0.1:0 accept-proxy
        maxconn 1
        option tcplog
        default_backend be
      backend be
        mode tcp
        server s1 127.0.0.1:${srv.port}`)
    const fe = lb.frontend()
    using slow = await connectClient(lb.port())
    await until(() => fe.handshakes.size === 1, 'the first connection to wait for its header')
    await until(() => fe.listenersPaused, 'the listener to pause (maxconn reached)')
    using next = await connectClient(lb.port())
    await next.write('PROXY TCP4 192.0.2.5 198.51.100.1 1000 80\r\nqueued')
    expect(fe.parked).toBe(0)
    expect([fe.cur, fe.handshakes.size, srv.accepted]).toEqual([1, 1, 0])
    slow.shutdown()
    await slow.waitClosed()
    await next.waitText('queued')
    expect(srv.conns[0]!.text()).toBe('queued')
    next.shutdown()
    await next.waitClosed()
    const logs = await lb.waitLogs(2)
    expect(logs[0]).toMatch(refused('Connection closed while waiting for PROXY protocol header'))
    expect(logs[1]).toStartWith('192.0.2.5:1000 [')
    expect([fe.cur, fe.parked, fe.handshakes.size, lb.engine.actconn]).toEqual([0, 0, 0, 0])
  })

  test('option dontlognull: a connection that sent nothing is not logged; one that sent something is', async () => {
    await using lb = await startLb(GLOBAL + cfg`
      frontend fe
        mode tcp
        bind 127.0.0.1:0 accept-proxy
        option tcplog
        option dontlognull
        default_backend be
      backend be
        mode tcp
        server s1 127.0.0.1:9`)
    using silent = await connectClient(lb.port())
    silent.shutdown()
    await silent.waitClosed()
    using bad = await connectClient(lb.port())
    await bad.write('hello\r\n')
    await bad.waitClosed()
    expect(await lb.waitLogs(1)).toEqual([expect.stringMatching(refused('Received something which does not look like a PROXY protocol header'))])
  })
})

describe('tcp-request connection expect-proxy layer4', () => {
  test('asks a header of the clients its condition names only; connection rules see the socket\'s address, session rules the header\'s', async () => {
    await using srv = startServer('s1', 'echo')
    await using lb = await startLb(GLOBAL + cfg`
      frontend fe
        mode tcp
        bind 127.0.0.1:0
        log-format "%ci %[fc_src] %[fc_rcvd_proxy]"
        stick-table type ip size 10 store conn_cnt
        tcp-request connection expect-proxy layer4 if { src 127.0.0.2 }
        tcp-request connection reject if { src 192.0.2.66 }
        tcp-request session track-sc0 src
        tcp-request session reject if { src 192.0.2.99 }
        default_backend be
      backend be
        mode tcp
        server s1 127.0.0.1:${srv.port}`)
    using trusted = await connectClient(lb.port(), { localAddress: '127.0.0.2' })
    await trusted.write('PROXY TCP4 192.0.2.66 198.51.100.1 5000 80\r\nvia-proxy')
    await trusted.waitText('via-proxy')
    trusted.shutdown()
    await trusted.waitClosed()
    // A client the rule does not name: no header expected; its header would be data.
    using direct = await connectClient(lb.port(), { localAddress: '127.0.0.4' })
    await direct.write('PROXY TCP4 192.0.2.1 198.51.100.1 5000 80\r\n')
    await direct.waitText('PROXY TCP4')
    direct.shutdown()
    await direct.waitClosed()
    // Session rules read the header's address.
    using denied = await connectClient(lb.port(), { localAddress: '127.0.0.2' })
    await denied.write('PROXY TCP4 192.0.2.99 198.51.100.1 5000 80\r\nx')
    await denied.waitClosed()
    expect(denied.received).toBe(0)
    expect(await lb.waitLogs(2)).toEqual(['192.0.2.66 127.0.0.2 1', '127.0.0.4 127.0.0.4 0'])
    const t = lb.engine.rules.tables.get('fe')!
    expect(['192.0.2.66', '127.0.0.4', '192.0.2.99'].map((k) => t.read(t.lookup(k)!, 'conn_cnt'))).toEqual([1, 1, 1])
    expect(t.lookup('127.0.0.2')).toBeUndefined()
    expect(srv.accepted).toBe(2)
  })
})

/** A server that answers each HTTP request on a connection (after whatever came before it). */
function httpServer(name: string): ReturnType<typeof startServer> {
  const srv = startServer(name, 'manual')
  srv.onAccept = (c) => {
    let answered = 0
    c.onData = (cc) => {
      const n = cc.text().split('\r\n\r\n').length - 1
      for (; answered < n; answered++) void cc.write(`HTTP/1.1 200 OK\r\ncontent-length: ${name.length}\r\n\r\n${name}`)
    }
  }
  return srv
}

describe('send-proxy', () => {
  test('v1 to a server: byte for byte, before the client\'s first byte', async () => {
    await using srv = startServer('s1', 'echo')
    await using lb = await startLb(GLOBAL + cfg`
      listen fe
        mode tcp
        bind 127.0.0.1:0
        server s1 127.0.0.1:${srv.port} send-proxy`)
    using c = await connectClient(lb.port())
    await c.write('hello')
    await serverGot(srv, 0, 'hello')
    expect(srv.conns[0]!.text()).toBe(`PROXY TCP4 127.0.0.1 127.0.0.1 ${c.localPort} ${lb.port()}\r\nhello`)
  })

  test('default-server send-proxy applies to every server; no-send-proxy turns it off for one', async () => {
    await using s1 = startServer('s1', 'echo')
    await using s2 = startServer('s2', 'echo')
    await using lb = await startLb(GLOBAL + cfg`
      listen fe
        mode tcp
        bind 127.0.0.1:0
        balance roundrobin
        default-server send-proxy
        server s1 127.0.0.1:${s1.port}
        server s2 127.0.0.1:${s2.port} no-send-proxy`)
    using a = await connectClient(lb.port())
    await a.write('a')
    await serverGot(s1, 0, 'a')
    using b = await connectClient(lb.port())
    await b.write('b')
    await serverGot(s2, 0, 'b')
    expect(s1.conns[0]!.text()).toBe(`PROXY TCP4 127.0.0.1 127.0.0.1 ${a.localPort} ${lb.port()}\r\na`)
    expect(s2.conns[0]!.text()).toBe('b')
  })

  test('v2 passes on what an accept-proxy header said; proxy-v2-options authority, crc32c, unique-id; byte for byte', async () => {
    await using srv = startServer('s1', 'echo')
    await using lb = await startLb(GLOBAL + cfg`
      listen fe
        mode tcp
        bind 127.0.0.1:0 accept-proxy
        server s1 127.0.0.1:${srv.port} send-proxy-v2 proxy-v2-options authority,crc32c,unique-id`)
    using c = await connectClient(lb.port())
    await c.write(Buffer.concat([v2([[0x02, 'www.example.com'], [0xe0, 'not passed on']]), ascii('data')]))
    await serverGot(srv, 0, 'data')
    // 12 address bytes, CRC32C (7), AUTHORITY (3 + 15), an empty UNIQUE_ID (no unique-id-format).
    const zeroed = SIG + '2111' + '0028' + 'c0000201' + 'c633640b' + 'dc04' + '01bb' + '030004' + '00000000' + '02000f' + ascii('www.example.com').toString('hex') + '050000'
    const crc = crc32c(hex(zeroed)).toString(16).padStart(8, '0')
    expect(srv.conns[0]!.bytes().toString('hex')).toBe(zeroed.replace('03000400000000', '030004' + crc) + ascii('data').toString('hex'))
  })

  test('unique-id: the stream\'s id from the frontend\'s unique-id-format, the same as %ID in its log line; one per request in http', async () => {
    await using srv = httpServer('s1')
    await using lb = await startLb(GLOBAL + cfg`
      frontend fe
        mode http
        bind 127.0.0.1:0
        unique-id-format "%ci:%cp-%HU"
        log-format "id=%ID"
        default_backend be
      backend be
        mode http
        server s1 127.0.0.1:${srv.port} send-proxy-v2 proxy-v2-options unique-id`)
    using c = await connectClient(lb.port())
    await c.write('GET /first HTTP/1.1\r\nhost: x\r\n\r\n')
    await c.waitText('s1')
    await c.write('GET /second HTTP/1.1\r\nhost: x\r\n\r\n')
    await c.changed.until(() => c.text().split('s1').length === 3, 'two answers')
    const ids = [`127.0.0.1:${c.localPort}-/first`, `127.0.0.1:${c.localPort}-/second`]
    expect(await lb.waitLogs(2)).toEqual(ids.map((id) => `id=${id}`))
    // The header differs with the id, so the second request does not reuse the first's connection.
    expect(srv.accepted).toBe(2)
    for (let i = 0; i < 2; i++) {
      const got = srv.conns[i]!.bytes()
      const tlv = Buffer.concat([hex('050000'), ascii(ids[i]!)])
      tlv.writeUInt16BE(ids[i]!.length, 1)
      expect(got.subarray(0, 28 + tlv.length).toString('hex')).toBe(SIG + '2111' + (12 + tlv.length).toString(16).padStart(4, '0') + '7f000001' + '7f000001' + c.localPort.toString(16).padStart(4, '0') + lb.port().toString(16).padStart(4, '0') + tlv.toString('hex'))
    }
  })

  test('send-proxy-v2-ssl and send-proxy-v2-ssl-cn from a plain client: the SSL TLV says "not TLS" (client 0, verify 0)', async () => {
    for (const kw of ['send-proxy-v2-ssl', 'send-proxy-v2-ssl-cn', 'send-proxy-v2 proxy-v2-options ssl-cipher,cert-sig,cert-key']) {
      await using srv = startServer('s1', 'echo')
      await using lb = await startLb(GLOBAL + cfg`
        listen fe
          mode tcp
          bind 127.0.0.1:0 accept-proxy
          server s1 127.0.0.1:${srv.port} ${kw}`)
      using c = await connectClient(lb.port())
      await c.write(Buffer.concat([ascii('PROXY TCP4 192.0.2.1 198.51.100.11 56324 443\r\n'), ascii('x')]))
      await serverGot(srv, 0, 'x')
      expect([kw, srv.conns[0]!.bytes().toString('hex')]).toEqual([kw, SIG + '2111' + '0014' + 'c0000201c633640bdc0401bb' + '200005' + '00' + '00000000' + '78'])
    }
  })

  test('http: keep-alive requests share their server connection and its header; another client gets its own, even with http-reuse always', async () => {
    await using srv = httpServer('s1')
    await using lb = await startLb(GLOBAL + cfg`
      listen fe
        mode http
        bind 127.0.0.1:0
        http-reuse always
        server s1 127.0.0.1:${srv.port} send-proxy`)
    using a = await connectClient(lb.port())
    await a.write('GET /1 HTTP/1.1\r\nhost: x\r\n\r\n')
    await a.waitText('s1')
    await a.write('GET /2 HTTP/1.1\r\nhost: x\r\n\r\n')
    await a.changed.until(() => a.text().split('s1').length === 3, 'two answers')
    using b = await connectClient(lb.port())
    await b.write('GET /3 HTTP/1.1\r\nhost: x\r\n\r\n')
    await b.waitText('s1')
    expect(srv.accepted).toBe(2)
    expect(srv.conns[0]!.text()).toMatch(new RegExp(`^PROXY TCP4 127\\.0\\.0\\.1 127\\.0\\.0\\.1 ${a.localPort} ${lb.port()}\\r\\nGET /1 HTTP/1\\.1\\r\\n[^]*GET /2 HTTP/1\\.1\\r\\n`))
    expect(srv.conns[0]!.text().split('PROXY').length).toBe(2)
    expect(srv.conns[1]!.text()).toStartWith(`PROXY TCP4 127.0.0.1 127.0.0.1 ${b.localPort} ${lb.port()}\r\nGET /3 HTTP/1.1\r\n`)
  })
})

describe('edgelb to edgelb', () => {
  test('http: send-proxy-v2 into accept-proxy keeps the client\'s address for the log and X-Forwarded-For', async () => {
    const seen: string[] = []
    await using app = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (r) => { seen.push(r.headers.get('x-forwarded-for') ?? ''); return new Response('app') } })
    await using inner = await startLb(GLOBAL + cfg`
      frontend fe
        mode http
        bind 127.0.0.1:0 accept-proxy
        option forwardfor
        log-format "%ci:%cp %HU fc_src=%[fc_src] pp=%[fc_rcvd_proxy]"
        default_backend be
      backend be
        mode http
        server app 127.0.0.1:${app.port}`)
    await using outer = await startLb(GLOBAL + cfg`
      listen edge
        mode http
        bind 127.0.0.1:0
        server inner 127.0.0.1:${inner.port()} send-proxy-v2`)
    using c = await connectClient(outer.port(), { localAddress: '127.0.0.2' })
    await c.write('GET /a HTTP/1.1\r\nhost: x\r\n\r\nGET /b HTTP/1.1\r\nhost: x\r\n\r\n')
    await c.changed.until(() => c.text().split('app').length === 3, 'two answers')
    expect(seen).toEqual(['127.0.0.2', '127.0.0.2'])
    expect(await inner.waitLogs(2)).toEqual([`127.0.0.2:${c.localPort} /a fc_src=127.0.0.1 pp=1`, `127.0.0.2:${c.localPort} /b fc_src=127.0.0.1 pp=1`])
  })

  test('tcp: send-proxy into accept-proxy: the client and the address it reached, in the log', async () => {
    await using srv = startServer('s1', 'echo')
    await using inner = await startLb(GLOBAL + cfg`
      listen fe
        mode tcp
        bind 127.0.0.1:0 accept-proxy
        log-format "%ci:%cp %fi:%fp"
        server s1 127.0.0.1:${srv.port}`)
    await using outer = await startLb(GLOBAL + cfg`
      listen edge
        mode tcp
        bind 127.0.0.1:0
        server inner 127.0.0.1:${inner.port()} send-proxy`)
    using c = await connectClient(outer.port(), { localAddress: '127.0.0.2' })
    await c.write('through two')
    await c.waitText('through two')
    expect(srv.conns[0]!.text()).toBe('through two')
    c.shutdown()
    await c.waitClosed()
    expect(await inner.waitLogs(1)).toEqual([`127.0.0.2:${c.localPort} 127.0.0.1:${outer.port()}`])
  })
})

describe('health checks', () => {
  test('check-send-proxy: a v1 line with the check connection\'s own addresses, before the check', async () => {
    await using srv = httpServer('s1')
    await using lb = await startLb(GLOBAL + cfg`
      backend be
        mode http
        option httpchk GET /health
        server s1 127.0.0.1:${srv.port} check inter 100 check-send-proxy`)
    await srv.waitAccepted(1)
    await srv.conns[0]!.waitText('\r\n\r\n')
    expect(srv.conns[0]!.text()).toMatch(new RegExp(`^PROXY TCP4 127\\.0\\.0\\.1 127\\.0\\.0\\.1 \\d+ ${srv.port}\\r\\nGET /health HTTP/1\\.0\\r\\n`))
    await until(() => lb.backend('be').servers[0]!.up, 's1 up')
  })

  test('a send-proxy-v2 server is checked with a LOCAL header; with a check port, only when check-send-proxy says so', async () => {
    await using srv = httpServer('s1')
    await using other = httpServer('s2')
    await using lb = await startLb(GLOBAL + cfg`
      backend be
        mode http
        option httpchk GET /health
        server s1 127.0.0.1:${srv.port} check inter 100 send-proxy-v2 proxy-v2-options crc32c
        server s2 127.0.0.1:1 check inter 100 port ${other.port} send-proxy-v2`)
    await srv.waitAccepted(1)
    await other.waitAccepted(1)
    await srv.conns[0]!.waitText('\r\n\r\n')
    await other.conns[0]!.waitText('\r\n\r\n')
    const local = hex(SIG + '2000' + '0007' + '030004' + '00000000')
    local.writeUInt32BE(crc32c(local), 19)
    expect(srv.conns[0]!.bytes().subarray(0, 23).toString('hex')).toBe(local.toString('hex'))
    expect(srv.conns[0]!.bytes().subarray(23).toString('latin1')).toStartWith('GET /health HTTP/1.0\r\n')
    expect(other.conns[0]!.text()).toStartWith('GET /health HTTP/1.0\r\n')
  })
})
