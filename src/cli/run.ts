/**
 * `edgelb run [FILE…]`: load, validate, bind every listener, then serve until a signal says stop.
 * Anything wrong in the config, or any bind that fails, ends the process with a non-zero status
 * and the reason, with nothing left bound.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hasErrors, loadConfig } from '../config/load.ts'
import { applyEnvDirective } from '../config/haproxy/reader.ts'
import { formatDiagnostic } from '../model/source.ts'
import { onSignal } from '../net/runtime.ts'
import { dropPrivileges, preparePrivileges, type Privileges } from '../net/privileges.ts'
import { takeInheritedSockets } from '../net/inherited.ts'
import { ListenerSet } from '../proxy/listeners.ts'
import { ServiceNotifier } from '../net/sd-notify.ts'
import { MASTER_ENV, startPrograms, watchParentPipe, type RunningPrograms } from '../master/programs.ts'
import { Generations } from '../proxy/generations.ts'
import { startMasterSocket, startStatsSockets, type StatsSockets } from '../admin/socket.ts'
import { applyServerStates } from '../proxy/server-state-file.ts'
import { statsApplets } from '../stats/applets.ts'
import { otelSettings, startTelemetry, type Telemetry } from '../stats/otel.ts'
import { commandArgs } from './args.ts'
import { threadCount, threadCpus, Threads } from './threads.ts'
import { bindThreadToCpus } from '../net/affinity.ts'
import { reload, servingStatus } from './reloader.ts'
import { upgrade, type UpgradeSetup } from './upgrader.ts'
import { takeUpgradeFrom, tellPredecessorReady } from '../net/upgrade.ts'
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
  -L, --local-peer NAME  this process's name in 'peers' sections (default: 'localpeer', else the host name)
  -W, --master-worker    exit as HAProxy's master-worker mode does: 130 after SIGINT, 143 after SIGTERM
  -S, --master-socket ADDR[,OPT...]
                         HAProxy's master CLI: '@1 COMMAND' (the runtime API, admin level),
                         'show proc', 'reload'
      --allow-unimplemented
                         run even though the configuration asks for protections edgelb does not
                         implement yet (TLS, the PROXY protocol, authentication, access
                         restrictions, rules, filters, Lua); each is printed at every start
  -h, --help             show this help

signals: SIGUSR2 or SIGHUP reload (read FILE again; the new configuration serves on the same
sockets, the old one finishes its sessions; a configuration with errors changes nothing),
SIGUSR1 soft stop (finish live sessions, then exit), SIGTTOU release the listening ports, SIGTTIN
take them back, SIGTERM/SIGINT stop now.`,
  async run(args: string[], io: Io): Promise<number> {
    const parsed = commandArgs(runCommand, args, {
      io,
      positionals: true,
      options: { pidfile: { type: 'string', short: 'p' }, 'local-peer': { type: 'string', short: 'L' }, 'allow-unimplemented': { type: 'boolean' }, 'master-socket': { type: 'string', short: 'S' }, 'master-worker': { type: 'boolean', short: 'W' } },
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
    // Sockets handed over (systemd's socket activation): taken now, the variables removed.
    const handed = takeInheritedSockets(io.env as Record<string, string | undefined>, process.pid)
    for (const w of handed.warnings) io.err(`edgelb: warning: ${w}`)
    // Started by a running edgelb to take its place (binary upgrade): it is told once we serve.
    const predecessor = takeUpgradeFrom(io.env as Record<string, string | undefined>)
    // The service manager (Type=notify): told when edgelb is ready, reloads, stops.
    const sd = await ServiceNotifier.fromEnv(io.env as Record<string, string | undefined>, process.pid, (l) => io.err(`edgelb: warning: ${l}`))
    if (sd.error !== undefined) {
      io.err(`edgelb: not started: ${sd.error}`)
      return EXIT_INVALID
    }
    const notifier = sd.notifier
    const notStarted = (why: string): number => {
      notifier.status(`not started: ${why}`)
      notifier.close()
      io.err(`edgelb: not started: ${why}`)
      return EXIT_INVALID
    }
    const allowUnimplemented = parsed.values['allow-unimplemented'] === true
    const localPeer = parsed.values['local-peer']
    const { config, runtime, diagnostics, unimplemented } = loadConfig(files, io.env, { allowUnimplemented, ...(localPeer !== undefined ? { localPeer } : {}) })
    for (const d of diagnostics) io.err(formatDiagnostic(d))
    if (hasErrors(diagnostics)) {
      const first = diagnostics.find((d) => d.severity === 'error')
      notifier.status(`not started: ${first === undefined ? 'the configuration has errors' : formatDiagnostic(first)}`)
      notifier.close()
      io.err(`edgelb: not started: the configuration has errors`)
      return EXIT_INVALID
    }
    if (unimplemented !== undefined && unimplemented.protections > 0) {
      const n = unimplemented.protections
      io.err(`edgelb: WARNING: --allow-unimplemented: ${n} protection${n === 1 ? '' : 's'} the configuration asks for ${n === 1 ? 'is' : 'are'} not in force (the lines above); traffic they would protect passes unprotected`)
    }
    // `nbthread`: the other threads start once this one has bound (cli/threads.ts).
    const nb = threadCount(config)
    if (nb.warning !== undefined) io.err(`edgelb: warning: ${nb.warning}`)
    const group = nb.n > 1 ? new Threads(nb.n, { files, env: io.env, allowUnimplemented, out: io.out, err: io.err }) : null
    const listeners = new ListenerSet(handed.sockets, group === null ? null : {})
    // `cpu-map`: this thread binds itself now, each other thread when it starts.
    const mapped = threadCpus(config.global.cpuMap ?? [], nb.n)
    for (const w of mapped.warnings) io.err(`edgelb: warning: ${w}`)
    const firstCpus = mapped.cpus.get(0)
    if (firstCpus !== undefined) {
      const why = await bindThreadToCpus(firstCpus)
      if (why !== undefined) io.err(`edgelb: warning: cpu-map: thread 1 not bound to CPU ${firstCpus.join(',')}: ${why}`)
    }
    const { chroot, uid, gid } = config.global
    const privileges: Privileges = { ...(chroot !== undefined ? { chroot } : {}), ...(uid !== undefined ? { uid } : {}), ...(gid !== undefined ? { gid } : {}) }
    const cannot = await preparePrivileges(privileges)
    if (cannot !== undefined) return notStarted(cannot)
    // `setenv` and its kin change the environment programs and checks start with.
    for (const w of config.global.envEdits ?? []) applyEnvDirective(process.env, w)
    // `program` sections start first, as in HAProxy's master: the servers they run are then
    // (about to be) up when the listeners open.
    let programs: RunningPrograms
    try {
      programs = await startPrograms(config.programs, io.err)
    } catch (e) {
      return notStarted((e as Error).message)
    }
    let gens: Generations
    // OpenTelemetry, when the configuration or the OTEL_* variables turn it on (its SDK is loaded
    // only then); its settings are those of the start: a reload keeps them.
    let telemetry: Telemetry | undefined
    try {
      const otel = otelSettings(config.global.otel, io.env as Record<string, string | undefined>)
      if (otel === null && config.global.otel !== undefined && config.global.otel.on === undefined) io.err(`edgelb: warning: otel-* settings without 'otel' in global: OpenTelemetry is off`)
      for (const w of otel?.warnings ?? []) io.err(`edgelb: warning: OpenTelemetry: ${w}`)
      if (otel !== null) telemetry = await startTelemetry(otel, () => gens.current)
    } catch (e) {
      await programs.stop()
      return notStarted(`OpenTelemetry: ${(e as Error).message}`)
    }
    try {
      // The objects `check` built and reported on are the ones that serve.
      gens = Generations.start(runtime, listeners, { out: io.out, err: io.err, applets: statsApplets, tracer: telemetry?.tracer ?? null, ...(group === null ? {} : { thread: group }) })
      // `load-server-state-from-file`: the states saved before the restart, before anything is served.
      applyServerStates(gens.current, (m) => io.err(`edgelb: ${m}`))
    } catch (e) {
      await telemetry?.shutdown()
      group?.close()
      await programs.stop()
      return notStarted((e as Error).message)
    }
    // The signals are handled from now on, the first thread serving: with threads, the others take
    // a while to start, and a signal meanwhile must not meet its default action.
    const setup: UpgradeSetup = { files, io, allowUnimplemented, ...(localPeer !== undefined ? { localPeer } : {}), generations: gens, notifier, started: config, chroot, args, handedOver: false, starting: false, ...(group === null ? {} : { threads: group }) }
    let stoppedBy: 'SIGINT' | 'SIGTERM' | null = null
    const off = [
      onSignal('SIGUSR1', () => {
        notifier.stopping('soft stop: finishing live sessions')
        gens.softStop()
        group?.softStop()
        io.err('edgelb: soft stop: listeners closed (after grace), finishing live sessions')
      }),
      onSignal('SIGUSR2', () => { reload(setup, 'SIGUSR2') }),
      onSignal('SIGHUP', () => { reload(setup, 'SIGHUP') }),
      onSignal('SIGURG', () => { upgrade(setup) }),
      onSignal('SIGTTOU', () => {
        gens.pause()
        const said = (): void => io.err('edgelb: listening ports released (SIGTTOU)')
        // With threads, said once every thread has let its ports go.
        if (group === null) said()
        else void group.pause().then(said)
      }),
      onSignal('SIGTTIN', () => {
        try { gens.resume() } catch (e) { io.err(`edgelb: cannot listen again: ${(e as Error).message}`); return }
        const said = (): void => io.err('edgelb: listening again (SIGTTIN)')
        if (group === null) said()
        else void group.resume().then(said)
      }),
      onSignal('SIGTERM', () => { stoppedBy = 'SIGTERM'; notifier.stopping('stopping'); gens.stop(); group?.stop() }),
      onSignal('SIGINT', () => { stoppedBy = 'SIGINT'; notifier.stopping('stopping'); gens.stop(); group?.stop() }),
    ]
    /** Undoes the start when it fails from here on. */
    const abandon = async (): Promise<void> => {
      for (const f of off) f()
      gens.stop()
      group?.stop()
      await group?.done
      group?.close()
      await telemetry?.shutdown()
      await programs.stop()
    }
    if (group !== null) {
      const why = await group.start(listeners, () => gens.current, mapped.cpus)
      if (why !== undefined) {
        await abandon()
        return notStarted(why)
      }
    }
    // The runtime API (`stats socket`) listens with the rest, before privileges are dropped; its
    // commands act on the generation serving at the time (a reload keeps the sockets as they were).
    let sockets: StatsSockets | undefined
    let masterCli: StatsSockets | undefined
    let reloads = 0
    try {
      if (config.global.statsSockets.length > 0) sockets = startStatsSockets(() => gens.current, config.global)
      const m = parsed.values['master-socket']
      if (m !== undefined) masterCli = startMasterSocket(() => gens.current, m, { reload: () => { reloads++; reload(setup, 'the master CLI') }, reloads: () => reloads, startedAt: Date.now() })
    } catch (e) {
      sockets?.close()
      await abandon()
      return notStarted((e as Error).message)
    }
    void gens.done.then(() => { sockets?.close(); masterCli?.close() })
    const pidfile = parsed.values.pidfile ?? config.global.pidfile
    if (pidfile !== undefined) {
      try {
        writeFileSync(pidfile, `${process.pid}\n`)
      } catch (e) {
        await abandon()
        return notStarted(`cannot write pidfile ${pidfile}: ${(e as Error).message}`)
      }
    }
    // Bound: root is given up now (chroot, group, user), before any traffic is served.
    try {
      dropPrivileges(privileges)
    } catch (e) {
      await abandon()
      if (pidfile !== undefined) rmSync(pidfile, { force: true })
      return notStarted((e as Error).message)
    }
    // Started by another edgelb (`edgelb bench`, a `program` section): it stops when that one goes.
    const unwatch = io.env[MASTER_ENV] === '1' ? watchParentPipe(() => { gens.stop(); group?.stop() }) : undefined
    // Printed once the signal handlers are in place: a supervisor that signals as soon as it
    // reads this line must not kill the process with a default action.
    for (const l of gens.current.listening()) {
      if (!config.global.quiet) io.err(`edgelb: ${l.frontend} listening on ${l.addrs.join(', ') || '(nothing)'}`)
    }
    for (const s of listeners.unusedInherited()) io.err(`edgelb: warning: inherited socket ${s} is used by no bind line and is not served`)
    // Not when a signal stopped it while the other threads were starting.
    if (gens.current.state !== 'stopped') notifier.ready(servingStatus(gens.current))
    if (predecessor !== undefined) {
      tellPredecessorReady()
      io.err(`edgelb: serving in the place of process ${predecessor} (upgrade)`)
    }
    await gens.done
    await telemetry?.shutdown()
    await group?.done
    group?.close()
    notifier.close()
    unwatch?.()
    await programs.stop()
    for (const f of off) f()
    // After chroot or as another user, the pidfile may be out of reach: HAProxy leaves it too. After
    // an upgrade it is the new process's.
    if (pidfile !== undefined) removePidfile(pidfile)
    // In HAProxy's master-worker mode (-W, -Ws), a stop by signal ends with 128 + its number, as
    // the master reports it (systemd units written for HAProxy expect 143).
    if (parsed.values['master-worker'] === true && stoppedBy !== null) return stoppedBy === 'SIGINT' ? 130 : 143
    return EXIT_OK
  },
}

/** Removes the pidfile if it still names this process (a successor wrote its own). */
function removePidfile(pidfile: string): void {
  try {
    if (readFileSync(pidfile, 'utf8').trim() === String(process.pid)) rmSync(pidfile, { force: true })
  } catch { /* gone, or out of reach */ }
}
