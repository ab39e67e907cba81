import { now } from './clock.ts'

// A hashed timer wheel (Varghese & Lauck) with HAProxy's trick: a timer pushed back is not moved.
//
//   slot:  [0] [1] [2] ... [slots-1]      each slot: a circular doubly-linked list of Timers,
//                                         the links living in the Timer itself (no allocation)
//   a timer due at `exp` is filed under tick floor(exp / tickMs), in slot (tick & (slots - 1));
//   timers one or more revolutions ahead share slots and are skipped until their tick comes round.
//
//   idle --schedule--> filed --(its tick is walked and exp <= now)--> due --callback--> idle
//     ^                  |  ^                                          |
//     +----cancel--------+  +--(exp was pushed later: filed again)     +--schedule/cancel: not fired
//
// Rescheduling later only writes `exp`: when the old tick is walked, the wheel sees the later
// `exp` and files the timer where it belongs then. Session timeouts are pushed back on every read
// and write and almost never expire, so almost every reschedule is one comparison and one store.
// Rescheduling earlier moves the timer, since it must not fire late.

/** A callback due at a monotonic time. Create one per session and reuse it for all its deadlines. */
export class Timer {
  /** When it is due, in monotonic ms (see clock.ts `now()`). Infinity while not scheduled, which
   *  includes while its own callback runs. Read it freely; change it only through TimerWheel. */
  exp: number = Infinity
  readonly fn: (t: Timer) => void

  // Owned by TimerWheel. Plain fields rather than `#private` because the wheel walks and relinks
  // them, and `#` gives no access to another class. Not in a list: both links point to itself.
  /** @internal */ _prev: Timer = this
  /** @internal */ _next: Timer = this
  /** @internal tick it is filed under */ _tick: number = 0
  /** @internal collected by advance() and about to fire */ _due: boolean = false

  constructor(fn: (t: Timer) => void) {
    this.fn = fn
  }

  /** Filed in a wheel, or collected and about to fire. */
  get scheduled(): boolean {
    return this._next !== this || this._due
  }
}

export interface TimerWheelOptions {
  /** Slot width in ms (default 10). Timers fire at or after `exp`, within one tick on a driven wheel. */
  tickMs?: number
  /** Number of slots, a power of two (default 4096: one revolution is 41 s at 10 ms, longer than
   *  most timeouts; later timers work too, they are only looked at once per revolution). */
  slots?: number
  /** Monotonic time the wheel starts at (default `now()`). */
  start?: number
}

const noop = (): void => {}

function unlink(t: Timer): void {
  t._prev._next = t._next
  t._next._prev = t._prev
  t._prev = t
  t._next = t
}

function byExp(a: Timer, b: Timer): number {
  return a.exp - b.exp
}

export class TimerWheel {
  readonly tickMs: number
  readonly #mask: number
  /** Sentinel heads, one per slot. */
  readonly #heads: Timer[]
  /** Ticks before it have been walked; it may have been walked in part (up to the last `now`). */
  #cur: number
  #size = 0
  /** Reused between ticks: the timers of one tick, sorted by exp before they fire. */
  readonly #due: Timer[] = []
  #advancing = false
  #wakeAt = -Infinity
  #wake: (exp: number) => void = noop

  constructor(options: TimerWheelOptions = {}) {
    const tickMs = options.tickMs ?? 10
    const slots = options.slots ?? 4096
    if (!(tickMs > 0 && tickMs < Infinity)) throw new RangeError(`timer wheel tickMs must be a positive number, got ${tickMs}`)
    if (!Number.isInteger(slots) || slots < 2 || slots > 2 ** 30 || (slots & (slots - 1)) !== 0) {
      throw new RangeError(`timer wheel slots must be a power of two >= 2, got ${slots}`)
    }
    this.tickMs = tickMs
    this.#mask = slots - 1
    this.#heads = Array.from({ length: slots }, () => new Timer(noop))
    this.#cur = Math.floor((options.start ?? now()) / tickMs)
  }

  /** Timers filed (scheduled and not yet collected for firing). */
  get size(): number {
    return this.#size
  }

  /** Sets (or resets) when `t` is due. Infinity cancels it. An `exp` already past fires on the
   *  next advance(); from inside a callback, on the next advance() call, never the current one,
   *  so a callback that keeps rescheduling itself into the past cannot make advance() loop.
   *  O(1); a later `exp` on a filed timer only updates `t.exp`. A timer belongs to one wheel. */
  schedule(t: Timer, exp: number): void {
    // Fast path, the common case: a filed timer pushed back. Its tick is at or before exp's.
    if (exp >= t.exp && exp !== Infinity && t._next !== t) {
      t.exp = exp
      return
    }
    this.#reschedule(t, exp)
  }

  #reschedule(t: Timer, exp: number): void {
    if (exp === Infinity) {
      this.cancel(t)
      return
    }
    if (exp !== exp) throw new RangeError('timer expiry is NaN')
    let tick = Math.floor(exp / this.tickMs)
    if (tick < this.#cur) tick = this.#cur
    if (t._next !== t) {
      if (tick >= t._tick) {
        t.exp = exp
        if (exp < this.#wakeAt) this.#wakeUp(exp)
        return
      }
      unlink(t)
    } else {
      t._due = false
      this.#size++
    }
    t.exp = exp
    this.#file(t, tick)
    if (exp < this.#wakeAt) this.#wakeUp(exp)
  }

  /** Unschedules `t` (a no-op when it is not scheduled). Safe from any callback, including to
   *  stop a timer collected in the same advance() from firing. O(1). */
  cancel(t: Timer): void {
    if (t._next !== t) {
      unlink(t)
      this.#size--
    }
    t._due = false
    t.exp = Infinity
  }

  /** Fires every timer filed before the call with `exp <= now`, in `exp` order (ties: schedule
   *  order), and returns how many fired. Callbacks may schedule and cancel any timer, but may not
   *  call advance(). If callbacks throw, the others still fire and the first error is rethrown. */
  advance(now: number): number {
    if (this.#advancing) throw new Error('TimerWheel.advance() called from a timer callback')
    const nowTick = Math.floor(now / this.tickMs)
    const end = nowTick > this.#cur ? nowTick : this.#cur
    if (this.#size === 0) {
      this.#cur = end
      return 0
    }
    this.#advancing = true
    let fired = 0
    try {
      if (end - this.#cur > this.#mask) return this.#catchUp(now, end)
      for (let k = this.#cur; k <= end; k++) {
        if (this.#size === 0) {
          this.#cur = end
          break
        }
        this.#collect(k, now)
        // Before the callbacks run, so that what they file in the past goes to a tick still ahead.
        if (k < end) this.#cur = k + 1
        fired += this.#fire()
      }
      return fired
    } finally {
      this.#advancing = false
    }
  }

  /** A lower bound of the earliest `exp` in the wheel, for a driver's sleep: advance(x) fires
   *  nothing for x below it. Exact unless every timer is a revolution or more away. Infinity when
   *  empty. O(ticks up to the first timer), at most one revolution. */
  nextExpiry(): number {
    if (this.#size === 0) return Infinity
    const tickMs = this.tickMs
    let best = Infinity
    for (let k = this.#cur, end = k + this.#mask + 1; k < end && k * tickMs < best; k++) {
      const head = this.#heads[k & this.#mask]
      for (let t = head._next; t !== head; t = t._next) {
        if (t._tick === k && t.exp < best) best = t.exp
      }
    }
    return best === Infinity ? (this.#cur + this.#mask + 1) * tickMs : best
  }

  /** For a driver: until the next watch(), calls `wake(exp)` whenever a timer is scheduled with
   *  `exp < at` (its runtime timer is set for `at`), and lowers `at` to that `exp`. One comparison
   *  per schedule(). `watch(-Infinity, …)` stops the calls. */
  watch(at: number, wake: (exp: number) => void): void {
    this.#wakeAt = at
    this.#wake = wake
  }

  #wakeUp(exp: number): void {
    this.#wakeAt = exp
    this.#wake(exp)
  }

  #file(t: Timer, tick: number): void {
    const head = this.#heads[tick & this.#mask]
    t._tick = tick
    t._next = head
    t._prev = head._prev
    head._prev._next = t
    head._prev = t
  }

  #take(t: Timer): void {
    unlink(t)
    this.#size--
    t._due = true
    this.#due.push(t)
  }

  /** Moves the due timers of tick `k` to #due; files again those pushed past it. */
  #collect(k: number, now: number): void {
    const head = this.#heads[k & this.#mask]
    for (let t = head._next; t !== head; ) {
      const next = t._next
      if (t._tick === k) {
        if (t.exp <= now) this.#take(t)
        else {
          const want = Math.floor(t.exp / this.tickMs)
          // Appended to this very list when want ≡ k: met again below with _tick !== k, skipped.
          if (want > k) {
            unlink(t)
            this.#file(t, want)
          }
        }
      }
      t = next
    }
  }

  /** After a gap of a revolution or more, one pass over every slot instead of one per tick. */
  #catchUp(now: number, end: number): number {
    this.#cur = end
    for (const head of this.#heads) {
      for (let t = head._next; t !== head; ) {
        const next = t._next
        if (t.exp <= now) this.#take(t)
        else {
          const want = Math.max(Math.floor(t.exp / this.tickMs), end)
          if (want !== t._tick) {
            unlink(t)
            this.#file(t, want)
          }
        }
        t = next
      }
    }
    return this.#fire()
  }

  #fire(): number {
    const due = this.#due
    if (due.length === 0) return 0
    if (due.length > 1) due.sort(byExp)
    let fired = 0
    let failed = false
    let error: unknown
    for (let i = 0; i < due.length; i++) {
      const t = due[i]
      if (!t._due) continue
      t._due = false
      t.exp = Infinity
      fired++
      try {
        t.fn(t)
      } catch (e) {
        if (!failed) {
          failed = true
          error = e
        }
      }
    }
    due.length = 0
    if (failed) throw error
    return fired
  }
}

/** Runs `wheel` on the real clock: one runtime timer for the whole process, not one per
 *  connection, set for the next expiry rounded up to `tickMs` (default the wheel's), so timers
 *  fire within about one tick of `exp` and the process wakes at most once per tick. Idle wheels
 *  cost nothing: no runtime timer is pending while the wheel is empty. */
export function startWheelDriver(wheel: TimerWheel, options: { tickMs?: number } = {}): { stop(): void } {
  const tickMs = options.tickMs ?? wheel.tickMs
  let handle: ReturnType<typeof setTimeout> | undefined
  let armedAt = Infinity
  let running = false
  let stopped = false

  const arm = (exp: number): void => {
    if (stopped) return
    const at = exp === Infinity ? Infinity : Math.ceil(exp / tickMs) * tickMs
    if (at >= armedAt) {
      // Nothing armed (the wheel emptied in run()): any timer scheduled later must wake us.
      if (armedAt === Infinity) wheel.watch(Infinity, onEarlier)
      return
    }
    if (handle !== undefined) clearTimeout(handle)
    armedAt = at
    handle = at === Infinity ? undefined : setTimeout(run, Math.max(0, Math.ceil(at - now())))
    // A timer due before the tick we will wake at needs an earlier wake-up.
    wheel.watch(at - tickMs, onEarlier)
  }
  const onEarlier = (exp: number): void => {
    if (!running) arm(exp)
  }
  const run = (): void => {
    handle = undefined
    armedAt = Infinity
    running = true
    try {
      wheel.advance(now())
    } finally {
      running = false
      arm(wheel.nextExpiry())
    }
  }

  wheel.watch(Infinity, onEarlier)
  arm(wheel.nextExpiry())
  return {
    stop(): void {
      stopped = true
      if (handle !== undefined) clearTimeout(handle)
      handle = undefined
      wheel.watch(-Infinity, noop)
    },
  }
}
