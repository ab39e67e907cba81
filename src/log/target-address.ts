/**
 * Where a `log` line sends, read from its address as HAProxy reads it:
 *
 *   stdout  stderr  fd@1  fd@2                          the process's output streams
 *   127.0.0.1  10.0.0.1:1514  udp@host:514  udp4@…  udp6@[::1]:514  ipv4@…  ipv6@::1:514
 *                                                       syslog over UDP (port 514 when omitted;
 *                                                       for IPv6 the last colon separates the port)
 *   /dev/log  unix@/path  uxdg@/path  abns@name          syslog over a unix datagram socket
 *   tcp@host:port  tcp4@…  tcp6@…                       syslog over TCP (octet counting, RFC 6587),
 *                                                       through an implicit ring (port 514 when omitted)
 *   ring@NAME                                           a `ring` section
 *   uxst@…  abnsz@…  backend@NAME  fd@3 …               known to HAProxy, not sent by edgelb yet
 *
 * Parsed once at load: a bad address is a configuration error at its line.
 */
import { ipFamily } from '../core/ip.ts'
import { ConfigError, type SourcePos } from '../model/source.ts'
import { parsePort, splitHostPort } from '../model/address.ts'

export const SYSLOG_PORT = 514

export type LogDest =
  | { kind: 'stdout' }
  | { kind: 'stderr' }
  /** `family` 0: a host name, resolved once when the sender starts. */
  | { kind: 'udp'; family: 0 | 4 | 6; host: string; port: number }
  /** A unix datagram socket; `@name` is the abstract namespace. */
  | { kind: 'unix'; path: string }
  /** Syslog over TCP, octet-counted, through an implicit ring (HAProxy's `log tcp@`). */
  | { kind: 'tcp'; family: 0 | 4 | 6; host: string; port: number }
  | { kind: 'ring'; name: string }
  /** A target HAProxy knows and edgelb does not send to yet: `what` says which kind, for the warning. */
  | { kind: 'unsupported'; what: string }

const UDP_PREFIXES: Readonly<Record<string, 0 | 4 | 6>> = { udp: 0, udp4: 4, udp6: 6, ipv4: 4, ipv6: 6 }
const TCP_PREFIXES: Readonly<Record<string, 0 | 4 | 6>> = { tcp: 0, tcp4: 4, tcp6: 6 }
const UNSUPPORTED_PREFIXES: Readonly<Record<string, string>> = {
  uxst: 'syslog over a unix stream socket',
  abnsz: 'syslog over an abstract unix socket',
  backend: 'log backends',
}

export function parseLogDest(address: string, at: SourcePos): LogDest {
  if (address === 'stdout' || address === 'fd@1') return { kind: 'stdout' }
  if (address === 'stderr' || address === 'fd@2') return { kind: 'stderr' }
  if (address.startsWith('/')) return { kind: 'unix', path: address }
  let text = address
  let family: 0 | 4 | 6 = 0
  const prefix = /^([a-z0-9+]+)@/.exec(address)
  if (prefix) {
    const p = prefix[1]!
    text = address.slice(prefix[0].length)
    if (p === 'fd') {
      if (!/^\d+$/.test(text)) throw new ConfigError(`'fd@' expects a file descriptor number, got '${text}'`, at)
      return { kind: 'unsupported', what: 'logging to a file descriptor other than fd@1 (stdout) and fd@2 (stderr)' }
    }
    const why = UNSUPPORTED_PREFIXES[p]
    const known = why !== undefined || p === 'ring' || p === 'unix' || p === 'uxdg' || p === 'abns' || TCP_PREFIXES[p] !== undefined
    if (known && text === '') throw new ConfigError(`'${p}@' expects ${p === 'ring' || p === 'backend' ? 'a name' : 'an address'} after it in log target '${address}'`, at)
    if (why !== undefined) return { kind: 'unsupported', what: why }
    if (p === 'ring') return { kind: 'ring', name: text }
    if (p === 'unix' || p === 'uxdg') return { kind: 'unix', path: text }
    if (p === 'abns') return { kind: 'unix', path: `@${text}` }
    const tcp = TCP_PREFIXES[p]
    if (tcp !== undefined) return { ...hostPort(text, tcp, address, at), kind: 'tcp' }
    const f = UDP_PREFIXES[p]
    if (f === undefined) throw new ConfigError(`unknown address prefix '${p}@' in log target '${address}'; known: udp@, udp4@, udp6@, ipv4@, ipv6@, unix@, uxdg@, abns@, ring@, tcp@, tcp4@, tcp6@, fd@ (or stdout, stderr, /path)`, at)
    family = f
  }
  return { ...hostPort(text, family, address, at), kind: 'udp' }
}

/** HOST[:PORT] of a network target, its family checked against the prefix's. */
function hostPort(text: string, family: 0 | 4 | 6, address: string, at: SourcePos): { family: 0 | 4 | 6; host: string; port: number } {
  const split = splitHostPort(text)
  const port = split.port
  // No address (`:514`, or `:` from an empty variable): HAProxy reads 0.0.0.0, which the system
  // sends to this host; so does edgelb (config/keywords/proxy.ts warns).
  const host = split.host === '' ? '0.0.0.0' : split.host
  const p = port === undefined || port === '' ? SYSLOG_PORT : parsePort(port, at, address)
  const literal = ipFamily(host)
  if (literal !== 0) {
    if (family !== 0 && family !== literal) throw new ConfigError(`'${host}' is an IPv${literal} address but the log target says ${family === 4 ? 'ipv4' : 'ipv6'} (${address})`, at)
    family = literal as 4 | 6
  } else if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(host)) {
    throw new ConfigError(`invalid address '${host}' in log target '${address}'; write an IP address or a host name, e.g. 127.0.0.1:514`, at)
  }
  return { family, host, port: p }
}

/** One key per destination, so that the lines of every proxy sending there share one socket. */
export function destKey(d: LogDest): string {
  switch (d.kind) {
    case 'udp':
    case 'tcp':
      return `${d.kind}${d.family}:${d.host}:${d.port}`
    case 'unix':
      return `unix:${d.path}`
    case 'ring':
      return `ring:${d.name}`
    case 'unsupported':
      return 'stdout'
    default:
      return d.kind
  }
}
