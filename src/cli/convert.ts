/**
 * `edgelb convert FILE.cfg`: prints the YAML equivalent of an HAProxy-syntax configuration, with
 * its comments. The conversion is syntactic (directive for directive), so `edgelb check` on the
 * output yields the same model, except that HAProxy 1.x lines are written in their modern form
 * where it means the same (config/legacy-modern.ts); problems in the input are printed as `check`
 * would, and a file with errors is not converted.
 */
import { readHaproxy } from '../config/haproxy/reader.ts'
import { formatOf, hasErrors, readText } from '../config/load.ts'
import { formatDiagnostic } from '../model/source.ts'
import { modernizeSections } from '../config/legacy-modern.ts'
import { writeYaml } from '../config/yaml/writer.ts'
import { commandArgs } from './args.ts'
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command, type Io } from './types.ts'

export const convertCommand: Command = {
  name: 'convert',
  summary: 'print the YAML equivalent of an HAProxy-syntax configuration',
  usage: `usage: edgelb convert FILE.cfg

Prints FILE.cfg (HAProxy syntax) as edgelb YAML on standard output, comments kept.
Save it and run 'edgelb check FILE.yaml' to see the same result as for FILE.cfg.

exit status: 0 converted, 1 the input has syntax errors, 2 usage error`,
  async run(args: string[], io: Io): Promise<number> {
    const parsed = commandArgs(convertCommand, args, { io, positionals: true, options: {} })
    if (typeof parsed === 'number') return parsed
    const [file, ...extra] = parsed.positionals
    if (file === undefined || extra.length > 0) { io.err(`edgelb convert: expects exactly one FILE\n${convertCommand.usage}`); return EXIT_USAGE }
    if (formatOf(file) === 'yaml') { io.err(`edgelb convert: ${file} is already YAML; convert reads HAProxy-syntax (.cfg) files`); return EXIT_USAGE }
    const r = readText(file)
    if ('error' in r) { io.err(`${file}: error: ${r.error}`); return EXIT_INVALID }
    const read = readHaproxy(r.text, file, io.env)
    for (const d of read.diagnostics) io.err(formatDiagnostic(d))
    if (hasErrors(read.diagnostics)) return EXIT_INVALID
    io.out(writeYaml(modernizeSections(read.sections)).replace(/\n$/, ''))
    return EXIT_OK
  },
}
