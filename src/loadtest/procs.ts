/**
 * The processes `edgelb bench` starts (built-in backends, the proxy): this same edgelb with
 * another command, stderr watched for its "listening on" line, stopped with SIGTERM (SIGKILL if
 * it lingers). Every process started here is stopped by `stopAll()`, which the runner calls in
 * `finally` and on SIGINT.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { connect } from 'node:net'
import { MASTER_ENV } from '../master/programs.ts'
import { selfCommand } from '../net/runtime.ts'

export interface Proc {
  readonly name: string
  readonly child: ChildProcess
  readonly pid: number
  /** stderr so far (bounded), for error messages. */
  log(): string
  /** Resolves with the first address of the first stderr line matching `re` (group 1). */
  waitLine(re: RegExp, ms?: number): Promise<string>
  stop(): Promise<void>
}

const live = new Set<Proc>()

/** Starts `edgelb ARGS…` (the same executable as this one). */
export function startSelf(name: string, args: string[]): Proc {
  const [cmd, ...pre] = selfCommand()
  // stdin is a pipe nobody writes: children that watch it (serve under a master) stop if we die
  const child = spawn(cmd!, [...pre, ...args], { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, [MASTER_ENV]: '1' } })
  let text = ''
  const watchers: { re: RegExp; resolve: (s: string) => void }[] = []
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (chunk: string) => {
    text = (text + chunk).slice(-20_000)
    for (const w of [...watchers]) {
      const m = w.re.exec(text)
      if (m) { watchers.splice(watchers.indexOf(w), 1); w.resolve(m[1]!) }
    }
  })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const p: Proc = {
    name,
    child,
    pid: child.pid ?? -1,
    log: () => text,
    waitLine(re, ms = 10_000) {
      const m = re.exec(text)
      if (m) return Promise.resolve(m[1]!)
      return new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${name} did not start within ${ms} ms:\n${text.trim()}`)), ms)
        const onExit = (): void => { clearTimeout(t); reject(new Error(`${name} exited before it was ready:\n${text.trim()}`)) }
        child.once('exit', onExit)
        watchers.push({ re, resolve: (s) => { clearTimeout(t); child.off('exit', onExit); resolve(s) } })
      })
    },
    async stop() {
      live.delete(p)
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const t = setTimeout(() => child.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(t)
    },
  }
  live.add(p)
  return p
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop()))
}

/** Stops every process without waiting (exit paths). */
export function killAllNow(): void {
  for (const p of live) { try { p.child.kill('SIGKILL') } catch {} }
  live.clear()
}

/** Resolves once host:port accepts a connection; throws after `ms`. */
export async function waitAccepting(host: string, port: number, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port }, () => { s.destroy(); resolve(true) })
      s.on('error', () => { s.destroy(); resolve(false) })
    })
    if (ok) return
    if (Date.now() > end) throw new Error(`nothing accepts connections on ${host}:${port} after ${ms} ms`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
