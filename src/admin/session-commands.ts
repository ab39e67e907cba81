/**
 * Live sessions: `show sess` (one line per client connection, in HAProxy's layout, its leading
 * fields filled: pointer, proto, src, fe, be, srv, age; the rest as HAProxy writes a stream with
 * nothing of note) and `shutdown session ID` (ends one, as `shutdown sessions server` does).
 *
 * A session's ID is `0x` and a number given the first time a command shows it, kept while it
 * lives (a WeakMap: nothing is added to the sessions themselves). `show sess` is operator
 * level (it shows clients' addresses), `shutdown session` admin.
 */
import { now } from '../core/clock.ts'
import type { ClientSession } from '../proxy/frontend.ts'
import { TcpSession } from '../proxy/tcp-session.ts'
import { CliError, needLevel, type CliCommand, type CliCtx } from './types.ts'

const ids = new WeakMap<ClientSession, number>()
let lastId = 0

function idOf(s: ClientSession): string {
  let id = ids.get(s)
  if (id === undefined) ids.set(s, (id = ++lastId))
  return `0x${id.toString(16)}`
}

/** HAProxy's human_time: `0s`, `42s`, `3m7s`, `2h5m`, `4d3h`. */
export function humanTime(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s}s`
  const d = Math.floor(s / 86400); s -= d * 86400
  const h = Math.floor(s / 3600); s -= h * 3600
  const m = Math.floor(s / 60); s -= m * 60
  if (d > 0) return `${d}d${h}h`
  if (h > 0) return `${h}h${m}m`
  return `${m}m${s}s`
}

function sessions(ctx: CliCtx): ClientSession[] {
  return ctx.engine.frontends.flatMap((fe) => [...fe.sessions])
}

function line(s: ClientSession, t: number): string {
  const addr = s.cliAddr
  const proto = addr === '' ? 'unix_stream' : addr.includes(':') ? 'tcpv6' : 'tcpv4'
  const src = addr === '' ? 'unix' : `${addr.includes(':') ? `[${addr}]` : addr}:${s.cliPort}`
  const be = s instanceof TcpSession ? s.be : s.st.be
  const srv = s instanceof TcpSession ? s.server : s.st.server
  return `${idOf(s)}: proto=${proto} src=${src} fe=${s.fe.name} be=${be?.name ?? '<NONE>'} srv=${srv?.name ?? '<none>'} ts=00 epoch=0x0 age=${humanTime(t - s.acceptTime)} calls=0 rate=0 cpu=0 lat=0 ` +
    `rq[f=0h,i=0,an=00h,rx=,wx=,ax=] rp[f=0h,i=0,an=00h,rx=,wx=,ax=] scf=[8,0h,fd=-1,rex=,wex=] scb=[8,0h,fd=-1,rex=,wex=] exp= rc=0 c_exp=\n`
}

export const showSess: CliCommand = {
  words: ['show', 'sess'],
  usage: 'show sess [<id>|all|susp]',
  help: 'report the list of current sessions or dump this exact session',
  level: 'operator',
  run(args, ctx) {
    needLevel(ctx, 'operator')
    const t = now()
    const want = args[2]
    let list = sessions(ctx)
    if (want !== undefined && want !== 'all' && want !== 'susp') {
      list = list.filter((s) => idOf(s) === want)
      if (list.length === 0) return ''
    }
    return list.map((s) => line(s, t)).join('')
  },
}

export const shutdownSession: CliCommand = {
  words: ['shutdown', 'session'],
  usage: 'shutdown session [id]',
  help: 'kill a specific session',
  level: 'admin',
  run(args, ctx) {
    needLevel(ctx, 'admin')
    const id = args[2]
    if (id === undefined || id === '') throw new CliError("Session pointer expected (use 'show sess').\n")
    const s = sessions(ctx).find((x) => ids.get(x) !== undefined && idOf(x) === id)
    if (s === undefined) throw new CliError("No such session (use 'show sess').\n")
    s.kill()
    return ''
  },
}
