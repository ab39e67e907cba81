// Timer wheel vs a binary heap (the usual priority-queue timer), on the operations a proxy does:
// one timer per session, rescheduled later on nearly every read/write, rarely expiring.
//   ./node_modules/.bin/bun bench/timer-wheel.ts [count...]
import { now } from '../src/core/clock.ts'
import { Timer, TimerWheel } from '../src/core/timer-wheel.ts'

/** Baseline: an indexed binary min-heap; every reschedule is a sift, O(log n). */
class HeapTimer {
  exp = Infinity
  idx = -1
  constructor(readonly fn: (t: HeapTimer) => void) {}
}

class TimerHeap {
  #a: HeapTimer[] = []

  get size(): number {
    return this.#a.length
  }

  schedule(t: HeapTimer, exp: number): void {
    if (exp === Infinity) return this.cancel(t)
    if (t.idx < 0) {
      t.exp = exp
      t.idx = this.#a.length
      this.#a.push(t)
      this.#up(t.idx)
    } else {
      const old = t.exp
      t.exp = exp
      if (exp < old) this.#up(t.idx)
      else this.#down(t.idx)
    }
  }

  cancel(t: HeapTimer): void {
    if (t.idx < 0) return
    const a = this.#a
    const i = t.idx
    const last = a.pop() as HeapTimer
    t.idx = -1
    t.exp = Infinity
    if (last !== t) {
      a[i] = last
      last.idx = i
      this.#up(i)
      this.#down(last.idx)
    }
  }

  advance(now: number): number {
    const a = this.#a
    let n = 0
    while (a.length > 0 && a[0].exp <= now) {
      const t = a[0]
      this.cancel(t)
      t.fn(t)
      n++
    }
    return n
  }

  #up(i: number): void {
    const a = this.#a
    const t = a[i]
    while (i > 0) {
      const p = (i - 1) >> 1
      if (a[p].exp <= t.exp) break
      a[i] = a[p]
      a[i].idx = i
      i = p
    }
    a[i] = t
    t.idx = i
  }

  #down(i: number): void {
    const a = this.#a
    const n = a.length
    const t = a[i]
    for (;;) {
      let c = 2 * i + 1
      if (c >= n) break
      if (c + 1 < n && a[c + 1].exp < a[c].exp) c++
      if (a[c].exp >= t.exp) break
      a[i] = a[c]
      a[i].idx = i
      i = c
    }
    a[i] = t
    t.idx = i
  }
}

interface Queue<T> {
  schedule(t: T, exp: number): void
  cancel(t: T): void
  advance(now: number): number
}

interface Impl<T> {
  name: string
  make(): Queue<T>
  timer(fn: () => void): T
}

const wheelImpl: Impl<Timer> = {
  name: 'wheel',
  make: () => new TimerWheel({ start: 0 }),
  timer: (fn) => new Timer(fn),
}
const heapImpl: Impl<HeapTimer> = {
  name: 'heap',
  make: () => new TimerHeap(),
  timer: (fn) => new HeapTimer(fn),
}

// Deterministic spread of expiries over 0..30 s, like session timeouts started at random times.
function spread(n: number): Float64Array {
  const e = new Float64Array(n)
  let seed = 42
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    e[i] = (seed / 2 ** 32) * 30_000
  }
  return e
}

function opsPerSec(ops: number, ms: number): string {
  const v = ops / (ms / 1000)
  return v >= 1e6 ? `${(v / 1e6).toFixed(1)} M/s` : `${(v / 1e3).toFixed(0)} k/s`
}

function bench<T>(impl: Impl<T>, n: number): Record<string, string> {
  const exps = spread(n)
  let fired = 0
  const fn = (): void => {
    fired++
  }
  const timers: T[] = []
  for (let i = 0; i < n; i++) timers.push(impl.timer(fn))
  const out: Record<string, string> = {}
  const q = impl.make()

  let t0 = now()
  for (let i = 0; i < n; i++) q.schedule(timers[i], exps[i])
  out.schedule = opsPerSec(n, now() - t0)

  // The common case: activity on a session pushes its deadline to now + timeout, 4 times over.
  t0 = now()
  for (let round = 1; round <= 4; round++) {
    for (let i = 0; i < n; i++) q.schedule(timers[i], exps[i] + round * 30_000)
  }
  out['reschedule-later'] = opsPerSec(4 * n, now() - t0)

  // E.g. a shorter phase timeout replacing a long one: must move the timer.
  t0 = now()
  for (let i = 0; i < n; i++) q.schedule(timers[i], exps[i] * 0.5)
  out['reschedule-earlier'] = opsPerSec(n, now() - t0)

  t0 = now()
  for (let i = 0; i < n; i++) q.cancel(timers[i])
  out.cancel = opsPerSec(n, now() - t0)

  // Everything expires: schedule all, then advance 10 ms at a time to the end.
  const q2 = impl.make()
  for (let i = 0; i < n; i++) q2.schedule(timers[i], exps[i])
  fired = 0
  t0 = now()
  for (let t = 10; t <= 30_010; t += 10) q2.advance(t)
  out.advance = opsPerSec(fired, now() - t0)
  if (fired !== n) throw new Error(`${impl.name}: fired ${fired} of ${n}`)
  return out
}

const counts = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [100_000, 1_000_000]
const ops = ['schedule', 'reschedule-later', 'reschedule-earlier', 'cancel', 'advance']
for (const n of counts) {
  for (let i = 0; i < 3; i++) {
    bench(wheelImpl, Math.min(n, 100_000)) // warm-up: let the JIT settle
    bench(heapImpl, Math.min(n, 100_000))
  }
  const w = bench(wheelImpl, n)
  const h = bench(heapImpl, n)
  console.log(`\n${n.toLocaleString('en')} timers          wheel        heap`)
  for (const op of ops) console.log(`  ${op.padEnd(20)} ${w[op].padStart(10)}  ${h[op].padStart(10)}`)
}
