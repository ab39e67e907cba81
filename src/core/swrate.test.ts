import { expect, test } from 'bun:test'
import { swrateAdd, swrateAvg, TIME_SAMPLES } from './swrate.ts'

test('until the window is full the average is exact', () => {
  let sum = 0
  for (const [i, v] of [10, 20, 30].entries()) sum = swrateAdd(sum, i + 1, v)
  expect(swrateAvg(sum, 3)).toBe(20)
  expect(swrateAvg(0, 0)).toBe(0)
})

test('past the window each sample replaces one average', () => {
  let sum = 0
  let n = 0
  for (; n < TIME_SAMPLES; ) sum = swrateAdd(sum, ++n, 100)
  expect(swrateAvg(sum, n)).toBe(100)
  for (let i = 0; i < 20 * TIME_SAMPLES; i++) sum = swrateAdd(sum, ++n, 10)
  expect(swrateAvg(sum, n)).toBeLessThanOrEqual(11)
})
