/**
 * `show events [<ring>] [-w] [-n]`: without a name, the event sinks (the `ring` sections, stdout
 * and stderr) in HAProxy's layout; with a ring's name, the lines it holds, oldest first, one per
 * line. `-w` then keeps the connection open and writes each new line as it comes, until the
 * client leaves (on the `stats socket`; elsewhere it answers at once); `-n` skips what is held.
 * Operator level: the lines carry clients' addresses and requests.
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
    const held = flags.includes('-n') ? '' : ring.lines().map((l) => l + '\n').join('')
    if (flags.includes('-w') && ctx.follow !== undefined) {
      ctx.follow((push) => {
        let next = ring.end
        const reader = {
          wake(): void {
            if (next < ring.first) next = ring.first
            let out = ''
            while (next < ring.end) out += ring.at(next++) + '\n'
            if (out !== '') push(out)
          },
          close(): void {},
        }
        ring.attach(reader)
        return () => ring.detach(reader)
      })
    }
    return held
  },
}
