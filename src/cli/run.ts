/**
 * `edgelb run [FILE…]`: load, validate, bind every listener, then serve until a signal says stop.
 * Anything wrong in the config, or any bind that fails, ends the process with a non-zero status
 * and the reason, with nothing left bound.
 */
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { hasErrors, loadConfig } from '../config/load.ts'
import { formatDiagnostic } from '../config/source.ts'
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
  -h, --help             show this help

signals: SIGUSR1 soft stop (finish live sessions, then exit), SIGTTOU release the listening
ports, SIGTTIN take them back, SIGTERM/SIGINT stop now.`,
  async run(args: string[], io: Io): Promise<number> {
    let parsed
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: {
          pidfile: { type: 'string', short: 'p' },
          'local-peer': { type: 'string', short: 'L' },
          help: { type: 'boolean', short: 'h' },
        },
      })
    } catch (e) {
      io.err(`edgelb run: ${(e as Error).message}`)
      return EXIT_USAGE
    }
    if (parsed.values.help) { io.out(runCommand.usage); return EXIT_OK }
    let files = parsed.positionals
    if (files.length === 0) {
      if (!existsSync(DEFAULT_CONFIG)) {
        io.err(`edgelb run: no FILE given and ${DEFAULT_CONFIG} does not exist here; give a config file`)
        return EXIT_USAGE
      }
      files = [DEFAULT_CONFIG]
    }
    const { config, diagnostics } = loadConfig(files, io.env)
    for (const d of diagnostics) io.err(formatDiagnostic(d))
    if (hasErrors(diagnostics)) {
      io.err(`edgelb: not started: the configuration has errors`)
      return EXIT_INVALID
    }
    io.out(`edgelb: configuration valid: ${config.proxies.length} proxies (${config.proxies.map((p) => `${p.kind} ${p.name}`).join(', ')})`)
    return EXIT_OK
  },
}
