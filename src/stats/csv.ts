/**
 * The CSV of the proxy statistics (HAProxy's management guide, 9.1): a header line `# ` with
 * one word per column, then a line per row; every cell is followed by a comma, and a `-` cell
 * marks the end of the fixed columns (edgelb has no module columns after it). A text that holds
 * a comma, a quote or a line break is quoted, its quotes doubled.
 */
import { COLUMNS, valueOf } from './columns.ts'
import type { StatsRow, Value } from './types.ts'

const HEADER = `# ${COLUMNS.map((c) => `${c.name},`).join('')}-,\n`

/** The header line, newline included. */
export function csvHeader(): string {
  return HEADER
}

export function csvCell(v: Value): string {
  if (v === undefined) return ''
  if (typeof v === 'number') return String(v)
  return /[\n\r,"]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v
}

/** One row's line, newline included. */
export function csvLine(r: StatsRow): string {
  let out = ''
  for (const c of COLUMNS) out += csvCell(valueOf(c, r)) + ','
  return out + '-,\n'
}

/** The header and every row. */
export function renderCsv(rows: readonly StatsRow[]): string {
  let out = HEADER
  for (const r of rows) out += csvLine(r)
  return out
}
