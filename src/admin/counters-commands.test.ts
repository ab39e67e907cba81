import { expect, test } from 'bun:test'
import { connectClient, startServer, startTcpApp } from '../../test/support/harness.ts'
import { CliSession } from './session.ts'
import type { CliLevel } from './types.ts'

const run = (lb: { engine: CliSession['ctx']['engine'] }, text: string, level: CliLevel = 'admin'): string => new CliSession({ engine: lb.engine, level }).input(text)

test('clear counters resets the maxima (operator); clear counters all resets everything (admin only)', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startTcpApp(srv.port)
  {
    using c = await connectClient(lb.port())
    await c.write('x')
    await c.waitText('x')
  }
  const s1 = lb.backend('app').servers[0]!
  await lb.waitLogs(1)
  expect([s1.counters.maxCur, s1.counters.total]).toEqual([1, 1])
  expect(run(lb, 'clear counters all\n', 'operator')).toBe('Permission denied\n\n')
  expect(run(lb, 'clear counters\n', 'operator')).toBe('\n')
  expect([s1.counters.maxCur, s1.counters.total, lb.frontend().counters.connMax, lb.frontend().counters.cumSess]).toEqual([0, 1, 0, 1])
  expect(run(lb, 'clear counters all\n')).toBe('\n')
  expect([s1.counters.total, s1.counters.bytesIn, lb.frontend().counters.cumSess, s1.counters.lastSess]).toEqual([0, 0, 0, -1])
})

test('set maxconn server changes the limit; shutdown sessions server kills its sessions', async () => {
  await using srv = startServer('s1', 'echo')
  await using lb = await startTcpApp(srv.port)
  expect(run(lb, 'set maxconn server app/s1 7\n')).toBe('\n')
  expect(lb.backend('app').servers[0]!.maxconn).toBe(7)
  expect(run(lb, 'set maxconn server app/s1 7x\n')).toBe('Trailing garbage in maxconn string\n')
  expect(run(lb, 'set maxconn server app/s1 7\n', 'operator')).toBe('Permission denied\n\n')
  using c = await connectClient(lb.port())
  await c.write('x')
  await c.waitText('x')
  expect(run(lb, 'shutdown sessions server app/s1\n')).toBe('\n')
  await c.waitClosed()
  const logs = await lb.waitLogs(1)
  expect(logs.at(-1)).toContain(' KD ')
})
