/**
 * Servers' addresses found by name at start (`init-addr`) and, for servers with `resolvers R`, kept
 * up to date at run time, as HAProxy's resolvers do:
 *
 * - at start, `init-addr` methods are tried in order (default `last,libc`): `last` (a state file
 *   edgelb does not keep: skipped), `libc` (the system resolver), an IP address, `none` (start in
 *   maintenance until DNS answers). When every method fails, the server starts in maintenance;
 * - every `timeout resolve`, each name is asked of R's name servers (AAAA then A, or A then AAAA
 *   with `resolve-prefer ipv4`); a server keeps its address while the answer holds it, else takes
 *   the first one that no other server of its backend with that name uses (server-template
 *   slots so get one address each); one without an address leaves maintenance;
 * - a name that begins with `_` (`_http._tcp.app.internal`) is asked for SRV records: each gives
 *   a target, whose address comes from the answer's additional records (else from an A or AAAA
 *   question), and the port the server then uses;
 * - an answer without an address for it (NXDOMAIN, no records, refused, an error, a timeout)
 *   takes the server into maintenance once `hold nx|other|refused|timeout` has passed since the
 *   last good answer; until then it keeps its address.
 *
 *   ready --no address for longer than hold--> maint (unresolved) --an address--> ready
 *
 * Each change is logged as HAProxy words it: "Server B/S is going DOWN for maintenance (DNS NX
 * status)", "Server B/S ('NAME') is UP/READY (resolves again)", "B/S changed its IP from A to B
 * by DNS".
 */
import { lookup } from 'node:dns'
import { isIP } from 'node:net'
import type { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import { now } from '../core/clock.ts'
import type { StateEvent } from '../check/state.ts'
import type { Config, ResolversConfig } from '../model/types.ts'
import { DnsClient, type DnsOutcome } from '../net/dns-client.ts'
import { DNS_A, DNS_AAAA, DNS_SRV } from '../net/dns-packet.ts'

interface Resolved {
  server: Server
  be: Backend
  name: string
  prefer: 'ipv4' | 'ipv6'
  /** Monotonic ms of the last answer that held an address for it (start: -Infinity). */
  lastValid: number
}

/** An address a DNS answer offers, with the port of its SRV record (null: the server's own). */
interface Target {
  addr: string
  port: number | null
}

interface Section {
  cfg: ResolversConfig
  client: DnsClient
  servers: Resolved[]
  timer: ReturnType<typeof setTimeout> | undefined
  running: boolean
}

const HOLD_OF: Record<Exclude<DnsOutcome['kind'], 'valid'>, keyof ResolversConfig['hold']> = {
  empty: 'other', nx: 'nx', refused: 'refused', other: 'other', timeout: 'timeout',
}

export class Resolution {
  #sections: Section[] = []
  #stopped = false
  /** Resolves each time a round of resolution has been applied (tests wait on it). */
  onRound: (() => void) | null = null

  #log: (be: Backend, e: StateEvent) => void

  /** `log`: where state changes go (the engine's state lines). */
  constructor(config: Config, backends: ReadonlyMap<string, Backend>, log: (be: Backend, e: StateEvent) => void = () => {}) {
    this.#log = log
    const byName = new Map<string, Section>()
    for (const r of config.resolvers ?? []) {
      byName.set(r.name, { cfg: r, client: new DnsClient(r.nameservers, { retries: r.retries, timeoutRetry: r.timeoutRetry, payloadSize: r.payloadSize }), servers: [], timer: undefined, running: false })
    }
    for (const be of backends.values()) {
      for (const s of be.servers) {
        const c = s.cfg
        if (c.addr.path !== undefined || isIP(c.addr.host) !== 0 || c.addr.host === '' || c.addr.host === '*') continue
        const section = c.resolvers === undefined ? undefined : byName.get(c.resolvers)
        this.#initAddr(s, be, c.initAddr ?? ['last', 'libc'], section !== undefined)
        if (section) section.servers.push({ server: s, be, name: c.addr.host, prefer: c.resolvePrefer ?? 'ipv6', lastValid: -Infinity })
      }
    }
    this.#sections = [...byName.values()].filter((x) => x.servers.length > 0)
    for (const x of byName.values()) if (x.servers.length === 0) x.client.close()
  }

  /** Starts the rounds of every section that has servers (the first one now). */
  start(): void {
    for (const x of this.#sections) this.#round(x)
  }

  stop(): void {
    this.#stopped = true
    for (const x of this.#sections) { clearTimeout(x.timer); x.client.close() }
  }

  #initAddr(s: Server, be: Backend, methods: readonly string[], dns: boolean, from = 0): void {
    for (let i = from; i < methods.length; i++) {
      const m = methods[i]!
      if (m === 'last') continue
      if (m === 'none') { setUnresolved(s, be, true); return }
      if (m !== 'libc') { s.resolvedHost = m; return }
      // Until the system resolver answers, connections name the host (the runtime resolves it).
      lookup(s.cfg.addr.host, { family: s.cfg.resolvePrefer === 'ipv4' ? 4 : 0 }, (err, address) => {
        if (this.#stopped) return
        if (err === null) {
          // DNS may have answered first: its address stands.
          if (s.resolvedHost === null) s.resolvedHost = address
          return
        }
        this.#initAddr(s, be, methods, dns, i + 1)
      })
      return
    }
    // Every method failed (HAProxy would not start); with resolvers, DNS may still find it.
    if (methods.length > 0) setUnresolved(s, be, true)
  }

  #say(be: Backend, level: 'alert' | 'notice', text: string): void {
    this.#log(be, { level, log: `${text}.`, stderr: `${text}.`, tag: 'WARNING' })
  }

  async #round(x: Section): Promise<void> {
    if (this.#stopped || x.running) return
    x.running = true
    const names = new Map<string, Resolved[]>()
    for (const r of x.servers) {
      const key = `${r.prefer} ${r.name}`
      const list = names.get(key)
      if (list === undefined) names.set(key, [r])
      else list.push(r)
    }
    await Promise.all([...names.values()].map(async (group) => {
      const { name, prefer } = group[0]!
      if (name.startsWith('_')) {
        const o = await x.client.query(name, DNS_SRV)
        if (this.#stopped) return
        if (o.kind !== 'valid') { this.#apply(x, group, o); return }
        const targets: Target[] = []
        for (const r of o.answer.answers) {
          if (r.type !== DNS_SRV) continue
          const known = o.answer.additional.find((a) => (a.type === DNS_A || a.type === DNS_AAAA) && a.name === r.target)
          const addr = known !== undefined && 'address' in known ? known.address : (await this.#address(x, r.target, prefer))
          if (addr !== undefined) targets.push({ addr, port: r.port })
        }
        if (this.#stopped) return
        this.#apply(x, group, targets.length > 0 ? { kind: 'valid', targets } : { kind: 'empty' })
        return
      }
      const first = prefer === 'ipv6' ? DNS_AAAA : DNS_A
      let o = await x.client.query(name, first)
      if (o.kind === 'empty') o = await x.client.query(name, first === DNS_A ? DNS_AAAA : DNS_A)
      if (this.#stopped) return
      this.#apply(x, group, o.kind !== 'valid' ? o : {
        kind: 'valid',
        targets: o.answer.answers.flatMap((a) => (a.type === DNS_A || a.type === DNS_AAAA ? [{ addr: a.address, port: null }] : [])),
      })
    }))
    x.running = false
    if (this.#stopped) return
    this.onRound?.()
    x.timer = setTimeout(() => { void this.#round(x) }, x.cfg.timeoutResolve)
  }

  /** The first address of an SRV target. */
  async #address(x: Section, name: string, prefer: 'ipv4' | 'ipv6'): Promise<string | undefined> {
    const first = prefer === 'ipv6' ? DNS_AAAA : DNS_A
    let o = await x.client.query(name, first)
    if (o.kind === 'empty') o = await x.client.query(name, first === DNS_A ? DNS_AAAA : DNS_A)
    if (o.kind !== 'valid') return undefined
    const a = o.answer.answers.find((r) => r.type === DNS_A || r.type === DNS_AAAA)
    return a !== undefined && 'address' in a ? a.address : undefined
  }

  #apply(x: Section, group: Resolved[], o: Exclude<DnsOutcome, { kind: 'valid' }> | { kind: 'valid'; targets: Target[] }): void {
    const t = now()
    if (o.kind !== 'valid') {
      const hold = x.cfg.hold[HOLD_OF[o.kind]]
      for (const r of group) {
        if (t - r.lastValid < hold) continue
        r.server.resolvedHost = null
        r.server.resolvedPort = null
        if (setUnresolved(r.server, r.be, true)) this.#say(r.be, 'alert', `Server ${r.be.name}/${r.server.name} is going DOWN for maintenance (DNS ${o.kind === 'empty' ? 'no records' : o.kind === 'nx' ? 'NX' : o.kind} status)`)
      }
      return
    }
    const key = (host: string | null, port: number | null): string => `${host ?? ''}|${port ?? ''}`
    const offered = o.targets
    for (const r of group) {
      r.lastValid = t
      const s = r.server
      if (s.resolvedHost === null || !offered.some((g) => key(g.addr, g.port) === key(s.resolvedHost, s.resolvedPort))) {
        // Another server of the backend named the same way may hold a target already.
        const taken = new Set(r.be.servers.filter((o2) => o2 !== s && o2.cfg.addr.host === s.cfg.addr.host && o2.resolvedHost !== null).map((o2) => key(o2.resolvedHost, o2.resolvedPort)))
        const free = offered.find((g) => !taken.has(key(g.addr, g.port)))
        if (free === undefined && group.length > 1) { s.resolvedHost = null; s.resolvedPort = null; setUnresolved(s, r.be, true); continue }
        const pick = free ?? offered[0]!
        if (s.resolvedHost !== null && s.resolvedHost !== pick.addr) this.#say(r.be, 'notice', `${r.be.name}/${s.name} changed its IP from ${s.resolvedHost} to ${pick.addr} by DNS`)
        s.resolvedHost = pick.addr
        s.resolvedPort = pick.port
      }
      if (setUnresolved(s, r.be, false)) this.#say(r.be, 'notice', `Server ${r.be.name}/${s.name} ('${r.name}') is UP/READY (resolves again)`)
    }
  }
}

/** Returns whether the state changed. */
function setUnresolved(s: Server, be: Backend, v: boolean): boolean {
  if (s.unresolved === v) return false
  s.unresolved = v
  be.serverStateChanged(s)
  return true
}
