/**
 * `show events [<ring>] [-w] [-n]`: without a name, the event sinks (the `ring` sections, stdout
 * and stderr) in HAProxy's layout; with a ring's name, the lines it holds, oldest first, one per
 * line. `-n` skips what is held (with `-w`, HAProxy then waits for new lines; a one-command
 * connection here answers at once, so `-w` prints what is held and ends). Operator level: the
 * lines carry clients' addresses and requests.
 */
import { CliError, needLevel, type CliCommand } from './types.ts'

export const showEvents: CliCommand = {
  words: ['show', 'events'],
  usage: 'show events [<sink>] [-w] [-n]',
  help: 'show event sink state',
  level: 'operator',
  run(args, ctx) {
    needLevel(ctx, 'operator')
    const outputs = ctx.engine.logOutputs
    const name = args[2]
    if (name === undefined) {
      let out = 'event sinks:\n'
      for (const n of outputs.ringNames()) {
        const r = outputs.ring(n)!
        out += `    ${n.padEnd(10)} : type=buffer, ${r.dropped} dropped, ${r.description}\n`
      }
      out += `    ${'stdout'.padEnd(10)} : type=fd, 0 dropped, standard output (fd#1)\n`
      out += `    ${'stderr'.padEnd(10)} : type=fd, 0 dropped, standard error (fd#2)\n`
      return out
    }
    const ring = outputs.ring(name)
    if (ring === undefined) throw new CliError(`No such event sink\n`)
    const flags = args.slice(3)
    for (const f of flags) if (f !== '-w' && f !== '-n') throw new CliError(`unknown option '${f}'; show events <sink> [-w] [-n]\n`)
    if (flags.includes('-n')) return ''
    return ring.lines().map((l) => l + '\n').join('')
  },
}
