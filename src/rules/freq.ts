/**
 * A rate over a sliding period, as HAProxy's freq_ctr_period: the count of the current period
 * plus the previous period's count weighted by how much of it still overlaps the window.
 *
 *   |<---- previous period ---->|<---- current period ---->|
 *                  |<------------- window (one period) -------->| now
 *   rate = curr + prev × (period − elapsed_in_current) / period
 *
 * Two numbers and a timestamp per counter; no timer, no history array.
 */
export class FreqCtr {
  /** Start of the current period (monotonic ms). */
  tick = 0
  curr = 0
  prev = 0

  /** Adds `n` events at `now`. */
  add(now: number, period: number, n = 1): void {
    this.#rotate(now, period)
    this.curr += n
  }

  /** Events per period at `now` (rounded down, as HAProxy's integer arithmetic). */
  read(now: number, period: number): number {
    let elapsed = now - this.tick
    let curr = this.curr
    let prev = this.prev
    if (elapsed >= period) {
      if (elapsed >= 2 * period) return 0
      prev = curr
      curr = 0
      elapsed -= period
    }
    return curr + Math.floor((prev * (period - elapsed)) / period)
  }

  #rotate(now: number, period: number): void {
    const elapsed = now - this.tick
    if (elapsed < period) return
    if (this.curr === 0 && this.prev === 0) {
      this.tick = now
      return
    }
    this.prev = elapsed >= 2 * period ? 0 : this.curr
    this.curr = 0
    this.tick += Math.floor(elapsed / period) * period
  }
}
