/**
 * Keywords of the `global` section that edgelb gives a meaning to, or accepts with a warning that
 * says what edgelb does instead (it never forks: systemd or a supervisor keeps it running). Like
 * HAProxy, it gives up root once bound: `chroot`, `user`/`uid`, `group`/`gid` (net/privileges.ts).
 */
import { groupId, GROUP, PASSWD, userId } from './accounts.ts'
import { ConfigError, type Directive, type SourcePos } from '../../model/source.ts'
import { parseDuration, parseIntIn, parseSize } from '../../model/units.ts'
import { parseStatsSocket } from '../../model/stats-socket.ts'
import { OTEL_SAMPLERS } from '../../model/otel.ts'
import type { GlobalConfig } from '../../model/types.ts'
import { parseLog } from './proxy.ts'
import type { NotBuiltSink } from './servers.ts'
import type { GlobalKeyword, KeywordCtx } from './types.ts'
import { one } from './words.ts'
import { globalTlsKeywords } from './tls-options.ts'

/** `N` or `N-M` as the numbers it covers, each within min..max. */
function numberSet(text: string, at: SourcePos, what: string, min: number, max: number): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text)
  if (m === null) throw new ConfigError(`${what} set expects N or N-M, got '${text}'`, at)
  const a = parseIntIn(m[1]!, at, what, min, max)
  const b = m[2] === undefined ? a : parseIntIn(m[2], at, what, min, max)
  if (b < a) throw new ConfigError(`${what} range '${text}' ends before it starts`, at)
  return Array.from({ length: b - a + 1 }, (_, i) => a + i)
}

/** Accepted for compatibility; edgelb does not act on it, and says why. */
function ignored(kw: string, why: string): GlobalKeyword {
  return { kw, parse: (_args, d, _g, ctx) => ctx.warn(`'${kw}' is ignored: ${why}`, d.pos) }
}

/** `user NAME`/`group NAME` (looked up at load) and `uid N`/`gid N`. */
function account(kw: 'user' | 'group' | 'uid' | 'gid'): GlobalKeyword {
  const numeric = kw === 'uid' || kw === 'gid'
  const field = kw === 'user' || kw === 'uid' ? 'uid' : 'gid'
  return {
    kw,
    parse(args, d, g) {
      const v = one(kw, args, d, numeric ? 'a number' : `a ${kw} name`)
      if (numeric) { g[field] = parseIntIn(v, d.pos, `'${kw}'`, 0, 4_294_967_294); return }
      const id = kw === 'user' ? userId(v) : groupId(v)
      if (id === undefined) throw new ConfigError(`no ${kw} '${v}' on this machine (${kw === 'user' ? PASSWD : GROUP}); create it, or write '${field} N' with its number`, d.pos)
      g[field] = id
    },
  }
}

/** `otel [traces] [metrics]` and the `otel-*` settings (docs/observability.md). */
function otelKeywords(): GlobalKeyword[] {
  return [
    {
      kw: 'otel',
      parse(args, d, g) {
        for (const a of args) if (a !== 'traces' && a !== 'metrics') throw new ConfigError(`'otel' takes 'traces' and/or 'metrics' (both when neither is written), not '${a}'`, d.pos)
        const all = args.length === 0
        ;(g.otel ??= {}).on = { traces: all || args.includes('traces'), metrics: all || args.includes('metrics'), pos: d.pos }
      },
    },
    {
      kw: 'otel-endpoint',
      parse(args, d, g) {
        const v = one('otel-endpoint', args, d, 'the OTLP/HTTP base URL (http://collector:4318)')
        if (!/^https?:\/\/[^/]/.test(v)) throw new ConfigError(`'otel-endpoint' expects an http:// or https:// URL, not '${v}'`, d.pos)
        ;(g.otel ??= {}).endpoint = v.replace(/\/+$/, '')
      },
    },
    { kw: 'otel-service-name', parse: (args, d, g) => { (g.otel ??= {}).serviceName = one('otel-service-name', args, d, 'a service name') } },
    {
      kw: 'otel-sampler',
      parse(args, d, g) {
        const [name, arg, ...rest] = args
        const known = Object.keys(OTEL_SAMPLERS)
        if (name === undefined || !Object.hasOwn(OTEL_SAMPLERS, name)) throw new ConfigError(`'otel-sampler' expects one of ${known.join(', ')}${name === undefined ? '' : `, not '${name}'`}`, d.pos)
        if (rest.length > 0 || (arg !== undefined && !OTEL_SAMPLERS[name])) throw new ConfigError(`'otel-sampler ${name}' takes ${OTEL_SAMPLERS[name] ? 'one ratio' : 'no argument'}; remove '${[...(OTEL_SAMPLERS[name] ? [] : [arg]), ...rest].join(' ')}'`, d.pos)
        if (arg !== undefined) {
          const r = Number(arg)
          if (arg.trim() === '' || !(r >= 0 && r <= 1)) throw new ConfigError(`'otel-sampler ${name}' expects a ratio from 0 to 1 (0.01 for 1%), not '${arg}'`, d.pos)
        }
        const o = (g.otel ??= {})
        o.sampler = name
        if (arg === undefined) delete o.samplerArg
        else o.samplerArg = arg
      },
    },
    { kw: 'otel-metrics-interval', parse: (args, d, g) => { (g.otel ??= {}).metricsInterval = parseDuration(one('otel-metrics-interval', args, d, 'a duration'), d.pos) } },
  ]
}

/** `setenv NAME VALUE`, `presetenv NAME VALUE`, `unsetenv NAME…`, `resetenv [NAME…]`. */
const envKeywords: readonly GlobalKeyword[] = (['setenv', 'presetenv', 'unsetenv', 'resetenv'] as const).map((kw) => ({
  kw,
  parse(args, d, g) {
    if ((kw === 'setenv' || kw === 'presetenv') && args.length !== 2) throw new ConfigError(`'${kw}' expects a name and a value: ${kw} NAME VALUE`, d.pos)
    if (kw === 'unsetenv' && args.length === 0) throw new ConfigError(`'unsetenv' expects one or more names`, d.pos)
    for (const a of kw === 'unsetenv' || kw === 'resetenv' ? args : args.slice(0, 1)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(a)) throw new ConfigError(`'${kw}': '${a}' is not a variable name`, d.pos)
    }
    ;(g.envEdits ??= []).push([kw, ...args])
  },
}))

export const globalKeywords: readonly GlobalKeyword[] = [
  ...envKeywords,
  {
    kw: 'external-check',
    parse(args, d, g) {
      if (args.length > 1 || (args.length === 1 && args[0] !== 'preserve-env')) throw new ConfigError(`'external-check' takes nothing or 'preserve-env'`, d.pos)
      g.externalCheck = { preserveEnv: args[0] === 'preserve-env' }
    },
  },
  {
    kw: 'daemon',
    parse(_args, d, g, ctx) {
      g.daemon = true
      ctx.warn(`'daemon' is ignored: edgelb always stays in the foreground (let systemd or your supervisor run it in the background)`, d.pos)
    },
  },
  { kw: 'quiet', parse: (_args, _d, g) => { g.quiet = true } },
  { kw: 'pp2-never-send-local', parse: (_args, _d, g) => { g.pp2NeverSendLocal = true } },
  { kw: 'pidfile', parse: (args, d, g) => { g.pidfile = one('pidfile', args, d, 'a file path') } },
  { kw: 'maxconn', parse: (args, d, g) => { g.maxconn = parseIntIn(one('maxconn', args, d, 'a number'), d.pos, "'maxconn'", 1, 10_000_000) } },
  {
    kw: 'nbthread',
    parse(args, d, g, ctx) {
      // Threads start at `edgelb run` (cli/threads.ts), which says there when it must run fewer.
      g.nbthread = parseIntIn(one('nbthread', args, d, 'a number'), d.pos, "'nbthread'", 1, 4096)
    },
  },
  {
    // cpu-map [auto:]<group>[/<threads>] <cpus>…: edgelb has one thread group (and one process).
    kw: 'cpu-map',
    parse(args, d, g) {
      if (args.length < 2) throw new ConfigError(`'cpu-map' expects [auto:]1[/THREADS] and CPUs, e.g. 'cpu-map auto:1/1-4 0-3'`, d.pos)
      let spec = args[0]!
      const auto = spec.startsWith('auto:')
      if (auto) spec = spec.slice(5)
      const [group, threadSet] = spec.split('/', 2) as [string, string | undefined]
      if (group !== '1' && group !== 'all' && group !== '1-1') throw new ConfigError(`'cpu-map ${args[0]}': edgelb has one thread group (and one process): write 1 or all before the '/', got '${group}'`, d.pos)
      const threads = threadSet === undefined || threadSet === 'all' ? 'all' : threadSet === 'odd' || threadSet === 'even' ? threadSet : numberSet(threadSet, d.pos, "'cpu-map' thread", 1, 4096)
      const cpus = args.slice(1).flatMap((w) => w.split(',')).filter((w) => w !== '').flatMap((w) => numberSet(w, d.pos, "'cpu-map' CPU", 0, 1023))
      ;(g.cpuMap ??= []).push({ threads, cpus, auto })
    },
  },
  ignored('nbproc', 'edgelb runs one process; start several with SO_REUSEPORT binds if you need more'),
  { kw: 'log', parse: (args, d, g, ctx) => parseLog(args, d, g, ctx as KeywordCtx & NotBuiltSink) },
  { kw: 'log-tag', parse: (args, d, g) => { g.logTag = one('log-tag', args, d, 'a tag (the program name in syslog headers)') } },
  {
    kw: 'log-send-hostname',
    parse(args, d, g) {
      if (args.length > 1) throw new ConfigError(`'log-send-hostname' takes at most a name; remove '${args.slice(1).join(' ')}'`, d.pos)
      g.logSendHostname = args[0] ?? ''
    },
  },
  {
    kw: 'stats socket',
    parse(args, d, g, ctx) {
      const [address, ...options] = args
      if (!address) throw new ConfigError(`'stats socket' expects an address: stats socket /run/edgelb.sock mode 600 level admin`, d.pos)
      // Read now so that a bad option is refused at its line; the runtime API reads it again.
      const spec = parseStatsSocket(address, options, d.pos)
      for (const o of spec.ignored) (ctx as KeywordCtx & NotBuiltSink).notBuilt(`'stats socket ... ${o}'`, d.pos, { area: 'runtime API' })
      const line: GlobalConfig['statsSockets'][number] = { address, options, pos: d.pos }
      const uid = spec.user !== undefined ? userId(spec.user) : spec.uid
      const gid = spec.group !== undefined ? groupId(spec.group) : spec.gid
      if (spec.user !== undefined && uid === undefined) throw new ConfigError(`'stats socket ... user': no user '${spec.user}' on this machine (${PASSWD}); create it, or write 'uid N'`, d.pos)
      if (spec.group !== undefined && gid === undefined) throw new ConfigError(`'stats socket ... group': no group '${spec.group}' on this machine (${GROUP}); create it, or write 'gid N'`, d.pos)
      if ((uid !== undefined || gid !== undefined) && spec.addr.family !== 'unix') throw new ConfigError(`'stats socket ${address}': user, group, uid and gid apply to a unix socket only`, d.pos)
      if (uid !== undefined) line.uid = uid
      if (gid !== undefined) line.gid = gid
      g.statsSockets.push(line)
    },
  },
  { kw: 'server-state-file', parse: (args, d, g) => { g.serverStateFile = one('server-state-file', args, d, 'a file path') } },
  { kw: 'server-state-base', parse: (args, d, g) => { g.serverStateBase = one('server-state-base', args, d, 'a directory') } },
  { kw: 'stats timeout', parse: (args, d, g) => { g.statsTimeout = parseDuration(one('stats timeout', args, d, 'a duration'), d.pos) } },
  ...(['set-var', 'set-var-fmt'] as const).map((kw): GlobalKeyword => ({
    kw,
    parse(args, d, g) {
      const [name, value, ...rest] = args
      if (name === undefined || value === undefined || rest.length > 0) throw new ConfigError(`'${kw}' expects a proc.NAME and ${kw === 'set-var' ? 'one sample expression' : 'one format string'}`, d.pos)
      if (!name.startsWith('proc.')) throw new ConfigError(`'${kw}' in global sets process variables: write proc.NAME, not '${name}'`, d.pos)
      g.setVars.push({ kw, name, value, pos: d.pos })
    },
  })),
  ...otelKeywords(),
  account('user'),
  account('group'),
  account('uid'),
  account('gid'),
  { kw: 'chroot', parse: (args, d, g) => { g.chroot = one('chroot', args, d, 'a directory') } },
  { kw: 'spread-checks', parse: (args, d, g) => { g.spreadChecks = parseIntIn(one('spread-checks', args, d, 'a percentage'), d.pos, "'spread-checks'", 0, 50) } },
  { kw: 'hard-stop-after', parse: (args, d, g) => { g.hardStopAfter = parseDuration(one('hard-stop-after', args, d, 'a duration'), d.pos) } },
  { kw: 'localpeer', parse: (args, d, g) => { g.localPeer = one('localpeer', args, d, 'a peer name') } },
  { kw: 'tune.bufsize', parse: (args, d, g) => { g.tune.bufsize = parseSize(one('tune.bufsize', args, d, 'a size'), d.pos) } },
  ...(['rcvbuf', 'sndbuf'] as const).flatMap((b) => (['client', 'server'] as const).map((side) => ({
    kw: `tune.${b}.${side}`,
    parse: (args: string[], d: Directive, g: GlobalConfig) => { g.tune[`${b}.${side}`] = parseSize(one(`tune.${b}.${side}`, args, d, 'a size'), d.pos) },
  }))),
  { kw: 'tune.http.maxhdr', parse: (args, d, g) => { g.tune.maxhdr = parseIntIn(one('tune.http.maxhdr', args, d, 'a number'), d.pos, "'tune.http.maxhdr'", 1, 32767) } },
  ...h2Tune('tune.h2.max-concurrent-streams', 1, 1_000_000),
  ...h2Tune('tune.h2.fe.max-concurrent-streams', 1, 1_000_000),
  ...h2Tune('tune.h2.be.max-concurrent-streams', 1, 1_000_000),
  ...h2Tune('tune.h2.initial-window-size', 0, 0x7fffffff),
  ...h2Tune('tune.h2.fe.initial-window-size', 0, 0x7fffffff),
  ...h2Tune('tune.h2.be.initial-window-size', 0, 0x7fffffff),
  ...h2Tune('tune.h2.header-table-size', 0, 65536),
  ...h2Tune('tune.h2.max-frame-size', 16384, 16777215),
  ...h2Tune('tune.h2.fe.glitches-threshold', 0, 4_294_967_294),
  ...h2Tune('tune.h2.be.glitches-threshold', 0, 4_294_967_294),
  ...h2Tune('tune.h2.fe.max-total-streams', 0, 4_294_967_294),
  { kw: 'h2-workaround-bogus-websocket-clients', parse: (_args, _d, g) => { g.tune['h2-workaround-bogus-websocket-clients'] = 1 } },
  ...globalTlsKeywords,
]

/** A numeric `tune.h2.*` keyword, kept in `tune` under its own name (proxy/h2/limits.ts reads it). */
function h2Tune(kw: string, min: number, max: number): GlobalKeyword[] {
  return [{ kw, parse: (args, d, g) => { g.tune[kw] = parseIntIn(one(kw, args, d, 'a number'), d.pos, `'${kw}'`, min, max) } }]
}
