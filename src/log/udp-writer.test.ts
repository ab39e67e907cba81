import { expect, test } from 'bun:test'
import dgram from 'node:dgram'
import { MAX_IN_FLIGHT, UdpWriter } from './udp-writer.ts'

/** A syslog receiver on 127.0.0.1, port 0. */
async function receiver(): Promise<{ port: number; got: string[]; until(n: number): Promise<void>; close(): void }> {
  const sock = dgram.createSocket('udp4')
  const got: string[] = []
  let wake = (): void => {}
  sock.on('message', (m) => { got.push(m.toString()); wake() })
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()))
  return {
    port: sock.address().port,
    got,
    until(n) {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${n} datagrams, have ${JSON.stringify(got)}`)), 5000)
        wake = () => { if (got.length >= n) { clearTimeout(t); resolve() } }
        wake()
      })
    },
    close: () => sock.close(),
  }
}

test('one datagram per line, ending with a line feed, cut to len', async () => {
  const rx = await receiver()
  const w = new UdpWriter({ family: 4, host: '127.0.0.1', port: rx.port })
  try {
    w.write('<134>first', 1024)
    w.write('<134>' + 'x'.repeat(100), 80)
    await rx.until(2)
    expect(rx.got).toEqual(['<134>first\n', '<134>' + 'x'.repeat(74) + '\n'])
    expect(w.sent).toBe(2)
  } finally {
    w.close()
    rx.close()
  }
})

test('a host name is resolved once; until then, and after, lines still go', async () => {
  const rx = await receiver()
  const w = new UdpWriter({ family: 0, host: 'localhost', port: rx.port })
  try {
    w.write('a', 1024)
    await rx.until(1)
    w.write('b', 1024)
    await rx.until(2)
    expect(rx.got).toEqual(['a\n', 'b\n'])
  } finally {
    w.close()
    rx.close()
  }
})

test('sending never throws: lines beyond what is in flight, and after close, are dropped and counted', async () => {
  const rx = await receiver()
  const w = new UdpWriter({ family: 4, host: '127.0.0.1', port: rx.port })
  try {
    // Sends complete after this turn of the event loop, so the datagrams of one turn are all in
    // flight together: those over the limit are dropped.
    for (let i = 0; i < MAX_IN_FLIGHT + 10; i++) w.write(`line ${i}`, 1024)
    expect(w.dropped).toBe(10)
    await rx.until(1)
    w.close()
    w.write('after close', 1024)
    expect(w.dropped).toBe(11)
  } finally {
    w.close()
    rx.close()
  }
})
