import { expect, test } from 'bun:test'
import { formatLogDate, formatLogDateGmt } from './date.ts'

test('log dates: local with milliseconds (the second cached, the milliseconds not), GMT with its zone (the second cached too)', () => {
  const t = new Date(2026, 10, 21, 2, 13, 1, 5).getTime()
  expect(formatLogDate(t)).toBe('21/Nov/2026:02:13:01.005')
  expect(formatLogDate(t + 118)).toBe('21/Nov/2026:02:13:01.123')
  expect(formatLogDate(t + 1000)).toBe('21/Nov/2026:02:13:02.005')
  expect(formatLogDateGmt(Date.UTC(2024, 0, 2, 3, 4, 5))).toBe('02/Jan/2024:03:04:05 +0000')
  expect(formatLogDateGmt(Date.UTC(2024, 0, 2, 3, 4, 5, 999))).toBe('02/Jan/2024:03:04:05 +0000')
  expect(formatLogDateGmt(Date.UTC(2024, 0, 2, 3, 4, 6))).toBe('02/Jan/2024:03:04:06 +0000')
})
