/**
 * `show stat`, `show backend` and `show servers state`, in HAProxy's formats.
 */
import type { Server } from '../backend/server.ts'
import { renderCsv } from '../stats/csv.ts'
import { renderJson } from '../stats/json.ts'
import { renderEnv, statsRows, type RowFilter } from '../stats/rows.ts'
import { renderTyped } from '../stats/typed.ts'
import type { RowKind } from '../stats/types.ts'
import { STATUSES } from '../check/status.ts'
import { now } from '../core/clock.ts'
import { atLeast, CliError, type CliCommand } from './types.ts'

/** HAProxy's `type` bits of `show stat <iid> <type> <sid>`: 1 frontends, 2 backends, 4 servers,
 *  8 listeners. */
function kindsOf(type: number): Set<RowKind> {
  const kinds = new Set<RowKind>()
  if (type & 1) kinds.add('fe')
  if (type & 2) kinds.add('be')
  if (type & 4) kinds.add('srv')
  if (type & 8) kinds.add('li')
  return kinds
}

/** C's atoi: the leading integer of `s`, 0 when there is none. */
function atoi(s: string): number {
  const m = /^\s*[-+]?\d+/.exec(s)
  return m ? parseInt(m[0], 10) : 0
}

export const showStat: CliCommand = {
  words: ['show', 'stat'],
  usage: 'show stat [desc|json|no-maint|typed|up]*',
  help: 'report counters for each proxy and server',
  run(args, ctx) {
    let a = 2
    if (args[a] === 'domain') {
      a++
      if (args[a] === 'proxy') a++
      else if (args[a] === 'resolvers') return ''
      else throw new CliError('Invalid statistics domain.\n')
    }
    const f: RowFilter = {}
    if (args[a] !== undefined && args[a + 1] !== undefined && args[a + 2] !== undefined) {
      const byName = ctx.engine.config.proxies.filter((p) => p.kind !== 'defaults').findIndex((p) => p.name === args[a])
      const iid = byName >= 0 ? byName + 1 : atoi(args[a]!)
      if (iid === 0) throw new CliError('No such proxy.\n')
      f.iid = iid
      f.kinds = kindsOf(atoi(args[a + 1]!))
      f.sid = atoi(args[a + 2]!)
      a += 3
    }
    let format: 'csv' | 'typed' | 'json' = 'csv'
    let desc = false
    for (const w of args.slice(a)) {
      if (w === 'typed') format = 'typed'
      else if (w === 'json') format = 'json'
      else if (w === 'desc') desc = true
      else if (w === 'no-maint') f.hideMaint = true
      else if (w === 'up') f.hideDown = true
    }
    const rows = statsRows(ctx.engine, renderEnv(ctx.engine, atLeast(ctx, 'operator')), f)
    if (format === 'typed') return renderTyped(rows, desc)
    if (format === 'json') return renderJson(rows) + '\n'
    return renderCsv(rows)
  },
}

export const showBackend: CliCommand = {
  words: ['show', 'backend'],
  usage: 'show backend',
  help: 'list backends in the current running config',
  run(_args, ctx) {
    let out = '# name\n'
    for (const p of ctx.engine.config.proxies) if (p.kind === 'backend' || p.kind === 'listen') out += `${p.name}\n`
    return out
  },
}

/** HAProxy's numbers for a server in the state file: its operational state (0 stopped,
 *  1 starting, 2 running, 3 stopping) and its admin flags (1 forced maintenance, 2 inherited,
 *  4 configured `disabled`, 8 forced drain, 16 inherited drain). */
function opState(s: Server): number {
  if (!s.up) return 0
  if (s.nolb) return 3
  return s.throttle < 1 ? 1 : 2
}

function adminFlags(s: Server): number {
  let f = 0
  if (s.admin === 'maint') f |= s.cfg.disabled ? 0x04 : 0x01
  if (s.inheritedAdmin === 'maint') f |= 0x02
  if (s.admin === 'drain') f |= 0x08
  if (s.inheritedAdmin === 'drain') f |= 0x10
  return f
}

/** HAProxy's check status numbers (HCHK_STATUS_*), and check results (CHK_RES_*). */
const CHECK_STATUS_NUMBER: Readonly<Record<string, number>> = {
  INI: 1, HANA: 4, SOCKERR: 5, L4OK: 6, L4TOUT: 7, L4CON: 8, L6OK: 9, L6TOUT: 10, L6RSP: 11,
  L7TOUT: 12, L7RSP: 13, L7OK: 15, L7OKC: 16, L7STS: 17,
}
const CHECK_RESULT_NUMBER: Readonly<Record<string, number>> = { neutral: 1, failed: 2, passed: 3, condpass: 4 }

const STATE_HEADER = '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n'

export const showServersState: CliCommand = {
  words: ['show', 'servers', 'state'],
  usage: 'show servers state [<backend>]',
  help: 'dump volatile server information (all or for a single backend)',
  run(args, ctx) {
    const only = args[3]
    const proxies = ctx.engine.config.proxies.filter((p) => p.kind !== 'defaults')
    if (only !== undefined && !proxies.some((p) => p.name === only && p.kind !== 'frontend')) throw new CliError("Can't find backend.\n")
    let out = `1\n${STATE_HEADER}`
    const t = now()
    proxies.forEach((p, i) => {
      if (p.kind === 'frontend' || (only !== undefined && p.name !== only)) return
      const be = ctx.engine.backends.get(p.name)
      if (be === undefined) return
      be.servers.forEach((s) => {
        const { health, agent } = ctx.engine.checks.checksOf(s)
        const r = s.lastCheck
        // Every server starts at INI (1), checked or not, as in HAProxy.
        const status = health === undefined || r === null ? 1 : CHECK_STATUS_NUMBER[r.status] ?? 0
        const result = r === null ? 0 : CHECK_RESULT_NUMBER[STATUSES[r.status as keyof typeof STATUSES]?.result ?? ''] ?? 0
        // CHK_ST_CONFIGURED (2) | ENABLED (4) | PAUSED (8, maintenance) | AGENT (16)
        const checkState = health === undefined ? 0 : 0x06 | (s.effectiveAdmin === 'maint' ? 0x08 : 0)
        const agentState = agent === undefined ? 0 : 0x16
        const a = s.cfg.addr
        const addr = a.path !== undefined ? '-' : a.host
        out += `${p.uuid ?? i + 1} ${p.name} ${s.puid} ${s.name} ${addr} ${opState(s)} ${adminFlags(s)} ${s.uweight} ${s.cfg.weight} ${Math.floor((t - s.lastChangeAt) / 1000)} ` +
          `${status} ${result} ${s.checkHealth} ${checkState} ${agentState} ${p.id === undefined ? 0 : 1} ${s.cfg.id === undefined ? 0 : 1} - ${a.port ?? 0} - 0 ${s.cfg.checkPort ?? 0} ${s.cfg.checkAddr ?? '-'} ${s.cfg.agentAddr ?? '-'} ${s.cfg.agentPort ?? 0}\n`
      })
    })
    return out
  },
}
