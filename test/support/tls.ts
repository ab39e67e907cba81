/**
 * Certificates for TLS tests, made by the tests themselves with the openssl CLI (a Debian package;
 * .ci/run installs it when missing): a CA, server certificates with SAN names (wildcards too), a
 * client CA and client certificates, an expired certificate, a revoked one and its CRL. All ECDSA
 * P-256. Made once per test process, in a temporary directory removed at exit.
 *
 *   const pki = testPki()
 *   pki.file('a.pem')           // certificate + chain + key of a.test, *.a.test
 *   pki.ca                      // the servers' CA (PEM text), for clients
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import net from 'node:net'
import tls from 'node:tls'

export interface TestPki {
  dir: string
  /** Path of a file in the directory. */
  file(name: string): string
  /** Its text. */
  read(name: string): string
  /** The CA of server certificates (PEM). */
  ca: string
  /** The CA of client certificates (PEM). */
  clientCa: string
}

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr || r.error?.message}`)
}

const CA_CONF = (name: string) => `[ ca ]
default_ca = ca_${name}
[ ca_${name} ]
dir = ./${name}
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_crl_days = 30
policy = any
copy_extensions = copy
unique_subject = no
[ any ]
countryName = optional
organizationName = optional
commonName = supplied
`

let made: TestPki | undefined

export function testPki(): TestPki {
  if (made) return made
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-pki-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  for (const ca of ['srvca', 'cliCa']) {
    spawnSync('mkdir', ['-p', join(dir, ca)])
    writeFileSync(join(dir, ca, 'index.txt'), '')
    writeFileSync(join(dir, ca, 'serial'), '1000\n')
    writeFileSync(join(dir, ca, 'crlnumber'), '1000\n')
    writeFileSync(join(dir, `${ca}.cnf`), CA_CONF(ca))
    openssl(dir, ['req', '-x509', ...ec, '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '30', '-subj', `/O=Edge Test/CN=${ca} root`])
  }
  /** A certificate signed by `ca`: `name.crt`, `name.key`, and `name.pem` (both). */
  const sign = (ca: string, name: string, subj: string, sans: string[], extra: string[] = []): void => {
    const ext = sans.length > 0 ? ['-addext', `subjectAltName=${sans.map((s) => (/^[\d.]+$/.test(s) ? `IP:${s}` : `DNS:${s}`)).join(',')}`] : []
    openssl(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj, ...ext])
    openssl(dir, ['ca', '-batch', '-config', `${ca}.cnf`, '-cert', `${ca}.crt`, '-keyfile', `${ca}.key`, '-in', `${name}.csr`, '-out', `${name}.crt`, '-notext', ...(extra.length > 0 ? extra : ['-days', '30'])])
    writeFileSync(join(dir, `${name}.pem`), readFileSync(join(dir, `${name}.crt`), 'utf8') + readFileSync(join(dir, `${name}.key`), 'utf8'))
  }
  sign('srvca', 'a', '/CN=a.test', ['a.test', '*.a.test'])
  sign('srvca', 'b', '/CN=b.test', ['b.test', 'www.b.test'])
  sign('srvca', 'c', '/CN=c.test', [])
  sign('srvca', 'ip', '/CN=127.0.0.1', ['127.0.0.1', 'localhost'])
  sign('srvca', 'expired', '/CN=expired.test', ['expired.test'], ['-startdate', '20200101000000Z', '-enddate', '20200201000000Z'])
  sign('cliCa', 'client1', '/C=FR/O=Edge/CN=client1', [])
  sign('cliCa', 'revoked', '/CN=revoked', [])
  openssl(dir, ['ca', '-config', 'cliCa.cnf', '-cert', 'cliCa.crt', '-keyfile', 'cliCa.key', '-revoke', 'revoked.crt'])
  openssl(dir, ['ca', '-config', 'cliCa.cnf', '-cert', 'cliCa.crt', '-keyfile', 'cliCa.key', '-gencrl', '-out', 'cliCa.crl'])
  // A client certificate nobody signed.
  openssl(dir, ['req', '-x509', ...ec, '-keyout', 'selfsigned.key', '-out', 'selfsigned.crt', '-days', '30', '-subj', '/CN=stranger'])
  made = {
    dir,
    file: (n) => join(dir, n),
    read: (n) => readFileSync(join(dir, n), 'utf8'),
    ca: readFileSync(join(dir, 'srvca.crt'), 'utf8'),
    clientCa: readFileSync(join(dir, 'cliCa.crt'), 'utf8'),
  }
  return made
}

// --- clients and servers for TLS scenarios --------------------------------------------------------


export interface TlsClientOptions {
  servername?: string
  ca?: string
  cert?: string
  key?: string
  alpn?: string[]
  minVersion?: tls.SecureVersion
  maxVersion?: tls.SecureVersion
  ciphers?: string
  session?: Buffer
  /** Request path (default /); the Host header is the servername or `localhost`. */
  path?: string
  /** Bytes to send instead of a GET. */
  send?: string
  /** Close after the first bytes received (a server that keeps the connection open). */
  firstData?: boolean
  /** Bytes sent in clear before the handshake (a PROXY header), in the ClientHello's segment. */
  preface?: Uint8Array
  /** The client's own address (127.0.0.2…). */
  localAddress?: string
}

export interface TlsClientResult {
  /** The handshake and exchange ended without error. */
  ok: boolean
  error?: string
  /** Everything the server sent. */
  response: string
  status?: number
  body: string
  protocol?: string | null
  cipher?: string
  alpn?: string | false
  /** CN of the server's certificate. */
  peerCn?: string
  resumed?: boolean
  session?: Buffer
}

/** One exchange over node:tls: connect, send a GET with `Connection: close`, read until close. */
export function tlsRequest(port: number, o: TlsClientOptions = {}): Promise<TlsClientResult> {
  return new Promise((resolve) => {
    const opts: tls.ConnectionOptions = { host: '127.0.0.1', port, rejectUnauthorized: o.ca !== undefined, ALPNProtocols: o.alpn }
    if (o.servername !== undefined) opts.servername = o.servername
    for (const k of ['ca', 'cert', 'key', 'minVersion', 'maxVersion', 'ciphers', 'session'] as const) if (o[k] !== undefined) (opts as Record<string, unknown>)[k] = o[k]
    const out: Buffer[] = []
    const r: TlsClientResult = { ok: false, response: '', body: '' }
    let session: Buffer | undefined
    if (o.localAddress !== undefined) (opts as Record<string, unknown>)['localAddress'] = o.localAddress
    if (o.preface !== undefined) {
      const raw = net.connect({ port, host: '127.0.0.1', ...(o.localAddress !== undefined ? { localAddress: o.localAddress } : {}) })
      raw.cork()
      raw.write(o.preface)
      raw.on('error', () => {})
      process.nextTick(() => raw.uncork())
      opts.socket = raw
    }
    const c = tls.connect(opts, () => {
      r.protocol = c.getProtocol()
      r.cipher = c.getCipher()?.name
      r.alpn = c.alpnProtocol ?? false
      r.peerCn = c.getPeerCertificate()?.subject?.CN as string | undefined
      r.resumed = c.isSessionReused()
      c.write(o.send ?? `GET ${o.path ?? '/'} HTTP/1.1\r\nHost: ${o.servername ?? 'localhost'}\r\nConnection: close\r\n\r\n`)
    })
    c.on('session', (s: Buffer) => { session = s })
    c.on('data', (d: Buffer) => { out.push(d); if (o.firstData) c.end() })
    const done = (error?: Error): void => {
      r.response = Buffer.concat(out).toString('latin1')
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(r.response)
      if (m) r.status = Number(m[1])
      const i = r.response.indexOf('\r\n\r\n')
      r.body = i >= 0 ? r.response.slice(i + 4) : ''
      r.ok = error === undefined && r.protocol !== undefined
      if (error) r.error = error.message
      if (session) r.session = session
      resolve(r)
    }
    let finished = false
    c.on('error', (e) => { if (!finished) { finished = true; done(e) } })
    c.on('close', () => { if (!finished) { finished = true; done(r.protocol === undefined ? new Error('closed before the handshake completed') : undefined) } })
  })
}

/** Runs a command without blocking the event loop (an in-process edgelb must keep serving). */
export async function runCmd(cmd: string[]): Promise<{ code: number; out: string; err: string }> {
  const p = Bun.spawn(cmd, { stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' })
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()])
  return { code: await p.exited, out, err }
}

/** An HTTP origin that answers every request with its headers, as JSON (keys lower case). */
export function headersOrigin(): { port: number } & AsyncDisposable {
  const s = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (req) => Response.json(Object.fromEntries(req.headers)) })
  return { port: s.port!, async [Symbol.asyncDispose]() { await s.stop(true) } }
}

export interface SeenTls { sni: string | false; alpn: string | false | null; protocol: string | null; clientCn?: string; resumed: boolean; path: string }

/**
 * A TLS origin (node:tls) speaking just enough HTTP/1.1: each request is answered with what the
 * handshake looked like from the server (SNI, ALPN, client certificate, resumption) as JSON.
 */
export function tlsOrigin(o: { cert: string; key: string; ca?: string; requestCert?: boolean; alpn?: string[] }): Promise<{ port: number; seen: SeenTls[]; handshakes: number } & AsyncDisposable> {
  const seen: SeenTls[] = []
  const state = { handshakes: 0 }
  const srv = tls.createServer({ cert: o.cert, key: o.key, ca: o.ca, requestCert: o.requestCert ?? false, rejectUnauthorized: false, ALPNProtocols: o.alpn }, (c) => {
    state.handshakes++
    let buf = ''
    c.on('data', (d: Buffer) => {
      buf += d.toString('latin1')
      let i: number
      while ((i = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, i)
        buf = buf.slice(i + 4)
        const path = head.split(' ')[1] ?? ''
        const cert = c.getPeerCertificate()
        const info: SeenTls = { sni: (c as unknown as { servername: string | false }).servername, alpn: c.alpnProtocol, protocol: c.getProtocol(), resumed: c.isSessionReused(), path }
        if (cert?.subject?.CN) info.clientCn = cert.subject.CN as string
        seen.push(info)
        const body = JSON.stringify(info)
        c.write(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\n\r\n${body}`)
      }
    })
    c.on('error', () => {})
  })
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({
    port: (srv.address() as { port: number }).port,
    seen,
    get handshakes() { return state.handshakes },
    async [Symbol.asyncDispose]() { await new Promise<void>((r) => srv.close(() => r())) },
  })))
}
