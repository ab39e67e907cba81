/**
 * Listening and server addresses as HAProxy writes them.
 *
 *   bind  :80   *:80   0.0.0.0:80   10.0.0.1:8000-8010   :3389,:1494,:5900   [::]:443   :::80
 *         ipv4@1.2.3.4:80   ipv6@::1:80   unix@/run/x.sock   /run/x.sock   abns@name   fd@3   systemd@http
 *   server 10.0.0.1:80   10.0.0.1 (client's port)   10.0.0.1:+1000 / :-1 (offset)   unix@/path
 *          abns@name   :1883 *:80 0.0.0.0:80 : (the address the client connected to)
 *
 * `abns@NAME` is a Linux abstract unix socket: NAME in the abstract namespace, no file; it is the
 * path `\0NAME` (the runtimes take a path starting with a NUL byte as one).
 *
 * For IPv6 the last colon separates the port, as in HAProxy (`::1:80` is ::1 port 80).
 */
import { parseIpv4, parseIpv6 } from '../core/ip.ts'
import { ConfigError, type SourcePos } from './source.ts'
import type { ListenAddr, ServerAddr } from './types.ts'

/** Ranges wider than this are almost certainly a typo (and would open thousands of sockets). */
const MAX_PORT_RANGE = 1024

/** A port of the address `spec`. `allowZero`: a bind on port 0 takes any free port (what tests
 *  and `edgelb bench` use). */
export function parsePort(text: string, at: SourcePos, spec: string, allowZero = false): number {
  if (!/^\d+$/.test(text)) throw new ConfigError(`invalid port '${text}' in '${spec}'; ports are numbers from 1 to 65535`, at)
  const p = Number(text)
  if ((p < 1 && !(allowZero && p === 0)) || p > 65535) throw new ConfigError(`port ${p} out of range in '${spec}'; ports are 1 to 65535${allowZero ? ' (0 = any free port)' : ''}`, at)
  return p
}

/** Splits `host:port` on the last colon and unwraps `[v6]` (HAProxy's rule, so `::1:514` is ::1
 *  port 514). */
export function splitHostPort(text: string): { host: string; port?: string } {
  if (text.startsWith('[')) {
    const end = text.indexOf(']')
    if (end > 0) {
      const rest = text.slice(end + 1)
      return rest.startsWith(':') ? { host: text.slice(1, end), port: rest.slice(1) } : { host: text.slice(1, end) }
    }
  }
  const colon = text.lastIndexOf(':')
  if (colon < 0) return { host: text }
  return { host: text.slice(0, colon), port: text.slice(colon + 1) }
}

function familyOf(host: string): 'ipv4' | 'ipv6' {
  return host.includes(':') ? 'ipv6' : 'ipv4'
}

/** One element of a bind list (no commas). */
function parseBindOne(part: string, at: SourcePos, spec: string): ListenAddr[] {
  let text = part
  let forced: 'ipv4' | 'ipv6' | undefined
  const prefix = /^([a-z0-9]+)@/.exec(text)
  if (prefix) {
    const p = prefix[1]!
    text = text.slice(prefix[0].length)
    if (p === 'unix') return [{ family: 'unix', path: text }]
    if (p === 'abns') return [{ family: 'unix', path: abstractPath(text, at, spec) }]
    if (p === 'fd') {
      if (!/^\d+$/.test(text)) throw new ConfigError(`'fd@' expects a file descriptor number, got '${text}'`, at)
      return [{ family: 'fd', fd: Number(text) }]
    }
    if (p === 'systemd') {
      // A name in LISTEN_FDNAMES (systemd's FileDescriptorName=), resolved when binding.
      if (!/^[\x21-\x39\x3b-\x7e]{1,255}$/.test(text)) throw new ConfigError(`'systemd@' expects the name systemd gives the socket (FileDescriptorName=, by default the .socket unit's name), got '${text}'`, at)
      return [{ family: 'fd', fd: -1, name: text }]
    }
    if (p === 'ipv4' || p === 'tcp4') forced = 'ipv4'
    else if (p === 'ipv6' || p === 'tcp6') forced = 'ipv6'
    else if (p === 'tcp') forced = undefined
    else throw new ConfigError(`address family '${p}@' is not supported by edgelb in '${spec}'; use ipv4@, ipv6@, unix@, abns@ or fd@`, at)
  }
  if (text.startsWith('/')) return [{ family: 'unix', path: text }]
  const { host: rawHost, port } = splitHostPort(text)
  if (port === undefined || port === '') {
    throw new ConfigError(`missing port in bind address '${spec}'; write ADDRESS:PORT, e.g. ':80' or '127.0.0.1:8080'`, at)
  }
  const host = rawHost === '*' ? '' : rawHost
  const family = forced ?? familyOf(host)
  const dash = port.indexOf('-')
  if (dash < 0) return [{ family, host, port: parsePort(port, at, spec, true) }]
  const lo = parsePort(port.slice(0, dash), at, spec)
  const hi = parsePort(port.slice(dash + 1), at, spec)
  if (hi < lo) throw new ConfigError(`port range ${lo}-${hi} is reversed in '${spec}'; write ${hi}-${lo}`, at)
  if (hi - lo >= MAX_PORT_RANGE) throw new ConfigError(`port range ${lo}-${hi} spans ${hi - lo + 1} ports in '${spec}'; edgelb allows at most ${MAX_PORT_RANGE} per range`, at)
  const out: ListenAddr[] = []
  for (let p = lo; p <= hi; p++) out.push({ family, host, port: p })
  return out
}

/** Expands a bind address list (`:3389,:1494`, port ranges) into every address to listen on. */
export function parseBindSpec(spec: string, at: SourcePos): ListenAddr[] {
  if (spec === '') throw new ConfigError(`empty bind address; write ADDRESS:PORT, e.g. ':80'`, at)
  return spec.split(',').flatMap((part) => parseBindOne(part, at, spec))
}

/** A server or dispatch address. No port: the client's destination port; `+N`/`-N`: an offset. */
export function parseServerAddr(text: string, at: SourcePos): ServerAddr {
  let body = text
  const prefix = /^([a-z0-9]+)@/.exec(body)
  if (prefix) {
    const p = prefix[1]!
    body = body.slice(prefix[0].length)
    if (p === 'unix') return { host: '', path: body }
    if (p === 'abns') return { host: '', path: abstractPath(body, at, text) }
    if (p !== 'ipv4' && p !== 'ipv6' && p !== 'tcp' && p !== 'tcp4' && p !== 'tcp6') {
      throw new ConfigError(`address family '${p}@' is not supported for servers in '${text}'; use ipv4@, ipv6@, unix@ or abns@`, at)
    }
  }
  if (body.startsWith('/')) return { host: '', path: body }
  // A bare IPv6 address without port (`::1`) has colons but no port: only [v6]:port or
  // ipv6@addr:port forms carry a port for IPv6, as the last-colon rule would misread it.
  let host: string
  let port: string | undefined
  if (!body.startsWith('[') && (body.match(/:/g)?.length ?? 0) > 1 && !prefix) {
    host = body
  } else {
    ;({ host, port } = splitHostPort(body))
  }
  // No host, `*` or 0.0.0.0 (HAProxy's unset address): the address the client connected to.
  if (host === '' || host === '*') host = ANY_HOST
  // No port, or port 0 (HAProxy reads them alike): the port the client connected to.
  if (port === undefined || port === '' || /^0+$/.test(port)) return { host }
  if (port.startsWith('+') || port.startsWith('-')) {
    if (!/^[+-]\d+$/.test(port)) throw new ConfigError(`invalid port offset '${port}' in '${text}'; write +N or -N`, at)
    return { host, portOffset: Number(port) }
  }
  return { host, port: parsePort(port, at, text) }
}

/** A server address's host that stands for the address the client connected to (HAProxy: the
 *  server has no address of its own): `:PORT`, `*:PORT`, `0.0.0.0`, `::`. */
export const ANY_HOST = '0.0.0.0'

export function isAnyHost(host: string): boolean {
  return host === ANY_HOST || host === '::'
}

/** The path of the abstract unix socket `abns@NAME`. */
function abstractPath(name: string, at: SourcePos, spec: string): string {
  if (name === '') throw new ConfigError(`'abns@' expects a name in '${spec}', e.g. abns@edgelb-web`, at)
  return `\0${name}`
}

/** Renders a unix socket path: `abns@NAME` for an abstract one, else `unix@PATH`. */
export function formatUnixPath(path: string): string {
  return path.startsWith('\0') ? `abns@${path.slice(1)}` : `unix@${path}`
}

/** Renders a listening address for logs and names (`127.0.0.1:80`, `[::1]:80`, `unix@/x`,
 *  `abns@name`, `fd@3`). */
export function formatListenAddr(a: ListenAddr): string {
  if (a.family === 'unix') return formatUnixPath(a.path)
  if (a.family === 'fd') return a.name === undefined ? `fd@${a.fd}` : `systemd@${a.name}`
  const host = a.family === 'ipv6' && a.host !== '' ? `[${a.host}]` : a.host
  return `${host}:${a.port}`
}

/** Validates `NET` as written after monitor-net: an IPv4 address with an optional /bits or dotted
 *  mask. Returns the normalised `a.b.c.d/bits`, which core/ip.ts `parseNet` reads at load. */
export function parseIpv4Net(text: string, at: SourcePos): string {
  const [net, mask] = text.split('/') as [string, string | undefined]
  if (parseIpv4(net) < 0) throw new ConfigError(`invalid network '${text}'; write an IPv4 address with an optional /bits, e.g. 192.168.1.252/31`, at)
  if (mask === undefined) return `${net}/32`
  if (/^\d+$/.test(mask) && Number(mask) <= 32) return `${net}/${Number(mask)}`
  const m = parseIpv4(mask)
  if (m >= 0) {
    const bits = 32 - Math.log2(((~m) >>> 0) + 1)
    if (Number.isInteger(bits)) return `${net}/${bits}`
  }
  throw new ConfigError(`invalid netmask '${mask}' in '${text}'; write /0 to /32 or a dotted mask like 255.255.255.0`, at)
}

/** Validates `NET` as written after `option forwardfor|originalto except`: an IPv4 network as
 *  `parseIpv4Net` reads it, or an IPv6 address with an optional /bits (as HAProxy 2.x takes
 *  both). Returns it normalised (`a.b.c.d/bits`, `v6/bits`). */
export function parseIpNet(text: string, at: SourcePos): string {
  const slash = text.indexOf('/')
  const addr = slash < 0 ? text : text.slice(0, slash)
  if (!addr.includes(':')) return parseIpv4Net(text, at)
  if (parseIpv6(addr) === undefined) throw new ConfigError(`invalid network '${text}'; write an IPv4 or IPv6 address with an optional /bits, e.g. 192.168.1.0/24 or 2001:db8::/32`, at)
  if (slash < 0) return `${addr}/128`
  const bits = text.slice(slash + 1)
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > 128) throw new ConfigError(`invalid prefix length '${bits}' in '${text}'; write /0 to /128`, at)
  return `${addr}/${Number(bits)}`
}
