import { describe, expect, test } from 'bun:test'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { readHaproxy } from '../haproxy/reader.ts'
import { SECTION_TYPES, type Directive, type SectionSource } from '../../model/source.ts'
import { readYaml } from './reader.ts'
import { groupKeyOf, TOP_LEVEL_KEYS } from './schema.ts'
import { writeYaml } from './writer.ts'

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url))

/** The directive as an HAProxy line. */
function line(d: Directive): string {
  return [d.no ? 'no' : d.reset ? 'default' : '', d.kw, ...d.args].filter((w) => w !== '').join(' ')
}

/** Lines that must keep their relative order: the writer regroups `timeout`/`option`/`acl` lines
 *  by their first word and moves `no KW args`/`default KW` lines under their own keys; every
 *  other keyword keeps its lines in file order. */
function orderKey(d: Directive): string {
  if (d.reset) return `default ${d.kw}`
  if (d.kw === 'timeout' || d.kw === 'option' || d.kw === 'acl') return `${d.kw} ${d.args[0] ?? ''}`
  if (d.no && d.args.length > 0) return `no ${d.kw}`
  return d.kw
}

/** What must survive a round trip, with the `.cfg`-only forms rewritten as the writer documents:
 *  `listen [NAME] ADDR` → a first `bind ADDR` (named after ADDR when unnamed), several `global`
 *  sections → one. Sections are keyed by type and name (the YAML groups them by type). */
function essence(sections: readonly SectionSource[]): Record<string, { args: string[]; lines: Record<string, string[]> }> {
  const out: Record<string, { args: string[]; lines: Record<string, string[]> }> = {}
  for (const s of sections) {
    let name = s.name
    let args = s.args
    let dirs = s.directives
    if ((s.type === 'listen' || s.type === 'frontend') && args.length > 0 && args[0] !== 'from') {
      if (name === '') name = args[0]!
      dirs = [{ kw: 'bind', args, pos: s.pos }, ...dirs]
      args = []
    }
    const key = `${s.type} ${name}`
    const entry = out[key] ?? { args, lines: {} }
    out[key] = entry
    for (const d of dirs) (entry.lines[orderKey(d)] ??= []).push(line(d))
  }
  return out
}

function roundTrip(cfg: string, file = 'inline.cfg'): { yaml: string; before: ReturnType<typeof essence>; after: ReturnType<typeof essence> } {
  const read = readHaproxy(cfg, file)
  expect(read.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  const yaml = writeYaml(read.sections)
  const back = readYaml(yaml, file.replace(/\.cfg$/, '.yaml'))
  expect(back.diagnostics).toEqual([])
  return { yaml, before: essence(read.sections), after: essence(back.sections) }
}

/** Guide §1, §2.2 (the tcp relay with a bind line), §4.2.1 (global + an unnamed listen), §7. */
const GUIDE_1 = `listen webfarm 192.168.1.1:80
    mode http
    balance roundrobin
    cookie SERVERID insert indirect
    option httpchk HEAD /index.html HTTP/1.0
    server webA 192.168.1.11:80 cookie A check
    server webB 192.168.1.12:80 cookie B check
    server webC 192.168.1.13:80 cookie C check
    server webD 192.168.1.14:80 cookie D check
`
const GUIDE_2_2 = `listen tse-proxy
    bind :3389,:1494,:5900  # TSE, ICA and VNC at once.
    mode tcp
    balance roundrobin
    server tse-farm 192.168.1.10
    monitor-net 192.168.1.252/31
`
const GUIDE_4_2_1 = `global
    daemon
    quiet
    pidfile /var/run/haproxy-checks.pid
listen 0.0.0.0:81
    mode tcp
    dispatch 127.0.0.1:80
    contimeout 1000
    clitimeout 10000
    srvtimeout 10000
`
const GUIDE_7 = `listen appfarm 192.168.1.1:80
    mode http
    maxconn 10000
    option httpclose
    option abortonclose
    option forwardfor
    balance roundrobin
    # The servers will get 4 concurrent connections under low
    # loads, and 12 when there will be 10000 clients.
    server railsA 192.168.1.11:80 minconn 4 maxconn 12 check
    server railsB 192.168.1.12:80 minconn 4 maxconn 12 check
    server railsC 192.168.1.13:80 minconn 4 maxconn 12 check
    contimeout 60000
`
/** A modern file touching every grouping and every escape hatch of the writer. */
const MODERN = `# edge
global
    maxconn 4096
    log stdout format raw local0
    log 127.0.0.1:514 local1 notice
    stats socket /run/edgelb.sock mode 600 level admin
    tune.bufsize 16384
    setenv GREETING "hello world"

defaults
    mode http
    log global
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    option httplog
    option dontlognull
    no option httpclose
    option forwardfor except 127.0.0.0/8
    default option http-keep-alive
    errorfile 503 /etc/errors/503.http

frontend web
    bind :80
    bind :443 ssl crt /etc/edgelb/site.pem alpn h2,http/1.1
    acl is_api path_beg /api
    acl is_static path_end .css
    acl is_api hdr(host) -i api.example.com
    acl is_static path_end .js
    http-request deny if { path_beg /admin }
    http-request set-header X-Forwarded-Proto https if { ssl_fc }
    http-request set-header X-Note "a # not a comment" 
    http-request set-var(txn.e) str('') 
    http-response set-header X-Empty ""
    use_backend api if is_api
    use_backend static if is_static
    default_backend app
    tcp-request inspect-delay 5s
    tcp-request content accept if HTTP
    capture request header Host len 64
    monitor-uri /health
    disabled
    no log

backend app
    balance uri whole
    cookie SERVERID insert indirect nocache
    default-server inter 2s rise 2 fall 3 check
    option httpchk GET /health
    http-check expect status 200
    server app1 10.0.0.1:80 cookie a1 weight 10
    server app2 10.0.0.2:80 cookie a2 no-check backup
    server app3 10.0.0.3:80 source 10.0.1.1 usesrc clientip
    server app4 unix@/run/app4.sock
    timeout server 1m
    retries 3
    maxconn 100
    description "the main application"

backend api
    server api1 10.0.1.1:8080 check
    server api1 10.0.1.2:8080 check
    option redispatch

backend static
    server-template web 3 10.0.2.1:80 check
    no option forwardfor except 10.0.0.1
    stick-table type ip size 1m expire 30m
    stick on src

peers mypeers
    peer lb1 10.0.0.1:1024
    peer lb2 10.0.0.2:1024
    server lb3
    server lb4 10.0.0.4:1024

userlist admins
    user admin password $5$abc$def groups ops
    group ops

resolvers dns
    nameserver ns1 8.8.8.8:53
    hold valid 10s
    resolve_retries 3

listen stats
    bind 127.0.0.1:8404
    stats enable
    stats uri /stats
    stats refresh 10s
`

const INLINE: Record<string, string> = { GUIDE_1, GUIDE_2_2, GUIDE_4_2_1, GUIDE_7, MODERN }

describe('round trip: readHaproxy → writeYaml → readYaml gives the same directives', () => {
  for (const [name, cfg] of Object.entries(INLINE)) {
    test(`inline ${name}`, () => {
      const { before, after } = roundTrip(cfg)
      expect(after).toEqual(before)
    })
  }

  const fixtures = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((f) => f.endsWith('.cfg')).sort() : []
  test('the fixtures directory holds configurations to check', () => {
    expect(fixtures.length).toBeGreaterThan(0)
  })
  for (const f of fixtures) {
    test(`test/fixtures/${f}`, () => {
      const { before, after } = roundTrip(readFileSync(FIXTURES + f, 'utf8'), f)
      expect(after).toEqual(before)
    })
  }
})

describe('the YAML reads like hand-written YAML', () => {
  test('guide §1', () => {
    expect(roundTrip(GUIDE_1).yaml).toBe(`listen:
  webfarm:
    bind: 192.168.1.1:80
    mode: http
    balance: roundrobin
    cookie: SERVERID insert indirect
    option:
      httpchk: HEAD /index.html HTTP/1.0
    servers:
      webA: { address: 192.168.1.11:80, cookie: A, check: true }
      webB: { address: 192.168.1.12:80, cookie: B, check: true }
      webC: { address: 192.168.1.13:80, cookie: C, check: true }
      webD: { address: 192.168.1.14:80, cookie: D, check: true }
`)
  })

  test('an unnamed listen is named after its address; global settings without arguments are true', () => {
    expect(roundTrip(GUIDE_4_2_1).yaml).toBe(`global:
  daemon: true
  quiet: true
  pidfile: /var/run/haproxy-checks.pid
listen:
  0.0.0.0:81:
    bind: 0.0.0.0:81
    mode: tcp
    dispatch: 127.0.0.1:80
    contimeout: 1000
    clitimeout: 10000
    srvtimeout: 10000
`)
  })

  test('options with no arguments become a list of names; comments are kept', () => {
    expect(roundTrip(GUIDE_7).yaml).toBe(`listen:
  appfarm:
    bind: 192.168.1.1:80
    mode: http
    maxconn: 10000
    option: [ httpclose, abortonclose, forwardfor ]
    balance: roundrobin
    servers:
      # The servers will get 4 concurrent connections under low
      # loads, and 12 when there will be 10000 clients.
      railsA: { address: 192.168.1.11:80, minconn: 4, maxconn: 12, check: true }
      railsB: { address: 192.168.1.12:80, minconn: 4, maxconn: 12, check: true }
      railsC: { address: 192.168.1.13:80, minconn: 4, maxconn: 12, check: true }
    contimeout: 60000
`)
  })

  test('a modern file: timeouts, option maps, acls, rules, servers and escape hatches', () => {
    expect(roundTrip(MODERN).yaml).toBe(`# edge
global:
  maxconn: 4096
  log:
    - stdout format raw local0
    - 127.0.0.1:514 local1 notice
  stats: socket /run/edgelb.sock mode 600 level admin
  tune.bufsize: 16384
  setenv: GREETING 'hello world'
defaults:
  mode: http
  log: global
  timeout:
    connect: 5s
    client: 30s
    server: 30s
  option:
    httplog: true
    dontlognull: true
    httpclose: false
    forwardfor: except 127.0.0.0/8
  default option: http-keep-alive
  errorfile: 503 /etc/errors/503.http
frontends:
  web:
    bind:
      - :80
      - :443 ssl crt /etc/edgelb/site.pem alpn h2,http/1.1
    acl:
      is_api:
        - path_beg /api
        - hdr(host) -i api.example.com
      is_static:
        - path_end .css
        - path_end .js
    http-request:
      - deny if { path_beg /admin }
      - set-header X-Forwarded-Proto https if { ssl_fc }
      - "set-header X-Note 'a # not a comment'"
      - set-var(txn.e) str()
    http-response: set-header X-Empty ''
    use_backend:
      - api if is_api
      - static if is_static
    default_backend: app
    tcp-request:
      - inspect-delay 5s
      - content accept if HTTP
    capture: request header Host len 64
    monitor-uri: /health
    disabled: true
    log: false
backends:
  app:
    balance: uri whole
    cookie: SERVERID insert indirect nocache
    default-server: { inter: 2s, rise: 2, fall: 3, check: true }
    option:
      httpchk: GET /health
    http-check: expect status 200
    servers:
      app1: { address: 10.0.0.1:80, cookie: a1, weight: 10 }
      app2: { address: 10.0.0.2:80, cookie: a2, check: false, backup: true }
      app3: { address: 10.0.0.3:80, source: 10.0.1.1, usesrc: clientip }
      app4: unix@/run/app4.sock
    timeout:
      server: 1m
    retries: 3
    maxconn: 100
    description: "'the main application'"
  api:
    server:
      - api1 10.0.1.1:8080 check
      - api1 10.0.1.2:8080 check
    option: [ redispatch ]
  static:
    server-template: web 3 10.0.2.1:80 check
    no option: forwardfor except 10.0.0.1
    stick-table: type ip size 1m expire 30m
    stick: on src
peers:
  mypeers:
    peer:
      - lb1 10.0.0.1:1024
      - lb2 10.0.0.2:1024
    server:
      - lb3
      - lb4 10.0.0.4:1024
userlists:
  admins:
    user: admin password "\\$5\\$abc\\$def" groups ops
    group: ops
resolvers:
  dns:
    nameserver: ns1 8.8.8.8:53
    hold: valid 10s
    resolve_retries: 3
listen:
  stats:
    bind: 127.0.0.1:8404
    stats:
      - enable
      - uri /stats
      - refresh 10s
`)
  })
})

describe('what the YAML cannot say the same way', () => {
  test('every section type has a top-level key the reader takes back', () => {
    const cfg = `peers p\n    peer a 10.0.0.1:1024\nuserlist u\n    user a password x\nresolvers r\n    nameserver a 10.0.0.53:53
mailers m\n    mailer a 10.0.0.25:25\ncache c\n    total-max-size 4\nprogram pr\n    command /bin/true\nhttp-errors he\n    errorfile 503 /x
ring rg\n    size 32764\nlog-forward lf\n    dgram-bind :514\nfcgi-app f\n    docroot /var/www\ncrt-store cs\n    crt-base /etc/ssl
traces\n    trace h1 sink stderr\nlog-profile lp\n    log-tag x\nacme le\n    directory https://acme.example/dir
`
    expect(SECTION_TYPES.filter((t) => !TOP_LEVEL_KEYS.includes(groupKeyOf(t)))).toEqual([])
    const { yaml, before, after } = roundTrip(cfg)
    expect(yaml.split('\n').filter((l) => /^[a-z]/.test(l))).toEqual([
      'peers:', 'userlists:', 'resolvers:', 'mailers:', 'caches:', 'programs:', 'http-errors:', 'rings:', 'log-forwards:', 'fcgi-apps:',
      'crt-stores:', 'log-profiles:', 'acme:', 'traces:',
    ])
    expect(after).toEqual(before)
  })

  test('several traces sections merge into one, written as a settings map like global', () => {
    const { yaml, before, after } = roundTrip('traces\n    trace h1 sink stderr\nbackend b\n    balance first\ntraces\n    trace h2 level user\n')
    expect(yaml).toBe('backends:\n  b:\n    balance: first\ntraces:\n  trace:\n    - h1 sink stderr\n    - h2 level user\n')
    expect(after).toEqual(before)
  })

  test('several global sections merge into one', () => {
    const { yaml } = roundTrip('global\n    maxconn 10\nbackend b\n    balance first\nglobal\n    log stdout local0\n')
    expect(yaml).toBe('global:\n  maxconn: 10\n  log: stdout local0\nbackends:\n  b:\n    balance: first\n')
  })

  test('a proxy below a defaults section that is not the last one keeps it through a name and from', () => {
    const cfg = 'defaults\n    mode http\nfrontend a\n    bind :80\ndefaults\n    mode tcp\nfrontend b\n    bind :81\n'
    const yaml = writeYaml(readHaproxy(cfg, 'd.cfg').sections)
    expect(yaml).toBe(`defaults:
  # edgelb convert: named so that the proxies below it in the .cfg can keep it with 'from: defaults-1'
  - name: defaults-1
    mode: http
  - mode: tcp
frontends:
  a:
    from: defaults-1
    bind: :80
  b:
    bind: :81
`)
    const back = readYaml(yaml, 'd.yaml')
    expect(back.diagnostics).toEqual([])
    expect(back.sections.map((s) => [s.type, s.name, s.args])).toEqual([
      ['defaults', 'defaults-1', []],
      ['defaults', '', []],
      ['frontend', 'a', ['from', 'defaults-1']],
      ['frontend', 'b', []],
    ])
  })

  test('named defaults and from are written as name and from', () => {
    const cfg = 'defaults base\n    mode http\ndefaults web from base\n    timeout client 30s\nfrontend fe from web\n    bind :80\nbackend be from base\n'
    const { yaml, before, after } = roundTrip(cfg)
    expect(after).toEqual(before)
    expect(yaml).toBe(`defaults:
  - name: base
    mode: http
  - name: web
    from: base
    timeout:
      client: 30s
frontends:
  fe:
    from: web
    bind: :80
backends:
  be:
    from: base
`)
  })

  test('a second proxy of the same name is renamed, with a note', () => {
    const yaml = writeYaml(readHaproxy('listen 10.0.0.1:80\n    mode tcp\nlisten 10.0.0.1:80\n    mode http\n', 'x.cfg').sections)
    expect(yaml).toContain(`  # edgelb convert: a second listen named '10.0.0.1:80' in the .cfg; renamed '10.0.0.1:80-2' (HAProxy refuses duplicate names)\n  10.0.0.1:80-2:\n`)
    expect(readYaml(yaml, 'x.yaml').diagnostics).toEqual([])
  })

  test('a frontend with its address on the header (1.3 form) gets a first bind', () => {
    const { yaml, before, after } = roundTrip('frontend web 10.0.0.1:80\n    bind :81\n    default_backend b\n')
    expect(after).toEqual(before)
    expect(yaml).toBe('frontends:\n  web:\n    bind:\n      - 10.0.0.1:80\n      - :81\n    default_backend: b\n')
  })

  test('words that YAML or HAProxy would misread are quoted', () => {
    const cfg = `backend b
    http-request set-header X-A true
    http-request set-header X-B 123
    http-request set-header X-C "- x: y"
    http-request set-header X-D "\${NOT_EXPANDED}"
    http-request set-header X-E '"q"'
    http-request return status 200 content-type text/plain string "a\\tb\\r\\n"
    option 1
    description 0600
    description 12.5
`
    const { before, after } = roundTrip(cfg)
    expect(after).toEqual(before)
  })

  test('a server option takes the words the keyword dictionary gives it; a line with a word it does not know stays one string', () => {
    const cfg = `backend b
    server a 10.0.0.1:80 check-sni-auto no-sni-auto pool-max-conn 10 no-tfo
    server b 10.0.0.2:80 chekc inter 2s
    server c 10.0.0.3:80 inter 2s inter 3s
`
    const { yaml, before, after } = roundTrip(cfg)
    expect(yaml).toBe(`backends:
  b:
    servers:
      a: { address: 10.0.0.1:80, check-sni-auto: true, sni-auto: false, pool-max-conn: 10, tfo: false }
      b: 10.0.0.2:80 chekc inter 2s
      c: 10.0.0.3:80 inter 2s inter 3s
`)
    expect(after).toEqual(before)
  })

  test('comments come back as directive and section comments', () => {
    const read = readHaproxy(GUIDE_2_2, 'g.cfg')
    const back = readYaml(writeYaml(read.sections), 'g.yaml')
    expect(back.sections[0]!.directives.map((d) => d.comment)).toEqual(['TSE, ICA and VNC at once.', undefined, undefined, undefined, undefined])
    const hdr = readYaml(writeYaml(readHaproxy('# the farm\nbackend b\n    # pick\n    balance first\n', 'b.cfg').sections), 'b.yaml')
    expect(hdr.sections[0]!.comment).toBe('the farm')
    expect(hdr.sections[0]!.directives[0]!.comment).toBe('pick')
  })

  test('no sections: an empty map', () => {
    expect(writeYaml([])).toBe('{}\n')
    expect(readYaml('{}\n', 'e.yaml')).toEqual({ sections: [], diagnostics: [] })
  })
})

describe('the examples in conf/', () => {
  const CONF = fileURLToPath(new URL('../../../conf/', import.meta.url))

  test('conf/edgelb.yaml and conf/haproxy-example.cfg give the same directives', () => {
    const cfg = readHaproxy(readFileSync(CONF + 'haproxy-example.cfg', 'utf8'), 'haproxy-example.cfg')
    const yaml = readYaml(readFileSync(CONF + 'edgelb.yaml', 'utf8'), 'edgelb.yaml')
    expect(cfg.diagnostics).toEqual([])
    expect(yaml.diagnostics).toEqual([])
    expect(essence(yaml.sections)).toEqual(essence(cfg.sections))
  })

  test('converting the .cfg example reads back the same', () => {
    const { before, after } = roundTrip(readFileSync(CONF + 'haproxy-example.cfg', 'utf8'), 'haproxy-example.cfg')
    expect(after).toEqual(before)
  })
})
