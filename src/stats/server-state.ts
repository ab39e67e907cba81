/**
 * A server's and a backend's state as the stats say it: HAProxy's status words (`UP`,
 * `DOWN 1/2`, `NOLB`, `DRAIN`, `MAINT (via be/srv)`, `no check`…), the check columns, the
 * backend's weights and server counts.
 *
 *   up, checks at the top ........ UP            up, a check failed lately ... UP h/fall
 *   up, unchecked ................ no check      up, asked for no new traffic  NOLB [h/fall]
 *   draining (admin) ............. DRAIN [h/fall], DRAIN (agent)
 *   down, checked ................ DOWN, or DOWN h/rise while coming back; DOWN (agent)
 *   maintenance .................. MAINT, or MAINT (via be/srv) when inherited by `track`
 */
import type { Backend } from '../backend/backend.ts'
import type { CheckReport, Server } from '../backend/server.ts'
import type { Check } from '../check/scheduler.ts'

/** The end of a `track` chain: the server whose checks decide. */
export function trackEnd(s: Server): Server {
  let ref = s
  while (ref.track !== null) ref = ref.track
  return ref
}

/** HAProxy's status word of a server; `beOf` names the backend of a tracked server. */
export function serverStatus(s: Server, beOf: (s: Server) => Backend | undefined): string {
  if (s.admin === 'maint') return 'MAINT'
  if (s.inheritedAdmin === 'maint') {
    let via = s.track!
    while (via.admin !== 'maint' && via.track !== null && via.inheritedAdmin === 'maint') via = via.track
    return `MAINT (via ${beOf(via)?.name ?? '?'}/${via.name})`
  }
  const ref = trackEnd(s)
  const checked = ref.cfg.check
  const agent = ref.cfg.agentCheck
  const top = ref.cfg.rise + ref.cfg.fall - 1
  const upSteps = `${ref.checkHealth - ref.cfg.rise + 1}/${ref.cfg.fall}`
  if (s.up && !s.nolb) {
    const goingDown = checked && ref.checkHealth < top
    if (s.effectiveAdmin === 'drain') return agent ? 'DRAIN (agent)' : goingDown ? `DRAIN ${upSteps}` : 'DRAIN'
    if (goingDown) return `UP ${upSteps}`
    return checked ? 'UP' : 'no check'
  }
  if (s.up) return (!s.cfg.check && s.track === null) || ref.checkHealth === top ? 'NOLB' : `NOLB ${upSteps}`
  if (agent && ref.agentHealth === 0) return 'DOWN (agent)'
  if (checked && ref.checkHealth === 0) return 'DOWN'
  if (checked || agent) return `DOWN ${ref.checkHealth}/${ref.cfg.rise}`
  return 'DOWN'
}

/** Whether a check shows in the stats: it exists and is not paused (maintenance pauses the
 *  health check, not the agent). */
export function checkShown(s: Server, c: Check | undefined, agent: boolean): c is Check {
  return c !== undefined && (agent || s.effectiveAdmin !== 'maint')
}

/** The last result of a check, or none yet (HAProxy's INI). */
export function lastReport(s: Server, agent: boolean): CheckReport | null {
  return agent ? s.lastAgent : s.lastCheck
}

/** `check_status`: the short status of the last result (INI before the first), `* ` in front
 *  while a check runs. */
export function checkStatusText(s: Server, c: Check, agent: boolean): string {
  const r = lastReport(s, agent)
  return `${c.running ? '* ' : ''}${r === null ? 'INI' : r.status}`
}

/** The statuses that carry a code (HAProxy's layer 5-7 data statuses). */
export function hasCode(status: string): boolean {
  return status === 'L7OK' || status === 'L7OKC' || status === 'L7STS'
}

/** The servers a backend balances over now: its usable active servers, else its usable backups
 *  (HAProxy's tot_weight counts one tier). */
function tier(be: Backend): readonly Server[] {
  const act = be.servers.filter((s) => s.usable && !s.backup)
  if (act.length > 0) return act
  const bck = be.servers.filter((s) => s.usable && s.backup)
  return be.cfg.options['allbackups'] === true ? bck : bck.slice(0, 1)
}

/** A backend's effective weight (the sum its balancer uses) and its users' weight. */
export function backendWeights(be: Backend): { weight: number; uweight: number } {
  let weight = 0
  let uweight = 0
  for (const s of tier(be)) { weight += s.weight; uweight += s.uweight }
  return { weight: Math.ceil(weight), uweight }
}

/** Usable active and backup servers. */
export function serverCounts(be: Backend): { act: number; bck: number } {
  let act = 0
  let bck = 0
  for (const s of be.servers) if (s.usable) { if (s.backup) bck++; else act++ }
  return { act, bck }
}

/** ms a server has spent down, the current spell included. */
export function serverDownTime(s: Server, now: number): number {
  return s.downTime + (s.up ? 0 : now - s.lastChangeAt)
}

/** ms a backend has spent down, the current spell included. */
export function backendDownTime(be: Backend, now: number): number {
  return be.downTime + (be.up ? 0 : now - be.lastChangeAt)
}

/** The one-hot state of a server for Prometheus: DOWN, UP, MAINT, DRAIN, NOLB. */
export function promServerState(s: Server): 'DOWN' | 'UP' | 'MAINT' | 'DRAIN' | 'NOLB' {
  if (s.effectiveAdmin === 'maint') return 'MAINT'
  if (s.up && s.nolb) return 'NOLB'
  if (s.up) return s.effectiveAdmin === 'drain' ? 'DRAIN' : 'UP'
  return 'DOWN'
}
