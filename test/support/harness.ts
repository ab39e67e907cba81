/**
 * End-to-end harness: an engine started in-process from HAProxy config text, real backends
 * (Bun.listen on 127.0.0.1:0), real clients (Bun.connect), and edgelb as a subprocess.
 *
 * Everything here is disposable (`await using`) and every wait is on an event, bounded by a
 * deadline that fails the test with what was being waited for, never by a sleep.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Backend } from '../../src/backend/backend.ts'
import { Engine } from '../../src/proxy/engine.ts'
import { statsApplets } from '../../src/stats/applets.ts'
import type { Frontend } from '../../src/proxy/frontend.ts'
import type { ClientSession } from '../../src/proxy/frontend.ts'
import { cfg, parseConfig } from './config.ts'
import { Signal, until, within } from './wait.ts'

export { cfg, parseConfig, Signal, until, within }

export const ROOT = join(import.meta.dir, '..', '..')
export const BUN = process.execPath

// --- configs and the in-process engine ---------------------------------------------------------

/** The common tcp scenario: `listen app` on a free port in front of one server `s1` at `port`,
 *  logging a tcplog line per session to `lb.logs`, timeouts client and server 5s and connect 1s
 *  unless `lines` (what the test is about) say otherwise. */
export function startTcpApp(port: number, ...lines: string[]): Promise<Lb> {
  return startLb(tcpConfig(cfg`
    listen app
      bind 127.0.0.1:0
      ${lines.join('\n      ')}
      server s1 127.0.0.1:${port}`))
}

/** The text of a tcp scenario: `global` with `opts.global` (default: `log stdout format raw
 *  local0`, the lines lb.logs collects), `defaults` with mode tcp, log global, option tcplog,
 *  timeouts client and server 5s and connect 1s, then `opts.defaults`; then `proxies` (cfg text),
 *  the sections the test is about. */
export function tcpConfig(proxies: string, opts: { global?: string[]; defaults?: string[] } = {}): string {
  const global = opts.global ?? ['log stdout format raw local0']
  const defaults = ['mode tcp', 'log global', 'option tcplog', 'timeout client 5s', 'timeout server 5s', 'timeout connect 1s', ...(opts.defaults ?? [])]
  return ['global', ...global.map((l) => `  ${l}`), 'defaults', ...defaults.map((l) => `  ${l}`), ''].join('\n') + proxies
}

/** A free TCP port on 127.0.0.1 (bound, then released), for configs handed to a subprocess,
 *  which cannot say port 0. */
export function freePort(): number {
  const l = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const p = l.port
  l.stop(true)
  return p
}

export interface Lb extends AsyncDisposable {
  readonly engine: Engine
  /** Log lines (stdout and stderr sinks), in order. */
  readonly logs: string[]
  readonly logged: Signal
  /** The bound port of a frontend (default: the first one). */
  port(frontend?: string): number
  frontend(name?: string): Frontend
  backend(name: string): Backend
  /** Live sessions of a frontend. */
  sessions(frontend?: string): ClientSession[]
  /** Resolves when `n` log lines exist. */
  waitLogs(n: number, ms?: number): Promise<string[]>
}

/** Starts an engine from config text; `await using lb = await startLb(cfg`…`)`. */
export async function startLb(text: string): Promise<Lb> {
  const config = parseConfig(text)
  const logs: string[] = []
  const logged = new Signal()
  const sink = (line: string): void => { logs.push(line); logged.notify() }
  const engine = Engine.start(config, { out: sink, err: sink, applets: statsApplets })
  const fe = (name?: string): Frontend => {
    const f = name === undefined ? engine.frontends[0] : engine.frontends.find((x) => x.name === name)
    if (!f) throw new Error(`no frontend ${name}`)
    return f
  }
  return {
    engine,
    logs,
    logged,
    port: (name) => engine.portOf(fe(name).name),
    frontend: fe,
    backend(name) {
      const be = engine.backends.get(name)
      if (!be) throw new Error(`no backend ${name}`)
      return be
    },
    sessions: (name) => [...fe(name).sessions],
    async waitLogs(n, ms = 5000) {
      await logged.until(() => logs.length >= n, `${n} log line(s), have ${JSON.stringify(logs)}`, ms)
      return logs
    },
    async [Symbol.asyncDispose]() {
      engine.stop()
      await within(5000, engine.done, 'the engine to stop')
    },
  }
}

// --- connections (both clients and the backends' side) -----------------------------------------

type BunSocket = import('bun').Socket<TestConn>

/**
 * One end of a real TCP connection with everything a test looks at: bytes received, the peer's
 * FIN, the close (and its error), and writes that respect backpressure (`write` resolves once the
 * kernel took everything).
 */
export class TestConn {
  sock: BunSocket | null = null
  readonly chunks: Buffer[] = []
  received = 0
  /** The peer sent FIN. */
  eof = false
  closed = false
  closeError: Error | undefined
  readonly changed = new Signal()
  /** Bytes queued locally because the kernel did not take them yet. */
  #out: Uint8Array[] = []
  #shutdownPending = false
  /** Set by the server that accepted it. */
  server: TestServer | null = null
  closedAt = -1
  /** Called on each chunk (servers use it to echo). */
  onData: ((c: TestConn, chunk: Buffer) => void) | null = null
  onEnd: ((c: TestConn) => void) | null = null

  /** The peer's address and port and our port, read at open (a closed Bun socket no longer
   *  tells them). */
  remoteAddress = ''
  remotePort = 0
  localPort = 0

  /** Writes everything; resolves when the kernel took the last byte (or the socket closed). */
  write(data: Uint8Array | string): Promise<void> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data
    if (buf.length > 0) this.#out.push(buf)
    this.#flush()
    return this.changed.when(() => this.#out.length === 0 || this.closed)
  }

  /** Bytes written but not yet taken by the kernel. */
  get pendingOut(): number {
    let n = 0
    for (const c of this.#out) n += c.length
    return n
  }

  /** Sends FIN once every queued byte is out. */
  shutdown(): void {
    this.#shutdownPending = true
    this.#flush()
  }

  end(): void {
    this.sock?.end()
  }

  /** Closes with RST. */
  reset(): void {
    this.sock?.terminate()
  }

  pause(): void {
    this.sock?.pause()
  }

  resume(): void {
    this.sock?.resume()
  }

  text(): string {
    return Buffer.concat(this.chunks).toString()
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks)
  }

  waitBytes(n: number, ms = 5000): Promise<void> {
    return this.changed.until(() => this.received >= n, `${n} bytes (have ${this.received})`, ms)
  }

  waitText(s: string, ms = 5000): Promise<void> {
    return this.changed.until(() => this.text().includes(s), `text ${JSON.stringify(s)} (have ${JSON.stringify(this.text().slice(0, 200))})`, ms)
  }

  waitEof(ms = 5000): Promise<void> {
    return this.changed.until(() => this.eof || this.closed, 'the peer to send FIN', ms)
  }

  waitClosed(ms = 5000): Promise<void> {
    return this.changed.until(() => this.closed, 'the connection to close', ms)
  }

  #flush(): void {
    const s = this.sock
    if (!s || this.closed) return
    while (this.#out.length > 0) {
      const c = this.#out[0]!
      const n = s.write(c)
      if (n < 0) break
      if (n < c.length) { this.#out[0] = c.subarray(n); break }
      this.#out.shift()
    }
    if (this.#out.length === 0 && this.#shutdownPending) {
      this.#shutdownPending = false
      s.shutdown()
    }
    this.changed.notify()
  }

  /** @internal socket events */
  _open(s: BunSocket): void {
    this.sock = s
    this.remoteAddress = s.remoteAddress ?? ''
    this.remotePort = (s as { remotePort?: number }).remotePort ?? 0
    this.localPort = s.localPort ?? 0
    this.#flush()
  }
  _data(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.received += chunk.length
    this.onData?.(this, chunk)
    this.changed.notify()
    this.server?.changed.notify()
  }
  _drain(): void { this.#flush() }
  _end(): void { this.eof = true; this.onEnd?.(this); this.changed.notify() }
  _close(error?: Error): void {
    if (this.closed) return
    this.closed = true
    this.closedAt = performance.now()
    this.closeError = error
    this.changed.notify()
    this.server?._closed(this)
  }

  /** The connection was reset (or errored) rather than closed cleanly. */
  get wasReset(): boolean {
    return this.closeError !== undefined
  }
}

const connHandlers = {
  binaryType: 'buffer' as const,
  open(s: BunSocket) { s.data._open(s) },
  data(s: BunSocket, chunk: Buffer) { s.data._data(chunk) },
  drain(s: BunSocket) { s.data._drain() },
  end(s: BunSocket) { s.data._end() },
  close(s: BunSocket, error?: Error) { s.data._close(error) },
  error(s: BunSocket, error: Error) { s.data.closeError = error },
  connectError(s: BunSocket, error: Error) { s.data._close(error) },
}

export interface ClientOptions {
  host?: string
  localAddress?: string
}

/** A raw TCP client; `using c = await connectClient(port)`. Resolves once connected (to the
 *  proxy, which may still be queueing it). */
export async function connectClient(port: number, options: ClientOptions = {}): Promise<TestConn & Disposable> {
  const conn = new TestConn() as TestConn & Disposable
  conn[Symbol.dispose] = () => { if (!conn.closed) conn.sock?.terminate() }
  const opts: Record<string, unknown> = { hostname: options.host ?? '127.0.0.1', port, socket: connHandlers, data: conn, allowHalfOpen: true }
  if (options.localAddress) opts['localAddress'] = options.localAddress
  await within(5000, Bun.connect(opts as unknown as Parameters<typeof Bun.connect<TestConn>>[0]), `a connection to port ${port}`)
  return conn
}

/** Connects and waits for the answering server's tag (a `tag` server writes its name on accept);
 *  the connection stays open, for tests that hold sessions. */
export async function connectTagged(port: number, options: ClientOptions = {}): Promise<TestConn & Disposable> {
  const c = await connectClient(port, options)
  try {
    await c.changed.until(() => c.received > 0, 'a server tag')
  } catch (e) {
    c[Symbol.dispose]()
    throw e
  }
  return c
}

/** Connects, writes `text` and waits until an `echo` server sent it back: a session that is
 *  established end to end and stays open. */
export async function connectEchoed(port: number, text: string): Promise<TestConn & Disposable> {
  const c = await connectClient(port)
  try {
    await c.write(text)
    await c.waitText(text)
  } catch (e) {
    c[Symbol.dispose]()
    throw e
  }
  return c
}

/** One whole session through an `echo` server: connects, writes `text`, reads it back, closes
 *  its side and waits until the connection is closed (the proxy has ended the session). */
export async function echoSession(port: number, text = 'ping'): Promise<void> {
  using c = await connectEchoed(port, text)
  c.end()
  await c.waitClosed()
}

/** One short connection: the tag of the server that answered. */
export async function tagOf(port: number, options: ClientOptions = {}): Promise<string> {
  using c = await connectTagged(port, options)
  return c.text()
}

/** `n` short connections one after another: the tags of the servers that answered, in order. */
export async function tagsOf(port: number, n: number, options: ClientOptions = {}): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < n; i++) out.push(await tagOf(port, options))
  return out
}

// --- backends ----------------------------------------------------------------------------------

export type Behavior =
  /** Echo everything; answer FIN with FIN once the echo is out. */
  | 'echo'
  /** Write the server's name on accept, then echo. */
  | 'tag'
  /** Do nothing; the test drives the connection. */
  | 'manual'

/**
 * A real backend server on 127.0.0.1:0. It records every connection (with the peer address),
 * the concurrency it saw, and can be closed (listener), reset (every connection) or slowed.
 */
export class TestServer implements AsyncDisposable {
  readonly name: string
  readonly conns: TestConn[] = []
  readonly changed = new Signal()
  current = 0
  maxConcurrent = 0
  behavior: Behavior
  #listener: import('bun').TCPSocketListener<TestConn> | null
  readonly port: number
  /** Hook for each accepted connection (after the behavior set it up). */
  onAccept: ((c: TestConn) => void) | null = null

  constructor(name: string, behavior: Behavior = 'tag', options: { port?: number; host?: string } = {}) {
    this.name = name
    this.behavior = behavior
    const self = this
    this.#listener = Bun.listen<TestConn>({
      hostname: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      allowHalfOpen: true,
      socket: {
        ...connHandlers,
        open(s: BunSocket) {
          const c = new TestConn()
          c.server = self
          s.data = c
          c._open(s)
          self._accepted(c)
        },
      },
    } as unknown as import('bun').TCPSocketListenOptions<TestConn>)
    this.port = this.#listener.port
  }

  get accepted(): number {
    return this.conns.length
  }

  _accepted(c: TestConn): void {
    this.conns.push(c)
    this.current++
    if (this.current > this.maxConcurrent) this.maxConcurrent = this.current
    if (this.behavior === 'tag') void c.write(this.name)
    if (this.behavior === 'echo' || this.behavior === 'tag') {
      c.onData = (cc, chunk) => { void cc.write(chunk) }
      c.onEnd = (cc) => { cc.shutdown() }
    }
    this.onAccept?.(c)
    this.changed.notify()
  }

  _closed(_c: TestConn): void {
    this.current--
    this.changed.notify()
  }

  waitAccepted(n: number, ms = 5000): Promise<void> {
    return this.changed.until(() => this.conns.length >= n, `${this.name} to accept ${n} connection(s) (has ${this.conns.length})`, ms)
  }

  /** Stops listening (new connections are refused); live connections go on. */
  close(): void {
    this.#listener?.stop(false)
    this.#listener = null
  }

  /** Resets every live connection. */
  resetAll(): void {
    for (const c of this.conns) if (!c.closed) c.reset()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
    for (const c of this.conns) if (!c.closed) c.sock?.terminate()
  }
}

/** `await using s = startServer('s1')`. */
export function startServer(name: string, behavior: Behavior = 'tag', options: { port?: number; host?: string } = {}): TestServer {
  return new TestServer(name, behavior, options)
}

/** A port nothing listens on (bound then released), for refused connects. */
export const closedPort: () => number = freePort

/**
 * A loopback address where a connect hangs (no SYN-ACK), for connect timeouts: a socket that
 * listens with backlog 0 and never accepts (made with libc through bun:ffi, since every runtime
 * listener accepts on its own), its one accept-queue place taken by a filler connection. Linux
 * then drops further SYNs. Dispose closes both.
 */
export async function startBlackhole(): Promise<{ port: number } & AsyncDisposable> {
  const { dlopen, FFIType, ptr } = await import('bun:ffi')
  const libc = dlopen('libc.so.6', {
    socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    bind: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
    listen: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    getsockname: { args: [FFIType.i32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
  })
  const AF_INET = 2
  const SOCK_STREAM = 1
  const fd = libc.symbols.socket(AF_INET, SOCK_STREAM, 0)
  if (fd < 0) throw new Error('blackhole: socket() failed')
  // struct sockaddr_in { sa_family (host order), port (network order), 127.0.0.1, zero }
  const sa = new Uint8Array(16)
  new DataView(sa.buffer).setUint16(0, AF_INET, true)
  sa.set([127, 0, 0, 1], 4)
  const len = new Uint32Array([16])
  if (libc.symbols.bind(fd, ptr(sa), 16) !== 0 || libc.symbols.listen(fd, 0) !== 0 || libc.symbols.getsockname(fd, ptr(sa), ptr(len)) !== 0) {
    libc.symbols.close(fd)
    throw new Error('blackhole: bind/listen failed')
  }
  const port = new DataView(sa.buffer).getUint16(2, false)
  // backlog 0 holds one completed connection: take it, so the next SYN finds the queue full.
  const filler = await connectClient(port)
  return {
    port,
    async [Symbol.asyncDispose]() {
      filler[Symbol.dispose]()
      libc.symbols.close(fd)
      libc.close()
    },
  }
}

// --- edgelb as a subprocess ---------------------------------------------------------------------

/** SIGINT, SIGUSR1, SIGTERM, SIGTTIN, SIGTTOU (Linux numbers). */
const HANDLED_SIGNALS = [2, 10, 15, 21, 22]

/** Whether `pid` has handlers for every signal in `signals` (Linux: SigCgt in /proc/PID/status). */
function catches(pid: number, signals: number[]): boolean {
  let status: string
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch {
    return false
  }
  const m = status.match(/^SigCgt:\s*([0-9a-f]+)$/m)
  if (!m) return false
  const mask = BigInt(`0x${m[1]}`)
  return signals.every((sig) => (mask & (1n << BigInt(sig - 1))) !== 0n)
}

export interface Proc extends AsyncDisposable {
  readonly proc: import('bun').Subprocess<'ignore', 'pipe', 'pipe'>
  readonly dir: string
  /** stderr lines so far. */
  readonly stderr: string[]
  readonly stdout: string[]
  /** Ports from the `edgelb: NAME listening on ADDR` lines, by frontend name. */
  readonly ports: Map<string, number>
  waitStderr(re: RegExp, ms?: number): Promise<string>
  signal(sig: NodeJS.Signals): void
  /** Resolves with the exit code. */
  exited(ms?: number): Promise<number>
}

/** Writes `text` to a temp file and runs `bun src/main.ts run FILE [args]`; resolves once every
 *  frontend printed its `listening on` line. Always killed at dispose. */
export async function spawnEdgelb(text: string, options: { args?: string[]; frontends?: number } = {}): Promise<Proc> {
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-e2e-'))
  const file = join(dir, 'edgelb.cfg')
  writeFileSync(file, text)
  const proc = Bun.spawn([BUN, join(ROOT, 'src', 'main.ts'), 'run', file, ...(options.args ?? [])], {
    cwd: dir,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const stderr: string[] = []
  const stdout: string[] = []
  const changed = new Signal()
  const ports = new Map<string, number>()
  const pump = async (stream: ReadableStream<Uint8Array>, into: string[]): Promise<void> => {
    let rest = ''
    const dec = new TextDecoder()
    for await (const chunk of stream) {
      rest += dec.decode(chunk, { stream: true })
      const lines = rest.split('\n')
      rest = lines.pop()!
      for (const l of lines) {
        into.push(l)
        const m = l.match(/^edgelb: (\S+) listening on .*:(\d+)/)
        if (m) ports.set(m[1]!, Number(m[2]))
      }
      changed.notify()
    }
    if (rest) into.push(rest)
    changed.notify()
  }
  const pumps = Promise.all([pump(proc.stderr, stderr), pump(proc.stdout, stdout)])
  let exitCode: number | null = null
  void proc.exited.then((c) => { exitCode = c; changed.notify() })
  const p: Proc = {
    proc,
    dir,
    stderr,
    stdout,
    ports,
    async waitStderr(re, ms = 10000) {
      let hit = ''
      await changed.until(() => {
        const l = stderr.find((x) => re.test(x))
        if (l !== undefined) hit = l
        return l !== undefined || exitCode !== null
      }, `stderr to match ${re} (stderr: ${JSON.stringify(stderr)})`, ms)
      if (!hit) throw new Error(`edgelb exited (${exitCode}) before stderr matched ${re}: ${JSON.stringify(stderr)}`)
      return hit
    },
    signal(sig) {
      proc.kill(sig)
    },
    async exited(ms = 10000) {
      const code = await within(ms, proc.exited, `edgelb to exit (stderr: ${JSON.stringify(stderr)})`)
      await within(2000, pumps, 'edgelb output to end')
      return code
    },
    async [Symbol.asyncDispose]() {
      if (exitCode === null) {
        proc.kill('SIGKILL')
        await within(5000, proc.exited, 'edgelb to die')
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
  try {
    const n = options.frontends ?? 1
    await changed.until(() => ports.size >= n || exitCode !== null, `edgelb to listen (stderr: ${JSON.stringify(stderr)})`, 15000)
    if (ports.size < n) throw new Error(`edgelb did not start (exit ${exitCode}): ${stderr.join('\n')}`)
    // `run` prints its listening lines before it installs its signal handlers, so a signal sent
    // on that line alone can meet the default action (SIGUSR1 kills, SIGTTOU stops the process).
    // Wait until the kernel shows them caught.
    await until(() => exitCode !== null || catches(proc.pid, HANDLED_SIGNALS), 'edgelb to install its signal handlers', 10000)
  } catch (e) {
    await p[Symbol.asyncDispose]()
    throw e
  }
  return p
}

// --- data --------------------------------------------------------------------------------------

export function randomBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(n)
  // crypto.getRandomValues takes at most 64 KiB at a time.
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(b.subarray(i, Math.min(n, i + 65536)))
  return b
}

export function sha256(data: Uint8Array | Uint8Array[]): string {
  const h = new Bun.CryptoHasher('sha256')
  for (const c of Array.isArray(data) ? data : [data]) h.update(c)
  return h.digest('hex')
}

/** Parses an `option tcplog` line into its fields. */
export function parseTcpLog(line: string): {
  client: string; date: string; frontend: string; backend: string; server: string
  tw: number; tc: number; tt: number; bytes: number; term: string; counts: number[]; queues: number[]
} {
  const m = line.match(/^(\S+) \[(\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3})\] (\S+) ([^/\s]+)\/(\S+) (-?\d+)\/(-?\d+)\/(-?\d+) (\d+) (\S\S) (\d+)\/(\d+)\/(\d+)\/(\d+)\/(\d+) (\d+)\/(\d+)$/)
  if (!m) throw new Error(`not a tcplog line: ${JSON.stringify(line)}`)
  return {
    client: m[1]!, date: m[2]!, frontend: m[3]!, backend: m[4]!, server: m[5]!,
    tw: Number(m[6]), tc: Number(m[7]), tt: Number(m[8]), bytes: Number(m[9]), term: m[10]!,
    counts: [m[11], m[12], m[13], m[14], m[15]].map(Number), queues: [m[16], m[17]].map(Number),
  }
}
