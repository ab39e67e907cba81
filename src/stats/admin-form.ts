/**
 * The stats page's admin form (`stats admin if COND`), HAProxy's actions on the servers of one
 * backend: the form posts `b=#IID` (the backend's number, as `show stat` gives it; a name is also
 * taken), `s=SERVER` for each server checked, and `action=ACTION`. Each server is changed through
 * the same state machine as the runtime API's commands (log lines, queues, tracking servers
 * follow). The outcome, for the page's `;st=` code:
 *
 *   DONE  every server named was changed       NONE  none needed a change (or none was named)
 *   PART  some were, some could not be          ERRP  no such backend, server or action
 */
import type { Server } from '../backend/server.ts'
import type { Engine } from '../proxy/engine.ts'
import { TcpSession } from '../proxy/tcp-session.ts'

/** The form's actions, in HAProxy's order and words. */
export const ADMIN_ACTIONS: readonly (readonly [string, string])[] = [
  ['ready', 'Set state to READY'],
  ['drain', 'Set state to DRAIN'],
  ['maint', 'Set state to MAINT'],
  ['hrunn', 'Health: force UP'],
  ['hnolb', 'Health: force NOLB'],
  ['hdown', 'Health: force DOWN'],
  ['arunn', 'Agent: force UP'],
  ['adown', 'Agent: force DOWN'],
  ['shutdown', 'Kill Sessions'],
]

/** Applies `action` to `s`: true when done, false when it does not apply (no check, no agent, a
 *  tracking server's health), null when nothing needed to change. */
function apply(engine: Engine, s: Server, action: string): boolean | null {
  const states = engine.checks.states
  const top = s.cfg.rise + s.cfg.fall - 1
  switch (action) {
    case 'ready':
    case 'drain':
    case 'maint':
      if (s.admin === action) return null
      states.setAdmin(s, action)
      return true
    case 'hrunn':
    case 'hnolb':
    case 'hdown':
      if (!s.cfg.check || s.track !== null) return false
      if (action === 'hdown') { s.checkHealth = 0; states.setDown(s, { kind: 'none' }) } else {
        s.checkHealth = top
        if (action === 'hrunn') states.setUp(s, { kind: 'none' })
        else states.setStopping(s, { kind: 'none' })
      }
      return true
    case 'arunn':
    case 'adown':
      if (!s.cfg.agentCheck) return false
      if (action === 'arunn') { s.agentHealth = top; states.setUp(s, { kind: 'none' }) } else { s.agentHealth = 0; states.setDown(s, { kind: 'none' }) }
      return true
    case 'shutdown': {
      let n = 0
      for (const fe of engine.frontends) {
        for (const sess of [...fe.sessions]) {
          const on = sess instanceof TcpSession ? sess.server === s : sess.st.server === s && sess.st.holdsSlot
          if (on) { sess.kill(); n++ }
        }
      }
      return n > 0 ? true : null
    }
  }
  return false
}

/** The fields of an `application/x-www-form-urlencoded` body, each name with its values in order. */
export function parseForm(body: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const part of body.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const dec = (t: string): string => { try { return decodeURIComponent(t.replace(/\+/g, ' ')) } catch { return t } }
    const k = dec(eq < 0 ? part : part.slice(0, eq))
    const v = dec(eq < 0 ? '' : part.slice(eq + 1))
    const list = out.get(k)
    if (list === undefined) out.set(k, [v])
    else list.push(v)
  }
  return out
}

/** Runs the posted form (its body); returns the `;st=` code. */
export function adminAction(engine: Engine, body: string): string {
  const form = parseForm(body)
  const b = form.get('b')?.[0] ?? ''
  const action = form.get('action')?.[0] ?? ''
  const names: string[] = form.get('s') ?? []
  const proxies = engine.config.proxies
  const p = b.startsWith('#') ? proxies[Number(b.slice(1)) - 1] : proxies.find((x) => x.name === b)
  const be = p === undefined ? undefined : engine.backends.get(p.name)
  if (be === undefined || !ADMIN_ACTIONS.some(([a]) => a === action)) return 'ERRP'
  const servers = names.map((n) => be.findServer(n))
  if (servers.some((s) => s === undefined)) return 'ERRP'
  let done = 0
  let failed = 0
  for (const s of servers) {
    const r = apply(engine, s!, action)
    if (r === true) done++
    else if (r === false) failed++
  }
  if (failed > 0) return done > 0 ? 'PART' : 'ERRP'
  return done > 0 ? 'DONE' : 'NONE'
}
