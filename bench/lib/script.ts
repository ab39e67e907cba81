/**
 * What every side-by-side bench script starts with: its options (`-h`/`--help` prints the
 * script's header comment, a bad option is one line and exit status 2), the tools it finds on
 * PATH, the CPU pinning (taskset on 2+ cores), and the median it reports.
 */
import { availableParallelism } from 'node:os'
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util'

type Values<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O }>>['values']

/** Parses the script's command line; `script` is its `import.meta.path`. */
export function scriptOptions<const O extends ParseArgsOptionsConfig>(script: string, options: O): Values<O> {
  const args = Bun.argv.slice(2)
  if (args.includes('-h') || args.includes('--help')) {
    console.log(readFileSync(script, 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'))
    process.exit(0)
  }
  try {
    return parseArgs({ args, options }).values
  } catch (e) {
    return badUsage(script, `${(e as Error).message.split(/\.\s|\n/)[0]} (--help lists the options)`)
  }
}

/** Prints `script: message` (one line) and exits with status 2. */
export function badUsage(script: string, message: string): never {
  console.error(`${relative(process.cwd(), script)}: ${message}`)
  process.exit(2)
}

/** Whether `cmd` is on PATH. */
export const has = (cmd: string): boolean => Bun.which(cmd) !== null

/** Exits with how to install wrk when it is missing. */
export function needWrk(script: string): void {
  if (!has('wrk')) badUsage(script, 'needs wrk (apt-get install -y wrk)')
}

/** With taskset and 2+ cores, the proxy or server runs on CPU 0 or 1 and the load on the other. */
export const canPin = has('taskset') && availableParallelism() >= 2

/** `cmd` run on `cpus` (a taskset CPU list), or as is when `cpus` is undefined. */
export const pinned = (cpus: string | undefined, cmd: string[]): string[] => (cpus === undefined ? cmd : ['taskset', '-c', cpus, ...cmd])

/** The median, NaN entries left out (NaN when none is left). */
export function median(xs: number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
