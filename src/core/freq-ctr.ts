/**
 * Events per second, as HAProxy's frequency counters (`rate`, `req_rate`, `conn_rate` in the
 * stats): the events of the current second plus those of the previous one, weighted by what is
 * left of the current second. Counting is a few arithmetic operations on numbers the counter
 * already holds; the time comes from the caller (the clock read once per event).
 */
export class FreqCtr {
  /** Events in the second that started at `#start` (monotonic ms), and in the one before it. */
  #curr = 0
  #prev = 0
  #start = 0

  #rotate(t: number): void {
    const elapsed = t - this.#start
    if (elapsed < 1000) return
    // One second later, the current second becomes the previous one; later than that, both are
    // in the past.
    this.#prev = elapsed < 2000 ? this.#curr : 0
    this.#curr = 0
    this.#start = t - (elapsed % 1000)
  }

  /** Counts one event at monotonic ms `t`; returns the rate after it (for a maximum). */
  add(t: number): number {
    this.#rotate(t)
    this.#curr++
    return this.read(t)
  }

  /** The rate at monotonic ms `t`: events per second over the last elapsed second. */
  read(t: number): number {
    this.#rotate(t)
    const left = 1000 - (t - this.#start)
    return this.#curr + Math.floor((this.#prev * left) / 1000)
  }
}
