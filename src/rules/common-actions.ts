/**
 * Actions every rule set shares (tcp-request connection/content, http-request/response): they
 * change state and let evaluation go on. Each compiles to `(stream) => void`; the rule sets
 * (tcp-actions.ts, http-actions.ts) list the ones they accept in their own tables.
 */
import { ConfigError } from '../model/source.ts'
import type { AclSet } from './acl.ts'
import type { CompileCtx } from './context.ts'
import { compileExpr } from './expr.ts'
import { compileLogFormat } from './log-format.ts'
import { tableArg } from './fetches.ts'
import { trackEntry, trackedAt, type TrackPhase } from './tracking.ts'
import type { Sample, StreamView } from './types.ts'
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../core/ip.ts'
import { compileVarRef, parseVarConds } from './vars.ts'
import { toInt, toStr } from './sample.ts'
import { GP_EFFECTS } from './gp-actions.ts'

export type Phase = 'tcp-connection' | 'tcp-session' | 'tcp-content' | 'tcp-response' | 'http-request' | 'http-response'

export interface ActionCtx extends CompileCtx {
  phase: Phase
  acls: AclSet
  /** The action word as written, with its parenthesised argument split off: `set-var(txn.x)` →
   *  name 'set-var', param 'txn.x'. */
  param: string | undefined
  /** Request capture slots declared so far (`http-request capture … len N` adds one). */
  captureSlots: { count: number }
}

export type Effect = (s: StreamView) => void

/** One entry of an action table (these effects, tcp-actions.ts, http-actions.ts). */
export interface ActionKeyword<A> {
  kw: string
  /** Whether the keyword carries `(…)` on it (`set-var(txn.x)`). */
  param?: 'required' | 'optional'
  /** Whether edgelb implements the action with these arguments (omitted: always); one it does
   *  not is reported as unimplemented, as an action edgelb lacks (`use-service lua.x`). */
  implemented?(args: readonly string[]): boolean
  compile(args: string[], ctx: ActionCtx): A
}

type EffectKeyword = ActionKeyword<Effect>

function noArgs(kw: string, args: string[], ctx: ActionCtx): void {
  if (args.length > 0) throw new ConfigError(`'${kw}' takes no argument; remove '${args.join(' ')}'`, ctx.at)
}

const TRACK_PHASE: Readonly<Record<Phase, TrackPhase>> = {
  'tcp-connection': 'connection', 'tcp-session': 'connection', 'tcp-content': 'content', 'tcp-response': 'content', 'http-request': 'http-request', 'http-response': 'http-response',
}

function trackSc(n: number): EffectKeyword {
  return {
    kw: `track-sc${n}`,
    compile(args, ctx) {
      const [keyText, ...rest] = args
      if (keyText === undefined) throw new ConfigError(`'track-sc${n}' expects a key: track-sc${n} src [table NAME]`, ctx.at)
      let tname: string | undefined
      if (rest.length > 0) {
        if (rest[0] !== 'table' || rest.length !== 2) throw new ConfigError(`unexpected '${rest.join(' ')}' after 'track-sc${n} ${keyText}'; write 'table NAME'`, ctx.at)
        tname = rest[1]
      }
      const t = tableArg(tname, ctx)
      const key = compileExpr(keyText, ctx).fn
      const phase = TRACK_PHASE[ctx.phase]
      const onSession = ctx.phase === 'tcp-connection' || ctx.phase === 'tcp-session'
      return (s) => {
        const slots = onSession ? s.sess.sc : s.sc
        if (slots[n] !== undefined) return
        const k = t.keyOf(key(s))
        if (k === undefined) return
        const e = t.get(k)
        if (e !== undefined) trackEntry(slots, n, e, phase)
      }
    },
  }
}

function scInc(kw: string, gpc: 'gpc0' | 'gpc1'): EffectKeyword {
  return {
    kw, param: 'required',
    compile(args, ctx) {
      noArgs(kw, args, ctx)
      const n = Number(ctx.param)
      if (!(n >= 0 && n <= 2)) throw new ConfigError(`'${kw}(${ctx.param})': the stick counter is 0, 1 or 2`, ctx.at)
      return (s) => {
        const e = trackedAt(s, n)
        if (e !== undefined) e.table.inc(e, gpc, `${gpc}_rate`)
      }
    },
  }
}

const LOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug', 'silent']

const COMMON_EFFECTS: readonly EffectKeyword[] = [
  trackSc(0),
  trackSc(1),
  trackSc(2),
  scInc('sc-inc-gpc0', 'gpc0'),
  scInc('sc-inc-gpc1', 'gpc1'),
  ...GP_EFFECTS,
  {
    kw: 'sc-set-gpt0', param: 'required',
    compile(args, ctx) {
      const n = Number(ctx.param)
      if (!(n >= 0 && n <= 2)) throw new ConfigError(`'sc-set-gpt0(${ctx.param})': the stick counter is 0, 1 or 2`, ctx.at)
      if (args.length !== 1) throw new ConfigError(`'sc-set-gpt0(${n})' expects a value or an expression`, ctx.at)
      const v = /^-?\d+$/.test(args[0]!) ? (() => { const k = Number(args[0]); return () => k })() : compileExpr(args[0]!, ctx).fn
      return (s) => {
        const e = trackedAt(s, n)
        const x = toInt(v(s))
        if (e !== undefined && x !== undefined) e.table.setCounter(e, 'gpt0', x)
      }
    },
  },
  {
    kw: 'set-var', param: 'required',
    compile(args, ctx) {
      const [name, ...conds] = ctx.param!.split(',').map((w) => w.trim())
      const ref = compileVarRef(name!, ctx.at)
      const cond = parseVarConds(conds, ctx.at)
      if (args.length !== 1) throw new ConfigError(`'set-var(${ctx.param})' expects one sample expression (quote it if it has spaces)`, ctx.at)
      const fn = compileExpr(args[0]!, ctx).fn
      return (s) => { const v = fn(s); if (v !== undefined) ref.set(s, v, cond) }
    },
  },
  {
    kw: 'set-var-fmt', param: 'required',
    compile(args, ctx) {
      const [name, ...conds] = ctx.param!.split(',').map((w) => w.trim())
      const ref = compileVarRef(name!, ctx.at)
      const cond = parseVarConds(conds, ctx.at)
      if (args.length !== 1) throw new ConfigError(`'set-var-fmt(${ctx.param})' expects one format string (quote it)`, ctx.at)
      const fmt = compileLogFormat(args[0]!, ctx)
      return (s) => { ref.set(s, fmt(s), cond) }
    },
  },
  {
    kw: 'unset-var', param: 'required',
    compile(args, ctx) {
      noArgs('unset-var', args, ctx)
      const ref = compileVarRef(ctx.param!, ctx.at)
      return (s) => ref.unset(s)
    },
  },
  {
    kw: 'set-log-level',
    compile(args, ctx) {
      const lv = args[0]
      if (args.length !== 1 || !LOG_LEVELS.includes(lv!)) throw new ConfigError(`'set-log-level' expects one of ${LOG_LEVELS.join(', ')}`, ctx.at)
      return (s) => { s.logLevel = lv }
    },
  },
  {
    kw: 'capture',
    compile(args, ctx) {
      // capture SAMPLE len N | capture SAMPLE id N
      const [expr, how, num] = args
      if (expr === undefined || (how !== 'len' && how !== 'id') || num === undefined || !/^\d+$/.test(num) || args.length !== 3) {
        throw new ConfigError(`'capture' expects: capture SAMPLE len LENGTH (or id SLOT)`, ctx.at)
      }
      const fn = compileExpr(expr, ctx).fn
      let slot: number
      let max = 64
      if (how === 'len') { slot = ctx.captureSlots.count++; max = Number(num) }
      else slot = Number(num)
      return (s) => {
        const v = toStr(fn(s))
        if (v === undefined) return
        const caps = (s.captures ??= [])
        caps[slot] = v.length > max ? v.slice(0, max) : v
      }
    },
  },
  ...(['add-acl', 'del-acl', 'set-map', 'del-map'] as const).map((kw): EffectKeyword => ({
    kw, param: 'required',
    compile(args, ctx) {
      const ref = ctx.maps.ref(ctx.param!, ctx.fileDir, ctx.at)
      const want = kw === 'set-map' ? 2 : 1
      if (args.length !== want) throw new ConfigError(`'${kw}(${ctx.param})' expects ${want === 2 ? 'a key format and a value format' : 'a key format'}`, ctx.at)
      const key = compileLogFormat(args[0]!, ctx)
      const value = want === 2 ? compileLogFormat(args[1]!, ctx) : undefined
      // An entry the index refuses (not an address in an ip ACL…) is dropped, as HAProxy does.
      if (kw === 'add-acl') return (s) => { const k = key(s); if (!ref.entries().some((e) => e.line === k)) try { ref.add(k) } catch {} }
      if (kw === 'set-map') return (s) => { try { ref.set(key(s), value!(s)) } catch {} }
      return (s) => { ref.delete(key(s)) }
    },
  })),
  setAddr('set-src', 'src', 'addr'),
  setAddr('set-src-port', 'src', 'port'),
  setAddr('set-dst', 'dst', 'addr'),
  setAddr('set-dst-port', 'dst', 'port'),
]

/** `set-src EXPR`, `set-dst EXPR`, `set-src-port EXPR`, `set-dst-port EXPR`: the connection's
 *  client or destination address (an IPv4 or IPv6 address, or an integer as IPv4; anything else
 *  changes nothing) or port (0 to 65535), as rules, forwardfor, originalto and the log see them
 *  from then on. */
function setAddr(kw: string, which: 'src' | 'dst', part: 'addr' | 'port'): EffectKeyword {
  return {
    kw,
    compile(args, ctx) {
      if (args.length !== 1) throw new ConfigError(`'${kw}' expects one sample expression: ${kw} ${part === 'addr' ? 'hdr(x-forwarded-for)' : 'int(8080)'}`, ctx.at)
      const fn = compileExpr(args[0]!, ctx).fn
      return (s) => {
        const set = which === 'src' ? s.sess.setSrc : s.sess.setDst
        if (set === undefined) return
        const v = fn(s)
        if (part === 'port') {
          const n = toInt(v)
          if (n !== undefined && n >= 0 && n <= 65535) set.call(s.sess, undefined, n)
          return
        }
        const ip = toIpText(v)
        if (ip !== undefined) set.call(s.sess, ip, undefined)
      }
    },
  }
}

/** An address sample as text: IPv4 dotted, IPv6 in its canonical form; an integer is IPv4. */
function toIpText(v: Sample | undefined): string | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? formatIpv4(v >>> 0) : undefined
  const t = toStr(v)?.trim()
  if (t === undefined) return undefined
  const a = parseIpv4(t)
  if (a >= 0) return formatIpv4(a)
  const w = parseIpv6(t)
  return w ? formatIpv6(w) : undefined
}

/** The shared effects as actions of a rule set where undefined lets the next rule run. */
export function effectActions<V>(): ActionKeyword<(s: StreamView) => V | undefined>[] {
  return COMMON_EFFECTS.map((e) => ({
    ...e,
    compile(args: string[], ctx: ActionCtx) {
      const fx = e.compile(args, ctx)
      return (s: StreamView) => { fx(s); return undefined }
    },
  }))
}
