/**
 * Waiting in tests: on events (Signal), or on a condition polled every event-loop turn (until),
 * always bounded by a deadline that fails the test naming what it waited for; never a sleep.
 */

/** Resolves with `p`, or rejects after `ms` naming what was awaited. */
export function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(t))
}

/** A condition re-checked whenever `Signal.notify()` is called (on socket events, log lines). */
export class Signal {
  #waiters: { check: () => boolean; resolve: () => void }[] = []

  notify(): void {
    if (this.#waiters.length === 0) return
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.check()) return true
      w.resolve()
      return false
    })
  }

  /** Resolves once `check()` holds; rejects after `ms`. */
  until(check: () => boolean, what: string, ms = 5000): Promise<void> {
    return within(ms, this.when(check), what)
  }

  /** Resolves once `check()` holds (no deadline: for fire-and-forget waits). */
  when(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve()
    return new Promise<void>((resolve) => this.#waiters.push({ check, resolve }))
  }
}

/** Polls `check` every event-loop turn (setImmediate), for state with no event of its own
 *  (engine counters). Bounded by `ms`. */
export async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = performance.now() + ms
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setImmediate(r))
  }
}
