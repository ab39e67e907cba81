/**
 * The runtime API's listeners (`stats socket`): a unix socket (its file mode and owner applied, a stale
 * socket file replaced) or a TCP address, each with its level. A connection is a CliSession
 * (session.ts) in `socket.data`; `stats timeout` (10 s by default) closes one that stays idle.
 * Output the client does not take at once waits in a ByteQueue until it drains.
 */
import { chmodSync, chownSync, lstatSync, unlinkSync } from 'node:fs'
import { ByteQueue, CLOSED, FLUSHED } from '../core/byte-queue.ts'
import { now } from '../core/clock.ts'
import { Timer } from '../core/timer-wheel.ts'
import { wheel } from '../core/wheel.ts'
import type { GlobalConfig } from '../model/types.ts'
import { parseStatsSocket, type StatsSocketSpec } from '../model/stats-socket.ts'
import { listenTarget } from '../net/listen-target.ts'
import { listen, type Listener, type Sock, type SockHandlers } from '../net/runtime.ts'
import type { Engine } from '../proxy/engine.ts'
import type { MasterHooks } from './master-cli.ts'
import { CliSession } from './session.ts'

const DEFAULT_TIMEOUT = 10_000

/** One connection: its session, what waits to be written, its idle deadline. */
interface CliConn {
  readonly session: CliSession
  readonly out: ByteQueue
  readonly timer: Timer
  readonly timeout: number
  closing: boolean
}

function send(s: Sock<CliConn>, text: string): void {
  const c = s.data
  if (text !== '') c.out.push(Buffer.from(text, 'latin1'))
  const r = c.out.flush(s)
  if (r === CLOSED) return
  if (r === FLUSHED && c.session.ended && !c.closing) {
    c.closing = true
    s.end()
  }
}

function rearm(c: CliConn): void {
  wheel.schedule(c.timer, now() + c.timeout)
}

const handlers: Omit<SockHandlers<CliConn>, 'open'> = {
  data(s, chunk) {
    rearm(s.data)
    send(s, s.data.session.input(chunk.toString('latin1')))
    // Following (`show events -w`): no idle timeout; it lasts until the client leaves.
    if (s.data.session.following) wheel.cancel(s.data.timer)
  },
  drain(s) {
    send(s, '')
  },
  end(s) {
    send(s, s.data.session.end())
  },
  close(s) {
    wheel.cancel(s.data.timer)
    s.data.out.clear()
    s.data.session.close()
  },
  error() {},
}

export interface StatsSockets {
  /** Where each socket listens, as configured. */
  readonly addresses: readonly string[]
  /** Stops listening (live connections finish) and removes the unix socket files. */
  close(): void
}

/** Listens on every `stats socket` of `global`. Throws, after closing what it opened, when one
 *  cannot listen. */
export function startStatsSockets(engine: Engine | (() => Engine), global: GlobalConfig): StatsSockets {
  return openCliSockets(engine, global.statsSockets.map((line) => ({ spec: parseStatsSocket(line.address, line.options, line.pos), address: line.address, uid: line.uid, gid: line.gid })), global.statsTimeout ?? DEFAULT_TIMEOUT)
}

/** Listens on the master CLI (`-S ADDRESS[,OPTION…]`, as HAProxy's command line writes it:
 *  `-S /run/edgelb-master.sock,mode,600`). Throws when it cannot listen. */
export function startMasterSocket(engine: () => Engine, arg: string, hooks: MasterHooks): StatsSockets {
  const [address = '', ...options] = arg.split(',')
  const spec = parseStatsSocket(address, [...options, 'level', 'admin'], { file: '-S', line: 0 })
  return openCliSockets(engine, [{ spec, address }], DEFAULT_TIMEOUT, hooks)
}

/** One socket to open: its settings, as written, and the owner its file is given (uid, gid). */
interface CliSocketLine {
  spec: StatsSocketSpec
  address: string
  uid?: number | undefined
  gid?: number | undefined
}

function openCliSockets(engine: Engine | (() => Engine), specs: readonly CliSocketLine[], timeout: number, master?: MasterHooks): StatsSockets {
  const open: { l: Listener; spec: StatsSocketSpec }[] = []
  const closeAll = (): void => {
    for (const { l, spec } of open) {
      l.stop()
      if (spec.addr.family === 'unix') removeSocketFile(spec.addr.path)
    }
    open.length = 0
  }
  try {
    for (const line of specs) {
      const spec = line.spec
      if (spec.addr.family === 'unix') removeSocketFile(spec.addr.path)
      // A getter: after a reload, commands reach the generation serving then.
      const ctx = { get engine(): Engine { return typeof engine === 'function' ? engine() : engine }, level: spec.level, master }
      const l = listen(listenTarget(spec.addr), {
        ...handlers,
        open(s: Sock<CliConn>) {
          const c: CliConn = { session: new CliSession(ctx), out: new ByteQueue(), timer: new Timer(() => s.terminate()), timeout, closing: false }
          c.session.onPush = (text) => { if (!c.closing) send(s, text) }
          s.data = c
          rearm(c)
        },
      })
      open.push({ l, spec })
      if (spec.addr.family === 'unix' && spec.mode !== undefined) chmodSync(spec.addr.path, spec.mode)
      if (spec.addr.family === 'unix' && (line.uid !== undefined || line.gid !== undefined)) {
        // Fail closed: a socket that cannot be given to its owner is not served.
        try {
          chownSync(spec.addr.path, line.uid ?? -1, line.gid ?? -1)
        } catch (e) {
          throw new Error(`cannot give ${spec.addr.path} to uid ${line.uid ?? '-'} gid ${line.gid ?? '-'}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
        }
      }
    }
  } catch (e) {
    closeAll()
    throw new Error(`${master !== undefined ? 'master CLI' : 'stats socket'}: ${(e as Error).message}`)
  }
  return { addresses: specs.map((s) => s.address), close: closeAll }
}

/** Removes a socket file left by an earlier run (never a file of another kind). */
function removeSocketFile(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path)
  } catch {
    // absent: nothing to remove
  }
}
