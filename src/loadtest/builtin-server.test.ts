/**
 * The two built-in backends (`edgelb serve`, the backends of `edgelb bench`), one suite: a raw
 * client on port 0 against serveHttp and serveTcp, as a load generator or `nc` meets them.
 */
import { describe, expect, test } from 'bun:test'
import { connect, type Sock } from '../net/runtime.ts'
import { serveHttp, type BuiltinServer, type ServerOptions } from './http-server.ts'
import { serveTcp } from './tcp-server.ts'

const LOCAL = { kind: 'tcp', host: '127.0.0.1', port: 0 } as const

/** What one raw connection received, and whether the server closed it. */
class Client {
  sock: Sock<Client> | null = null
  text = ''
  closed = false
  #waiters: (() => void)[] = []

  changed(): void {
    for (const w of this.#waiters.splice(0)) w()
  }

  /** Resolves once `ok()` holds; fails after `ms` saying what it waited for. */
  async until(ok: () => boolean, what: string, ms = 3000): Promise<void> {
    const deadline = performance.now() + ms
    while (!ok()) {
      const left = deadline - performance.now()
      if (left <= 0) throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(this.text)}`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.#waiters.push(() => { clearTimeout(t); resolve() })
      })
    }
  }

  write(text: string): void {
    this.sock!.write(new TextEncoder().encode(text))
  }

  [Symbol.dispose](): void {
    if (!this.closed) this.sock?.terminate()
  }
}

const clientHandlers = {
  open(s: Sock<Client>) { s.data.sock = s; s.data.changed() },
  data(s: Sock<Client>, chunk: Buffer) { s.data.text += chunk.toString('latin1'); s.data.changed() },
  drain() {},
  end(s: Sock<Client>) { s.end() },
  close(s: Sock<Client>) { s.data.closed = true; s.data.changed() },
}

async function client(server: BuiltinServer): Promise<Client> {
  const c = new Client()
  connect({ host: '127.0.0.1', port: server.port }, c, clientHandlers)
  await c.until(() => c.sock !== null, 'the connection')
  return c
}

function opts(extra: Partial<ServerOptions> = {}): ServerOptions {
  return { name: 'b1', status: 200, size: -1, delay: 0, ...extra }
}

function using(server: BuiltinServer): BuiltinServer & Disposable {
  return Object.assign(server, { [Symbol.dispose]: () => server.stop() })
}

/** The responses in `text`, as `STATUS BODY` (bodies by content-length). */
function answers(text: string): string[] {
  const out: string[] = []
  let i = 0
  while (i < text.length) {
    const end = text.indexOf('\r\n\r\n', i)
    if (end === -1) break
    const head = text.slice(i, end)
    const len = Number(/content-length: (\d+)/.exec(head)?.[1] ?? 0)
    out.push(`${head.slice(9, 12)} ${text.slice(end + 4, end + 4 + len)}`)
    i = end + 4 + len
  }
  return out
}

const GET = 'GET / HTTP/1.1\r\nhost: x\r\n\r\n'

describe('serveHttp', () => {
  test('keep-alive and pipelined requests are answered in order on one connection', async () => {
    using server = using(serveHttp(LOCAL, opts()))
    using c = await client(server)
    c.write(GET + 'GET /?r=503 HTTP/1.1\r\n\r\n' + GET)
    await c.until(() => answers(c.text).length === 3, 'three answers')
    expect(answers(c.text)).toEqual(['200 hello from b1\n', '503 hello from b1\n', '200 hello from b1\n'])
    expect(c.text).toContain('x-server: b1\r\n')
    expect(server.requests).toBe(3)
    expect(c.closed).toBe(false)
  })

  test('answers set by the query are kept apart by status, size and closing', async () => {
    using server = using(serveHttp(LOCAL, opts()))
    using c = await client(server)
    c.write('GET /?r=404 HTTP/1.1\r\n\r\nGET /?r=404&s=2 HTTP/1.1\r\n\r\nGET /?s=2 HTTP/1.1\r\n\r\nGET /?r=404 HTTP/1.1\r\nconnection: close\r\n\r\n')
    await c.until(() => c.closed, 'the close')
    expect(answers(c.text)).toEqual(['404 hello from b1\n', '404 he', '200 he', '404 hello from b1\n'])
    expect(c.text.split('connection: close\r\n').length).toBe(2)
  })

  test('HEAD gets the head alone; request bodies are read and dropped, in any split', async () => {
    using server = using(serveHttp(LOCAL, opts({ size: 5 })))
    using c = await client(server)
    c.write('HEAD / HTTP/1.1\r\n\r\nPOST / HTTP/1.1\r\ncontent-length: 4\r\n\r\nab')
    await c.until(() => c.text.includes('content-length: 5\r\n'), 'the HEAD answer')
    c.write('cdGET / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n')
    await c.until(() => server.requests === 3 && c.text.endsWith('\r\n\r\nhello'), 'three answers')
    expect(c.text.split('HTTP/1.1 200 OK').length).toBe(4)
    expect(c.text.split('\r\n\r\nhello').length).toBe(3)
  })

  test('Connection: close and HTTP/1.0 are answered, then the server closes', async () => {
    using server = using(serveHttp(LOCAL, opts()))
    using a = await client(server)
    a.write('GET / HTTP/1.1\r\nconnection: close\r\n\r\n' + GET)
    await a.until(() => a.closed, 'the close')
    expect(answers(a.text)).toEqual(['200 hello from b1\n'])
    expect(a.text).toContain('connection: close\r\n')
    using b = await client(server)
    b.write('GET / HTTP/1.0\r\n\r\n')
    await b.until(() => b.closed, 'the close')
    expect(answers(b.text)).toEqual(['200 hello from b1\n'])
    expect(server.requests).toBe(2)
  })

  test('answers larger than the kernel takes at once go out on drain, in order', async () => {
    using server = using(serveHttp(LOCAL, opts()))
    using c = await client(server)
    c.write('GET /?s=4m HTTP/1.1\r\n\r\nGET /?s=3m HTTP/1.1\r\nconnection: close\r\n\r\n')
    await c.until(() => c.closed, 'the close', 10_000)
    expect(answers(c.text).map((a) => a.length)).toEqual([4 + 4 * 1024 ** 2, 4 + 3 * 1024 ** 2])
  })

  test('a bad request is answered 400 and closed', async () => {
    using server = using(serveHttp(LOCAL, opts()))
    using c = await client(server)
    c.write('NOT HTTP\r\n\r\n')
    await c.until(() => c.closed, 'the close')
    expect(c.text.startsWith('HTTP/1.1 400 ')).toBe(true)
  })

  test('a delay holds the answer, and the requests behind it wait their turn', async () => {
    using server = using(serveHttp(LOCAL, opts()))
    using c = await client(server)
    const t0 = performance.now()
    c.write('GET /?t=60&s=3 HTTP/1.1\r\n\r\n' + GET)
    await c.until(() => answers(c.text).length === 2, 'two answers')
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55)
    expect(answers(c.text)).toEqual(['200 hel', '200 hello from b1\n'])
  })

  test('one connection, delays of different lengths one after another: each takes its own', async () => {
    using server = using(serveHttp(LOCAL, opts()))
    using c = await client(server)
    for (const [t, n] of [[30, 1], [60, 2], [60, 3], [30, 4]] as const) {
      const t0 = performance.now()
      c.write(`GET /?t=${t} HTTP/1.1\r\n\r\n`)
      await c.until(() => answers(c.text).length === n, `answer ${n}`)
      expect(performance.now() - t0).toBeGreaterThanOrEqual(t - 5)
    }
  })

  test('--delay sets every answer; delays on many connections each take their own time', async () => {
    using server = using(serveHttp(LOCAL, opts({ delay: 40 })))
    const clients = await Promise.all([1, 2, 3].map(() => client(server)))
    try {
      const t0 = performance.now()
      for (const c of clients) c.write(GET)
      await Promise.all(clients.map((c) => c.until(() => answers(c.text).length === 1, 'an answer')))
      expect(performance.now() - t0).toBeGreaterThanOrEqual(35)
      const t1 = performance.now()
      clients[0]!.write(GET)
      await clients[0]!.until(() => answers(clients[0]!.text).length === 2, 'a second answer')
      expect(performance.now() - t1).toBeGreaterThanOrEqual(35)
      expect(server.requests).toBe(4)
    } finally {
      for (const c of clients) c[Symbol.dispose]()
    }
  })

  test('stop() closes every connection, one waiting on a delay included, and answers nothing more', async () => {
    const server = serveHttp(LOCAL, opts({ delay: 50 }))
    using c = await client(server)
    c.write(GET)
    await Bun.sleep(5)
    server.stop()
    await c.until(() => c.closed, 'the close')
    await Bun.sleep(80)
    expect(c.text).toBe('')
  })
})

describe('serveTcp', () => {
  test('each line is answered, lines sent together by as many answers', async () => {
    using server = using(serveTcp(LOCAL, opts({ name: 't1' })))
    using c = await client(server)
    c.write('a\n')
    await c.until(() => c.text === 'hello from t1\n', 'one answer')
    c.write('b\nc\nd')
    await c.until(() => c.text === 'hello from t1\n'.repeat(3), 'three answers')
    c.write('\n')
    await c.until(() => c.text === 'hello from t1\n'.repeat(4), 'four answers')
    expect(server.requests).toBe(4)
  })

  test('--size sets the answer; after a half-close the owed answers go out, then the close', async () => {
    using server = using(serveTcp(LOCAL, opts({ size: 8 })))
    using c = await client(server)
    c.write('a\nb\n')
    c.sock!.shutdown()
    await c.until(() => c.closed, 'the close')
    expect(c.text).toBe('hello frhello fr')
  })

  test('answers larger than the kernel takes at once go out on drain', async () => {
    using server = using(serveTcp(LOCAL, opts({ size: 3 * 1024 ** 2 })))
    using c = await client(server)
    c.write('a\nb\n')
    await c.until(() => c.text.length >= 6 * 1024 ** 2, 'two answers', 10_000)
    c.write('c\n')
    await c.until(() => c.text.length >= 9 * 1024 ** 2, 'a third answer', 10_000)
    expect([c.text.length, server.requests]).toEqual([9 * 1024 ** 2, 3])
  })

  test('--delay holds each answer; lines arriving meanwhile are answered after it', async () => {
    using server = using(serveTcp(LOCAL, opts({ delay: 40 })))
    using c = await client(server)
    const t0 = performance.now()
    c.write('a\n')
    await Bun.sleep(5)
    c.write('b\n')
    await c.until(() => c.text === 'hello from b1\n'.repeat(2), 'two answers')
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35)
    expect(server.requests).toBe(2)
  })

  test('stop() closes a connection waiting on a delay, and answers nothing more', async () => {
    const server = serveTcp(LOCAL, opts({ delay: 50 }))
    using c = await client(server)
    c.write('a\n')
    await Bun.sleep(5)
    server.stop()
    await c.until(() => c.closed, 'the close')
    await Bun.sleep(80)
    expect(c.text).toBe('')
  })
})
