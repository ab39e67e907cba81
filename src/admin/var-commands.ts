/**
 * Variables on the runtime API: `get var NAME`, `set var NAME EXPR|fmt FORMAT` (process
 * variables, as HAProxy 2.6: `set var` needs `experimental-mode on` first), and the modes
 * (`experimental-mode`, `expert-mode`) that last for the connection.
 */
import { ConfigError } from '../model/source.ts'
import { procVars } from '../rules/context.ts'
import { setVarNow } from '../rules/proxy.ts'
import type { Sample } from '../rules/types.ts'
import { CliError, needLevel, type CliCommand } from './types.ts'

/** HAProxy's name for a sample's type, as `get var` prints it. */
function typeName(v: Sample): string {
  if (typeof v === 'number') return 'sint'
  if (typeof v === 'boolean') return 'bool'
  if (typeof v === 'string') return 'str'
  return 'bin'
}

function shown(v: Sample): string {
  if (typeof v === 'boolean') return v ? '1' : '0'
  if (typeof v === 'number' || typeof v === 'string') return String(v)
  return Buffer.from(v).toString('hex')
}

export const getVar: CliCommand = {
  words: ['get', 'var'],
  usage: 'get var <name>',
  help: 'retrieve contents of a process-wide variable',
  level: 'operator',
  run(args, ctx) {
    needLevel(ctx, 'operator')
    const name = args[2]
    if (name === undefined) throw new CliError('Missing process-wide variable identifier.\n')
    if (!name.startsWith('proc.')) throw new CliError("Only process-wide variables can be used ('proc.' prefix).\n")
    const v = procVars.get(name)
    if (v === undefined) throw new CliError('Variable not found.\n')
    // HAProxy's answer has no newline of its own: only the empty line that ends every answer.
    return `${name}: type=${typeName(v)} value=<${shown(v)}>`
  },
}

export const setVar: CliCommand = {
  words: ['set', 'var'],
  usage: 'set var <var> [<expr>|fmt <fmt>]',
  help: 'set a process-wide variable (experimental)',
  level: 'operator',
  run(args, ctx) {
    needLevel(ctx, 'operator')
    if (ctx.modes?.experimental !== true) throw new CliError("This command is restricted to experimental mode only.\n")
    const name = args[2]
    if (name === undefined || args[3] === undefined) throw new CliError('Missing process-wide variable identifier.\n')
    if (!name.startsWith('proc.')) throw new CliError("Only process-wide variables can be used ('proc.' prefix).\n")
    const fmt = args[3] === 'fmt'
    const text = args.slice(fmt ? 4 : 3).join(' ')
    if (text === '') throw new CliError(fmt ? 'Missing format string.\n' : 'Missing sample expression.\n')
    try {
      setVarNow(ctx.engine.rules, name, fmt ? 'fmt' : 'expr', text)
    } catch (e) {
      if (e instanceof ConfigError) throw new CliError(`Failed to parse the sample expression: ${e.message}\n`)
      throw e
    }
    return ''
  },
}

function modeCommand(mode: 'experimental' | 'expert'): CliCommand {
  return {
    words: [`${mode}-mode`],
    usage: `${mode}-mode [on|off]`,
    help: `toggle ${mode} mode for this connection`,
    run(args, ctx) {
      needLevel(ctx, 'admin')
      const modes = ctx.modes
      if (modes === undefined) return ''
      const w = args[1]
      if (w === undefined) return `${mode}-mode is ${modes[mode] === true ? 'ON' : 'OFF'}\n`
      if (w !== 'on' && w !== 'off') throw new CliError(`${mode}-mode takes on or off.\n`)
      modes[mode] = w === 'on'
      return ''
    },
  }
}

export const experimentalMode = modeCommand('experimental')
export const expertMode = modeCommand('expert')
