/**
 * The commands that change a server at run time: its admin state (ready, drain, maint), its
 * health and agent status, its weight. They go through the health checks' state machine
 * (check/state.ts), so the balancer, the queues, tracking servers and the log lines follow as
 * they do for a check's verdict. Admin level only, as in HAProxy.
 */
import type { Backend } from '../backend/backend.ts'
import type { Server } from '../backend/server.ts'
import { CliError, needLevel, type CliCommand, type CliCtx } from './types.ts'

/** `backend/server` to the server (HAProxy's messages when either is missing). */
export function findServer(ctx: CliCtx, spec: string | undefined): { be: Backend; s: Server } {
  const slash = spec === undefined ? -1 : spec.indexOf('/')
  if (spec === undefined || slash <= 0 || slash === spec.length - 1) throw new CliError("Require 'backend/server'.\n")
  const be = ctx.engine.backends.get(spec.slice(0, slash))
  if (be === undefined) throw new CliError('No such backend.\n')
  const s = be.findServer(spec.slice(slash + 1))
  if (s === undefined) throw new CliError('No such server.\n')
  if (be.cfg.disabled) throw new CliError('Proxy is disabled.\n')
  return { be, s }
}

/** A weight change as HAProxy reads it: `N` (0-256) or `N%` of the configured weight. */
function changeWeight(ctx: CliCtx, be: Backend, s: Server, text: string | undefined): void {
  if (text === undefined || text === '') throw new CliError('Require <weight> or <weight%>.\n')
  const m = /^([-+]?\d+)(.*)$/.exec(text)
  if (!m) throw new CliError('Empty weight string empty or preceded by garbage')
  let w = parseInt(m[1]!, 10)
  if (m[2] === '%') {
    if (w < 0) throw new CliError('Relative weight must be positive.\n')
    w = Math.min(256, Math.floor((s.cfg.weight * Math.min(w, 25600)) / 100))
  } else if (w < 0 || w > 256) throw new CliError('Absolute weight can only be between 0 and 256 inclusive.\n')
  else if (m[2] !== '') throw new CliError('Trailing garbage in weight string')
  if (w !== 0 && w !== s.cfg.weight && !be.algorithm.dynamicWeights(be.cfg.hashType)) {
    throw new CliError("Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n")
  }
  ctx.engine.checks.states.setWeight(s, w)
}

export const setServer: CliCommand = {
  words: ['set', 'server'],
  usage: 'set server <bk>/<srv> [opts]',
  help: 'change a server\'s state, weight, or health',
  level: 'admin',
  run(args, ctx) {
    needLevel(ctx, 'admin')
    const { be, s } = findServer(ctx, args[2])
    const states = ctx.engine.checks.states
    const what = args[3]
    const v = args[4]
    if (what === 'weight') { changeWeight(ctx, be, s, v); return '' }
    if (what === 'state') {
      if (v !== 'ready' && v !== 'drain' && v !== 'maint') throw new CliError("'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n")
      states.setAdmin(s, v)
      return ''
    }
    if (what === 'health') {
      if (s.track !== null) throw new CliError('cannot change health on a tracking server.\n')
      const top = s.cfg.rise + s.cfg.fall - 1
      if (v === 'up') { s.checkHealth = top; states.setUp(s, { kind: 'none' }) } else if (v === 'stopping') { s.checkHealth = top; states.setStopping(s, { kind: 'none' }) } else if (v === 'down') { s.checkHealth = 0; states.setDown(s, { kind: 'none' }) } else throw new CliError("'set server <srv> health' expects 'up', 'stopping', or 'down'.\n")
      return ''
    }
    if (what === 'agent') {
      if (!s.cfg.agentCheck) throw new CliError('agent checks are not enabled on this server.\n')
      if (v === 'up') { s.agentHealth = s.cfg.rise + s.cfg.fall - 1; states.setUp(s, { kind: 'none' }) } else if (v === 'down') { s.agentHealth = 0; states.setDown(s, { kind: 'none' }) } else throw new CliError("'set server <srv> agent' expects 'up' or 'down'.\n")
      return ''
    }
    throw new CliError("'set server <srv>' only supports 'agent', 'health', 'state', 'weight', 'addr', 'fqdn', 'check-addr', 'check-port', 'agent-check', 'agent-addr', 'agent-port', 'agent-inter', 'agent-send', 'maxconn' and 'ssl'.\n")
  },
}

export const getWeight: CliCommand = {
  words: ['get', 'weight'],
  usage: 'get weight <bk>/<srv>',
  help: 'report a server\'s current weight',
  run(args, ctx) {
    const { s } = findServer(ctx, args[2])
    return `${s.uweight} (initial ${s.cfg.weight})\n`
  },
}

export const setWeight: CliCommand = {
  words: ['set', 'weight'],
  usage: 'set weight <bk>/<srv>  (DEPRECATED)',
  help: 'change a server\'s weight (use \'set server\' instead)',
  level: 'admin',
  run(args, ctx) {
    needLevel(ctx, 'admin')
    const { be, s } = findServer(ctx, args[2])
    changeWeight(ctx, be, s, args[3])
    return ''
  },
}

export const disableServer: CliCommand = {
  words: ['disable', 'server'],
  usage: 'disable server (DEPRECATED)',
  help: 'disable a server for maintenance (use \'set server\' instead)',
  level: 'admin',
  run(args, ctx) {
    needLevel(ctx, 'admin')
    ctx.engine.checks.states.setAdmin(findServer(ctx, args[2]).s, 'maint')
    return ''
  },
}

export const enableServer: CliCommand = {
  words: ['enable', 'server'],
  usage: 'enable server  (DEPRECATED)',
  help: 'enable a disabled server (use \'set server\' instead)',
  level: 'admin',
  run(args, ctx) {
    needLevel(ctx, 'admin')
    ctx.engine.checks.states.setAdmin(findServer(ctx, args[2]).s, 'ready')
    return ''
  },
}
