// The two clocks edgelb reads. Deadlines and timers use `now()` only: it is monotonic, so a wall
// clock step (NTP, an operator, a VM resume) neither fires every timeout at once nor postpones
// them. `wallNow()` is for what people read: log lines, stats "last change", HTTP Date.

/** Monotonic milliseconds (fractional), from an arbitrary origin fixed for the process's life. */
export function now(): number {
  return performance.now()
}

/** Wall-clock milliseconds since the Unix epoch; may jump. For logs and display, never for deadlines. */
export function wallNow(): number {
  return Date.now()
}
