/**
 * What the stats renderers share: the rows of the proxy statistics (a frontend, a backend, a
 * server, as HAProxy's STATS_TYPE_FE/BE/SV), the values a column gives, and how a row is read.
 */
import type { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import type { Check } from '../check/scheduler.ts'
import type { ProxyConfig } from '../model/types.ts'
import type { ListenerStats } from '../proxy/counters.ts'
import type { Frontend } from '../proxy/frontend.ts'

/** A row's kind, and HAProxy's number for it (the `type` column): 0, 1, 2, 3. */
export type RowKind = 'fe' | 'be' | 'srv' | 'li'
export const KIND_NUMBER: Readonly<Record<RowKind, number>> = { fe: 0, be: 1, srv: 2, li: 3 }

/** The type of a value in the typed and JSON outputs (HAProxy's FF_*). */
export type FieldType = 'u32' | 'u64' | 's32' | 'str'

/** A column's value in a row: undefined when the column says nothing for it (an empty CSV cell). */
export type Value = number | string | undefined

/** What is the same for every row of one rendering. */
export interface RenderEnv {
  /** Monotonic ms of the rendering (ages, rates). */
  readonly now: number
  /** Show the legends (`addr`, `cookie`, `algo`): `stats show-legends`, or the CLI at operator
   *  or admin level. */
  readonly legends: boolean
  /** The backend a server belongs to (a tracked server's, for `MAINT (via be/srv)`). */
  backendOf(s: Server): Backend | undefined
}

interface RowBase {
  readonly px: ProxyConfig
  /** The proxy's number (1 for the first proxy of the configuration, in order). */
  readonly iid: number
  readonly env: RenderEnv
}

export interface FeRow extends RowBase {
  readonly kind: 'fe'
  readonly fe: Frontend
}

export interface BeRow extends RowBase {
  readonly kind: 'be'
  readonly be: Backend
}

export interface SrvRow extends RowBase {
  readonly kind: 'srv'
  readonly be: Backend
  readonly s: Server
  /** The server's number within its backend, from 1. */
  readonly sid: number
  /** Its health check and agent check, when it has them. */
  readonly health: Check | undefined
  readonly agent: Check | undefined
}

/** A listener of a frontend with `option socket-stats` (HAProxy's STATS_TYPE_SO). */
export interface LiRow extends RowBase {
  readonly kind: 'li'
  readonly fe: Frontend
  readonly li: ListenerStats
}

export type StatsRow = FeRow | BeRow | SrvRow | LiRow
