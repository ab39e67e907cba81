/**
 * TLS toward servers, end to end: a TLS origin (node:tls) that reports what its handshakes looked
 * like; `server … ssl` with verification, SNI (constant and from the request), a client
 * certificate, ALPN, session reuse and `no-ssl-reuse`, `default-server ssl`, health checks over
 * TLS (`check-ssl`, `check-sni`), and the `ssl_bc*` facts.
 */
import { describe, expect, test } from 'bun:test'
import { cfg, startLb } from '../support/harness.ts'
import { nextChecks, serverOf } from '../support/checks.ts'
import { headersOrigin, testPki, tlsOrigin, type SeenTls } from '../support/tls.ts'

const pki = testPki()

function config(server: string, lines: string[] = [], opts: { global?: string[]; mode?: string } = {}): string {
  return cfg`
global
  log stdout format raw local0
  ${(opts.global ?? []).join('\n  ')}
defaults
  mode ${opts.mode ?? 'http'}
  log global
  timeout client 5s
  timeout server 5s
  timeout connect 1s
  retries 0
listen app
  bind 127.0.0.1:0
  ${lines.join('\n  ')}
  ${server}
`
}

async function get(port: number, path = '/', host = 'localhost'): Promise<{ status: number; seen?: SeenTls; headers: Headers }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { host } })
  const text = await r.text()
  return { status: r.status, headers: r.headers, ...(r.status === 200 ? { seen: JSON.parse(text) as SeenTls } : {}) }
}

const origin = (o: { requestCert?: boolean; alpn?: string[] } = {}) =>
  tlsOrigin({ cert: pki.read('a.crt'), key: pki.read('a.key'), ca: pki.clientCa, ...o })

describe('server ssl', () => {
  test('verify required with the CA and an SNI: served; the SNI is sent, ssl_bc* tell the rules', async () => {
    await using o = await origin()
    await using lb = await startLb(config(`server s1 127.0.0.1:${o.port} ssl verify required ca-file ${pki.file('srvca.crt')} sni str(www.a.test)`, [
      'http-response set-header X-Bc %[ssl_bc]',
      'http-response set-header X-Bc-Proto %[ssl_bc_protocol]',
      'http-response set-header X-Bc-Sni %[ssl_bc_sni]',
      'http-response set-header X-S-Dn %[ssl_s_s_dn]',
    ]))
    const r = await get(lb.port())
    expect(r.status).toBe(200)
    expect([r.seen!.sni, r.seen!.protocol]).toEqual(['www.a.test', 'TLSv1.3'])
    expect([r.headers.get('x-bc'), r.headers.get('x-bc-proto'), r.headers.get('x-bc-sni'), r.headers.get('x-s-dn')]).toEqual(['1', 'TLSv1.3', 'www.a.test', '/CN=a.test'])
  })

  test('a certificate the CA did not sign, or not for the name checked, is refused (503); verify none accepts it', async () => {
    await using o = await origin()
    {
      await using lb = await startLb(config(`server s1 127.0.0.1:${o.port} ssl verify required ca-file ${pki.file('cliCa.crt')}`))
      expect((await get(lb.port())).status).toBe(503)
    }
    {
      await using lb = await startLb(config(`server s1 127.0.0.1:${o.port} ssl ca-file ${pki.file('srvca.crt')} sni str(other.test)`))
      expect((await get(lb.port())).status).toBe(503)
    }
    {
      await using lb = await startLb(config(`server s1 127.0.0.1:${o.port} ssl ca-file ${pki.file('srvca.crt')} verifyhost nope.test`))
      expect((await get(lb.port())).status).toBe(503)
    }
    {
      // Without sni nor verifyhost, the chain alone is checked (HAProxy): no SNI is sent.
      await using lb = await startLb(config(`server s1 127.0.0.1:${o.port} ssl ca-file ${pki.file('srvca.crt')}`))
      const r = await get(lb.port())
      expect([r.status, r.seen!.sni]).toEqual([200, false])
    }
    {
      await using lb = await startLb(config(`server s1 127.0.0.1:${o.port} ssl verify none`))
      expect((await get(lb.port())).status).toBe(200)
    }
  })

  test('sni from the request: each Host gets its own connection, never another name\'s', async () => {
    await using o = await origin()
    await using lb = await startLb(config(`server s1 127.0.0.1:${o.port} ssl verify none sni req.hdr(host)`, ['http-reuse always']))
    expect((await get(lb.port(), '/', 'x.a.test')).seen!.sni).toBe('x.a.test')
    expect((await get(lb.port(), '/', 'y.a.test')).seen!.sni).toBe('y.a.test')
    expect((await get(lb.port(), '/', 'x.a.test')).seen!.sni).toBe('x.a.test')
  })

  test('crt presents a client certificate; alpn is offered', async () => {
    await using o = await origin({ requestCert: true, alpn: ['http/1.1'] })
    await using lb = await startLb(config(`server s1 127.0.0.1:${o.port} ssl verify none crt ${pki.file('client1.pem')} alpn http/1.1`))
    const r = await get(lb.port())
    expect([r.seen!.clientCn, r.seen!.alpn]).toEqual(['client1', 'http/1.1'])
  })

  test('sessions to a server are resumed; no-ssl-reuse makes every handshake a full one', async () => {
    await using o = await origin()
    for (const [opt, resumes] of [['', true], ['no-ssl-reuse', false]] as const) {
      // http-server-close: a new server connection per request.
      await using lb = await startLb(config(`server s1 127.0.0.1:${o.port} ssl verify none ${opt} ssl-max-ver TLSv1.2`, ['option http-server-close']))
      const seen: boolean[] = []
      for (let i = 0; i < 3; i++) seen.push((await get(lb.port())).seen!.resumed)
      expect(seen).toEqual([false, resumes, resumes])
    }
  })

  test('default-server ssl applies to the servers; no-ssl on one of them turns it off', async () => {
    await using o = await origin()
    await using plain = headersOrigin()
    await using lb = await startLb(config(`default-server ssl verify none\n  server s1 127.0.0.1:${o.port}\n  server s2 127.0.0.1:${plain.port} no-ssl`))
    const bodies = await Promise.all([0, 1].map(async () => (await fetch(`http://127.0.0.1:${lb.port()}/`)).json() as Promise<Record<string, unknown>>))
    // One went to the TLS origin (it reports the handshake), one to the clear-text one (headers).
    expect(bodies.map((b) => ('protocol' in b ? b['protocol'] : 'clear')).sort()).toEqual(['TLSv1.3', 'clear'])
  })

  test('mode tcp: TLS to the server (re-encryption of a clear-text client)', async () => {
    await using o = await origin()
    await using lb = await startLb(config(`server s1 127.0.0.1:${o.port} ssl verify none`, ['option tcplog'], { mode: 'tcp' }))
    const r = await get(lb.port())
    expect([r.status, r.seen!.protocol]).toEqual([200, 'TLSv1.3'])
  })
})

describe('health checks over TLS', () => {
  test('check-ssl with check-sni: the check handshakes with that name and the server is up; a failed handshake is down', async () => {
    await using o = await origin()
    await using lb = await startLb(config(`server s1 127.0.0.1:${o.port} check inter 100 check-ssl check-sni check.a.test verify none`, ['option httpchk GET /health']))
    const s = serverOf(lb, 'app', 's1')
    await nextChecks(s, 2)
    expect(s.up).toBe(true)
    expect(o.seen.some((x) => x.path === '/health' && x.sni === 'check.a.test')).toBe(true)
    // A server whose certificate the check cannot verify is down.
    await using lb2 = await startLb(config(`server s1 127.0.0.1:${o.port} check inter 100 fall 1 ssl ca-file ${pki.file('cliCa.crt')}`, ['option httpchk GET /health']))
    const s2 = serverOf(lb2, 'app', 's1')
    await nextChecks(s2, 2)
    expect(s2.up).toBe(false)
  })

  test('a plain check over TLS (check-ssl, no httpchk) passes at layer 6 once the handshake succeeds: L6OK', async () => {
    await using o = await origin()
    await using lb = await startLb(config(`server s1 127.0.0.1:${o.port} check inter 100 check-ssl verify none`))
    const s = serverOf(lb, 'app', 's1')
    await nextChecks(s, 1)
    expect(s.up).toBe(true)
    expect(s.lastCheck?.status).toBe('L6OK')
  })
})
