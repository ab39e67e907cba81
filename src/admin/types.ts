/**
 * The runtime API (HAProxy's CLI on `stats socket`): what a command is, what it runs with, and
 * the levels that restrict it.
 */
import type { CliLevel } from '../model/stats-socket.ts'
import type { Engine } from '../proxy/engine.ts'
import type { MasterHooks } from './master-cli.ts'

export type { CliLevel }

const RANK: Readonly<Record<CliLevel, number>> = { user: 0, operator: 1, admin: 2 }

/** What a command runs with: the engine, and the level of the socket it came on. */
export interface CliCtx {
  readonly engine: Engine
  readonly level: CliLevel
  /** `experimental-mode on|off` (HAProxy's `expert-mode` too): for this connection only. */
  readonly modes?: { experimental?: boolean; expert?: boolean }
  /** Set on the master CLI (`-S`): lines are routed by their `@` prefix (master-cli.ts). */
  readonly master?: MasterHooks | undefined
  /** Keeps the connection open after the command's output, for output that comes later
   *  (`show events -w`): `start` gets the function that writes more and returns the function
   *  that stops it, called when the client leaves. Absent where output cannot come later. */
  follow?(start: (push: (text: string) => void) => () => void): void
}

export interface CliCommand {
  /** The words that name it: ['show', 'stat'], ['set', 'server']. */
  readonly words: readonly string[]
  /** HAProxy's help line: the usage, then what it does. */
  readonly usage: string
  readonly help: string
  /** The lowest level that sees it in `help` (the command itself checks what it does). */
  readonly level?: CliLevel
  /** Runs with every word of the line (`args[0]` is the first word of the command); returns the
   *  output, each line ending with a newline, or '' for none. Throws CliError for an error. */
  run(args: readonly string[], ctx: CliCtx): string
}

/** An error a command answers with (HAProxy's `cli_err`): its message, newline included. */
export class CliError extends Error {}

export const PERMISSION_DENIED = 'Permission denied\n'

/** Throws "Permission denied" unless the socket's level is at least `level`. */
export function needLevel(ctx: CliCtx, level: CliLevel): void {
  if (RANK[ctx.level] < RANK[level]) throw new CliError(PERMISSION_DENIED)
}

export function atLeast(ctx: { level: CliLevel }, level: CliLevel): boolean {
  return RANK[ctx.level] >= RANK[level]
}
