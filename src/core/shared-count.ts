/**
 * A count a limit is checked against (connections, sessions, waiters): `LocalCount` when one
 * thread serves, `SharedCount` when several share it. `take` takes a slot under a limit.
 */
export interface Count {
  value: number
  /** Adds `n` (negative to give back); returns the new value. */
  add(n: number): number
  /** Takes one slot if fewer than `max` are taken (`max` <= 0: no limit); returns the new value,
   *  or -1 when full (nothing taken). */
  take(max: number): number
}

/** A count of one thread: a plain number. */
export class LocalCount implements Count {
  value = 0

  add(n: number): number {
    return (this.value += n)
  }

  take(max: number): number {
    if (max > 0 && this.value >= max) return -1
    return ++this.value
  }
}

/**
 * A count every thread of the process sees: one 32-bit cell of a SharedArrayBuffer the threads
 * share (`nbthread` > 1), changed only atomically. `take` is the compare-and-swap a limit needs:
 * of two threads racing for the last slot, one wins.
 */
export class SharedCount implements Count {
  readonly #cells: Int32Array
  readonly #at: number

  constructor(cells: Int32Array = new Int32Array(1), at = 0) {
    this.#cells = cells
    this.#at = at
  }

  get value(): number {
    // An aligned 32-bit read is whole; a stale value is as good as a read a moment earlier.
    return this.#cells[this.#at]!
  }

  /** Sets it outright (tests, and a count handed to a new cell). */
  set value(v: number) {
    Atomics.store(this.#cells, this.#at, v)
  }

  /** Adds `n` (negative to give back); returns the new value. */
  add(n: number): number {
    return Atomics.add(this.#cells, this.#at, n) + n
  }

  /** Takes one slot if fewer than `max` are taken (`max` <= 0: no limit); returns the new value,
   *  or -1 when full (nothing taken). */
  take(max: number): number {
    const a = this.#cells
    const i = this.#at
    if (max <= 0) return Atomics.add(a, i, 1) + 1
    for (;;) {
      const v = Atomics.load(a, i)
      if (v >= max) return -1
      if (Atomics.compareExchange(a, i, v, v + 1) === v) return v + 1
    }
  }
}

/**
 * What wakes a thread whose connections wait (parked on `maxconn`, queued on a full server) when
 * another thread frees a slot: a sequence number in shared memory, bumped at every release and
 * notified while some thread waits. A thread reads the sequence (`mark`) before retrying its
 * waiters and waits on that value, so a release between the retry and the wait is not missed (the
 * sequence moved: the wait returns at once).
 */
export class WakeSignal {
  readonly #cells: Int32Array
  readonly #seq: number
  readonly #waiting: number

  /** `cells[at]` is the sequence, `cells[at + 1]` how many threads wait. */
  constructor(cells: Int32Array, at: number) {
    this.#cells = cells
    this.#seq = at
    this.#waiting = at + 1
  }

  /** A slot was freed here: wake the threads that wait, if any. The sequence moves whether or
   *  not one waits: a thread between its retry and its wait sees it moved and does not sleep. */
  signal(): void {
    const a = this.#cells
    Atomics.add(a, this.#seq, 1)
    if (Atomics.load(a, this.#waiting) > 0) Atomics.notify(a, this.#seq)
  }

  /** The sequence now: read before retrying, then given to `wait`. */
  mark(): number {
    return Atomics.load(this.#cells, this.#seq)
  }

  /** Resolves when the sequence moves from `seen` (at once if it has already). */
  async wait(seen: number): Promise<void> {
    const a = this.#cells
    Atomics.add(a, this.#waiting, 1)
    try {
      const r = Atomics.waitAsync(a, this.#seq, seen)
      if (r.async) await r.value
    } finally {
      Atomics.sub(a, this.#waiting, 1)
    }
  }
}
