/** edgelb's entry point: the compiled executable and `bun src/main.ts` both start here. */
import { versionLine } from './version.ts'

const io = {
  out: (line: string): void => { process.stdout.write(line + '\n') },
  err: (line: string): void => { process.stderr.write(line + '\n') },
  env: process.env,
}

const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === 'version' || argv[0] === '--version' || argv[0] === '-v')) {
  // Fast path: scripts call `edgelb version` often; it needs none of the config or engine code.
  io.out(versionLine())
} else {
  // No top-level await: the executable is compiled to bytecode, which wants a plain module body.
  // `run` keeps the event loop alive itself and resolves only when the process should end.
  void import('./cli/main.ts')
    .then(({ main }) => main(argv, io))
    .then((code) => { process.exitCode = code })
}
