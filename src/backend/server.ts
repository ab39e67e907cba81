/**
 * A server at run time: its configuration, its state as the balancer sees it, its connection
 * count and queue, and its counters (for logs, stats and the admin API).
 *
 *   admin state:  maint <-> drain <-> ready        health: down <-(rise/fall)-> up
 *   usable = ready && up && weight > 0 (drain: no new traffic, live sessions go on)
 */
import type { ServerConfig } from '../config/types.ts'
import type { LbServer } from '../balance/types.ts'
import { WaitQueue } from './queue.ts'

export type AdminState = 'ready' | 'drain' | 'maint'

export interface ServerCounters {
  /** Sessions ever assigned. */
  total: number
  /** Connection errors (refused, unreachable, timeout). */
  econ: number
  /** Retries on this server. */
  wretr: number
  /** Sessions moved away from this server by redispatch. */
  wredis: number
  bytesIn: number
  bytesOut: number
  /** Highest `cur` seen. */
  maxCur: number
}

export class Server implements LbServer {
  readonly cfg: ServerConfig
  readonly name: string
  readonly index: number
  readonly backup: boolean
  weight: number
  usable: boolean
  cur = 0
  maxconn: number
  readonly minconn: number
  readonly maxqueue: number
  admin: AdminState
  /** Health as checks see it; true without checks. */
  up = true
  readonly queue = new WaitQueue()
  readonly counters: ServerCounters = { total: 0, econ: 0, wretr: 0, wredis: 0, bytesIn: 0, bytesOut: 0, maxCur: 0 }

  constructor(cfg: ServerConfig) {
    this.cfg = cfg
    this.name = cfg.name
    this.index = cfg.index
    this.backup = cfg.backup
    this.weight = cfg.weight
    this.maxconn = cfg.maxconn
    this.minconn = cfg.minconn
    this.maxqueue = cfg.maxqueue
    this.admin = cfg.disabled ? 'maint' : 'ready'
    this.usable = this.#computeUsable()
  }

  #computeUsable(): boolean {
    return this.admin === 'ready' && this.up && this.weight > 0
  }

  /** Recomputes `usable`; returns whether it changed (the backend then rebuilds its balancer). */
  refresh(): boolean {
    const u = this.#computeUsable()
    if (u === this.usable) return false
    this.usable = u
    return true
  }
}
