/**
 * The process's timer wheel: every session deadline lives here, driven by one runtime timer
 * (started by the engine), never a setTimeout per connection.
 */
import { TimerWheel } from './timer-wheel.ts'

export const wheel = new TimerWheel({ tickMs: 10 })
