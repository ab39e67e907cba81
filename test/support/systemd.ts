/**
 * Running edgelb the way systemd does, without systemd as pid 1: `systemd-socket-activate` (Debian
 * package `systemd`) binds the sockets and execs edgelb with LISTEN_FDS on the first connection,
 * and a NOTIFY_SOCKET the test binds (a unix datagram socket, read by python3) receives what
 * edgelb tells the service manager.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUN, ROOT } from './harness.ts'
import { Signal, within } from './wait.ts'

/** Fails the test with what to install when a tool is missing (.ci/run installs them). */
export function requireTool(cmd: string, pkg: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`])
  if (r.status !== 0) throw new Error(`${cmd} is missing: install the Debian package '${pkg}' (apt-get install ${pkg}); .ci/run does`)
}

/** Lines of a child's output, as they come. */
class Lines {
  readonly all: string[] = []
  readonly changed = new Signal()

  pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    return (async () => {
      let rest = ''
      const dec = new TextDecoder()
      for await (const chunk of stream) {
        rest += dec.decode(chunk, { stream: true })
        const lines = rest.split('\n')
        rest = lines.pop()!
        this.all.push(...lines)
        this.changed.notify()
      }
      if (rest) this.all.push(rest)
      this.changed.notify()
    })()
  }

  async wait(re: RegExp, what: string, ms = 10000): Promise<string> {
    let hit: string | undefined
    await this.changed.until(() => (hit = this.all.find((l) => re.test(l))) !== undefined, `${what} (have ${JSON.stringify(this.all)})`, ms)
    return hit!
  }
}

/** Receives sd_notify datagrams on a unix socket in a temporary directory. */
export class NotifyReceiver implements AsyncDisposable {
  readonly path: string
  readonly #dir: string
  readonly #proc: import('bun').Subprocess<'ignore', 'pipe', 'inherit'>
  readonly #lines = new Lines()
  readonly #done: Promise<void>

  private constructor(dir: string) {
    this.#dir = dir
    this.path = join(dir, 'notify.sock')
    const py = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps("bound"), flush=True)
while True:
    d = s.recv(65536)
    print(json.dumps(d.decode()), flush=True)
`
    this.#proc = Bun.spawn(['python3', '-c', py, this.path], { stdin: 'ignore', stdout: 'pipe', stderr: 'inherit' })
    this.#done = this.#lines.pump(this.#proc.stdout)
  }

  static async start(): Promise<NotifyReceiver> {
    requireTool('python3', 'python3')
    const r = new NotifyReceiver(mkdtempSync(join(tmpdir(), 'edgelb-notify-')))
    await r.#lines.wait(/^"bound"$/, 'the notify socket to be bound')
    return r
  }

  /** Every datagram received, in order. */
  get messages(): string[] {
    return this.#lines.all.slice(1).map((l) => JSON.parse(l) as string)
  }

  /** Resolves with the first datagram (from the `from`th on) that `test` accepts. */
  async waitFor(test: (m: string) => boolean, what: string, ms = 10000, from = 0): Promise<string> {
    let hit: string | undefined
    await this.#lines.changed.until(() => (hit = this.messages.slice(from).find(test)) !== undefined, `${what} on NOTIFY_SOCKET (have ${JSON.stringify(this.messages)})`, ms)
    return hit!
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#proc.kill('SIGKILL')
    await within(5000, this.#proc.exited, 'the notify receiver to stop')
    await this.#done
    rmSync(this.#dir, { recursive: true, force: true })
  }
}

export interface Activated extends AsyncDisposable {
  readonly dir: string
  readonly file: string
  readonly stderr: Lines
  /** The pid of edgelb once exec'd (systemd-socket-activate's own pid: it execs in place). */
  readonly pid: number
  signal(sig: NodeJS.Signals): void
  exited(ms?: number): Promise<number>
}

/**
 * `systemd-socket-activate -l ADDR … [--fdname=A:B] -E VAR=… -- bun src/main.ts run FILE`
 * (`options.command`: that command instead; `text` is then not written). edgelb starts on the
 * first connection to one of the sockets (the caller makes it).
 */
export async function socketActivate(text: string, options: { listen: string[]; fdnames?: string[]; env?: Record<string, string>; args?: string[]; command?: string[] }): Promise<Activated> {
  requireTool('systemd-socket-activate', 'systemd')
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-sd-'))
  const file = join(dir, 'edgelb.cfg')
  writeFileSync(file, text)
  const env = { BUN_GC_TIMER_INTERVAL: '30000', ...options.env }
  const argv = [
    'systemd-socket-activate',
    ...options.listen.flatMap((l) => ['-l', l]),
    ...(options.fdnames ? [`--fdname=${options.fdnames.join(':')}`] : []),
    ...Object.entries(env).flatMap(([k, v]) => ['-E', `${k}=${v}`]),
    '--', ...(options.command ?? [BUN, join(ROOT, 'src', 'main.ts'), 'run', file, ...(options.args ?? [])]),
  ]
  const proc = Bun.spawn(argv, { cwd: dir, stdin: 'ignore', stdout: 'inherit', stderr: 'pipe' })
  const stderr = new Lines()
  const pumped = stderr.pump(proc.stderr)
  let code: number | null = null
  void proc.exited.then((c) => { code = c; stderr.changed.notify() })
  // systemd-socket-activate says each socket it listens on before it waits for a connection.
  await stderr.wait(new RegExp(`Listening on .* as ${2 + options.listen.length}\\.`), 'systemd-socket-activate to listen')
  return {
    dir,
    file,
    stderr,
    pid: proc.pid,
    signal: (sig) => { proc.kill(sig) },
    async exited(ms = 10000) {
      const c = await within(ms, proc.exited, `edgelb to exit (stderr: ${JSON.stringify(stderr.all)})`)
      await within(2000, pumped, 'its stderr to end')
      return c
    },
    async [Symbol.asyncDispose]() {
      if (code === null) {
        proc.kill('SIGKILL')
        await within(5000, proc.exited, 'edgelb to die')
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
