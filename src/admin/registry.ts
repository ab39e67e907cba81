/**
 * Every command of the runtime API, the one list; `help`, and HAProxy's answer to a command it
 * does not know (the commands that share its first words, else all of them).
 */
import { showCache } from './cache-commands.ts'
import { clearCountersCommand, setMaxconnServer, shutdownSessionsServer } from './counters-commands.ts'
import { addAcl, clearAcl, delAcl, showAcl } from './acl-commands.ts'
import { showEvents } from './event-commands.ts'
import { showErrors } from './errors-command.ts'
import { disableFrontend, enableFrontend, setMaxconnFrontend, setMaxconnGlobal } from './frontend-commands.ts'
import { showSess, shutdownSession } from './session-commands.ts'
import { addMap, clearMap, delMap, setMap, showMap } from './map-commands.ts'
import { disableServer, enableServer, getWeight, setServer, setWeight } from './server-commands.ts'
import { showPeers } from './peers-commands.ts'
import { showInfo } from './show-info.ts'
import { showBackend, showServersState, showStat } from './show-stat.ts'
import { clearTable, setTable, showTable } from './table-commands.ts'
import { atLeast, type CliCommand, type CliCtx } from './types.ts'
import { experimentalMode, expertMode, getVar, setVar } from './var-commands.ts'

const help: CliCommand = {
  words: ['help'],
  usage: 'help [<command>]',
  help: 'list matching or all commands',
  run: (args, ctx) => usageMessage(args, ctx),
}

/** Handled by the session itself (cli/session.ts); listed for `help`. */
const prompt: CliCommand = { words: ['prompt'], usage: 'prompt', help: 'toggle interactive mode with prompt', run: () => '' }
const quit: CliCommand = { words: ['quit'], usage: 'quit', help: 'disconnect', run: () => '' }

export const COMMANDS: readonly CliCommand[] = [
  help, prompt, quit,
  showInfo, showStat, showBackend, showServersState,
  setServer, getWeight, setWeight, disableServer, enableServer, setMaxconnServer, shutdownSessionsServer,
  clearCountersCommand,
  showTable, clearTable, setTable,
  showPeers,
  showMap, addMap, delMap, setMap, clearMap,
  getVar, setVar, experimentalMode, expertMode,
  showAcl, addAcl, delAcl, clearAcl,
  showEvents,
  showSess, shutdownSession, showErrors,
  disableFrontend, enableFrontend, setMaxconnFrontend, setMaxconnGlobal,
  showCache,
]

/** The command whose words begin `args` (the longest), if the socket's level may see it. */
export function findCommand(args: readonly string[], ctx: CliCtx): CliCommand | undefined {
  let best: CliCommand | undefined
  for (const c of COMMANDS) {
    if (c.words.length > args.length || !c.words.every((w, i) => args[i] === w)) continue
    if (best === undefined || c.words.length > best.words.length) best = c
  }
  return best
}

function line(c: CliCommand): string {
  return `  ${c.usage.padEnd(40)}: ${c.help}\n`
}

/** `help [words]`, or the answer to an unknown command: the commands that share its first
 *  words, else every command the level may use. */
export function usageMessage(args: readonly string[], ctx: CliCtx): string {
  const isHelp = args[0] === 'help'
  const words = isHelp ? args.slice(1) : args
  const visible = COMMANDS.filter((c) => c.level === undefined || atLeast(ctx, c.level))
  let matched = 0
  for (const c of visible) {
    let n = 0
    while (n < c.words.length && n < words.length && c.words[n] === words[n]) n++
    matched = Math.max(matched, n)
  }
  const near = matched > 0 ? visible.filter((c) => c.words.slice(0, matched).every((w, i) => words[i] === w)) : visible
  const head = isHelp
    ? 'The following commands are valid at this level:\n'
    : words.length === 0 || matched === 0
      ? 'Unknown command. Please enter one of the following commands only:\n'
      : 'Unknown command, but maybe one of the following ones is a better match:\n'
  return head + near.map(line).join('')
}
