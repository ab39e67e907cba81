/**
 * A binary upgrade of `edgelb run` (SIGURG, `edgelb reload --upgrade`): the executable now at this
 * one's path is started with the same arguments and the listening sockets (net/upgrade.ts); once it
 * serves, systemd is told it is the service (MAINPID=) and this process soft-stops: it stops
 * accepting, finishes its sessions and exits. Until then, and if the new one fails, this one serves.
 */
import { selfCommand } from '../net/runtime.ts'
import { canUpgrade, startSuccessor } from '../net/upgrade.ts'
import { servingStatus, type ReloadSetup } from './reloader.ts'

export interface UpgradeSetup extends ReloadSetup {
  /** The arguments of `run` (files and options): the new executable gets the same. */
  args: readonly string[]
  /** Set once another process serves in this one's place. */
  handedOver: boolean
  /** Set while a new executable is starting. */
  starting: boolean
}

/** How long the new executable has to bind and say it serves. */
const READY_WITHIN_MS = 60_000

/** Starts the upgrade; the outcome is told on stderr and to systemd. */
export function upgrade(u: UpgradeSetup): void {
  const { io, notifier, generations: gens } = u
  const refuse = (why: string): void => {
    io.err(`edgelb: upgrade refused: ${why}; this process goes on serving`)
    notifier.status(`upgrade refused: ${why}; still ${servingStatus(gens.current)}`)
  }
  if (u.starting || u.handedOver) return refuse(u.handedOver ? 'this process has handed over already' : 'an upgrade is under way')
  if (!canUpgrade) return refuse('this runtime cannot hand its sockets to a new process (run the edgelb executable)')
  if (u.chroot !== undefined) return refuse(`edgelb is confined to ${u.chroot} (chroot), where the executable cannot be reached; restart it instead`)
  if (gens.current.config.programs.length > 0) return refuse('the configuration has program sections, which a new process cannot take over; restart instead')
  const sockets = gens.listeners.sockets()
  const unix = sockets.filter((s) => s.addr.family === 'unix' && s.name === undefined)
  if (unix.length > 0) return refuse(`unix sockets edgelb bound itself (${unix.map((s) => s.addr.family === 'unix' ? s.addr.path : '').join(', ')}) lose their path when this process stops listening; restart instead, or have systemd bind them (conf/edgelb.socket)`)
  const fds: { fd: number; name: string | undefined }[] = []
  for (const s of sockets) if (s.fd !== undefined) fds.push({ fd: s.fd, name: s.name })
  for (const s of gens.listeners.idleInherited()) fds.push({ fd: s.fd, name: s.name })
  const argv = [...selfCommand(), 'run', ...u.args]
  const env: Record<string, string | undefined> = { ...io.env }
  if (notifier.socketPath !== undefined) env.NOTIFY_SOCKET = notifier.socketPath
  if (notifier.watchdogUsec !== undefined) env.WATCHDOG_USEC = notifier.watchdogUsec
  notifier.reloading(`upgrading: starting ${argv.join(' ')}`)
  io.err(`edgelb: upgrading: starting ${argv.join(' ')} with ${fds.length} listening socket${fds.length === 1 ? '' : 's'} (fd ${fds.map((f) => f.fd).join(', ')})`)
  let next
  try {
    next = startSuccessor(argv, env, fds, READY_WITHIN_MS)
  } catch (e) {
    notifier.ready(`upgrade failed: ${(e as Error).message}; still ${servingStatus(gens.current)}`)
    io.err(`edgelb: upgrade failed: ${(e as Error).message}; this process goes on serving`)
    return
  }
  u.starting = true
  next.ready.then(() => {
    u.starting = false
    u.handedOver = true
    notifier.handOver(next.pid, `process ${next.pid} serves (upgrade); ${process.pid} finishes its sessions`)
    notifier.close()
    io.err(`edgelb: upgrade: process ${next.pid} serves now; this one (${process.pid}) stops listening and finishes its sessions`)
    gens.softStop()
    u.threads?.softStop()
  }, (e: Error) => {
    u.starting = false
    notifier.ready(`upgrade failed: ${e.message}; still ${servingStatus(gens.current)}`)
    io.err(`edgelb: upgrade failed: ${e.message}; this process goes on serving`)
  })
}
