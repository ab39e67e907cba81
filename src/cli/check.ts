/**
 * `edgelb check FILE…`: validates a configuration offline. One line per problem,
 * `FILE:LINE: error|warning: message`, then a summary, then how many lines edgelb does not implement
 * (so an operator sees at a glance whether the file runs as written). Exit 0 valid (warnings
 * allowed), 1 invalid, 2 usage.
 */
import { commandArgs } from './args.ts'
import { hasErrors, loadConfig } from '../config/load.ts'
import { formatDiagnostic } from '../model/source.ts'
import type { BuildResult } from '../config/build.ts'
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command, type Io } from './types.ts'

export const checkCommand: Command = {
  name: 'check',
  summary: 'validate a configuration file without running it',
  usage: `usage: edgelb check [options] FILE...

Reads every FILE (HAProxy syntax, or YAML for .yaml/.yml; a directory loads its *.cfg files),
and prints each problem as FILE:LINE: error|warning: message.

options:
  -q, --quiet              print errors only, no warnings and no summary
      --allow-unimplemented
                           accept the protections edgelb does not implement yet (TLS, the PROXY
                           protocol, authentication, access restrictions, rules, filters, Lua):
                           each becomes a warning instead of an error (see docs/config.md)
  -L, --local-peer NAME    this process's name in 'peers' sections, as 'run' takes it
  -h, --help               show this help

exit status: 0 valid (warnings allowed), 1 invalid, 2 usage error`,
  async run(args: string[], io: Io): Promise<number> {
    const parsed = commandArgs(checkCommand, args, { io, positionals: true, options: { quiet: { type: 'boolean', short: 'q' }, 'allow-unimplemented': { type: 'boolean' }, 'local-peer': { type: 'string', short: 'L' } } })
    if (typeof parsed === 'number') return parsed
    if (parsed.positionals.length === 0) { io.err(`edgelb check: missing FILE\n${checkCommand.usage}`); return EXIT_USAGE }
    const localPeer = parsed.values['local-peer']
    return checkFiles(parsed.positionals, io, { quiet: parsed.values.quiet === true, allowUnimplemented: parsed.values['allow-unimplemented'] === true, ...(localPeer !== undefined ? { localPeer } : {}) })
  },
}

/** Shared with `edgelb -c -f FILE`. */
export function checkFiles(files: string[], io: Io, options: { quiet?: boolean; allowUnimplemented?: boolean; localPeer?: string } = {}): number {
  const quiet = options.quiet === true
  const { diagnostics, unimplemented } = loadConfig(files, io.env, { allowUnimplemented: options.allowUnimplemented === true, ...(options.localPeer !== undefined ? { localPeer: options.localPeer } : {}) })
  const errors = diagnostics.filter((d) => d.severity === 'error').length
  const warnings = diagnostics.length - errors
  for (const d of diagnostics) {
    if (quiet && d.severity !== 'error') continue
    io.err(formatDiagnostic(d))
  }
  if (!quiet) {
    const what = files.join(', ')
    const summary = unimplemented === undefined ? '' : `\n${unimplementedSummary(what, unimplemented, options.allowUnimplemented === true)}`
    if (errors > 0) io.err(`${what}: invalid (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})${summary}`)
    else io.out(`${what}: valid${warnings > 0 ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}${summary}`)
  }
  return hasErrors(diagnostics) ? EXIT_INVALID : EXIT_OK
}

/** The last line of `check`: whether edgelb runs the file as written. */
export function unimplementedSummary(what: string, u: BuildResult['unimplemented'], allowed: boolean): string {
  if (u.lines === 0) return `${what}: every line is implemented`
  const lines = `${u.lines} line${u.lines === 1 ? '' : 's'} not implemented yet`
  if (u.protections === 0) return `${what}: ${lines}, none of them a protection`
  const p = `${u.protections} of them protection${u.protections === 1 ? '' : 's'}`
  return `${what}: ${lines}, ${p} (${allowed ? 'accepted by --allow-unimplemented: not in force' : 'refused'})`
}
