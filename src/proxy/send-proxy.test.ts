import { describe, expect, test } from 'bun:test'
import type { PpFlag } from '../model/types.ts'
import { parseProxyHeader, type ProxyHeader } from '../net/proxy-protocol.ts'
import type { ProxiedConn } from '../rules/types.ts'
import { buildServerProxyHeader, type ClientTlsFacts, type PpSource } from './send-proxy.ts'

const SIG = '0d0a0d0a000d0a515549540a'
const ADDRS = 'c0000201c633640bdc0401bb' // 192.0.2.1:56324 -> 198.51.100.11:443

function source(over: { tls?: ClientTlsFacts; proxied?: ProxiedConn; cliAddr?: string } = {}): PpSource {
  return {
    cliAddr: over.cliAddr ?? '192.0.2.1', cliPort: 56324, dstAddr: '198.51.100.11', dstPort: 443,
    proxied: over.proxied ?? null,
    tlsFacts: () => over.tls ?? null,
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const text = (s: string) => Buffer.from(s).toString('hex')
const build = (flags: PpFlag[], src = source(), id = '') => hex(buildServerProxyHeader(flags, src, () => id))

describe('the header a server connection begins with', () => {
  test('v1 unless a v2 flag is set (proxy-v2-options alone gives a v1 line, as in HAProxy)', () => {
    const v1 = text('PROXY TCP4 192.0.2.1 198.51.100.11 56324 443\r\n')
    expect(build(['v1'])).toBe(v1)
    expect(build(['crc32c'])).toBe(v1)
    expect(build(['v1', 'v2'])).toBe(SIG + '2111000c' + ADDRS)
  })

  test('a unix-socket client: v1 UNKNOWN, v2 LOCAL', () => {
    expect(build(['v1'], source({ cliAddr: '' }))).toBe(text('PROXY UNKNOWN\r\n'))
    expect(build(['v2'], source({ cliAddr: '' }))).toBe(SIG + '20000000')
  })

  test('authority passes on the client\'s own AUTHORITY TLV, else its TLS SNI, else nothing', () => {
    const r = parseProxyHeader(Buffer.from(SIG + '20000008' + '020005' + text('a.b.c'), 'hex'), 16384)
    const header = (r as { header: ProxyHeader }).header
    const proxied: ProxiedConn = { header, fcSrc: '127.0.0.1', fcSrcPort: 1, fcDst: '127.0.0.1', fcDstPort: 2 }
    expect(build(['v2', 'authority'], source({ proxied }))).toBe(SIG + '21110014' + ADDRS + '020005' + text('a.b.c'))
    const tls: ClientTlsFacts = { version: 'TLSv1.3', sni: 'sni.example', certConn: false, certSess: false, verify: 0 }
    expect(build(['v2', 'authority'], source({ tls }))).toBe(SIG + '2111001a' + ADDRS + '02000b' + text('sni.example'))
    expect(build(['v2', 'authority'])).toBe(SIG + '2111000c' + ADDRS)
  })

  test('unique-id sends the stream\'s id, an empty TLV when there is none', () => {
    expect(build(['v2', 'unique-id'], source(), 'abc')).toBe(SIG + '21110012' + ADDRS + '050003' + text('abc'))
    expect(build(['v2', 'unique-id'])).toBe(SIG + '2111000f' + ADDRS + '050000')
  })

  test('the SSL TLV of a plain client: client 0, verify 0, nothing else, whatever the SSL options', () => {
    expect(build(['v2', 'ssl', 'cert-cn', 'ssl-cipher', 'cert-sig', 'cert-key'])).toBe(SIG + '21110014' + ADDRS + '200005' + '00' + '00000000')
  })

  test('the SSL TLV of a TLS client (what the TLS side provides through tlsFacts), ALPN first', () => {
    const tls: ClientTlsFacts = { version: 'TLSv1.3', alpn: 'h2', certConn: true, certSess: true, verify: 0, cn: 'client1', cipher: 'TLS_AES_128_GCM_SHA256', sigAlg: 'ecdsa-with-SHA256', keyAlg: 'EC256' }
    const sub = '210007' + text('TLSv1.3') + '220007' + text('client1') + '250005' + text('EC256') + '240011' + text('ecdsa-with-SHA256') + '230016' + text('TLS_AES_128_GCM_SHA256')
    const ssl = '20' + (5 + sub.length / 2).toString(16).padStart(4, '0') + '07' + '00000000' + sub
    const body = ADDRS + '010002' + text('h2') + ssl
    expect(build(['v2', 'ssl', 'cert-cn', 'ssl-cipher', 'cert-sig', 'cert-key'], source({ tls }))).toBe(SIG + '2111' + (body.length / 2).toString(16).padStart(4, '0') + body)
    // Without a certificate: no CERT bits, verify 0; CN only with cert-cn.
    const anon: ClientTlsFacts = { version: 'TLSv1.2', certConn: false, certSess: false, verify: 0 }
    expect(build(['v2', 'ssl'], source({ tls: anon }))).toBe(SIG + '2111001e' + ADDRS + '20000f' + '01' + '00000000' + '210007' + text('TLSv1.2'))
  })
})
