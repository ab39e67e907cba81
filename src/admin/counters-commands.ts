/**
 * `clear counters [all]`, `set maxconn server`, `shutdown sessions server`: HAProxy's commands
 * on counters, limits and live sessions.
 */
import { clearCounters } from '../backend/counters.ts'
import { TcpSession } from '../proxy/tcp-session.ts'
import { findServer } from './server-commands.ts'
import { CliError, needLevel, type CliCommand } from './types.ts'

export const clearCountersCommand: CliCommand = {
  words: ['clear', 'counters'],
  usage: 'clear counters [all]',
  help: 'clear max statistics counters (or all counters)',
  level: 'operator',
  run(args, ctx) {
    const all = args[2] === 'all'
    needLevel(ctx, all ? 'admin' : 'operator')
    for (const fe of ctx.engine.frontends) clearCounters(fe.counters, all)
    for (const be of ctx.engine.backends.values()) {
      clearCounters(be.counters, all)
      for (const s of be.servers) clearCounters(s.counters, all)
    }
    return ''
  },
}

export const setMaxconnServer: CliCommand = {
  words: ['set', 'maxconn', 'server'],
  usage: 'set maxconn server <bk>/<srv>',
  help: 'change a server\'s maxconn setting',
  level: 'admin',
  run(args, ctx) {
    needLevel(ctx, 'admin')
    const { s } = findServer(ctx, args[3])
    const text = args[4] ?? ''
    if (text === '') throw new CliError('Require <maxconn>.\n')
    const m = /^[-+]?\d+/.exec(text)
    if (m === null) throw new CliError('maxconn string empty or preceded by garbage')
    if (m[0].length !== text.length) throw new CliError('Trailing garbage in maxconn string')
    ctx.engine.checks.states.setMaxconn(s, Math.max(0, parseInt(m[0], 10)))
    return ''
  },
}

export const shutdownSessionsServer: CliCommand = {
  words: ['shutdown', 'sessions', 'server'],
  usage: 'shutdown sessions server <bk>/<srv>',
  help: 'kill sessions on a server',
  level: 'admin',
  run(args, ctx) {
    needLevel(ctx, 'admin')
    const { s } = findServer(ctx, args[3])
    for (const fe of ctx.engine.frontends) {
      for (const sess of [...fe.sessions]) {
        const on = sess instanceof TcpSession ? sess.server === s : sess.st.server === s && sess.st.holdsSlot
        if (on) sess.kill()
      }
    }
    return ''
  },
}
