/**
 * The words after `tcp-check connect` and `http-check connect`:
 *
 *   [port N] [addr A] [default] [send-proxy] [linger] [comment C]
 *
 * `default` applies the server's connection settings (its PROXY header) to the step;
 * `send-proxy` sends a PROXY header on it; `linger` closes the connection cleanly (FIN) at the end
 * of the check instead of with a reset, as HAProxy does.
 */
import type { SourcePos } from '../model/source.ts'
import { CheckConfigError } from './types.ts'

/** Where a connect step goes instead of the check address (CheckRun.connect's options). */
export interface ConnectOverride {
  port?: number
  addr?: string
  default?: boolean
  sendProxy?: boolean
  linger?: boolean
}

/** `kw` is the keyword as written, for messages. `to` is undefined when nothing is overridden. */
export function parseConnectArgs(args: readonly string[], kw: string, at: SourcePos): { to?: ConnectOverride; comment?: string } {
  const to: ConnectOverride = {}
  const out: { to?: ConnectOverride; comment?: string } = {}
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!
    const v = args[i + 1]
    if (w === 'port') {
      if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw new CheckConfigError(`'${kw} port' expects a TCP port (1 to 65535), got '${v ?? ''}'`, at)
      to.port = Number(v); i++
    } else if (w === 'addr') {
      if (v === undefined) throw new CheckConfigError(`'${kw} addr' expects an address`, at)
      to.addr = v; i++
    } else if (w === 'comment') {
      if (v === undefined) throw new CheckConfigError(`'${kw} comment' expects a text`, at)
      out.comment = v; i++
    } else if (w === 'default') {
      to.default = true
    } else if (w === 'send-proxy') {
      to.sendProxy = true
    } else if (w === 'linger') {
      to.linger = true
    } else {
      throw new CheckConfigError(`'${kw} ${w}' is not supported; edgelb knows 'port', 'addr', 'default', 'send-proxy', 'linger' and 'comment'`, at)
    }
  }
  if (to.port !== undefined || to.addr !== undefined || to.default === true || to.sendProxy === true || to.linger === true) out.to = to
  return out
}
