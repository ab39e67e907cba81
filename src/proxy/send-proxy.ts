/**
 * The PROXY protocol header a connection to a server begins with (`server … send-proxy`,
 * `send-proxy-v2`, `send-proxy-v2-ssl`, `send-proxy-v2-ssl-cn`, `proxy-v2-options`), as HAProxy
 * 2.6 builds it (make_proxy_line): built when the connection is opened, from the session's
 * addresses (a PROXY header's when the client connection began with one), and sent before any
 * other byte (the session puts it first in its queue to the server).
 *
 * HAProxy's flags decide the version: `v2` gives a v2 header, any other flag a v1 line (even
 * `proxy-v2-options` alone). A v2 header carries, in this order: CRC32C (`crc32c`), ALPN (what
 * a TLS client negotiated), AUTHORITY (`authority`: the authority the client's own PROXY header
 * carried, else its TLS SNI), UNIQUE_ID (`unique-id`: the stream's unique id from the frontend's
 * `unique-id-format`, empty without one), SSL (`ssl`, `cert-cn`, `ssl-cipher`, `cert-sig`,
 * `cert-key`).
 */
import { buildProxyV1, buildProxyV2, findTlv, PP2_CLIENT_CERT_CONN, PP2_CLIENT_CERT_SESS, PP2_CLIENT_SSL, PP2_TYPE, type PpSsl, type PpTlv } from '../net/proxy-protocol.ts'
import type { PpFlag } from '../model/types.ts'
import type { ProxiedConn } from '../rules/types.ts'

/**
 * What a PROXY header tells of a TLS client connection. The TLS side of a session provides it
 * (`ClientSide.tlsFacts()`); a plain connection has none, and then the SSL TLV says only that
 * (client 0, verify 0: what HAProxy sends for a connection that is not TLS).
 */
export interface ClientTlsFacts {
  /** The protocol version as OpenSSL names it (`TLSv1.3`): the SSL_VERSION sub-TLV. */
  readonly version: string
  /** The server name the client asked for (SNI): AUTHORITY, when the client sent no PROXY header. */
  readonly sni?: string
  /** The negotiated ALPN protocol (`h2`, `http/1.1`): the ALPN TLV. */
  readonly alpn?: string
  /** The client presented a certificate on this connection, or on the TLS session it resumed. */
  readonly certConn: boolean
  readonly certSess: boolean
  /** The client certificate's verification result (X509_V_OK = 0). */
  readonly verify: number
  /** The client certificate's subject CN (`cert-cn`), the cipher's OpenSSL name (`ssl-cipher`),
   *  and edgelb's certificate's signature and key algorithms (`cert-sig`, `cert-key`). */
  readonly cn?: string
  readonly cipher?: string
  readonly sigAlg?: string
  readonly keyAlg?: string
}

/** What the header is built from: the session's side of things. */
export interface PpSource {
  readonly cliAddr: string
  readonly cliPort: number
  readonly dstAddr: string
  readonly dstPort: number
  /** The client's own PROXY header's TLVs (AUTHORITY is passed on). */
  readonly proxied: ProxiedConn | null
  tlsFacts(): ClientTlsFacts | null
}

const text = (s: string): Uint8Array => Buffer.from(s, 'utf8')
const EMPTY = new Uint8Array(0)

/** The header for a connection to a server with these flags (see the file comment).
 *  `uniqueId` gives the stream's unique id (asked only with `unique-id`). */
export function buildServerProxyHeader(flags: readonly PpFlag[], src: PpSource, uniqueId: () => string): Uint8Array {
  const addrs = { src: src.cliAddr, srcPort: src.cliPort, dst: src.dstAddr, dstPort: src.dstPort }
  if (!flags.includes('v2')) return buildProxyV1(addrs)
  const tls = src.tlsFacts()
  const tlvs: PpTlv[] = []
  if (tls?.alpn !== undefined) tlvs.push({ type: PP2_TYPE.ALPN, value: text(tls.alpn) })
  if (flags.includes('authority')) {
    const got = src.proxied === null ? undefined : findTlv(src.proxied.header, PP2_TYPE.AUTHORITY)
    if (got !== undefined) tlvs.push({ type: PP2_TYPE.AUTHORITY, value: got.value })
    else if (tls?.sni !== undefined) tlvs.push({ type: PP2_TYPE.AUTHORITY, value: text(tls.sni) })
  }
  if (flags.includes('unique-id')) {
    const id = uniqueId()
    tlvs.push({ type: PP2_TYPE.UNIQUE_ID, value: id === '' ? EMPTY : text(id) })
  }
  const o: Parameters<typeof buildProxyV2>[0] = { addrs, crc32c: flags.includes('crc32c'), tlvs }
  if (flags.includes('ssl')) o.ssl = sslTlv(flags, tls)
  return buildProxyV2(o)
}

/** The SSL TLV (HAProxy's order of sub-TLVs: version, CN, key algorithm, signature algorithm,
 *  cipher). A plain connection: client 0, verify 0, nothing else. */
function sslTlv(flags: readonly PpFlag[], tls: ClientTlsFacts | null): PpSsl {
  if (tls === null) return { client: 0, verify: 0, sub: [] }
  let client = PP2_CLIENT_SSL
  let verify = 0
  const sub: PpTlv[] = [{ type: PP2_TYPE.SSL_VERSION, value: text(tls.version) }]
  if (tls.certSess) {
    client |= PP2_CLIENT_CERT_SESS
    verify = tls.verify
    if (tls.certConn) client |= PP2_CLIENT_CERT_CONN
  }
  if (flags.includes('cert-cn') && tls.cn !== undefined && tls.cn !== '') sub.push({ type: PP2_TYPE.SSL_CN, value: text(tls.cn) })
  if (flags.includes('cert-key') && tls.keyAlg !== undefined) sub.push({ type: PP2_TYPE.SSL_KEY_ALG, value: text(tls.keyAlg) })
  if (flags.includes('cert-sig') && tls.sigAlg !== undefined) sub.push({ type: PP2_TYPE.SSL_SIG_ALG, value: text(tls.sigAlg) })
  if (flags.includes('ssl-cipher') && tls.cipher !== undefined) sub.push({ type: PP2_TYPE.SSL_CIPHER, value: text(tls.cipher) })
  return { client, verify, sub }
}
