/**
 * Binary upgrade: the running edgelb starts the executable now at its path (a new version) with
 * its listening sockets, and leaves the place to it once it serves, as HAProxy's master passes its
 * sockets on when it re-executes itself.
 *
 *   old: spawn(new, its sockets at the same descriptor numbers, EDGELB_LISTEN_FDS=3=http,7,…)
 *   new: takes them (net/inherited.ts: `bind` lines adopt them by address, fd@N, systemd@NAME),
 *        binds, says "ready" on the IPC channel, lets the channel go
 *   old: MAINPID=new to systemd, then soft stop: stops accepting, finishes its sessions, exits
 *   Both accept on the same sockets for a moment; the kernel's queue is never closed: nothing is
 *   refused. If the new one exits or does not get ready in time, the old one goes on serving.
 *
 * Why not pass them over a unix socket (SCM_RIGHTS, HAProxy's `-x`): neither runtime can send or
 * receive descriptors on a socket. Why not execve in place: Bun's execve closes every descriptor
 * above stderr. Bun.spawn keeps those given in `stdio` at the index they are given: each socket is
 * placed at its own number, so `bind fd@N` means the same socket in both processes.
 */
import { UPGRADE_FDS_ENV } from './inherited.ts'

export const UPGRADE_FROM_ENV = 'EDGELB_UPGRADE_FROM'

export interface Successor {
  readonly pid: number
  /** Resolves once it serves; rejects with why when it exits first or is not ready in `ms`. */
  readonly ready: Promise<void>
}

interface BunSpawn {
  spawn(argv: string[], options: Record<string, unknown>): { pid: number; exited: Promise<number>; kill(sig?: string): void; unref(): void }
}

/** Whether this runtime can start a successor with sockets (Bun: yes; Deno: no). */
export const canUpgrade: boolean = typeof Bun !== 'undefined'

/**
 * Starts `argv` with the sockets `fds` (each at its own number, named as `names` says) and the
 * environment `env` (plus what tells it it is a successor). Throws when it cannot start.
 */
export function startSuccessor(argv: readonly string[], env: Record<string, string | undefined>, sockets: readonly { fd: number; name: string | undefined }[], ms: number): Successor {
  if (!canUpgrade) throw new Error('a binary upgrade needs the edgelb executable (Bun): this runtime cannot hand descriptors to a new process')
  const stdio: (string | number)[] = ['inherit', 'inherit', 'inherit']
  const max = Math.max(2, ...sockets.map((s) => s.fd))
  for (let i = 3; i <= max; i++) stdio.push('ignore')
  for (const s of sockets) stdio[s.fd] = s.fd
  let readyNow: () => void = () => {}
  let failNow: (e: Error) => void = () => {}
  const ready = new Promise<void>((resolve, reject) => { readyNow = resolve; failNow = reject })
  const child = (Bun as unknown as BunSpawn).spawn([...argv], {
    stdio,
    env: { ...env, [UPGRADE_FDS_ENV]: sockets.map((s) => (s.name === undefined ? `${s.fd}` : `${s.fd}=${s.name}`)).join(','), [UPGRADE_FROM_ENV]: String(process.pid) },
    ipc(message: unknown) {
      if ((message as { edgelb?: string }).edgelb === 'ready') readyNow()
    },
  })
  const timer = setTimeout(() => { failNow(new Error(`process ${child.pid} was not ready after ${ms / 1000} s; stopped`)); child.kill('SIGTERM') }, ms)
  void child.exited.then((code) => failNow(new Error(`process ${child.pid} exited (status ${code}) before it was ready; its reasons are above`)))
  // Once it serves, this process must be free to exit before it: the child is not waited for.
  ready.then(() => { clearTimeout(timer); child.unref() }, () => clearTimeout(timer))
  return { pid: child.pid, ready }
}

/** At start: whether a running edgelb started this one to take its place (the variable is removed:
 *  the programs this one starts are no successors). */
export function takeUpgradeFrom(env: Record<string, string | undefined>): number | undefined {
  const from = env[UPGRADE_FROM_ENV]
  delete env[UPGRADE_FROM_ENV]
  return from === undefined || !/^\d+$/.test(from) || typeof process.send !== 'function' ? undefined : Number(from)
}

/** In a successor, once it serves: tells the edgelb that started it, then lets the channel go
 *  (this process outlives the other one). */
export function tellPredecessorReady(): void {
  process.send?.({ edgelb: 'ready', pid: process.pid })
  process.disconnect?.()
}
