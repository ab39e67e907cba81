/**
 * The fetches of a connection that began with a PROXY protocol header (`accept-proxy`,
 * `expect-proxy`): what the header carried (`fc_rcvd_proxy`, `fc_pp_authority`,
 * `fc_pp_unique_id`, `fc_pp_tlv(<id>)`), and the socket's own addresses (`fc_src`, `fc_dst` and
 * their ports), which `src` and `dst` no longer show once a header relayed others. Without a
 * header, `fc_*` addresses are `src`'s and `dst`'s.
 */
import { ConfigError, type SourcePos } from '../model/source.ts'
import { PP2_TYPE, tlvText } from '../net/proxy-protocol.ts'
import type { Fetch, FetchAny } from './context.ts'
import type { FetchDef } from './fetches.ts'

/** `fc_pp_tlv`'s names for the registered types, any case (HAProxy reads CRC32C; its manual says
 *  CRC32: both are taken). */
const TLV_NAMES: Readonly<Record<string, number>> = {
  ALPN: PP2_TYPE.ALPN,
  AUTHORITY: PP2_TYPE.AUTHORITY,
  CRC32: PP2_TYPE.CRC32C,
  CRC32C: PP2_TYPE.CRC32C,
  NETNS: PP2_TYPE.NETNS,
  NOOP: PP2_TYPE.NOOP,
  SSL: PP2_TYPE.SSL,
  SSL_CIPHER: PP2_TYPE.SSL_CIPHER,
  SSL_CN: PP2_TYPE.SSL_CN,
  SSL_KEY_ALG: PP2_TYPE.SSL_KEY_ALG,
  SSL_SIG_ALG: PP2_TYPE.SSL_SIG_ALG,
  SSL_VERSION: PP2_TYPE.SSL_VERSION,
  UNIQUE_ID: PP2_TYPE.UNIQUE_ID,
}

/** The first TLV of `type` as text; each of them for ACLs (duplicates are a sender's error, but
 *  HAProxy iterates them). */
function tlvFetch(type: number): { fn: Fetch; any: FetchAny } {
  const fn: Fetch = (s) => {
    const h = s.sess.proxied?.header
    if (h === undefined) return undefined
    for (const t of h.tlvs) if (t.type === type) return tlvText(t.value)
    return undefined
  }
  const any: FetchAny = (test) => (s) => {
    const h = s.sess.proxied?.header
    if (h === undefined) return false
    for (const t of h.tlvs) if (t.type === type && test(tlvText(t.value), s)) return true
    return false
  }
  return { fn, any }
}

/** A TLV type: a name, or a number as strtoul reads it (`224`, `0xE0`, `0340`), up to 255. */
function tlvId(arg: string, at: SourcePos): number {
  const named = TLV_NAMES[arg.toUpperCase()]
  if (named !== undefined) return named
  const m = /^(?:0x([0-9a-f]+)|(0[0-7]*)|([1-9]\d*))$/i.exec(arg)
  const n = m === null ? NaN : m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? parseInt(m[2], 8) : Number(m[3])
  if (n >= 0 && n <= 255) return n
  throw new ConfigError(`fc_pp_tlv: '${arg}' is no TLV type; write a number from 0 to 255 (0xE0 in hex) or one of ${Object.keys(TLV_NAMES).join(', ')}`, at)
}

export const PROXY_PROTOCOL_FETCHES: readonly FetchDef[] = [
  { name: 'fc_rcvd_proxy', type: 'bool', compile: () => (s) => s.sess.proxied != null },
  { name: 'fc_pp_authority', type: 'str', compile: () => tlvFetch(PP2_TYPE.AUTHORITY) },
  { name: 'fc_pp_unique_id', type: 'str', compile: () => tlvFetch(PP2_TYPE.UNIQUE_ID) },
  { name: 'fc_pp_tlv', type: 'str', args: [1, 1], compile: (a, ctx) => tlvFetch(tlvId(a[0]!, ctx.at)) },
  // The connection's addresses: the socket's under a PROXY header; else as the connection rules
  // left them (later set-src/set-dst change only the session's).
  { name: 'fc_src', type: 'ip', compile: () => (s) => s.sess.proxied?.fcSrc ?? s.sess.fc?.src ?? s.sess.cliAddr },
  { name: 'fc_src_port', type: 'int', compile: () => (s) => s.sess.proxied?.fcSrcPort ?? s.sess.fc?.srcPort ?? s.sess.cliPort },
  { name: 'fc_dst', type: 'ip', compile: () => (s) => s.sess.proxied?.fcDst ?? s.sess.fc?.dst ?? s.sess.dstAddr },
  { name: 'fc_dst_port', type: 'int', compile: () => (s) => s.sess.proxied?.fcDstPort ?? s.sess.fc?.dstPort ?? s.sess.dstPort },
]
