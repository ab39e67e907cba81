/**
 * Options of `server` and `default-server` lines that edgelb gives a meaning to. Options HAProxy
 * knows that are not in this table are kept in `ServerOptions.extra` with a "not implemented yet"
 * warning (arity from model/dictionary/server-options.ts).
 */
import { isIP } from 'node:net'
import { ConfigError, type SourcePos } from '../../model/source.ts'
import type { OnError, PpFlag, ServerOptions } from '../../model/types.ts'
import { parseDuration, parseIntIn } from '../../model/units.ts'
import type { ServerOptionKeyword } from './types.ts'
import { serverTlsKeywords } from './tls-options.ts'
import { parseSource } from './source-range.ts'

function flag(kw: string, field: 'check' | 'backup' | 'disabled' | 'agentCheck' | 'checkViaSocks4', value: boolean): ServerOptionKeyword {
  return { kw, args: 0, apply: (_v, s) => { s[field] = value } }
}

function duration(kw: string, field: 'inter' | 'fastinter' | 'downinter' | 'slowstart' | 'agentInter'): ServerOptionKeyword {
  return {
    kw,
    args: 1,
    apply: ([v], s, at) => {
      const ms = parseDuration(v!, at)
      if (ms <= 0 && field !== 'slowstart') throw new ConfigError(`'${kw}' must be greater than 0, got '${v}'`, at)
      s[field] = ms
    },
  }
}

function count(kw: string, field: 'rise' | 'fall' | 'maxconn' | 'minconn' | 'maxqueue' | 'errorLimit', min: number): ServerOptionKeyword {
  return { kw, args: 1, apply: ([v], s, at) => { s[field] = parseIntIn(v!, at, `'${kw}'`, min, 1_000_000_000) } }
}

function text(kw: string, field: 'track' | 'cookie' | 'checkAddr' | 'agentSend' | 'agentAddr'): ServerOptionKeyword {
  return { kw, args: 1, apply: ([v], s) => { s[field] = v! } }
}

/** `resolvers NAME`, `resolve-prefer ipv4|ipv6`, `init-addr METHOD,…` (proxy/resolution.ts). */
const resolutionOptions: readonly ServerOptionKeyword[] = [
  { kw: 'resolvers', args: 1, apply: ([v], s) => { s.resolvers = v! } },
  {
    kw: 'resolve-prefer', args: 1,
    apply([v], s, at) {
      if (v !== 'ipv4' && v !== 'ipv6') throw new ConfigError(`'resolve-prefer' expects ipv4 or ipv6, got '${v}'`, at)
      s.resolvePrefer = v
    },
  },
  {
    kw: 'init-addr', args: 1,
    apply([v], s, at) {
      const methods = v!.split(',').filter((m) => m !== '')
      for (const m of methods) {
        if (m !== 'last' && m !== 'libc' && m !== 'none' && isIP(m) === 0) throw new ConfigError(`'init-addr' expects last, libc, none or an IP address, comma-separated; got '${m}'`, at)
      }
      if (methods.length === 0) throw new ConfigError(`'init-addr' expects last, libc, none or an IP address`, at)
      s.initAddr = methods
    },
  },
]

function port(kw: string, field: 'checkPort' | 'agentPort'): ServerOptionKeyword {
  return { kw, args: 1, apply: ([v], s, at) => { s[field] = parseIntIn(v!, at, `'${kw}'`, 1, 65535) } }
}

const ON_ERROR: readonly OnError[] = ['fastinter', 'fail-check', 'sudden-death', 'mark-down']

/** Sets or clears PROXY protocol flags, as HAProxy's srv_enable_pp_flags/srv_disable_pp_flags. */
function ppFlags(s: ServerOptions, on: boolean, flags: readonly PpFlag[]): void {
  const set = new Set(s.sendProxy ?? [])
  for (const f of flags) { if (on) set.add(f); else set.delete(f) }
  if (set.size === 0) delete s.sendProxy
  else s.sendProxy = [...set]
}

function pp(kw: string, on: boolean, flags: readonly PpFlag[]): ServerOptionKeyword {
  return { kw, args: 0, apply: (_v, s) => ppFlags(s, on, flags) }
}

/** `proxy-v2-options` words and the flags each sets (the SSL ones imply `ssl`). */
const PP2_OPTIONS: Readonly<Record<string, readonly PpFlag[]>> = {
  ssl: ['ssl'],
  'cert-cn': ['ssl', 'cert-cn'],
  'ssl-cipher': ['ssl', 'ssl-cipher'],
  'cert-sig': ['ssl', 'cert-sig'],
  'cert-key': ['ssl', 'cert-key'],
  authority: ['authority'],
  crc32c: ['crc32c'],
  'unique-id': ['unique-id'],
}

/** `proto h2|h1` (HAProxy's multiplexer names; others, fcgi, are not spoken). */
export function parseProto(v: string, at: SourcePos): 'h1' | 'h2' {
  if (v === 'h2' || v === 'h1') return v
  throw new ConfigError(`'proto ${v}': edgelb speaks 'h2' and 'h1'`, at)
}

export const serverOptionKeywords: readonly ServerOptionKeyword[] = [
  { kw: 'proto', args: 1, apply: ([v], s, at) => { s.proto = parseProto(v!, at) } },
  ...resolutionOptions,
  flag('check', 'check', true),
  flag('no-check', 'check', false),
  duration('inter', 'inter'),
  duration('fastinter', 'fastinter'),
  duration('downinter', 'downinter'),
  count('rise', 'rise', 1),
  count('fall', 'fall', 1),
  port('port', 'checkPort'),
  text('addr', 'checkAddr'),
  flag('backup', 'backup', true),
  flag('no-backup', 'backup', false),
  { kw: 'id', args: 1, apply: ([v], s, at) => { s.id = parseIntIn(v!, at, "'id'", 1, 2_147_483_647) } },
  { kw: 'weight', args: 1, apply: ([v], s, at) => { s.weight = parseIntIn(v!, at, "'weight'", 0, 256) } },
  count('maxconn', 'maxconn', 0),
  count('minconn', 'minconn', 0),
  count('maxqueue', 'maxqueue', 0),
  { kw: 'pool-max-conn', args: 1, apply: ([v], s, at) => { s.poolMaxConn = parseIntIn(v!, at, "'pool-max-conn'", -1, 1_000_000_000) } },
  duration('slowstart', 'slowstart'),
  {
    kw: 'socks4',
    args: 1,
    apply: ([v], s, at, ctx) => {
      if (!/^[0-9.]+:\d+$/.test(v!)) throw new ConfigError(`'socks4' expects an IPv4 address and a port, got '${v}'`, at)
      s.socks4 = v!
      ctx.warn(`server option 'socks4': only health checks with 'check-via-socks4' go through the SOCKS4 proxy yet; the server's traffic goes to it directly`, at)
    },
  },
  flag('check-via-socks4', 'checkViaSocks4', true),
  text('track', 'track'),
  {
    kw: 'source',
    args: 1,
    apply: ([v], s, at) => {
      s.source = parseSource(v!, 'source', at, { checkAddress: true })
    },
  },
  flag('disabled', 'disabled', true),
  flag('enabled', 'disabled', false),
  text('cookie', 'cookie'),
  flag('agent-check', 'agentCheck', true),
  flag('no-agent-check', 'agentCheck', false),
  port('agent-port', 'agentPort'),
  duration('agent-inter', 'agentInter'),
  text('agent-send', 'agentSend'),
  text('agent-addr', 'agentAddr'),
  pp('send-proxy', true, ['v1']),
  pp('no-send-proxy', false, ['v1']),
  pp('send-proxy-v2', true, ['v2']),
  pp('no-send-proxy-v2', false, ['v2']),
  pp('send-proxy-v2-ssl', true, ['v2', 'ssl']),
  pp('no-send-proxy-v2-ssl', false, ['v2', 'ssl']),
  pp('send-proxy-v2-ssl-cn', true, ['v2', 'ssl', 'cert-cn']),
  pp('no-send-proxy-v2-ssl-cn', false, ['v2', 'ssl', 'cert-cn']),
  {
    kw: 'proxy-v2-options',
    args: 1,
    apply: ([v], s, at) => {
      for (const w of v!.split(',')) {
        const flags = PP2_OPTIONS[w]
        if (flags === undefined) throw new ConfigError(`'${w}': unknown proxy-v2-options option; known: ${Object.keys(PP2_OPTIONS).join(', ')}`, at)
        ppFlags(s, true, flags)
      }
    },
  },
  { kw: 'check-send-proxy', args: 0, apply: (_v, s) => { s.checkSendProxy = true } },
  { kw: 'no-check-send-proxy', args: 0, apply: (_v, s) => { s.checkSendProxy = false } },
  {
    kw: 'observe',
    args: 1,
    apply: ([v], s, at) => {
      if (v !== 'layer4' && v !== 'layer7') throw new ConfigError(`'observe' expects 'layer4' or 'layer7', got '${v}'`, at)
      s.observe = v
    },
  },
  count('error-limit', 'errorLimit', 1),
  {
    kw: 'on-error',
    args: 1,
    apply: ([v], s, at) => {
      const mode = ON_ERROR.find((m) => m === v)
      if (!mode) throw new ConfigError(`'on-error' expects one of ${ON_ERROR.join(', ')}, got '${v}'`, at)
      s.onError = mode
    },
  },
  {
    kw: 'on-marked-down',
    args: 1,
    apply: ([v], s, at) => {
      if (v !== 'shutdown-sessions') throw new ConfigError(`'on-marked-down' expects 'shutdown-sessions', got '${v}'`, at)
      s.onMarkedDown = v
    },
  },
  {
    kw: 'on-marked-up',
    args: 1,
    apply: ([v], s, at) => {
      if (v !== 'shutdown-backup-sessions') throw new ConfigError(`'on-marked-up' expects 'shutdown-backup-sessions', got '${v}'`, at)
      s.onMarkedUp = v
    },
  },
  ...serverTlsKeywords,
]

/** The values HAProxy 2.x gives a server that says nothing (and `default-server` may change). */
export function defaultServerOptions(): ServerOptions {
  return {
    check: false,
    inter: 2000,
    rise: 2,
    fall: 3,
    backup: false,
    weight: 1,
    maxconn: 0,
    minconn: 0,
    maxqueue: 0,
    slowstart: 0,
    disabled: false,
    agentCheck: false,
    errorLimit: 10,
    onError: 'fail-check',
    extra: {},
  }
}

