/**
 * `option forwardfor [except NET] [header NAME] [if-none]` and
 * `option originalto [except NET] [header NAME]`: tell the server who the client is (the address
 * it connected from) and where it connected to (the address it reached on edgelb). `except NET`
 * skips clients (forwardfor) or destinations (originalto) in NET.
 *
 * X-Forwarded-For is appended to: when the request already carries the header (another proxy in
 * front), the client's address is added to the end of its last field, so the server reads the
 * whole chain in one value; with `if-none` an existing header is left alone.
 *
 * Each option is compiled once, at load (its network parsed, its header name lowered); a request
 * only reads the client's address.
 */
import { plainAddress } from '../core/address.ts'
import { inNet, parseNet, type IpNet } from '../core/ip.ts'
import type { ForwardForConfig, OriginalToConfig } from '../model/types.ts'
import { lowerName } from './head.ts'
import type { H1Head } from './types.ts'

/** `option forwardfor`, compiled. */
export interface ForwardFor {
  readonly header: string
  readonly lname: string
  readonly ifNone: boolean
  /** Clients in this network get no header. */
  readonly except: IpNet | undefined
}

/** `option originalto`, compiled. */
export interface OriginalTo {
  readonly header: string
  /** Destinations in this network (the addresses of edgelb itself) get no header. */
  readonly except: IpNet | undefined
}

/** The network the model holds as text; the builder validated it (model/address.ts parseIpNet). */
function exceptNet(text: string | undefined): IpNet | undefined {
  return text === undefined ? undefined : parseNet(text)
}

export function compileForwardFor(cfg: ForwardForConfig): ForwardFor {
  return { header: cfg.header, lname: lowerName(cfg.header), ifNone: cfg.ifNone, except: exceptNet(cfg.except) }
}

export function compileOriginalTo(cfg: OriginalToConfig): OriginalTo {
  return { header: cfg.header, except: exceptNet(cfg.except) }
}

export function addForwardedFor(ff: ForwardFor, req: H1Head, cliAddr: string): void {
  const ip = plainAddress(cliAddr)
  if (ip === '') return
  if (ff.except !== undefined && inNet(ff.except, ip)) return
  const h = req.headers
  let last = -1
  for (let i = h.find(ff.lname, 0); i >= 0; i = h.find(ff.lname, i + 1)) last = i
  if (last < 0) { h.add(ff.header, ip); return }
  if (ff.ifNone) return
  const v = h.value(last)
  h.setValue(last, v === '' ? ip : `${v}, ${ip}`)
}

export function addOriginalTo(ot: OriginalTo, req: H1Head, dstAddr: string): void {
  const ip = plainAddress(dstAddr)
  if (ip === '') return
  if (ot.except !== undefined && inNet(ot.except, ip)) return
  req.headers.set(ot.header, ip)
}
