/**
 * The SSL sample fetches: what TLS negotiated with the client (`ssl_fc*`), the client's
 * certificate (`ssl_c*`), with the server (`ssl_bc*`) and the server's certificate (`ssl_s*`), as
 * HAProxy names and types them. They read the facts the session captured once the handshake was
 * done (SessionView.cliTls, StreamView.srvTls); on a clear-text connection the booleans are false
 * and the others give no sample.
 *
 * Certificates' DNs print as OpenSSL's one-line form (`/C=FR/O=Edge/CN=client1`), or RFC 2253
 * with the `rfc2253` format argument; dates as ASN.1 UTCTime (`261207230000Z`); serials and SHA-1
 * fingerprints are binary (`%[ssl_c_serial,hex]`).
 *
 * Not given: `ssl_c_ca_err` is 0 and `ssl_c_err` carries the whole verification result (the
 * runtime reports one error, not the depth it was found at); `ssl_fc_err` is 0 (a failed
 * handshake makes no session).
 */
import type { X509Certificate } from 'node:crypto'
import { ConfigError } from '../model/source.ts'
import type { TlsFacts } from '../net/types.ts'
import type { CompileCtx, Fetch } from './context.ts'
import type { FetchDef } from './fetches.ts'
import type { Sample, SampleType, StreamView } from './types.ts'

type Side = (s: StreamView) => TlsFacts | null | undefined
const front: Side = (s) => s.sess.cliTls
const back: Side = (s) => s.srvTls

/** A fetch of one TLS fact; `undefined` (no sample) on clear text. */
function fact(name: string, type: SampleType, side: Side, read: (t: TlsFacts) => Sample | undefined): FetchDef {
  return { name, type, compile: () => (s) => { const t = side(s); return t ? read(t) : undefined } }
}

/** A boolean fact: false on clear text. */
function flag(name: string, side: Side, read: (t: TlsFacts) => boolean): FetchDef {
  return { name, type: 'bool', compile: () => (s) => { const t = side(s); return t ? read(t) : false } }
}

/** Key bits of a cipher, from its name (what ssl_fc_use_keysize reports). */
export function cipherBits(cipher: string): number | undefined {
  if (/AES_?256|CHACHA20/i.test(cipher)) return 256
  if (/AES_?128/i.test(cipher)) return 128
  if (/3DES|DES-CBC3/i.test(cipher)) return 168
  return undefined
}

/** A DN as OpenSSL's one-line form, from the runtime's `KEY=value` lines. */
export function onelineDn(dn: string): string {
  return dn.split('\n').filter((l) => l !== '').map((l) => '/' + l).join('')
}

/** A DN in RFC 2253 order (last entry first, comma separated). */
export function rfc2253Dn(dn: string): string {
  return dn.split('\n').filter((l) => l !== '').reverse().join(',')
}

/** `[entry[,occ[,format]]]`: the whole DN, or the value of one entry (occurrence `occ`, 1 the
 *  first, negative from the end). */
function dnFetch(name: string, side: Side, cert: (t: TlsFacts) => X509Certificate | undefined, which: 'subject' | 'issuer'): FetchDef {
  return {
    name,
    type: 'str',
    args: [0, 3],
    compile(args: string[], ctx: CompileCtx): Fetch {
      const [entry, occText, format] = args
      if (format !== undefined && format !== '' && format !== 'rfc2253') throw new ConfigError(`${name}: the format must be rfc2253, not '${format}'`, ctx.at)
      const occ = occText === undefined || occText === '' ? 1 : Number(occText)
      if (!Number.isInteger(occ) || occ === 0) throw new ConfigError(`${name}: the occurrence must be a non-zero integer, not '${occText}'`, ctx.at)
      return (s) => {
        const t = side(s)
        const c = t ? cert(t) : undefined
        if (c === undefined) return undefined
        const dn = c[which]
        if (entry === undefined || entry === '') return format === 'rfc2253' ? rfc2253Dn(dn) : onelineDn(dn)
        const values = dn.split('\n').filter((l) => l.startsWith(entry + '=')).map((l) => l.slice(entry.length + 1))
        return values[occ > 0 ? occ - 1 : values.length + occ]
      }
    },
  }
}

/** Hex text (`AB:CD…` or `ABCD…`) as bytes. */
function hexBytes(hex: string): Uint8Array {
  return Buffer.from(hex.replace(/:/g, ''), 'hex')
}

/** A certificate date as ASN.1 UTCTime, as HAProxy prints it: YYMMDDhhmmssZ. */
export function utcTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`
}

/** The fetches of a certificate: `prefix` is `ssl_c` (the client's) or `ssl_s` (the server's). */
function certFetches(prefix: string, side: Side): FetchDef[] {
  const c = (t: TlsFacts): X509Certificate | undefined => t.peerCert
  return [
    dnFetch(`${prefix}_s_dn`, side, c, 'subject'),
    dnFetch(`${prefix}_i_dn`, side, c, 'issuer'),
    fact(`${prefix}_serial`, 'bin', side, (t) => { const x = c(t); return x ? hexBytes(x.serialNumber) : undefined }),
    fact(`${prefix}_sha1`, 'bin', side, (t) => { const x = c(t); return x ? hexBytes(x.fingerprint) : undefined }),
    fact(`${prefix}_der`, 'bin', side, (t) => c(t)?.raw),
    fact(`${prefix}_notbefore`, 'str', side, (t) => { const x = c(t); return x ? utcTime(new Date(x.validFrom)) : undefined }),
    fact(`${prefix}_notafter`, 'str', side, (t) => { const x = c(t); return x ? utcTime(new Date(x.validTo)) : undefined }),
  ]
}

export const SSL_FETCHES: readonly FetchDef[] = [
  // The client connection.
  flag('ssl_fc', front, () => true),
  flag('ssl_fc_has_sni', front, (t) => t.sni !== undefined),
  fact('ssl_fc_sni', 'str', front, (t) => t.sni),
  fact('ssl_fc_alpn', 'str', front, (t) => t.alpn),
  fact('ssl_fc_protocol', 'str', front, (t) => t.protocol),
  fact('ssl_fc_cipher', 'str', front, (t) => t.cipher),
  flag('ssl_fc_is_resumed', front, (t) => t.resumed),
  fact('ssl_fc_use_keysize', 'int', front, (t) => cipherBits(t.cipher)),
  fact('ssl_fc_alg_keysize', 'int', front, (t) => cipherBits(t.cipher)),
  flag('ssl_fc_has_crt', front, (t) => t.peerCert !== undefined),
  fact('ssl_fc_err', 'int', front, () => 0),
  // The client's certificate.
  flag('ssl_c_used', front, (t) => t.peerCert !== undefined),
  fact('ssl_c_verify', 'int', front, (t) => t.verifyResult),
  fact('ssl_c_err', 'int', front, (t) => t.verifyResult),
  fact('ssl_c_ca_err', 'int', front, () => 0),
  ...certFetches('ssl_c', front),
  // The server connection, and the server's certificate.
  flag('ssl_bc', back, () => true),
  fact('ssl_bc_sni', 'str', back, (t) => t.sni),
  fact('ssl_bc_alpn', 'str', back, (t) => t.alpn),
  fact('ssl_bc_protocol', 'str', back, (t) => t.protocol),
  fact('ssl_bc_cipher', 'str', back, (t) => t.cipher),
  flag('ssl_bc_is_resumed', back, (t) => t.resumed),
  fact('ssl_bc_use_keysize', 'int', back, (t) => cipherBits(t.cipher)),
  fact('ssl_bc_alg_keysize', 'int', back, (t) => cipherBits(t.cipher)),
  ...certFetches('ssl_s', back),
]
