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
 * - an answer without an address for it (NXDOMAIN, no records, refused, an error, a timeout)
 *   takes the server into maintenance once `hold nx|other|refused|timeout` has passed since the
 *   last good answer; until then it keeps its address.
 *
 *   ready --no address for longer than hold--> maint (unresolved) --an address--> ready
 */
import { lookup } from 'node:dns'
import { isIP } from 'node:net'
import type { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import { now } from '../core/clock.ts'
import type { Config, ResolversConfig } from '../model/types.ts'
import { DnsClient, type DnsOutcome } from '../net/dns-client.ts'
import { DNS_A, DNS_AAAA } from '../net/dns-packet.ts'

interface Resolved {
  server: Server
  be: Backend
  name: string
  prefer: 'ipv4' | 'ipv6'
  /** Monotonic ms of the last answer that held an address for it (start: -Infinity). */
  lastValid: number
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

  constructor(config: Config, backends: ReadonlyMap<string, Backend>) {
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
      const first = prefer === 'ipv6' ? DNS_AAAA : DNS_A
      let o = await x.client.query(name, first)
      if (o.kind === 'empty') o = await x.client.query(name, first === DNS_A ? DNS_AAAA : DNS_A)
      if (this.#stopped) return
      this.#apply(x, group, o)
    }))
    x.running = false
    if (this.#stopped) return
    this.onRound?.()
    x.timer = setTimeout(() => { void this.#round(x) }, x.cfg.timeoutResolve)
  }

  #apply(x: Section, group: Resolved[], o: DnsOutcome): void {
    const t = now()
    if (o.kind !== 'valid') {
      const hold = x.cfg.hold[HOLD_OF[o.kind]]
      for (const r of group) {
        if (t - r.lastValid < hold) continue
        r.server.resolvedHost = null
        setUnresolved(r.server, r.be, true)
      }
      return
    }
    const addrs = o.answer.answers.flatMap((a) => (a.type === DNS_A || a.type === DNS_AAAA ? [a.address] : []))
    for (const r of group) {
      r.lastValid = t
      const s = r.server
      if (s.resolvedHost === null || !addrs.includes(s.resolvedHost)) {
        // Another server of the backend named the same way may hold an address already.
        const taken = new Set(r.be.servers.filter((o2) => o2 !== s && o2.cfg.addr.host === s.cfg.addr.host && o2.resolvedHost !== null).map((o2) => o2.resolvedHost!))
        const free = addrs.find((a) => !taken.has(a))
        if (free === undefined && group.length > 1) { s.resolvedHost = null; setUnresolved(s, r.be, true); continue }
        s.resolvedHost = free ?? addrs[0]!
      }
      setUnresolved(s, r.be, false)
    }
  }
}

function setUnresolved(s: Server, be: Backend, v: boolean): void {
  if (s.unresolved === v) return
  s.unresolved = v
  be.serverStateChanged(s)
}
