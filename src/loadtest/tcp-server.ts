/**
 * The built-in TCP backend (`edgelb serve --tcp`, `edgelb bench --mode tcp`): a line protocol,
 * request/response in the manner of netperf's TCP_RR. Every line the client sends (ended by
 * `\n`) is answered with one response: `--size` bytes (default: `hello from NAME\n`), after
 * `--delay` ms. A person can try it with `nc HOST PORT`.
 *
 *   reading --n lines--> [delay] --> writing n responses --all out--> reading
 */
import type { ListenTarget, Sock } from '../net/runtime.ts'
import { BuiltinServerBase, BuiltinConn, writeAnswer, writeRest, type BuiltinServer, type ConnHandlers, type ServerOptions } from './builtin-server.ts'
import { bodyFor } from './response-spec.ts'

class TcpServer extends BuiltinServerBase<TcpConn> {
  readonly response: Uint8Array

  constructor(opts: ServerOptions) {
    super(opts)
    this.response = bodyFor(opts.name, opts.size)
  }
}

class TcpConn extends BuiltinConn {
  readonly server: TcpServer
  /** Lines received and not answered yet (while delaying or writing). */
  owed = 0
  constructor(server: TcpServer, s: Sock<TcpConn>) {
    super(() => answer(s))
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
  if (writeAnswer(s, bytes) && c.closeAfter) s.end()
}

/** Answers the lines owed: now, or once --delay has passed. */
function answerOwed(s: Sock<TcpConn>): void {
  const c = s.data
  const delay = c.server.opts.delay
  if (delay > 0) c.delay(delay)
  else answer(s)
}

const tcpHandlers: ConnHandlers<TcpConn> = {
  data(s, chunk) {
    const c = s.data
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) c.owed++
    if (c.busy || c.owed === 0) return
    answerOwed(s)
  },
  drain(s) {
    if (!writeRest(s)) return
    const c = s.data
    s.resume()
    if (c.owed > 0) answerOwed(s)
    else if (c.closeAfter) s.end()
  },
  end(s) {
    const c = s.data
    c.closeAfter = true
    if (!c.busy && c.owed === 0) s.end()
  },
}

/** Starts a built-in TCP line server on `target`. */
export function serveTcp(target: ListenTarget, opts: ServerOptions): BuiltinServer {
  const server = new TcpServer(opts)
  return server.listen(target, tcpHandlers, (s) => new TcpConn(server, s))
}
