// TLS under Bun (net/bun-tls.ts): the Sock contract holds over TLS (the shared conformance cases
// run with every listener and connection in TLS), and the runtime facts the adapter relies on:
// SNI through the serverName handler, open only after the handshake, ALPN in wire format.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import tls from 'node:tls'
import { testPki } from '../../test/support/tls.ts'
import { sockCases, useTls } from './conformance.ts'
import { connect, listen, tlsContext, tlsFacts, type Sock, type SockHandlers, type TlsListen } from './runtime.ts'
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
})
