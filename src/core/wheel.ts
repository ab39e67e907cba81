/**
 * The process's timer wheel: every session deadline lives here, driven by one runtime timer
 * (held by the engines and the peers services that run), never a setTimeout per connection.
 */
import { startWheelDriver, TimerWheel } from './timer-wheel.ts'

export const wheel = new TimerWheel({ tickMs: 10 })

/** The wheel is one per process, and so must its driver be: a driver owns the wheel's wake-up
 *  hook, so a second one would steal it and stopping either would leave the wheel undriven. */
let driver: { stop(): void } | null = null
let holders = 0

/** Keeps the wheel driven (on the real clock) until the returned release is called; what holds
 *  it (engines, peers services; several in tests) shares one driver. Releasing twice is a no-op. */
export function holdWheelDriver(): () => void {
  if (holders++ === 0) driver = startWheelDriver(wheel)
  let held = true
  return () => {
    if (!held) return
    held = false
    if (--holders === 0) {
      driver?.stop()
      driver = null
    }
  }
}
