/**
 * The server state machine: check results, agent orders and tracking turned into the server's
 * state, its effect on balancing (queues moved, sessions ended), and HAProxy's log lines.
 *
 *   health (each of the health check and the agent keeps a counter 0..rise+fall-1):
 *
 *            pass: counter+1; at rise, jump to the top (rise+fall-1)
 *        ┌───────────────────────────────────────────────┐
 *        │                                               ▼
 *      DOWN ◀─────────────────────────────────────────  UP ──404 + disable-on-404──▶ STOPPING (nolb)
 *            fail: counter-1; below rise, drop to 0         ◀──────────2xx/3xx──────────┘
 *            (from the top: `fall` failures; at start-up the counter is `rise`: one failure)
 *
 *      DOWN ──pass × rise, slowstart──▶ UP, warming: weight and maxconn ramp from 1/16 to full
 *      A server is UP when every enabled check (health, agent) is at or above rise and the
 *      server it tracks is not DOWN. Only a health check or an agent saying `down`/`fail`/
 *      `stopped` takes it DOWN: an agent that cannot be reached changes nothing.
 *
 *   admin (the agent's `ready`/`drain`/`maint`, config `disabled`), times tracking (inherited):
 *
 *      READY ◀──▶ DRAIN        no new traffic, live sessions and their persistence go on
 *        ▲          ▲
 *        └─▶ MAINT ◀┘          down for maintenance: health checks paused (the agent goes on);
 *                              leaving it, the health counter restarts at rise and checks at once
 *
 *   usable (the balancer may pick it) = READY && UP && !nolb && weight > 0
 *
 * Every transition that changes `usable` goes through Backend.serverStateChanged (balancer
 * rebuilt, a down server's queue moved to the backend's, queues served), is logged in HAProxy's
 * words, and propagates to the servers that track this one.
 */
import type { Backend } from '../backend/backend.ts'
import type { AdminState, CheckReport, Server } from '../backend/server.ts'
import { now, wallNow } from '../core/clock.ts'
import { STATUSES, type CheckOutcome } from './status.ts'

/** A state change for the logs: a line for the backend's log targets and one for stderr. */
export interface StateEvent {
  /** Syslog severity of the log line. */
  level: 'emerg' | 'alert' | 'notice'
  /** The line for the backend's log targets (`log` lines), in HAProxy's words. */
  log: string
  /** The line for stderr, to be prefixed with `[WARNING]` / `[ALERT]` by the host. */
  stderr: string
  tag: 'WARNING' | 'ALERT'
}

/** What the state machine needs from the engine. */
export interface StateHost {
  event(be: Backend, e: StateEvent): void
  /** Ends the live sessions on `server` now (`on-marked-down shutdown-sessions`, and
   *  `on-marked-up shutdown-backup-sessions` for each backup server). Returns how many. */
  killSessions(server: Server, why: 'down' | 'up'): number
}

/** Why a server changes state, for the log line's tail. */
type Cause =
  | { kind: 'check'; report: CheckReport }
  | { kind: 'via'; server: Server; be: Backend }
  | { kind: 'none' }

/** Hooks the scheduler gives the state machine (slowstart ramps, re-checking at once). */
export interface StateHooks {
  /** The server came back up with `slowstart`: start its ramp. */
  warmUp(s: Server): void
  /** Maintenance ended: run the health check now. */
  checkNow(s: Server): void
}

export function makeReport(outcome: CheckOutcome, duration: number): CheckReport {
  return {
    status: outcome.status,
    desc: STATUSES[outcome.status].desc,
    code: outcome.code ?? 0,
    info: outcome.info ?? '',
    duration,
    at: wallNow(),
  }
}

/** HAProxy's `, reason: …, code: …, info: "…", check duration: …ms` (or ` via be/srv`). */
export function formatCause(c: Cause): string {
  if (c.kind === 'via') return ` via ${c.be.name}/${c.server.name}`
  if (c.kind !== 'check') return ''
  const r = c.report
  let out = `, reason: ${r.desc}`
  if (STATUSES[r.status as keyof typeof STATUSES]?.hasCode) out += `, code: ${r.code}`
  if (r.info !== '') out += `, info: "${asciiEncode(r.info)}"`
  if (r.duration >= 0) out += `, check duration: ${r.duration}ms`
  return out
}

/** Non-printable bytes, '<', '>' and '"' as HAProxy's chunk_asciiencode writes them: `<XX>`. */
function asciiEncode(s: string): string {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 32 || c >= 127 || c === 34 || c === 60 || c === 62) out += `<${(c & 0xff).toString(16).toUpperCase().padStart(2, '0')}>`
    else out += s[i]
  }
  return out
}

function counts(be: Backend): { act: number; bck: number } {
  let act = 0
  let bck = 0
  for (const s of be.servers) if (s.usable) { if (s.backup) bck++; else act++ }
  return { act, bck }
}

/** A server as the state lines name it: `Server be/name`, `Backup Server be/name`. */
function serverLabel(s: Server, be: Backend): string {
  return `${s.backup ? 'Backup ' : ''}Server ${be.name}/${s.name}`
}

/** `be` as HAProxy names a proxy in messages: `backend`, or `proxy` for a listen section. */
function proxyType(be: Backend): string {
  return be.cfg.kind === 'listen' ? 'proxy' : 'backend'
}

export class ServerStates {
  readonly #host: StateHost
  readonly #beOf: Map<Server, Backend>
  #hooks: StateHooks | null = null

  constructor(host: StateHost, beOf: Map<Server, Backend>) {
    this.#host = host
    this.#beOf = beOf
  }

  setHooks(h: StateHooks): void {
    this.#hooks = h
  }

  backendOf(s: Server): Backend {
    const be = this.#beOf.get(s)
    if (!be) throw new Error(`server '${s.name}' belongs to no backend`)
    return be
  }

  // --- results --------------------------------------------------------------------------------

  /** A health check (agent: false) or agent check (agent: true) finished. Returns the report. */
  checkResult(s: Server, agent: boolean, outcome: CheckOutcome, duration: number): CheckReport {
    const report = makeReport(outcome, duration)
    const prev = agent ? s.lastAgent : s.lastCheck
    if (agent) { s.lastAgent = report; s.counters.agentChecks++ } else { s.lastCheck = report; s.counters.checks++ }
    const info = STATUSES[outcome.status]
    if (info.result === 'neutral') return report
    const max = s.cfg.rise + s.cfg.fall - 1
    const before = agent ? s.agentHealth : s.checkHealth
    let h = before
    if (info.result === 'failed') {
      // An agent that cannot be reached (L4/L6, timeouts) does not count: only its words do.
      if ((!agent || info.hasCode) && h > 0) {
        s.counters.failedChecks++
        h = h - 1 < s.cfg.rise ? 0 : h - 1
      }
    } else {
      if (h < max) h = h + 1 >= s.cfg.rise ? max : h + 1
      if (s.observer !== null) s.consecutiveErrors = 0
    }
    if (agent) s.agentHealth = h
    else s.checkHealth = h
    const be = this.backendOf(s)
    // With `option log-health-checks`, every result that changes the status or the counter is
    // logged, and the state lines that follow carry no reason (HAProxy's set_server_check_status).
    const logged = be.cfg.options['log-health-checks'] === true
    if (logged && (prev?.status !== report.status || h !== before)) this.#logCheck(s, be, agent, info.result, report)
    const cause: Cause = logged ? { kind: 'none' } : { kind: 'check', report }
    if (info.result === 'failed') {
      if (agent && outcome.status !== 'L7STS') return report
      if (h > 0) return report
      this.setDown(s, cause)
      return report
    }
    if (!this.#healthAllowsUp(s)) return report
    if (info.result === 'condpass') {
      if (!agent) this.setStopping(s, cause)
    } else if (!(agent && s.nolb)) {
      this.setUp(s, cause)
    }
    return report
  }

  /** `Health check for server be/srv succeeded, reason: …, status: 1/1 UP.`: the counter is
   *  shown against `fall` while at or above `rise`, else against `rise`. */
  #logCheck(s: Server, be: Backend, agent: boolean, result: 'passed' | 'condpass' | 'failed', report: CheckReport): void {
    const h = agent ? s.agentHealth : s.checkHealth
    const { rise, fall } = s.cfg
    const status = h >= rise ? `${h - rise + 1}/${fall} ${s.uweight > 0 ? 'UP' : 'DRAIN'}` : `${h}/${rise} DOWN`
    const verdict = result === 'failed' ? 'failed' : result === 'condpass' ? 'conditionally succeeded' : 'succeeded'
    const text = `${agent ? 'Agent' : 'Health'} check for ${s.backup ? 'backup ' : ''}server ${be.name}/${s.name} ${verdict}${formatCause({ kind: 'check', report })}, status: ${status}`
    this.#emit(be, 'notice', text)
  }

  /** Passive health declared the server failing (`on-error fail-check|sudden-death|mark-down`):
   *  a failed health check with status HANA. */
  observedFailure(s: Server, info: string, mode: 'fail-check' | 'sudden-death' | 'mark-down'): void {
    if (mode === 'sudden-death' && s.checkHealth > s.cfg.rise) s.checkHealth = s.cfg.rise + 1
    if (mode === 'mark-down') s.checkHealth = s.cfg.rise
    this.checkResult(s, false, { status: 'HANA', info }, -1)
  }

  #healthAllowsUp(s: Server): boolean {
    if (s.effectiveAdmin === 'maint') return false
    if (s.track !== null && !s.track.up) return false
    if (s.cfg.check && s.checkHealth < s.cfg.rise) return false
    if (s.cfg.agentCheck && s.agentHealth < s.cfg.rise) return false
    return true
  }

  // --- operational state ----------------------------------------------------------------------

  setDown(s: Server, cause: Cause): void {
    if (s.effectiveAdmin === 'maint' || !s.up) return
    const be = this.backendOf(s)
    const before = counts(be)
    const wasStopping = s.nolb || s.effectiveAdmin === 'drain'
    const moved = this.#markDown(s, be)
    const after = counts(be)
    const text = `${serverLabel(s, be)} is DOWN${formatCause(cause)}${this.#left(after, s, moved)}`
    this.#emit(be, wasStopping ? 'notice' : 'alert', text)
    this.#noServerLeft(be, before, after)
    for (const t of s.trackers) this.setDown(t, { kind: 'via', server: s, be })
  }

  setUp(s: Server, cause: Cause): void {
    if (s.effectiveAdmin === 'maint') return
    if (s.up && !s.nolb) return
    const be = this.backendOf(s)
    const wasDown = !s.up
    this.#changed(s)
    s.up = true
    s.nolb = false
    if (wasDown && s.cfg.slowstart > 0) this.#startRamp(s, be)
    const moved = this.#afterUp(s, be)
    const text = `${serverLabel(s, be)} is UP${formatCause(cause)}${this.#online(counts(be), s, moved)}`
    this.#emit(be, 'notice', text)
    for (const t of s.trackers) this.setUp(t, { kind: 'via', server: s, be })
  }

  /** Up but no new traffic (HAProxy's STOPPING, from `disable-on-404`). */
  setStopping(s: Server, cause: Cause): void {
    if (s.effectiveAdmin === 'maint' || (s.up && s.nolb)) return
    const be = this.backendOf(s)
    const before = counts(be)
    this.#changed(s)
    s.up = true
    s.nolb = true
    const moved = be.serverStateChanged(s)
    const after = counts(be)
    const text = `${serverLabel(s, be)} is stopping${formatCause(cause)}${this.#online(after, s, moved)}`
    this.#emit(be, 'notice', text)
    this.#noServerLeft(be, before, after)
    for (const t of s.trackers) this.setStopping(t, { kind: 'via', server: s, be })
  }

  // --- admin state ----------------------------------------------------------------------------

  /** The agent (or an operator) sets the admin state. */
  setAdmin(s: Server, admin: AdminState): void {
    if (s.admin === admin) return
    const before = s.effectiveAdmin
    s.admin = admin
    this.#adminChanged(s, before, true)
  }

  #adminChanged(s: Server, before: AdminState, forced: boolean): void {
    const after = s.effectiveAdmin
    if (after === before) return
    const be = this.backendOf(s)
    const name = serverLabel(s, be)
    const prev = counts(be)
    const via = s.track !== null && !forced ? ` via ${this.backendOf(s.track).name}/${s.track.name}` : ''
    if (after === 'maint') {
      // Maintenance pauses the health check; the server is down for the balancer.
      if (s.cfg.check) s.checkHealth = 0
      if (!s.up) {
        this.#changed(s)
        be.serverStateChanged(s)
        this.#emit(be, 'notice', `${name} was DOWN and now enters maintenance${via}`)
      } else {
        const wasStopping = s.nolb || before === 'drain'
        const moved = this.#markDown(s, be)
        const now = counts(be)
        this.#emit(be, wasStopping ? 'notice' : 'alert', `${name} is going DOWN for maintenance${via}${this.#left(now, s, moved)}`)
        this.#noServerLeft(be, prev, now)
      }
    } else if (before === 'maint') {
      // Leaving maintenance: up at once unless a check or the tracked server says otherwise; the
      // health check restarts at `rise` and runs now.
      if (s.cfg.check) s.checkHealth = s.cfg.rise
      let moved = 0
      this.#changed(s)
      if (this.#healthAllowsUp(s)) {
        s.up = true
        s.nolb = s.track !== null && s.track.nolb
        if (s.cfg.slowstart > 0) this.#startRamp(s, be)
        moved = this.#afterUp(s, be)
      } else {
        be.serverStateChanged(s)
      }
      const state = `${s.up ? 'UP' : 'DOWN'}/${after === 'drain' ? 'DRAIN' : 'READY'}`
      const tail = forced ? '' : this.#online(counts(be), s, moved)
      this.#emit(be, 'notice', `${name} is ${state} (leaving ${forced ? 'forced ' : ''}maintenance)${tail}`)
      if (s.cfg.check) this.#hooks?.checkNow(s)
    } else if (after === 'drain') {
      this.#changed(s)
      const moved = be.serverStateChanged(s)
      const now = counts(be)
      this.#emit(be, 'notice', `${name} enters drain state${via}${s.up ? this.#online(now, s, moved) : this.#left(now, s, moved)}`)
      this.#noServerLeft(be, prev, now)
    } else {
      // drain -> ready
      this.#changed(s)
      const moved = be.serverStateChanged(s)
      const tail = forced ? '' : `${via}${this.#online(counts(be), s, moved)}`
      this.#emit(be, 'notice', `${name} is ${s.up ? 'UP' : 'DOWN'} (leaving ${forced ? 'forced ' : ''}drain)${tail}`)
    }
    for (const t of s.trackers) {
      const tb = t.effectiveAdmin
      t.inheritedAdmin = after
      this.#adminChanged(t, tb, false)
    }
  }

  // --- weight and limits ----------------------------------------------------------------------

  /** The user weight changed (agent `N%`): the effective weight follows, slowstart included. */
  setWeight(s: Server, uweight: number): void {
    s.uweight = uweight
    this.applyWeight(s)
  }

  /** Recomputes the effective weight from `uweight` and the slowstart ramp. */
  applyWeight(s: Server): void {
    const be = this.backendOf(s)
    const w = rampedWeight(be, s)
    if (w === s.weight) return
    const prev = counts(be)
    s.weight = w
    be.serverStateChanged(s)
    this.#noServerLeft(be, prev, counts(be))
  }

  setMaxconn(s: Server, maxconn: number): void {
    s.maxconnBase = maxconn
    this.backendOf(s).limitChanged(s)
  }

  // --- helpers --------------------------------------------------------------------------------

  /** Up (or stopping) to down, by a check or for maintenance: the balancer drops it, its warm-up
   *  ends, its sessions end with `on-marked-down shutdown-sessions`. Returns the sessions requeued. */
  #markDown(s: Server, be: Backend): number {
    this.#changed(s)
    s.up = false
    s.nolb = false
    this.#stopWarming(s)
    if (s.cfg.onMarkedDown === 'shutdown-sessions') this.#host.killSessions(s, 'down')
    const moved = be.serverStateChanged(s)
    s.counters.downTrans++
    return moved
  }

  /** `s` was just set up: the balancer takes it, and with `on-marked-up shutdown-backup-sessions`
   *  an active server ends the backups' sessions. Returns the sessions requeued. */
  #afterUp(s: Server, be: Backend): number {
    const moved = be.serverStateChanged(s)
    if (s.cfg.onMarkedUp === 'shutdown-backup-sessions' && !s.backup && s.weight > 0) {
      for (const b of be.servers) if (b.backup) this.#host.killSessions(b, 'up')
    }
    return moved
  }

  #changed(s: Server): void {
    const t = now()
    if (!s.up) s.downTime += t - s.lastChangeAt
    s.lastChangeAt = t
    s.lastChange = wallNow()
  }

  /** Slowstart: weight and maxconn drop to their first step; the scheduler ramps them up. */
  #startRamp(s: Server, be: Backend): void {
    s.throttle = 0
    s.weight = rampedWeight(be, s)
    be.limitChanged(s)
    this.#hooks?.warmUp(s)
  }

  #stopWarming(s: Server): void {
    if (s.throttle < 1) {
      s.throttle = 1
      s.weight = s.uweight
    }
  }

  #left(c: { act: number; bck: number }, s: Server, moved: number): string {
    return `. ${c.act} active and ${c.bck} backup servers left.${c.bck > 0 && c.act === 0 ? ' Running on backup.' : ''} ${s.cur} sessions active, ${moved} requeued, ${s.queue.total} remaining in queue`
  }

  #online(c: { act: number; bck: number }, s: Server, moved: number): string {
    return `. ${c.act} active and ${c.bck} backup servers online.${c.bck > 0 && c.act === 0 ? ' Running on backup.' : ''} ${moved} sessions requeued, ${s.queue.total} total in queue`
  }

  #noServerLeft(be: Backend, before: { act: number; bck: number }, after: { act: number; bck: number }): void {
    if (before.act + before.bck === 0 || after.act + after.bck > 0) return
    const t = proxyType(be)
    this.#host.event(be, { level: 'emerg', log: `${t} ${be.name} has no server available!`, stderr: `${t} '${be.name}' has no server available!`, tag: 'ALERT' })
  }

  #emit(be: Backend, level: 'alert' | 'notice', text: string): void {
    this.#host.event(be, { level, log: `${text}.`, stderr: `${text}.`, tag: 'WARNING' })
  }
}

/** The effective weight: `uweight`, in sixteenths of it while warming up (HAProxy's
 *  BE_WEIGHT_SCALE steps), never below the first step. */
function rampedWeight(be: Backend, s: Server): number {
  if (s.throttle >= 1 || !rampsWeight(be)) return s.uweight
  return (s.uweight * Math.max(1, Math.ceil(16 * s.throttle))) / 16
}

/** Whether slowstart ramps the weight under this backend's algorithm: HAProxy's dynamic ones, as
 *  the algorithm says. Static tables (static-rr, map-based hashing) keep the full weight; maxconn
 *  still ramps. */
function rampsWeight(be: Backend): boolean {
  return be.algorithm.dynamicWeights(be.cfg.hashType)
}
