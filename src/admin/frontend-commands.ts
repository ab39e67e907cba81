/**
 * Frontends and limits at run time, with HAProxy's messages: `disable frontend` (stops accepting:
 * its listeners are released, live sessions go on), `enable frontend` (listens again),
 * `set maxconn frontend`, `set maxconn global` (a raised limit admits the connections waiting
 * for a slot at once). Admin level.
 */
import type { Frontend } from '../proxy/frontend.ts'
import { CliError, needLevel, type CliCommand, type CliCtx } from './types.ts'

/** The frontend (or listen section) named `name`. */
function findFrontend(ctx: CliCtx, name: string | undefined): Frontend {
  if (name === undefined || name === '') throw new CliError('Frontend name expected.\n')
  const fe = ctx.engine.frontends.find((f) => f.name === name)
  if (fe === undefined) throw new CliError('No such frontend.\n')
  return fe
}

/** A whole number as HAProxy's CLI reads it. */
function integer(text: string | undefined, message: string): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new CliError(message)
  return Number(text)
}

export const disableFrontend: CliCommand = {
  words: ['disable', 'frontend'],
  usage: 'disable frontend <frontend>',
  help: 'temporarily disable specific frontend',
  level: 'admin',
  run(args, ctx) {
    needLevel(ctx, 'admin')
    const fe = findFrontend(ctx, args[2])
    if (fe.stopped) throw new CliError('Frontend was already shut down.\n')
    fe.unbind()
    fe.adminDisabled = true
    return ''
  },
}

export const enableFrontend: CliCommand = {
  words: ['enable', 'frontend'],
  usage: 'enable frontend <frontend>',
  help: 're-enable specific frontend',
  level: 'admin',
  run(args, ctx) {
    needLevel(ctx, 'admin')
    const fe = findFrontend(ctx, args[2])
    if (!fe.stopped) throw new CliError('Frontend is already enabled.\n')
    try {
      fe.bind()
      fe.adminDisabled = false
    } catch {
      throw new CliError('Failed to resume frontend, check logs for precise cause (port conflict?).\n')
    }
    return ''
  },
}

export const setMaxconnFrontend: CliCommand = {
  words: ['set', 'maxconn', 'frontend'],
  usage: 'set maxconn frontend <frontend> <value>',
  help: 'change a frontend\'s maxconn setting',
  level: 'admin',
  run(args, ctx) {
    needLevel(ctx, 'admin')
    const fe = findFrontend(ctx, args[3])
    fe.maxconn = integer(args[4], 'Integer value expected.\n')
    fe.unpark()
    return ''
  },
}

export const setMaxconnGlobal: CliCommand = {
  words: ['set', 'maxconn', 'global'],
  usage: 'set maxconn global <value>',
  help: 'change the per-process maxconn setting',
  level: 'admin',
  run(args, ctx) {
    needLevel(ctx, 'admin')
    const v = integer(args[3], 'Expects an integer value.\n')
    if (v === 0) throw new CliError('Value out of range.\n')
    ctx.engine.globalMaxconn = v
    ctx.engine.slotFreed()
    return ''
  },
}
