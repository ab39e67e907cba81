/**
 * A reload's state, carried from the running generation to the next before the next starts: what
 * keeps its name keeps its state, as HAProxy's `server-state-file` carries it across reloads.
 *
 * Carried, for a server of the same name in a backend of the same name:
 * - its admin state when it was changed at run time (maint, drain), else the new configuration's
 *   (`disabled`); its weight and maxconn when they were changed at run time (agent, admin API);
 * - its health: up or down, the check and agent counters (within the new rise/fall), `nolb`, the
 *   last check and agent reports, the time of its last change and its down time, when the new
 *   configuration checks it the same way (`check`, `agent-check`): no flap, no second warm-up;
 * - its counters (sessions, errors, bytes, checks…).
 * A backend of the same name keeps its counters, a frontend of the same name its session total.
 * Stick tables are kept by the configuration build itself (same name and shape: proxy/runtime.ts).
 *
 * Reset: a slowstart ramp in progress (the server is at full weight at once), the passive-health
 * error streak of a server whose `observe` changed, and everything of a server, backend or table
 * that was renamed or whose table changed shape. Maps and ACL files are read again from disk.
 */
import type { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import type { Engine } from './engine.ts'
import type { Runtime } from './runtime.ts'

/** Carries `from`'s state into `to` (built, not started). */
export function carryOver(from: Engine, to: Runtime): void {
  carryPeers(from, to)
  for (const [name, be] of to.backends) {
    const old = from.backends.get(name)
    if (old !== undefined) carryBackend(old, be)
  }
}

/** A `peers` section declared the same way (same peers, same tables, kept) goes on running, its
 *  connections and update ids with it; any other is stopped now, so that the new one may bind
 *  its port. */
function carryPeers(from: Engine, to: Runtime): void {
  for (const svc of from.peers) {
    const plan = to.peersPlans.find((p) => p.section === svc.section)
    if (plan !== undefined && svc.matches(plan)) to.peersKept.set(svc.section, svc)
    else svc.stop()
  }
}

function carryBackend(old: Backend, be: Backend): void {
  Object.assign(be.counters, old.counters)
  for (const s of be.servers) {
    const o = old.findServer(s.name)
    if (o !== undefined) carryServer(o, s)
  }
  for (const s of be.servers) be.serverStateChanged(s)
}

function carryServer(o: Server, s: Server): void {
  const oldAdmin = o.cfg.disabled ? 'maint' : 'ready'
  if (o.admin !== oldAdmin) s.admin = o.admin
  if (o.uweight !== o.cfg.weight) { s.uweight = o.uweight; s.weight = o.uweight }
  if (o.maxconnBase !== o.cfg.maxconn) { s.maxconnBase = o.maxconnBase; s.maxconn = o.maxconnBase }
  Object.assign(s.counters, o.counters)
  const sameCheck = o.cfg.check === s.cfg.check && o.cfg.agentCheck === s.cfg.agentCheck && o.cfg.track === s.cfg.track
  if (!sameCheck) return
  s.up = o.up
  s.nolb = o.nolb
  if (s.cfg.check) s.checkHealth = rescale(o.checkHealth, o, s)
  if (s.cfg.agentCheck) s.agentHealth = rescale(o.agentHealth, o, s)
  s.lastCheck = o.lastCheck
  s.lastAgent = o.lastAgent
  s.lastChange = o.lastChange
  s.lastChangeAt = o.lastChangeAt
  s.downTime = o.downTime
  if (o.cfg.observe === s.cfg.observe) s.consecutiveErrors = o.consecutiveErrors
}

/** A health counter on the new scale (0..rise+fall-1): on the same side of `rise` as before. */
function rescale(h: number, o: Server, s: Server): number {
  const max = s.cfg.rise + s.cfg.fall - 1
  return h >= o.cfg.rise ? Math.min(max, Math.max(s.cfg.rise, h)) : Math.min(s.cfg.rise - 1, h)
}
