/**
 * The admin sockets (`stats socket ADDRESS [level L] [mode M] [user U] [group G]` in `global`):
 * HAProxy's stats socket in its non-interactive form. A client sends a command line (commands
 * separated by `;`; a line ending in `<<` is followed by payload lines up to an empty line),
 * receives every answer, each ending with an empty line, and the connection closes.
 *
 *   open --line (and payload)--> run --answers written--> closed
 */
import { chmodSync, chownSync, rmSync } from 'node:fs'
import { parseBindSpec } from '../model/address.ts'
import type { GlobalConfig } from '../model/types.ts'
import { listenTarget } from '../net/listen-target.ts'
import { listen, type Listener, type Sock, type SockHandlers } from '../net/runtime.ts'
import type { Engine } from '../proxy/engine.ts'
import { runCommandLine } from './commands.ts'
import { parseStatsSocketOptions, type StatsSocketLevel } from '../model/stats-socket.ts'

interface Conn {
  engine: Engine
  level: StatsSocketLevel
  buf: string
  done: boolean
  /** Answer bytes the socket did not take yet; the connection ends once they are out. */
  out: Uint8Array | null
}

/** Writes what is left of the answer; ends the connection once all of it is out. */
function flush(s: Sock<Conn>): void {
  const c = s.data
  const out = c.out
  if (out === null) return
  const n = s.write(out)
  if (n < 0) { c.out = null; return }
  if (n < out.length) { c.out = out.subarray(n); return }
  c.out = null
  s.end()
}

const handlers: SockHandlers<Conn> = {
  open() {},
  data(s, chunk) {
    const c = s.data
    if (c.done) return
    c.buf += chunk.toString('latin1')
    const nl = c.buf.indexOf('\n')
    if (nl < 0) return
    const line = c.buf.slice(0, nl).replace(/\r$/, '')
    let payload: string | undefined
    let cmd = line
    if (/(^|\s)<<$/.test(line)) {
      // The payload ends at an empty line.
      const end = c.buf.indexOf('\n\n', nl)
      if (end < 0) return
      payload = c.buf.slice(nl + 1, end)
      cmd = line.replace(/\s*<<$/, '')
    }
    c.done = true
    let out: string
    try {
      out = runCommandLine(cmd, { engine: c.engine, level: c.level, experimental: false }, payload)
    } catch (e) {
      out = `Internal error: ${(e as Error).message}\n\n`
    }
    c.out = Buffer.from(out, 'latin1')
    flush(s)
  },
  drain(s) { flush(s) },
  end(s) { s.end() },
  close() {},
  error() {},
}

/** The admin sockets of `global`, listening; `close()` stops them (and removes unix socket files). */
export class AdminSockets {
  readonly #listeners: Listener[] = []
  readonly #files: string[] = []

  constructor(engine: Engine, sockets: GlobalConfig['statsSockets']) {
    try {
      for (const sock of sockets) {
        const spec = parseStatsSocketOptions(sock.options)
        for (const addr of parseBindSpec(sock.address, sock.pos)) {
          if (addr.family === 'unix') rmSync(addr.path, { force: true })
          const conn: SockHandlers<Conn> = { ...handlers, open(s: Sock<Conn>) { s.data = { engine, level: spec.level, buf: '', done: false, out: null } } }
          this.#listeners.push(listen(listenTarget(addr), conn))
          if (addr.family === 'unix') {
            this.#files.push(addr.path)
            if (spec.mode !== undefined) chmodSync(addr.path, spec.mode)
            if (spec.uid !== undefined || spec.gid !== undefined) chownSync(addr.path, spec.uid ?? -1, spec.gid ?? -1)
          }
        }
      }
    } catch (e) {
      this.close()
      throw new Error(`stats socket: ${(e as Error).message}`)
    }
  }

  /** The TCP ports bound, in order (0 for unix and inherited sockets). */
  get ports(): number[] {
    return this.#listeners.map((l) => l.port)
  }

  close(): void {
    for (const l of this.#listeners) l.stop()
    this.#listeners.length = 0
    for (const f of this.#files) rmSync(f, { force: true })
    this.#files.length = 0
  }
}
