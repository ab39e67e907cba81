/** A subcommand of `edgelb`: the table in cli/main.ts lists them. */
export interface Command {
  name: string
  summary: string
  /** Full help text printed by `edgelb help NAME` and `edgelb NAME --help`. */
  usage: string
  /** Returns the process exit code. `args` are the words after the command name. */
  run(args: string[], io: Io): Promise<number>
}

/** Where commands write: tests pass their own, main passes the process streams. */
export interface Io {
  out(line: string): void
  err(line: string): void
  env: Readonly<Record<string, string | undefined>>
}

/** Exit codes shared by every command (scriptable, as `edgelb check` promises). */
export const EXIT_OK = 0
export const EXIT_INVALID = 1
export const EXIT_USAGE = 2
