/**
 * Listening sockets handed to edgelb by whoever started it: systemd's socket activation
 * (`LISTEN_FDS`, `LISTEN_PID`, `LISTEN_FDNAMES`, as sd_listen_fds(3) reads them) or a running
 * edgelb passing its own on to a new executable (`EDGELB_LISTEN_FDS`, see net/upgrade.ts).
 *
 * What each descriptor is bound to is read from the kernel's tables (/proc/self/fd gives the
 * socket's inode, /proc/net/{tcp,tcp6,unix} its address and state), so nothing is done to the
 * socket itself until a `bind` line takes it: an unused one stays as it was handed over.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { formatIpv4, formatIpv6, mappedIpv4, parseIpv6 } from '../core/ip.ts'
import type { ListenTarget } from './types.ts'

/** Where a socket is bound, as the kernel says. */
export type SocketAddress =
  | { kind: 'tcp'; host: string; port: number; listening: boolean }
  | { kind: 'unix'; path: string; listening: boolean }
  | { kind: 'other'; what: string }

export interface InheritedSocket {
  readonly fd: number
  /** Its name in `LISTEN_FDNAMES` (systemd's `FileDescriptorName=`, by default the socket unit's
   *  name); undefined without names. */
  readonly name: string | undefined
  readonly address: SocketAddress
  /** Taken by a `bind` line of the running configuration. */
  used: boolean
}

/** The environment variable a running edgelb passes its listening sockets on with (`fd[=name]`,
 *  comma-separated), for an executable it starts in its place (net/upgrade.ts). */
export const UPGRADE_FDS_ENV = 'EDGELB_LISTEN_FDS'

const SD_LISTEN_FDS_START = 3

export interface InheritedResult {
  sockets: InheritedSockets
  /** Why some or all of what the environment says was not taken, one line each. */
  warnings: string[]
}

/**
 * Reads the sockets the environment hands over, then removes the variables (as
 * sd_listen_fds(unset_environment=1) does: programs edgelb starts must not take them as theirs).
 * systemd's are taken only when `LISTEN_PID` is this process: the variables were meant for another
 * one otherwise (a shell or wrapper that forked).
 */
export function takeInheritedSockets(env: Record<string, string | undefined>, pid: number): InheritedResult {
  const warnings: string[] = []
  const found: { fd: number; name: string | undefined }[] = []
  const count = env.LISTEN_FDS
  if (count !== undefined) {
    const forPid = env.LISTEN_PID
    const names = env.LISTEN_FDNAMES?.split(':')
    const n = /^\d+$/.test(count) ? Number(count) : NaN
    if (Number.isNaN(n)) warnings.push(`LISTEN_FDS=${count} is not a number of descriptors; no socket taken from systemd`)
    else if (forPid === undefined || !/^\d+$/.test(forPid)) warnings.push(`LISTEN_FDS=${count} comes without LISTEN_PID; no socket taken from systemd`)
    else if (Number(forPid) !== pid) warnings.push(`LISTEN_FDS=${count} is for process ${forPid}, and this is ${pid}; no socket taken from systemd (edgelb must be the process systemd starts, or be exec'd by it)`)
    else for (let i = 0; i < n; i++) found.push({ fd: SD_LISTEN_FDS_START + i, name: names?.[i] || undefined })
  }
  const passed = env[UPGRADE_FDS_ENV]
  if (passed !== undefined) {
    for (const part of passed.split(',')) {
      const m = /^(\d+)(?:=(.*))?$/.exec(part)
      if (m === null) { if (part !== '') warnings.push(`${UPGRADE_FDS_ENV}: '${part}' is not fd[=name]; ignored`); continue }
      const fd = Number(m[1])
      if (!found.some((f) => f.fd === fd)) found.push({ fd, name: m[2] || undefined })
    }
  }
  for (const k of ['LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES', UPGRADE_FDS_ENV]) delete env[k]
  const inodes = found.map(({ fd }) => socketInode(fd))
  const tables = readSocketTables(inodes.filter((i) => i !== undefined))
  const sockets: InheritedSocket[] = []
  found.forEach(({ fd, name }, i) => {
    const inode = inodes[i]
    if (inode === undefined) { warnings.push(`inherited fd ${fd}${name ? ` (${name})` : ''} is not an open socket; ignored`); return }
    const address = tables.get(inode) ?? { kind: 'other', what: 'a socket that is neither TCP nor unix stream' }
    sockets.push({ fd, name, address, used: false })
  })
  return { sockets: new InheritedSockets(sockets), warnings }
}

/** The inherited sockets of the process, and which `bind` lines took them. */
export class InheritedSockets {
  readonly all: readonly InheritedSocket[]

  constructor(sockets: readonly InheritedSocket[] = []) {
    this.all = sockets
  }

  byFd(fd: number): InheritedSocket | undefined {
    return this.all.find((s) => s.fd === fd)
  }

  /** Every socket named `name` (systemd gives all the sockets of one .socket unit its name). */
  byName(name: string): InheritedSocket[] {
    return this.all.filter((s) => s.name === name)
  }

  /**
   * The inherited listening socket a plain `bind ADDR:PORT` (or `bind /path`) adopts: bound to
   * that same address; for a wildcard IPv4 address (`:80`, `0.0.0.0:80`), failing that, one bound
   * to `[::]:80`, which systemd's `ListenStream=80` creates and which takes IPv4 too. Never for
   * port 0 (any free port).
   */
  matching(target: ListenTarget, taken: (s: InheritedSocket) => boolean): InheritedSocket | undefined {
    if (target.kind === 'fd') return undefined
    const free = this.all.filter((s) => !taken(s) && (s.address.kind === 'tcp' || s.address.kind === 'unix') && s.address.listening)
    if (target.kind === 'unix') return free.find((s) => s.address.kind === 'unix' && s.address.path === target.path)
    if (target.port === 0) return undefined
    const host = canonicalHost(target.host)
    const exact = free.find((s) => s.address.kind === 'tcp' && s.address.port === target.port && s.address.host === host)
    if (exact !== undefined || host !== '0.0.0.0') return exact
    return free.find((s) => s.address.kind === 'tcp' && s.address.port === target.port && s.address.host === '::')
  }
}

/** How a socket's address reads in messages: `0.0.0.0:80`, `[::]:443`, `unix@/run/x.sock`. */
export function describeSocket(s: InheritedSocket): string {
  const a = s.address
  const where = a.kind === 'tcp' ? `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}` : a.kind === 'unix' ? `unix@${a.path}` : a.what
  return `fd ${s.fd}${s.name ? ` "${s.name}"` : ''} (${where}${a.kind !== 'other' && !a.listening ? ', not listening' : ''})`
}

/** The same address in the form /proc shows it (`::ffff:1.2.3.4` as `1.2.3.4`, IPv6 compressed). */
function canonicalHost(host: string): string {
  if (!host.includes(':')) return host
  const w = parseIpv6(host)
  return w === undefined ? host : formatHost6(w)
}

function formatHost6(w: Uint32Array): string {
  const v4 = mappedIpv4(w)
  return v4 >= 0 ? formatIpv4(v4) : formatIpv6(w)
}

/** inode → address, for the sockets `inodes` among the TCP and unix sockets of the process's
 *  network namespace. The tables may hold tens of thousands of lines on a busy host: only the
 *  lines of these inodes are parsed. */
function readSocketTables(inodes: readonly string[]): Map<string, SocketAddress> {
  const out = new Map<string, SocketAddress>()
  // Nothing handed over (the usual start): the tables, large on a busy host, are not read at all.
  if (inodes.length === 0) return out
  for (const [file, v6] of [['/proc/net/tcp', false], ['/proc/net/tcp6', true]] as const) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    for (const [inode, f] of linesOf(file, inodes, 9)) {
      const [hexAddr, hexPort] = (f[1] ?? '').split(':')
      if (hexAddr === undefined || hexPort === undefined) continue
      const host = v6 ? formatHost6(procIpv6(hexAddr)) : formatIpv4(procIpv4(hexAddr))
      out.set(inode, { kind: 'tcp', host, port: parseInt(hexPort, 16), listening: f[3] === '0A' })
    }
  }
  // Num RefCount Protocol Flags Type St Inode Path
  for (const [inode, f] of linesOf('/proc/net/unix', inodes, 6)) {
    const stream = f[4] === '0001'
    const listening = stream && (parseInt(f[3] ?? '0', 16) & 0x10000) !== 0
    const path = f[7]
    out.set(inode, path === undefined ? { kind: 'other', what: 'an unnamed unix socket' } : stream ? { kind: 'unix', path: path.startsWith('@') ? `\0${path.slice(1)}` : path, listening } : { kind: 'other', what: `unix datagram socket ${path}` })
  }
  return out
}

/** The fields of the lines of `file` whose field `at` is one of `inodes`. */
function* linesOf(file: string, inodes: readonly string[], at: number): Generator<[string, string[]]> {
  let text: string
  try { text = readFileSync(file, 'latin1') } catch { return }
  for (const inode of inodes) {
    const needle = ` ${inode} `
    for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      const start = text.lastIndexOf('\n', i) + 1
      const end = text.indexOf('\n', i)
      const f = text.slice(start, end < 0 ? text.length : end).trim().split(/\s+/)
      if (f[at] === inode) { yield [inode, f]; break }
    }
  }
}

/** /proc's IPv4: the 32-bit address as the host (little-endian) prints it. */
function procIpv4(hex: string): number {
  const n = parseInt(hex, 16)
  return (((n & 0xff) << 24) | ((n >>> 8 & 0xff) << 16) | ((n >>> 16 & 0xff) << 8) | (n >>> 24)) >>> 0
}

function procIpv6(hex: string): Uint32Array {
  const w = new Uint32Array(4)
  for (let i = 0; i < 4; i++) w[i] = procIpv4(hex.slice(8 * i, 8 * i + 8))
  return w
}

/** The inode of socket `fd`, or undefined when `fd` is not an open socket. */
function socketInode(fd: number): string | undefined {
  let link: string
  try { link = readlinkSync(`/proc/self/fd/${fd}`) } catch { return undefined }
  return /^socket:\[(\d+)\]$/.exec(link)?.[1]
}

/** The descriptors of the process that are sockets, above stderr: what the runtime opens for
 *  itself at start is no socket (epoll, eventfd, pipes), so these were handed over. */
export function socketFds(): number[] {
  let fds: string[]
  try { fds = readdirSync('/proc/self/fd') } catch { return [] }
  const out: number[] = []
  for (const f of fds) {
    const fd = Number(f)
    if (fd <= 2) continue
    try { if (readlinkSync(`/proc/self/fd/${f}`).startsWith('socket:')) out.push(fd) } catch { /* closed meanwhile */ }
  }
  return out
}
