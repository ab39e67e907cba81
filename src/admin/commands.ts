/**
 * The admin socket's command table (HAProxy's stats socket commands edgelb has), and how a
 * command line is run: commands separated by `;`, each matched by its words, refused above the
 * socket's level.
 */
import { mapCommands } from './maps.ts'
import { serverCommands } from './servers.ts'
import { statCommands } from './stat.ts'
import { tableCommands } from './tables.ts'
import { AdminError, LEVELS, type AdminCommand, type AdminCtx } from './types.ts'
import { varCommands } from './vars.ts'

const sessionCommands: readonly AdminCommand[] = [
  {
    words: ['experimental-mode'], usage: 'experimental-mode [on|off]', level: 'user',
    run(args, ctx) { ctx.experimental = args[0] !== 'off'; return '' },
  },
  {
    words: ['help'], usage: 'help', level: 'user',
    run: () => adminCommands.map((c) => `  ${c.usage}\n`).join(''),
  },
]

export const adminCommands: readonly AdminCommand[] = [
  ...sessionCommands,
  ...serverCommands,
  ...statCommands,
  ...mapCommands,
  ...tableCommands,
  ...varCommands,
]

/** The words of one command: blanks separate them, `\` escapes the next character. */
function words(text: string): string[] {
  const out: string[] = []
  let cur = ''
  let any = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '\\' && i + 1 < text.length) { cur += text[++i]; any = true; continue }
    if (c === ' ' || c === '\t') { if (any) out.push(cur); cur = ''; any = false; continue }
    cur += c
    any = true
  }
  if (any) out.push(cur)
  return out
}

/** Splits a command line on the `;` that are not escaped. */
function split(line: string): string[] {
  const out: string[] = []
  let cur = ''
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (c === '\\' && i + 1 < line.length) { cur += c + line[++i]; continue }
    if (c === ';') { out.push(cur); cur = ''; continue }
    cur += c
  }
  out.push(cur)
  return out
}

/** Runs every command of `line`; each output is followed by an empty line, as HAProxy's CLI
 *  ends each answer. */
export function runCommandLine(line: string, ctx: Omit<AdminCtx, 'payload'>, payload?: string): string {
  let out = ''
  const parts = split(line)
  parts.forEach((part, i) => {
    const w = words(part)
    if (w.length === 0) return
    const c: AdminCtx = Object.assign(ctx, { payload: i === parts.length - 1 ? payload : undefined })
    out += runOne(w, c) + '\n'
  })
  return out
}

function runOne(w: string[], ctx: AdminCtx): string {
  const cmd = adminCommands.find((c) => c.words.every((x, i) => w[i] === x))
  if (!cmd) return `Unknown command: '${w.join(' ')}'; 'help' lists the commands.\n`
  if (LEVELS.indexOf(ctx.level) < LEVELS.indexOf(cmd.level)) return `Permission denied\n`
  try {
    return cmd.run(w.slice(cmd.words.length), ctx)
  } catch (e) {
    if (e instanceof AdminError) return e.message
    throw e
  }
}
