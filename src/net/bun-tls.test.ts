// TLS under Bun (net/bun-tls.ts): the Sock contract holds over TLS (the shared conformance cases
// run with every listener and connection in TLS), and the runtime facts the adapter relies on:
// SNI through the serverName handler, open only after the handshake, ALPN in wire format.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import net from 'node:net'
import tls from 'node:tls'
import { testPki, tlsRequest } from '../../test/support/tls.ts'
import { until } from '../../test/support/wait.ts'
import { now } from '../core/clock.ts'
import { startWheelDriver } from '../core/timer-wheel.ts'
import { wheel } from '../core/wheel.ts'
import { sockCases, useTls } from './conformance.ts'
import { connect, listen, startTls, tlsContext, tlsFacts, type Listener, type Sock, type SockHandlers, type TlsListen } from './runtime.ts'
import { alpnWire } from './bun-tls.ts'

const pki = testPki()
const spec = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', tickets: true } as const
const listenTls = (extra: Partial<TlsListen> = {}): TlsListen => ({
  default: tlsContext({ ...spec, cert: pki.read('a.crt'), key: pki.read('a.key') }),
  requireSni: false,
  alpn: [],
  verify: 'none',
  ignoreVerifyErrors: false,
  handshakeTimeout: Infinity,
  ...extra,
})

describe('the Sock contract over TLS', () => {
  beforeAll(() => useTls({ listen: listenTls(), connect: { context: tlsContext({ ...spec, ca: pki.ca }), verify: true, verifyHost: 'a.test', alpn: [], reuse: false } }))
  afterAll(() => useTls(null))
  for (const c of sockCases) {
    // Source addresses and unix sockets are the clear-text adapter's; the rest is TLS's too.
    if (/source address|unix/.test(c.name)) continue
    test(c.name, () => c.run())
  }
})

describe('the Sock contract over TLS started after a preface in clear (startTls, ConnectTarget.preface)', () => {
  beforeAll(() => useTls({ late: true, listen: listenTls(), connect: { context: tlsContext({ ...spec, ca: pki.ca }), verify: true, verifyHost: 'a.test', alpn: [], reuse: false } }))
  afterAll(() => useTls(null))
  for (const c of sockCases) {
    if (/source address|unix/.test(c.name)) continue
    test(c.name, () => c.run())
  }
})

describe('runtime facts', () => {
  test('ALPN wire format: each protocol prefixed by its length', () => {
    expect([...alpnWire(['h2', 'http/1.1'])]).toEqual([2, 0x68, 0x32, 8, ...Buffer.from('http/1.1')])
  })

  test('open comes after the handshake, with the name chosen through select(); facts read then', async () => {
    const b = tlsContext({ ...spec, cert: pki.read('b.crt'), key: pki.read('b.key') })
    const seen: string[] = []
    const opened: Sock<unknown>[] = []
    let serverOpen!: () => void
    const served = new Promise<void>((r) => { serverOpen = r })
    const h: SockHandlers<unknown> = {
      open(s) { opened.push(s); const f = tlsFacts(s)!; seen.push(`${f.sni} ${f.protocol} ${f.alpn}`); serverOpen() },
      data() {}, drain() {}, end() {}, close() {},
    }
    const l = listen({ kind: 'tcp', host: '127.0.0.1', port: 0 }, h, { tls: listenTls({ select: (n) => (n === 'b.test' ? b : undefined), alpn: ['http/1.1'] }) })
    try {
      const cn = await new Promise<string>((resolve, reject) => {
        const c = tls.connect({ port: l.port, host: '127.0.0.1', servername: 'b.test', ca: pki.ca, ALPNProtocols: ['h2', 'http/1.1'] }, () => { resolve(c.getPeerCertificate().subject.CN as string); c.end() })
        c.on('error', reject)
      })
      expect(cn).toBe('b.test')
      await served
      expect(seen).toEqual(['b.test TLSv1.3 http/1.1'])
    } finally {
      l.stop()
      for (const s of opened) s.terminate()
    }
  })

  test('a connection to a server whose certificate does not verify reports connectError only', async () => {
    const l = listen({ kind: 'tcp', host: '127.0.0.1', port: 0 }, { data() {}, drain() {}, end() {}, close() {}, open() {} }, { tls: listenTls() })
    try {
      const events: string[] = []
      await new Promise<void>((resolve) => {
        connect({ host: '127.0.0.1', port: l.port, tls: { context: tlsContext({ ...spec, ca: pki.clientCa }), verify: true, alpn: [], reuse: false } }, null, {
          open() { events.push('open'); resolve() },
          data() {}, drain() {}, end() {},
          close() { events.push('close') },
          connectError(_s, e) { events.push(`connectError ${e.message}`); resolve() },
        })
      })
      await new Promise((r) => setTimeout(r, 20))
      expect(events).toEqual(['connectError server certificate refused: UNABLE_TO_VERIFY_LEAF_SIGNATURE'])
    } finally {
      l.stop()
    }
  })

  test('a failed handshake closes the socket, though the client keeps its own side open', async () => {
    const failures: string[] = []
    const l = listen({ kind: 'tcp', host: '127.0.0.1', port: 0 }, { open() {}, data() {}, drain() {}, end() {}, close() {}, handshakeError(_s, e) { failures.push(e.message) } }, { tls: listenTls() })
    try {
      const events: string[] = []
      await new Promise<void>((resolve) => {
        // Our clear client is half-open: it never closes its side on the server's FIN.
        connect({ host: '127.0.0.1', port: l.port }, null, {
          open(s) { s.write(Buffer.from('GET / HTTP/1.1\r\n\r\n')) },
          data() {}, drain() {},
          end() { events.push('end') },
          close() { events.push('close'); resolve() },
        })
      })
      expect(events.at(-1)).toBe('close')
      expect(failures).toHaveLength(1)
    } finally {
      l.stop()
    }
  })

  describe('TLS started on an accepted socket (startTls), after a line in clear', () => {
    /** A `startsTls` listener: each connection's first line (up to CRLF) is noted, then TLS starts
     *  with `tls` and what came after the line; `events` lists what the TLS side reported. */
    function lineThenTls(tls: TlsListen, o: { deadline?: () => number } = {}): { l: Listener; lines: string[]; events: string[]; returned: string[]; opened: Sock<unknown>[] } & Disposable {
      const lines: string[] = []
      const events: string[] = []
      const returned: string[] = []
      const opened: Sock<unknown>[] = []
      const tlsSide: SockHandlers<string> = {
        open(s) { opened.push(s); const f = tlsFacts(s)!; events.push(`open ${s.data} ${f.sni} ${f.protocol} ${f.alpn} ${f.peerCert?.subject.replace(/\n/g, ',')}`) },
        data(s, chunk) { s.write(chunk) },
        drain() {}, end(s) { s.end() },
        close(s) { events.push(`close ${s.data}`) },
        handshakeError(s, e) { events.push(`handshakeError ${s.data} ${e.message}`) },
      }
      const l = listen<Buffer | undefined>({ kind: 'tcp', host: '127.0.0.1', port: 0 }, {
        open() {},
        data(s, chunk) {
          const buf = s.data === undefined ? chunk : Buffer.concat([s.data, chunk])
          const i = buf.indexOf('\r\n')
          if (i < 0) { s.data = buf; return }
          lines.push(buf.subarray(0, i).toString())
          const data = `conn${lines.length}`
          const t = startTls(s, tlsSide, { data, tls, initial: buf.subarray(i + 2), ...(o.deadline ? { deadline: o.deadline() } : {}) })
          void t
          returned.push(`${data} returned`)
        },
        drain() {}, end() { events.push('clear end') }, close() { events.push('clear close') },
      }, { startsTls: true })
      return { l, lines, events, returned, opened, [Symbol.dispose]() { l.stop(); for (const s of opened) s.terminate() } }
    }

    test('SNI through select(), ALPN and versions as on a TLS listener; the line and the ClientHello in one segment', async () => {
      const b = tlsContext({ ...spec, cert: pki.read('b.crt'), key: pki.read('b.key') })
      using srv = lineThenTls(listenTls({ select: (n) => (n === 'b.test' ? b : undefined), alpn: ['http/1.1'] }))
      const r1 = await tlsRequest(srv.l.port, { preface: Buffer.from('HELLO one\r\n'), servername: 'b.test', ca: pki.ca, alpn: ['h2', 'http/1.1'], send: 'ping', firstData: true })
      const r2 = await tlsRequest(srv.l.port, { preface: Buffer.from('HELLO two\r\n'), servername: 'a.test', ca: pki.ca, maxVersion: 'TLSv1.2', send: 'pong', firstData: true })
      expect([r1.peerCn, r1.alpn, r1.protocol, r1.response]).toEqual(['b.test', 'http/1.1', 'TLSv1.3', 'ping'])
      expect([r2.peerCn, r2.protocol, r2.response]).toEqual(['a.test', 'TLSv1.2', 'pong'])
      expect(srv.lines).toEqual(['HELLO one', 'HELLO two'])
      expect(srv.events.filter((e) => e.startsWith('open'))).toEqual(['open conn1 b.test TLSv1.3 http/1.1 undefined', 'open conn2 a.test TLSv1.2 undefined undefined'])
      // The clear socket reports nothing once its TLS started.
      expect(srv.events.filter((e) => e.startsWith('clear'))).toEqual([])
    })

    test('settings the context holds apply: a TLS 1.2-only listener refuses TLS 1.3 alone', async () => {
      using srv = lineThenTls(listenTls({ default: tlsContext({ ...spec, maxVersion: 'TLSv1.2', cert: pki.read('a.crt'), key: pki.read('a.key') }) }))
      expect((await tlsRequest(srv.l.port, { preface: Buffer.from('x\r\n'), ca: pki.ca, servername: 'a.test', send: 'a', firstData: true })).protocol).toBe('TLSv1.2')
      expect((await tlsRequest(srv.l.port, { preface: Buffer.from('x\r\n'), ca: pki.ca, servername: 'a.test', minVersion: 'TLSv1.3' })).ok).toBe(false)
    })

    test('client certificates: verify required refuses a client without one; one signed by the CA opens', async () => {
      using srv = lineThenTls(listenTls({ default: tlsContext({ ...spec, cert: pki.read('a.crt'), key: pki.read('a.key'), ca: pki.clientCa }), verify: 'required' }))
      const good = await tlsRequest(srv.l.port, { preface: Buffer.from('x\r\n'), ca: pki.ca, servername: 'a.test', cert: pki.read('client1.crt'), key: pki.read('client1.key'), send: 'hi', firstData: true })
      expect(good.response).toBe('hi')
      await tlsRequest(srv.l.port, { preface: Buffer.from('x\r\n'), ca: pki.ca, servername: 'a.test', send: 'hi' })
      await until(() => srv.events.some((e) => e.startsWith('handshakeError')), 'the refusal')
      // As on a TLS listener, the library itself refuses a client without a certificate.
      expect(srv.events.filter((e) => !e.startsWith('close'))).toEqual(['open conn1 a.test TLSv1.3 undefined C=FR,O=Edge,CN=client1', 'handshakeError conn2 error:100000c0:SSL routines:OPENSSL_internal:PEER_DID_NOT_RETURN_A_CERTIFICATE'])
    })

    test('bytes that are no TLS after the line: handshakeError, with the data it was given, before startTls returns; nothing else', async () => {
      using srv = lineThenTls(listenTls())
      await new Promise<void>((resolve) => {
        const c = net.connect(srv.l.port, '127.0.0.1', () => c.write('PROXY x\r\nGET / HTTP/1.1\r\n\r\n'))
        c.on('close', () => resolve())
        c.on('error', () => {})
      })
      await until(() => srv.returned.length === 1, 'startTls to return')
      expect(srv.events).toHaveLength(1)
      expect(srv.events[0]).toStartWith('handshakeError conn1 ')
      // It came first: startTls had not returned yet.
      expect(srv.returned).toEqual(['conn1 returned'])
    })

    test('the deadline given bounds the handshake; a silent client gets handshakeError', async () => {
      const driver = startWheelDriver(wheel)
      using _driven = { [Symbol.dispose]: () => driver.stop() }
      using srv = lineThenTls(listenTls(), { deadline: () => now() + 50 })
      const t0 = performance.now()
      await new Promise<void>((resolve) => {
        const c = net.connect(srv.l.port, '127.0.0.1', () => c.write('silent\r\n'))
        c.on('close', () => resolve())
        c.on('error', () => {})
      })
      expect(performance.now() - t0).toBeGreaterThanOrEqual(40)
      expect(srv.events).toEqual(['handshakeError conn1 TLS handshake timeout'])
    })
  })

  test('a connection with a preface: sent in clear, then TLS; a function preface gets the clear socket; a refused certificate is a connectError only', async () => {
    using srv = (() => {
      const got: string[] = []
      const tls = listenTls()
      const l = listen<Buffer | undefined>({ kind: 'tcp', host: '127.0.0.1', port: 0 }, {
        data(s, chunk) {
          const buf = s.data === undefined ? chunk : Buffer.concat([s.data, chunk])
          const i = buf.indexOf('\r\n')
          if (i < 0) { s.data = buf; return }
          got.push(buf.subarray(0, i).toString())
          startTls(s, { data(t, c) { t.write(c) }, drain() {}, end(t) { t.end() }, close() {} }, { data: undefined, tls, initial: buf.subarray(i + 2) })
        },
        drain() {}, end() {}, close() {},
      }, { startsTls: true })
      return { l, got, [Symbol.dispose]: () => l.stop() }
    })()
    const run = (preface: Uint8Array | ((s: Sock<unknown>) => Uint8Array), ca: string, verifyHost: string) => new Promise<string[]>((resolve) => {
      const events: string[] = []
      connect({ host: '127.0.0.1', port: srv.l.port, preface, tls: { context: tlsContext({ ...spec, ca }), verify: true, verifyHost, alpn: [], reuse: false } }, 'mine', {
        open(s) { events.push(`open ${s.data} ${tlsFacts(s)?.protocol}`); s.write(Buffer.from('echo')) },
        data(s, c) { events.push(`data ${c}`); s.end() },
        drain() {}, end() {},
        close(s) { events.push(`close ${s.data}`); resolve(events) },
        connectError(s, e) { events.push(`connectError ${s.data} ${e.message}`); resolve(events) },
      })
    })
    expect(await run(Buffer.from('FIXED\r\n'), pki.ca, 'a.test')).toEqual(['open mine TLSv1.3', 'data echo', 'close mine'])
    expect(await run((s) => Buffer.from(`FROM ${s.localAddress}\r\n`), pki.ca, 'a.test')).toEqual(['open mine TLSv1.3', 'data echo', 'close mine'])
    expect(await run(Buffer.from('BAD\r\n'), pki.ca, 'b.test')).toEqual(["connectError mine server certificate refused: it is not for 'b.test'"])
    expect(srv.got).toEqual(['FIXED', 'FROM 127.0.0.1', 'BAD'])
  })
})
