/**
 * `option forwardfor [except NET] [header NAME] [if-none]` and
 * `option originalto [except NET] [header NAME]`: tell the server who the client is (the address
 * it connected from) and where it connected to (the address it reached on edgelb). `except NET`
 * skips clients (forwardfor) or destinations (originalto) in NET.
 *
 * X-Forwarded-For is appended to: when the request already carries the header (another proxy in
 * front), the client's address is added to the end of its last field, so the server reads the
 * whole chain in one value; with `if-none` an existing header is left alone.
 */
import { ipv4InCidr } from '../model/address.ts'
import { plainAddress } from '../core/address.ts'
import type { ForwardForConfig, OriginalToConfig } from '../model/types.ts'
import { lowerName } from './head.ts'
import type { H1Head } from './types.ts'

export function addForwardedFor(cfg: ForwardForConfig, req: H1Head, cliAddr: string): void {
  const ip = plainAddress(cliAddr)
  if (ip === '') return
  if (cfg.except !== undefined && ipv4InCidr(ip, cfg.except)) return
  const h = req.headers
  const lname = lowerName(cfg.header)
  let last = -1
  for (let i = h.find(lname, 0); i >= 0; i = h.find(lname, i + 1)) last = i
  if (last < 0) { h.add(cfg.header, ip); return }
  if (cfg.ifNone) return
  const v = h.value(last)
  h.setValue(last, v === '' ? ip : `${v}, ${ip}`)
}

export function addOriginalTo(cfg: OriginalToConfig, req: H1Head, dstAddr: string): void {
  const ip = plainAddress(dstAddr)
  if (ip === '') return
  // `except` names destinations (the addresses of edgelb itself) that need no header.
  if (cfg.except !== undefined && ipv4InCidr(ip, cfg.except)) return
  req.headers.set(cfg.header, ip)
}
