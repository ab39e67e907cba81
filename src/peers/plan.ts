/**
 * What a `peers` section starts: which of its peers is this process, where it listens, whom it
 * connects to, and the tables it shares (those whose `stick-table` names the section with
 * `peers NAME`, and the section's own `table` lines, shared as `SECTION/TABLE`).
 */
import { hostname } from 'node:os'
import { parseBindSpec, parseServerAddr } from '../model/address.ts'
import { listenTarget } from '../net/listen-target.ts'
import type { PeersConfig, ProxyConfig } from '../model/types.ts'
import type { StickTable } from '../rules/stick-table.ts'
import type { ListenTarget } from '../net/runtime.ts'
import type { PeerAddress, SharedTable } from './service.ts'

export interface PeersPlan {
  section: string
  localName: string
  bind: ListenTarget | null
  peers: PeerAddress[]
  tables: SharedTable[]
}

/** The local peer's name: `-L`/`localpeer`, else the host name, as HAProxy. */
export function localPeerName(configured: string | undefined): string {
  return configured ?? hostname()
}

/** The plan of section `s`, or why it does not start (no peer is this process; it is disabled). */
export function planPeers(s: PeersConfig, localName: string, proxies: readonly ProxyConfig[], tables: ReadonlyMap<string, StickTable>): PeersPlan | string {
  if (s.disabled) return `peers section '${s.name}' is disabled`
  const me = s.peers.find((p) => p.name === localName)
  if (me === undefined) return `peers section '${s.name}' has no peer named '${localName}' (this process's name: -L NAME, 'localpeer', else the host name): its tables stay local`
  const addr = me.address !== '' ? me.address : s.binds?.[0]?.address
  let bind: ListenTarget | null = null
  if (addr !== undefined) {
    // A listening address, as a bind line takes it (fd@N and unix@ too, for inherited sockets).
    const la = parseBindSpec(addr, me.pos)[0]
    if (la !== undefined) bind = listenTarget(la)
  }
  const peers: PeerAddress[] = []
  for (const p of s.peers) {
    if (p.name === localName || p.address === '') continue
    if (p.address.startsWith('fd@')) return `peer '${p.name}' of section '${s.name}' is reached at ${p.address}, a listening socket; give it ADDRESS:PORT`
    const a = parseServerAddr(p.address, p.pos)
    // Without an address to reach (`:`), the peer is known but only its own connections link it.
    if (a.port === undefined && (a.host === '' || a.host === '0.0.0.0')) { peers.push({ name: p.name, host: '', port: 0 }); continue }
    if (a.port === undefined) return `peer '${p.name}' of section '${s.name}' needs a port: ${p.address}`
    peers.push({ name: p.name, host: a.host === '0.0.0.0' || a.host === '*' ? '127.0.0.1' : a.host, port: a.port })
  }
  const shared: SharedTable[] = []
  for (const p of proxies) {
    const cfg = p.stickTable
    const t = tables.get(p.name)
    if (cfg?.peers === s.name && t !== undefined) shared.push({ name: p.name, table: t, cfg })
  }
  for (const d of s.tables ?? []) {
    const name = `${s.name}/${d.name}`
    const t = tables.get(name)
    if (t !== undefined) shared.push({ name, table: t, cfg: d.cfg })
  }
  return { section: s.name, localName, bind, peers, tables: shared }
}
