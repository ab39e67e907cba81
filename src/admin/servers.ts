/**
 * `show servers state [BACKEND]` (HAProxy's format 1, as `load-server-state-from-file` reads it),
 * `disable server BE/SRV`, `enable server BE/SRV`.
 */
import type { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import { wallNow } from '../core/clock.ts'
import { proxyIds } from './ids.ts'
import { AdminError, type AdminCommand, type AdminCtx } from './types.ts'

const HEADER = '1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight ' +
  'srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state ' +
  'bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n'

/** HAProxy's numbers for check statuses (enum healthcheck_status); 1 = not checked yet (INI). */
const STATUS_CODES: Readonly<Record<string, number>> = {
  CHECKED: 3, HANA: 4, SOCKERR: 5, L4OK: 6, L4TOUT: 7, L4CON: 8, L6OK: 9, L6TOUT: 10, L6RSP: 11,
  L7TOUT: 12, L7RSP: 13, L7OK: 15, L7OKC: 16, L7STS: 17,
}
/** And for results (enum chk_result), by status. */
const RESULT_CODES: Readonly<Record<string, number>> = {
  CHECKED: 1, L4OK: 3, L6OK: 3, L7OK: 3, L7OKC: 4,
}

/** srv_op_state: 0 stopped, 1 starting (slowstart), 2 running, 3 stopping (nolb). */
function opState(s: Server): number {
  if (!s.up) return 0
  if (s.nolb) return 3
  return s.throttle < 1 ? 1 : 2
}

/** srv_admin_state bits: 0x01 forced maintenance, 0x02 inherited, 0x04 from the configuration,
 *  0x08 forced drain, 0x10 inherited drain. */
function adminState(s: Server): number {
  let bits = 0
  if (s.admin === 'maint') bits |= s.cfg.disabled ? 0x04 : 0x01
  if (s.admin === 'drain') bits |= 0x08
  if (s.inheritedAdmin === 'maint') bits |= 0x02
  if (s.inheritedAdmin === 'drain') bits |= 0x10
  return bits
}

/** A check's state bits (CHK_ST_*): 0x01 running, 0x02 configured, 0x04 enabled, 0x08 paused
 *  (maintenance), 0x10 agent. */
function checkState(configured: boolean, running: boolean, paused: boolean, agent: boolean): number {
  if (!configured) return 0
  return 0x02 | 0x04 | (running ? 0x01 : 0) | (paused ? 0x08 : 0) | (agent ? 0x10 : 0)
}

function row(ctx: AdminCtx, be: Backend, beId: number, s: Server): string {
  const c = s.cfg
  const checks = ctx.engine.checks.checksOf(s)
  const health = checks.health
  const status = c.check && s.lastCheck !== null ? STATUS_CODES[s.lastCheck.status] ?? 0 : 1
  const result = c.check && s.lastCheck !== null ? RESULT_CODES[s.lastCheck.status] ?? 2 : 0
  const maint = s.effectiveAdmin === 'maint'
  const since = Math.max(0, Math.floor((wallNow() - s.lastChange) / 1000))
  return [
    beId, be.name, s.index + 1, s.name, c.addr.path ?? c.addr.host,
    opState(s), adminState(s), s.uweight, c.weight, since,
    status, result, s.checkHealth, checkState(c.check, health?.running === true, maint, false),
    checkState(c.agentCheck, checks.agent?.running === true, false, true),
    0, 0, '-', c.addr.port ?? 0,
    '-', 0, c.checkPort ?? 0, c.checkAddr ?? '-', c.agentAddr ?? '-', c.agentPort ?? 0,
  ].join(' ') + '\n'
}

function showServersState(args: string[], ctx: AdminCtx): string {
  const engine = ctx.engine
  const ids = proxyIds(engine.config)
  const only = args[0]
  if (only !== undefined && !engine.backends.has(only)) throw new AdminError(`Can't find backend.\n`)
  let out = HEADER
  for (const [name, be] of engine.backends) {
    if (only !== undefined && name !== only) continue
    for (const s of be.servers) out += row(ctx, be, ids.get(name) ?? 0, s)
  }
  return out
}

/** `BACKEND/SERVER` to its server. */
export function serverByPath(ctx: AdminCtx, path: string | undefined): Server {
  const slash = path?.indexOf('/') ?? -1
  if (path === undefined || slash <= 0) throw new AdminError(`Require 'backend/server'.\n`)
  const be = ctx.engine.backends.get(path.slice(0, slash))
  if (!be) throw new AdminError(`No such backend.\n`)
  const s = be.findServer(path.slice(slash + 1))
  if (!s) throw new AdminError(`No such server.\n`)
  return s
}

export const serverCommands: readonly AdminCommand[] = [
  { words: ['show', 'servers', 'state'], usage: 'show servers state [<backend>]', level: 'user', run: showServersState },
  {
    words: ['disable', 'server'], usage: 'disable server <bk>/<srv>', level: 'admin',
    run(args, ctx) { ctx.engine.checks.states.setAdmin(serverByPath(ctx, args[0]), 'maint'); return '' },
  },
  {
    words: ['enable', 'server'], usage: 'enable server <bk>/<srv>', level: 'admin',
    run(args, ctx) { ctx.engine.checks.states.setAdmin(serverByPath(ctx, args[0]), 'ready'); return '' },
  },
]

