/**
 * `show peers [<section>]`: each `peers` section, its peers' connections and, per shared table,
 * the last update id written here and the last one each peer acknowledged (what it would be sent
 * again after a reconnect). HAProxy's `show peers` in words of its own.
 */
import { CliError, type CliCommand } from './types.ts'

export const showPeers: CliCommand = {
  words: ['show', 'peers'],
  usage: 'show peers [<peers section>]',
  help: 'dump peers connections and the state of the shared tables',
  run(args, ctx) {
    const only = args[2]
    const sections = ctx.engine.peers.filter((p) => only === undefined || p.section === only)
    if (only !== undefined && sections.length === 0) throw new CliError(`No such peers section: '${only}'\n`)
    let out = ''
    for (const svc of sections) {
      const s = svc.status()
      out += `${s.section}: local=${s.local} listening=${s.port === 0 ? '-' : s.port} resynced=${s.resynced ? 1 : 0}\n`
      for (const p of s.peers) {
        out += `  ${p.name}: addr=${p.addr} state=${p.state}${p.direction ? ` ${p.direction}` : ''}${p.learning ? ' learning' : ''}\n`
        for (const t of p.tables) out += `    table ${t.name}: update=${t.update} acked=${t.acked}\n`
      }
    }
    return out
  },
}
