/**
 * The JSON of the proxy statistics (`;json`, `show stat json`), HAProxy's shape: an array of
 * rows, each an array of its non-empty cells:
 *
 *   {"objType":"Server","proxyId":3,"id":1,"field":{"pos":4,"name":"scur"},"processNum":1,
 *    "tags":{"origin":"Metric","nature":"Gauge","scope":"Process"},"value":{"type":"u32","value":0}}
 */
import { COLUMNS, tagsOf, valueOf } from './columns.ts'
import { sidOf } from './typed.ts'
import type { RowKind, StatsRow } from './types.ts'

const OBJ: Readonly<Record<RowKind, string>> = { fe: 'Frontend', be: 'Backend', srv: 'Server', li: 'Listener' }
const ORIGIN: Readonly<Record<string, string>> = { M: 'Metric', S: 'Status', K: 'Key', C: 'Config', P: 'Product' }
const NATURE: Readonly<Record<string, string>> = {
  G: 'Gauge', L: 'Limit', m: 'Min', M: 'Max', R: 'Rate', C: 'Counter', D: 'Duration', A: 'Age', T: 'Time', N: 'Name', O: 'Output', a: 'Avg',
}
const SCOPE: Readonly<Record<string, string>> = { P: 'Process', S: 'Service', s: 'System', C: 'Cluster' }

/** HAProxy's JSON `tags` object for three tag letters. */
export function jsonTags(tags: string): string {
  return `"tags":{"origin":"${ORIGIN[tags[0]!] ?? 'Unknown'}","nature":"${NATURE[tags[1]!] ?? 'Unknown'}","scope":"${SCOPE[tags[2]!] ?? 'Unknown'}"}`
}

export function renderJson(rows: readonly StatsRow[]): string {
  const lines: string[] = []
  for (const r of rows) {
    const cells: string[] = []
    for (const c of COLUMNS) {
      const v = valueOf(c, r)
      if (v === undefined) continue
      const value = typeof v === 'number' ? String(v) : JSON.stringify(v)
      cells.push(`{"objType":"${OBJ[r.kind]}","proxyId":${r.iid},"id":${sidOf(r)},"field":{"pos":${c.pos},"name":"${c.name}"},"processNum":1,${jsonTags(tagsOf(c, r.kind))},"value":{"type":"${c.type}","value":${value}}}`)
    }
    lines.push(`[${cells.join(',')}]`)
  }
  return `[${lines.join(',')}]`
}
