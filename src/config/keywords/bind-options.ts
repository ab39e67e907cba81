/**
 * Options of `bind` lines that edgelb gives a meaning to. Other options HAProxy knows are kept in
 * `BindConfig.options` with a "not implemented yet" warning (arity from the dictionary).
 */
import { parseIntIn } from '../../model/units.ts'
import type { BindOptionKeyword } from './types.ts'
import { parseProto } from './server-options.ts'
import { bindTlsKeywords } from './tls-options.ts'

export const bindOptionKeywords: readonly BindOptionKeyword[] = [
  { kw: 'name', args: 1, apply: ([v], b) => { b.name = v! } },
  { kw: 'backlog', args: 1, apply: ([v], b, at) => { b.backlog = parseIntIn(v!, at, "'backlog'", 1, 1_000_000) } },
  { kw: 'proto', args: 1, apply: ([v], b, at) => { b.proto = parseProto(v!, at) } },
  { kw: 'accept-proxy', args: 0, apply: (_v, b) => { b.acceptProxy = true } },
  { kw: 'maxconn', args: 1, notBuilt: 'per-listener limit; the frontend and global maxconn apply', apply: ([v], b, at) => { b.maxconn = parseIntIn(v!, at, "'maxconn'", 0, 10_000_000) } },
  ...bindTlsKeywords,
]
