/**
 * `show table [NAME]`: the stick tables, and a table's entries with their stored data, in
 * HAProxy's words.
 */
import type { StickTable } from '../rules/stick-table.ts'
import { AdminError, type AdminCommand, type AdminCtx } from './types.ts'

function header(t: StickTable): string {
  return `# table: ${t.name}, type: ${t.type}, size:${t.size}, used:${t.count}\n`
}

function showTable(args: string[], ctx: AdminCtx): string {
  const tables = ctx.engine.rules.tables
  // What has expired is gone before it is counted or listed.
  for (const t of tables.values()) t.purge()
  if (args[0] === undefined) return [...tables.values()].map(header).join('')
  const t = tables.get(args[0])
  if (!t) throw new AdminError(`Unknown table.\n`)
  return header(t) + t.dumpEntries().map((line, i) => `0x${(0x1000 + i * 0x40).toString(16)}: ${line}\n`).join('')
}

export const tableCommands: readonly AdminCommand[] = [
  { words: ['show', 'table'], usage: 'show table [<table>]', level: 'user', run: showTable },
]
