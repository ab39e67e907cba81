/**
 * `edgelb reload [-p PIDFILE] [FILE…]`: asks the running `edgelb run` to read its configuration
 * again (SIGUSR2; `--upgrade`: to hand its sockets to the edgelb executable now on disk, see
 * net/upgrade.ts). With FILE, the files are checked first and nothing is sent when they have
 * errors, so `ExecReload=edgelb reload -p … FILE` fails visibly on a bad file; the process is
 * found through PIDFILE, or the `pidfile` of FILE's global section.
 */
import { readFileSync } from 'node:fs'
import { hasErrors, loadConfig } from '../config/load.ts'
import { formatDiagnostic } from '../model/source.ts'
import { commandArgs } from './args.ts'
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command, type Io } from './types.ts'

/** The signals `edgelb run` takes these requests on. */
export const RELOAD_SIGNAL = 'SIGUSR2'
export const UPGRADE_SIGNAL = 'SIGURG'

export const reloadCommand: Command = {
  name: 'reload',
  summary: 'make the running edgelb read its configuration again (or take a new executable)',
  usage: `usage: edgelb reload [options] [FILE...]

Sends ${RELOAD_SIGNAL} to the edgelb whose process id is in PIDFILE: it reads its configuration
files again and, if they are valid, serves them on the same listening sockets (no connection is
refused; live sessions finish on the old configuration). With FILE (the files the running edgelb
was started with), they are checked first, and nothing is sent when they have errors.

options:
  -p, --pidfile FILE  where the running edgelb wrote its process id (default: the pidfile of FILE)
      --upgrade       hand the listening sockets to a new edgelb executable (the one now at the
                      running one's path) instead, which takes over; the old one finishes its
                      sessions and exits (${UPGRADE_SIGNAL})
  -h, --help          show this help

exit status: 0 sent, 1 FILE has errors or no such process, 2 usage.`,
  async run(args: string[], io: Io): Promise<number> {
    const parsed = commandArgs(reloadCommand, args, { io, positionals: true, options: { pidfile: { type: 'string', short: 'p' }, upgrade: { type: 'boolean' } } })
    if (typeof parsed === 'number') return parsed
    const files = parsed.positionals
    let pidfile = parsed.values.pidfile
    let upgrade = parsed.values.upgrade === true
    if (files.length > 0) {
      const { config, diagnostics } = loadConfig(files, io.env)
      for (const d of diagnostics) io.err(formatDiagnostic(d))
      if (hasErrors(diagnostics)) {
        io.err('edgelb reload: not sent: the configuration has errors (the running edgelb goes on with its own)')
        return EXIT_INVALID
      }
      pidfile ??= config.global.pidfile
      // A running TLS listener keeps the TLS it was opened with, so only a new process applies new
      // certificates and TLS settings: a configuration with `bind … ssl` is applied by an upgrade.
      if (!upgrade && config.proxies.some((p) => p.binds.some((b) => b.ssl === true))) {
        upgrade = true
        io.err('edgelb reload: the configuration has TLS listeners (bind … ssl): applying it by a binary upgrade, which opens them with the new certificates and settings')
      }
    }
    if (pidfile === undefined) {
      io.err('edgelb reload: which process? give -p PIDFILE, or a FILE whose global section has a pidfile')
      return EXIT_USAGE
    }
    let pid: number
    try {
      pid = Number(readFileSync(pidfile, 'utf8').trim())
    } catch (e) {
      io.err(`edgelb reload: cannot read ${pidfile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (is edgelb running with -p ${pidfile}?)`)
      return EXIT_INVALID
    }
    if (!Number.isInteger(pid) || pid <= 1) {
      io.err(`edgelb reload: ${pidfile} holds no process id`)
      return EXIT_INVALID
    }
    const signal = upgrade ? UPGRADE_SIGNAL : RELOAD_SIGNAL
    try {
      process.kill(pid, signal)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      io.err(`edgelb reload: cannot signal process ${pid} (from ${pidfile}): ${code === 'ESRCH' ? 'no such process (a stale pidfile?)' : code ?? (e as Error).message}`)
      return EXIT_INVALID
    }
    io.err(`edgelb: ${upgrade ? 'upgrade' : 'reload'} asked of process ${pid} (${signal})`)
    return EXIT_OK
  },
}
