/**
 * The typed output of `show stat typed` (HAProxy's management guide, 9.2): one line per non-empty
 * cell, `F.<iid>.<sid>.<pos>.<name>.<pid>:<tags>:<type>:<value>`, F/B/S for frontend, backend,
 * server.
 */
import { COLUMNS, tagsOf, valueOf } from './columns.ts'
import type { RowKind, StatsRow } from './types.ts'

const LETTER: Readonly<Record<RowKind, string>> = { fe: 'F', be: 'B', srv: 'S', li: 'L' }

export function sidOf(r: StatsRow): number {
  return r.kind === 'srv' ? r.sid : r.kind === 'li' ? r.li.id : 0
}

/** Every row's cells; `desc` adds each column's description in quotes (`show stat typed desc`). */
export function renderTyped(rows: readonly StatsRow[], desc = false): string {
  let out = ''
  for (const r of rows) {
    const head = `${LETTER[r.kind]}.${r.iid}.${sidOf(r)}.`
    for (const c of COLUMNS) {
      const v = valueOf(c, r)
      if (v === undefined) continue
      out += `${head}${c.pos}.${c.name}.1:${tagsOf(c, r.kind)}:${c.type}:${v}${desc ? `:"${c.desc}"` : ''}\n`
    }
  }
  return out
}
