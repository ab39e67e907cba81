/**
 * Helpers for the health-check scenarios: the `listen` sections they check through, servers the
 * test turns off and on at the same port, waits on the engine's state-change lines, and lines
 * made comparable (check durations vary).
 */
import type { Server } from '../../src/backend/server.ts'
import { cfg, closedPort, startServer, until, type Behavior, type Lb, type TestServer } from './harness.ts'

/** A `global` section that sends the log lines (state changes) to the test's sink. */
export const LOGGED_GLOBAL = 'global\n  log stdout format raw local0\n'

/** A `listen NAME` section on a free port with the scenarios' timeouts (connect 1s, client and
 *  server 5s), with `log global` when `log`; then `body`, its options and servers. */
export function listenSection(name: string, body: string, log: boolean): string {
  const own = body.split('\n').filter((l) => l.trim() !== '').map((l) => `  ${l.trim()}`).join('\n')
  return `listen ${name}\n  bind 127.0.0.1:0\n${log ? '  log global\n' : ''}  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n${own}\n`
}

/** `listen web` (listenSection) whose options and servers are the lines written in the template. */
export function listenWeb(strings: TemplateStringsArray, ...values: unknown[]): string {
  return listenSection('web', cfg(strings, ...values), false)
}

/** The same, logging its state changes to the test (LOGGED_GLOBAL). */
export function listenWebLogged(strings: TemplateStringsArray, ...values: unknown[]): string {
  return LOGGED_GLOBAL + listenSection('web', cfg(strings, ...values), true)
}

/** `frontend fe` in front of `backend app` (log global), whose one server s1 refuses and is
 *  checked every 100 ms, so it goes DOWN and app has no server; `global` is `quiet` then `logs`. */
export function refusedAppConfig(logs: string[]): string {
  return cfg`
    global
      quiet
      ${logs.join('\n      ')}
    frontend fe
      bind 127.0.0.1:0
      timeout client 5s
      default_backend app
    backend app
      log global
      timeout connect 1s
      timeout server 5s
      server s1 127.0.0.1:${closedPort()} check inter 100`
}

export function serverOf(lb: Lb, be: string, name: string): Server {
  const s = lb.backend(be).findServer(name)
  if (!s) throw new Error(`no server ${be}/${name}`)
  return s
}

/** The log lines (not the `[WARNING]` stderr copies) with check durations as `Nms`. */
export function stateLines(lb: Lb): string[] {
  // Not the alerts on stderr ('[…'), nor the `Connect from` line of each accepted connection.
  return lb.logs.filter((l) => !l.startsWith('[') && !l.startsWith('Connect from')).map((l) => l.replace(/check duration: \d+ms/, 'check duration: Nms'))
}

/** Waits for a log line matching `re` (after the first `skip` lines) and returns it. */
export async function waitLine(lb: Lb, re: RegExp, ms = 5000, skip = 0): Promise<string> {
  let hit = ''
  await lb.logged.until(() => {
    const l = lb.logs.slice(skip).find((x) => !x.startsWith('[') && re.test(x))
    if (l !== undefined) hit = l
    return l !== undefined
  }, `a line matching ${re} (have ${JSON.stringify(lb.logs)})`, ms)
  return hit
}

/** Waits until `s` has run `n` more health checks than it had when called. */
export async function nextChecks(s: Server, n = 1, ms = 5000): Promise<void> {
  const target = s.counters.checks + n
  await until(() => s.counters.checks >= target, `${s.name} to run ${n} more check(s) (at ${s.counters.checks})`, ms)
}

/** A TCP server that can be turned off (connections refused) and on again on the same port. */
export class Flippable implements AsyncDisposable {
  readonly name: string
  readonly port: number
  readonly behavior: Behavior
  server: TestServer | null
  /** Every incarnation, for cleanup (connections accepted before off() live on). */
  readonly #all: TestServer[] = []

  constructor(name: string, behavior: Behavior = 'tag') {
    this.name = name
    this.behavior = behavior
    this.server = startServer(name, behavior)
    this.#all.push(this.server)
    this.port = this.server.port
  }

  get on(): boolean {
    return this.server !== null
  }

  off(): void {
    this.server?.close()
    this.server = null
  }

  turnOn(): TestServer {
    if (this.server === null) {
      this.server = startServer(this.name, this.behavior, { port: this.port })
      this.#all.push(this.server)
    }
    return this.server
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const s of this.#all) await s[Symbol.asyncDispose]()
  }
}
