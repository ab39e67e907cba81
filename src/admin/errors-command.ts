/**
 * `show errors [<proxy>] [request|response]`: the last invalid request each frontend received and
 * the last invalid response each backend's servers sent (proxy/error-capture.ts), in HAProxy's
 * layout: a header line with the date of the dump and the number of events, then per snapshot its
 * date, proxy and kind, who sent it, where the parser stopped, and the bytes, 16 or so per line
 * with their offset (`+` marks a line continuing the same text line), non-printable ones as
 * `\xHH`. The state fields HAProxy prints of its own parser (H1 flags) are written as zeros.
 * Operator level: the bytes may hold credentials.
 */
import { wallNow } from '../core/clock.ts'
import { formatLogDate } from '../log/date.ts'
import { capturedEvents, type CapturedError } from '../proxy/error-capture.ts'
import { CliError, needLevel, type CliCommand, type CliCtx } from './types.ts'

/** The width of a dump line's text, as HAProxy wraps it. */
const WIDTH = 76

/** One byte as HAProxy's dump shows it. */
function shown(b: number): string {
  if (b === 0x09) return '\\t'
  if (b === 0x0a) return '\\n'
  if (b === 0x0d) return '\\r'
  if (b === 0x5c) return '\\\\'
  if (b < 0x20 || b >= 0x7f) return `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`
  return String.fromCharCode(b)
}

/** The bytes as dump lines: `  OFFSET  TEXT`, a new line after each `\n`, wrapped at WIDTH. */
export function dumpBytes(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  let cont = false
  while (i < bytes.length) {
    let line = `  ${String(i).padStart(5, '0')}${cont ? '+' : ' '} `
    let nl = false
    while (i < bytes.length && line.length < WIDTH) {
      const b = bytes[i++]!
      line += shown(b)
      if (b === 0x0a) { nl = true; break }
    }
    out += line + '\n'
    cont = !nl
  }
  return out
}

function proxyIds(ctx: CliCtx): Map<string, number> {
  return new Map(ctx.engine.config.proxies.map((p, i) => [p.name, i + 1]))
}

function serverId(ctx: CliCtx, be: string | null, srv: string | null): number {
  const b = be === null ? undefined : ctx.engine.backends.get(be)
  const i = b === undefined || srv === null ? -1 : b.servers.findIndex((s) => s.name === srv)
  return i < 0 ? -1 : i + 1
}

function snapshot(ctx: CliCtx, e: CapturedError, ids: Map<string, number>): string {
  const id = (name: string | null): number => (name === null ? -1 : ids.get(name) ?? -1)
  let out = `\n[${formatLogDate(e.date)}] ${e.kind === 'request' ? 'frontend' : 'backend'} ${e.proxy} (#${id(e.proxy)}): invalid ${e.kind}\n`
  out += e.kind === 'request'
    ? `  backend ${e.backend ?? '<NONE>'} (#${id(e.backend)}), server ${e.server ?? '<NONE>'} (#${serverId(ctx, e.backend, e.server)}), event #${e.event}, src ${e.src}\n`
    : `  frontend ${e.frontend} (#${id(e.frontend)}), server ${e.server ?? '<NONE>'} (#${serverId(ctx, e.backend, e.server)}), event #${e.event}, src ${e.src}\n`
  const size = ctx.engine.tune.bufsize ?? 16384
  out += `  buffer starts at 0 (including 0 out), ${Math.max(0, size - e.len)} free,\n`
  out += `  len ${e.len}, wraps at ${size}, error at position ${e.pos}\n`
  out += `  H1 connection flags 0x00000000, H1 stream flags 0x00000000\n`
  out += `  H1 msg state ${e.kind === 'request' ? 'MSG_RQBEFORE' : 'MSG_RPBEFORE'}(0), H1 msg flags 0x00000000\n`
  out += `  H1 chunk len 0 bytes, H1 body len 0 bytes :\n\n`
  return out + dumpBytes(e.bytes)
}

export const showErrors: CliCommand = {
  words: ['show', 'errors'],
  usage: 'show errors [<px>] [request|response]',
  help: 'report last request and/or response errors for each proxy',
  level: 'operator',
  run(args, ctx) {
    needLevel(ctx, 'operator')
    let px: string | undefined
    let kind: 'request' | 'response' | undefined
    for (const a of args.slice(2)) {
      if (a === 'request' || a === 'response') kind = a
      else if (px === undefined) px = a
    }
    const ids = proxyIds(ctx)
    if (px !== undefined && !ids.has(px) && !/^-?\d+$/.test(px)) throw new CliError('No such proxy.\n')
    const all = ctx.engine.frontends.flatMap((fe) => [...fe.capturedErrors.values()])
      .filter((e) => (kind === undefined || e.kind === kind) && (px === undefined || e.proxy === px || String(ids.get(e.proxy)) === px))
      .sort((a, b) => a.event - b.event)
    let out = `Total events captured on [${formatLogDate(wallNow())}] : ${capturedEvents()}\n`
    for (const e of all) out += snapshot(ctx, e, ids)
    return out
  },
}
