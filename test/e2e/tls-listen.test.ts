/**
 * TLS on the listening side, end to end: certificates the test makes (test/support/tls.ts), an
 * in-process edgelb, real clients (curl, node:tls, fetch). SNI selection, strict-sni, crt
 * directories and crt-lists, ALPN, protocol versions and ciphers, client certificates, TLS
 * offload in mode tcp, the SSL facts rules and logs read, resumption, and bad input.
 */
import { describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import net from 'node:net'
import { join } from 'node:path'
import { cfg, startLb, startServer } from '../support/harness.ts'
import { headersOrigin, runCmd, testPki, tlsRequest } from '../support/tls.ts'

const pki = testPki()

/** A frontend `fe` with `bind` (its options after `bind 127.0.0.1:0`) and `lines`, to `be`. */
function httpConfig(bind: string, backendPort: number, lines: string[] = [], defaults: string[] = []): string {
  return cfg`
global
  log stdout format raw local0
defaults
  mode http
  log global
  timeout client 5s
  timeout server 5s
  timeout connect 1s
  ${defaults.join('\n  ')}
frontend fe
  bind 127.0.0.1:0 ${bind}
  ${lines.join('\n  ')}
  default_backend be
backend be
  server s1 127.0.0.1:${backendPort}
`
}

const curl = (port: number, host: string, extra: string[] = []) =>
  runCmd(['curl', '-sS', '--max-time', '5', '--cacert', pki.file('srvca.crt'), '--resolve', `${host}:${port}:127.0.0.1`, ...extra, `https://${host}:${port}/`])

describe('certificates and SNI', () => {
  test('SNI picks the certificate by exact name, wildcard and SAN; no SNI or an unknown name gets the first', async () => {
    await using origin = headersOrigin()
    await using lb = await startLb(httpConfig(`ssl crt ${pki.file('a.pem')} crt ${pki.file('b.pem')} crt ${pki.file('c.pem')}`, origin.port))
    const port = lb.port()
    const cn = async (servername?: string) => (await tlsRequest(port, servername === undefined ? {} : { servername })).peerCn
    expect(await cn('a.test')).toBe('a.test')
    expect(await cn('b.test')).toBe('b.test')
    expect(await cn('www.b.test')).toBe('b.test') // SAN
    expect(await cn('x.a.test')).toBe('a.test') // wildcard
    expect(await cn('X.A.TEST')).toBe('a.test') // names are case-insensitive
    expect(await cn('c.test')).toBe('c.test') // CN alone
    expect(await cn('deep.x.a.test')).toBe('a.test') // the wildcard is one level: default
    expect(await cn('unknown.test')).toBe('a.test')
    expect(await cn()).toBe('a.test')
    // curl checks the chain and the name it asked for.
    const r = await curl(port, 'www.b.test')
    expect([r.code, JSON.parse(r.out).host]).toEqual([0, `www.b.test:${port}`])
  })

  test('strict-sni refuses a handshake whose name no certificate has, and one without SNI', async () => {
    await using origin = headersOrigin()
    await using lb = await startLb(httpConfig(`ssl crt ${pki.file('a.pem')} crt ${pki.file('b.pem')} strict-sni`, origin.port))
    const port = lb.port()
    expect((await tlsRequest(port, { servername: 'b.test' })).status).toBe(200)
    expect((await tlsRequest(port, { servername: 'a.test' })).status).toBe(200)
    expect((await tlsRequest(port, { servername: 'unknown.test' })).ok).toBe(false)
    expect((await tlsRequest(port, {})).ok).toBe(false)
    const lines = await lb.waitLogs(2)
    expect(lines.filter((l) => l.endsWith(': SSL handshake failure'))).toHaveLength(2)
  })

  test('crt DIR loads every certificate file of the directory, but side files', async () => {
    await using origin = headersOrigin()
    const dir = join(pki.dir, 'certdir')
    await runCmd(['mkdir', '-p', dir])
    writeFileSync(join(dir, 'a.pem'), pki.read('a.pem'))
    // b's key in a side file, as HAProxy reads it.
    writeFileSync(join(dir, 'b.pem'), pki.read('b.crt'))
    writeFileSync(join(dir, 'b.pem.key'), pki.read('b.key'))
    await using lb = await startLb(httpConfig(`ssl crt ${dir}`, origin.port))
    expect((await tlsRequest(lb.port(), { servername: 'b.test', ca: pki.ca })).peerCn).toBe('b.test')
    expect((await tlsRequest(lb.port(), { servername: 'a.test', ca: pki.ca })).peerCn).toBe('a.test')
  })

  test('crt-list: SNI filters replace the certificate names, negative filters exclude some', async () => {
    await using origin = headersOrigin()
    const list = join(pki.dir, 'list.crtlist')
    writeFileSync(list, [
      '# the default first',
      `${pki.file('c.pem')}`,
      `${pki.file('a.pem')} [ocsp-update off] *.a.test !secret.a.test`,
      `b.pem other.test`,
      '',
    ].join('\n'))
    await using lb = await startLb(httpConfig(`ssl crt-list ${list}`, origin.port, [], []).replace('global\n', `global\n  crt-base ${pki.dir}\n`))
    const cn = async (servername: string) => (await tlsRequest(lb.port(), { servername })).peerCn
    expect(await cn('www.a.test')).toBe('a.test')
    expect(await cn('secret.a.test')).toBe('c.test') // excluded: the default
    expect(await cn('other.test')).toBe('b.test') // the filter
    expect(await cn('b.test')).toBe('c.test') // its own name is replaced by the filter
  })
})

describe('protocols, ALPN, ciphers', () => {
  test('alpn h2,http/1.1 in mode http: a client offering http/1.1 alone gets it, curl negotiates h2', async () => {
    await using origin = headersOrigin()
    await using lb = await startLb(httpConfig(`ssl crt ${pki.file('a.pem')} alpn h2,http/1.1`, origin.port))
    const r = await tlsRequest(lb.port(), { servername: 'a.test', alpn: ['http/1.1'] })
    expect([r.alpn, r.status]).toEqual(['http/1.1', 200])
    const c = await curl(lb.port(), 'a.test', ['-w', '%{http_version}', '-o', '/dev/null'])
    expect(c.out).toBe('2')
  })

  test('TLS 1.2 and 1.3 by default; TLS 1.0 and 1.1 refused; ssl-min-ver and force-tlsv12 apply', async () => {
    await using origin = headersOrigin()
    {
      await using lb = await startLb(httpConfig(`ssl crt ${pki.file('a.pem')}`, origin.port))
      expect((await tlsRequest(lb.port(), {})).protocol).toBe('TLSv1.3')
      expect((await tlsRequest(lb.port(), { maxVersion: 'TLSv1.2' })).protocol).toBe('TLSv1.2')
      expect((await tlsRequest(lb.port(), { minVersion: 'TLSv1', maxVersion: 'TLSv1.1' })).ok).toBe(false)
    }
    {
      await using lb = await startLb(httpConfig(`ssl crt ${pki.file('a.pem')} ssl-min-ver TLSv1.3`, origin.port))
      expect((await tlsRequest(lb.port(), { maxVersion: 'TLSv1.2' })).ok).toBe(false)
    }
    {
      await using lb = await startLb(httpConfig(`ssl crt ${pki.file('a.pem')} force-tlsv12 ciphers ECDHE-ECDSA-AES256-GCM-SHA384`, origin.port))
      const r = await tlsRequest(lb.port(), {})
      expect([r.protocol, r.cipher]).toEqual(['TLSv1.2', 'ECDHE-ECDSA-AES256-GCM-SHA384'])
    }
    {
      // The global defaults apply to binds that do not say.
      const text = httpConfig(`ssl crt ${pki.file('a.pem')}`, origin.port).replace('global\n', 'global\n  ssl-default-bind-options ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2 no-tls-tickets\n  ssl-default-bind-ciphers ECDHE-ECDSA-CHACHA20-POLY1305\n')
      await using lb = await startLb(text)
      const r = await tlsRequest(lb.port(), {})
      expect([r.protocol, r.cipher]).toEqual(['TLSv1.2', 'ECDHE-ECDSA-CHACHA20-POLY1305'])
    }
  })

  test('sessions resume with tickets; no-tls-tickets resumes none', async () => {
    await using origin = headersOrigin()
    for (const [opt, resumes] of [['', true], ['no-tls-tickets', false]] as const) {
      await using lb = await startLb(httpConfig(`ssl crt ${pki.file('a.pem')} ${opt}`, origin.port, ['http-request set-header X-Resumed %[ssl_fc_is_resumed]']))
      const first = await tlsRequest(lb.port(), { maxVersion: 'TLSv1.2' })
      expect(first.resumed).toBe(false)
      const second = await tlsRequest(lb.port(), { maxVersion: 'TLSv1.2', session: first.session! })
      expect(second.resumed).toBe(resumes)
      expect(JSON.parse(second.body)['x-resumed']).toBe(resumes ? '1' : '0')
    }
  })
})

describe('client certificates', () => {
  const certOf = (name: string) => ({ cert: pki.read(`${name}.crt`), key: pki.read(`${name}.key`) })

  test('verify required: no certificate and an unknown one are refused; a good one is, and rules read it', async () => {
    await using origin = headersOrigin()
    await using lb = await startLb(httpConfig(`ssl crt ${pki.file('a.pem')} verify required ca-file ${pki.file('cliCa.crt')}`, origin.port, [
      'http-request set-header X-Dn %[ssl_c_s_dn]',
      'http-request set-header X-Cn %[ssl_c_s_dn(CN)]',
      'http-request set-header X-Issuer %[ssl_c_i_dn]',
      'http-request set-header X-Verify %[ssl_c_verify]',
      'http-request set-header X-Used %[ssl_c_used]',
      'http-request set-header X-Serial %[ssl_c_serial,hex]',
      'http-request set-header X-Sha1 %[ssl_c_sha1,hex]',
      'http-request set-header X-Until %[ssl_c_notafter]',
    ]))
    const port = lb.port()
    expect((await tlsRequest(port, {})).status).toBeUndefined()
    expect((await tlsRequest(port, certOf('selfsigned'))).status).toBeUndefined()
    const r = await tlsRequest(port, certOf('client1'))
    expect(r.status).toBe(200)
    const h = JSON.parse(r.body)
    const x509 = new (await import('node:crypto')).X509Certificate(pki.read('client1.crt'))
    expect(h['x-dn']).toBe('/C=FR/O=Edge/CN=client1')
    expect(h['x-cn']).toBe('client1')
    expect(h['x-issuer']).toBe('/O=Edge Test/CN=cliCa root')
    expect([h['x-verify'], h['x-used']]).toEqual(['0', '1'])
    expect(h['x-serial']).toBe(x509.serialNumber.toUpperCase())
    expect(h['x-sha1']).toBe(x509.fingerprint.replace(/:/g, ''))
    expect(h['x-until']).toMatch(/^\d{12}Z$/)
    const lines = await lb.waitLogs(2)
    expect(lines.filter((l) => / fe\/\d+: SSL (handshake failure|client certificate not trusted)$/.test(l))).toHaveLength(2)
  })

  test('verify optional: no certificate passes, an unknown one is refused unless crt-ignore-err all', async () => {
    await using origin = headersOrigin()
    const rules = ['http-request set-header X-Used %[ssl_c_used]', 'http-request set-header X-Verify %[ssl_c_verify]']
    {
      await using lb = await startLb(httpConfig(`ssl crt ${pki.file('a.pem')} verify optional ca-file ${pki.file('cliCa.crt')}`, origin.port, rules))
      const none = await tlsRequest(lb.port(), {})
      expect(JSON.parse(none.body)['x-used']).toBe('0')
      expect((await tlsRequest(lb.port(), certOf('selfsigned'))).status).toBeUndefined()
      expect(JSON.parse((await tlsRequest(lb.port(), certOf('client1'))).body)['x-used']).toBe('1')
    }
    {
      await using lb = await startLb(httpConfig(`ssl crt ${pki.file('a.pem')} verify optional ca-file ${pki.file('cliCa.crt')} crt-ignore-err all`, origin.port, rules))
      const h = JSON.parse((await tlsRequest(lb.port(), certOf('selfsigned'))).body)
      expect([h['x-used'], h['x-verify']]).toEqual(['1', '18']) // X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
    }
  })

  test('crl-file: a revoked client certificate is refused', async () => {
    await using origin = headersOrigin()
    await using lb = await startLb(httpConfig(`ssl crt ${pki.file('a.pem')} verify required ca-file ${pki.file('cliCa.crt')} crl-file ${pki.file('cliCa.crl')}`, origin.port))
    expect((await tlsRequest(lb.port(), certOf('client1'))).status).toBe(200)
    expect((await tlsRequest(lb.port(), certOf('revoked'))).status).toBeUndefined()
  })
})

describe('SSL facts for rules and logs', () => {
  test('ssl_fc* fetches, the ssl_fc_sni ACL forms, redirect scheme https, and the httpslog line', async () => {
    await using origin = headersOrigin()
    const text = httpConfig(`ssl crt ${pki.file('a.pem')} alpn http/1.1`, origin.port, [
      'bind 127.0.0.1:0 name plain',
      'option httpslog',
      'redirect scheme https code 301 if !{ ssl_fc }',
      'acl wild ssl_fc_sni_end .a.test',
      'acl reg ssl_fc_sni_reg ^w+\\.',
      'http-request set-header X-Fc %[ssl_fc]',
      'http-request set-header X-Sni %[ssl_fc_sni]',
      'http-request set-header X-Alpn %[ssl_fc_alpn]',
      'http-request set-header X-Proto %[ssl_fc_protocol]',
      'http-request set-header X-Cipher %[ssl_fc_cipher]',
      'http-request set-header X-Bits %[ssl_fc_use_keysize]',
      'http-request set-header X-Wild yes if wild reg',
    ])
    await using lb = await startLb(text)
    const [tlsPort, plainPort] = lb.frontend().bound.map((b) => b.port)
    const r = await tlsRequest(tlsPort!, { servername: 'www.a.test', alpn: ['http/1.1'], maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' })
    const h = JSON.parse(r.body)
    expect([h['x-fc'], h['x-sni'], h['x-alpn'], h['x-proto'], h['x-cipher'], h['x-bits'], h['x-wild']]).toEqual(['1', 'www.a.test', 'http/1.1', 'TLSv1.2', 'ECDHE-ECDSA-AES128-GCM-SHA256', '128', 'yes'])
    const plain = await fetch(`http://127.0.0.1:${plainPort}/x`, { redirect: 'manual' })
    expect([plain.status, plain.headers.get('location')]).toEqual([301, `https://127.0.0.1:${plainPort}/x`])
    // fetch over TLS, trusting the test CA.
    const f = await fetch(`https://localhost:${tlsPort}/`, { tls: { ca: pki.ca, serverName: 'a.test', checkServerIdentity: () => undefined } } as RequestInit)
    expect(f.status).toBe(200)
    const lines = await lb.waitLogs(3)
    expect(lines[0]).toMatch(/ "GET \/ HTTP\/1\.1" 0\/0\/0\/0\/0 www\.a\.test\/TLSv1\.2\/ECDHE-ECDSA-AES128-GCM-SHA256$/)
    expect(lines[1]).toMatch(/ 301 .* "GET \/x HTTP\/1\.1" 0\/-\/-\/-\/0 -\/-\/-$/)
    // The frontend's name carries '~' on the TLS connection only (%ft).
    expect(lines[0]).toMatch(/\] fe~ be\/s1 /)
    expect(lines[1]).toMatch(/\] fe be\/<NOSRV> /)
  })
})

describe('mode tcp', () => {
  test('ssl on a tcp bind offloads TLS for any protocol; ssl_fc_sni switches backends', async () => {
    await using plain = startServer('plain', 'tag')
    await using other = startServer('other', 'tag')
    await using lb = await startLb(cfg`
global
  log stdout format raw local0
defaults
  mode tcp
  log global
  option tcplog
  timeout client 5s
  timeout server 5s
  timeout connect 1s
frontend fe
  bind 127.0.0.1:0 ssl crt ${pki.file('a.pem')} crt ${pki.file('b.pem')}
  use_backend other if { ssl_fc_sni b.test }
  default_backend be
backend be
  server s1 127.0.0.1:${plain.port}
backend other
  server s1 127.0.0.1:${other.port}
`)
    expect((await tlsRequest(lb.port(), { servername: 'a.test', send: 'hello', firstData: true })).response).toStartWith('plain')
    expect((await tlsRequest(lb.port(), { servername: 'b.test', send: 'hello', firstData: true })).response).toStartWith('other')
  })
})

describe('bad input', () => {
  test('clear-text HTTP, a truncated ClientHello, a silent client: each is closed and logged; other clients are served meanwhile', async () => {
    await using origin = headersOrigin()
    await using lb = await startLb(httpConfig(`ssl crt ${pki.file('a.pem')}`, origin.port, [], ['timeout client 1s']).replace('timeout client 5s\n', ''))
    const port = lb.port()
    const raw = (bytes: string | Buffer | null) => new Promise<{ got: string; ms: number }>((resolve) => {
      const t0 = Date.now()
      const chunks: Buffer[] = []
      const c = net.connect(port, '127.0.0.1', () => { if (bytes !== null) c.write(bytes) })
      c.on('data', (d: Buffer) => chunks.push(d))
      c.on('error', () => {})
      c.on('close', () => resolve({ got: Buffer.concat(chunks).toString('latin1'), ms: Date.now() - t0 }))
    })
    const plain = raw('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    const truncated = raw(Buffer.from('16030100c8010000c40303', 'hex'))
    const silent = raw(null)
    // Meanwhile, a good client.
    expect((await tlsRequest(port, { servername: 'a.test' })).status).toBe(200)
    const [p, t, s] = await Promise.all([plain, truncated, silent])
    expect(p.got).toBe('')
    expect(t.ms).toBeGreaterThanOrEqual(900) // until the handshake timeout (timeout client)
    expect(s.ms).toBeGreaterThanOrEqual(900)
    const lines = await lb.waitLogs(3)
    expect(lines.filter((l) => l.endsWith(': SSL handshake failure'))).toHaveLength(1)
    expect(lines.filter((l) => l.endsWith(': Timeout during SSL handshake'))).toHaveLength(2)
    expect(lb.frontend().handshakeFailures).toBe(3)
    expect(lb.sessions()).toHaveLength(0)
  })
})
