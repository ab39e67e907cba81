/**
 * TLS in the configuration model: what `bind … ssl`, `server … ssl` and the `ssl-default-*`,
 * `crt-base`, `ca-base` and `ssl-server-verify` globals say, as written (paths before the bases
 * are applied). Certificates are read, and the settings combined with the globals, when the
 * run-time objects are built (net/tls/).
 */
import type { SourcePos } from './source.ts'

/** TLS protocol versions, oldest first, by HAProxy's names (`ssl-min-ver TLSv1.2`). */
export const SSL_VERSIONS = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const
export type SslVersion = (typeof SSL_VERSIONS)[number]

/** The words `no-sslv3`, `no-tlsv10` … `force-tlsv13` name these versions. */
export const VERSION_WORDS: Readonly<Record<string, SslVersion>> = {
  sslv3: 'SSLv3', tlsv10: 'TLSv1.0', tlsv11: 'TLSv1.1', tlsv12: 'TLSv1.2', tlsv13: 'TLSv1.3',
}

/** Settings bind lines, server lines and the `ssl-default-bind-*`/`ssl-default-server-*` globals
 *  share. Unset: the global default, else HAProxy's. */
export interface SslSettings {
  /** TLS 1.2 and older cipher list (OpenSSL syntax). */
  ciphers?: string
  /** TLS 1.3 cipher suites. */
  ciphersuites?: string
  /** `curves` (`ecdhe` is one curve). */
  curves?: string
  sigalgs?: string
  minVer?: SslVersion
  maxVer?: SslVersion
  /** `no-sslv3`, `no-tlsv10`, … */
  noVers?: SslVersion[]
  /** `force-tlsv12`, …: that version only. */
  forceVer?: SslVersion
  /** `no-tls-tickets`. */
  noTickets?: boolean
  /** Bind lines: `prefer-client-ciphers` (HAProxy's default is the server's order). */
  preferClientCiphers?: boolean
}

/** A `crt` word: a PEM file or a directory of them, as written. */
export interface CrtRef {
  path: string
  at: SourcePos
}

/** TLS on a `bind` line. */
export interface BindTls extends SslSettings {
  /** `crt` words in order; the first certificate is the default one. */
  crts: CrtRef[]
  /** `crt-list` files in order (their certificates come after those of `crt` on the line). */
  crtLists: CrtRef[]
  /** Client certificates: `verify` (HAProxy's default: none, no certificate is asked for). */
  verify?: 'none' | 'optional' | 'required'
  caFile?: string
  crlFile?: string
  /** `crt-ignore-err all` / `ca-ignore-err all`: accept a client certificate that fails. */
  ignoreVerifyErrors?: boolean
  /** `alpn` protocols in order (split at commas). */
  alpn?: string[]
  strictSni?: boolean
}

/** TLS on a `server` (or `default-server`) line. */
export interface ServerTls extends SslSettings {
  /** `verify` (unset: the global `ssl-server-verify`, HAProxy's default required). */
  verify?: 'none' | 'required'
  caFile?: string
  crlFile?: string
  /** A client certificate to present: PEM with its key. */
  crt?: string
  /** `sni EXPR`, a sample expression. */
  sni?: string
  /** `verifyhost NAME`: the name the server's certificate must carry. */
  verifyhost?: string
  alpn?: string[]
  /** `no-ssl-reuse`: a full handshake for every connection. */
  noReuse?: boolean
  /** `check-ssl`: health checks over TLS even without `ssl`. */
  checkSsl?: boolean
  /** `check-sni NAME`. */
  checkSni?: string
  checkAlpn?: string[]
}

/** The TLS globals. */
export interface GlobalTls {
  crtBase?: string
  caBase?: string
  defaultBind: SslSettings
  defaultServer: SslSettings
  /** `ssl-server-verify none|required` (HAProxy's default: required). */
  serverVerify?: 'none' | 'required'
}
