import { expect, test } from 'bun:test'
import { DEFAULT_RING_SIZE, Ring } from './ring.ts'

test('a ring holds the last lines up to its size (each line counts its bytes and one), the oldest going first', () => {
  const r = new Ring({ name: 'r', size: 20 })
  expect(r.size).toBe(20)
  r.write('aaaa', 1024)
  r.write('bbbb', 1024)
  r.write('cccc', 1024)
  expect(r.lines()).toEqual(['aaaa', 'bbbb', 'cccc'])
  expect([r.first, r.end]).toEqual([0, 3])
  r.write('dddddd', 1024)
  expect(r.lines()).toEqual(['bbbb', 'cccc', 'dddddd'])
  expect([r.first, r.end]).toEqual([1, 4])
  expect(r.at(3)).toBe('dddddd')
  r.write('x'.repeat(20), 1024)
  expect(r.dropped).toBe(1)
  expect(r.end).toBe(4)
})

test("lines are cut to the ring's maxlen and to the log line's len (less its line feed)", () => {
  const r = new Ring({ name: 'r', maxLen: 5 })
  expect(r.size).toBe(DEFAULT_RING_SIZE)
  r.write('123456789', 1024)
  r.write('123456789', 4)
  expect(r.lines()).toEqual(['12345', '123'])
})

test('readers are woken after each line, and closed with the ring', () => {
  const r = new Ring({ name: 'r' })
  let woken = 0
  let closed = false
  r.attach({ wake: () => { woken++ }, close: () => { closed = true } })
  r.write('a', 1024)
  r.write('b', 1024)
  r.close()
  expect([woken, closed]).toEqual([2, true])
})
