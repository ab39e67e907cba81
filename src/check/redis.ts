/**
 * `option redis-check`: sends PING, expects `+PONG` (HAProxy's ruleset). Any other answer is a
 * wrong status (L7STS) whose first line becomes the info; up: "Redis server is ok".
 */
import type { CheckOutcome } from './status.ts'
import { firstLine } from './text.ts'
import type { CheckKind } from './types.ts'

const PING = Buffer.from('*1\r\n$4\r\nPING\r\n')
const PONG = Buffer.from('+PONG\r\n')
const UP: CheckOutcome = { status: 'L7OK', info: 'Redis server is ok' }

/** Reads the answer to PING (CheckRun.expect's test). */
function pingAnswer(buf: Buffer, last: boolean): CheckOutcome | boolean {
  if (!last && buf.length < PONG.length) return false
  if (buf.indexOf(PONG) >= 0) return true
  return { status: 'L7STS', info: firstLine(buf) }
}

export const redisCheck: CheckKind = {
  name: 'redis',
  async run(t) {
    const c = await t.connect()
    c.send(PING)
    await t.expect(c, pingAnswer)
    return UP
  },
}
