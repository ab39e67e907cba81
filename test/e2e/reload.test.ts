/**
 * Reload in one process (proxy/generations.ts): the next configuration serves every new
 * connection on the same sockets, requests in flight finish on the old one, idle keep-alive
 * connections move over between two requests, TCP sessions and tunnels stay, state that keeps
 * its name is kept, and a retired generation leaves nothing behind.
 */
import { describe, expect, test } from 'bun:test'
import { heapStats } from 'bun:jsc'
import { ListenerSet } from '../../src/proxy/listeners.ts'
import { Generations } from '../../src/proxy/generations.ts'
import { buildRuntime } from '../../src/proxy/runtime.ts'
import { cfg, connectClient, connectEchoed, parseConfig, startServer, until, within } from '../support/harness.ts'
import { okResponse, startHttpServer, waitResponses } from '../support/http-harness.ts'

interface Gens extends AsyncDisposable {
  readonly gens: Generations
  readonly logs: string[]
  port(frontend?: string): number
  reload(text: string): void
}

function start(text: string): Gens {
  const logs: string[] = []
  const sink = (l: string): void => { logs.push(l) }
  const gens = Generations.start(buildRuntime(parseConfig(text)), new ListenerSet(), { out: sink, err: sink })
  return {
    gens,
    logs,
    port: (fe) => gens.current.portOf(fe ?? gens.current.frontends[0]!.name),
    reload(t) {
      gens.reload(buildRuntime(parseConfig(t), undefined, { keepTables: gens.current.rules.tables }))
    },
    async [Symbol.asyncDispose]() {
      gens.stop()
      await within(5000, gens.done, 'every generation to stop')
    },
  }
}

const HTTP = (body: string, extra = ''): string => cfg`
  defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
  frontend web
    bind 127.0.0.1:0
    ${extra}
    http-request return status 200 content-type text/plain string "${body}"`

const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'

describe('new connections', () => {
  test('are served by the new configuration from the reload on, on the same port', async () => {
    await using lb = start(HTTP('one'))
    const port = lb.port()
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('one')
    lb.reload(HTTP('two'))
    expect(lb.port()).toBe(port)
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('two')
    expect(lb.gens.generation).toBe(2)
  })

  test('none is refused while reloading over and over', async () => {
    await using lb = start(HTTP('0'))
    const port = lb.port()
    let stop = false
    const failures: string[] = []
    let served = 0
    const client = (async () => {
      while (!stop) {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } })
          await r.text()
          served++
        } catch (e) { failures.push((e as Error).message) }
      }
    })()
    for (let i = 1; i <= 30; i++) {
      lb.reload(HTTP(String(i)))
      await new Promise((r) => setImmediate(r))
    }
    await until(() => served >= 50, 'some requests served', 10000)
    stop = true
    await client
    expect(failures).toEqual([])
  })
})

describe('keep-alive connections', () => {
  test('an idle one moves to the new configuration between two requests, without being closed', async () => {
    await using origin = startHttpServer('o1')
    const proxied = (tag: string): string => cfg`
      defaults
        mode http
        timeout connect 1s
        timeout client 5s
        timeout server 5s
      frontend web
        bind 127.0.0.1:0
        http-response set-header x-gen ${tag}
        default_backend be
      backend be
        server s1 127.0.0.1:${origin.port}`
    await using lb = start(proxied('one'))
    using c = await connectClient(lb.port())
    await c.write(GET)
    expect((await waitResponses(c, 1))[0]!).toContain('x-gen: one')
    lb.reload(proxied('two'))
    await c.write(GET)
    expect((await waitResponses(c, 2))[1]!).toContain('x-gen: two')
    expect(c.closed || c.eof).toBe(false)
    // The old generation had nothing left: it is gone.
    await until(() => lb.gens.retiring === 0, 'the old generation to stop')
  })

  test('a request in flight finishes on the old configuration; the next one on the same connection is the new one\'s', async () => {
    await using origin = startHttpServer('o1', () => null)
    const proxied = (tag: string): string => cfg`
      defaults
        mode http
        timeout connect 1s
        timeout client 5s
        timeout server 5s
      frontend web
        bind 127.0.0.1:0
        http-response set-header x-gen ${tag}
        default_backend be
      backend be
        server s1 127.0.0.1:${origin.port}`
    await using lb = start(proxied('one'))
    using c = await connectClient(lb.port())
    await c.write(GET)
    await origin.waitRequests(1)
    lb.reload(proxied('two'))
    expect(lb.gens.retiring).toBe(1)
    origin.tcp.conns[0]!.write(okResponse('slow'))
    const [first] = await waitResponses(c, 1)
    expect(first).toContain('x-gen: one')
    await c.write(GET)
    await origin.waitRequests(2)
    origin.tcp.conns.at(-1)!.write(okResponse('next'))
    const second = (await waitResponses(c, 2))[1]!
    expect(second).toContain('x-gen: two')
    await until(() => lb.gens.retiring === 0, 'the old generation to stop')
  })
  test('a request in flight over two reloads: the next one on its connection is the newest configuration\'s', async () => {
    await using origin = startHttpServer('o1', () => null)
    const proxied = (tag: string): string => cfg`
      defaults
        mode http
        timeout connect 1s
        timeout client 5s
        timeout server 5s
      frontend web
        bind 127.0.0.1:0
        http-response set-header x-gen ${tag}
        default_backend be
      backend be
        server s1 127.0.0.1:${origin.port}`
    await using lb = start(proxied('one'))
    using c = await connectClient(lb.port())
    await c.write(GET)
    await origin.waitRequests(1)
    lb.reload(proxied('two'))
    lb.reload(proxied('three'))
    origin.tcp.conns[0]!.write(okResponse('slow'))
    expect((await waitResponses(c, 1))[0]!).toContain('x-gen: one')
    await c.write(GET)
    await origin.waitRequests(2)
    origin.tcp.conns.at(-1)!.write(okResponse('next'))
    expect((await waitResponses(c, 2))[1]!).toContain('x-gen: three')
    await until(() => lb.gens.retiring === 0, 'the old generations to stop')
  })
})

describe('long-lived sessions', () => {
  test('a tcp stream and an HTTP Upgrade tunnel opened before 10 reloads still carry bytes after', async () => {
    await using echo = startServer('e', 'echo')
    const ws = startHttpServer('ws', () => null)
    await using _ws = ws
    // The origin answers the upgrade, then echoes on the tunnel.
    const text = (n: number): string => cfg`
      defaults
        timeout connect 1s
        timeout client 30s
        timeout server 30s
        timeout tunnel 30s
      listen tcpapp
        mode tcp
        bind 127.0.0.1:0
        server e 127.0.0.1:${echo.port}
      frontend web
        mode http
        bind 127.0.0.1:0
        http-request set-header x-n ${n}
        default_backend ws
      backend ws
        mode http
        server w 127.0.0.1:${ws.port}`
    await using lb = start(text(0))
    using stream = await connectEchoed(lb.port('tcpapp'), 'before')
    using tunnel = await connectClient(lb.port('web'))
    await tunnel.write('GET /chat HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
    await ws.waitRequests(1)
    const srv = ws.tcp.conns[0]!
    await srv.write('HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n')
    await tunnel.waitText('101 Switching Protocols')
    srv.onData = (c, chunk) => { void c.write(chunk) }
    for (let i = 1; i <= 10; i++) lb.reload(text(i))
    expect(lb.gens.generation).toBe(11)
    await stream.write('after')
    await stream.waitText('beforeafter')
    await tunnel.write('frame-after-reloads')
    await tunnel.waitText('frame-after-reloads')
    // Both ran on the first generation all along; the nine in between had nothing and are gone.
    await until(() => lb.gens.retiring === 1, 'only the first generation left')
    stream.end()
    tunnel.end()
    await until(() => lb.gens.retiring === 0, 'the first generation to finish')
  })
})

describe('listeners', () => {
  test('an address the new configuration adds is bound, one it drops is closed', async () => {
    const two = (names: string[]): string => cfg`
      defaults
        mode http
        timeout connect 1s
        timeout client 5s
        timeout server 5s
      ${names.map((n) => `frontend ${n}\n  bind 127.0.0.1:0\n  http-request return status 200 content-type text/plain string "${n}"`).join('\n')}`
    await using lb = start(two(['a']))
    const a = lb.port('a')
    lb.reload(two(['a', 'b']))
    expect(lb.port('a')).toBe(a)
    const b = lb.port('b')
    // `return` keeps the client connection open (HAProxy 2.x): this one closes, so that the last
    // fetch below opens a new connection to the dropped address.
    expect(await (await fetch(`http://127.0.0.1:${b}/`, { headers: { connection: 'close' } })).text()).toBe('b')
    lb.reload(two(['b']))
    // The k-th port-0 bind keeps the k-th socket: 'b' now holds the first one.
    expect(await (await fetch(`http://127.0.0.1:${lb.port('b')}/`)).text()).toBe('b')
    expect(await fetch(`http://127.0.0.1:${b}/`).then(() => 'open', () => 'refused')).toBe('refused')
  })

  test('a bind that fails (port taken by another process) leaves the running generation serving', async () => {
    await using lb = start(HTTP('one'))
    const taken = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
    try {
      expect(() => lb.reload(HTTP('two').replace('frontend web', `frontend other\n  bind 127.0.0.1:${taken.port}\n  http-request return status 200\nfrontend web`))).toThrow(`frontend 'other': cannot bind 127.0.0.1:${taken.port}: EADDRINUSE`)
      expect(lb.gens.generation).toBe(1)
      expect(await (await fetch(`http://127.0.0.1:${lb.port()}/`)).text()).toBe('one')
    } finally {
      taken.stop(true)
    }
  })
})

describe('state that keeps its name', () => {
  test('a server put in maintenance and a weight set at run time stay; health and counters stay', async () => {
    await using s1 = startServer('s1', 'echo')
    await using s2 = startServer('s2', 'echo')
    const text = (extra: string): string => cfg`
      defaults
        mode tcp
        timeout connect 1s
        timeout client 5s
        timeout server 5s
      listen app
        bind 127.0.0.1:0
        ${extra}
        server s1 127.0.0.1:${s1.port} weight 10
        server s2 127.0.0.1:${s2.port} weight 10`
    await using lb = start(text(''))
    const be = lb.gens.current.backends.get('app')!
    const states = lb.gens.current.checks.states
    states.setAdmin(be.findServer('s1')!, 'maint')
    states.setWeight(be.findServer('s2')!, 3)
    be.findServer('s2')!.counters.total = 7
    be.counters.total = 9
    lb.reload(text('balance roundrobin'))
    const nb = lb.gens.current.backends.get('app')!
    expect(nb).not.toBe(be)
    expect([nb.findServer('s1')!.admin, nb.findServer('s1')!.usable]).toEqual(['maint', false])
    expect([nb.findServer('s2')!.uweight, nb.findServer('s2')!.counters.total, nb.counters.total]).toEqual([3, 7, 9])
  })

  test('a stick table declared the same way is kept, entries and counters with it; one declared differently starts empty', async () => {
    const text = (size: string): string => cfg`
      defaults
        mode http
        timeout connect 1s
        timeout client 5s
        timeout server 5s
      frontend web
        bind 127.0.0.1:0
        stick-table type ip size ${size} store http_req_cnt
        http-request track-sc0 src
        http-request return status 200 content-type text/plain hdr x-cnt %[sc_http_req_cnt(0)]`
    await using lb = start(text('1k'))
    const port = lb.port()
    for (let i = 0; i < 3; i++) await (await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } })).text()
    const table = lb.gens.current.rules.tables.get('web')!
    lb.reload(text('1k'))
    expect(lb.gens.current.rules.tables.get('web')).toBe(table)
    const r = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } })
    expect(r.headers.get('x-cnt')).toBe('4')
    lb.reload(text('2k'))
    expect(lb.gens.current.rules.tables.get('web')).not.toBe(table)
    const r2 = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } })
    expect(r2.headers.get('x-cnt')).toBe('1')
  })
})

describe('memory', () => {
  test('the heap does not grow per generation: live objects after 600 reloads as after 100 (within 10 %), the first generation kept alive as `edgelb run` keeps it', async () => {
    await using lb = start(HTTP('0'))
    // run() holds the first runtime until it returns: nothing may chain the later ones to it.
    const first = lb.gens.current
    /** Live objects once collected: the least of a few collections, timers run in between. */
    const live = async (): Promise<number> => {
      let least = Infinity
      for (let i = 0; i < 6; i++) { await new Promise((r) => setTimeout(r, 5)); Bun.gc(true); least = Math.min(least, heapStats().objectCount) }
      return least
    }
    // One reload per turn of the event loop, as signals come: each retired generation ends in between.
    const turn = (): Promise<void> => new Promise((r) => setImmediate(r))
    for (let i = 1; i <= 100; i++) { lb.reload(HTTP(String(i))); await turn() }
    const after100 = await live()
    for (let i = 101; i <= 600; i++) { lb.reload(HTTP(String(i))); await turn() }
    const after600 = await live()
    expect(lb.gens.retiring).toBe(0)
    expect(after600).toBeLessThan(after100 * 1.1)
    expect(first.state).toBe('stopped')
  }, 60_000)

  test('a retired generation is collected once its sessions ended: nothing keeps it', async () => {
    await using lb = start(HTTP('0'))
    const refs: WeakRef<object>[] = []
    for (let i = 1; i <= 20; i++) {
      refs.push(new WeakRef(lb.gens.current))
      lb.reload(HTTP(String(i)))
    }
    await until(() => lb.gens.retiring === 0, 'the retired generations to stop')
    // Collect, letting timers and promise callbacks that referenced them run in between (a full
    // collection right after many others may leave some for the next one): bounded, 50 rounds.
    const alive = (): number => refs.filter((r) => r.deref() !== undefined).length
    for (let i = 0; i < 50 && alive() > 0; i++) { await new Promise((r) => setTimeout(r, 10)); Bun.gc(true) }
    expect(alive()).toBe(0)
  })
})
