/**
 * The `Sock` contract as cases every runtime must pass, on real sockets (port 0, no sleeps).
 * They use whichever runtime net/runtime.ts chose: src/net/runtime.test.ts runs them under Bun
 * (`bun test`), src/net/conformance-run.ts under any runtime (`deno run -A …`, in CI).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, listen, startTls, type ConnectTarget, type Listener, type ListenOptions, type ListenTarget, type Sock, type SockHandlers, type TlsConnect, type TlsListen } from './runtime.ts'

export interface SockCase {
  readonly name: string
  run(): Promise<void>
}

/** What one socket saw, in order; `data` of every socket in these cases. */
class Peer {
  readonly events: string[] = []
  readonly chunks: Buffer[] = []
  received = 0
  sock: Sock<Peer> | null = null
  closeError: Error | undefined
  connectError: Error | undefined
  #waiters: { cond: () => boolean; resolve: () => void }[] = []
  onOpen: ((s: Sock<Peer>) => void) | null = null
  onData: ((s: Sock<Peer>, chunk: Buffer) => void) | null = null
  onEnd: ((s: Sock<Peer>) => void) | null = null
  onDrain: ((s: Sock<Peer>) => void) | null = null

  text(): string {
    return Buffer.concat(this.chunks).toString()
  }

  saw(event: string): boolean {
    return this.events.includes(event)
  }

  /** Resolves once `cond` holds (checked after every event). */
  until(cond: () => boolean): Promise<void> {
    if (cond()) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push({ cond, resolve }))
  }

  note(event: string): void {
    this.events.push(event)
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.cond()) return true
      w.resolve()
      return false
    })
  }
}

// Each handler notes its event before the case's hook runs: a hook that closes the socket
// (close comes before end() returns) then notes its close after.
const handlers: SockHandlers<Peer> = {
  open(s) {
    const fresh = s.data === undefined
    if (fresh) s.data = new Peer()
    s.data.sock = s
    if (fresh) accepted?.(s.data)
    s.data.note('open')
    s.data.onOpen?.(s)
  },
  data(s, chunk) {
    const p = s.data
    p.chunks.push(chunk)
    p.received += chunk.length
    p.note('data')
    p.onData?.(s, chunk)
  },
  drain(s) {
    s.data.note('drain')
    s.data.onDrain?.(s)
  },
  end(s) {
    s.data.note('end')
    s.data.onEnd?.(s)
  },
  close(s, error) {
    s.data.closeError = error
    s.data.note('close')
  },
  connectError(s, error) {
    s.data.connectError = error
    s.data.note('connectError')
  },
}

let accepted: ((p: Peer) => void) | null = null

/** TLS for every listener and connection of the cases (null: clear text): the contract holds
 *  the same over TLS (src/net/bun-tls.test.ts runs the cases so). `late`: TLS started after a
 *  preface sent in clear (`ConnectTarget.preface`, `startTls` on a `startsTls` listener), as
 *  after a PROXY header. */
let tlsVariant: { listen: TlsListen; connect: TlsConnect; late?: boolean } | null = null
export function useTls(t: { listen: TlsListen; connect: TlsConnect; late?: boolean } | null): void {
  tlsVariant = t
}
const listenOptions = (): ListenOptions => (tlsVariant === null ? {} : tlsVariant.late ? { startsTls: true } : { tls: tlsVariant.listen })

/** What a connection of the `late` variant sends before its TLS. */
const PREFACE = Buffer.from('PREFACE\r\n')

/** The clear side of a `late` listener: gathers the preface, then starts TLS; the TLS socket
 *  reports to `handlers` as a TLS listener's do. */
const prefaceHandlers: SockHandlers<Buffer | undefined> = {
  open() {},
  data(s, chunk) {
    const buf = s.data === undefined ? chunk : Buffer.concat([s.data, chunk])
    if (buf.length < PREFACE.length) { s.data = buf; return }
    assert.deepEqual(buf.subarray(0, PREFACE.length), PREFACE)
    startTls(s, handlers, { data: undefined as unknown as Peer, tls: tlsVariant!.listen, initial: buf.subarray(PREFACE.length) })
  },
  drain() {},
  end() {},
  close() {},
}
/** Events but data; over TLS, but drain too: Bun reports one once the server's handshake flight
 *  is flushed, with no short write before it (handlers take drain as "writable", idempotent). */
const notData = (e: string): boolean => e !== 'data' && !(tlsVariant !== null && e === 'drain')

/** A listener on 127.0.0.1:0 whose accepted sockets land in `peers` (configured by `onAccept`). */
class Server {
  readonly peers: Peer[] = []
  readonly listener: Listener
  onAccept: ((p: Peer) => void) | null = null
  #waiters: (() => void)[] = []

  constructor(target: ListenTarget = { kind: 'tcp', host: '127.0.0.1', port: 0 }) {
    this.listener = tlsVariant?.late ? listen(target, prefaceHandlers, listenOptions()) : listen(target, handlers, listenOptions())
  }

  get port(): number {
    return this.listener.port
  }

  adopt(p: Peer): void {
    this.peers.push(p)
    this.onAccept?.(p)
    for (const w of this.#waiters.splice(0)) w()
  }

  async peer(i: number): Promise<Peer> {
    while (this.peers.length <= i) await new Promise<void>((resolve) => this.#waiters.push(resolve))
    return this.peers[i]!
  }

  [Symbol.dispose](): void {
    this.listener.stop()
    for (const p of this.peers) p.sock?.terminate()
  }
}

/** Runs `fn` with `server` receiving the accepted sockets. */
async function serving(server: Server, fn: () => Promise<void>): Promise<void> {
  accepted = (p) => server.adopt(p)
  try {
    await fn()
  } finally {
    accepted = null
    server[Symbol.dispose]()
  }
}

function dial(target: ConnectTarget): Peer {
  const p = new Peer()
  connect(tlsVariant === null ? target : { ...target, tls: tlsVariant.connect, ...(tlsVariant.late ? { preface: PREFACE } : {}) }, p, handlers)
  return p
}

async function dialOpen(target: ConnectTarget): Promise<Peer> {
  const p = dial(target)
  await p.until(() => p.saw('open') || p.saw('connectError'))
  assert.equal(p.connectError, undefined, `connect to ${JSON.stringify(target)} failed: ${p.connectError?.message}`)
  return p
}

/** Writes all of `bytes`, honouring short writes and drain. Resolves when all was accepted. */
function writeAll(p: Peer, bytes: Uint8Array): Promise<void> {
  const s = p.sock!
  let rest = bytes
  return new Promise((resolve, reject) => {
    const push = (): void => {
      while (rest.length > 0) {
        const n = s.write(rest)
        if (n < 0) { reject(new Error('write returned -1 on an open socket')); return }
        rest = rest.subarray(n)
        if (n === 0) return // wait for drain
      }
      p.onDrain = null
      resolve()
    }
    p.onDrain = push
    push()
  })
}

function pattern(size: number): Buffer {
  const b = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i++) b[i] = (i * 31 + (i >> 8)) & 0xff
  return b
}

const local = (port: number): ConnectTarget => ({ host: '127.0.0.1', port })

export const sockCases: readonly SockCase[] = [
  {
    name: 'listen on port 0 reports the port bound; connect opens both sides, each with its data and addresses',
    async run() {
      const srv = new Server()
      await serving(srv, async () => {
        assert.ok(srv.port > 0)
        const cli = await dialOpen(local(srv.port))
        const s = await srv.peer(0)
        assert.equal(cli.sock!.data, cli)
        assert.equal(s.sock!.remoteAddress, '127.0.0.1')
        assert.equal(s.sock!.localPort, srv.port)
        assert.equal(cli.sock!.remotePort, srv.port)
        assert.equal(s.sock!.remotePort, cli.sock!.localPort)
        cli.sock!.end()
      })
    },
  },
  {
    name: 'bytes cross both ways, in order, whole',
    async run() {
      const srv = new Server()
      await serving(srv, async () => {
        srv.onAccept = (p) => { p.onData = (s, chunk) => { s.write(chunk) } } // echo (small: taken whole)
        const cli = await dialOpen(local(srv.port))
        const parts = ['one ', 'two ', 'three']
        for (const t of parts) {
          assert.equal(cli.sock!.write(Buffer.from(t)), t.length)
          await cli.until(() => cli.text().length >= parts.slice(0, parts.indexOf(t) + 1).join('').length)
        }
        assert.equal(cli.text(), 'one two three')
        cli.sock!.end()
      })
    },
  },
  {
    name: 'a paused reader stops data; the writer then gets short writes, and drain once the reader resumes',
    async run() {
      const srv = new Server()
      await serving(srv, async () => {
        srv.onAccept = (p) => { p.onOpen = (s) => s.pause() }
        const cli = await dialOpen(local(srv.port))
        const s = await srv.peer(0)
        await s.until(() => s.saw('open'))
        const chunk = pattern(256 * 1024)
        let sent = 0
        let short = -1
        for (let i = 0; i < 1024 && short < 0; i++) { // at most 256 MB: the kernel holds far less
          const n = cli.sock!.write(chunk)
          assert.ok(n >= 0)
          sent += n
          if (n < chunk.length) short = n
        }
        assert.ok(short >= 0, 'write never returned short while the peer was paused')
        assert.equal(s.received, 0, 'data arrived while paused')
        s.sock!.resume()
        await cli.until(() => cli.saw('drain'))
        await s.until(() => s.received === sent)
        const all = Buffer.concat(s.chunks)
        for (let off = 0; off < sent; off += chunk.length) {
          const n = Math.min(chunk.length, sent - off)
          assert.ok(all.subarray(off, off + n).equals(chunk.subarray(0, n)), `bytes differ after ${off}`)
        }
        cli.sock!.end()
      })
    },
  },
  {
    name: 'shutdown() half-closes: the peer gets end, its answer still arrives, then close; writing after it returns -1',
    async run() {
      const srv = new Server()
      await serving(srv, async () => {
        srv.onAccept = (p) => { p.onEnd = (s) => { s.write(Buffer.from(`got ${p.text()}`)); s.end() } }
        const cli = await dialOpen(local(srv.port))
        assert.equal(cli.sock!.write(Buffer.from('question')), 8)
        cli.sock!.shutdown()
        assert.equal(cli.sock!.write(Buffer.from('more')), -1)
        await cli.until(() => cli.saw('close'))
        assert.equal(cli.text(), 'got question')
        assert.equal(cli.closeError, undefined)
        const s = await srv.peer(0)
        await s.until(() => s.saw('close'))
        assert.deepEqual(s.events.filter(notData), ['open', 'end', 'close'])
      })
    },
  },
  {
    name: 'end() closes gracefully: close comes once, and the peer sees end then close',
    async run() {
      const srv = new Server()
      await serving(srv, async () => {
        srv.onAccept = (p) => { p.onEnd = (s) => s.end() }
        const cli = await dialOpen(local(srv.port))
        cli.sock!.write(Buffer.from('bye'))
        cli.sock!.end()
        await cli.until(() => cli.saw('close'))
        const s = await srv.peer(0)
        await s.until(() => s.saw('close'))
        assert.equal(s.text(), 'bye')
        assert.deepEqual(s.events.filter(notData), ['open', 'end', 'close'])
        assert.equal(cli.events.filter((e) => e === 'close').length, 1)
        cli.sock!.end()
        cli.sock!.terminate()
        assert.equal(cli.events.filter((e) => e === 'close').length, 1)
      })
    },
  },
  {
    // Bun resets (the peer's close carries ECONNRESET); Deno cannot, and closes with FIN (end).
    name: 'terminate() closes at once: close comes before it returns, and the peer sees the connection go',
    async run() {
      const srv = new Server()
      await serving(srv, async () => {
        const cli = await dialOpen(local(srv.port))
        const s = await srv.peer(0)
        cli.sock!.terminate()
        assert.ok(cli.saw('close'))
        assert.equal(cli.sock!.write(Buffer.from('x')), -1)
        await s.until(() => s.saw('close') || s.saw('end'))
      })
    },
  },
  {
    name: 'a refused connection reports connectError with its data, and nothing else',
    async run() {
      const srv = new Server()
      const port = srv.port
      srv[Symbol.dispose]()
      const p = dial(local(port))
      await p.until(() => p.saw('connectError'))
      assert.deepEqual(p.events, ['connectError'])
      // Refused; or reset when the stopped listener's socket was not released yet (Deno releases it
      // once its pending accept is cancelled, a moment after stop()).
      assert.match(String((p.connectError as NodeJS.ErrnoException).code), /^(ECONNREFUSED|ECONNRESET)$/)
    },
  },
  {
    name: 'stop() stops accepting and leaves live connections alone',
    async run() {
      const srv = new Server()
      await serving(srv, async () => {
        srv.onAccept = (p) => { p.onData = (s, chunk) => { s.write(chunk) } }
        const cli = await dialOpen(local(srv.port))
        await srv.peer(0)
        srv.listener.stop()
        const late = dial(local(srv.port))
        await late.until(() => late.saw('connectError'))
        cli.sock!.write(Buffer.from('still here'))
        await cli.until(() => cli.text() === 'still here')
        cli.sock!.end()
      })
    },
  },
  {
    name: 'a bind error names the address and the OS error',
    async run() {
      const srv = new Server()
      await serving(srv, async () => {
        assert.throws(() => listen({ kind: 'tcp', host: '127.0.0.1', port: srv.port }, handlers), new RegExp(`^Error: cannot bind 127\\.0\\.0\\.1:${srv.port}: EADDRINUSE`))
      })
    },
  },
  {
    name: 'connect from a source address: the peer sees that address, and the contract holds',
    async run() {
      const srv = new Server()
      await serving(srv, async () => {
        srv.onAccept = (p) => { p.onEnd = (s) => { s.write(Buffer.from(`from ${s.remoteAddress}`)); s.end() } }
        const cli = await dialOpen({ host: '127.0.0.1', port: srv.port, localAddress: '127.0.0.2' })
        assert.equal(cli.sock!.localAddress, '127.0.0.2')
        assert.equal(cli.sock!.write(Buffer.from('hi')), 2)
        cli.sock!.shutdown()
        await cli.until(() => cli.saw('close'))
        assert.equal(cli.text(), 'from 127.0.0.2')
        assert.equal(cli.closeError, undefined)
        const refused = dial({ host: '127.0.0.1', port: 1, localAddress: '127.0.0.2' })
        await refused.until(() => refused.saw('connectError'))
        assert.deepEqual(refused.events, ['connectError'])
      })
    },
  },
  {
    name: 'unix sockets listen and connect',
    async run() {
      const dir = mkdtempSync(join(tmpdir(), 'edgelb-sock-'))
      try {
        const path = join(dir, 's.sock')
        const srv = new Server({ kind: 'unix', path })
        await serving(srv, async () => {
          assert.equal(srv.port, 0)
          srv.onAccept = (p) => { p.onData = (s, chunk) => { s.write(chunk) } }
          const cli = await dialOpen({ path })
          cli.sock!.write(Buffer.from('over unix'))
          await cli.until(() => cli.text() === 'over unix')
          cli.sock!.end()
        })
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  },
]
