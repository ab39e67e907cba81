/**
 * `agent-check`: a small agent on the server answers one line about the server, as HAProxy's
 * agent protocol says: words separated by spaces, tabs or commas, in any order, the last of each
 * kind winning, and an optional description after `#`:
 *
 *   up | down | stopped | fail     health: up, or down at once ("via agent : down (reason)")
 *   ready | drain | maint          admin state: take traffic, no new traffic, maintenance
 *   75%                            weight: that share of the configured weight
 *   maxconn:30                     the server's connection limit
 *
 * The agent is asked every `agent-inter` (else `inter`) on `agent-addr`/`agent-port`, after
 * `agent-send` when set. An agent that cannot be reached changes nothing; an unknown word is
 * reported but ignored. Order of effects (HAProxy's): admin state, weight, maxconn, then health.
 */
import type { Server } from '../backend/server.ts'
import type { ServerStates } from './state.ts'
import type { CheckOutcome } from './status.ts'
import type { CheckKind } from './types.ts'

export interface AgentReply {
  health?: 'up' | 'down' | 'stopped' | 'fail'
  admin?: 'ready' | 'drain' | 'maint'
  /** `75%` as written. */
  weight?: string
  /** The value after `maxconn:`. */
  maxconn?: string
  /** The first word not understood. */
  error?: string
  /** The text after `#`. */
  desc: string
}

/** Parses one agent line (without its line end). */
export function parseAgentReply(line: string): AgentReply {
  const r: AgentReply = { desc: '' }
  let i = 0
  while (i < line.length) {
    const ch = line[i]
    if (ch === ' ' || ch === '\t' || ch === ',') { i++; continue }
    if (ch === '#') {
      r.desc = line.slice(i + 1).replace(/^[ \t]+/, '').replace(/^[ \n]+/, '')
      break
    }
    let j = i + 1
    while (j < line.length && line[j] !== ' ' && line[j] !== '\t' && line[j] !== ',') j++
    const word = line.slice(i, j)
    const w = word.toLowerCase()
    if (w === 'up' || w === 'down' || w === 'stopped' || w === 'fail') r.health = w
    else if (w === 'ready' || w === 'drain' || w === 'maint') r.admin = w
    else if (/^[0-9]/.test(w) && w.includes('%')) r.weight = word
    else if (w.startsWith('maxconn:')) r.maxconn = word.slice(8)
    else if (r.error === undefined) r.error = word
    i = j
  }
  return r
}

/** `75%` of the configured weight: the new user weight, or why not. */
export function agentWeight(word: string, iweight: number): number | string {
  const m = word.match(/^(\d+)%$/)
  if (!m) return 'Weight change request only supports relative values (integer followed by %).'
  const w = Math.floor((iweight * Number(m[1])) / 100)
  if (w > 256) return 'Relative weight too large.'
  return w
}

/** `maxconn:N`: the new limit, or why not. */
export function agentMaxconn(word: string): number | string {
  if (!/^\d+$/.test(word)) return 'Integer value expected for maxconn.'
  return Number(word)
}

/** Applies a reply to `s` (admin, weight, maxconn, and the health word to the health counter)
 *  and returns the agent check's outcome. */
export function applyAgentReply(s: Server, r: AgentReply, states: ServerStates): CheckOutcome {
  if (r.admin !== undefined) states.setAdmin(s, r.admin)
  let warning: string | undefined
  if (r.weight !== undefined) {
    const w = agentWeight(r.weight, s.cfg.weight)
    if (typeof w === 'number') states.setWeight(s, w)
    else warning = w
  }
  if (r.maxconn !== undefined) {
    const m = agentMaxconn(r.maxconn)
    if (typeof m === 'number') states.setMaxconn(s, m)
    else warning ??= m
  }
  if (r.health !== undefined) {
    const up = r.health === 'up'
    s.checkHealth = up ? s.cfg.rise + s.cfg.fall - 1 : 0
    let msg = r.desc
    if (msg === '' || up) msg = r.error ?? warning ?? msg
    return { status: up ? 'L7OK' : 'L7STS', info: `via agent : ${r.health}${msg !== '' ? ` (${msg})` : ''}` }
  }
  if (r.error !== undefined) return { status: 'CHECKED', info: `agent reports an error : ${r.error}` }
  if (warning !== undefined) return { status: 'CHECKED', info: `agent warns : ${warning}` }
  return { status: 'CHECKED' }
}

export function createAgentCheck(s: Server, states: ServerStates): CheckKind {
  const send = s.cfg.agentSend !== undefined ? Buffer.from(s.cfg.agentSend, 'latin1') : undefined
  return {
    name: 'agent',
    async run(t) {
      const c = await t.connect()
      if (send) c.send(send)
      let line: string | undefined
      await t.expect(c, (buf, last) => {
        let end = 0
        while (end < buf.length && buf[end] !== 10 && buf[end] !== 13 && buf[end] !== 0) end++
        if (end < buf.length) { line = buf.toString('latin1', 0, end); return true }
        return last
      })
      if (line === undefined) return { status: 'CHECKED', info: 'Ignoring incomplete line from agent' }
      return applyAgentReply(s, parseAgentReply(line), states)
    },
  }
}
