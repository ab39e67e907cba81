/**
 * The `program` sections, as HAProxy's master runs them: each command starts as a child process
 * before the listeners bind, and stops (SIGTERM, then SIGKILL after 3 s) when edgelb stops. A
 * command whose first word is `edgelb` runs this same edgelb (the compiled executable, or
 * `bun src/main.ts`), so `command edgelb serve 127.0.0.1:9001` works wherever edgelb does.
 *
 * A program's stdout and stderr are edgelb's. An `edgelb …` program counts as started once it
 * wrote its first stderr line (`edgelb serve` does when it listens, or fails), up to 5 s: so the
 * first health checks, which HAProxy-style mark a server down on the first failure, find the
 * demo servers listening. Its stdin is a pipe from edgelb that nothing is
 * written to: `edgelb serve` (told by EDGELB_MASTER_PIPE=1) stops when that pipe closes, so the
 * demo servers go away even if edgelb is killed with SIGKILL. A program that exits is reported and
 * not restarted (HAProxy restarts programs only on reload).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import type { ProgramConfig } from '../model/types.ts'
import { selfCommand } from '../net/runtime.ts'

/** Set for the processes an edgelb starts with a stdin pipe (programs, `edgelb bench`'s
 *  backends and proxy): `edgelb serve` and `edgelb run` stop when that pipe closes. */
export const MASTER_ENV = 'EDGELB_MASTER_PIPE'

export interface RunningPrograms {
  /** Stops every program; resolves when all have exited. */
  stop(): Promise<void>
}

/**
 * In a process an edgelb started with a stdin pipe: calls `onGone` when that pipe closes, which
 * is when the parent has gone (even by SIGKILL). Returns the function that stops watching, so
 * that stdin no longer keeps this process alive.
 */
export function watchParentPipe(onGone: () => void): () => void {
  process.stdin.on('end', onGone)
  process.stdin.on('error', onGone)
  process.stdin.resume()
  return () => {
    process.stdin.off('end', onGone)
    process.stdin.off('error', onGone)
    process.stdin.pause()
  }
}

/** The argv a program's command runs. */
export function programArgv(command: readonly string[]): string[] {
  return command[0] === 'edgelb' ? [...selfCommand(), ...command.slice(1)] : [...command]
}

/** Starts every program; throws (after stopping those started) if one cannot be started. */
export async function startPrograms(programs: readonly ProgramConfig[], log: (line: string) => void): Promise<RunningPrograms> {
  const children: { name: string; child: ChildProcess; exited: Promise<void> }[] = []
  let stopping = false
  const stop = async (): Promise<void> => {
    stopping = true
    await Promise.all(children.map(async ({ child, exited }) => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const t = setTimeout(() => child.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(t)
    }))
  }
  for (const p of programs) {
    const [cmd, ...args] = programArgv(p.command)
    const own = p.command[0] === 'edgelb'
    const child = spawn(cmd!, args, { stdio: ['pipe', 'inherit', own ? 'pipe' : 'inherit'], env: { ...process.env, [MASTER_ENV]: '1' } })
    const ready = own ? firstLine(child) : Promise.resolve()
    const started = new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined))
      child.once('error', (e) => resolve(e))
    })
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        if (!stopping) log(`edgelb: program ${p.name} exited (${signal ?? `status ${code}`}); it is not restarted`)
        resolve()
      })
      child.once('error', () => resolve()) // never started: no 'exit' will come
    })
    children.push({ name: p.name, child, exited })
    const err = await started
    if (err) {
      await stop()
      throw new Error(`cannot start program ${p.name} (${p.command.join(' ')}): ${err.message}`)
    }
    child.stdin?.on('error', () => {}) // the program may close its stdin first
    await ready
  }
  return { stop }
}

/** Forwards the child's stderr to ours; resolves at its first line, its exit, or after 5 s. */
function firstLine(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 5000)
    const done = (): void => { clearTimeout(t); resolve() }
    child.stderr!.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk)
      if (chunk.includes(10)) done()
    })
    child.once('exit', done)
  })
}
