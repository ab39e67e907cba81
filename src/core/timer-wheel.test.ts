import { describe, expect, test } from 'bun:test'
import { now } from './clock.ts'
import { Timer, TimerWheel, startWheelDriver } from './timer-wheel.ts'

/** A timer that records the `now` it fired at (passed through `clock.t`). */
function recorder(clock: { t: number }, log: number[]): Timer {
  return new Timer(() => log.push(clock.t))
}

/** Advances `wheel` from `clock.t` to `to` in steps of `step`, like a driver does. */
function run(wheel: TimerWheel, clock: { t: number }, to: number, step: number): number {
  let fired = 0
  while (clock.t < to) {
    clock.t = Math.min(clock.t + step, to)
    fired += wheel.advance(clock.t)
  }
  return fired
}

describe('TimerWheel', () => {
  test('rejects a slot count that is not a power of two, and a bad tick', () => {
    expect(() => new TimerWheel({ slots: 3 })).toThrow(RangeError)
    expect(() => new TimerWheel({ tickMs: 0 })).toThrow(RangeError)
    expect(() => new TimerWheel({ start: 0 }).schedule(new Timer(() => {}), NaN)).toThrow(RangeError)
  })

  test('fires timers in exp order, including several in one tick', () => {
    const wheel = new TimerWheel({ start: 0 })
    const order: number[] = []
    for (const exp of [35, 5, 25, 15, 17, 12, 19.5, 11]) {
      wheel.schedule(new Timer(() => order.push(exp)), exp)
    }
    expect(wheel.size).toBe(8)
    expect(wheel.advance(100)).toBe(8)
    expect(order).toEqual([5, 11, 12, 15, 17, 19.5, 25, 35])
    expect(wheel.size).toBe(0)
  })

  test('never fires before exp, even within the same tick', () => {
    const wheel = new TimerWheel({ start: 0 })
    const clock = { t: 0 }
    const log: number[] = []
    const t = recorder(clock, log)
    wheel.schedule(t, 13)
    expect(wheel.advance(12.999)).toBe(0)
    expect(t.scheduled).toBe(true)
    expect(t.exp).toBe(13)
    expect(wheel.advance(13)).toBe(1)
    expect(t.scheduled).toBe(false)
    expect(t.exp).toBe(Infinity)
    expect(wheel.advance(1000)).toBe(0)
  })

  test('fires exactly the timers with exp <= now, leaving the rest of the tick', () => {
    const wheel = new TimerWheel({ start: 0 })
    const fired: number[] = []
    for (const exp of [21, 23, 25, 27]) wheel.schedule(new Timer(() => fired.push(exp)), exp)
    expect(wheel.advance(24)).toBe(2)
    expect(fired).toEqual([21, 23])
    expect(wheel.nextExpiry()).toBe(25)
    expect(wheel.advance(27)).toBe(2)
    expect(fired).toEqual([21, 23, 25, 27])
  })

  test('cancel stops a timer; cancelling twice or an idle timer is harmless', () => {
    const wheel = new TimerWheel({ start: 0 })
    let fired = 0
    const t = new Timer(() => fired++)
    wheel.cancel(t)
    wheel.schedule(t, 50)
    expect(wheel.size).toBe(1)
    wheel.cancel(t)
    wheel.cancel(t)
    expect(wheel.size).toBe(0)
    expect(t.scheduled).toBe(false)
    expect(t.exp).toBe(Infinity)
    expect(wheel.advance(1000)).toBe(0)
    expect(fired).toBe(0)
  })

  test('Infinity means never: the timer is not in the wheel', () => {
    const wheel = new TimerWheel({ start: 0 })
    let fired = 0
    const t = new Timer(() => fired++)
    wheel.schedule(t, Infinity)
    expect(wheel.size).toBe(0)
    expect(wheel.nextExpiry()).toBe(Infinity)
    wheel.schedule(t, 40)
    wheel.schedule(t, Infinity)
    expect(wheel.size).toBe(0)
    expect(t.scheduled).toBe(false)
    expect(wheel.advance(1e12)).toBe(0)
    expect(fired).toBe(0)
  })

  test('rescheduling later does not move the timer, and it still fires at the later time', () => {
    const wheel = new TimerWheel({ start: 0, slots: 64 })
    const clock = { t: 0 }
    const log: number[] = []
    const t = recorder(clock, log)
    wheel.schedule(t, 50)
    expect(t._tick).toBe(5)
    for (let exp = 60; exp <= 500; exp += 10) wheel.schedule(t, exp)
    expect(t._tick).toBe(5) // still filed where it was first put
    expect(t.exp).toBe(500)
    expect(wheel.nextExpiry()).toBe(500)
    expect(run(wheel, clock, 60, 10)).toBe(0)
    expect(t._tick).toBe(50) // moved once, when its old slot came round
    expect(run(wheel, clock, 490, 10)).toBe(0)
    expect(run(wheel, clock, 600, 10)).toBe(1)
    expect(log).toEqual([500])
  })

  test('rescheduling earlier moves the timer and it fires at the earlier time', () => {
    const wheel = new TimerWheel({ start: 0, slots: 64 })
    const clock = { t: 0 }
    const log: number[] = []
    const t = recorder(clock, log)
    wheel.schedule(t, 500)
    wheel.schedule(t, 45)
    expect(t._tick).toBe(4)
    expect(wheel.size).toBe(1)
    expect(run(wheel, clock, 1000, 5)).toBe(1)
    expect(log).toEqual([45])
  })

  test('a timer rescheduled earlier within the postponed window keeps exp order', () => {
    const wheel = new TimerWheel({ start: 0 })
    const order: string[] = []
    const a = new Timer(() => order.push('a'))
    const b = new Timer(() => order.push('b'))
    wheel.schedule(a, 30)
    wheel.schedule(b, 35)
    wheel.schedule(a, 39) // later, same tick: not moved
    expect(wheel.advance(40)).toBe(2)
    expect(order).toEqual(['b', 'a'])
  })

  test('wraps around many revolutions of a small wheel, each timer within one tick of exp', () => {
    const wheel = new TimerWheel({ start: 0, slots: 8, tickMs: 10 }) // one revolution = 80 ms
    const clock = { t: 0 }
    const lateness: number[] = []
    const exps: number[] = []
    for (let i = 0; i < 200; i++) {
      const exp = i * 317 + 3
      exps.push(exp)
      wheel.schedule(new Timer(() => lateness.push(clock.t - exp)), exp)
    }
    expect(run(wheel, clock, 200 * 317 + 100, 10)).toBe(200)
    expect(lateness.length).toBe(200)
    for (const l of lateness) {
      expect(l).toBeGreaterThanOrEqual(0)
      expect(l).toBeLessThan(10)
    }
  })

  test('far-future timers fire once, at their time, by small steps or after a long gap', () => {
    const wheel = new TimerWheel({ start: 0, slots: 16 })
    const clock = { t: 0 }
    const log: number[] = []
    const far = recorder(clock, log)
    const farther = recorder(clock, log)
    wheel.schedule(far, 3_600_000) // an hour: thousands of revolutions
    wheel.schedule(farther, 86_400_000)
    expect(wheel.advance(3_599_999)).toBe(0) // one jump over many revolutions
    clock.t = 3_599_999
    expect(wheel.size).toBe(2)
    expect(run(wheel, clock, 3_600_100, 10)).toBe(1)
    expect(log).toEqual([3_600_009])
    expect(wheel.nextExpiry()).toBeLessThanOrEqual(86_400_000)
    expect(wheel.advance(86_399_999.5)).toBe(0)
    expect(wheel.advance(86_400_000)).toBe(1)
    expect(wheel.size).toBe(0)
  })

  test('after a long gap, timers fire in exp order in one advance', () => {
    const wheel = new TimerWheel({ start: 0, slots: 8 })
    const order: number[] = []
    const exps = [700, 5, 333, 81, 1000, 80, 79, 2]
    for (const exp of exps) wheel.schedule(new Timer(() => order.push(exp)), exp)
    expect(wheel.advance(5000)).toBe(exps.length)
    expect(order).toEqual([...exps].sort((a, b) => a - b))
  })

  test('a callback that reschedules itself runs periodically', () => {
    const wheel = new TimerWheel({ start: 0 })
    const clock = { t: 0 }
    const at: number[] = []
    const t = new Timer((self) => {
      at.push(clock.t)
      wheel.schedule(self, clock.t + 25)
    })
    wheel.schedule(t, 25)
    expect(run(wheel, clock, 1000, 5)).toBe(40)
    expect(at.slice(0, 4)).toEqual([25, 50, 75, 100])
  })

  test('a callback rescheduling itself into the past fires on the next advance, not in a loop', () => {
    const wheel = new TimerWheel({ start: 0 })
    let fired = 0
    const t = new Timer((self) => {
      fired++
      wheel.schedule(self, 0)
    })
    wheel.schedule(t, 10)
    expect(wheel.advance(10)).toBe(1)
    expect(wheel.advance(10)).toBe(1)
    expect(wheel.advance(11)).toBe(1)
    expect(fired).toBe(3)
    wheel.cancel(t)
    expect(wheel.advance(12)).toBe(0)
  })

  test('callbacks may cancel, reschedule and create others during advance', () => {
    const wheel = new TimerWheel({ start: 0 })
    const order: string[] = []
    const b = new Timer(() => order.push('b'))
    const c = new Timer(() => order.push('c'))
    const d = new Timer(() => order.push('d'))
    const a = new Timer(() => {
      order.push('a')
      wheel.cancel(b) // due in the same tick, already collected: must not fire
      wheel.schedule(c, 500) // was due at 12: pushed out of this advance
      wheel.schedule(d, 55) // new, due before `now`: fires in this same advance
    })
    wheel.schedule(a, 10)
    wheel.schedule(b, 11)
    wheel.schedule(c, 12)
    expect(wheel.advance(100)).toBe(2)
    expect(order).toEqual(['a', 'd'])
    expect(wheel.size).toBe(1)
    expect(wheel.advance(500)).toBe(1)
    expect(order).toEqual(['a', 'd', 'c'])
  })

  test('a throwing callback does not stop the others and its error surfaces', () => {
    const wheel = new TimerWheel({ start: 0 })
    const order: string[] = []
    wheel.schedule(new Timer(() => { throw new Error('boom') }), 10)
    wheel.schedule(new Timer(() => order.push('after')), 11)
    wheel.schedule(new Timer(() => order.push('later')), 50)
    expect(() => wheel.advance(20)).toThrow('boom')
    expect(order).toEqual(['after'])
    expect(wheel.advance(60)).toBe(1)
    expect(order).toEqual(['after', 'later'])
  })

  test('advance from inside a callback is refused', () => {
    const wheel = new TimerWheel({ start: 0 })
    let caught: unknown
    wheel.schedule(new Timer(() => {
      try { wheel.advance(100) } catch (e) { caught = e }
    }), 5)
    wheel.advance(10)
    expect(caught).toBeInstanceOf(Error)
  })

  test('nextExpiry is the earliest exp, or a lower bound for timers beyond a revolution', () => {
    const wheel = new TimerWheel({ start: 0, slots: 16 })
    expect(wheel.nextExpiry()).toBe(Infinity)
    const t1 = new Timer(() => {})
    const t2 = new Timer(() => {})
    wheel.schedule(t1, 95)
    wheel.schedule(t2, 42.5)
    expect(wheel.nextExpiry()).toBe(42.5)
    wheel.schedule(t2, 120) // postponed, still filed at tick 4
    expect(wheel.nextExpiry()).toBe(95)
    wheel.cancel(t1)
    expect(wheel.nextExpiry()).toBe(120)
    wheel.schedule(t2, 100_000)
    const bound = wheel.nextExpiry()
    expect(bound).toBeLessThanOrEqual(100_000)
    expect(bound).toBeGreaterThan(0)
  })

  test('100k timers with random expiries, half rescheduled, all fire in exp order within a tick', () => {
    const wheel = new TimerWheel({ start: 0 }) // 41 s revolution; expiries span ~5 revolutions
    const clock = { t: 0 }
    const n = 100_000
    let seed = 12345
    const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32)
    const firedExp = new Float64Array(n)
    const firedAt = new Float64Array(n)
    let count = 0
    const fn = (t: Timer): void => {
      firedExp[count] = expOf.get(t) ?? NaN
      firedAt[count] = clock.t
      count++
    }
    const expOf = new Map<Timer, number>()
    const timers: Timer[] = []
    for (let i = 0; i < n; i++) {
      const t = new Timer(fn)
      const exp = rnd() * 200_000
      wheel.schedule(t, exp)
      expOf.set(t, exp)
      timers.push(t)
    }
    for (let i = 0; i < n; i += 2) {
      const exp = rnd() * 200_000 // later or earlier
      wheel.schedule(timers[i], exp)
      expOf.set(timers[i], exp)
    }
    expect(wheel.size).toBe(n)
    expect(run(wheel, clock, 200_010, 10)).toBe(n)
    expect(count).toBe(n)
    let prev = -Infinity
    let maxLate = 0
    for (let i = 0; i < n; i++) {
      if (firedExp[i] < prev) throw new Error(`out of order at ${i}: ${firedExp[i]} after ${prev}`)
      prev = firedExp[i]
      const late = firedAt[i] - firedExp[i]
      if (late < 0) throw new Error(`fired ${-late} ms early`)
      if (late > maxLate) maxLate = late
    }
    expect(maxLate).toBeLessThan(10)
    expect(wheel.size).toBe(0)
  })
})

describe('startWheelDriver', () => {
  test('fires a timer on the real clock, about on time', async () => {
    const wheel = new TimerWheel()
    const driver = startWheelDriver(wheel)
    try {
      const start = now()
      const firedAt = await new Promise<number>((resolve) => {
        wheel.schedule(new Timer(() => resolve(now())), start + 30)
      })
      expect(firedAt - start).toBeGreaterThanOrEqual(30)
      expect(firedAt - start).toBeLessThan(60)
    } finally {
      driver.stop()
    }
  })

  test('wakes up earlier when a timer is scheduled before the one it sleeps for', async () => {
    const wheel = new TimerWheel()
    const driver = startWheelDriver(wheel)
    const late = new Timer(() => {})
    try {
      wheel.schedule(late, now() + 10_000)
      const start = now()
      const firedAt = await new Promise<number>((resolve) => {
        wheel.schedule(new Timer(() => resolve(now())), start + 20)
      })
      expect(firedAt - start).toBeGreaterThanOrEqual(20)
      expect(firedAt - start).toBeLessThan(50)
      expect(late.scheduled).toBe(true)
    } finally {
      wheel.cancel(late)
      driver.stop()
    }
  })

  test('keeps firing timers that callbacks schedule, then goes idle', async () => {
    const wheel = new TimerWheel()
    const driver = startWheelDriver(wheel)
    try {
      const times = await new Promise<number[]>((resolve) => {
        const at: number[] = []
        const t = new Timer((self) => {
          at.push(now())
          if (at.length === 4) resolve(at)
          else wheel.schedule(self, now() + 5)
        })
        wheel.schedule(t, now() + 5)
      })
      expect(times.length).toBe(4)
      expect(times[3] - times[0]).toBeLessThan(80)
      expect(wheel.size).toBe(0)
      expect(wheel.nextExpiry()).toBe(Infinity)
    } finally {
      driver.stop()
    }
  })

  test('stop() stops firing', async () => {
    const wheel = new TimerWheel()
    const driver = startWheelDriver(wheel)
    driver.stop()
    let fired = false
    wheel.schedule(new Timer(() => { fired = true }), now() + 1)
    // Nothing to wait on when nothing must happen: give it a bounded 30 ms.
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(fired).toBe(false)
  })
})
