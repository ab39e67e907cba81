// The two clocks edgelb reads. Deadlines and timers use `now()` only: it is monotonic, so a wall
// clock step (NTP, an operator, a VM resume) neither fires every timeout at once nor postpones
// them. `wallNow()` is for what people read: log lines, stats "last change", HTTP Date.
//
// Within one socket event the monotonic clock is read once, as HAProxy reads `now_ms` once per
// pass of its poll loop: a request's handling reads the time a dozen times (its timers, its
// deadlines, the server connection's idle expiry), and the answer would differ by microseconds.
// The proxy's data handlers are `clocked()`; everywhere else (runtime timers, checks, start-up)
// `now()` reads the clock itself.

/** The time read at the start of the current socket event; -1 outside one. */
let held = -1

/** Monotonic milliseconds (fractional), from an arbitrary origin fixed for the process's life. */
export function now(): number {
  return held >= 0 ? held : performance.now()
}

/** Reads the clock for the socket event that starts; `now()` returns that reading until
 *  releaseClock(). An event handled inside another (a close during a write) reads it anew, and
 *  its release leaves the outer event reading the clock itself: later, never earlier. */
export function holdClock(): void {
  held = performance.now()
}

export function releaseClock(): void {
  held = -1
}

/** A socket handler that runs with the clock held (made once per handler table, not per event):
 *  every `now()` of the event, however deep, returns the one reading. */
export function clocked<A, B>(handler: (a: A, b: B) => void): (a: A, b: B) => void {
  return (a, b) => {
    holdClock()
    try {
      handler(a, b)
    } finally {
      releaseClock()
    }
  }
}

/** Wall-clock milliseconds since the Unix epoch; may jump. For logs and display, never for deadlines. */
export function wallNow(): number {
  return Date.now()
}
