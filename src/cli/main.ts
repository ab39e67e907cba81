/**
 * The `edgelb` command line: `edgelb COMMAND [args]`, plus HAProxy's own flags so edgelb can stand
 * where haproxy is scripted today (`edgelb -f x.cfg` = `edgelb run x.cfg`, `-c` = check).
 */
import { benchCommand, loadgenWorkerCommand } from './bench.ts'
import { checkCommand, checkFiles } from './check.ts'
import { convertCommand } from './convert.ts'
import { reloadCommand } from './reload.ts'
import { runCommand } from './run.ts'
import { serveCommand } from './serve.ts'
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command, type Io } from './types.ts'
import { versionCommand } from './version.ts'
import { versionLine } from '../version.ts'
import { execWithRuntimeSettings } from '../net/runtime.ts'
import { evalCondition } from '../config/haproxy/condition.ts'

export const commands: readonly Command[] = [runCommand, reloadCommand, checkCommand, convertCommand, serveCommand, benchCommand, versionCommand]
/** Commands edgelb runs itself (worker processes), left out of help and suggestions. */
const internalCommands: readonly Command[] = [loadgenWorkerCommand]

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return `usage: edgelb COMMAND [options]

commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}
  ${'help'.padEnd(width)}  show help for a command: edgelb help COMMAND

HAProxy-compatible form:
  edgelb -f FILE|DIR [-f ...] [-c] [-p PIDFILE] [-d|-db] [-L NAME] [-S ADDR[,OPT...]] [-v] [--allow-unimplemented]
  edgelb -cc CONDITION
    -f  load this file (repeatable; a directory loads its *.cfg in order)
    -c  check the configuration and exit (like 'edgelb check')
    -cc evaluate a condition as '.if' does (exit 0 true, 1 false, 2 error): edgelb
        answers as HAProxy 2.6, with the features it has
    -p  write the process id to PIDFILE
    -d, -db  stay in the foreground (edgelb always does); the other -dX debug flags
        (-dM, -dV, -dW, -dr…) are accepted and change nothing
    -L  local peer name
    -S  the master CLI on ADDR (a path, or ipv4@HOST:PORT; options such as mode,600):
        @1 COMMAND runs a runtime API command, 'show proc' and 'reload' are the master's
    -v  print the version`
}

/** Translates HAProxy's flags into `run`/`check` arguments. Returns undefined when argv is not in
 *  that form. */
export function fromHaproxyFlags(argv: string[]): { command: 'run' | 'check' | 'version'; files: string[]; pidfile?: string; localPeer?: string; allowUnimplemented?: boolean; masterSocket?: string; masterWorker?: boolean } | { command: 'cond'; condition: string } | { error: string } | undefined {
  if (argv.length === 0 || !argv[0]!.startsWith('-') || argv[0] === '--help' || argv[0] === '-h') return undefined
  const files: string[] = []
  let check = false
  let pidfile: string | undefined
  let localPeer: string | undefined
  let allowUnimplemented = false
  let masterSocket: string | undefined
  let masterWorker = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const value = (): string | undefined => argv[++i]
    switch (a) {
      case '-f': { const f = value(); if (f === undefined) return { error: `-f expects a file` }; files.push(f); break }
      case '-c': check = true; break
      case '-p': { pidfile = value(); if (pidfile === undefined) return { error: `-p expects a file` }; break }
      case '-L': { localPeer = value(); if (localPeer === undefined) return { error: `-L expects a name` }; break }
      case '-W': case '-Ws': masterWorker = true; break
      case '-d': case '-db': case '-D': case '-q': break
      case '--allow-unimplemented': allowUnimplemented = true; break
      case '-S': { masterSocket = value(); if (masterSocket === undefined) return { error: `-S expects an address: -S /run/edgelb-master.sock[,mode,600]` }; break }
      case '-v': case '-vv': case '-V': return { command: 'version', files }
      case '-cc': {
        const condition = argv.slice(i + 1).join(' ')
        if (condition.trim() === '') return { error: `-cc expects a condition, e.g. -cc 'version_atleast(2.4)'` }
        return { command: 'cond', condition }
      }
      default:
        if (a.startsWith('-f') && a.length > 2) { files.push(a.slice(2)); break }
        // HAProxy's debugging flags (-dM memory poisoning, -dV, -dW, -dr, -dk…): nothing to do here.
        if (/^-d[A-Za-z]/.test(a)) break
        return { error: `unknown option '${a}'` }
    }
  }
  if (files.length === 0) return { error: `no configuration file: give -f FILE` }
  const out: { command: 'run' | 'check'; files: string[]; pidfile?: string; localPeer?: string; allowUnimplemented?: boolean; masterSocket?: string; masterWorker?: boolean } = { command: check ? 'check' : 'run', files }
  if (masterSocket !== undefined) out.masterSocket = masterSocket
  if (masterWorker) out.masterWorker = true
  if (allowUnimplemented) out.allowUnimplemented = true
  if (pidfile !== undefined) out.pidfile = pidfile
  if (localPeer !== undefined) out.localPeer = localPeer
  return out
}

/** `run`, in either form, first sets the runtime up, which may replace the process (see
 *  execWithRuntimeSettings); when it cannot, it says why and serves as it is. */
function setUpRuntime(argv: readonly string[], io: Io): void {
  const failed = execWithRuntimeSettings(argv)
  if (failed !== undefined) io.err(`edgelb: warning: ${failed}`)
}

/** The process's entry (src/main.ts) only: `run` may replace the process (setUpRuntime). */
export async function main(argv: string[], io: Io): Promise<number> {
  const hp = fromHaproxyFlags(argv)
  if (hp) {
    if ('error' in hp) { io.err(`edgelb: ${hp.error}\n${helpText()}`); return EXIT_USAGE }
    if (hp.command === 'version') { io.out(versionLine()); return EXIT_OK }
    if (hp.command === 'cond') {
      const r = evalCondition(hp.condition, io.env, "'-cc'")
      if ('error' in r) { io.err(`edgelb: ${r.error}`); return EXIT_USAGE }
      return r.value ? EXIT_OK : EXIT_INVALID
    }
    if (hp.command === 'check') return checkFiles(hp.files, io, { allowUnimplemented: hp.allowUnimplemented === true, ...(hp.localPeer !== undefined ? { localPeer: hp.localPeer } : {}) })
    setUpRuntime(argv, io)
    const args = [...hp.files]
    if (hp.pidfile !== undefined) args.push('--pidfile', hp.pidfile)
    if (hp.localPeer !== undefined) args.push('--local-peer', hp.localPeer)
    if (hp.allowUnimplemented === true) args.push('--allow-unimplemented')
    if (hp.masterSocket !== undefined) args.push('--master-socket', hp.masterSocket)
    if (hp.masterWorker === true) args.push('--master-worker')
    return runCommand.run(args, io)
  }
  const [name, ...rest] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined
    if (topic === undefined) { io.out(helpText()); return EXIT_OK }
    const cmd = commands.find((c) => c.name === topic)
    if (!cmd) { io.err(`edgelb: no help for '${topic}'; commands: ${commands.map((c) => c.name).join(', ')}`); return EXIT_USAGE }
    io.out(cmd.usage)
    return EXIT_OK
  }
  if (name === '--version') { io.out(versionLine()); return EXIT_OK }
  const cmd = commands.find((c) => c.name === name) ?? internalCommands.find((c) => c.name === name)
  if (!cmd) {
    io.err(`edgelb: unknown command '${name}'; commands: ${commands.map((c) => c.name).join(', ')} (edgelb help)`)
    return EXIT_USAGE
  }
  if (cmd === runCommand) setUpRuntime(argv, io)
  return cmd.run(rest, io)
}
