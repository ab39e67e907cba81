import { expect, test } from 'bun:test'
import { until } from '../../test/support/wait.ts'
import { LogOutputs } from './outputs.ts'

test('without unix datagram sockets (Deno), a unix target writes to stdout and stderr says why, once', () => {
  const out: string[] = []
  const err: string[] = []
  const o = new LogOutputs({ out: (l) => out.push(l), err: (l) => err.push(l) })
  o.writer({ kind: 'unix', path: '/dev/log' }).write('<134>a', 1024)
  o.writer({ kind: 'unix', path: '/run/other.sock' }).write('<134>b', 1024)
  expect(out).toEqual(['<134>a', '<134>b'])
  expect(err).toEqual(['edgelb: log /dev/log: this runtime cannot send to unix datagram sockets (run edgelb under Bun); the lines of unix socket log targets go to stdout'])
  o.close()
})

test('ring sections exist from the start, in declaration order, with their format (raw by default)', () => {
  const pos = { file: 'x.cfg', line: 1 }
  const o = new LogOutputs({ out: () => {}, err: () => {}, rings: [{ name: 'a', size: 100, servers: [], pos }, { name: 'b', size: 100, format: 'rfc5424', servers: [], pos }] })
  expect(o.ringNames()).toEqual(['a', 'b'])
  expect(o.formatOf({ kind: 'ring', name: 'a' })).toBe('raw')
  expect(o.formatOf({ kind: 'ring', name: 'b' })).toBe('rfc5424')
  expect(o.formatOf({ kind: 'stdout' })).toBeUndefined()
  o.writer({ kind: 'ring', name: 'a' }).write('hello', 1024)
  expect(o.ring('a')!.lines()).toEqual(['hello'])
  o.close()
})

test('a unix socket path too long for an address: said once, with the path, and its lines dropped', async () => {
  const err: string[] = []
  const { openUnixDgram } = await import('../net/bun-unix-dgram.ts')
  const o = new LogOutputs({ out: () => {}, err: (l) => err.push(l), openUnixDgram })
  const path = '/' + 'x'.repeat(120)
  const w = o.writer({ kind: 'unix', path })
  w.write('<134>a', 1024)
  await until(() => err.length > 0, 'the open to fail')
  w.write('<134>b', 1024)
  expect(err).toEqual([`edgelb: log ${path}: longer than a unix socket address may be (107 bytes); its log lines are dropped`])
  o.close()
})
