/**
 * Child processes for the benchmarks: spawn, wait for a TCP port, read CPU time and RSS from
 * /proc, stop. Every process spawned here is registered and killed by `killAll()`, which the
 * scripts call from `finally`, from SIGINT/SIGTERM handlers, and from process exit.
 */
import { openSync, closeSync, readFileSync, readdirSync, existsSync } from 'node:fs'
import { connect } from 'node:net'
import { cpuSeconds, rssKiB } from '../../src/loadtest/proc-stats.ts'

export interface Child {
  name: string
  pid: number
  proc: ReturnType<typeof Bun.spawn>
  log: string
}

const live = new Set<Child>()

/** Spawns `cmd` with stdout+stderr appended to `log`. */
export function spawn(name: string, cmd: string[], log: string, env?: Record<string, string>): Child {
  const fd = openSync(log, 'a')
  try {
    const proc = Bun.spawn({ cmd, stdin: 'ignore', stdout: fd, stderr: fd, env: env ? { ...process.env, ...env } : process.env })
    const c: Child = { name, pid: proc.pid, proc, log }
    live.add(c)
    proc.exited.then(() => live.delete(c))
    return c
  } finally {
    closeSync(fd)
  }
}

/** Runs a command to completion and returns its stdout (throws with stderr on failure). */
export async function run(cmd: string[]): Promise<string> {
  const proc = Bun.spawn({ cmd, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  const c: Child = { name: cmd[0]!, pid: proc.pid, proc, log: '' }
  live.add(c)
  try {
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
    if (code !== 0) throw new Error(`${cmd.join(' ')} exited ${code}: ${err.trim() || out.trim()}`)
    return out
  } finally {
    live.delete(c)
  }
}

export function tail(path: string, lines = 15): string {
  if (!existsSync(path)) return ''
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
}

/** Resolves once 127.0.0.1:port accepts a connection; throws if `child` exits or time runs out. */
export async function waitPort(port: number, child: Child, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (child.proc.exitCode !== null) throw new Error(`${child.name} exited (${child.proc.exitCode}) before listening:\n${tail(child.log)}`)
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true) })
      s.on('error', () => { s.destroy(); resolve(false) })
    })
    if (ok) return
    await Bun.sleep(50)
  }
  throw new Error(`${child.name} not listening on 127.0.0.1:${port} after ${timeoutMs} ms:\n${tail(child.log)}`)
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stop(c: Child, graceMs = 3000): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) { live.delete(c); return }
  c.proc.kill('SIGTERM')
  const t = setTimeout(() => { try { c.proc.kill('SIGKILL') } catch {} }, graceMs)
  await c.proc.exited
  clearTimeout(t)
  live.delete(c)
}

function gone(pid: number): boolean {
  try { return /^\S+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')) } catch { return true }
}

/** Stops every live child synchronously: SIGTERM (so nginx's master takes its worker down with
 *  it), up to 1 s to go, then SIGKILL. For exit paths that cannot await. */
export function killAllNow(): void {
  for (const c of live) { try { c.proc.kill('SIGTERM') } catch {} }
  const end = Date.now() + 1000
  while (Date.now() < end && [...live].some((c) => !gone(c.pid))) Bun.sleepSync(20)
  for (const c of live) { if (!gone(c.pid)) { try { c.proc.kill('SIGKILL') } catch {} } }
  live.clear()
}

export async function killAll(): Promise<void> {
  await Promise.all([...live].map((c) => stop(c, 2000)))
}

/** The process and all its descendants (nginx's master and its workers), from /proc. */
export function processTree(pid: number): number[] {
  const out = [pid]
  for (let i = 0; i < out.length; i++) {
    try {
      for (const tid of readdirSync(`/proc/${out[i]}/task`)) {
        const kids = readFileSync(`/proc/${out[i]}/task/${tid}/children`, 'utf8').trim()
        if (kids !== '') out.push(...kids.split(/\s+/).map(Number))
      }
    } catch {}
  }
  return out
}

/** utime+stime of a process and its descendants, in seconds (src/loadtest/proc-stats.ts per process). */
export function treeCpuSeconds(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + (cpuSeconds(p) ?? 0), 0)
}

/** VmRSS of a process and its descendants, KiB. */
export function treeRssKiB(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + (rssKiB(p) ?? 0), 0)
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): number {
  const l = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const p = l.port
  l.stop(true)
  return p
}

/** Installs SIGINT/SIGTERM/exit handlers that kill every child; call once at startup. */
export function installCleanup(onSignal?: () => void): void {
  const bye = (sig: string) => {
    process.stderr.write(`\n${sig}: stopping every process the benchmark started\n`)
    killAllNow()
    onSignal?.()
    process.exit(130)
  }
  process.on('SIGINT', () => bye('SIGINT'))
  process.on('SIGTERM', () => bye('SIGTERM'))
  process.on('exit', () => killAllNow())
}
