/**
 * Certificate files, read once at load as HAProxy reads them: a PEM file holds the certificate,
 * its chain and (usually) its key; a key kept apart is in `FILE.key` beside it; `crt DIR` loads
 * every file of the directory but the side files (`.key`, `.ocsp`, `.issuer`, `.sctl`). The names
 * a certificate answers to for SNI are its subject's CN and its SAN DNS entries.
 *
 * Every problem is a ConfigError at the line that named the file: missing or unreadable, no
 * certificate in it, no key, a key that does not match, a directory without a certificate.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { ConfigError, type SourcePos } from '../../model/source.ts'

/** A certificate with its key, as the TLS library takes them. */
export interface CertEntry {
  /** The file it was read from. */
  file: string
  /** The certificate, then its chain (PEM). */
  cert: string
  key: string
  /** CN and SAN DNS names, lower case (`*.example.com` for wildcards). */
  names: string[]
}

/** The side files HAProxy reads beside a certificate, never certificates themselves. */
const SIDE_FILES = ['.key', '.ocsp', '.issuer', '.sctl']

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g

/** The PEM blocks of a text: each with its label (`CERTIFICATE`, `PRIVATE KEY`, …). */
export function pemBlocks(text: string): { label: string; pem: string }[] {
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1]!, pem: m[0] }))
}

const isKey = (label: string): boolean => label.endsWith('PRIVATE KEY')

/** Reads a file named in the configuration, or says why not, at `at`. */
export function readConfigFile(path: string, what: string, at: SourcePos): string {
  try {
    return readFileSync(path, 'latin1')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new ConfigError(`cannot read ${what} '${path}': ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`, at)
  }
}

/** `path` as the configuration means it: absolute, or under `base` (itself under `dir`). */
export function resolvePath(path: string, base: string | undefined, dir: string): string {
  if (isAbsolute(path)) return path
  if (base === undefined) return join(dir, path)
  return isAbsolute(base) ? join(base, path) : join(dir, base, path)
}

/** Loads one certificate file (and its `.key` side file when the key is not in it). */
export function loadCertFile(file: string, at: SourcePos, warn: (m: string, at: SourcePos) => void): CertEntry {
  const blocks = pemBlocks(readConfigFile(file, 'certificate file', at))
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE')
  if (certs.length === 0) throw new ConfigError(`no certificate in '${file}' (a PEM file with the certificate, its chain and its key is expected)`, at)
  let keyBlock = blocks.find((b) => isKey(b.label))
  if (keyBlock === undefined && existsSync(`${file}.key`)) keyBlock = pemBlocks(readConfigFile(`${file}.key`, 'key file', at)).find((b) => isKey(b.label))
  if (keyBlock === undefined) throw new ConfigError(`no private key for '${file}': put it in the file, or in '${file}.key'`, at)
  if (keyBlock.label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: 4,ENCRYPTED/.test(keyBlock.pem)) throw new ConfigError(`the private key of '${file}' is encrypted; edgelb reads unencrypted keys only`, at)
  let x509: X509Certificate
  try {
    x509 = new X509Certificate(certs[0]!.pem)
  } catch (e) {
    throw new ConfigError(`the certificate in '${file}' cannot be read: ${(e as Error).message}`, at)
  }
  let matches: boolean
  try {
    matches = x509.checkPrivateKey(createPrivateKey(keyBlock.pem))
  } catch (e) {
    throw new ConfigError(`the private key of '${file}' cannot be read: ${(e as Error).message}`, at)
  }
  if (!matches) throw new ConfigError(`the private key of '${file}' does not match its certificate`, at)
  const notAfter = x509.validToDate ?? new Date(x509.validTo)
  if (notAfter.getTime() < Date.now()) warn(`the certificate in '${file}' expired on ${notAfter.toISOString()}; clients will refuse it`, at)
  if (existsSync(`${file}.ocsp`)) warn(`'${file}.ocsp' is not stapled: edgelb has no OCSP stapling (clients that require it will refuse the certificate)`, at)
  return { file, cert: certs.map((c) => c.pem).join('\n'), key: keyBlock.pem, names: certNames(x509) }
}

/** A certificate's CN and SAN DNS names, lower case, without duplicates. */
export function certNames(x509: X509Certificate): string[] {
  const names: string[] = []
  for (const line of x509.subject.split('\n')) if (line.startsWith('CN=')) names.push(line.slice(3))
  for (const part of (x509.subjectAltName ?? '').split(', ')) if (part.startsWith('DNS:')) names.push(part.slice(4))
  return [...new Set(names.map((n) => n.toLowerCase()))]
}

/** `crt PATH`: one file, or every certificate file of a directory (sorted by name). */
export function loadCrt(path: string, at: SourcePos, warn: (m: string, at: SourcePos) => void): CertEntry[] {
  let isDir: boolean
  try {
    isDir = statSync(path).isDirectory()
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new ConfigError(`cannot read certificate '${path}': ${code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`, at)
  }
  if (!isDir) return [loadCertFile(path, at, warn)]
  let files: string[]
  try {
    files = readdirSync(path).sort()
  } catch (e) {
    throw new ConfigError(`cannot read certificate directory '${path}': ${(e as Error).message}`, at)
  }
  const out: CertEntry[] = []
  for (const f of files) {
    if (f.startsWith('.') || SIDE_FILES.some((ext) => f.endsWith(ext))) continue
    const full = join(path, f)
    if (!statSync(full).isFile()) continue
    out.push(loadCertFile(full, at, warn))
  }
  if (out.length === 0) throw new ConfigError(`no certificate file in directory '${path}'`, at)
  return out
}
