/**
 * `edgelb run [FILE…]`: load, validate, bind every listener, then serve until a signal says stop.
 * Anything wrong in the config, or any bind that fails, ends the process with a non-zero status
 * and the reason, with nothing left bound.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { hasErrors, loadConfig } from '../config/load.ts'
import { formatDiagnostic } from '../model/source.ts'
import { onSignal } from '../net/runtime.ts'
import { dropPrivileges, preparePrivileges, type Privileges } from '../net/privileges.ts'
import { MASTER_ENV, startPrograms, watchParentPipe, type RunningPrograms } from '../master/programs.ts'
import { Engine } from '../proxy/engine.ts'
import { AdminSockets } from '../admin/socket.ts'
import { commandArgs } from './args.ts'
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command, type Io } from './types.ts'

export const DEFAULT_CONFIG = 'conf/edgelb.yaml'

export const runCommand: Command = {
  name: 'run',
  summary: 'load a configuration and serve it (default: conf/edgelb.yaml)',
  usage: `usage: edgelb run [options] [FILE...]

Loads FILE (HAProxy syntax, or YAML for .yaml/.yml; several files or a directory are read in
order), binds every listener, and serves until stopped. Without FILE it uses ${DEFAULT_CONFIG}.

options:
  -p, --pidfile FILE     write the process id to FILE (removed at exit)
  -L, --local-peer NAME  local peer name (accepted for HAProxy compatibility)
      --allow-unimplemented
                         run even though the configuration asks for protections edgelb does not
                         implement yet (TLS, the PROXY protocol, authentication, access
                         restrictions, rules, filters, Lua); each is printed at every start
  -h, --help             show this help

signals: SIGUSR1 soft stop (finish live sessions, then exit), SIGTTOU release the listening
ports, SIGTTIN take them back, SIGTERM/SIGINT stop now.`,
  async run(args: string[], io: Io): Promise<number> {
    const parsed = commandArgs(runCommand, args, {
      io,
      positionals: true,
      options: { pidfile: { type: 'string', short: 'p' }, 'local-peer': { type: 'string', short: 'L' }, 'allow-unimplemented': { type: 'boolean' } },
    })
    if (typeof parsed === 'number') return parsed
    let files = parsed.positionals
    if (files.length === 0) {
      if (!existsSync(DEFAULT_CONFIG)) {
        io.err(`edgelb run: no FILE given and ${DEFAULT_CONFIG} does not exist here; give a config file`)
        return EXIT_USAGE
      }
      files = [DEFAULT_CONFIG]
    }
    const allowUnimplemented = parsed.values['allow-unimplemented'] === true
    const { config, runtime, diagnostics, unimplemented } = loadConfig(files, io.env, { allowUnimplemented })
    for (const d of diagnostics) io.err(formatDiagnostic(d))
    if (hasErrors(diagnostics)) {
      io.err(`edgelb: not started: the configuration has errors`)
      return EXIT_INVALID
    }
    if (unimplemented !== undefined && unimplemented.protections > 0) {
      const n = unimplemented.protections
      io.err(`edgelb: WARNING: --allow-unimplemented: ${n} protection${n === 1 ? '' : 's'} the configuration asks for ${n === 1 ? 'is' : 'are'} not in force (the lines above); traffic they would protect passes unprotected`)
    }
    const { chroot, uid, gid } = config.global
    const privileges: Privileges = { ...(chroot !== undefined ? { chroot } : {}), ...(uid !== undefined ? { uid } : {}), ...(gid !== undefined ? { gid } : {}) }
    const cannot = await preparePrivileges(privileges)
    if (cannot !== undefined) {
      io.err(`edgelb: not started: ${cannot}`)
      return EXIT_INVALID
    }
    // `program` sections start first, as in HAProxy's master: the servers they run are then
    // (about to be) up when the listeners open.
    let programs: RunningPrograms
    try {
      programs = await startPrograms(config.programs, io.err)
    } catch (e) {
      io.err(`edgelb: not started: ${(e as Error).message}`)
      return EXIT_INVALID
    }
    let engine: Engine
    try {
      // The objects `check` built and reported on are the ones that serve.
      engine = Engine.start(config, { out: io.out, err: io.err }, { runtime })
    } catch (e) {
      await programs.stop()
      io.err(`edgelb: not started: ${(e as Error).message}`)
      return EXIT_INVALID
    }
    // The admin sockets (`stats socket`) answer once the engine runs.
    let admin: AdminSockets
    try {
      admin = new AdminSockets(engine, config.global.statsSockets)
    } catch (e) {
      engine.stop()
      await programs.stop()
      io.err(`edgelb: not started: ${(e as Error).message}`)
      return EXIT_INVALID
    }
    const pidfile = parsed.values.pidfile ?? config.global.pidfile
    if (pidfile !== undefined) {
      try {
        writeFileSync(pidfile, `${process.pid}\n`)
      } catch (e) {
        admin.close()
        engine.stop()
        await programs.stop()
        io.err(`edgelb: not started: cannot write pidfile ${pidfile}: ${(e as Error).message}`)
        return EXIT_INVALID
      }
    }
    // Bound: root is given up now (chroot, group, user), before any traffic is served.
    try {
      dropPrivileges(privileges)
    } catch (e) {
      admin.close()
      engine.stop()
      await programs.stop()
      if (pidfile !== undefined) rmSync(pidfile, { force: true })
      io.err(`edgelb: not started: ${(e as Error).message}`)
      return EXIT_INVALID
    }
    const off = [
      onSignal('SIGUSR1', () => { engine.softStop(); io.err('edgelb: soft stop: listeners closed (after grace), finishing live sessions') }),
      onSignal('SIGTTOU', () => { engine.pause(); io.err('edgelb: listening ports released (SIGTTOU)') }),
      onSignal('SIGTTIN', () => {
        try { engine.resume(); io.err('edgelb: listening again (SIGTTIN)') } catch (e) { io.err(`edgelb: cannot listen again: ${(e as Error).message}`) }
      }),
      onSignal('SIGTERM', () => engine.stop()),
      onSignal('SIGINT', () => engine.stop()),
    ]
    // Started by another edgelb (`edgelb bench`, a `program` section): it stops when that one goes.
    const unwatch = io.env[MASTER_ENV] === '1' ? watchParentPipe(() => engine.stop()) : undefined
    // Printed once the signal handlers are in place: a supervisor that signals as soon as it
    // reads this line must not kill the process with a default action.
    for (const l of engine.listening()) {
      if (!config.global.quiet) io.err(`edgelb: ${l.frontend} listening on ${l.addrs.join(', ') || '(nothing)'}`)
    }
    await engine.done
    admin.close()
    unwatch?.()
    await programs.stop()
    for (const f of off) f()
    // After chroot or as another user, the pidfile may be out of reach: HAProxy leaves it too.
    if (pidfile !== undefined) try { rmSync(pidfile, { force: true }) } catch { /* out of reach */ }
    return EXIT_OK
  },
}
