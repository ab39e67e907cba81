import { expect, test } from 'bun:test'
import { LocalCount, SharedCount, WakeSignal, type Count } from './shared-count.ts'

test.each([
  ['shared', (): Count => new SharedCount(new Int32Array(new SharedArrayBuffer(8)), 1)],
  ['local', (): Count => new LocalCount()],
])('take() takes a slot below the limit and refuses at it; 0 means no limit (%s)', (_kind, make) => {
  const c = make()
  expect(c.take(2)).toBe(1)
  expect(c.take(2)).toBe(2)
  expect(c.take(2)).toBe(-1)
  expect(c.value).toBe(2)
  expect(c.add(-1)).toBe(1)
  expect(c.take(0)).toBe(2)
})

test('two counts on one cell see each other (as two threads do)', () => {
  const cells = new Int32Array(new SharedArrayBuffer(4))
  const a = new SharedCount(cells, 0)
  const b = new SharedCount(cells, 0)
  expect(a.take(1)).toBe(1)
  expect(b.take(1)).toBe(-1)
  a.add(-1)
  expect(b.take(1)).toBe(1)
})

test('a wait armed before a signal returns once the signal comes; one armed after it returns at once', async () => {
  const w = new WakeSignal(new Int32Array(new SharedArrayBuffer(8)), 0)
  const seen = w.mark()
  let woke = false
  const waiting = w.wait(seen).then(() => { woke = true })
  await Promise.resolve()
  expect(woke).toBe(false)
  w.signal()
  await waiting
  expect(woke).toBe(true)
  // The sequence moved since `seen`: a late wait does not block.
  await w.wait(seen)
})

test('a signal between the retry and the wait is not lost', async () => {
  const w = new WakeSignal(new Int32Array(new SharedArrayBuffer(8)), 0)
  const seen = w.mark()
  // Another thread frees a slot after this one's retry failed and before it waits.
  w.signal()
  await w.wait(seen)
})
