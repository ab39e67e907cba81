/**
 * TLS fails closed at load: a missing or unreadable certificate, key or CA file, a key that does
 * not match its certificate, a directory without certificates, settings the TLS library refuses:
 * `check` errs at the line, `run` does not start. An expired certificate is a warning. A TLS
 * keyword edgelb does not implement stays refused (test/e2e/fail-closed.test.ts).
 */
import { describe, expect, test } from 'bun:test'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildConfig } from '../../src/config/build.ts'
import { readHaproxy } from '../../src/config/haproxy/reader.ts'
import { formatDiagnostic } from '../../src/model/source.ts'
import { BUN, ROOT } from '../support/harness.ts'
import { testPki } from '../support/tls.ts'

const pki = testPki()
const FILE = join(pki.dir, 'conf.cfg')

/** Line 9 is the bind line, line 12 the server line. */
function config(bind: string, server = '', global: string[] = []): string {
  return [
    'global',
    ...global.map((g) => `  ${g}`),
    ...Array(3 - global.length).fill('  quiet'),
    'defaults',
    '  mode http',
    '  timeout client 5s',
    'frontend fe',
    `  bind 127.0.0.1:0 ${bind}`,
    '  default_backend be',
    'backend be',
    `  server s1 127.0.0.1:9 ${server}`,
    '',
  ].join('\n')
}

/** The diagnostics of a config, as `check` prints them (`conf.cfg:9: error: …`). */
function diagnostics(text: string): string[] {
  const read = readHaproxy(text, FILE)
  const built = buildConfig(read.sections, [FILE])
  return [...read.diagnostics, ...built.diagnostics].map((d) => formatDiagnostic(d).replace(pki.dir + '/', ''))
}
const errors = (text: string) => diagnostics(text).filter((d) => d.includes(': error: '))

describe('certificates are read and checked at load', () => {
  test('a missing certificate file is an error at the bind line', () => {
    expect(errors(config('ssl crt /nonexistent/site.pem'))).toEqual(["conf.cfg:9: error: cannot read certificate '/nonexistent/site.pem': no such file or directory"])
  })

  test('an unreadable one, one without a key, one whose key does not match', () => {
    const unreadable = join(pki.dir, 'unreadable.pem')
    writeFileSync(unreadable, pki.read('a.pem'))
    chmodSync(unreadable, 0)
    if (process.getuid?.() !== 0) expect(errors(config(`ssl crt ${unreadable}`))[0]).toContain("cannot read certificate file")
    writeFileSync(join(pki.dir, 'nokey.pem'), pki.read('a.crt'))
    expect(errors(config(`ssl crt ${pki.file('nokey.pem')}`))).toEqual([`conf.cfg:9: error: no private key for '${pki.file('nokey.pem')}': put it in the file, or in '${pki.file('nokey.pem')}.key'`])
    writeFileSync(join(pki.dir, 'mismatch.pem'), pki.read('a.crt') + pki.read('b.key'))
    expect(errors(config(`ssl crt ${pki.file('mismatch.pem')}`))).toEqual([`conf.cfg:9: error: the private key of '${pki.file('mismatch.pem')}' does not match its certificate`])
    writeFileSync(join(pki.dir, 'garbage.pem'), 'not a certificate\n')
    expect(errors(config(`ssl crt ${pki.file('garbage.pem')}`))[0]).toStartWith(`conf.cfg:9: error: no certificate in '${pki.file('garbage.pem')}'`)
  })

  test('a directory without certificates; a CA file missing or without certificates; a crt-list line', () => {
    const empty = join(pki.dir, 'empty-dir')
    mkdirSync(empty, { recursive: true })
    writeFileSync(join(empty, 'only.key'), pki.read('a.key'))
    expect(errors(config(`ssl crt ${empty}`))).toEqual([`conf.cfg:9: error: no certificate file in directory '${empty}'`])
    expect(errors(config(`ssl crt ${pki.file('a.pem')} verify required ca-file /nope/ca.pem`))).toEqual(["conf.cfg:9: error: cannot read CA file '/nope/ca.pem': no such file"])
    expect(errors(config(`ssl crt ${pki.file('a.pem')} verify required ca-file ${pki.file('a.key')}`))).toEqual([`conf.cfg:9: error: no certificate in CA file '${pki.file('a.key')}'`])
    const list = join(pki.dir, 'bad.crtlist')
    writeFileSync(list, `${pki.file('a.pem')}\n${pki.file('missing.pem')} x.test\n`)
    expect(errors(config(`ssl crt-list ${list}`))).toEqual([`bad.crtlist:2: error: cannot read certificate file '${pki.file('missing.pem')}': no such file`])
    writeFileSync(list, `${pki.file('b.pem')} [alpn h2] b.test\n`)
    expect(errors(config(`ssl crt-list ${list}`))).toEqual(['bad.crtlist:1: error: per-certificate options [alpn h2] are not supported: edgelb cannot apply them to one certificate; put them on the bind line'])
  })

  test('an expired certificate is a warning; it is still served', () => {
    const all = diagnostics(config(`ssl crt ${pki.file('expired.pem')}`))
    expect(all.filter((d) => d.includes(': error: '))).toEqual([])
    expect(all).toContain(`conf.cfg:9: warning: the certificate in '${pki.file('expired.pem')}' expired on 2020-02-01T00:00:00.000Z; clients will refuse it`)
  })

  test('TLS settings the library refuses, and contradictions, are errors', () => {
    expect(errors(config(`crt ${pki.file('a.pem')}`))).toEqual(["conf.cfg:9: error: a certificate is given but 'ssl' is not: this listener would serve clear text; add 'ssl' to the bind line"])
    expect(errors(config('ssl'))).toEqual(["conf.cfg:9: error: 'ssl' needs a certificate: add 'crt FILE' (or 'crt-list FILE') to the bind line"])
    expect(errors(config(`ssl crt ${pki.file('a.pem')} verify required`))).toEqual(["conf.cfg:9: error: 'verify required' needs the CAs that sign client certificates: add 'ca-file FILE'"])
    expect(errors(config(`ssl crt ${pki.file('a.pem')} ciphers NOPE-CIPHER`))[0]).toStartWith(`conf.cfg:9: error: cannot use '${pki.file('a.pem')}' with this bind's TLS settings: `)
    expect(errors(config(`ssl crt ${pki.file('a.pem')} curves nocurve`))[0]).toContain('Failed to set ECDH curve')
    expect(errors(config(`ssl crt ${pki.file('a.pem')} ssl-min-ver SSLv3`))[0]).toStartWith('conf.cfg:9: error: SSLv3 is not available')
    expect(errors(config(`ssl crt ${pki.file('a.pem')} ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.2`))).toEqual(['conf.cfg:9: error: ssl-min-ver TLSv1.3 is above ssl-max-ver TLSv1.2'])
    expect(errors(config(`ssl crt ${pki.file('a.pem')} ciphersuites TLS_AES_256_GCM_SHA384`))[0]).toStartWith("conf.cfg:9: error: ciphersuites 'TLS_AES_256_GCM_SHA384' leaves out TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256")
    expect(errors(config(`ssl crt ${pki.file('a.pem')} ciphersuites TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256`))).toEqual([])
    expect(errors(config(`ssl crt ${pki.file('a.pem')} crt-ignore-err 10`))[0]).toContain("'crt-ignore-err' is supported with 'all' only")
  })

  test('crt-base and ca-base: relative paths are read under them', () => {
    expect(errors(config('ssl crt a.pem verify optional ca-file cliCa.crt', '', [`crt-base ${pki.dir}`, `ca-base ${pki.dir}`]))).toEqual([])
    expect(errors(config('ssl crt a.pem', '', ['crt-base /nowhere']))).toEqual(["conf.cfg:9: error: cannot read certificate '/nowhere/a.pem': no such file or directory"])
  })

  test('h2 in alpn is offered as written in mode http (HTTP/2 is spoken), without a warning', () => {
    expect(diagnostics(config(`ssl crt ${pki.file('a.pem')} alpn h2,http/1.1`)).filter((d) => d.includes('alpn'))).toEqual([])
  })
})

describe('servers', () => {
  test('verify required (the default) needs a ca-file; verify none or ssl-server-verify none do not', () => {
    expect(errors(config(`ssl crt ${pki.file('a.pem')}`, 'ssl'))).toEqual(["conf.cfg:12: error: server 's1': TLS verification of the server's certificate is on (HAProxy's default, ssl-server-verify) but there is no 'ca-file'; add 'ca-file FILE', or write 'verify none' if you trust the network to the server"])
    expect(errors(config(`ssl crt ${pki.file('a.pem')}`, 'ssl verify none'))).toEqual([])
    expect(errors(config(`ssl crt ${pki.file('a.pem')}`, 'ssl', ['ssl-server-verify none']))).toEqual([])
    expect(errors(config(`ssl crt ${pki.file('a.pem')}`, `ssl ca-file ${pki.file('srvca.crt')} crt ${pki.file('client1.pem')} sni str(a.test)`))).toEqual([])
    expect(errors(config(`ssl crt ${pki.file('a.pem')}`, `ssl verify none sni nosuchfetch`))[0]).toContain("unknown sample fetch 'nosuchfetch'")
    expect(errors(config(`ssl crt ${pki.file('a.pem')}`, `ssl verify none crt ${pki.file('mismatch.pem')}`))[0]).toContain('does not match its certificate')
  })
})

describe('check and run', () => {
  test('check exits 1 with the error at its line; run does not start', () => {
    writeFileSync(FILE, config('ssl crt missing.pem').replace('bind 127.0.0.1:0', 'bind 127.0.0.1:1'))
    const main = join(ROOT, 'src', 'main.ts')
    const check = Bun.spawnSync([BUN, main, 'check', FILE], { stderr: 'pipe', stdout: 'pipe' })
    expect(check.exitCode).toBe(1)
    expect(check.stderr.toString()).toContain(`conf.cfg:9: error: cannot read certificate '${join(pki.dir, 'missing.pem')}': no such file or directory`)
    const run = Bun.spawnSync([BUN, main, 'run', FILE], { stderr: 'pipe', stdout: 'pipe', timeout: 15_000 })
    expect(run.exitCode).toBe(1)
    expect(run.stderr.toString()).toContain('edgelb: not started: the configuration has errors')
  })
})
