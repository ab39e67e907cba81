/**
 * HAProxy's stick-table data types as the peers protocol numbers them (stktable_data_types, the
 * bits of a table definition), with what edgelb stores for each, and the key types.
 */
import type { CounterName, RateName } from '../rules/stick-table.ts'
import type { StickTableConfig } from '../model/types.ts'

/** How a type's value travels: one varint; a frequency counter (age, current, previous: three
 *  varints); a dictionary entry (server_key); an array of N of those (gpt, gpc, gpc_rate). */
export type WireKind = 'int' | 'freq' | 'dict'

export interface DataType {
  readonly id: number
  readonly name: string
  readonly kind: WireKind
  readonly array?: true
  /** What edgelb keeps it in. */
  readonly counter?: CounterName
  readonly rate?: RateName
}

export const SERVER_ID = 0
export const SERVER_KEY = 19

/** Index = HAProxy's id (STKTABLE_DT_*). */
export const DATA_TYPES: readonly DataType[] = [
  { id: 0, name: 'server_id', kind: 'int' },
  { id: 1, name: 'gpt0', kind: 'int', counter: 'gpt0' },
  { id: 2, name: 'gpc0', kind: 'int', counter: 'gpc0' },
  { id: 3, name: 'gpc0_rate', kind: 'freq', rate: 'gpc0_rate' },
  { id: 4, name: 'conn_cnt', kind: 'int', counter: 'conn_cnt' },
  { id: 5, name: 'conn_rate', kind: 'freq', rate: 'conn_rate' },
  { id: 6, name: 'conn_cur', kind: 'int', counter: 'conn_cur' },
  { id: 7, name: 'sess_cnt', kind: 'int', counter: 'sess_cnt' },
  { id: 8, name: 'sess_rate', kind: 'freq', rate: 'sess_rate' },
  { id: 9, name: 'http_req_cnt', kind: 'int', counter: 'http_req_cnt' },
  { id: 10, name: 'http_req_rate', kind: 'freq', rate: 'http_req_rate' },
  { id: 11, name: 'http_err_cnt', kind: 'int', counter: 'http_err_cnt' },
  { id: 12, name: 'http_err_rate', kind: 'freq', rate: 'http_err_rate' },
  { id: 13, name: 'bytes_in_cnt', kind: 'int', counter: 'bytes_in_cnt' },
  { id: 14, name: 'bytes_in_rate', kind: 'freq', rate: 'bytes_in_rate' },
  { id: 15, name: 'bytes_out_cnt', kind: 'int', counter: 'bytes_out_cnt' },
  { id: 16, name: 'bytes_out_rate', kind: 'freq', rate: 'bytes_out_rate' },
  { id: 17, name: 'gpc1', kind: 'int', counter: 'gpc1' },
  { id: 18, name: 'gpc1_rate', kind: 'freq', rate: 'gpc1_rate' },
  { id: 19, name: 'server_key', kind: 'dict' },
  { id: 20, name: 'http_fail_cnt', kind: 'int', counter: 'http_fail_cnt' },
  { id: 21, name: 'http_fail_rate', kind: 'freq', rate: 'http_fail_rate' },
  { id: 22, name: 'gpt', kind: 'int', array: true },
  { id: 23, name: 'gpc', kind: 'int', array: true },
  { id: 24, name: 'gpc_rate', kind: 'freq', array: true },
]

/** Key types on the wire (PEER_KT_*). */
export const KEY_TYPES: Readonly<Record<StickTableConfig['type'], number>> = { integer: 2, ip: 4, ipv6: 5, string: 6, binary: 7 }

/** The key size HAProxy announces for a table declared this way (stktable_types: a string's
 *  `len N` takes N + 1 for its terminating NUL; without `len`, 32). */
export function wireKeySize(cfg: Pick<StickTableConfig, 'type' | 'len'>): number {
  switch (cfg.type) {
    case 'integer': case 'ip': return 4
    case 'ipv6': return 16
    case 'string': return cfg.len === undefined ? 32 : cfg.len + 1
    case 'binary': return cfg.len ?? 32
  }
}
