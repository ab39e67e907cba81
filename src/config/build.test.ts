import { describe, expect, test } from 'bun:test'
import { buildConfig } from './build.ts'
import { readHaproxy } from './haproxy/reader.ts'
import { formatDiagnostic } from '../model/source.ts'
import type { ProxyConfig } from '../model/types.ts'

const FILE = 'edgelb.cfg'

/** Reads and builds HAProxy text as `edgelb check` does. `problems` leaves out the "not
 *  implemented yet" warnings, which have tests of their own. */
function build(text: string, env: Record<string, string> = {}, options: { allowUnimplemented?: boolean; localPeer?: string } = {}) {
  const read = readHaproxy(text, FILE, env)
  const built = buildConfig(read.sections, [FILE], options)
  const all = [...read.diagnostics, ...built.diagnostics]
  return {
    config: built.config,
    runtime: built.runtime,
    unimplemented: built.unimplemented,
    lines: all.map(formatDiagnostic),
    problems: all.filter((d) => !d.message.includes('not implemented yet')).map(formatDiagnostic),
    proxy(name: string): ProxyConfig {
      const p = built.config.proxies.find((x) => x.name === name)
      if (!p) throw new Error(`no proxy '${name}'`)
      return p
    },
  }
}

/** Four lines of timeouts, so that examples are about what they show; sections start on line 5. */
const T = `defaults
  timeout connect 5s
  timeout client 30s
  timeout server 30s
`
const at = (line: number) => `${FILE}:${line}`

describe('defaults', () => {
  test('a proxy takes the settings of the last defaults section above it', () => {
    const b = build(`defaults
  mode http
  retries 5
  timeout connect 1s
backend a
  server s 10.0.0.1:80
defaults
  timeout connect 2s
backend b
  server s 10.0.0.1:80
`)
    expect([b.proxy('a').mode, b.proxy('a').retries, b.proxy('a').timeouts.connect]).toEqual(['http', 5, 1000])
    // The second unnamed defaults replaces the first entirely: HAProxy's built-in values come back.
    expect([b.proxy('b').mode, b.proxy('b').retries, b.proxy('b').timeouts.connect]).toEqual(['tcp', 3, 2000])
  })

  test('without any defaults section, HAProxy built-in values apply', () => {
    const p = build('backend b\n  server s 10.0.0.1:80\n').proxy('b')
    expect(p).toMatchObject({ mode: 'tcp', retries: 3, grace: 0, balance: { algo: 'roundrobin' }, timeouts: {}, options: {} })
    expect(p.defaultServer).toMatchObject({ check: false, inter: 2000, rise: 2, fall: 3, weight: 1, maxconn: 0 })
  })

  test('`from NAME` takes a named defaults section, not the last one', () => {
    const b = build(`defaults base
  mode http
  timeout connect 2s
defaults
  mode tcp
backend b from base
  server s 10.0.0.1:80
backend c
  server s 10.0.0.1:80
`)
    expect(b.proxy('b')).toMatchObject({ mode: 'http', from: 'base', timeouts: { connect: 2000 } })
    expect(b.proxy('c').mode).toBe('tcp')
    expect(b.proxy('c').from).toBeUndefined()
  })

  test('a named defaults may take from another', () => {
    const b = build(`defaults base
  mode http
  retries 7
defaults child from base
  retries 2
listen web from child
  bind :80
  server s 10.0.0.1:80
`)
    expect(b.proxy('web')).toMatchObject({ mode: 'http', retries: 2, from: 'child' })
  })

  test('`from` an undeclared defaults is an error on the header line', () => {
    const b = build(T + 'backend b from nope\n  server s 10.0.0.1:80\ndefaults x from missing\n')
    expect(b.problems).toEqual([
      `${at(5)}: error: defaults section 'nope' is not declared; declare 'defaults nope' before this backend`,
      `${at(7)}: error: defaults section 'missing' is not declared before this one`,
    ])
  })

  test('declaring a named defaults twice warns; the later one wins', () => {
    const b = build(`defaults d\n  retries 1\ndefaults d\n  retries 2\n` + 'backend b from d\n  timeout connect 1s\n  timeout server 1s\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([`${at(3)}: warning: defaults section 'd' is declared again; the later one replaces it`])
    expect(b.proxy('b').retries).toBe(2)
  })

  test('binds and servers are never inherited', () => {
    const b = build(T + 'backend b\n  server s 10.0.0.1:80\nbackend c\n  server t 10.0.0.2:80\n')
    expect(b.proxy('c').servers.map((s) => s.name)).toEqual(['t'])
  })

  test('`default option NAME` resets an option to the value of the defaults section', () => {
    const b = build(T + `defaults
  option redispatch
listen web
  bind :80
  no option redispatch
  option dontlognull
  default option redispatch
  default option dontlognull
  server s 10.0.0.1:80
`)
    expect(b.proxy('web').options).toEqual({ redispatch: true })
  })
})

describe('default-server', () => {
  test('servers start from default-server values: defaults section first, then the backend own', () => {
    const b = build(T + `defaults
  default-server inter 3s fall 5 weight 10
backend b
  default-server maxconn 7 check
  server s 10.0.0.1:80
  server t 10.0.0.2:80 no-check fall 2 weight 20
backend c
  server u 10.0.0.3:80
`)
    const [s, t] = b.proxy('b').servers
    expect(s).toMatchObject({ name: 's', inter: 3000, fall: 5, weight: 10, maxconn: 7, check: true, index: 0 })
    expect(t).toMatchObject({ name: 't', inter: 3000, fall: 2, weight: 20, maxconn: 7, check: false, index: 1 })
    expect(b.proxy('c').servers[0]).toMatchObject({ inter: 3000, fall: 5, weight: 10, maxconn: 0, check: false })
  })
})

describe('options', () => {
  test('`option NAME` sets a flag, `no option NAME` clears it, also against defaults', () => {
    const b = build(T + `defaults
  option redispatch
  option dontlognull
backend b
  no option redispatch
  option allbackups
  server s 10.0.0.1:80
`)
    expect(b.proxy('b').options).toEqual({ redispatch: false, dontlognull: true, allbackups: true })
  })

  test('the HTTP connection modes exclude each other; the last one wins', () => {
    const b = build(T + `defaults
  mode http
  option httpclose
backend a
  option http-server-close
  server s 10.0.0.1:80
backend b
  option http-keep-alive
  no option http-keep-alive
  server s 10.0.0.1:80
backend c
  server s 10.0.0.1:80
`)
    expect(b.proxy('a').options).toEqual({ 'http-server-close': true })
    expect(b.proxy('b').options).toEqual({ 'http-keep-alive': false })
    expect(b.proxy('c').options).toEqual({ httpclose: true })
  })

  test('httplog and tcplog replace each other', () => {
    const b = build(T + 'defaults\n  option tcplog\nlisten web\n  mode http\n  bind :80\n  option httplog clf\n  server s 10.0.0.1:80\n')
    expect(b.proxy('web').options).toEqual({ httplog: true, 'httplog-clf': true })
  })

  test('option forwardfor with except, header and if-none', () => {
    const p = build(T + 'listen web\n  mode http\n  bind :80\n  option forwardfor except 127.0.0.0/8 header X-Client if-none\n  server s 10.0.0.1:80\n').proxy('web')
    expect(p.forwardFor).toEqual({ except: '127.0.0.0/8', header: 'X-Client', ifNone: true })
    expect(p.options.forwardfor).toBe(true)
  })

  test('`option forwardfor except ADDR` without mask (guide §3.1) is a /32', () => {
    const p = build(T + 'listen web\n  mode http\n  bind :80\n  option forwardfor except 192.168.1.1\n  server s 10.0.0.1:80\n').proxy('web')
    expect(p.forwardFor).toEqual({ except: '192.168.1.1/32', header: 'X-Forwarded-For', ifNone: false })
  })

  test('option httpchk: no argument, a URI, METHOD URI, METHOD URI VERSION', () => {
    const chk = (args: string) => build(T + `backend b\n  option httpchk ${args}\n  server s 10.0.0.1:80\n`).proxy('b').httpCheck
    expect(chk('')).toEqual({ method: 'OPTIONS', uri: '/', version: 'HTTP/1.0' })
    expect(chk('/health')).toEqual({ method: 'OPTIONS', uri: '/health', version: 'HTTP/1.0' })
    expect(chk('HEAD /running')).toEqual({ method: 'HEAD', uri: '/running', version: 'HTTP/1.0' })
    expect(chk('HEAD /index.html HTTP/1.0')).toEqual({ method: 'HEAD', uri: '/index.html', version: 'HTTP/1.0' })
  })

  test('the 1.x httpchk form with headers after \\r\\n keeps them as raw headers, with a warning', () => {
    const b = build(T + 'backend b\n  option httpchk OPTIONS * HTTP/1.1\\r\\nHost:\\ www\n  server s 10.0.0.1:80\n')
    expect(b.proxy('b').httpCheck).toEqual({ method: 'OPTIONS', uri: '*', version: 'HTTP/1.1', rawHeaders: 'Host: www' })
    expect(b.problems).toEqual([
      `${at(6)}: warning: headers embedded in the 'option httpchk' version are a 1.x form; edgelb sends them as written (the 2.x form is 'http-check send hdr NAME VALUE')`,
    ])
  })

  test('option httpchk errors', () => {
    const b = build(T + 'backend b\n  option httpchk get /\n  option httpchk GET / HTTP/1.1 extra\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([
      `${at(6)}: error: invalid HTTP method 'get' in 'option httpchk'; write it in capitals, e.g. HEAD or GET`,
      `${at(7)}: error: 'option httpchk' takes at most METHOD URI VERSION; remove 'extra'`,
    ])
  })

  test('an unknown option is an error with a suggestion', () => {
    const b = build(T + 'listen web\n  bind :80\n  option httpclos\n  option\n  option zzzzzz\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([
      `${at(7)}: error: unknown option 'httpclos'; did you mean 'httpclose'?`,
      `${at(8)}: error: 'option' expects an option name, e.g. option httpclose`,
      `${at(9)}: error: unknown option 'zzzzzz'`,
    ])
  })

  test('a flag option takes no argument; `no` is refused where it means nothing', () => {
    const b = build(T + 'backend b\n  option persist now\n  no balance roundrobin\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([
      `${at(6)}: error: 'option persist' takes no argument; remove 'now'`,
      `${at(7)}: error: 'no' cannot be used with 'balance', which has no 'no' form; remove the line to leave it unset`,
    ])
  })

  test('option redispatch takes the interval of the retries that redispatch (the last one by default)', () => {
    const after = (line: string): number => build(T + `backend b\n  retries 4\n  ${line}\n  server s 10.0.0.1:80\n`).proxy('b').redispatchAfter
    expect(after('option redispatch')).toBe(-1)
    expect(after('option redispatch 2')).toBe(2)
    expect(after('option redispatch -2')).toBe(-2)
    expect(after('option redispatch 0')).toBe(0)
    expect(build(T + 'backend b\n  option redispatch 2\n  server s 10.0.0.1:80\n').proxy('b').options['redispatch']).toBe(true)
    const bad = build(T + 'backend b\n  option redispatch now\n  option redispatch 1 2\n  no option redispatch 1\n  server s 10.0.0.1:80\n')
    expect(bad.problems).toEqual([
      `${at(6)}: error: 'option redispatch' expects a whole number of retries (e.g. 1: every retry, -1: the last), not 'now'`,
      `${at(7)}: error: 'option redispatch' takes at most one number; remove '2'`,
      `${at(8)}: error: 'no option redispatch' takes no argument; remove '1'`,
    ])
  })
})

describe('cookie', () => {
  test('every option of the cookie line', () => {
    const p = build(T + 'backend b\n  mode http\n  cookie SERVERID insert indirect nocache postonly preserve httponly secure domain .a.com domain .b.com maxidle 30m maxlife 8h dynamic attr SameSite=Lax\n  server s 10.0.0.1:80 cookie A\n').proxy('b')
    expect(p.cookie).toEqual({
      name: 'SERVERID', method: 'insert', indirect: true, nocache: true, postonly: true, preserve: true, httponly: true, secure: true,
      domains: ['.a.com', '.b.com'], maxidle: 1_800_000, maxlife: 28_800_000, dynamic: true, attrs: ['SameSite=Lax'], pos: { file: FILE, line: 7 },
    })
    expect(p.servers[0]!.cookie).toBe('A')
  })

  test('prefix, and the passive form (guide §5.4.2: `cookie SITE`)', () => {
    expect(build(T + 'backend b\n  cookie JSESSIONID prefix\n').proxy('b').cookie).toMatchObject({ name: 'JSESSIONID', method: 'prefix', indirect: false })
    const passive = build(T + 'backend b\n  cookie SITE\n').proxy('b').cookie!
    expect(passive.name).toBe('SITE')
    expect(passive.method).toBeUndefined()
  })

  test('maxidle and maxlife without unit are seconds', () => {
    expect(build(T + 'backend b\n  cookie S insert maxidle 30 maxlife 60\n').proxy('b').cookie).toMatchObject({ maxidle: 30_000, maxlife: 60_000 })
  })

  test('errors', () => {
    const b = build(T + 'backend b\n  cookie\n  cookie S insert prefix\n  cookie S indirect\n  cookie S insert sticky\n  cookie S insert domain\n')
    expect(b.problems.filter((l) => l.includes('error'))).toEqual([
      `${at(6)}: error: 'cookie' expects a cookie name: cookie SERVERID insert indirect`,
      `${at(7)}: error: 'cookie' accepts only one of insert, rewrite, prefix (got 'insert' and 'prefix')`,
      `${at(8)}: error: 'cookie S' uses insert-only options (indirect, nocache, postonly) without 'insert' or 'prefix'`,
      `${at(9)}: error: unknown cookie option 'sticky'; known: insert, rewrite, prefix, indirect, nocache, postonly, preserve, httponly, secure, domain, maxidle, maxlife, dynamic, attr`,
      `${at(10)}: error: 'cookie domain' expects a value`,
    ])
  })
})

describe('balance', () => {
  const balance = (line: string) => build(T + `backend b\n  mode http\n  balance ${line}\n  server s 10.0.0.1:80\n`)

  test('algorithms without arguments', () => {
    for (const algo of ['roundrobin', 'static-rr', 'leastconn', 'first', 'source', 'random'] as const) {
      expect(balance(algo).proxy('b').balance).toEqual({ algo })
    }
  })

  test('algorithms with arguments', () => {
    expect(balance('random(3)').proxy('b').balance).toEqual({ algo: 'random', draws: 3 })
    expect(balance('uri whole len 10 depth 2').proxy('b').balance).toEqual({ algo: 'uri', whole: true, len: 10, depth: 2 })
    expect(balance('uri path-only').proxy('b').balance).toEqual({ algo: 'uri', pathOnly: true })
    expect(balance('url_param userid').proxy('b').balance).toEqual({ algo: 'url_param', param: 'userid' })
    expect(balance('hdr(Host) use_domain_only').proxy('b').balance).toEqual({ algo: 'hdr', param: 'Host', whole: false })
    expect(balance('rdp-cookie(mstshash)').proxy('b').balance).toEqual({ algo: 'rdp-cookie', param: 'mstshash' })
    expect(balance('rdp-cookie').proxy('b').balance).toEqual({ algo: 'rdp-cookie' })
    expect(balance('hash req.cookie(id) lower').proxy('b').balance).toEqual({ algo: 'hash', param: 'req.cookie(id) lower' })
  })

  test('every algorithm runs: none is announced as not implemented; an argument edgelb does not act on is', () => {
    for (const line of ['rdp-cookie', 'rdp-cookie(msts)', 'hash req.cook(id)', 'uri', 'url_param id']) {
      expect([line, balance(line).lines.filter((l) => l.includes('balance'))]).toEqual([line, []])
    }
    expect(balance('url_param id check_post 64 max_wait 20').lines).toContain(`${at(7)}: warning: 'balance url_param id check_post' is parsed but not implemented yet; edgelb reads the parameter from the query string only`)
  })

  test('errors', () => {
    const err = (line: string) => balance(line).problems.filter((l) => l.includes(': error: '))
    expect(err('roundrobbin')).toEqual([`${at(7)}: error: unknown balance algorithm 'roundrobbin'; did you mean 'roundrobin'?`])
    expect(err('weighted')).toEqual([`${at(7)}: error: unknown balance algorithm 'weighted'; known: roundrobin, static-rr, leastconn, first, source, random, uri, url_param, hdr, rdp-cookie, hash`])
    expect(err('')).toEqual([`${at(7)}: error: 'balance' expects an algorithm: roundrobin, static-rr, leastconn, first, source, random, uri, url_param, hdr, rdp-cookie, hash`])
    expect(err('hdr')).toEqual([`${at(7)}: error: 'balance hdr' expects a header name: balance hdr(Host)`])
    expect(err('url_param')).toEqual([`${at(7)}: error: 'balance url_param' expects a parameter name: balance url_param userid`])
    expect(err('hash')).toEqual([`${at(7)}: error: 'balance hash' expects a sample expression: balance hash req.cookie(id)`])
    expect(err('leastconn now')).toEqual([`${at(7)}: error: 'balance leastconn' takes no argument`])
    expect(err('random(0)')).toEqual([`${at(7)}: error: random draws must be between 1 and 100, got 0`])
    expect(err('uri deep')).toEqual([`${at(7)}: error: unexpected 'deep' after 'balance uri'; expected whole, len N, depth N or path-only`])
    expect(err('uri(x)')).toEqual([`${at(7)}: error: 'balance uri' takes no argument in parentheses`])
    expect(err('random(2) now')).toEqual([`${at(7)}: error: 'balance random' takes no argument`])
    expect(err('url_param id check_get')).toEqual([`${at(7)}: error: unexpected 'check_get' after 'balance url_param id'; only 'check_post [MAX_WAIT]' may follow`])
    expect(err('hdr(Host) use_domain')).toEqual([`${at(7)}: error: unexpected 'use_domain' after 'balance hdr(Host)'; only 'use_domain_only' may follow`])
    expect(err('rdp-cookie msts')).toEqual([`${at(7)}: error: 'balance rdp-cookie' takes only a cookie name, in parentheses: balance rdp-cookie(mstshash)`])
    // The sample of `balance hash` compiles at load, as the rules' do.
    expect(err('hash req.cook(id) lower')).toEqual([`${at(7)}: error: 'balance hash': unexpected ' lower' after 'req.cook(id)'; converters follow a comma: FETCH,CONVERTER`])
    expect(err('hash req.cookie(id)')).toEqual([`${at(7)}: error: 'balance hash': unknown sample fetch 'req.cookie'; did you mean 'req.cook'?`])
    expect(err('hash req.cook(id),lower')).toEqual([])
  })

  test('hash-type', () => {
    const p = build(T + 'backend b\n  hash-type consistent djb2 avalanche\n  server s 10.0.0.1:80\n').proxy('b')
    expect(p.hashType).toEqual({ method: 'consistent', fn: 'djb2', avalanche: true })
    const hashType = (line: string) => build(T + `backend b\n  hash-type ${line}\n  server s 10.0.0.1:80\n`).proxy('b').hashType
    // Without a function, consistent hashing is sdbm with the avalanche, as in HAProxy: raw sdbm
    // would put keys that differ only at their end (/k/1 … /k/40) on one or two servers.
    expect(hashType('consistent')).toEqual({ method: 'consistent', fn: 'sdbm', avalanche: true })
    expect(hashType('consistent sdbm')).toEqual({ method: 'consistent', fn: 'sdbm', avalanche: false })
    expect(hashType('map-based')).toEqual({ method: 'map-based', fn: 'sdbm', avalanche: false })
    expect(build(T + 'backend b\n  hash-type ring\n').problems).toContain(`${at(6)}: error: 'hash-type' expects 'map-based' or 'consistent', got 'ring'`)
  })
})

describe('stick-table', () => {
  test('type, len, size, expire, store and peers', () => {
    const p = build(T + 'backend b\n  stick-table type string len 32 size 100k expire 30m store conn_cur,http_req_rate(10s) peers mypeers\n  server s 10.0.0.1:80\n').proxy('b')
    expect(p.stickTable).toEqual({ type: 'string', len: 32, size: 102_400, expire: 1_800_000, store: ['conn_cur', 'http_req_rate(10s)'], peers: 'mypeers', pos: { file: FILE, line: 6 } })
  })

  test('the smallest table: an IP table with a size', () => {
    expect(build(T + 'backend b\n  stick-table type ip size 1m\n').proxy('b').stickTable).toEqual({ type: 'ip', size: 1_048_576, store: [], pos: { file: FILE, line: 6 } })
  })

  test('errors', () => {
    const b = build(T + 'backend b\n  stick-table size 1m\n  stick-table type ip\n  stick-table type mac size 1m\n  stick-table type ip size 1q\n  stick-table type ip size 1m expire\n  stick-table type ip size 1m colour blue\n')
    expect(b.problems.filter((l) => l.includes(': error: '))).toEqual([
      `${at(6)}: error: 'stick-table' needs a type: stick-table type ip size 100k expire 30m`,
      `${at(7)}: error: 'stick-table' needs a size: stick-table type ip size 100k`,
      `${at(8)}: error: unknown stick-table type 'mac'; known: ip, ipv6, integer, string, binary`,
      `${at(9)}: error: invalid size '1q'; write a number of bytes, optionally with k, m or g: 16384, 16k, 1m`,
      `${at(10)}: error: 'stick-table expire' expects a value`,
      `${at(11)}: error: unknown stick-table option 'colour'; known: type, size, expire, store, peers, nopurge, srvkey, write-to, recv-only`,
    ])
  })
})

describe('keywords in the wrong section', () => {
  test('a keyword of the side a frontend or backend lacks is ignored with a warning, as HAProxy does; server is refused', () => {
    const b = build(T + 'frontend f\n  bind :80\n  default_backend b\n  server s 10.0.0.1:80\n  balance roundrobin\n  timeout server 5s\nbackend b\n  bind :81\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([
      `${at(8)}: error: 'server' is not allowed in a frontend section; it belongs in: backend, listen`,
      `${at(9)}: warning: 'balance' is ignored in a frontend section, which has no backend side; move it to: defaults, backend, listen`,
      `${at(10)}: warning: 'timeout server' is ignored in a frontend section, which has no backend side; move it to: defaults, backend, listen`,
      `${at(12)}: warning: 'bind' is ignored in a backend section, which has no frontend side; move it to: frontend, listen`,
    ])
    expect(b.proxy('f').timeouts.server).toBe(30_000)
    expect(b.proxy('b').binds).toEqual([])
  })

  test("the keywords HAProxy refuses without the side they need (its failifnotcap) stay errors", () => {
    const b = build(T + 'frontend f\n  bind :80\n  default-server check\n  server-template s 3 10.0.0.1:80\n  tcp-response content accept\nbackend b\n  tcp-request connection accept\n  tcp-request session accept\n  server s 10.0.0.1:80\n')
    expect(b.problems.filter((l) => l.includes(': error: '))).toEqual([
      `${at(7)}: error: 'default-server' is not allowed in a frontend section; it belongs in: defaults, backend, listen`,
      `${at(8)}: error: 'server-template' is not allowed in a frontend section; it belongs in: backend, listen`,
      `${at(9)}: error: 'tcp-response content' is not allowed in a frontend section; it belongs in: defaults, backend, listen`,
      `${at(11)}: error: 'tcp-request connection' is not allowed in a backend section; it belongs in: defaults, frontend, listen`,
      `${at(12)}: error: 'tcp-request session' is not allowed in a backend section; it belongs in: defaults, frontend, listen`,
    ])
  })

  test('a keyword edgelb does not build yet is ignored the same way, without the "not implemented" warning', () => {
    const b = build(T + 'frontend f\n  bind :80\n  hash-balance-factor 150\n  default_backend b\nbackend b\n  server s 10.0.0.1:80\n')
    expect(b.lines).toEqual([`${at(7)}: warning: 'hash-balance-factor' is ignored in a frontend section, which has no backend side; move it to: defaults, backend, listen`])
  })

  test('a keyword HAProxy knows is also checked against its sections', () => {
    const b = build(T + 'defaults\n  use-server s if TRUE\n')
    expect(b.problems.filter((l) => l.includes(': error: '))).toEqual([`${at(6)}: error: 'use-server' is not allowed in a defaults section; it belongs in: backend, listen`])
  })

  test('global keywords in a proxy, and proxy keywords in global', () => {
    const b = build('global\n  balance roundrobin\n  frobnicate 1\n  maxcon 10\n' + T + 'listen web\n  bind :80\n  daemon\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([
      `${at(2)}: error: 'balance' belongs in a defaults, frontend, backend or listen section, not in 'global'`,
      `${at(3)}: error: unknown keyword 'frobnicate' in 'global'`,
      `${at(4)}: error: unknown keyword 'maxcon' in 'global'; did you mean 'maxconn'?`,
      `${at(11)}: error: 'daemon' belongs in the 'global' section, not in a listen section`,
    ])
  })
})

describe('unknown, removed and not yet implemented keywords', () => {
  test('an unknown keyword is an error with a suggestion when one is close', () => {
    const b = build(T + 'listen web\n  bind :80\n  balence roundrobin\n  zzyzx 1\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([`${at(7)}: error: unknown keyword 'balence'; did you mean 'balance'?`, `${at(8)}: error: unknown keyword 'zzyzx'`])
  })

  test('a misspelt section header, read as a keyword of the section above it, is named as such', () => {
    const b = build('global\n  maxconn 10\nbakend app\n  balance first\n')
    expect(b.problems.filter((l) => l.includes(': error: '))).toEqual([
      `${at(3)}: error: unknown keyword 'bakend' in 'global'; did you mean to start a 'backend' section?`,
      `${at(4)}: error: 'balance' belongs in a defaults, frontend, backend or listen section, not in 'global'`,
    ])
  })

  test('keywords HAProxy removed name their replacement', () => {
    const b = build(T + 'listen web\n  bind :80\n  reqsetbe ^Host:\\ a be\n  appsession JSESSIONID len 52\n  option http-tunnel\n  mode health\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([
      `${at(7)}: error: 'reqsetbe' was removed from HAProxy; write 'use_backend' instead`,
      `${at(8)}: error: 'appsession' was removed from HAProxy; write 'stick-table + stick on (e.g. stick on req.cook(NAME))' instead`,
      `${at(9)}: error: 'option http-tunnel' was removed from HAProxy; write 'option http-keep-alive' instead`,
      `${at(10)}: error: 'mode health' was removed from HAProxy; use 'monitor-uri' in an http frontend or 'monitor-net' instead`,
    ])
  })

  test('the 1.x header filters, block and option forceclose load as 1.x loaded them, each with its modern form', () => {
    const b = build(T + 'listen web\n  bind :80\n  mode http\n  reqadd X-Proto:\\ SSL\n  rspadd X-Y:\\ z\n  block if TRUE\n  option forceclose\n  server s 10.0.0.1:80\n')
    const head = (kw: string) => `'${kw}' is HAProxy 1.x syntax, which HAProxy 2.x refuses`
    expect(b.problems).toEqual([
      `${at(8)}: warning: ${head('reqadd')}; edgelb runs it as 1.x did; its modern form is 'http-request add-header X-Proto SSL' (edgelb convert writes it where the order of the rules allows)`,
      `${at(9)}: warning: ${head('rspadd')}; edgelb runs it as 1.x did; its modern form is 'http-response add-header X-Y z' (edgelb convert writes it where the order of the rules allows)`,
      `${at(10)}: warning: ${head('block')}; edgelb runs it as 1.x did; its modern form is 'http-request deny if TRUE' (edgelb convert writes it where the order of the rules allows)`,
      `${at(11)}: warning: ${head('option forceclose')}; edgelb reads it as 'option httpclose', as HAProxy 1.9 and later do (write that instead)`,
    ])
    expect(b.unimplemented.lines).toBe(0)
    expect(b.config.proxies[0]!.options['httpclose']).toBe(true)
    expect(b.config.proxies[0]!.rules.map((r) => r.kw)).toEqual(['reqadd', 'rspadd', 'block'])
  })

  test('1.x lines are refused where 1.x refused them, and with too few words', () => {
    const b = build(T + 'defaults\n  reqadd X-A:\\ 1\nlisten web\n  bind :80\n  reqrep ^Host:\\ a\n  reqdel\n  option http_proxy\n  server s 10.0.0.1:80\n')
    expect(b.problems.filter((l) => l.includes('error'))).toEqual([
      `${at(6)}: error: 'reqadd' is not allowed in a defaults section; it belongs in: frontend, backend, listen`,
      `${at(9)}: error: 'reqrep' expects a pattern and a replacement: reqrep ^Host:\\ old Host:\\ new [if|unless COND]`,
      `${at(10)}: error: 'reqdel' expects a pattern: reqdel ^X-Debug: [if|unless COND]`,
      `${at(11)}: error: 'option http_proxy' (HAProxy 1.x: send each request to the IP address and port written in its absolute URI, without servers) is not supported by edgelb, as it decides where requests go; declare the destinations as servers and choose them with use_backend or use-server`,
    ])
  })

  const WITH_UNBUILT = T + `listen web
  bind :80
  option http-ignore-probes
  max-keep-alive-queue 5
  option independent-streams
  option http-no-delay
  server s 10.0.0.1:80 send-proxy-v2 set-proxy-v2-tlv-fmt(0xE1) %[src]
  server t 10.0.0.2:80 send-proxy-v2 set-proxy-v2-tlv-fmt(0xE1) %[src]
`
  const PROXY_RISK = 'pass a PROXY header on as data, or send none to a server that expects one'

  test('a keyword HAProxy knows but edgelb does not build yet is a warning, once per keyword, never silent; one that protects is an error at each line', () => {
    const b = build(WITH_UNBUILT)
    expect(b.lines).toEqual([
      `${at(7)}: warning: 'option http-ignore-probes' is parsed but not implemented yet; edgelb ignores it for now`,
      `${at(8)}: warning: 'max-keep-alive-queue' is parsed but not implemented yet; edgelb ignores it for now`,
      `${at(9)}: warning: 'option independent-streams' is parsed but not implemented yet; edgelb ignores it for now`,
      `${at(10)}: warning: 'option http-no-delay' is parsed but not implemented yet; edgelb ignores it for now`,
      `${at(11)}: error: server option 'set-proxy-v2-tlv-fmt(0xE1)': not implemented yet, so edgelb would ${PROXY_RISK}; remove it where neither side speaks the PROXY protocol, or run with --allow-unimplemented to accept the gap knowingly`,
      `${at(12)}: error: server option 'set-proxy-v2-tlv-fmt(0xE1)': not implemented yet, so edgelb would ${PROXY_RISK}; remove it where neither side speaks the PROXY protocol, or run with --allow-unimplemented to accept the gap knowingly`,
    ])
    expect(b.unimplemented).toEqual({ lines: 6, protections: 2 })
    expect(b.proxy('web').options['http-ignore-probes']).toBe(true)
    expect(b.proxy('web').servers.map((s) => s.extra)).toEqual([{ 'set-proxy-v2-tlv-fmt(0xE1)': '%[src]' }, { 'set-proxy-v2-tlv-fmt(0xE1)': '%[src]' }])
  })

  test('allowUnimplemented turns each refused protection into a warning that says what goes unprotected', () => {
    const b = build(WITH_UNBUILT, {}, { allowUnimplemented: true })
    expect(b.lines.filter((l) => l.includes('set-proxy-v2-tlv-fmt'))).toEqual([
      `${at(11)}: warning: server option 'set-proxy-v2-tlv-fmt(0xE1)': not implemented yet, accepted by --allow-unimplemented: edgelb will ${PROXY_RISK}`,
      `${at(12)}: warning: server option 'set-proxy-v2-tlv-fmt(0xE1)': not implemented yet, accepted by --allow-unimplemented: edgelb will ${PROXY_RISK}`,
    ])
    expect(b.lines.filter((l) => l.includes(': error: '))).toEqual([])
    expect(b.unimplemented).toEqual({ lines: 6, protections: 2 })
  })

  test('edgelb keywords whose engine part is missing say which part', () => {
    const b = build(T + 'listen web\n  bind :80\n  tcp-request content switch-mode http\n  log 127.0.0.1:514 profile p1 local0\n  server s 10.0.0.1:80 check\n')
    expect(b.lines).toEqual([
      `${at(7)}: error: 'tcp-request content switch-mode': not implemented yet, so edgelb would skip this rule, which changes what reaches the servers; rewrite it with actions edgelb implements (edgelb check lists them), or remove it, or run with --allow-unimplemented to accept the gap knowingly`,
      `${at(8)}: warning: 'log ... profile' is parsed but not implemented yet (log profiles); edgelb ignores it for now`,
    ])
    const allowed = build(T + 'listen web\n  bind :80\n  tcp-request content switch-mode http\n  log 127.0.0.1:514 profile p1 local0\n  server s 10.0.0.1:80 check\n', {}, { allowUnimplemented: true })
    expect(allowed.lines).toEqual([
      `${at(7)}: warning: 'tcp-request content switch-mode': not implemented yet, accepted by --allow-unimplemented: edgelb will skip this rule, which changes what reaches the servers`,
      `${at(8)}: warning: 'log ... profile' is parsed but not implemented yet (log profiles); edgelb ignores it for now`,
    ])
  })

  test('an unknown server or bind option is an error with a suggestion', () => {
    const b = build(T + 'listen web\n  bind :80 backlg 10\n  server s 10.0.0.1:80 chek\n')
    expect(b.problems.filter((l) => l.includes(': error: '))).toEqual([
      `${at(6)}: error: unknown bind option 'backlg'; did you mean 'backlog'?`,
      `${at(7)}: error: unknown server option 'chek'; did you mean 'check'?`,
    ])
  })

  test("a server's own identity ('id', 'guid') is refused on default-server, as HAProxy refuses it", () => {
    const b = build(T + 'backend b\n  default-server id 5\n  default-server guid g1\n  server s 10.0.0.1:80 id 5\n')
    expect(b.problems).toEqual([
      `${at(6)}: error: 'id' names one server, so 'default-server' does not take it; write it on the server's own line`,
      `${at(7)}: error: 'guid' names one server, so 'default-server' does not take it; write it on the server's own line`,
    ])
    expect(b.proxy('b').servers[0]!.id).toBe(5)
    expect(b.proxy('b').servers[0]!.extra).toEqual({})
  })

  test('sections edgelb does not implement are named once each; a userlist is built, a hash it cannot check is an error at its line', () => {
    const b = build(T + 'userlist admins\n  user a password x\nuserlist ops\nfcgi-app php\n  docroot /var/www\nmailers m\n  mailer s 10.0.0.25:25\n')
    expect(b.unimplemented).toEqual({ lines: 4, protections: 0 })
    expect(b.lines).toEqual([
      `${at(6)}: error: user 'a': the password hash 'x…' is not one edgelb can check; use a SHA-512 ($6$), SHA-256 ($5$), MD5 ($1$) or bcrypt ($2b$) hash (openssl passwd -6), or insecure-password`,
      `${at(8)}: warning: 'fcgi-app' sections are not implemented yet; edgelb ignores 'fcgi-app php'`,
      `${at(10)}: warning: 'mailers' sections are not implemented yet; edgelb ignores 'mailers m'`,
      `${at(1)}: warning: no frontend or listen section: edgelb has nothing to listen on`,
    ].sort((a, b) => Number(a.split(':')[1]) - Number(b.split(':')[1])))
  })

  test('the lines of a section are checked against its keywords, whether edgelb implements it (cache) or not (program, log-profile)', () => {
    const b = build(T + 'cache c\n  total-max-size 64\n  max-age 60\n  max-ag 60\n  balance roundrobin\n  no total-max-size\nprogram p\n  command /bin/true\n  no option start-on-reload\n  option bogus\nlog-profile lp\n  on any format "%ci"\n')
    expect(b.lines).toEqual([
      `${at(1)}: warning: no frontend or listen section: edgelb has nothing to listen on`,
      `${at(8)}: error: unknown keyword 'max-ag' in a cache section; did you mean 'max-age'?`,
      `${at(9)}: error: unknown keyword 'balance' in a cache section; known: total-max-size, max-object-size, max-age, process-vary, max-secondary-entries`,
      `${at(10)}: error: 'no' cannot be used with 'total-max-size', which has no 'no' form; remove the line to leave it unset`,
      `${at(14)}: error: unknown keyword 'option bogus' in a program section; known: command, user, group, option start-on-reload`,
      `${at(15)}: warning: 'log-profile' sections are not implemented yet; edgelb ignores 'log-profile lp'`,
    ])
  })

  test('peers sections are read', () => {
    const b = build('peers mypeers\n  peer a 10.0.0.1:1024\n  peer b 10.0.0.2:1024\n  peer c\n  mystery 1\n  disabled\n  enable\n' + T + 'listen web\n  bind :80\n  server s 10.0.0.1:80\n', {}, { localPeer: 'a' })
    expect(b.config.peers).toEqual([{ name: 'mypeers', pos: { file: FILE, line: 1 }, peers: [{ name: 'a', address: '10.0.0.1:1024', pos: { file: FILE, line: 2 } }, { name: 'b', address: '10.0.0.2:1024', pos: { file: FILE, line: 3 } }] }])
    expect(b.lines).toEqual([
      `${at(4)}: error: 'peer' expects a name and an address: peer NAME ADDRESS:PORT`,
      `${at(5)}: error: unknown keyword 'mystery' in a peers section; known: peer, server, bind, default-bind, default-server, table, shards, log, disabled, enable`,
    ])
  })
})

describe('peers sections', () => {
  test('the 2.x form (bind, server without address for the local peer) and tables declared in the section', () => {
    const b = build('peers mesh\n  bind 127.0.0.1:10000\n  server lb1\n  server lb2 10.0.0.2:10000\n  table sessions type string len 64 size 10k expire 30m store gpc0\n' + T + 'frontend web\n  mode http\n  bind :80\n  http-request track-sc0 req.hdr(x-id) table mesh/sessions\n  default_backend be\nbackend be\n  mode http\n  stick-table type ip size 1k peers mesh\n  server s 10.0.0.1:80\n', {}, { localPeer: 'lb1' })
    expect(b.problems).toEqual([])
    expect(b.config.peers[0]).toMatchObject({
      name: 'mesh',
      peers: [{ name: 'lb1', address: '' }, { name: 'lb2', address: '10.0.0.2:10000' }],
      binds: [{ address: '127.0.0.1:10000' }],
      tables: [{ name: 'sessions', cfg: { type: 'string', len: 64, size: 10_240, expire: 1_800_000, store: ['gpc0'] } }],
    })
    const plan = b.runtime.peersPlans[0]!
    expect(plan).toMatchObject({ section: 'mesh', localName: 'lb1', bind: { kind: 'tcp', host: '127.0.0.1', port: 10000 }, peers: [{ name: 'lb2', host: '10.0.0.2', port: 10000 }] })
    expect(plan.tables.map((t) => t.name)).toEqual(['be', 'mesh/sessions'])
    expect(plan.tables[1]!.table).toBe(b.runtime.rules.tables.get('mesh/sessions')!)
  })

  test('-L wins over localpeer; a section without this process, or disabled, stays out with a warning', () => {
    const text = 'global\n  localpeer lb2\npeers mesh\n  peer lb1 10.0.0.1:10000\n  peer lb2 10.0.0.2:10000\n' + T + 'listen web\n  bind :80\n  server s 10.0.0.1:80\n'
    expect(build(text).runtime.peersPlans[0]).toMatchObject({ localName: 'lb2', peers: [{ name: 'lb1' }] })
    expect(build(text, {}, { localPeer: 'lb1' }).runtime.peersPlans[0]).toMatchObject({ localName: 'lb1', peers: [{ name: 'lb2' }] })
    const other = build(text, {}, { localPeer: 'lb9' })
    expect(other.runtime.peersPlans).toEqual([])
    expect(other.lines).toContain(`${at(3)}: warning: peers section 'mesh' has no peer named 'lb9' (this process's name: -L NAME, 'localpeer', else the host name): its tables stay local`)
    expect(build(text.replace('  peer lb2 10.0.0.2:10000\n', '  peer lb2 10.0.0.2:10000\n  disabled\n')).runtime.peersPlans).toEqual([])
  })

  test('a stick-table naming a peers section that does not exist is an error at its line', () => {
    const b = build(T + 'backend be\n  stick-table type ip size 1k peers nosuch\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([`${at(6)}: error: stick-table of backend 'be': unknown peers section 'nosuch'`])
  })
})

describe('HAProxy 1.x forms', () => {
  test('`listen NAME IP:PORT` binds the address', () => {
    const p = build(T + 'listen webfarm 192.168.1.1:80\n  server s 10.0.0.1:80\n').proxy('webfarm')
    expect(p.binds).toEqual([{ spec: '192.168.1.1:80', addrs: [{ family: 'ipv4', host: '192.168.1.1', port: 80 }], pos: { file: FILE, line: 5 }, options: {} }])
  })

  test('`listen IP:PORT` with no name is named after its address, with a warning', () => {
    const b = build(T + 'listen 0.0.0.0:81\n  server s 10.0.0.1:80\n')
    expect(b.config.proxies.map((p) => [p.kind, p.name, p.binds[0]!.spec])).toEqual([['listen', '0.0.0.0:81', '0.0.0.0:81']])
    expect(b.lines).toEqual([`${at(5)}: warning: this listen section has no name; edgelb names it '0.0.0.0:81' (write 'listen NAME 0.0.0.0:81' to choose one)`])
  })

  test('a backend header takes no address; a listen header one only', () => {
    const b = build(T + 'backend b 10.0.0.1:80\n  server s 10.0.0.1:80\nlisten l :81 :82\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([
      `${at(5)}: error: a backend does not take an address on its header; remove '10.0.0.1:80'`,
      `${at(7)}: error: unexpected ':82' after the address of listen 'l'`,
    ])
  })

  test('bind lists, ranges, ipv6@, unix@ and fd@', () => {
    const p = build(T + 'listen web\n  bind :3389,:1494,:5900\n  bind 10.0.0.1:8000-8010\n  bind ipv6@:::443\n  bind unix@/run/web.sock\n  bind fd@3\n  server s 10.0.0.1\n').proxy('web')
    expect(p.binds.map((b) => b.addrs.length)).toEqual([3, 11, 1, 1, 1])
    expect(p.binds[0]!.addrs.map((a) => 'port' in a && a.port)).toEqual([3389, 1494, 5900])
    expect(p.binds.slice(2).map((b) => b.addrs[0])).toEqual([{ family: 'ipv6', host: '::', port: 443 }, { family: 'unix', path: '/run/web.sock' }, { family: 'fd', fd: 3 }])
  })

  test('contimeout, clitimeout and srvtimeout are the connect, client and server timeouts, with warnings', () => {
    const b = build('listen web\n  bind :80\n  contimeout 1000\n  clitimeout 10s\n  srvtimeout 10000\n  server s 10.0.0.1:80\n')
    expect(b.proxy('web').timeouts).toEqual({ connect: 1000, client: 10_000, server: 10_000 })
    expect(b.lines).toEqual([
      `${at(3)}: warning: 'contimeout' is a 1.x keyword; edgelb reads it as 'timeout connect 1000' (write that instead)`,
      `${at(4)}: warning: 'clitimeout' is a 1.x keyword; edgelb reads it as 'timeout client 10s' (write that instead)`,
      `${at(5)}: warning: 'srvtimeout' is a 1.x keyword; edgelb reads it as 'timeout server 10000' (write that instead)`,
    ])
  })

  test('bare `redispatch` is `option redispatch`, with a warning', () => {
    const b = build(T + 'listen web\n  bind :80\n  redispatch\n  server s 10.0.0.1:80\n')
    expect(b.proxy('web').options).toEqual({ redispatch: true })
    expect(b.lines).toEqual([`${at(7)}: warning: 'redispatch' is a 1.x keyword; edgelb reads it as 'option redispatch' (write that instead)`])
  })

  test('monitor-net, grace, dispatch and source', () => {
    const b = build(T + 'listen web\n  bind :80\n  monitor-net 192.168.1.252/31\n  monitor-net 10.0.0.0/255.0.0.0\n  grace 20000\n  dispatch 127.0.0.1:80\n  source 10.1.2.1\n')
    expect(b.problems).toEqual([])
    expect(b.proxy('web')).toMatchObject({ monitorNet: ['192.168.1.252/31', '10.0.0.0/8'], grace: 20_000, dispatch: { host: '127.0.0.1', port: 80 }, source: '10.1.2.1' })
  })

  test('server addresses without a port or with an offset', () => {
    const p = build(T + 'listen web\n  bind :80\n  server a 192.168.1.10\n  server b 10.0.0.1:+1000\n  server c 10.0.0.1:-1\n').proxy('web')
    expect(p.servers.map((s) => s.addr)).toEqual([{ host: '192.168.1.10' }, { host: '10.0.0.1', portOffset: 1000 }, { host: '10.0.0.1', portOffset: -1 }])
  })

  test('every 1.x server option', () => {
    const b = build(T + `backend app
  mode http
  cookie SERVERID insert indirect
  server a 10.0.0.1:80 cookie A check inter 2000 fastinter 500 downinter 10s rise 3 fall 4 port 81 addr 10.0.0.9 weight 20 maxconn 12 minconn 4 maxqueue 100 slowstart 30s source 10.1.2.1
  server b 10.0.0.2:80 backup disabled track a
`)
    expect(b.lines).toEqual([]) // each of them built: no "not implemented yet" either
    const [a, bk] = b.proxy('app').servers
    expect(a).toMatchObject({
      cookie: 'A', check: true, inter: 2000, fastinter: 500, downinter: 10_000, rise: 3, fall: 4, checkPort: 81, checkAddr: '10.0.0.9',
      weight: 20, maxconn: 12, minconn: 4, maxqueue: 100, slowstart: 30_000, source: '10.1.2.1', backup: false, disabled: false,
    })
    expect(bk).toMatchObject({ backup: true, disabled: true, track: 'a' })
  })

  test('server option values are checked', () => {
    const b = build(T + 'backend b\n  server a 10.0.0.1:80 inter 0\n  server b 10.0.0.1:80 port 0\n  server c 10.0.0.1:80 source nowhere\n  server d 10.0.0.1:80 rise\n')
    expect(b.problems.filter((l) => l.includes(': error: '))).toEqual([
      `${at(6)}: error: 'inter' must be greater than 0, got '0'`,
      `${at(7)}: error: 'port' must be between 1 and 65535, got 0`,
      `${at(8)}: error: 'source' expects an IP address (optionally :port), got 'nowhere'`,
      `${at(9)}: error: 'rise' expects a value`,
    ])
  })

  test('global 1.x keywords are accepted; those edgelb does not act on say what is ignored; chroot, user and group are kept for run; stats socket is built (the runtime API)', () => {
    const b = build(`global
  daemon
  quiet
  pidfile /var/run/haproxy.pid
  maxconn 10000
  nbthread 4
  log 127.0.0.1 local0 notice
  stats socket /run/haproxy.sock mode 600 level admin
  user root
  group root
  chroot /var/empty
  uid 99
  gid 99
  localpeer lb1
` + T + 'listen web\n  bind :80\n  server s 10.0.0.1:80\n')
    expect(b.config.global).toMatchObject({ daemon: true, quiet: true, pidfile: '/var/run/haproxy.pid', maxconn: 10_000, nbthread: 4, localPeer: 'lb1', chroot: '/var/empty', uid: 99, gid: 99 })
    expect(build('global\n  user root\n  group root\n' + T).config.global).toMatchObject({ uid: 0, gid: 0 })
    expect(b.config.global.logs).toEqual([{ address: '127.0.0.1', facility: 'local0', level: 'notice', pos: { file: FILE, line: 7 } }])
    expect(b.config.global.statsSockets).toEqual([{ address: '/run/haproxy.sock', options: ['mode', '600', 'level', 'admin'], pos: { file: FILE, line: 8 } }])
    expect(b.lines).toEqual([
      `${at(2)}: warning: 'daemon' is ignored: edgelb always stays in the foreground (let systemd or your supervisor run it in the background)`,
    ])
  })
})

describe('other proxy keywords', () => {
  test('maxconn, backlog, fullconn, retries, disabled, logs', () => {
    const p = build(T + 'defaults\n  log global\nlisten web\n  bind :80 name public backlog 64 maxconn 50\n  maxconn 10000\n  backlog 128\n  retries 0\n  disabled\n  no log\n  log stdout format raw local0\n  server s 10.0.0.1:80 minconn 1 maxconn 2\n  fullconn 100\n').proxy('web')
    expect(p).toMatchObject({ maxconn: 10_000, backlog: 128, fullconn: 100, retries: 0, disabled: true })
    expect(p.binds[0]).toMatchObject({ name: 'public', backlog: 64, maxconn: 50 })
    expect(p.logs).toEqual([{ address: 'stdout', format: 'raw', facility: 'local0', pos: { file: FILE, line: 14 } }])
  })

  test('value errors name the keyword', () => {
    const b = build(T + 'listen web\n  bind :80\n  maxconn lots\n  retries 101\n  log 127.0.0.1 local9\n  mode ftp\n  grace 1 2\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([
      `${at(7)}: error: 'maxconn' expects a whole number, got 'lots'`,
      `${at(8)}: error: 'retries' must be between 0 and 100, got 101`,
      `${at(9)}: error: unknown log facility 'local9'; known: kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, auth2, ftp, ntp, audit, alert, cron2, local0, local1, local2, local3, local4, local5, local6, local7`,
      `${at(10)}: error: unknown mode 'ftp'; write 'mode tcp' or 'mode http'`,
      `${at(11)}: error: 'grace' expects a duration; remove '2'`,
    ])
    // global says the same of its own keywords
    expect(build('global\n  maxconn 100 200\n  pidfile\n').problems.filter((l) => l.includes(': error: '))).toEqual([
      `${at(2)}: error: 'maxconn' expects a number; remove '200'`,
      `${at(3)}: error: 'pidfile' expects a file path`,
    ])
  })

  test('http-reuse: safe unless set, inherited from defaults, each mode by name', () => {
    const b = build(T + '  http-reuse never\nbackend inherits\n  server s 10.0.0.1:80\nbackend own\n  http-reuse always\n  server s 10.0.0.1:80\nbackend bad\n  http-reuse sometimes\n  server s 10.0.0.1:80\n')
    expect(build(T + 'backend b\n  server s 10.0.0.1:80\n').proxy('b').httpReuse).toBe('safe')
    expect([b.proxy('inherits').httpReuse, b.proxy('own').httpReuse]).toEqual(['never', 'always'])
    expect(b.problems).toEqual([`${at(12)}: error: unknown 'http-reuse' mode 'sometimes'; write never, safe, aggressive or always`])
  })

  test('environment variables reach the model', () => {
    const p = build(T + 'listen web\n  bind ${ADDR}:${PORT-8080}\n  server s ${APP-127.0.0.1}:9001\n', { ADDR: '127.0.0.1' }).proxy('web')
    expect(p.binds[0]!.addrs).toEqual([{ family: 'ipv4', host: '127.0.0.1', port: 8080 }])
    expect(p.servers[0]!.addr).toEqual({ host: '127.0.0.1', port: 9001 })
  })
})

describe('TLS and the PROXY protocol on one connection', () => {
  test('accept-proxy with ssl on a bind, and send-proxy with ssl on a server, build (the header goes in clear, before the handshake)', () => {
    const b = build(T + 'frontend fe\n  bind 127.0.0.1:0 ssl crt test/fixtures/check-tls.crt accept-proxy\n  default_backend be\nbackend be\n  default-server send-proxy-v2\n  server s1 127.0.0.1:9 ssl verify none\n')
    expect(b.problems.filter((l) => l.includes(': error: ') && /proxy/i.test(l))).toEqual([])
    const bind = b.proxy('fe').binds[0]!
    const srv = b.proxy('be').servers[0]!
    expect([bind.ssl, bind.acceptProxy, srv.ssl, srv.sendProxy]).toEqual([true, true, true, ['v2']])
  })
})
