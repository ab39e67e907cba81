/**
 * HAProxy's master CLI (`-S ADDRESS[,OPTION…]`), for the tools that drive it: a command line
 * may start with `@1`, `@!PID` (a worker: the command runs on the runtime API, admin level) or
 * `@master`; without a prefix it is the master's own (`help`, `show proc`, `reload`).
 *
 * edgelb is one process, master and worker at once: `show proc` lists it as both, `@1` and
 * `@!<its pid>` reach it, and `reload` reloads it as SIGUSR2 does.
 */
import { formatUptime } from '../stats/uptime.ts'
import { CliError, type CliCtx } from './types.ts'
import { version } from '../version.ts'

/** What the master's own commands act on. */
export interface MasterHooks {
  /** Reloads the configuration (as SIGUSR2). */
  reload(): void
  /** Reloads so far, and when the process started (ms since the epoch). */
  reloads(): number
  readonly startedAt: number
}

/** Runs one master CLI line: `prefix` routes it; `run(line, ctx)` is the runtime API's. */
export function runMasterLine(words: readonly string[], line: string, ctx: CliCtx, hooks: MasterHooks, run: (line: string, ctx: CliCtx) => string): string {
  const first = words[0]
  if (first !== undefined && first.startsWith('@')) {
    const rest = line.slice(line.indexOf(first) + first.length).trim()
    if (first === '@master') return masterCommand(splitSpaces(rest), hooks)
    if (first === '@1' || first === '@!' + String(process.pid)) return rest === '' ? '' : run(rest, Object.assign(Object.create(ctx) as CliCtx, { level: 'admin', master: undefined }))
    return `Can't find the target process!\n`
  }
  return masterCommand(words, hooks)
}

function splitSpaces(s: string): string[] {
  return s.split(/\s+/).filter((w) => w !== '')
}

function masterCommand(words: readonly string[], hooks: MasterHooks): string {
  const cmd = words.join(' ')
  if (cmd === 'show proc') return showProc(hooks)
  if (cmd === 'reload') { hooks.reload(); return '' }
  if (cmd === 'help' || cmd === '') return MASTER_HELP
  throw new CliError(`Unknown command: '${words[0] ?? ''}'\n\n${MASTER_HELP}`)
}

const MASTER_HELP = `The following commands are valid at this level:
  @!<pid>                                 : send a command to the <pid> process
  @<relative pid>                         : send a command to the <relative pid> process
  @master                                 : send a command to the master process
  help [<command>]                        : list matching or all commands
  prompt                                  : toggle interactive mode with prompt
  quit                                    : disconnect
  reload                                  : reload haproxy
  show proc                               : show processes status
`

function showProc(hooks: MasterHooks): string {
  const up = formatUptime(Math.floor((Date.now() - hooks.startedAt) / 1000))
  const row = (pid: string, type: string, reloads: string): string => `${pid.padEnd(16)}${type.padEnd(16)}${reloads.padEnd(16)}${up.padEnd(16)}${version}\n`
  return '#<PID>          <type>          <reloads>       <uptime>        <version>       \n' +
    row(String(process.pid), 'master', `${hooks.reloads()} [failed: 0]`) +
    '# workers\n' +
    row(String(process.pid), 'worker', String(hooks.reloads())) +
    '# programs\n'
}
