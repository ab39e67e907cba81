/**
 * Deno's node:net sockets under the `Sock` contract, for the two things Deno.listen and
 * Deno.connect cannot do: listen on an inherited descriptor (fd@) and connect from a source
 * address. net/deno.ts uses it for those alone. node:net is loaded on first use.
 *
 * Mapping: `write()` accepts a chunk whole unless node's buffer is above its high-water mark
 * (then 0, and `drain` follows); `shutdown()` is `end()` with allowHalfOpen; `terminate()` is
 * `resetAndDestroy()` (RST); `close` comes once, before `end()` or `terminate()` returns when
 * nothing waits to be sent, else on node's own 'close'.
 */
import type * as Net from 'node:net'
import type { Listener, Sock, SockHandlers } from './types.ts'

let netModule: typeof Net | undefined
const net = (): typeof Net => (netModule ??= process.getBuiltinModule('node:net') as typeof Net)

const SOCK = Symbol('edgelb.sock')
type Tagged = Net.Socket & { [SOCK]: NodeSock<unknown> }

class NodeSock<T> implements Sock<T> {
  data: T
  readonly s: Net.Socket
  readonly h: SockHandlers<T>
  opened = false
  closed = false
  shut = false
  error: Error | undefined

  constructor(s: Net.Socket, handlers: SockHandlers<T>, data: T) {
    this.s = s
    this.h = handlers
    this.data = data
    ;(s as Tagged)[SOCK] = this as NodeSock<unknown>
    s.on('data', onData)
    s.on('drain', onDrain)
    s.on('end', onEnd)
    s.on('error', onError)
    s.on('close', onClose)
  }

  get remoteAddress(): string { return this.s.remoteAddress ?? '' }
  get remotePort(): number | undefined { return this.s.remotePort }
  get localAddress(): string | undefined { return this.s.localAddress }
  get localPort(): number | undefined { return this.s.localPort }

  write(chunk: Uint8Array): number {
    if (this.closed || this.shut) return -1
    if (this.s.writableNeedDrain) return 0
    this.s.write(chunk)
    return chunk.length
  }

  shutdown(): void {
    if (this.closed || this.shut) return
    this.shut = true
    this.s.end()
  }

  end(): void {
    if (this.closed) return
    this.shut = true
    this.s.pause()
    if (this.s.writableLength > 0) { this.s.destroySoon(); return }
    this.s.destroy()
    this.close(undefined)
  }

  terminate(): void {
    if (this.closed) return
    this.s.resetAndDestroy()
    this.close(undefined)
  }

  pause(): void { this.s.pause() }
  resume(): void { if (!this.closed) this.s.resume() }

  setNoDelay(noDelay = true): boolean {
    this.s.setNoDelay(noDelay)
    return true
  }

  setKeepAlive(enable: boolean, initialDelay = 0): boolean {
    this.s.setKeepAlive(enable, initialDelay)
    return true
  }

  close(error: Error | undefined): void {
    if (this.closed) return
    this.closed = true
    this.h.close(this, error)
  }
}

function own(s: Net.Socket): NodeSock<unknown> {
  return (s as Tagged)[SOCK]
}

function onData(this: Net.Socket, chunk: Buffer): void {
  const w = own(this)
  if (!w.closed) w.h.data(w, chunk)
}

function onDrain(this: Net.Socket): void {
  const w = own(this)
  if (!w.closed) w.h.drain(w)
}

function onEnd(this: Net.Socket): void {
  const w = own(this)
  if (w.closed) return
  // Our FIN went first: the peer's FIN ends the connection (reported as close, as Bun does).
  if (w.shut) { this.destroy(); w.close(undefined) } else w.h.end(w)
}

function onError(this: Net.Socket, e: Error): void {
  const w = own(this)
  if (!w.opened) return // connectError, from connectFrom
  w.error = e
  if (!w.closed) w.h.error?.(w, e)
}

function onClose(this: Net.Socket): void {
  const w = own(this)
  if (w.opened) w.close(w.error)
}

function onConnect(this: Net.Socket): void {
  const w = own(this)
  w.opened = true
  w.h.open?.(w)
}

function onConnectError(this: Net.Socket, e: Error): void {
  const w = own(this)
  if (w.opened || w.closed) return
  w.closed = true
  w.h.connectError?.(w, e)
}

/** Connects to host:port from `localAddress`. */
export function connectFrom<T>(target: { host: string; port: number; localAddress: string }, data: T, handlers: SockHandlers<T>): void {
  const s = net().connect({ host: target.host, port: target.port, localAddress: target.localAddress, allowHalfOpen: true, noDelay: true })
  new NodeSock<T>(s, handlers, data)
  s.once('connect', onConnect)
  s.once('error', onConnectError)
}

/** Listens on the inherited socket `fd`. node:net takes it in a callback, after this returns, and
 *  Deno cannot inspect the descriptor before: an error (not a socket, not open) goes to stderr. */
export function listenFd<T>(fd: number, handlers: SockHandlers<T>): Listener {
  const server = net().createServer({ allowHalfOpen: true, noDelay: true }, (s) => {
    const w = new NodeSock<T>(s, handlers, undefined as T)
    w.opened = true
    handlers.open?.(w)
  })
  server.on('error', (e) => { process.stderr.write(`edgelb: fd@${fd}: ${(e as Error).message}\n`) })
  server.listen({ fd })
  return { port: 0, stop: () => { server.close() } }
}
