/**
 * Keywords of the `global` section that edgelb gives a meaning to, or accepts with a warning that
 * says what edgelb does instead (it never forks: systemd or a supervisor keeps it running). Like
 * HAProxy, it gives up root once bound: `chroot`, `user`/`uid`, `group`/`gid` (net/privileges.ts).
 */
import { groupId, GROUP, PASSWD, userId } from './accounts.ts'
import { ConfigError } from '../../model/source.ts'
import { parseDuration, parseIntIn, parseSize } from '../../model/units.ts'
import { parseStatsSocket } from '../../model/stats-socket.ts'
import { parseLog } from './proxy.ts'
import type { NotBuiltSink } from './servers.ts'
import type { GlobalKeyword, KeywordCtx } from './types.ts'
import { one } from './words.ts'
import { globalTlsKeywords } from './tls-options.ts'

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
      g.nbthread = parseIntIn(one('nbthread', args, d, 'a number'), d.pos, "'nbthread'", 1, 4096)
      if (g.nbthread > 1) ctx.warn(`'nbthread ${g.nbthread}': edgelb runs one event loop per process for now and uses 1 thread`, d.pos)
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
      g.statsSockets.push({ address, options, pos: d.pos })
    },
  },
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
  account('user'),
  account('group'),
  account('uid'),
  account('gid'),
  { kw: 'chroot', parse: (args, d, g) => { g.chroot = one('chroot', args, d, 'a directory') } },
  { kw: 'spread-checks', parse: (args, d, g) => { g.spreadChecks = parseIntIn(one('spread-checks', args, d, 'a percentage'), d.pos, "'spread-checks'", 0, 50) } },
  { kw: 'hard-stop-after', parse: (args, d, g) => { g.hardStopAfter = parseDuration(one('hard-stop-after', args, d, 'a duration'), d.pos) } },
  { kw: 'localpeer', notBuilt: 'stick table replication', parse: (args, d, g) => { g.localPeer = one('localpeer', args, d, 'a peer name') } },
  { kw: 'tune.bufsize', parse: (args, d, g) => { g.tune.bufsize = parseSize(one('tune.bufsize', args, d, 'a size'), d.pos) } },
  { kw: 'tune.http.maxhdr', parse: (args, d, g) => { g.tune.maxhdr = parseIntIn(one('tune.http.maxhdr', args, d, 'a number'), d.pos, "'tune.http.maxhdr'", 1, 32767) } },
  ...globalTlsKeywords,
]
