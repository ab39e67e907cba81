/**
 * `option NAME [args]` keywords edgelb gives a meaning to. Every option sets
 * `ProxyConfig.options[NAME]` (false after `no option NAME`, for the options HAProxy lets you
 * negate: the dictionary says which, and where each option may be written); a few also parse
 * arguments into a typed field. Options HAProxy knows that are absent here are kept with a "not
 * implemented yet" warning by the builder.
 */
import { parseIpNet } from '../../model/address.ts'
import { ConfigError, type Directive, type SourcePos } from '../../model/source.ts'
import type { ProxyConfig } from '../../model/types.ts'
import type { KeywordCtx, ProxyKeyword } from './types.ts'
import { none } from './words.ts'

/** The HTTP connection modes exclude each other: setting one clears the others, as in HAProxy. */
const HTTP_CONN_MODES = ['httpclose', 'http-server-close', 'http-keep-alive'] as const

function setFlag(p: ProxyConfig, name: string, d: Directive): void {
  p.options[name] = !d.no
  if (!d.no && (HTTP_CONN_MODES as readonly string[]).includes(name)) {
    for (const other of HTTP_CONN_MODES) if (other !== name) delete p.options[other]
  }
}

/** A plain on/off option. */
function flagOption(name: string): ProxyKeyword {
  return { kw: `option ${name}`, parse: (args, d, p) => { none(`option ${name}`, args, d); setFlag(p, name, d) } }
}

/** `option forwardfor [except NET] [header NAME] [if-none]` and `option originalto [except NET] [header NAME]`. */
function parseHeaderOption(name: 'forwardfor' | 'originalto', args: string[], d: Directive): { except?: string; header?: string; ifNone: boolean } {
  const out: { except?: string; header?: string; ifNone: boolean } = { ifNone: false }
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!
    if (w === 'except' || w === 'header') {
      const v = args[++i]
      if (v === undefined) throw new ConfigError(`'option ${name} ${w}' expects a value`, d.pos)
      if (w === 'except') out.except = parseIpNet(v, d.pos)
      else out.header = v
    } else if (w === 'if-none' && name === 'forwardfor') {
      out.ifNone = true
    } else {
      const known = name === 'forwardfor' ? "'except NET', 'header NAME' or 'if-none'" : "'except NET' or 'header NAME'"
      throw new ConfigError(`unexpected '${w}' in 'option ${name}'; expected ${known}`, d.pos)
    }
  }
  return out
}

const forwardfor: ProxyKeyword = {
  kw: 'option forwardfor',
  parse(args, d, p) {
    setFlag(p, 'forwardfor', d)
    const o = parseHeaderOption('forwardfor', args, d)
    p.forwardFor = { header: o.header ?? 'X-Forwarded-For', ifNone: o.ifNone }
    if (o.except) p.forwardFor.except = o.except
  },
}

const originalto: ProxyKeyword = {
  kw: 'option originalto',
  parse(args, d, p) {
    setFlag(p, 'originalto', d)
    const o = parseHeaderOption('originalto', args, d)
    p.originalTo = { header: o.header ?? 'X-Original-To' }
    if (o.except) p.originalTo.except = o.except
  },
}

/** `option httpchk`, `option httpchk URI`, `option httpchk METH URI [VERSION]`. The 1.x form hides
 *  header lines in VERSION after a CRLF (`HTTP/1.1\r\nHost:\ www`): they are kept to be sent as is.
 *  As in HAProxy, the option starts the section's own HTTP check: the `http-check` lines it
 *  inherited from a defaults section are dropped (those written above it in this section stay). */
const httpchk: ProxyKeyword = {
  kw: 'option httpchk',
  parse(args, d, p, ctx: KeywordCtx) {
    setFlag(p, 'httpchk', d)
    if (!d.no) p.rules = p.rules.filter((r) => !r.kw.startsWith('http-check ') || !inherited(r.pos, p.pos))
    if (args.length > 3) throw new ConfigError(`'option httpchk' takes at most METHOD URI VERSION; remove '${args.slice(3).join(' ')}'`, d.pos)
    let method = 'OPTIONS'
    let uri = '/'
    let version = 'HTTP/1.0'
    if (args.length === 1) uri = args[0]!
    else if (args.length >= 2) { method = args[0]!; uri = args[1]! }
    if (args.length === 3) version = args[2]!
    let rawHeaders: string | undefined
    const crlf = version.indexOf('\r\n')
    if (crlf >= 0) {
      rawHeaders = version.slice(crlf + 2)
      version = version.slice(0, crlf)
      ctx.warn(`headers embedded in the 'option httpchk' version are a 1.x form; edgelb sends them as written (the 2.x form is 'http-check send hdr NAME VALUE')`, d.pos)
    }
    if (!/^[A-Z]+$/.test(method)) throw new ConfigError(`invalid HTTP method '${method}' in 'option httpchk'; write it in capitals, e.g. HEAD or GET`, d.pos)
    p.httpCheck = { method, uri, version }
    ownHttpCheck.add(p)
    if (rawHeaders !== undefined) p.httpCheck.rawHeaders = rawHeaders
  },
}

/** The sections whose `option httpchk` is their own (not inherited from a defaults section:
 *  inheriting copies the defaults' model into a new object, which is not in here). */
const ownHttpCheck = new WeakSet<ProxyConfig>()

/** Whether `p` wrote its own `option httpchk` (else it has none, or its defaults'). */
export function hasOwnHttpCheck(p: ProxyConfig): boolean {
  return ownHttpCheck.has(p)
}

/** Whether a line at `at` comes from before the section that starts at `section` (a defaults
 *  section is always read before what inherits from it). */
export function inherited(at: SourcePos, section: SourcePos): boolean {
  return at.file !== section.file || at.line < section.line
}

/** `option httplog [clf]`: the HTTP log line. Turning it on also turns off tcplog. */
const httplog: ProxyKeyword = {
  kw: 'option httplog',
  parse(args, d, p) {
    if (args.length > 1 || (args.length === 1 && args[0] !== 'clf')) throw new ConfigError(`'option httplog' takes only the optional word 'clf'`, d.pos)
    setFlag(p, 'httplog', d)
    delete p.options['tcplog']
    delete p.options['httpslog']
    if (args[0] === 'clf') p.options['httplog-clf'] = true
  },
}

/** `option httpslog`: the HTTP log line with HAProxy's TLS fields after it (traffic-log.ts). */
const httpslog: ProxyKeyword = {
  kw: 'option httpslog',
  parse(args, d, p) {
    none('option httpslog', args, d)
    setFlag(p, 'httplog', d)
    setFlag(p, 'httpslog', d)
    delete p.options['tcplog']
    delete p.options['httplog-clf']
  },
}

const tcplog: ProxyKeyword = {
  kw: 'option tcplog',
  parse(args, d, p) {
    none('option tcplog', args, d)
    setFlag(p, 'tcplog', d)
    delete p.options['httplog']
    delete p.options['httpslog']
  },
}

/** An option whose arguments edgelb keeps as words (`option mysql-check user edgelb`). */
function argsOption(name: string): ProxyKeyword {
  return {
    kw: `option ${name}`,
    parse: (args, d, p) => {
      setFlag(p, name, d)
      p.optionArgs[name] = args
    },
  }
}

export const optionKeywords: readonly ProxyKeyword[] = [
  forwardfor,
  originalto,
  httpchk,
  httplog,
  httpslog,
  tcplog,
  flagOption('httpclose'),
  flagOption('http-server-close'),
  flagOption('http-keep-alive'),
  {
    // `option redispatch [interval]`: HAProxy 1.6+ takes the retries on which to redispatch.
    kw: 'option redispatch',
    parse: (args, d, p) => {
      if (args.length > 1) throw new ConfigError(`'option redispatch' takes at most one number; remove '${args.slice(1).join(' ')}'`, d.pos)
      setFlag(p, 'redispatch', d)
      const n = args[0]
      if (n === undefined) { p.redispatchAfter = -1; return }
      if (d.no) throw new ConfigError(`'no option redispatch' takes no argument; remove '${n}'`, d.pos)
      if (!/^[+-]?\d+$/.test(n)) throw new ConfigError(`'option redispatch' expects a whole number of retries (e.g. 1: every retry, -1: the last), not '${n}'`, d.pos)
      p.redispatchAfter = Number(n)
    },
  },
  flagOption('persist'),
  flagOption('allbackups'),
  flagOption('abortonclose'),
  flagOption('splice-auto'),
  flagOption('splice-request'),
  flagOption('splice-response'),
  flagOption('log-health-checks'),
  flagOption('transparent'),
  flagOption('http-buffer-request'),
  flagOption('tcpka'),
  flagOption('external-check'),
  flagOption('clitcpka'),
  flagOption('srvtcpka'),
  flagOption('tcp-smart-accept'),
  flagOption('tcp-smart-connect'),
  {
    kw: 'option http-restrict-req-hdr-names',
    parse(args, d, p) {
      const [how] = args
      if (args.length !== 1 || (how !== 'preserve' && how !== 'delete' && how !== 'reject')) {
        throw new ConfigError(`'option http-restrict-req-hdr-names' expects preserve, delete or reject`, d.pos)
      }
      setFlag(p, 'http-restrict-req-hdr-names', d)
      p.restrictReqHdrNames = how
    },
  },
  flagOption('dontlognull'),
  flagOption('socket-stats'),
  flagOption('log-separate-errors'),
  flagOption('dontlog-normal'),
  flagOption('ssl-hello-chk'),
  argsOption('smtpchk'),
  argsOption('redis-check'),
  argsOption('mysql-check'),
  argsOption('pgsql-check'),
  argsOption('ldap-check'),
  flagOption('tcp-check'),
  flagOption('spop-check'),
]
