// The connection of a check: addresses TCP cannot reach fail at once with the system's reason.
import { expect, test } from 'bun:test'
import { CheckConn, notUnicast } from './conn.ts'
import { errnoText } from './status.ts'

test('broadcast and multicast addresses are not unicast; other addresses and names are', () => {
  expect(['255.255.255.255', '224.0.0.1', '239.255.255.250', 'ff02::1', 'FF05::2', '[ff02::1]'].filter(notUnicast)).toHaveLength(6)
  expect(['127.0.0.1', '10.0.0.255', '223.255.255.255', '240.0.0.1', '::1', 'fe80::1', 'localhost', 'ff.example.com'].filter(notUnicast)).toEqual([])
})

test('connecting to the limited broadcast fails at once: "Network is unreachable"', () => {
  const c = new CheckConn(1024)
  c.start({ host: '255.255.255.255', port: 11111 })
  expect(c.state).toBe('closed')
  expect(c.failedAtOnce).toBe(true)
  expect(errnoText(c.error)).toBe('Network is unreachable')
})

/** A node:net server that answers each connection with `first`, then, once the check has closed
 *  its side, writes `later` and reports whether that write (and the next) failed. */
async function laterWriter(first: string, later: string): Promise<{ port: number; result: Promise<string>; close(): void }> {
  const net = await import('node:net')
  let report: (r: string) => void = () => {}
  const result = new Promise<string>((r) => { report = r })
  const srv = net.createServer({ allowHalfOpen: true }, (sock) => {
    sock.on('error', (e: NodeJS.ErrnoException) => report(e.code ?? e.message))
    sock.write(first)
    setTimeout(() => {
      sock.write(later)
      setTimeout(() => sock.write(later, (e) => { if (!e) { report('ok'); sock.end() } }), 50)
    }, 100)
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  return { port: (srv.address() as { port: number }).port, result, close: () => srv.close() }
}

async function openAndClose(port: number, linger: boolean): Promise<void> {
  const c = new CheckConn(1024)
  c.linger = linger
  c.start({ host: '127.0.0.1', port })
  while (c.buf.length === 0) await c.wait()
  c.close()
}

test('close() resets by default; with linger it sends FIN and reads what still comes, so the server sees no reset', async () => {
  const lingering = await laterWriter('250-first\r\n', '250-more\r\n')
  await openAndClose(lingering.port, true)
  expect(await lingering.result).toBe('ok')
  lingering.close()
  const reset = await laterWriter('250-first\r\n', '250-more\r\n')
  await openAndClose(reset.port, false)
  expect(await reset.result).toMatch(/ECONNRESET|EPIPE/)
  reset.close()
})
