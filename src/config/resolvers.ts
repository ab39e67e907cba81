/**
 * A `resolvers NAME` section, as HAProxy 2.6 reads it: `nameserver NAME ADDRESS:PORT` (UDP; a
 * `tcp@` name server is refused), `parse-resolv-conf` (the `nameserver` lines of
 * /etc/resolv.conf, port 53), `resolve_retries N`, `timeout resolve|retry DURATION`, `hold
 * nx|other|refused|timeout|valid|obsolete DURATION`, `accepted_payload_size N` (512 to 65535).
 */
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { ConfigError, type SectionSource } from '../model/source.ts'
import type { Config, ResolversConfig } from '../model/types.ts'
import { parseDuration } from '../model/units.ts'

const HOLDS = ['nx', 'other', 'refused', 'timeout', 'valid', 'obsolete'] as const

function hostPort(v: string, pos: SectionSource['pos']): { host: string; port: number } {
  const a = v.startsWith('udp@') ? v.slice(4) : v
  if (a.startsWith('tcp@')) throw new ConfigError(`a name server over TCP ('${v}') is not supported; use its UDP address`, pos)
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(a)
  if (!m || isIP(m[1]!) === 0 || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new ConfigError(`'nameserver' expects an IP address and a port (10.0.0.53:53), got '${v}'`, pos)
  return { host: m[1]!, port: Number(m[2]) }
}

/** The `nameserver` lines of a resolv.conf text. */
export function resolvConfServers(text: string): string[] {
  const out: string[] = []
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line)
    if (m && isIP(m[1]!) !== 0) out.push(m[1]!)
  }
  return out
}

export function readResolvers(s: SectionSource, guard: (f: () => void) => void, resolvConf = '/etc/resolv.conf'): ResolversConfig {
  const out: ResolversConfig = {
    name: s.name, pos: s.pos, nameservers: [], retries: 3, timeoutResolve: 1000, timeoutRetry: 1000,
    hold: { nx: 30_000, other: 30_000, refused: 30_000, timeout: 30_000, valid: 10_000, obsolete: 0 }, payloadSize: 512,
  }
  for (const d of s.directives) {
    if (d.no === true || d.reset === true) continue // refused by the section's keyword check
    guard(() => {
      switch (d.kw) {
        case 'nameserver': {
          const [name, addr] = d.args
          if (name === undefined || addr === undefined || d.args.length > 2) throw new ConfigError(`'nameserver' expects a name and an address: nameserver dns1 10.0.0.53:53`, d.pos)
          if (out.nameservers.some((n) => n.name === name)) throw new ConfigError(`nameserver '${name}' is declared twice in resolvers '${s.name}'`, d.pos)
          out.nameservers.push({ name, ...hostPort(addr, d.pos), pos: d.pos })
          break
        }
        case 'parse-resolv-conf': {
          let text: string
          try { text = readFileSync(resolvConf, 'utf8') } catch (e) { throw new ConfigError(`'parse-resolv-conf': cannot read ${resolvConf}: ${(e as Error).message}`, d.pos) }
          for (const host of resolvConfServers(text)) out.nameservers.push({ name: `resolv.conf:${host}`, host, port: 53, pos: d.pos })
          break
        }
        case 'resolve_retries': {
          const v = d.args[0] ?? ''
          if (!/^\d+$/.test(v) || Number(v) < 1) throw new ConfigError(`'resolve_retries' expects a number of at least 1, got '${v}'`, d.pos)
          out.retries = Number(v)
          break
        }
        case 'timeout': {
          // The reader gives `timeout resolve 1s` as `timeout` with ['resolve', '1s'].
          const [which, v] = d.args
          if ((which !== 'resolve' && which !== 'retry') || v === undefined) throw new ConfigError(`'timeout' expects resolve or retry and a duration`, d.pos)
          if (which === 'resolve') out.timeoutResolve = parseDuration(v, d.pos)
          else out.timeoutRetry = parseDuration(v, d.pos)
          break
        }
        case 'hold': {
          const [kind, v] = d.args
          if (!(HOLDS as readonly string[]).includes(kind ?? '') || v === undefined) throw new ConfigError(`'hold' expects one of ${HOLDS.join(', ')} and a duration`, d.pos)
          out.hold[kind as (typeof HOLDS)[number]] = parseDuration(v, d.pos)
          break
        }
        case 'accepted_payload_size': {
          const v = d.args[0] ?? ''
          if (!/^\d+$/.test(v) || Number(v) < 512 || Number(v) > 65535) throw new ConfigError(`'accepted_payload_size' expects a number from 512 to 65535, got '${v}'`, d.pos)
          out.payloadSize = Number(v)
          break
        }
        case 'resolution_pool_size':
          break // obsolete since 1.8; HAProxy ignores it too
      }
    })
  }
  guard(() => {
    if (out.nameservers.length === 0) throw new ConfigError(`resolvers '${s.name}' has no name server; add 'nameserver NAME ADDRESS:PORT' or 'parse-resolv-conf'`, s.pos)
  })
  return out
}

/** Every server's `resolvers NAME` names a section. */
export function checkServerResolvers(config: Config, error: (message: string, at: SectionSource['pos']) => void): void {
  const names = new Set((config.resolvers ?? []).map((r) => r.name))
  for (const p of config.proxies) {
    for (const s of p.servers) {
      if (s.resolvers !== undefined && !names.has(s.resolvers)) {
        error(`server '${s.name}': no resolvers section named '${s.resolvers}'${names.size > 0 ? `; known: ${[...names].join(', ')}` : ''}`, s.pos)
      }
    }
  }
}
