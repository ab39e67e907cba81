/**
 * The handshake of HAProxy's peers protocol (doc/peers.txt, "Handshake"). The peer that connects
 * sends a hello of three lines; the one that accepted answers one status line.
 *
 *   HAProxyS 2.1\n                 protocol and version
 *   <name of the peer addressed>\n
 *   <name of the sender> <pid> <relative pid>\n
 *                                  ──▶  200\n  (or 300, 501, 502, 503, 504)
 */
export const PROTOCOL = 'HAProxyS'
export const VERSION = '2.1'

export const STATUS_OK = 200
export const STATUS_TRY_AGAIN = 300
export const STATUS_PROTOCOL = 501
export const STATUS_VERSION = 502
export const STATUS_HOST = 503
export const STATUS_PEER = 504

export const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'handshake succeeded', 300: 'try again later', 501: 'protocol error', 502: 'bad version',
  503: 'local peer name mismatch', 504: 'unknown peer',
}

/** Longest line edgelb reads in a handshake. */
const MAX_LINE = 512

export function helloText(remote: string, local: string, pid: number): string {
  return `${PROTOCOL} ${VERSION}\n${remote}\n${local} ${pid} 0\n`
}

export type LinesResult = { kind: 'need-more' } | { kind: 'error' } | { kind: 'lines'; lines: string[]; next: number }

/** The first `n` lines of `buf` (latin1), or need-more, or an error for a line too long. */
export function readLines(buf: Uint8Array, end: number, n: number): LinesResult {
  const lines: string[] = []
  let start = 0
  for (let i = 0; i < end && lines.length < n; i++) {
    if (buf[i] !== 10) { if (i - start > MAX_LINE) return { kind: 'error' }; continue }
    lines.push(Buffer.from(buf.subarray(start, i)).toString('latin1'))
    start = i + 1
  }
  if (lines.length < n) return end - start > MAX_LINE ? { kind: 'error' } : { kind: 'need-more' }
  return { kind: 'lines', lines, next: start }
}

/** A peer's words as they may be logged: printable ASCII, at most `n` characters. */
function shown(s: string | undefined, n: number): string {
  return (s ?? '').slice(0, n).replace(/[^\x20-\x7e]/g, '?')
}

export type HelloCheck = { status: 200; peer: string } | { status: number; reason: string }

/**
 * Checks a hello received by `local`: the status to answer and, when 200, the name of the peer
 * that sent it. `known(name)`: whether a remote peer of that name is configured.
 */
export function checkHello(lines: string[], local: string, known: (name: string) => boolean): HelloCheck {
  const [version, host, from] = lines
  const v = /^HAProxyS (\d+)\.(\d+)$/.exec(version ?? '')
  if (!v) return { status: STATUS_PROTOCOL, reason: `not a peers hello: '${shown(version, 40)}'` }
  if (v[1] !== '2') return { status: STATUS_VERSION, reason: `protocol version ${v[1]}.${v[2]} (edgelb speaks ${VERSION})` }
  if (host !== local) return { status: STATUS_HOST, reason: `addressed to peer '${shown(host, 64)}', this is '${local}'` }
  const m = /^(\S+) \d+ \d+$/.exec(from ?? '')
  if (!m) return { status: STATUS_PROTOCOL, reason: `bad sender line '${shown(from, 64)}'` }
  if (!known(m[1]!)) return { status: STATUS_PEER, reason: `unknown peer '${m[1]}'` }
  return { status: STATUS_OK, peer: m[1]! }
}
