/**
 * The runtime adapter: listening, connecting, signals and inherited file descriptors go through
 * here, so the rest of edgelb is plain TypeScript that never names a runtime. The implementation
 * is chosen once, at load, by the runtime that is running: net/bun.ts (the executable, `bun
 * src/main.ts`) or net/deno.ts (`deno task run`). The exported functions are the chosen
 * runtime's own, not wrappers: a call costs what it costs there.
 */
import { bun } from './bun.ts'
import { deno } from './deno.ts'
import { onProcessSignal, type SignalName } from './signals.ts'
import type { ConnectTarget, Listener, ListenOptions, ListenTarget, NotifySocket, Pipe, Runtime, Sock, SockHandlers, StartTls, TlsContext, TlsContextSpec, TlsFacts, UnixDgramSocket } from './types.ts'

export type { ConnectTarget, Listener, ListenOptions, ListenTarget, NotifySocket, Pipe, Sock, SockHandlers, StartTls, TlsConnect, TlsContext, TlsContextSpec, TlsFacts, TlsListen, UnixDgramSocket } from './types.ts'
export type { SignalName } from './signals.ts'

function missing(): never {
  throw new Error('edgelb needs the Bun or the Deno runtime for its sockets (run the edgelb executable, bun src/main.ts, or deno task run)')
}

const runtime: Runtime = bun ?? deno ?? { name: 'none', listen: missing, connect: missing, selfCommand: missing, execWithRuntimeSettings: () => undefined, onSignal: onProcessSignal, tlsContext: missing, tlsFacts: () => null, startTls: missing }

/** The running runtime's name: 'bun' or 'deno'. */
export const runtimeName: string = runtime.name

/** Binds and listens. Throws an Error naming the address and the OS error when the bind fails. */
export const listen: <T>(target: ListenTarget, handlers: SockHandlers<T>, options?: ListenOptions) => Listener = runtime.listen

/** Starts a connection; its outcome arrives on `handlers.open` or `handlers.connectError`. */
export const connect: <T>(target: ConnectTarget, data: T, handlers: SockHandlers<T>) => void = runtime.connect

/**
 * The command that runs this same edgelb again (for worker processes and `program` sections):
 * the executable alone when compiled, else the runtime plus the entry script (`bun src/main.ts`,
 * `deno run <its permissions> src/main.ts`).
 */
export const selfCommand: () => string[] = runtime.selfCommand

/**
 * Runs this very command again in place (execve: same pid, same open files, same arguments `argv`)
 * with the runtime settings that only the environment can give (net/bun.ts: Bun's GC timer),
 * when they are not there yet. Returns only when nothing was done: another runtime, settings
 * already there, or an exec that failed: then the reason, in one line, and the process goes on
 * with the runtime's defaults. For the commands that serve traffic; call it before anything is
 * opened or written.
 */
export const execWithRuntimeSettings: (argv: readonly string[]) => string | undefined = runtime.execWithRuntimeSettings

/** Opens a datagram socket to the service manager's NOTIFY_SOCKET (net/sd-notify.ts); undefined
 *  when the runtime has no way to (Deno: no unix datagram sockets without unstable flags). */
export const openNotifySocket: ((path: string) => Promise<NotifySocket>) | undefined = runtime.openNotifySocket

/** Opens a datagram socket that sends to a unix socket path (`log /dev/log`); undefined when the
 *  runtime has no way to (Deno: no unix datagram sockets without unstable flags). */
export const openUnixDgram: ((path: string) => Promise<UnixDgramSocket>) | undefined = runtime.openUnixDgram

/** A full collection of the heap, now; nothing where the runtime offers none (Deno). */
/** See `Runtime.readInto`: -1 always where the runtime has no such path. */
export const readInto: (s: Sock<unknown>, into: Uint8Array) => number = runtime.readInto ?? ((): number => -1)
/** See `Runtime.setBuffers`: false where the runtime cannot. */
export const setBuffers: (s: Sock<unknown> | null, rcv: number, snd: number) => boolean = runtime.setBuffers ?? ((): boolean => false)
/** See `Runtime.openPipe`, `closePipe`, `splice`: null, nothing and -1 where the runtime cannot. */
export const openPipe: () => Pipe | null = runtime.openPipe ?? ((): null => null)
export const closePipe: (p: Pipe) => void = runtime.closePipe ?? ((): void => {})
export const splice: (from: Sock<unknown>, to: Sock<unknown>, p: Pipe, max: number) => number = runtime.splice ?? ((): number => -1)
/** Whether the runtime has `readInto` at all. */
export const canReadInto: boolean = runtime.readInto !== undefined

export const collectGarbage: () => void = runtime.collectGarbage ?? ((): void => {})

/** Installs a signal handler; returns a function that removes it. */
export const onSignal: (name: SignalName, fn: () => void) => () => void = runtime.onSignal

/** Makes a TLS context of `spec`, checked by the runtime's TLS library: throws an Error with its
 *  reason (a key that does not match its certificate, an unknown cipher or curve), or when the
 *  runtime has no TLS (Deno, for now). */
export const tlsContext: (spec: TlsContextSpec) => TlsContext = runtime.tlsContext

/** What TLS negotiated on a socket (null: not TLS, or its handshake is not done). */
export const tlsFacts: (s: Sock<unknown>) => TlsFacts | null = runtime.tlsFacts

/** Starts TLS on a socket a `startsTls` listener accepted, once what came before the handshake (a
 *  PROXY header) was read; returns the TLS socket (types.ts, `Runtime.startTls`). Throws when the
 *  runtime has no TLS (Deno, for now). */
export const startTls: <T>(s: Sock<unknown>, handlers: SockHandlers<T>, o: StartTls<T>) => Sock<T> = runtime.startTls
