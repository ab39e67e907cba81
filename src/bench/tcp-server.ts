/**
 * The built-in TCP backend (`edgelb serve --tcp`, `edgelb bench --mode tcp`): a line protocol,
 * request/response in the manner of netperf's TCP_RR. Every line the client sends (ended by
 * `\n`) is answered with one response: `--size` bytes (default: `hello from NAME\n`), after
 * `--delay` ms. A person can try it with `nc HOST PORT`.
 *
 *   reading --n lines--> [delay] --> writing n responses --all out--> reading
 */
import { listen, type ListenTarget, type Sock, type SockHandlers, type Listener } from '../net/runtime.ts'
import type { BuiltinServer, ServerOptions } from './http-server.ts'
import { bodyFor } from './response-spec.ts'

class TcpServer implements BuiltinServer {
  readonly opts: ServerOptions
  readonly response: Uint8Array
  readonly conns = new Set<Sock<TcpConn>>()
  requests = 0
  #listener: Listener | null = null

  constructor(opts: ServerOptions) {
    this.opts = opts
    this.response = bodyFor(opts.name, opts.size)
  }

  get port(): number {
    return this.#listener?.port ?? 0
  }

  start(target: ListenTarget): void {
    const server = this
    this.#listener = listen(target, { ...tcpHandlers, open(s) { s.data = new TcpConn(server); server.conns.add(s) } }, { backlog: 4096 })
  }

  stop(): void {
    this.#listener?.stop()
    this.#listener = null
    for (const s of this.conns) s.terminate()
    this.conns.clear()
  }
}

class TcpConn {
  readonly server: TcpServer
  /** Lines received and not answered yet (while delaying or writing). */
  owed = 0
  out: Uint8Array | null = null
  busy = false
  closeAfter = false
  timer: ReturnType<typeof setTimeout> | undefined
  constructor(server: TcpServer) {
    this.server = server
  }
}

function answer(s: Sock<TcpConn>): void {
  const c = s.data
  const n = c.owed
  if (n === 0) { if (c.closeAfter) s.end(); return }
  c.owed = 0
  c.server.requests += n
  const one = c.server.response
  let bytes = one
  if (n > 1) {
    bytes = new Uint8Array(one.length * n)
    for (let k = 0; k < n; k++) bytes.set(one, k * one.length)
  }
  const w = s.write(bytes)
  if (w < 0) return
  if (w < bytes.length) {
    c.out = bytes.subarray(w)
    c.busy = true
    s.pause()
    return
  }
  if (c.closeAfter) s.end()
}

function later(s: Sock<TcpConn>): void {
  const c = s.data
  c.busy = true
  c.timer = setTimeout(() => {
    c.timer = undefined
    c.busy = false
    answer(s)
  }, c.server.opts.delay)
}

const tcpHandlers: SockHandlers<TcpConn> = {
  data(s, chunk) {
    const c = s.data
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) c.owed++
    if (c.busy || c.owed === 0) return
    if (c.server.opts.delay > 0) later(s)
    else answer(s)
  },
  drain(s) {
    const c = s.data
    if (c.out === null) return
    const w = s.write(c.out)
    if (w < 0) return
    if (w < c.out.length) { c.out = c.out.subarray(w); return }
    c.out = null
    c.busy = false
    s.resume()
    if (c.owed > 0) { if (c.server.opts.delay > 0) later(s); else answer(s) }
    else if (c.closeAfter) s.end()
  },
  end(s) {
    const c = s.data
    c.closeAfter = true
    if (!c.busy && c.owed === 0) s.end()
  },
  close(s) {
    const c = s.data
    if (c?.timer !== undefined) clearTimeout(c.timer)
    c?.server.conns.delete(s)
  },
}

/** Starts a built-in TCP line server on `target`. */
export function serveTcp(target: ListenTarget, opts: ServerOptions): BuiltinServer {
  const s = new TcpServer(opts)
  s.start(target)
  return s
}
