/** edgelb's entry point: the compiled executable and `bun src/main.ts` both start here. */
import { main } from './cli/main.ts'

const io = {
  out: (line: string): void => { process.stdout.write(line + '\n') },
  err: (line: string): void => { process.stderr.write(line + '\n') },
  env: process.env,
}

const code = await main(process.argv.slice(2), io)
// `run` keeps the event loop alive itself and resolves only when the process should end.
process.exitCode = code
