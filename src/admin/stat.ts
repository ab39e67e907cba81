/**
 * `show stat`: HAProxy's CSV of proxies and servers (src/proxy/stats.ts makes it; the stats page
 * prints the same rows).
 */
import { statCsv } from '../proxy/stats.ts'
import type { AdminCommand, AdminCtx } from './types.ts'

function showStat(_args: string[], ctx: AdminCtx): string {
  return statCsv(ctx.engine)
}

export const statCommands: readonly AdminCommand[] = [
  { words: ['show', 'stat'], usage: 'show stat', level: 'user', run: showStat },
]
