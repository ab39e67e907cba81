// Many certificates on one `bind … ssl`: load time, RSS, and the handshake cost of SNI selection
// for names at the start, middle and end of the list, a wildcard and an unknown name, beside a
// bind with one certificate.
//   ./node_modules/.bin/bun bench/tls-scale.ts [--layout multi|single|both] [--certs N] [--handshakes K]
// Layouts (`crt DIR`, one PEM file per certificate with its key):
//   multi   N certificates (default 5,000), each with 10 SAN names (s<i>-<j>.bench.test) and one
//           wildcard (*.w<i>.bench.test): 11 N names
//   single  N certificates (default 50,000) of one name each (n<i>.bench.test)
// Certificates are made in this process, not with the openssl CLI (one process per certificate
// is minutes for 50,000): one ECDSA P-256 key shared by every certificate, each TBSCertificate
// written in DER here and signed with node:crypto `sign` (about 50 µs each). Self-issued by
// "CN=bench CA"; the clients do not verify.
// Per name: the first handshake (which makes the certificate's TLS context when the bind has more
// than 256), then K handshakes (node:tls, full, no session offered, one at a time): median client
// latency and edgelb's CPU per handshake (utime+stime from /proc). Each served certificate is
// checked to carry the name asked (or, unknown name, to be the default one).
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import tls from 'node:tls'
import { freePort, installCleanup, killAll, spawn, stop, treeCpuSeconds, treeRssKiB, waitPort, type Child } from './lib/procs.ts'
import { badUsage, median, scriptOptions } from './lib/script.ts'

const ROOT = resolve(import.meta.dir, '..')
const BUN = process.execPath
const opt = scriptOptions(import.meta.path, { layout: { type: 'string' }, certs: { type: 'string' }, handshakes: { type: 'string' } })
const layout = opt.layout ?? 'both'
if (!['multi', 'single', 'both'].includes(layout)) badUsage(import.meta.path, '--layout is multi, single or both')
const handshakes = Number(opt.handshakes ?? 500)
if (!(handshakes >= 1)) badUsage(import.meta.path, '--handshakes must be >= 1')

const dir = mkdtempSync(join(tmpdir(), 'edgelb-bench-tls-scale-'))
installCleanup(() => rmSync(dir, { recursive: true, force: true }))

// --- DER, just what a certificate needs ---
const len = (n: number): number[] => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff])
const tlv = (tag: number, body: Uint8Array | number[]): Buffer => Buffer.concat([Buffer.from([tag, ...len(body.length)]), Buffer.from(body)])
const seq = (...parts: Uint8Array[]): Buffer => tlv(0x30, Buffer.concat(parts))
const oid = (bytes: number[]): Buffer => tlv(0x06, bytes)
const OID_ECDSA_SHA256 = oid([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])
const OID_CN = oid([0x55, 0x04, 0x03])
const OID_SAN = oid([0x55, 0x1d, 0x11])
const nameCN = (cn: string): Buffer => seq(tlv(0x31, seq(OID_CN, tlv(0x0c, Buffer.from(cn)))))
const sigAlg = seq(OID_ECDSA_SHA256)
const validity = seq(tlv(0x17, Buffer.from('260101000000Z')), tlv(0x17, Buffer.from('491231235959Z')))
const issuer = nameCN('bench CA')

function certDer(serial: number, names: string[], spki: Buffer, key: KeyObject): Buffer {
  const serialBytes = [0x01, (serial >> 16) & 0xff, (serial >> 8) & 0xff, serial & 0xff]
  const san = seq(...names.map((n) => tlv(0x82, Buffer.from(n))))
  const ext = tlv(0xa3, seq(seq(OID_SAN, tlv(0x04, san))))
  const tbs = seq(tlv(0xa0, tlv(0x02, [2])), tlv(0x02, serialBytes), sigAlg, issuer, validity, nameCN(names[0]!), spki, ext)
  const sig = sign('sha256', tbs, key)
  return seq(tbs, sigAlg, tlv(0x03, Buffer.concat([Buffer.from([0]), sig])))
}

const pemOf = (der: Buffer): string => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
const key = createPrivateKey(keyPem)
const spki = createPublicKey(key).export({ type: 'spki', format: 'der' })

/** Writes one PEM file per certificate (names[i] its names) into a fresh directory. */
function writeCerts(tag: string, certs: string[][]): { dir: string; ms: number } {
  const d = join(dir, tag)
  mkdirSync(d)
  const t0 = performance.now()
  certs.forEach((names, i) => writeFileSync(join(d, `c${String(i).padStart(6, '0')}.pem`), pemOf(certDer(i + 1, names, spki, key)) + keyPem))
  return { dir: d, ms: performance.now() - t0 }
}

interface Probe { label: string; name: string; expect: string | null }
interface Row { bind: string; certs: number; names: number; genS: number; loadS: number; rssMiB: number; probes: { label: string; firstMs: number; medianUs: number; cpuUs: number }[] }

function config(port: number, crtDir: string): string {
  return `# generated by bench/tls-scale.ts
global
    maxconn 1000

defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s

listen scale
    bind 127.0.0.1:${port} ssl crt ${crtDir}
    server none 127.0.0.1:9
`
}

/** One full handshake with `name` as SNI; ms, and the names of the certificate served. */
function handshake(port: number, name: string): Promise<{ ms: number; san: string }> {
  return new Promise((ok, fail) => {
    const t0 = performance.now()
    const s = tls.connect({ host: '127.0.0.1', port, servername: name, rejectUnauthorized: false }, () => {
      const ms = performance.now() - t0
      const san = s.getPeerCertificate().subjectaltname ?? ''
      s.destroy()
      ok({ ms, san })
    })
    s.on('error', fail)
  })
}

async function measure(bind: string, certs: string[][], probes: Probe[]): Promise<Row> {
  const g = writeCerts(bind.replace(/\W+/g, '-'), certs)
  const port = freePort()
  const cfg = join(dir, `${port}.cfg`)
  writeFileSync(cfg, config(port, g.dir))
  const t0 = performance.now()
  const child: Child = spawn('edgelb', [BUN, join(ROOT, 'src/main.ts'), 'run', cfg], join(dir, `edgelb-${port}.log`))
  await waitPort(port, child, 15 * 60_000)
  const loadS = (performance.now() - t0) / 1000
  const rssMiB = treeRssKiB(child.pid) / 1024
  const row: Row = { bind, certs: certs.length, names: certs.reduce((n, c) => n + c.length, 0), genS: g.ms / 1000, loadS, rssMiB, probes: [] }
  for (const p of probes) {
    const first = await handshake(port, p.name)
    const served = first.san.split(', ')
    if (p.expect !== null ? !served.includes(`DNS:${p.expect}`) : !served.includes(`DNS:${certs[0]![0]}`)) throw new Error(`${bind}: '${p.name}' was served ${first.san}`)
    const times: number[] = []
    const cpu0 = treeCpuSeconds(child.pid)
    for (let i = 0; i < handshakes; i++) times.push((await handshake(port, p.name)).ms)
    const cpuUs = ((treeCpuSeconds(child.pid) - cpu0) / handshakes) * 1e6
    row.probes.push({ label: p.label, firstMs: first.ms, medianUs: median(times) * 1000, cpuUs })
  }
  await stop(child)
  return row
}

const rows: Row[] = []
try {
  rows.push(await measure('1 certificate', [['one.bench.test']], [
    { label: 'its name', name: 'one.bench.test', expect: 'one.bench.test' },
    { label: 'unknown', name: 'nobody.example', expect: null },
  ]))
  if (layout !== 'single') {
    const n = Number(opt.certs ?? 5000)
    const certs = Array.from({ length: n }, (_, i) => [...Array.from({ length: 10 }, (_, j) => `s${i}-${j}.bench.test`), `*.w${i}.bench.test`])
    const mid = n >> 1
    rows.push(await measure(`${n} x (10 names + wildcard)`, certs, [
      { label: 'first', name: 's0-0.bench.test', expect: 's0-0.bench.test' },
      { label: 'middle', name: `s${mid}-5.bench.test`, expect: `s${mid}-5.bench.test` },
      { label: 'last', name: `s${n - 1}-9.bench.test`, expect: `s${n - 1}-9.bench.test` },
      { label: 'wildcard', name: `www.w${mid + 1}.bench.test`, expect: `*.w${mid + 1}.bench.test` },
      { label: 'unknown', name: 'nobody.example', expect: null },
    ]))
  }
  if (layout !== 'multi') {
    const n = Number(opt.certs ?? 50000)
    const certs = Array.from({ length: n }, (_, i) => [`n${i}.bench.test`])
    rows.push(await measure(`${n} x 1 name`, certs, [
      { label: 'first', name: 'n0.bench.test', expect: 'n0.bench.test' },
      { label: 'middle', name: `n${n >> 1}.bench.test`, expect: `n${n >> 1}.bench.test` },
      { label: 'last', name: `n${n - 1}.bench.test`, expect: `n${n - 1}.bench.test` },
      { label: 'unknown', name: 'nobody.example', expect: null },
    ]))
  }
} finally {
  await killAll()
  rmSync(dir, { recursive: true, force: true })
}

console.log(`\n${handshakes} handshakes per name (node:tls client, full handshake, one at a time)\n`)
console.log('| bind | certs | names | generate s | load s | RSS MiB | name | 1st handshake ms | median µs | edgelb CPU µs/hs |')
console.log('|---|---:|---:|---:|---:|---:|---|---:|---:|---:|')
for (const r of rows) {
  r.probes.forEach((p, i) => {
    const head = i === 0 ? `| ${r.bind} | ${r.certs} | ${r.names} | ${r.genS.toFixed(1)} | ${r.loadS.toFixed(1)} | ${r.rssMiB.toFixed(0)} ` : '| | | | | | '
    console.log(`${head}| ${p.label} | ${p.firstMs.toFixed(2)} | ${p.medianUs.toFixed(0)} | ${p.cpuUs.toFixed(0)} |`)
  })
}
