/**
 * HTTP/2 at the frame level: a raw socket client that writes frames by hand, for each error case
 * and abuse the protocol layer must catch (RFC 9113's connection and stream errors, rapid reset,
 * CONTINUATION floods, HPACK bombs, SETTINGS floods), and for the graceful GOAWAY of a soft stop.
 * Each abusive connection is closed; a well-behaved one beside it is served.
 */
import { expect, test } from 'bun:test'
import http2 from 'node:http2'
import {
  CONTINUATION, DATA, ENHANCE_YOUR_CALM, FLAG_END_HEADERS, FLAG_END_STREAM, FRAME_SIZE_ERROR, GOAWAY, HEADERS, PING,
  PREFACE, PROTOCOL_ERROR, REFUSED_STREAM, RST_STREAM, SETTINGS, CANCEL, COMPRESSION_ERROR, FLOW_CONTROL_ERROR,
  WINDOW_UPDATE, frame, headerFrames,
} from '../../src/http2/frames.ts'
import { HpackEncoder } from '../../src/http2/hpack.ts'
import { Generations } from '../../src/proxy/generations.ts'
import { ListenerSet } from '../../src/proxy/listeners.ts'
import { buildRuntime } from '../../src/proxy/runtime.ts'
import { cfg, parseConfig, Signal, startLb, within } from '../support/harness.ts'

interface Frame { type: number; flags: number; id: number; payload: Buffer }

/** A raw HTTP/2 client: what it sent is its own business; it collects every frame it receives. */
class RawH2 {
  readonly frames: Frame[] = []
  readonly changed = new Signal()
  closed = false
  #buf = Buffer.alloc(0)
  sock!: import('bun').Socket<undefined>
  readonly enc = new HpackEncoder()

  static async open(port: number): Promise<RawH2> {
    const c = new RawH2()
    c.sock = await Bun.connect({
      hostname: '127.0.0.1',
      port,
      socket: {
        data: (_s, d) => c.#onData(d),
        close: () => { c.closed = true; c.changed.notify() },
        error: () => {},
      },
    })
    c.sock.write(Buffer.concat([PREFACE, frame(SETTINGS, 0, 0)]))
    return c
  }

  #onData(d: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, d])
    while (this.#buf.length >= 9) {
      const len = this.#buf.readUIntBE(0, 3)
      if (this.#buf.length < 9 + len) break
      this.frames.push({ type: this.#buf[3]!, flags: this.#buf[4]!, id: this.#buf.readUInt32BE(5) & 0x7fffffff, payload: this.#buf.subarray(9, 9 + len) })
      this.#buf = this.#buf.subarray(9 + len)
    }
    this.changed.notify()
  }

  send(...frames: Buffer[]): void {
    this.sock.write(Buffer.concat(frames))
  }

  /** A request's HEADERS on stream `id`. */
  request(id: number, path = '/', end = true): Buffer {
    return headerFrames(id, this.enc.encode([':method', 'GET', ':scheme', 'http', ':authority', 'x', ':path', path]), end, 16384)
  }

  async until(check: (f: Frame[]) => boolean, what: string): Promise<void> {
    await this.changed.until(() => check(this.frames) || this.closed, what, 5000)
  }

  /** The GOAWAY received (its error code), once it came. */
  async goaway(): Promise<number> {
    await this.until((f) => f.some((x) => x.type === GOAWAY), 'GOAWAY')
    const g = this.frames.find((x) => x.type === GOAWAY)
    if (g === undefined) throw new Error(`closed without GOAWAY; frames: ${this.frames.map((f) => f.type).join(',')}`)
    return g.payload.readUInt32BE(4)
  }

  async rst(id: number): Promise<number> {
    await this.until((f) => f.some((x) => x.type === RST_STREAM && x.id === id), `RST_STREAM on ${id}`)
    return this.frames.find((x) => x.type === RST_STREAM && x.id === id)!.payload.readUInt32BE(0)
  }

  close(): void {
    this.sock.end()
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0)
  return b
}

async function withLb(fn: (port: number) => Promise<void>, global: string[] = []): Promise<void> {
  using srv = Bun.serve({ port: 0, fetch: () => new Response('ok') }) as unknown as { port: number } & Disposable
  await using lb = await startLb(cfg`
    global
      ${global.join('\n      ')}
    defaults
      mode http
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    listen web
      bind 127.0.0.1:0
      server s1 127.0.0.1:${srv.port}`)
  await fn(lb.port())
  // Everyone else is unharmed: a normal client is served on the same listener.
  const c = http2.connect(`http://127.0.0.1:${lb.port()}`)
  const body = await new Promise<string>((resolve, reject) => {
    const req = c.request({ ':path': '/' })
    let b = ''
    req.on('data', (d: Buffer) => { b += d.toString() })
    req.on('end', () => resolve(b))
    req.on('error', reject)
    req.end()
  })
  c.close()
  expect(body).toBe('ok')
}

test('a request is answered; SETTINGS and PING are acknowledged', async () => {
  await withLb(async (port) => {
    const c = await RawH2.open(port)
    c.send(c.request(1), frame(PING, 0, 0, Buffer.from('12345678')))
    await c.until((f) => f.some((x) => x.type === DATA && (x.flags & FLAG_END_STREAM) !== 0), 'the response')
    expect(c.frames.some((x) => x.type === SETTINGS && x.flags === 1)).toBe(true)
    expect(c.frames.find((x) => x.type === PING)?.payload.toString()).toBe('12345678')
    expect(c.frames.some((x) => x.type === HEADERS && x.id === 1)).toBe(true)
    c.close()
  })
})

test('connection errors end in GOAWAY with their code', async () => {
  await withLb(async (port) => {
    const cases: [string, (c: RawH2) => Buffer[], number][] = [
      ['DATA on stream 0', () => [frame(DATA, 0, 0, Buffer.from('x'))], PROTOCOL_ERROR],
      ['a frame above the maximum size', () => [frame(DATA, 0, 1, Buffer.alloc(20000))], FRAME_SIZE_ERROR],
      ['a PING of 4 bytes', () => [frame(PING, 0, 0, Buffer.alloc(4))], FRAME_SIZE_ERROR],
      ['an even stream id', (c) => [c.request(2)], PROTOCOL_ERROR],
      ['CONTINUATION without HEADERS', () => [frame(CONTINUATION, FLAG_END_HEADERS, 1, Buffer.alloc(1))], PROTOCOL_ERROR],
      ['a header block interrupted', (c) => [frame(HEADERS, 0, 1, c.enc.encode([':method', 'GET'])), frame(PING, 0, 0, Buffer.alloc(8))], PROTOCOL_ERROR],
      ['a window update overflowing the connection window', () => [frame(WINDOW_UPDATE, 0, 0, u32(0x7fffffff))], FLOW_CONTROL_ERROR],
      ['a window update of 0', () => [frame(WINDOW_UPDATE, 0, 0, u32(0))], PROTOCOL_ERROR],
      ['garbage in the header block', () => [frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))], COMPRESSION_ERROR],
      ['a table size update above the one announced', () => [frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 1, Buffer.from([0x3f, 0xe1, 0xff, 0x03]))], COMPRESSION_ERROR],
      ['RST_STREAM on an idle stream', () => [frame(RST_STREAM, 0, 5, u32(CANCEL))], PROTOCOL_ERROR],
    ]
    for (const [what, frames, code] of cases) {
      const c = await RawH2.open(port)
      c.send(...frames(c))
      const got = await c.goaway()
      expect([what, got]).toEqual([what, code])
      await c.until(() => false, 'the close')
      expect([what, c.closed]).toEqual([what, true])
    }
  })
})

test('a bad preface is refused', async () => {
  await withLb(async (port) => {
    let closed = false
    const s = await Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {}, close() { closed = true } } })
    s.write('PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n')
    const w = new Signal()
    const t = setInterval(() => w.notify(), 20)
    await w.until(() => closed, 'the close', 5000)
    clearInterval(t)
    expect(closed).toBe(true)
  })
})

test('stream errors reset the stream alone: malformed requests, streams above the limit', async () => {
  await withLb(async (port) => {
    const c = await RawH2.open(port)
    c.send(headerFrames(1, c.enc.encode([':method', 'GET', ':path', '/']), true, 16384)) // no :scheme
    expect(await c.rst(1)).toBe(PROTOCOL_ERROR)
    c.send(headerFrames(3, c.enc.encode([':method', 'GET', ':scheme', 'http', ':path', '/', 'Upper', 'x']), true, 16384))
    expect(await c.rst(3)).toBe(PROTOCOL_ERROR)
    c.send(headerFrames(5, c.enc.encode([':method', 'GET', ':scheme', 'http', ':path', '/', 'connection', 'close']), true, 16384))
    expect(await c.rst(5)).toBe(PROTOCOL_ERROR)
    c.send(headerFrames(7, c.enc.encode([':method', 'POST', ':scheme', 'http', ':authority', 'x', ':path', '/', 'content-length', '3']), false, 16384), frame(DATA, FLAG_END_STREAM, 7, Buffer.from('abcd')))
    expect(await c.rst(7)).toBe(PROTOCOL_ERROR)
    // The connection lives on.
    c.send(c.request(9))
    await c.until((f) => f.some((x) => x.type === HEADERS && x.id === 9), 'the response on 9')
    c.close()
  }, ['tune.h2.max-concurrent-streams 2'])
  await withLb(async (port) => {
    const c = await RawH2.open(port)
    // Three open requests (no END_STREAM): the third is above the limit of 2.
    c.send(c.request(1, '/', false), c.request(3, '/', false), c.request(5, '/', false))
    expect(await c.rst(5)).toBe(REFUSED_STREAM)
    c.close()
  }, ['tune.h2.max-concurrent-streams 2'])
})

test('rapid reset (CVE-2023-44487): streams opened and cancelled at once close the connection', async () => {
  await withLb(async (port) => {
    const c = await RawH2.open(port)
    const burst: Buffer[] = []
    for (let i = 0; i < 1500; i++) {
      const id = 1 + 2 * i
      burst.push(c.request(id, '/', false), frame(RST_STREAM, 0, id, u32(CANCEL)))
    }
    c.send(...burst)
    expect(await c.goaway()).toBe(ENHANCE_YOUR_CALM)
  })
})

test('a CONTINUATION flood and an HPACK bomb close the connection', async () => {
  await withLb(async (port) => {
    const c = await RawH2.open(port)
    const flood = [frame(HEADERS, 0, 1, c.enc.encode([':method', 'GET']))]
    for (let i = 0; i < 200; i++) flood.push(frame(CONTINUATION, 0, 1, Buffer.alloc(0)))
    c.send(...flood)
    expect(await c.goaway()).toBe(ENHANCE_YOUR_CALM)
  })
  await withLb(async (port) => {
    // One 4000-byte entry put in the table, then named 4000 times in one small block: about
    // 16 MB of fields from 8 KB. The request is refused; the connection stays in step.
    const c = await RawH2.open(port)
    const enc = new HpackEncoder()
    const first = enc.encode([':method', 'GET', ':scheme', 'http', ':path', '/', 'x-big', 'a'.repeat(1000)])
    c.send(headerFrames(1, first, true, 16384))
    await c.until((f) => f.some((x) => x.id === 1 && (x.type === HEADERS || x.type === RST_STREAM)), 'an answer on 1')
    const idx = 62 // the entry just added
    const bomb = Buffer.concat([enc.encode([':method', 'GET', ':scheme', 'http', ':path', '/']), Buffer.alloc(8000, 0x80 | idx)])
    c.send(headerFrames(3, bomb, true, 16384))
    expect(await c.rst(3)).toBe(PROTOCOL_ERROR)
    c.close()
  })
})

test('a SETTINGS flood closes the connection', async () => {
  await withLb(async (port) => {
    const c = await RawH2.open(port)
    const flood: Buffer[] = []
    for (let i = 0; i < 1200; i++) flood.push(frame(SETTINGS, 0, 0))
    c.send(...flood)
    expect(await c.goaway()).toBe(ENHANCE_YOUR_CALM)
  })
})

test('soft stop: an idle HTTP/2 connection is sent GOAWAY(NO_ERROR) and closed', async () => {
  using srv = Bun.serve({ port: 0, fetch: () => new Response('ok') }) as unknown as { port: number } & Disposable
  await using lb = await startLb(cfg`
    defaults
      mode http
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    listen web
      bind 127.0.0.1:0
      server s1 127.0.0.1:${srv.port}`)
  const c = await RawH2.open(lb.port())
  c.send(c.request(1))
  await c.until((f) => f.some((x) => x.type === DATA && x.id === 1), 'the response')
  lb.engine.softStop()
  expect(await c.goaway()).toBe(0)
  await c.until(() => false, 'the close')
  expect(c.closed).toBe(true)
})

test('reload: an HTTP/2 connection of the old configuration is sent GOAWAY, its stream in progress finishes', async () => {
  let release: () => void = () => {}
  const held = new Promise<void>((r) => { release = r })
  using srv = Bun.serve({ port: 0, fetch: async (r) => { if (new URL(r.url).pathname === '/slow') await held; return new Response('ok') } }) as unknown as { port: number } & Disposable
  const text = cfg`
    defaults
      mode http
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    listen web
      bind 127.0.0.1:0
      server s1 127.0.0.1:${srv.port}`
  const gens = Generations.start(buildRuntime(parseConfig(text)), new ListenerSet(), { out: () => {}, err: () => {} })
  try {
    const c = await RawH2.open(gens.current.portOf('web'))
    c.send(c.request(1, '/slow'))
    await c.until((f) => f.some((x) => x.type === SETTINGS && x.flags === 1), 'the SETTINGS ACK')
    gens.reload(buildRuntime(parseConfig(text), undefined, { keepTables: gens.current.rules.tables }))
    expect(await c.goaway()).toBe(0)
    expect(c.frames.find((x) => x.type === GOAWAY)!.payload.readUInt32BE(0)).toBe(1) // stream 1 is served
    release()
    await c.until((f) => f.some((x) => x.type === DATA && x.id === 1 && (x.flags & FLAG_END_STREAM) !== 0), 'the answer on 1')
    await c.until(() => false, 'the close')
    expect(c.closed).toBe(true)
  } finally {
    release()
    gens.stop()
    await within(5000, gens.done, 'every generation to stop')
  }
})
