import { expect, test } from 'bun:test'
import { numberItems } from './ids.ts'

test('numbers: forced ids are kept, the others take the lowest free number in order', () => {
  expect(numberItems([undefined, undefined, undefined])).toEqual([1, 2, 3])
  expect(numberItems([undefined, 1, undefined])).toEqual([2, 1, 3])
  expect(numberItems([undefined, 7, undefined], 2)).toEqual([2, 7, 3])
  const clashes: [number, number][] = []
  numberItems([4, undefined, 4], 1, (i, j) => clashes.push([i, j]))
  expect(clashes).toEqual([[2, 0]])
})
