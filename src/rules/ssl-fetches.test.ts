import { describe, expect, test } from 'bun:test'
import { X509Certificate } from 'node:crypto'
import { testPki } from '../../test/support/tls.ts'
import type { TlsFacts } from '../net/types.ts'
import { compileExpr } from './expr.ts'
import { cipherBits, onelineDn, rfc2253Dn, utcTime } from './ssl-fetches.ts'
import type { StreamView } from './types.ts'
import { testCtx } from '../../test/support/rules-ctx.ts'

const pki = testPki()

function streamWith(cliTls: TlsFacts | null, srvTls: TlsFacts | null = null): StreamView {
  return { sess: { cliTls }, srvTls } as unknown as StreamView
}

const facts = (o: Partial<TlsFacts> = {}): TlsFacts => ({ sni: 'www.a.test', alpn: 'http/1.1', protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', resumed: false, peerCert: undefined, verifyResult: 0, ...o })

describe('ssl fetches', () => {
  const ev = (expr: string, s: StreamView) => compileExpr(expr, testCtx()).fn(s)

  test('on clear text, the booleans are false and the rest gives no sample', () => {
    const s = streamWith(null)
    expect([ev('ssl_fc', s), ev('ssl_c_used', s), ev('ssl_fc_has_sni', s), ev('ssl_bc', s)]).toEqual([false, false, false, false])
    expect([ev('ssl_fc_sni', s), ev('ssl_fc_protocol', s), ev('ssl_c_verify', s), ev('ssl_c_s_dn', s)]).toEqual([undefined, undefined, undefined, undefined])
  })

  test('the client connection and its certificate', () => {
    const cert = new X509Certificate(pki.read('client1.crt'))
    const s = streamWith(facts({ peerCert: cert, verifyResult: 0 }))
    expect([ev('ssl_fc', s), ev('ssl_fc_sni', s), ev('ssl_fc_alpn', s), ev('ssl_fc_protocol', s), ev('ssl_fc_cipher', s), ev('ssl_fc_use_keysize', s)]).toEqual([true, 'www.a.test', 'http/1.1', 'TLSv1.3', 'TLS_AES_256_GCM_SHA384', 256])
    expect([ev('ssl_c_used', s), ev('ssl_c_verify', s), ev('ssl_c_s_dn', s), ev('ssl_c_s_dn(CN)', s), ev('ssl_c_s_dn(O,1)', s), ev('ssl_c_s_dn(,,rfc2253)', s)]).toEqual([true, 0, '/C=FR/O=Edge/CN=client1', 'client1', 'Edge', 'CN=client1,O=Edge,C=FR'])
    expect(Buffer.from(ev('ssl_c_serial', s) as Uint8Array).toString('hex').toUpperCase()).toBe(cert.serialNumber.toUpperCase())
    expect(ev('ssl_c_notbefore', s)).toBe(utcTime(new Date(cert.validFrom)))
  })

  test('the server connection', () => {
    const s = streamWith(null, facts({ sni: 'b.test', resumed: true }))
    expect([ev('ssl_bc', s), ev('ssl_bc_sni', s), ev('ssl_bc_is_resumed', s), ev('ssl_fc', s)]).toEqual([true, 'b.test', true, false])
  })
})

describe('helpers', () => {
  test('DNs, dates and key sizes as HAProxy prints them', () => {
    expect(onelineDn('C=FR\nO=Edge\nCN=x')).toBe('/C=FR/O=Edge/CN=x')
    expect(rfc2253Dn('C=FR\nO=Edge\nCN=x')).toBe('CN=x,O=Edge,C=FR')
    expect(utcTime(new Date(Date.UTC(2026, 11, 7, 23, 5, 9)))).toBe('261207230509Z')
    expect([cipherBits('ECDHE-ECDSA-AES128-GCM-SHA256'), cipherBits('TLS_CHACHA20_POLY1305_SHA256'), cipherBits('TLS_AES_256_GCM_SHA384')]).toEqual([128, 256, 256])
  })
})
