// TLS and the PROXY protocol on one connection, the header in clear before the handshake: a TLS
// bind behind a load balancer that sends a header first (`bind … accept-proxy ssl crt …`), a TLS
// server that expects one (`server … ssl send-proxy-v2`), and edgelb chained to edgelb. Raw
// clients write the header, then do TLS over the same socket (node:tls with `socket`).
import { describe, expect, test } from 'bun:test'
import net from 'node:net'
import tls from 'node:tls'
import { buildProxyV2, parseProxyHeader, PP2_TYPE, type ProxyHeader } from '../../src/net/proxy-protocol.ts'
import { nextChecks, serverOf } from '../support/checks.ts'
import { cfg, connectClient, startLb, startServer, until } from '../support/harness.ts'
import { headersOrigin, testPki, tlsRequest } from '../support/tls.ts'

const pki = testPki()
const ascii = (s: string): Buffer => Buffer.from(s, 'latin1')
const v1 = (src: string, port: number): Buffer => ascii(`PROXY TCP4 ${src} 198.51.100.11 ${port} 443\r\n`)
const v2 = (src: string, port: number): Buffer => Buffer.from(buildProxyV2({ addrs: { src, srcPort: port, dst: '198.51.100.11', dstPort: 443 } }))
const DATE = '\\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\]'

const GLOBAL = `global
  log stdout format raw local0
defaults
  log global
  timeout client 5s
  timeout server 5s
  timeout connect 1s
`

/** An HTTP frontend on `bind 127.0.0.1:0 accept-proxy ssl …` in front of `origin`, logging the
 *  client, SNI and the TLS version of each request. */
function httpFront(bind: string, originPort: number): string {
  return GLOBAL + cfg`
    frontend fe
      mode http
      bind 127.0.0.1:0 accept-proxy ssl ${bind}
      option forwardfor
      log-format "%ci:%cp %HU sni=%[ssl_fc_sni] %sslv fc_src=%[fc_src] pp=%[fc_rcvd_proxy]"
      default_backend be
    backend be
      mode http
      server app 127.0.0.1:${originPort}`
}

/**
 * A TLS origin behind a PROXY header (node:net reads it, node:tls does the handshake over the
 * rest): each request is answered with the header it came with (the v2 TLVs, SSL sub-TLVs
 * unpacked) and what its handshake looked like, as JSON.
 */
function proxiedTlsOrigin(): Promise<{ port: number; headers: ProxyHeader[] } & AsyncDisposable> {
  const ctx = tls.createSecureContext({ cert: pki.read('ip.crt'), key: pki.read('ip.key') })
  const headers: ProxyHeader[] = []
  const srv = net.createServer((sock) => {
    let buf = Buffer.alloc(0)
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d])
      const r = parseProxyHeader(buf, 16384)
      if (r.kind === 'need-more') return
      sock.removeListener('data', onData)
      if (r.kind === 'error') { sock.destroy(); return }
      headers.push(r.header)
      sock.pause()
      sock.unshift(buf.subarray(r.consumed))
      const t = new tls.TLSSocket(sock, { isServer: true, secureContext: ctx })
      t.on('data', () => {
        const body = JSON.stringify({ addrs: r.header.addrs, sni: (t as unknown as { servername?: string }).servername ?? false, protocol: t.getProtocol() })
        t.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`)
      })
      t.on('error', () => {})
    }
    sock.on('data', onData)
    sock.on('error', () => {})
  })
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({
    port: (srv.address() as net.AddressInfo).port,
    headers,
    async [Symbol.asyncDispose]() { await new Promise((r) => srv.close(r)) },
  })))
}

/** The SSL TLV of a v2 header: client flags, verify, sub-TLVs by type. */
function sslTlv(h: ProxyHeader): { client: number; verify: number; sub: Record<number, string> } | undefined {
  const t = h.tlvs.find((x) => x.type === PP2_TYPE.SSL)
  if (t === undefined) return undefined
  const v = Buffer.from(t.value)
  const sub: Record<number, string> = {}
  for (let i = 5; i + 3 <= v.length;) {
    const len = v.readUInt16BE(i + 1)
    sub[v[i]!] = v.subarray(i + 3, i + 3 + len).toString('latin1')
    i += 3 + len
  }
  return { client: v[0]!, verify: v.readUInt32BE(1), sub }
}

describe('bind … accept-proxy ssl: the header in clear, then the handshake', () => {
  test('v1 and v2 headers, each in the ClientHello\'s segment: the backend and the log see the header\'s address; TLS is the bind\'s', async () => {
    await using origin = headersOrigin()
    await using lb = await startLb(httpFront(`crt ${pki.file('a.pem')} alpn http/1.1`, origin.port))
    const a = await tlsRequest(lb.port(), { preface: v1('192.0.2.1', 50001), servername: 'a.test', ca: pki.ca, alpn: ['http/1.1'], path: '/one' })
    const b = await tlsRequest(lb.port(), { preface: v2('2001:db8::7', 50002), servername: 'a.test', ca: pki.ca, path: '/two' })
    expect([a.status, a.peerCn, a.alpn, JSON.parse(a.body)['x-forwarded-for']]).toEqual([200, 'a.test', 'http/1.1', '192.0.2.1'])
    expect([b.status, JSON.parse(b.body)['x-forwarded-for']]).toEqual([200, '2001:db8::7'])
    expect(await lb.waitLogs(2)).toEqual([
      '192.0.2.1:50001 /one sni=a.test TLSv1.3 fc_src=127.0.0.1 pp=1',
      '2001:db8::7:50002 /two sni=a.test TLSv1.3 fc_src=127.0.0.1 pp=1',
    ])
  })

  test('a header, then the ClientHello once edgelb read it; mode tcp offloads TLS', async () => {
    await using srv = startServer('s1', 'echo')
    await using lb = await startLb(GLOBAL + cfg`
      listen fe
        mode tcp
        bind 127.0.0.1:0 accept-proxy ssl crt ${pki.file('a.pem')}
        option tcplog
        server s1 127.0.0.1:${srv.port}`)
    const raw = net.connect(lb.port(), '127.0.0.1')
    await new Promise((r) => raw.once('connect', r))
    raw.write(v2('192.0.2.5', 40005))
    // The ClientHello in a segment of its own, once edgelb read the header.
    await until(() => [...lb.frontend().handshakes].some((h) => h.phase === 'tls'), 'the header read')
    const t = tls.connect({ socket: raw, servername: 'a.test', ca: pki.ca })
    await new Promise((r) => t.once('secureConnect', r))
    t.write('ping')
    const echoed = await new Promise<string>((r) => t.once('data', (d: Buffer) => r(d.toString())))
    t.end()
    expect(echoed).toBe('ping')
    // tcplog prints %ft: the frontend with a "~", the client having spoken TLS.
    expect((await lb.waitLogs(1))[0]).toMatch(new RegExp(`^192\\.0\\.2\\.5:40005 ${DATE} fe~ fe/s1 `))
  })

  test('SNI picks the certificate, as on a TLS bind: exact, SAN, wildcard, default; strict-sni refuses', async () => {
    await using origin = headersOrigin()
    await using lb = await startLb(httpFront(`crt ${pki.file('a.pem')} crt ${pki.file('b.pem')}`, origin.port))
    const cn = async (servername: string) => (await tlsRequest(lb.port(), { preface: v1('192.0.2.1', 1), servername })).peerCn
    expect([await cn('b.test'), await cn('www.b.test'), await cn('x.a.test'), await cn('unknown.test')]).toEqual(['b.test', 'b.test', 'a.test', 'a.test'])
    await using strict = await startLb(httpFront(`crt ${pki.file('a.pem')} crt ${pki.file('b.pem')} strict-sni`, origin.port))
    expect((await tlsRequest(strict.port(), { preface: v1('192.0.2.1', 1), servername: 'b.test' })).status).toBe(200)
    expect((await tlsRequest(strict.port(), { preface: v1('192.0.2.44', 4444), servername: 'unknown.test' })).ok).toBe(false)
    const lines = await strict.waitLogs(2)
    // The failure is logged as on a TLS bind, with the header's address.
    expect(lines.filter((l) => l.includes('SSL handshake failure'))).toEqual([expect.stringMatching(new RegExp(`^192\\.0\\.2\\.44:4444 ${DATE} fe/\\d+: SSL handshake failure$`))])
  })

  test('client certificates: verify required refuses a client without one, serves one with a good one', async () => {
    await using origin = headersOrigin()
    await using lb = await startLb(httpFront(`crt ${pki.file('a.pem')} verify required ca-file ${pki.file('cliCa.crt')}`, origin.port).replace('%sslv', '%sslv cn=%[ssl_c_s_dn(CN)]'))
    const good = await tlsRequest(lb.port(), { preface: v1('192.0.2.1', 1), servername: 'a.test', cert: pki.read('client1.crt'), key: pki.read('client1.key') })
    const none = await tlsRequest(lb.port(), { preface: v1('192.0.2.2', 2), servername: 'a.test' })
    expect([good.status, none.status]).toEqual([200, undefined])
    const lines = await lb.waitLogs(2)
    expect(lines).toContain('192.0.2.1:1 / sni=a.test TLSv1.3 cn=client1 fc_src=127.0.0.1 pp=1')
    expect(lines.filter((l) => / fe\/\d+: SSL /.test(l))).toEqual([expect.stringMatching(/^192\.0\.2\.2:2 /)])
  })

  test('a bad header, or no TLS after a good one, closes that connection only, logged; others are served meanwhile', async () => {
    await using origin = headersOrigin()
    await using lb = await startLb(httpFront(`crt ${pki.file('a.pem')}`, origin.port).replace('timeout client 5s', 'timeout client 1s'))
    const port = lb.port()
    using garbage = await connectClient(port)
    await garbage.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n')
    using clear = await connectClient(port)
    await clear.write(Buffer.concat([v1('192.0.2.66', 6666), ascii('GET / HTTP/1.1\r\nhost: x\r\n\r\n')]))
    using silent = await connectClient(port)
    await silent.write(v1('192.0.2.77', 7777))
    // Meanwhile, a good client.
    expect((await tlsRequest(port, { preface: v1('192.0.2.1', 1), servername: 'a.test', ca: pki.ca })).status).toBe(200)
    await Promise.all([garbage.waitClosed(), clear.waitClosed(), silent.waitClosed()])
    expect([garbage.received, clear.received, silent.received]).toEqual([0, 0, 0])
    const lines = await lb.waitLogs(4)
    expect(lines.filter((l) => !l.includes(' / sni=')).sort()).toEqual([
      expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:\\d+ ${DATE} fe/1: Received something which does not look like a PROXY protocol header$`)),
      expect.stringMatching(new RegExp(`^192\\.0\\.2\\.66:6666 ${DATE} fe/\\d+: SSL handshake failure$`)),
      expect.stringMatching(new RegExp(`^192\\.0\\.2\\.77:7777 ${DATE} fe/\\d+: Timeout during SSL handshake$`)),
    ])
    expect(lb.frontend().handshakeFailures).toBe(2)
    expect([lb.frontend().handshakes.size, lb.frontend().cur, lb.sessions().length]).toEqual([0, 0, 0])
  })

  test('stopping edgelb closes a connection in the handshake that follows its header', async () => {
    await using origin = headersOrigin()
    const lb = await startLb(httpFront(`crt ${pki.file('a.pem')}`, origin.port))
    using c = await connectClient(lb.port())
    await c.write(v1('192.0.2.1', 1))
    await until(() => [...lb.frontend().handshakes].some((h) => h.phase === 'tls'), 'the connection in its TLS handshake')
    await lb[Symbol.asyncDispose]()
    await c.waitClosed()
    expect([lb.frontend().handshakes.size, lb.frontend().cur]).toEqual([0, 0])
  })
})

describe('tcp-request connection expect-proxy on a bind … ssl', () => {
  test('the clients the condition names send a header before their handshake; the others do TLS at once; connection rules come before TLS, session rules after', async () => {
    await using origin = headersOrigin()
    await using lb = await startLb(GLOBAL + cfg`
      frontend fe
        mode http
        bind 127.0.0.1:0 ssl crt ${pki.file('a.pem')} crt ${pki.file('b.pem')}
        tcp-request connection expect-proxy layer4 if { src 127.0.0.2 }
        tcp-request session reject if { src 192.0.2.99 }
        option forwardfor
        log-format "%ci %HU sni=%[ssl_fc_sni] pp=%[fc_rcvd_proxy]"
        default_backend be
      backend be
        mode http
        server app 127.0.0.1:${origin.port}`)
    const proxied = await tlsRequest(lb.port(), { localAddress: '127.0.0.2', preface: v1('192.0.2.1', 1), servername: 'b.test', path: '/p' })
    const direct = await tlsRequest(lb.port(), { servername: 'a.test', path: '/d' })
    const refused = await tlsRequest(lb.port(), { localAddress: '127.0.0.2', preface: v1('192.0.2.99', 1), servername: 'a.test' })
    expect([proxied.status, proxied.peerCn, JSON.parse(proxied.body)['x-forwarded-for']]).toEqual([200, 'b.test', '192.0.2.1'])
    expect([direct.status, direct.peerCn, JSON.parse(direct.body)['x-forwarded-for']]).toEqual([200, 'a.test', '127.0.0.1'])
    // Refused by the session rule, once its handshake was done.
    expect([refused.protocol, refused.status]).toEqual(['TLSv1.3', undefined])
    expect(await lb.waitLogs(2)).toEqual(['192.0.2.1 /p sni=b.test pp=1', '127.0.0.1 /d sni=a.test pp=0'])
  })
})

describe('server … ssl send-proxy: the header in clear, then the handshake', () => {
  test('v1 and v2 before the ClientHello; verify, SNI and keep-alive as on any TLS server', async () => {
    await using origin = await proxiedTlsOrigin()
    await using lb = await startLb(GLOBAL + cfg`
      listen fe
        mode http
        bind 127.0.0.1:0
        server v1 127.0.0.1:${origin.port} ssl ca-file ${pki.file('srvca.crt')} sni str(localhost) send-proxy
      listen fe2
        mode http
        bind 127.0.0.1:0
        server v2 127.0.0.1:${origin.port} ssl verify none send-proxy-v2`)
    using c = await connectClient(lb.port('fe'), { localAddress: '127.0.0.2' })
    await c.write('GET /a HTTP/1.1\r\nhost: x\r\n\r\nGET /b HTTP/1.1\r\nhost: x\r\n\r\n')
    await c.changed.until(() => c.text().split('"TLSv1.3"}').length === 3, 'two answers')
    const bodies = c.text().split('HTTP/1.1 200 OK').slice(1).map((r) => JSON.parse(r.slice(r.indexOf('\r\n\r\n') + 4)))
    const seen = { addrs: { src: '127.0.0.2', srcPort: c.localPort, dst: '127.0.0.1', dstPort: lb.port('fe') }, sni: 'localhost', protocol: 'TLSv1.3' }
    expect(bodies).toEqual([seen, seen])
    // One connection for both requests: one header.
    expect(origin.headers.map((h) => h.version)).toEqual([1])
    using d = await connectClient(lb.port('fe2'))
    await d.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n')
    await d.waitText('"TLSv1.3"}')
    expect(origin.headers.map((h) => [h.version, h.addrs?.src, h.addrs?.srcPort])).toEqual([[1, '127.0.0.2', c.localPort], [2, '127.0.0.1', d.localPort]])
  })

  test('send-proxy-v2-ssl-cn with proxy-v2-options authority: the TLVs tell the client\'s TLS (version, CN, ALPN, SNI)', async () => {
    await using origin = await proxiedTlsOrigin()
    await using lb = await startLb(GLOBAL + cfg`
      listen fe
        mode http
        bind 127.0.0.1:0 ssl crt ${pki.file('a.pem')} alpn http/1.1 verify optional ca-file ${pki.file('cliCa.crt')}
        server s1 127.0.0.1:${origin.port} ssl verify none send-proxy-v2-ssl-cn proxy-v2-options authority`)
    const r = await tlsRequest(lb.port(), { servername: 'x.a.test', ca: pki.ca, alpn: ['http/1.1'], cert: pki.read('client1.crt'), key: pki.read('client1.key') })
    expect(r.status).toBe(200)
    const h = origin.headers[0]!
    const text = (type: number) => Buffer.from(h.tlvs.find((t) => t.type === type)?.value ?? []).toString('latin1')
    expect([text(PP2_TYPE.ALPN), text(PP2_TYPE.AUTHORITY)]).toEqual(['http/1.1', 'x.a.test'])
    // client: SSL | CERT_CONN | CERT_SESS; verify 0 (it passed).
    expect(sslTlv(h)).toEqual({ client: 0x07, verify: 0, sub: { [PP2_TYPE.SSL_VERSION]: 'TLSv1.3', [PP2_TYPE.SSL_CN]: 'client1' } })
  })

  test('check-ssl with the server\'s send-proxy-v2: the check\'s LOCAL header goes in clear, then its handshake; the server is up', async () => {
    await using origin = await proxiedTlsOrigin()
    await using lb = await startLb(GLOBAL + cfg`
      backend be
        mode http
        option httpchk GET /health
        server s1 127.0.0.1:${origin.port} ssl verify none send-proxy-v2 check inter 100ms
      frontend fe
        mode http
        bind 127.0.0.1:0
        default_backend be`)
    const s = serverOf(lb, 'be', 's1')
    await nextChecks(s, 2)
    expect([s.up, s.lastCheck?.status, s.lastCheck?.code]).toEqual([true, 'L7OK', 200])
    expect(origin.headers.length).toBeGreaterThanOrEqual(2)
    expect(origin.headers.every((h) => h.command === 'local')).toBe(true)
  })
})

describe('edgelb to edgelb', () => {
  test('server … ssl verify none send-proxy-v2 into bind … accept-proxy ssl: the original client\'s address, TLS on both hops', async () => {
    await using origin = headersOrigin()
    await using inner = await startLb(httpFront(`crt ${pki.file('a.pem')}`, origin.port))
    await using outer = await startLb(GLOBAL + cfg`
      listen edge
        mode http
        bind 127.0.0.1:0 ssl crt ${pki.file('b.pem')}
        server inner 127.0.0.1:${inner.port()} ssl verify none sni str(a.test) send-proxy-v2`)
    const socketFrom = (address: string) => {
      const s = net.connect({ port: outer.port(), host: '127.0.0.1', localAddress: address })
      s.on('error', () => {})
      return s
    }
    const r = await new Promise<string>((resolve, reject) => {
      const t = tls.connect({ socket: socketFrom('127.0.0.2'), servername: 'b.test', ca: pki.ca }, () => t.write('GET /x HTTP/1.1\r\nhost: b.test\r\nconnection: close\r\n\r\n'))
      let out = ''
      t.on('data', (d: Buffer) => { out += d.toString() })
      t.on('close', () => resolve(out))
      t.on('error', reject)
    })
    expect(JSON.parse(r.slice(r.indexOf('\r\n\r\n') + 4))['x-forwarded-for']).toBe('127.0.0.2')
    expect((await inner.waitLogs(1))[0]).toMatch(/^127\.0\.0\.2:\d+ \/x sni=a\.test TLSv1\.3 fc_src=127\.0\.0\.1 pp=1$/)
  })
})
