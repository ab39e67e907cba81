/**
 * The admin socket's commands (HAProxy's stats socket, "the CLI"): what a command is, and what
 * it sees. One table (commands.ts) lists them; each file of this folder owns a group.
 */
import type { StatsSocketLevel } from '../model/stats-socket.ts'
import type { Engine } from '../proxy/engine.ts'

/** A socket's level bounds what its clients may run (model/stats-socket.ts). */
export type AdminLevel = StatsSocketLevel

export const LEVELS: readonly AdminLevel[] = ['user', 'operator', 'admin']

export interface AdminCtx {
  readonly engine: Engine
  /** The level of the socket the command came in on. */
  readonly level: AdminLevel
  /** `experimental-mode on` was given on this connection. */
  experimental: boolean
  /** Lines after a `<<` on the command line (e.g. `add map FILE <<`), else undefined. */
  readonly payload: string | undefined
}

export interface AdminCommand {
  /** The words that name it (`show servers state`). */
  readonly words: readonly string[]
  readonly usage: string
  /** The lowest level that may run it. */
  readonly level: AdminLevel
  /** Runs it with the words after its name; returns its output (lines ending in `\n`, but for
   *  the few answers HAProxy writes as one line without one); an empty line follows it. */
  run(args: string[], ctx: AdminCtx): string
}

/** A command's refusal, shown to the client as its output. */
export class AdminError extends Error {}
