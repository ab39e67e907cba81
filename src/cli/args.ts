/** The options of an `edgelb` command, parsed the same way for every command. */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util'
import { EXIT_OK, EXIT_USAGE, type Command, type Io } from './types.ts'

const HELP = { help: { type: 'boolean', short: 'h' } } as const

type Values<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O }>>['values']

export interface CommandArgs<O extends ParseArgsOptionsConfig> {
  values: Values<O>
  positionals: string[]
}

/**
 * Parses `args` for `cmd` (`-h`/`--help` is added to `options`). Returns the exit code when the
 * command is done already: its usage printed for `--help`, or one line for a bad option
 * (`edgelb serve: Unknown option '--x' (edgelb serve --help)`).
 */
export function commandArgs<const O extends ParseArgsOptionsConfig>(cmd: Command, args: string[], o: { io: Io; options: O; positionals?: boolean }): CommandArgs<O> | number {
  let parsed
  try {
    parsed = parseArgs({ args, allowPositionals: o.positionals === true, options: { ...o.options, ...HELP } })
  } catch (e) {
    // parseArgs' first sentence ("Unknown option '--x'"); its advice about '--' is not for typos
    o.io.err(`edgelb ${cmd.name}: ${(e as Error).message.split(/\.\s|\n/)[0]} (edgelb ${cmd.name} --help)`)
    return EXIT_USAGE
  }
  if ((parsed.values as { help?: boolean }).help === true) { o.io.out(cmd.usage); return EXIT_OK }
  return { values: parsed.values as Values<O>, positionals: parsed.positionals }
}
