/**
 * Stick tables at run time: `show table`, `clear table`, `set table`, in HAProxy's formats.
 * Reading a table's entries and changing them needs the operator level.
 */
import type { DataName, StickEntry, StickKey, StickTable } from '../rules/stick-table.ts'
import { now } from '../core/clock.ts'
import { atLeast, CliError, needLevel, type CliCommand, type CliCtx } from './types.ts'

/** The data an entry shows, in HAProxy's order (rates carry their period). */
const DATA_ORDER: readonly DataName[] = [
  'gpt0', 'gpc0', 'gpc0_rate', 'conn_cnt', 'conn_rate', 'conn_cur', 'sess_cnt', 'sess_rate', 'http_req_cnt',
  'http_req_rate', 'http_err_cnt', 'http_err_rate', 'bytes_in_cnt', 'bytes_in_rate', 'bytes_out_cnt', 'bytes_out_rate',
  'gpc1', 'gpc1_rate',
]
const RATE_INDEX: Readonly<Record<string, number>> = {
  conn_rate: 0, sess_rate: 1, http_req_rate: 2, http_err_rate: 3, bytes_in_rate: 4, bytes_out_rate: 5, gpc0_rate: 6, gpc1_rate: 7,
}

/** A stable pseudo-address for an entry (HAProxy prints its pointer). */
const ids = new WeakMap<object, string>()
let nextId = 0x5a0000
export function entryId(o: object): string {
  let id = ids.get(o)
  if (id === undefined) ids.set(o, (id = `0x${(nextId += 0x40).toString(16)}`))
  return id
}

/** The head line; expired entries are purged first, so `used` counts the entries listed. */
export function tableHead(t: StickTable): string {
  t.purge()
  return `# table: ${t.name}, type: ${t.type}, size:${t.size}, used:${t.count}\n`
}

function entryLine(t: StickTable, e: StickEntry): string {
  const exp = t.expire === Infinity ? 0 : Math.max(0, Math.round(e.exp - now()))
  let out = `${entryId(e)}: key=${e.key} use=${e.refs} exp=${exp}`
  if (t.storesServer) out += ` server_id=${e.serverId}${e.serverName !== '' ? ` server_key=${e.serverName}` : ''}`
  for (const d of DATA_ORDER) {
    const v = t.read(e, d)
    if (v === undefined) continue
    const ri = RATE_INDEX[d]
    out += ri === undefined ? ` ${d}=${v}` : ` ${d}(${t.rateSlots[ri]})=${v}`
  }
  return out + '\n'
}

function tableOf(ctx: CliCtx, name: string | undefined): StickTable {
  const t = name === undefined ? undefined : ctx.engine.rules.tables.get(name)
  if (t === undefined) throw new CliError('No such table\n')
  return t
}

/** A key as the table's type reads it. */
function keyOf(t: StickTable, text: string | undefined): StickKey {
  if (text === undefined || text === '') throw new CliError('Key value expected\n')
  if (t.type === 'binary') throw new CliError('Showing keys from tables of type other than ip, ipv6, string and integer is not supported\n')
  const k = t.keyOf(t.type === 'integer' ? Number(text) : text)
  if (k === undefined || (t.type === 'integer' && !/^\d+$/.test(text))) throw new CliError('Invalid key\n')
  return k
}

const OPS: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  eq: (a, b) => a === b, ne: (a, b) => a !== b, le: (a, b) => a <= b, lt: (a, b) => a < b, ge: (a, b) => a >= b, gt: (a, b) => a > b,
}

/** The entries `show table NAME …` and `clear table NAME …` select: all, `key K`, or
 *  `data.TYPE OP VALUE`. */
function select(t: StickTable, args: readonly string[], action: 'show' | 'clear'): StickEntry[] {
  const [w, a, b] = args
  if (w === undefined) return [...t.entries()]
  if (w === 'key') {
    const e = t.lookup(keyOf(t, a))
    return e === undefined ? [] : [e]
  }
  if (w.startsWith('data.')) {
    const name = w.slice(5) as DataName
    const op = a === undefined ? undefined : OPS[a]
    if (!DATA_ORDER.includes(name) && name !== 'server_id') throw new CliError('Unknown data type\n')
    if (op === undefined || b === undefined || !/^-?\d+$/.test(b)) throw new CliError('Require a valid integer value to compare against\n')
    const out: StickEntry[] = []
    for (const e of t.entries()) {
      const v = t.read(e, name)
      if (v === undefined) throw new CliError('Data type not stored in this table\n')
      if (op(v, Number(b))) out.push(e)
    }
    return out
  }
  throw new CliError(action === 'show'
    ? 'Optional argument only supports "data.<store_data_type>" <operator> <value> and key <key>\n'
    : 'Optional argument only supports "data.<store_data_type>" <operator> <value> and key <key>\n')
}

export const showTable: CliCommand = {
  words: ['show', 'table'],
  usage: 'show table <table> [<filter>]*',
  help: 'report table usage stats or dump this table\'s contents',
  run(args, ctx) {
    const name = args[2]
    if (name === undefined) {
      let out = ''
      for (const t of ctx.engine.rules.tables.values()) out += tableHead(t)
      return out
    }
    const t = tableOf(ctx, name)
    if (!atLeast(ctx, 'operator')) return tableHead(t) + '# contents not dumped due to insufficient privileges\n'
    let out = tableHead(t)
    for (const e of select(t, args.slice(3), 'show')) out += entryLine(t, e)
    return out
  },
}

export const clearTable: CliCommand = {
  words: ['clear', 'table'],
  usage: 'clear table <table> [<filter>]*',
  help: 'remove an entry from a table (filter: data/key)',
  level: 'operator',
  run(args, ctx) {
    const t = tableOf(ctx, args[2])
    needLevel(ctx, 'operator')
    const chosen = select(t, args.slice(3), 'clear')
    if (args[3] === 'key' && chosen[0] !== undefined && chosen[0].refs > 0) throw new CliError('Entry currently in use, cannot remove\n')
    for (const e of chosen) if (e.refs === 0) t.delete(e.key)
    return ''
  },
}

export const setTable: CliCommand = {
  words: ['set', 'table'],
  usage: 'set table <table> key <k> [data.* <v>]*',
  help: 'update or create a table entry\'s data',
  level: 'operator',
  run(args, ctx) {
    const t = tableOf(ctx, args[2])
    if (args[3] !== 'key') throw new CliError('Required arguments: <table> key <key> [data.<store_data_type> <value>]*\n')
    needLevel(ctx, 'operator')
    const key = keyOf(t, args[4])
    const updates: [string, number][] = []
    for (let i = 5; i < args.length; i += 2) {
      const w = args[i]!
      const v = args[i + 1]
      if (!w.startsWith('data.') || v === undefined) throw new CliError('"data.<type>" followed by a value expected\n')
      const name = w.slice(5)
      if (name in RATE_INDEX || !DATA_ORDER.includes(name as DataName) && name !== 'server_id') throw new CliError('Unknown data type\n')
      if (name !== 'server_id' && !t.has(name as never)) throw new CliError('Data type not stored in this table\n')
      if (!/^-?\d+$/.test(v)) throw new CliError('Require a valid integer value to store\n')
      updates.push([name, Number(v)])
    }
    const e = t.get(key)
    if (e === undefined) throw new CliError('Unable to allocate a new entry\n')
    for (const [name, v] of updates) {
      if (name === 'server_id') t.setServer(e, v, e.serverName)
      else t.setCounter(e, name as never, v)
    }
    return ''
  },
}
