import { expect, test } from 'bun:test'
import { H2Connection, type H2ConnEvents } from './connection.ts'
import { DEFAULT_LIMITS } from './limits.ts'
import type { H2Stream, H2StreamEvents } from './stream.ts'

/** Two connections wired to each other in memory (bytes delivered in a microtask, as a socket
 *  would in a later event). */
function pair(serverEvents: Partial<H2ConnEvents>, limits = DEFAULT_LIMITS): { client: H2Connection; server: H2Connection; closed: string[] } {
  const closed: string[] = []
  let client!: H2Connection
  let server!: H2Connection
  const deliver = (to: () => H2Connection) => (b: Uint8Array) => { const copy = Buffer.from(b); queueMicrotask(() => to().feed(copy)); return b.length }
  server = new H2Connection({ role: 'server', limits, write: deliver(() => client), events: { onStream: () => {}, onClose: (c, r) => closed.push(`server ${c} ${r}`), ...serverEvents } })
  client = new H2Connection({ role: 'client', limits, write: deliver(() => server), events: { onStream: () => {}, onClose: (c, r) => closed.push(`client ${c} ${r}`) } })
  client.start()
  server.start()
  return { client, server, closed }
}

function collector(): H2StreamEvents & { data: number; ended: Promise<string[]>; heads: string[][] } {
  const { promise, resolve } = Promise.withResolvers<string[]>()
  const c = {
    data: 0,
    heads: [] as string[][],
    ended: promise,
    onHeaders(f: string[], end: boolean) { c.heads.push(f); if (end) resolve(f) },
    onData(chunk: Uint8Array, end: boolean) { c.data += chunk.length; if (end) resolve([]) },
    onReset(code: number) { resolve([`reset ${code}`]) },
    onWritable() {},
  }
  return c
}

test('a request body and a response larger than every window cross, with trailers', async () => {
  const up = collector()
  const { client, server } = pair({
    onStream(s: H2Stream) {
      s.events = up
      void up.ended.then(() => {
        server.sendHeaders(s, [':status', '200'], false)
        server.sendData(s, Buffer.alloc(300_000, 1), true, ['grpc-status', '0'])
      })
    },
  })
  await new Promise((r) => setTimeout(r, 0))
  const down = collector()
  const s = client.open([':method', 'POST', ':scheme', 'http', ':path', '/', ':authority', 'a'], false, down)
  client.sendData(s, Buffer.alloc(200_000, 2), true)
  expect(await up.ended).toEqual([])
  expect(up.data).toBe(200_000)
  expect(await down.ended).toEqual(['grpc-status', '0'])
  expect(down.data).toBe(300_000)
  expect(down.heads[0]).toEqual([':status', '200'])
  expect([client.active, server.active]).toEqual([0, 0])
})

test('graceful shutdown: GOAWAY, the stream in progress finishes, then both ends close', async () => {
  let srvStream: H2Stream | null = null
  const { client, server, closed } = pair({ onStream(s: H2Stream) { s.events = collector(); srvStream = s } })
  await new Promise((r) => setTimeout(r, 0))
  const down = collector()
  client.open([':method', 'GET', ':scheme', 'http', ':path', '/', ':authority', 'a'], true, down)
  await new Promise((r) => setTimeout(r, 0))
  server.shutdown()
  expect(server.state).toBe('draining')
  server.sendHeaders(srvStream!, [':status', '204'], true)
  await down.ended
  await new Promise((r) => setTimeout(r, 0))
  expect(closed).toContain('server 0 done')
})
