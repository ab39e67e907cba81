import { expect, test } from 'bun:test'
import { clampLine, frameBytes } from './frame.ts'

test('a datagram is the line and a LF; over len, the line is cut to len - 1 bytes and the LF kept', () => {
  expect(frameBytes('hello', 80).toString()).toBe('hello\n')
  const long = 'x'.repeat(100)
  const f = frameBytes(long, 80)
  expect(f.length).toBe(80)
  expect(f.toString()).toBe('x'.repeat(79) + '\n')
  expect(frameBytes('x'.repeat(79), 80).toString()).toBe('x'.repeat(79) + '\n')
  expect(frameBytes('x'.repeat(80), 80).toString()).toBe('x'.repeat(79) + '\n')
})

test('lines for stdout are cut to a number of bytes, never in the middle of a character', () => {
  expect(clampLine('short', 79)).toBe('short')
  expect(clampLine('y'.repeat(200), 79)).toBe('y'.repeat(79))
  // 'é' is two bytes: 78 x's and half of it do not make a character
  expect(clampLine('x'.repeat(78) + 'é' + 'z'.repeat(50), 79)).toBe('x'.repeat(78))
  expect(clampLine('x'.repeat(77) + 'é' + 'z'.repeat(50), 79)).toBe('x'.repeat(77) + 'é')
})
