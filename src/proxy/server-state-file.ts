/**
 * `load-server-state-from-file`: at start, each backend that asks takes its servers' states
 * from a file in HAProxy's `show servers state` format (version 1), as an operator saves it
 * before a restart (`echo "show servers state" | socat stdio SOCKET > FILE`):
 *
 *   global   the global `server-state-file` (relative to `server-state-base`)
 *   local    `server-state-file-name` (the backend's name by default) in `server-state-base`
 *   none     nothing (the default)
 *
 * Per server line (found by backend and server name): the maintenance and drain set by an
 * operator (srv_admin_state 0x01, 0x08; maintenance from the configuration, 0x04, follows the
 * configuration); the operational state (a checked server saved DOWN starts down, its checks
 * then bring it up); the weight set at run time (unless the configured weight changed since,
 * as HAProxy decides); the address and port (when the file's differ from the configuration's).
 * A missing or unreadable file, an unknown backend or server, a bad line: a warning each, and
 * the rest applies.
 *
 * Addresses are applied to the configuration before its run-time objects are built
 * (`applyStateAddresses`, from config/build.ts), so that traffic and health checks both go to
 * the saved address; states and weights once the engine exists (`applyServerStates`, from `edgelb
 * run`).
 */
import { readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { isIP } from 'node:net'
import type { Config, ProxyConfig } from '../model/types.ts'
import type { Engine } from './engine.ts'

/** The file `p` reads, or undefined when it reads none. */
export function stateFileOf(config: Config, p: ProxyConfig): string | undefined {
  const g = config.global
  const mode = p.loadServerState ?? 'none'
  if (mode === 'none') return undefined
  const base = g.serverStateBase
  const within = (f: string): string => (isAbsolute(f) || base === undefined ? f : join(base, f))
  if (mode === 'global') return g.serverStateFile === undefined ? undefined : within(g.serverStateFile)
  const name = p.serverStateFileName === undefined || p.serverStateFileName === 'use-backend-name' ? p.name : p.serverStateFileName
  return within(name)
}

interface StateLine {
  beName: string
  srvName: string
  addr: string
  opState: number
  adminState: number
  uweight: number
  iweight: number
  port: number
}

function parseLines(text: string): { lines: StateLine[]; bad: number } {
  const rows = text.split('\n')
  let i = 0
  while (i < rows.length && rows[i]!.trim() === '') i++
  if (rows[i]?.trim() !== '1') return { lines: [], bad: -1 }
  const lines: StateLine[] = []
  let bad = 0
  for (const raw of rows.slice(i + 1)) {
    const row = raw.trim()
    if (row === '' || row.startsWith('#')) continue
    const f = row.split(/\s+/)
    const num = (k: number): number => (f[k] !== undefined && /^-?\d+$/.test(f[k]!) ? Number(f[k]) : NaN)
    const line = { beName: f[1] ?? '', srvName: f[3] ?? '', addr: f[4] ?? '-', opState: num(5), adminState: num(6), uweight: num(7), iweight: num(8), port: num(18) }
    if (f.length < 19 || [line.opState, line.adminState, line.uweight, line.iweight].some(Number.isNaN)) { bad++; continue }
    lines.push(line)
  }
  return { lines, bad }
}

/** The saved lines of each backend that loads a state file, read once per file; a file that
 *  cannot be read or is not the format is reported to `warn` and reads as none. */
function savedLines(config: Config, warn: (message: string) => void): Map<ProxyConfig, { file: string; lines: StateLine[] }> {
  const out = new Map<ProxyConfig, { file: string; lines: StateLine[] }>()
  const texts = new Map<string, StateLine[] | null>()
  for (const p of config.proxies) {
    if (p.kind === 'frontend' || p.kind === 'defaults') continue
    const file = stateFileOf(config, p)
    if (file === undefined) {
      if (p.loadServerState === 'global') warn(`backend '${p.name}': load-server-state-from-file global without a global server-state-file; nothing loaded`)
      continue
    }
    let lines = texts.get(file)
    if (lines === undefined) {
      try {
        const parsed = parseLines(readFileSync(file, 'utf8'))
        if (parsed.bad === -1) warn(`server state file ${file}: not in the version 1 format of 'show servers state'; ignored`)
        else if (parsed.bad > 0) warn(`server state file ${file}: ${parsed.bad} line(s) not understood, ignored`)
        lines = parsed.bad === -1 ? null : parsed.lines
      } catch (e) {
        warn(`cannot read server state file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; servers start as configured`)
        lines = null
      }
      texts.set(file, lines)
    }
    if (lines !== null) out.set(p, { file, lines: lines.filter((l) => l.beName === p.name) })
  }
  return out
}

/** Sets each server's address and port to the saved ones where they differ (silently: the
 *  problems are said once, by applyServerStates). */
export function applyStateAddresses(config: Config): void {
  for (const [p, { lines }] of savedLines(config, () => {})) {
    for (const l of lines) {
      const a = p.servers.find((s) => s.name === l.srvName)?.addr
      if (a === undefined || a.path !== undefined || l.addr === '-' || isIP(l.addr) === 0) continue
      a.host = l.addr
      if (l.port > 0) a.port = l.port
    }
  }
}

/** Applies the saved states and weights of every backend that loads a state file; `warn` hears
 *  each problem. Call it once the engine exists and before it serves (it reads synchronously). */
export function applyServerStates(engine: Engine, warn: (message: string) => void): void {
  for (const [p, { file, lines }] of savedLines(engine.config, warn)) {
    const be = engine.backends.get(p.name)
    if (be === undefined) continue
    for (const l of lines) {
      const s = be.findServer(l.srvName)
      if (s === undefined) { warn(`server state file ${file}: backend '${p.name}' has no server '${l.srvName}'; its line is ignored`); continue }
      const states = engine.checks.states
      if (l.iweight === s.cfg.weight && l.uweight !== s.uweight && l.uweight >= 0 && l.uweight <= 256) states.setWeight(s, l.uweight)
      if (l.opState === 0 && (s.cfg.check || s.cfg.agentCheck) && s.up) {
        if (s.cfg.check) s.checkHealth = 0
        if (s.cfg.agentCheck) s.agentHealth = 0
        states.setDown(s, { kind: 'none' })
      }
      if ((l.adminState & 0x01) !== 0) states.setAdmin(s, 'maint')
      else if ((l.adminState & 0x08) !== 0) states.setAdmin(s, 'drain')
    }
  }
}
