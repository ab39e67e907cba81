/**
 * A FIFO of waiters with O(1) removal from anywhere (a queued client that leaves, a queue timeout),
 * as HAProxy's per-server and per-backend pending queues. The links live in the waiter itself.
 */
import type { Server } from './server.ts'
import { LocalCount, type Count } from '../core/shared-count.ts'

/** Something waiting for a server. The backend calls `grant` when a slot is free for it. */
export interface Waiter {
  /** Monotonic ms when it entered the queue (the backend serves the oldest of two queue heads). */
  queuedAt: number
  /** Receives the server it may now connect to. */
  grant(server: Server): void
  /** @internal links, owned by WaitQueue */
  _qPrev: Waiter | null
  _qNext: Waiter | null
  _queue: WaitQueue | null
}

export class WaitQueue {
  #head: Waiter | null = null
  #tail: Waiter | null = null
  #length = 0
  /** Waiters in this queue of every thread (`nbthread` > 1: the same queue of the other threads'
   *  engines shares the cell, proxy/process-share.ts). */
  count: Count = new LocalCount()

  /** Waiters in this thread's queue. */
  get length(): number {
    return this.#length
  }

  /** Waiters in this queue, all threads together (what stats, logs and `maxqueue` see). */
  get total(): number {
    return this.count.value
  }

  peek(): Waiter | null {
    return this.#head
  }

  push(w: Waiter, now: number): void {
    if (w._queue) w._queue.remove(w)
    this.count.add(1)
    this.#link(w, now)
  }

  /** Queues `w` unless `max` (> 0) waiters are queued already, all threads together, counted
   *  atomically; returns whether it was queued. */
  pushUnder(w: Waiter, now: number, max: number): boolean {
    if (w._queue) w._queue.remove(w)
    if (this.count.take(max) < 0) return false
    this.#link(w, now)
    return true
  }

  #link(w: Waiter, now: number): void {
    w.queuedAt = now
    w._queue = this
    w._qNext = null
    w._qPrev = this.#tail
    if (this.#tail) this.#tail._qNext = w
    else this.#head = w
    this.#tail = w
    this.#length++
  }

  shift(): Waiter | null {
    const w = this.#head
    if (w) this.remove(w)
    return w
  }

  /** Removes `w` if it is in this queue; returns whether it was. */
  remove(w: Waiter): boolean {
    if (w._queue !== this) return false
    if (w._qPrev) w._qPrev._qNext = w._qNext
    else this.#head = w._qNext
    if (w._qNext) w._qNext._qPrev = w._qPrev
    else this.#tail = w._qPrev
    w._qPrev = w._qNext = null
    w._queue = null
    this.#length--
    this.count.add(-1)
    return true
  }

  /** Takes every waiter out, in order (used when a server goes away and its queue is redispatched). */
  drain(): Waiter[] {
    const out: Waiter[] = []
    for (let w = this.shift(); w; w = this.shift()) out.push(w)
    return out
  }
}
