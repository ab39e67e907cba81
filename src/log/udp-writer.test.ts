import { expect, test } from 'bun:test'
import { until } from '../../test/support/wait.ts'
import { syslogReceiver } from '../../test/support/syslog-receiver.ts'
import { MAX_IN_FLIGHT, UdpWriter } from './udp-writer.ts'

/** A writer closed at the end of the test's scope. */
function writer(...args: ConstructorParameters<typeof UdpWriter>): UdpWriter & Disposable {
  const w = new UdpWriter(...args) as UdpWriter & Disposable
  w[Symbol.dispose] = () => w.close()
  return w
}

test('one datagram per line, ending with a line feed, cut to len', async () => {
  await using rx = await syslogReceiver()
  using w = writer({ family: 4, host: '127.0.0.1', port: rx.port })
  w.write('<134>first', 1024)
  w.write('<134>' + 'x'.repeat(100), 80)
  expect(await rx.waitFrames(2)).toEqual(['<134>first\n', '<134>' + 'x'.repeat(74) + '\n'])
  expect(w.sent).toBe(2)
})

test('a host name is resolved once; until then, and after, lines still go', async () => {
  await using rx = await syslogReceiver()
  using w = writer({ family: 0, host: 'localhost', port: rx.port })
  w.write('a', 1024)
  await rx.waitFrames(1)
  w.write('b', 1024)
  expect(await rx.waitFrames(2)).toEqual(['a\n', 'b\n'])
})

test('sending never throws: lines beyond what is in flight, and after close, are dropped and counted', async () => {
  await using rx = await syslogReceiver()
  using w = writer({ family: 4, host: '127.0.0.1', port: rx.port })
  // Sends complete after this turn of the event loop, so the datagrams of one turn are all in
  // flight together: those over the limit are dropped.
  for (let i = 0; i < MAX_IN_FLIGHT + 10; i++) w.write(`line ${i}`, 1024)
  expect(w.dropped).toBe(10)
  await rx.waitFrames(1)
  w.close()
  w.write('after close', 1024)
  expect(w.dropped).toBe(11)
})

test('a host name that does not resolve is said once, and its lines are dropped from then on, not resolved again', async () => {
  const said: string[] = []
  using w = writer({ family: 0, host: 'no-such-host.invalid', port: 514 }, (m) => said.push(m))
  await until(() => said.length > 0, 'the lookup to fail')
  expect(said).toHaveLength(1)
  expect(said[0]).toMatch(/^syslog server no-such-host\.invalid:514: cannot resolve 'no-such-host\.invalid' \([A-Z_]+\); its log lines are dropped$/)
  const errors = w.errors
  w.write('lost', 1024)
  expect(w.dropped).toBe(1)
  expect(w.errors).toBe(errors)
})
