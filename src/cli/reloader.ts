/**
 * A reload of `edgelb run` (SIGUSR2, SIGHUP, `edgelb reload`): the configuration files are read
 * and checked again; if anything is wrong the running generation goes on serving and the reason,
 * with its file and line, goes to stderr and to the service manager's STATUS=. Otherwise the new
 * generation serves from now on (proxy/generations.ts).
 */
import { hasErrors, loadConfig } from '../config/load.ts'
import { formatDiagnostic } from '../model/source.ts'
import type { Config } from '../model/types.ts'
import type { ServiceNotifier } from '../net/sd-notify.ts'
import type { Engine } from '../proxy/engine.ts'
import type { Generations } from '../proxy/generations.ts'
import type { Io } from './types.ts'

export interface ReloadSetup {
  files: readonly string[]
  io: Io
  allowUnimplemented: boolean
  /** `-L NAME`: this process's peer name. */
  localPeer?: string
  generations: Generations
  notifier: ServiceNotifier
  /** The configuration the process started with: what only a restart changes is compared to it. */
  started: Config
  /** The directory edgelb confined itself to, if it did (no file outside it can be read). */
  chroot: string | undefined
  /** The other threads (`nbthread` > 1): they reload once this thread serves the new generation. */
  threads?: { reload(listeners: Generations['listeners']): void; softStop(): void }
}

/** Reloads; returns whether the new configuration serves. */
export function reload(r: ReloadSetup, why: string): boolean {
  const { io, notifier, generations: gens } = r
  const t0 = performance.now()
  notifier.reloading(`reloading (${why})`)
  io.err(`edgelb: reloading (${why}): ${r.files.join(', ')}`)
  const failed = (reason: string): false => {
    io.err(`edgelb: reload failed: ${reason}; generation ${gens.generation} goes on serving`)
    notifier.ready(`reload failed: ${reason}; still ${servingStatus(gens.current)} (generation ${gens.generation})`)
    return false
  }
  if (r.chroot !== undefined) {
    return failed(`edgelb is confined to ${r.chroot} (chroot), where ${r.files.join(', ')} cannot be read; restart it to apply a new configuration, or confine it with systemd's RootDirectory=/ProtectSystem= instead of chroot, which reloads can live with`)
  }
  const { config, runtime, diagnostics, unimplemented } = loadConfig(r.files, io.env, { allowUnimplemented: r.allowUnimplemented, keepTables: gens.current.rules.tables, ...(r.localPeer !== undefined ? { localPeer: r.localPeer } : {}) })
  for (const d of diagnostics) io.err(formatDiagnostic(d))
  if (hasErrors(diagnostics)) {
    const errors = diagnostics.filter((d) => d.severity === 'error')
    return failed(`${formatDiagnostic(errors[0]!)}${errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : ''}`)
  }
  if (unimplemented !== undefined && unimplemented.protections > 0) {
    const n = unimplemented.protections
    io.err(`edgelb: WARNING: --allow-unimplemented: ${n} protection${n === 1 ? '' : 's'} the configuration asks for ${n === 1 ? 'is' : 'are'} not in force (the lines above); traffic they would protect passes unprotected`)
  }
  for (const w of restartOnly(r.started, config)) io.err(`edgelb: warning: ${w}`)
  let closed: string[]
  try {
    closed = gens.reload(runtime).closed
  } catch (e) {
    return failed((e as Error).message)
  }
  r.threads?.reload(gens.listeners)
  const ms = (performance.now() - t0).toFixed(1)
  if (!config.global.quiet) for (const l of gens.current.listening()) io.err(`edgelb: ${l.frontend} listening on ${l.addrs.join(', ') || '(nothing)'}`)
  for (const a of closed) io.err(`edgelb: no longer listening on ${a}`)
  for (const s of gens.listeners.lastCommit.idle) io.err(`edgelb: warning: inherited socket ${s} is used by no bind line and is not served`)
  io.err(`edgelb: reloaded in ${ms} ms: generation ${gens.generation} serves; ${gens.retiring} older generation${gens.retiring === 1 ? '' : 's'} finishing their sessions`)
  notifier.ready(`${servingStatus(gens.current)} (generation ${gens.generation}, reloaded ${new Date().toISOString()})`)
  return true
}

/** What `systemctl status` shows while serving: each frontend and where it listens. */
export function servingStatus(engine: Engine): string {
  const fes = engine.listening()
  return `serving ${fes.length} frontend${fes.length === 1 ? '' : 's'}: ${fes.map((l) => `${l.frontend} on ${l.addrs.join(', ') || 'nothing'}`).join('; ')}`
}

/** Settings a reload reads but only a restart applies, changed in `next`: one warning each. */
function restartOnly(started: Config, next: Config): string[] {
  const out: string[] = []
  const g0 = started.global
  const g1 = next.global
  const differs = (a: unknown, b: unknown): boolean => JSON.stringify(a) !== JSON.stringify(b)
  if (g0.chroot !== g1.chroot || g0.uid !== g1.uid || g0.gid !== g1.gid) out.push('chroot, user and group apply at the next start, not at a reload')
  if ((g0.nbthread ?? 1) !== (g1.nbthread ?? 1) || differs(g0.cpuMap, g1.cpuMap)) out.push('nbthread and cpu-map apply at the next start, not at a reload')
  if (g0.pidfile !== g1.pidfile) out.push(`the pidfile stays ${g0.pidfile ?? '(none)'} until the next start`)
  if (differs(started.programs.map((p) => [p.name, p.command]), next.programs.map((p) => [p.name, p.command]))) out.push('program sections are started once: a reload does not restart them, a restart does')
  return out
}
