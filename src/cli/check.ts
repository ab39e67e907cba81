/**
 * `edgelb check FILE…`: validates a configuration offline. One line per problem,
 * `FILE:LINE: error|warning: message`, then a summary. Exit 0 valid (warnings allowed), 1 invalid,
 * 2 usage.
 */
import { commandArgs } from './args.ts'
import { hasErrors, loadConfig } from '../config/load.ts'
import { formatDiagnostic } from '../model/source.ts'
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command, type Io } from './types.ts'

export const checkCommand: Command = {
  name: 'check',
  summary: 'validate a configuration file without running it',
  usage: `usage: edgelb check [options] FILE...

Reads every FILE (HAProxy syntax, or YAML for .yaml/.yml; a directory loads its *.cfg files),
and prints each problem as FILE:LINE: error|warning: message.

options:
  -q, --quiet      print errors only, no warnings and no summary
  -h, --help       show this help

exit status: 0 valid (warnings allowed), 1 invalid, 2 usage error`,
  async run(args: string[], io: Io): Promise<number> {
    const parsed = commandArgs(checkCommand, args, { io, positionals: true, options: { quiet: { type: 'boolean', short: 'q' } } })
    if (typeof parsed === 'number') return parsed
    if (parsed.positionals.length === 0) { io.err(`edgelb check: missing FILE\n${checkCommand.usage}`); return EXIT_USAGE }
    return checkFiles(parsed.positionals, io, parsed.values.quiet === true)
  },
}

/** Shared with `edgelb -c -f FILE`. */
export function checkFiles(files: string[], io: Io, quiet = false): number {
  const { diagnostics } = loadConfig(files, io.env)
  const errors = diagnostics.filter((d) => d.severity === 'error').length
  const warnings = diagnostics.length - errors
  for (const d of diagnostics) {
    if (quiet && d.severity !== 'error') continue
    io.err(formatDiagnostic(d))
  }
  if (!quiet) {
    const what = files.join(', ')
    if (errors > 0) io.err(`${what}: invalid (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`)
    else io.out(`${what}: valid${warnings > 0 ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}`)
  }
  return hasErrors(diagnostics) ? EXIT_INVALID : EXIT_OK
}
