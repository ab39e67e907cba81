import { expect, test } from 'bun:test'
import { FreqCtr } from './freq-ctr.ts'

test('events of the current second count fully; those of the previous one fade as the second passes', () => {
  const f = new FreqCtr()
  for (let i = 0; i < 10; i++) f.add(1000 + i)
  expect(f.read(1500)).toBe(10)
  expect(f.read(2000)).toBe(10) // a new second: the previous one still counts whole
  expect(f.read(2500)).toBe(5)
  expect(f.read(2999)).toBe(0)
  f.add(2999)
  expect(f.read(2999)).toBe(1)
})

test('after more than two idle seconds the rate is 0', () => {
  const f = new FreqCtr()
  f.add(0)
  f.add(1)
  expect(f.read(5000)).toBe(0)
})

test('add returns the rate after the event', () => {
  const f = new FreqCtr()
  expect(f.add(10)).toBe(1)
  expect(f.add(20)).toBe(2)
})
