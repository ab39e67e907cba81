/**
 * The PROXY protocol header of a server's health checks (HAProxy 2.6): sent with `check-send-proxy`,
 * and with the server's own `send-proxy`/`send-proxy-v2` flags when neither `port` nor `addr`
 * moves the check elsewhere (agent checks never send one). The server's flags give the version:
 * a v2 header is LOCAL (no client is behind a check; the server uses the connection's own
 * addresses), with the CRC32C and an empty SSL TLV when the flags ask for them, or, with
 * `pp2-never-send-local`, a PROXY command with the check connection's addresses; a v1 line
 * carries the check connection's own addresses.
 */
import type { ServerOptions } from '../model/types.ts'
import { buildProxyV1, buildProxyV2, type PpAddrs } from '../net/proxy-protocol.ts'
import type { Sock } from '../net/runtime.ts'

export function checkProxyHeader(c: ServerOptions, neverLocal = false): ((s: Sock<unknown>) => Uint8Array) | undefined {
  const flags = c.sendProxy ?? []
  const send = c.checkSendProxy === true || (flags.length > 0 && c.checkPort === undefined && c.checkAddr === undefined)
  if (!send) return undefined
  const addrs = (s: Sock<unknown>): PpAddrs => ({ src: s.localAddress ?? '', srcPort: s.localPort ?? 0, dst: s.remoteAddress, dstPort: s.remotePort ?? 0 })
  if (flags.includes('v2')) {
    const extras = { crc32c: flags.includes('crc32c'), ...(flags.includes('ssl') ? { ssl: { client: 0, verify: 0, sub: [] } } : {}) }
    if (neverLocal) return (s) => buildProxyV2({ addrs: addrs(s), ...extras })
    const header = buildProxyV2({ addrs: null, ...extras })
    return () => header
  }
  return (s) => buildProxyV1(addrs(s))
}
