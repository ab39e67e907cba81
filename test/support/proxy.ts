/**
 * Test support for the proxy layer's unit tests; not used at run time. A configuration from
 * HAProxy text, its backends, rules and log-format as the engine builds them, a frontend whose
 * host only counts and whose traffic lines are kept, and sessions on a client socket that keeps
 * what it is sent, so that phases run as they do in a session, without a listener.
 */
import { Backend } from '../../src/backend/backend.ts'
import { buildConfig } from '../../src/config/build.ts'
import { readHaproxy } from '../../src/config/haproxy/reader.ts'
import { createRequestParser, createResponseParser } from '../../src/http/h1-parser.ts'
import type { H1Head } from '../../src/http/types.ts'
import { formatDiagnostic } from '../../src/model/source.ts'
import type { Config } from '../../src/model/types.ts'
import { Logger } from '../../src/log/logger.ts'
import { ProxyLog } from '../../src/log/proxy-log.ts'
import type { Sock } from '../../src/net/runtime.ts'
import { compileLogFormat } from '../../src/rules/log-format.ts'
import { compileRules, type ProxyRules } from '../../src/rules/proxy.ts'
import { Frontend, type ClientSession, type FrontendHost } from '../../src/proxy/frontend.ts'
import { HttpSession } from '../../src/proxy/http-session.ts'
import { TcpSession } from '../../src/proxy/tcp-session.ts'
import { SharedCount } from '../../src/core/shared-count.ts'

/** A Config from HAProxy text; throws with the diagnostics when it has errors. */
export function configOf(text: string): Config {
  const file = 'unit.cfg'
  const read = readHaproxy(text, file)
  const built = buildConfig(read.sections, [file])
  const errors = [...read.diagnostics, ...built.diagnostics].filter((d) => d.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map(formatDiagnostic).join('\n'))
  return built.config
}

/** The run-time backend named `name` of `text` (the first backend or listen section if unnamed). */
export function backendOf(text: string, name?: string): Backend {
  const p = configOf(text).proxies.find((x) => (x.kind === 'backend' || x.kind === 'listen') && (name === undefined || x.name === name))
  if (!p) throw new Error(`no backend ${name ?? ''}`)
  return new Backend(p, { fullconn: 0 })
}

/** A parsed request (or, with `response`, response) head from its text. */
export function headOf(text: string, response = false): H1Head {
  const limits = { maxHead: 16384, maxHeaders: 101 }
  const buf = Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1')
  const r = (response ? createResponseParser(limits) : createRequestParser(limits)).parse(buf, buf.length)
  if (r.kind !== 'done') throw new Error(`bad head: ${r.kind}`)
  return r.head
}

/** Something to wait for: `until` resolves once `check()` holds, re-checked on each `notify()`;
 *  it fails after `ms` naming what was awaited. */
export class Changes {
  #waiters: { check: () => boolean; resolve: () => void }[] = []

  notify(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.check()) return true
      w.resolve()
      return false
    })
  }

  until(check: () => boolean, what: string, ms = 5000): Promise<void> {
    if (check()) return Promise.resolve()
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)
    this.#waiters.push({ check, resolve: () => { clearTimeout(t); resolve() } })
    return promise
  }
}

/** A client socket that keeps what it is sent and how it was closed. */
export class TestClient implements Sock<ClientSession> {
  data!: ClientSession
  readonly changes = new Changes()
  readonly sent: Uint8Array[] = []
  closed: 'end' | 'terminate' | null = null
  readonly remoteAddress = '192.0.2.7'
  readonly remotePort = 40000
  readonly localAddress = '198.51.100.1'
  readonly localPort = 80

  write(chunk: Uint8Array): number {
    if (this.closed) return -1
    this.sent.push(chunk)
    this.changes.notify()
    return chunk.length
  }

  shutdown(): void {}
  end(): void { this.closed ??= 'end'; this.changes.notify() }
  terminate(): void { this.closed ??= 'terminate'; this.changes.notify() }
  pause(): void {}
  resume(): void {}

  /** Everything sent, as text. */
  text(): string {
    return Buffer.concat(this.sent).toString('latin1')
  }
}

/** An HTTP server on 127.0.0.1:0 for the proxy's server connections: it keeps the bytes each
 *  connection sent (`received[i]`) and answers through `reply`, called on each packet. */
export interface TestServer extends Disposable {
  readonly port: number
  readonly received: string[]
  readonly changes: Changes
  /** Connections it accepted, and those closed since. */
  readonly accepted: number
  readonly closed: number
}

export function testServer(reply: (conn: number, received: string, sock: { write(b: string | Uint8Array): number }) => void): TestServer {
  const received: string[] = []
  const changes = new Changes()
  const counts = { accepted: 0, closed: 0 }
  const l = Bun.listen<{ i: number }>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open(s) { s.data = { i: counts.accepted++ }; received.push(''); changes.notify() },
      data(s, chunk) {
        received[s.data.i] += Buffer.from(chunk).toString('latin1')
        reply(s.data.i, received[s.data.i]!, s)
        changes.notify()
      },
      close() { counts.closed++; changes.notify() },
    },
  })
  return {
    port: l.port,
    received,
    changes,
    get accepted() { return counts.accepted },
    get closed() { return counts.closed },
    [Symbol.dispose]: () => l.stop(true),
  }
}

export interface ProxyFixture extends Disposable {
  readonly fe: Frontend
  readonly backends: ReadonlyMap<string, Backend>
  /** Traffic lines, `<level>line`, when the frontend logs (option httplog/tcplog, log-format). */
  readonly lines: string[]
  /** A new http session of the frontend, not started: phases may be run on its stream. */
  session(): { sess: HttpSession; cli: TestClient }
  /** A new tcp session of the frontend, not started. */
  tcpSession(): { sess: TcpSession; cli: TestClient }
}

/** The first frontend (or listen) of `text`, with its backends and rules. The sessions it makes
 *  are killed on dispose (their timers leave the wheel). */
export function proxyFixture(text: string): ProxyFixture {
  const config = configOf(text)
  const backends = new Map<string, Backend>()
  for (const p of config.proxies) if (p.kind === 'backend' || p.kind === 'listen') backends.set(p.name, new Backend(p, { fullconn: 0 }))
  const rules = new Map<string, ProxyRules>()
  const compiled = compileRules(config)
  for (const [name, r] of compiled.proxies) if (Object.values(r.has).some(Boolean)) rules.set(name, r)
  const host: FrontendHost = {
    actconn: 0,
    actconns: new SharedCount(),
    globalMaxconn: Number.MAX_SAFE_INTEGER,
    tune: config.global.tune,
    backendNamed: (name) => backends.get(name),
    rulesOf: (name) => rules.get(name) ?? null,
    slotFreed() {},
    nbsrv: () => 0,
    connslots: () => 0,
    beConn: () => 0,
    feConn: () => 0,
    srvIsUp: () => false,
  }
  const p = config.proxies.find((x) => x.kind === 'frontend' || x.kind === 'listen')!
  const def = p.kind === 'listen' ? p.name : p.defaultBackend
  const fe = new Frontend(p, host, def === undefined ? null : backends.get(def) ?? null, rules.get(p.name) ?? null)
  const lines: string[] = []
  if (p.logFormat !== undefined || p.options[p.mode === 'http' ? 'httplog' : 'tcplog']) {
    const writer = { write: (line: string) => { lines.push(line) }, close() {} }
    const logger = new Logger({ writer, header: (level) => `<${level}>`, maxLen: 65536, level: 7, minLevel: 0 })
    fe.trafficLog = new ProxyLog([logger], { separateErrors: p.options['log-separate-errors'] === true, dontLogNormal: false })
  }
  if (p.logFormat !== undefined) fe.logFormat = compileLogFormat(p.logFormat, { tables: compiled.tables, maps: compiled.maps, fileDir: '.', proxy: p.name, at: p.pos }, { missing: '-' })
  const made: ClientSession[] = []
  function make<S extends ClientSession>(sess: S, cli: TestClient): { sess: S; cli: TestClient } {
    cli.data = sess
    made.push(sess)
    return { sess, cli }
  }
  return {
    fe,
    backends,
    lines,
    session() {
      const cli = new TestClient()
      return make(new HttpSession(fe, cli as Sock<HttpSession>), cli)
    },
    tcpSession() {
      const cli = new TestClient()
      return make(new TcpSession(fe, cli as Sock<TcpSession>), cli)
    },
    [Symbol.dispose]() {
      for (const s of made) s.kill()
    },
  }
}
