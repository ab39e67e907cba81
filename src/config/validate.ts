/**
 * Checks that need the whole model: references between sections, settings that make no sense in
 * the proxy's mode, limits that contradict each other, and the timeouts HAProxy warns about.
 * Shared by both readers; runs after the builder.
 */
import { findAlgorithm } from '../balance/registry.ts'
import { formatListenAddr } from '../model/address.ts'
import { assignIds } from '../model/ids.ts'
import type { KeywordCtx } from './keywords/types.ts'
import { suggest } from '../model/suggest.ts'
import type { SourcePos } from '../model/source.ts'
import type { Config, ProxyConfig } from '../model/types.ts'
import { isLegacyHttpLine } from '../rules/legacy-filters.ts'

const isFrontend = (p: ProxyConfig): boolean => p.kind === 'frontend' || p.kind === 'listen'
const isBackend = (p: ProxyConfig): boolean => p.kind === 'backend' || p.kind === 'listen'

/** Where a keyword phrase was written in a proxy (the builder knows; the model keeps no line for
 *  options and flags). Undefined when it came from a defaults section. */
export type PhrasePos = (p: ProxyConfig, phrase: string) => SourcePos | undefined

/** Things that need `mode http`, and how to name them in a message. */
function httpOnlySettings(p: ProxyConfig, where: PhrasePos): { what: string; line: number }[] {
  const out: { what: string; line: number }[] = []
  const lineOf = (phrase: string): number => where(p, phrase)?.line ?? p.pos.line
  if (p.cookie) out.push({ what: `'cookie ${p.cookie.name}'`, line: p.cookie.pos.line })
  for (const o of ['httpclose', 'http-server-close', 'http-keep-alive', 'forwardfor', 'originalto', 'httplog', 'abortonclose']) {
    if (p.options[o]) out.push({ what: `'option ${o}'`, line: lineOf(`option ${o}`) })
  }
  if (findAlgorithm(p.balance.algo)?.httpOnly) out.push({ what: `'balance ${p.balance.algo}'`, line: lineOf('balance') })
  // `http-check` is not one: an HTTP check works on a tcp backend too (HAProxy's option httpchk).
  for (const r of p.rules) if ((r.kw.startsWith('http-') && !r.kw.startsWith('http-check ')) || isLegacyHttpLine(r.kw)) out.push({ what: `'${r.kw}'`, line: r.pos.line })
  for (const c of p.captures) out.push({ what: `'capture ${c.kind} header ${c.header}'`, line: lineOf(`capture ${c.kind} header`) })
  if (p.monitorUri) out.push({ what: `'monitor-uri'`, line: lineOf('monitor-uri') })
  return out
}

export function validateConfig(config: Config, ctx: KeywordCtx, where: PhrasePos = () => undefined): void {
  const backends = new Map<string, ProxyConfig>()
  const frontends = new Map<string, ProxyConfig>()
  for (const p of config.proxies) {
    const set = [...(isFrontend(p) ? [frontends] : []), ...(isBackend(p) ? [backends] : [])]
    for (const m of set) {
      const prev = m.get(p.name)
      if (prev) ctx.error(`${p.kind} '${p.name}' has the same name as the ${prev.kind} at line ${prev.pos.line}; proxy names must be unique`, p.pos)
      else m.set(p.name, p)
    }
  }

  assignIds(config, (what, a, b) => {
    if (what === 'proxy') ctx.error(`${(a as ProxyConfig).kind} '${a.name}' has the same 'id' as the ${(b as ProxyConfig).kind} '${b.name}' at line ${b.pos.line}; proxy ids must be unique`, a.pos)
    else ctx.error(`server '${a.name}' has the same 'id' as server '${b.name}' at line ${b.pos.line}; server ids must be unique within a backend`, a.pos)
  })

  // A table shared with a peers section that does not exist would silently stay local.
  const peerSections = new Set(config.peers.map((s) => s.name))
  for (const p of config.proxies) {
    const st = p.stickTable
    if (st?.peers !== undefined && !peerSections.has(st.peers)) ctx.error(`stick-table of ${p.kind} '${p.name}': unknown peers section '${st.peers}'${peerSections.size > 0 ? `; known: ${[...peerSections].join(', ')}` : ''}`, st.pos)
  }

  const bound = new Map<string, ProxyConfig>()
  if (config.proxies.length === 0) {
    ctx.warn(`no frontend or listen section: edgelb has nothing to listen on`, { file: config.files[0] ?? '', line: 1 })
  }

  for (const p of config.proxies) {
    const at = p.pos
    const label = `${p.kind} '${p.name}'`

    // Listeners
    if (isFrontend(p) && p.binds.length === 0 && !p.disabled) {
      ctx.warn(`${label} has no 'bind' line, so it receives no traffic; add 'bind ADDRESS:PORT' (or declare it as a backend if that was intended)`, at)
    }
    for (const b of p.binds) {
      for (const a of b.addrs) {
        if ((a.family === 'ipv4' || a.family === 'ipv6') && a.port === 0) continue // any free port: never a clash
        // Per family: `bind :80` and `bind :::80 v6only` are both valid in one proxy.
        const key = a.family === 'ipv4' || a.family === 'ipv6' ? `${a.family} ${a.host === '0.0.0.0' || a.host === '::' ? '' : a.host}:${a.port}` : formatListenAddr(a)
        const other = bound.get(key)
        // Twice in the same proxy fails at startup just the same (EADDRINUSE).
        if (other) ctx.error(`${formatListenAddr(a)} is already bound by ${other.kind} '${other.name}' (line ${other.pos.line}); each address can be bound once`, b.pos)
        else bound.set(key, p)
      }
    }

    // Backend references
    const checkRef = (name: string, line: number, kw: string): void => {
      if (name.includes('%[')) return // dynamic name, resolved per request
      const be = backends.get(name)
      if (!be) {
        const hint = suggest(name, [...backends.keys()])
        ctx.error(`${kw} '${name}': no backend or listen section has that name${hint ? `; did you mean '${hint}'?` : ''}`, { file: at.file, line })
      } else if (be.mode !== p.mode && p.mode === 'http' && be.mode === 'tcp') {
        ctx.error(`${label} is in http mode but its ${kw} '${name}' is in tcp mode; set 'mode http' in backend '${name}'`, { file: at.file, line })
      }
    }
    if (isFrontend(p) && p.defaultBackend !== undefined && p.kind !== 'defaults') {
      checkRef(p.defaultBackend, p.pos.line, 'default_backend')
    }
    for (const u of p.useBackends) checkRef(u.args[0]!, u.pos.line, 'use_backend')
    if (p.kind === 'frontend' && p.defaultBackend === undefined && p.useBackends.length === 0) {
      ctx.warn(`${label} has no default_backend and no use_backend: every connection would be refused; add 'default_backend NAME'`, at)
    }

    // Servers
    if (isBackend(p)) {
      const names = new Map<string, number>()
      for (const s of p.servers) {
        const prev = names.get(s.name)
        if (prev !== undefined) ctx.error(`server '${s.name}' is declared twice in ${label} (first at line ${prev}); server names must be unique in a backend`, s.pos)
        else names.set(s.name, s.pos.line)
        if (s.minconn > 0 && s.maxconn > 0 && s.minconn > s.maxconn) {
          ctx.error(`server '${s.name}': minconn ${s.minconn} is greater than maxconn ${s.maxconn}`, s.pos)
        }
        if (s.minconn > 0 && s.maxconn === 0) {
          ctx.warn(`server '${s.name}': minconn without maxconn has no effect; set maxconn too`, s.pos)
        }
        if (s.cookie !== undefined && !p.cookie) {
          ctx.warn(`server '${s.name}' has 'cookie ${s.cookie}' but ${label} declares no cookie, so it is ignored; add e.g. 'cookie SERVERID insert indirect'`, s.pos)
        }
      }
      // A proxy that serves a stats page (`listen stats`) needs no server for it.
      if (p.servers.length === 0 && !p.dispatch && !p.disabled && p.stats === undefined) {
        ctx.warn(`${label} has no server: every request to it fails (503 in http mode); add 'server NAME ADDRESS:PORT'`, at)
      }
      if (p.servers.length > 0 && p.dispatch) {
        ctx.warn(`${label} has both servers and 'dispatch'; the servers are used and 'dispatch' only when none is usable`, at)
      }
      if (p.fullconn !== undefined && !p.servers.some((s) => s.minconn > 0)) {
        ctx.warn(`${label} sets 'fullconn' but no server has 'minconn', so it has no effect`, at)
      }
    }

    // Mode
    if (p.mode === 'tcp' && p.kind !== 'defaults') {
      for (const s of httpOnlySettings(p, where)) {
        ctx.warn(`${s.what} requires 'mode http'; ${label} is in tcp mode and ignores it`, { file: at.file, line: s.line })
      }
    }

    // Timeouts (HAProxy warns; a proxy without them keeps dead sessions forever)
    if (p.kind !== 'defaults') {
      const missing: string[] = []
      if (isFrontend(p) && p.timeouts.client === undefined) missing.push('client')
      if (isBackend(p) && p.timeouts.connect === undefined) missing.push('connect')
      if (isBackend(p) && p.timeouts.server === undefined) missing.push('server')
      if (missing.length > 0) {
        ctx.warn(`missing timeouts for ${label}: ${missing.map((m) => `'timeout ${m}'`).join(', ')}; without them a dead peer holds a session forever (set them in 'defaults')`, at)
      }
    }
  }
}
