import { describe, expect, test } from 'bun:test'
import type { Diagnostic, ReadResult } from '../../model/source.ts'
import { readYaml } from './reader.ts'

/** Each directive as its HAProxy line (`no option httpclose`), for compact expectations. */
function lines(r: ReadResult, index = 0): string[] {
  const s = r.sections[index]
  if (!s) throw new Error(`no section ${index}`)
  return s.directives.map((d) => [d.no ? 'no' : d.reset ? 'default' : '', d.kw, ...d.args].filter((w) => w !== '').join(' '))
}

/** Reads `body` as the settings of one backend `b`; returns its lines. */
function backendLines(body: string, env: Record<string, string> = {}): string[] {
  const r = readYaml(`backends:\n  b:\n${body.replace(/^/gm, '    ')}\n`, 'b.yaml', env)
  expect(r.diagnostics).toEqual([])
  return lines(r)
}

function errors(r: ReadResult): string[] {
  return r.diagnostics.map((d: Diagnostic) => `${d.pos.line}: ${d.severity}: ${d.message}`)
}

describe('generic rules', () => {
  test('a string is split into words as an HAProxy line would be', () => {
    expect(backendLines('balance: uri whole\ncookie: SERVERID insert indirect nocache')).toEqual([
      'balance uri whole',
      'cookie SERVERID insert indirect nocache',
    ])
  })

  test('quotes and escapes inside a string work as in HAProxy', () => {
    expect(backendLines(`http-request: set-header X-Msg "hello world" if { path_beg '/a b' }`)).toEqual([
      'http-request set-header X-Msg hello world if { path_beg /a b }',
    ])
    const r = readYaml(`backends:\n  b:\n    http-request: set-header X-Msg "hello world"\n`, 'b.yaml')
    expect(r.sections[0]!.directives[0]!.args).toEqual(['set-header', 'X-Msg', 'hello world'])
  })

  test('${VAR} expands from the environment, with defaults; an unset variable warns', () => {
    expect(backendLines('server: "s1 ${HOST}:${PORT-80}"', { HOST: '10.0.0.1' })).toEqual(['server s1 10.0.0.1:80'])
    const r = readYaml('global:\n  log: ${NOPE} local0\n', 'g.yaml', {})
    expect(lines(r)).toEqual(['log local0'])
    expect(errors(r)).toEqual([
      "2: warning: environment variable 'NOPE' is not set; it expands to an empty string (write ${NOPE-default} to give a default)",
    ])
  })

  test('a number is passed as written (durations as plain numbers are milliseconds)', () => {
    expect(backendLines('maxconn: 4096\ncontimeout: 5000\nweight: 1.5\nmode: 0600\nmark: 0x1F')).toEqual([
      'maxconn 4096',
      'contimeout 5000',
      'weight 1.5',
      'mode 0600',
      'mark 0x1F',
    ])
  })

  test('true is the keyword alone, false its `no` form', () => {
    expect(backendLines('disabled: true\nredispatch: true\nlog: false')).toEqual(['disabled', 'redispatch', 'no log'])
  })

  test('a list gives one directive per element, in order', () => {
    expect(backendLines('log: [global, "stdout format raw local0"]\nhttp-request: ["deny if { path_beg /admin }", "set-header X-Y 1"]')).toEqual([
      'log global',
      'log stdout format raw local0',
      'http-request deny if { path_beg /admin }',
      'http-request set-header X-Y 1',
    ])
  })

  test('a map gives KEY SUBKEY VALUE for each entry', () => {
    expect(backendLines('timeout: { connect: 5s, client: 30s, server: 30s }')).toEqual([
      'timeout connect 5s',
      'timeout client 30s',
      'timeout server 30s',
    ])
  })

  test('option maps: arguments, true and false', () => {
    expect(backendLines('option: { forwardfor: "except 127.0.0.1", redispatch: true, httpclose: false }')).toEqual([
      'option forwardfor except 127.0.0.1',
      'option redispatch',
      'no option httpclose',
    ])
  })

  test('option as a list of names', () => {
    expect(backendLines('option: [httpclose, forwardfor]')).toEqual(['option httpclose', 'option forwardfor'])
  })

  test('maps nest: stats, tcp-request, acl, errorfile', () => {
    expect(backendLines([
      'stats: { socket: /run/edgelb.sock mode 600, timeout: 30s }',
      'tcp-request: { inspect-delay: 5s, content: ["accept if HTTP"] }',
      'acl: { is_api: "path_beg /api", is_static: ["path_end .css", "path_end .js"] }',
      'errorfile: { 503: /etc/errors/503.http }',
    ].join('\n'))).toEqual([
      'stats socket /run/edgelb.sock mode 600',
      'stats timeout 30s',
      'tcp-request inspect-delay 5s',
      'tcp-request content accept if HTTP',
      'acl is_api path_beg /api',
      'acl is_static path_end .css',
      'acl is_static path_end .js',
      'errorfile 503 /etc/errors/503.http',
    ])
  })

  test('block style reads the same as flow style', () => {
    expect(backendLines('timeout:\n  connect: 5s\n  client: 30s\nacl:\n  is_api:\n    - path_beg /api\n    - path_beg /v2')).toEqual([
      'timeout connect 5s',
      'timeout client 30s',
      'acl is_api path_beg /api',
      'acl is_api path_beg /v2',
    ])
  })

  test('keys `no KW` and `default KW` give the prefixed forms', () => {
    const r = readYaml('defaults:\n  no option: httpclose\n  default option: [http-keep-alive, forwardfor]\n', 'd.yaml')
    expect(r.diagnostics).toEqual([])
    expect(lines(r)).toEqual(['no option httpclose', 'default option http-keep-alive', 'default option forwardfor'])
    expect(r.sections[0]!.directives.map((d) => [d.kw, d.no, d.reset])).toEqual([
      ['option', true, undefined],
      ['option', undefined, true],
      ['option', undefined, true],
    ])
  })

  test('keys with dots are plain keywords', () => {
    const r = readYaml('global:\n  tune.bufsize: 16384\n  tune.ssl.default-dh-param: 2048\n', 'g.yaml')
    expect(lines(r)).toEqual(['tune.bufsize 16384', 'tune.ssl.default-dh-param 2048'])
  })

  test('aliases resolve to the node they name', () => {
    const r = readYaml('defaults:\n  timeout: &t { connect: 5s }\nbackends:\n  b:\n    timeout: *t\n', 'a.yaml')
    expect(r.diagnostics).toEqual([])
    expect(lines(r, 1)).toEqual(['timeout connect 5s'])
  })
})

describe('servers, default-server, bind', () => {
  test('servers as strings', () => {
    expect(backendLines('servers:\n  webA: 192.168.1.11:80 cookie A check\n  webB: 192.168.1.12:80')).toEqual([
      'server webA 192.168.1.11:80 cookie A check',
      'server webB 192.168.1.12:80',
    ])
  })

  test('servers as maps: address first, options in written order, false as no-FLAG', () => {
    expect(backendLines('servers:\n  webA: { cookie: A, address: 192.168.1.11:80, check: true, inter: 2s, backup: true, weight: 12, tfo: false }')).toEqual([
      'server webA 192.168.1.11:80 cookie A check inter 2s backup weight 12 no-tfo',
    ])
  })

  test('servers as a list of maps with name, or of whole strings', () => {
    expect(backendLines('servers:\n  - { name: webA, address: "10.0.0.1:80", check: true }\n  - name: webB\n    address: 10.0.0.2:80\n  - webC 10.0.0.3:80 backup')).toEqual([
      'server webA 10.0.0.1:80 check',
      'server webB 10.0.0.2:80',
      'server webC 10.0.0.3:80 backup',
    ])
  })

  test('the singular `server` key follows the generic rules', () => {
    expect(backendLines('server: { webA: "10.0.0.1:80 check" }')).toEqual(['server webA 10.0.0.1:80 check'])
  })

  test('default-server as a map of options, or a string', () => {
    expect(backendLines('default-server: { inter: 2s, rise: 2, check: false }')).toEqual(['default-server inter 2s rise 2 no-check'])
    expect(backendLines('default-server: inter 2s fall 3')).toEqual(['default-server inter 2s fall 3'])
  })

  test('bind as a string, a list, a map, and a list of maps', () => {
    const r = readYaml([
      'frontends:',
      '  a: { bind: ":80" }',
      '  b: { bind: "10.0.0.1:80 name web backlog 100" }',
      '  c: { bind: [":80", ":81"] }',
      '  d: { bind: { address: ":80", name: web } }',
      '  e: { bind: [{ address: ":443", ssl: true, crt: /etc/x.pem }, ":80"] }',
    ].join('\n'), 'f.yaml')
    expect(r.diagnostics).toEqual([])
    expect(r.sections.map((_, i) => lines(r, i))).toEqual([
      ['bind :80'],
      ['bind 10.0.0.1:80 name web backlog 100'],
      ['bind :80', 'bind :81'],
      ['bind :80 name web'],
      ['bind :443 ssl crt /etc/x.pem', 'bind :80'],
    ])
  })
})

describe('sections', () => {
  test('every section group, in document order', () => {
    const r = readYaml([
      'global: { maxconn: 4096 }',
      'defaults: { mode: http }',
      'frontends: { fe: { default_backend: be } }',
      'backends: { be: { balance: roundrobin } }',
      'listen: { stats: { bind: ":8404" } }',
      'peers: { mypeers: { peer: { lb1: "10.0.0.1:1024" } } }',
      'userlists: { admins: { user: { admin: "insecure-password x" } } }',
      'resolvers: { dns: { nameserver: { ns1: "8.8.8.8:53" } } }',
      'mailers: { m: { mailer: { smtp1: "10.0.0.9:25" } } }',
      'caches: { c: { total-max-size: 4 } }',
      'programs: { p: { command: /bin/true } }',
      'http-errors: { site: { errorfile: { 404: /e/404.http } } }',
      'rings: { r: { size: 32764 } }',
      'log-forwards: { lf: { bind: ":514" } }',
    ].join('\n'), 'all.yaml')
    expect(r.diagnostics).toEqual([])
    expect(r.sections.map((s) => `${s.type} ${s.name}`)).toEqual([
      'global ', 'defaults ', 'frontend fe', 'backend be', 'listen stats', 'peers mypeers', 'userlist admins',
      'resolvers dns', 'mailers m', 'cache c', 'program p', 'http-errors site', 'ring r', 'log-forward lf',
    ])
    expect(lines(r, 5)).toEqual(['peer lb1 10.0.0.1:1024'])
    expect(lines(r, 11)).toEqual(['errorfile 404 /e/404.http'])
  })

  test('defaults: one map, or a list; name and from set the header', () => {
    const r = readYaml([
      'defaults:',
      '  - name: base',
      '    mode: http',
      '  - { name: web, from: base, timeout: { client: 30s } }',
      '  - { mode: tcp }',
      'frontends:',
      '  fe: { from: web, bind: ":80" }',
    ].join('\n'), 'd.yaml')
    expect(r.diagnostics).toEqual([])
    expect(r.sections.map((s) => [s.type, s.name, s.args])).toEqual([
      ['defaults', 'base', []],
      ['defaults', 'web', ['from', 'base']],
      ['defaults', '', []],
      ['frontend', 'fe', ['from', 'web']],
    ])
    expect(lines(r, 1)).toEqual(['timeout client 30s'])
  })

  test('empty sections are kept; an empty document has none', () => {
    const r = readYaml('global:\ndefaults:\nbackends:\n  b:\n', 'e.yaml')
    expect(r.diagnostics).toEqual([])
    expect(r.sections.map((s) => [s.type, s.name, s.directives.length])).toEqual([['global', '', 0], ['defaults', '', 0], ['backend', 'b', 0]])
    expect(readYaml('', 'e.yaml')).toEqual({ sections: [], diagnostics: [] })
    expect(readYaml('# only a comment\n', 'e.yaml')).toEqual({ sections: [], diagnostics: [] })
  })
})

describe('positions and comments', () => {
  test('each directive has the line and column of its key or list item', () => {
    const text = [
      'global:',                        // 1
      '  maxconn: 4096',                // 2
      'backends:',                      // 3
      '  app:',                         // 4
      '    timeout:',                   // 5
      '      connect: 5s',              // 6
      '    http-request:',              // 7
      '      - deny if { path_beg /a }', // 8
      '      - set-header X-Y 1',       // 9
      '    servers:',                   // 10
      '      a: { address: 10.0.0.1:80, check: true }', // 11
      '    option: [httpclose, forwardfor]', // 12
    ].join('\n')
    const r = readYaml(text, 'p.yaml')
    expect(r.diagnostics).toEqual([])
    expect(r.sections.map((s) => s.pos)).toEqual([{ file: 'p.yaml', line: 1, col: 1 }, { file: 'p.yaml', line: 4, col: 3 }])
    expect(r.sections[0]!.directives.map((d) => d.pos)).toEqual([{ file: 'p.yaml', line: 2, col: 3 }])
    expect(r.sections[1]!.directives.map((d) => [d.kw, d.pos.line, d.pos.col])).toEqual([
      ['timeout', 6, 7],
      ['http-request', 8, 9],
      ['http-request', 9, 9],
      ['server', 11, 7],
      ['option', 12, 14],
      ['option', 12, 25],
    ])
  })

  test('a comment before or on a key becomes the directive comment; before a section, its comment', () => {
    const text = [
      'backends:',
      '  # the application servers',
      '  app:',
      '    # round robin is fine here',
      '    balance: roundrobin  # no stickiness',
      '    timeout:',
      '      # slow backends',
      '      server: 60s',
      '    log: global # shared',
    ].join('\n')
    const r = readYaml(text, 'c.yaml')
    expect(r.sections[0]!.comment).toBe('the application servers')
    expect(r.sections[0]!.directives.map((d) => d.comment)).toEqual(['round robin is fine here\nno stickiness', 'slow backends', 'shared'])
  })
})

describe('errors', () => {
  test('unknown top-level key, with a suggestion when one is close', () => {
    expect(errors(readYaml('frontend:\n  web: {}\n', 'x.yaml'))).toEqual(["1: error: unknown top-level key 'frontend'; did you mean 'frontends'?"])
    expect(errors(readYaml('global: {}\nbakends: {}\n', 'x.yaml'))).toEqual(["2: error: unknown top-level key 'bakends'; did you mean 'backends'?"])
    expect(errors(readYaml('servers: {}\n', 'x.yaml'))).toEqual([
      "1: error: unknown top-level key 'servers'; known keys: global, defaults, frontends, backends, listen, peers, userlists, resolvers, mailers, caches, programs, http-errors, rings, log-forwards, fcgi-apps, crt-stores, log-profiles, acme, traces",
    ])
  })

  test('duplicate keys, at any depth', () => {
    expect(errors(readYaml('global:\n  maxconn: 1\n  maxconn: 2\n', 'x.yaml'))).toEqual([
      "3: error: duplicate key 'global.maxconn' (first at line 2); write the key once and give several values as a list",
    ])
    expect(errors(readYaml('backends:\n  b:\n    timeout: { connect: 1s, connect: 2s }\n', 'x.yaml'))).toEqual([
      "3: error: duplicate key 'backends.b.timeout.connect' (first at line 3); write the key once and give several values as a list",
    ])
    expect(errors(readYaml('backends:\n  b: {}\nbackends:\n  c: {}\n', 'x.yaml'))).toEqual([
      "3: error: duplicate key 'backends' (first at line 1); write the key once and give several values as a list",
    ])
  })

  test('YAML syntax errors carry the line of the problem and yield no sections', () => {
    const r = readYaml('global:\n  maxconn: 1\n log: x\n', 'x.yaml')
    expect(r.sections).toEqual([])
    expect(errors(r)).toEqual(['3: error: invalid YAML: All mapping items must start at the same column'])
    expect(errors(readYaml('global:\n  maxconn: 1\n\tlog: x\n', 'x.yaml'))).toEqual(['3: error: invalid YAML: Tabs are not allowed as indentation'])
    expect(errors(readYaml('global:\n  log: stdout: x\n', 'x.yaml'))).toEqual(['2: error: invalid YAML: Nested mappings are not allowed in compact mappings'])
  })

  test('wrong shapes name the key path and what to write', () => {
    expect(errors(readYaml('- global\n', 'x.yaml'))).toEqual([
      "1: error: the top level must be a map of sections ('global:', 'defaults:', 'frontends:', 'backends:', 'listen:'…), not a list",
    ])
    expect(errors(readYaml('frontends: [web]\n', 'x.yaml'))).toEqual([
      "1: error: 'frontends' must be a map of frontend names to their settings (frontends: { NAME: { KEY: VALUE } }), not a list",
    ])
    expect(errors(readYaml('backends:\n  app: roundrobin\n', 'x.yaml'))).toEqual([
      "2: error: 'backends.app' must be a map of settings (KEY: VALUE), not a string",
    ])
    expect(errors(readYaml('global: [a]\n', 'x.yaml'))).toEqual([
      "1: error: 'global' must be a map of settings (KEY: VALUE), not a list",
    ])
    expect(errors(readYaml('defaults: http\n', 'x.yaml'))).toEqual([
      "1: error: 'defaults' must be a map of settings, or a list of such maps for several defaults sections, not a string",
    ])
    expect(errors(readYaml('defaults: [http]\n', 'x.yaml'))).toEqual([
      "1: error: 'defaults[0]' must be a map of settings (KEY: VALUE), not a string",
    ])
    expect(errors(readYaml('defaults:\n  timeout:\n', 'x.yaml'))).toEqual([
      "2: error: 'defaults.timeout' has no value; write true for the keyword alone, or its arguments",
    ])
    expect(errors(readYaml('defaults:\n  name: [a, b]\n', 'x.yaml'))).toEqual([
      "2: error: 'defaults.name' must be a single word, e.g. 'name: web-defaults'",
    ])
    expect(errors(readYaml('defaults:\n  no option: { httpclose: false }\n', 'x.yaml'))).toEqual([
      "2: error: 'defaults.no option.httpclose' is false under a 'no' key; write the keyword under its own key with false for the 'no' form",
    ])
    expect(errors(readYaml('defaults:\n  <<: { mode: http }\n', 'x.yaml'))).toEqual([
      "2: error: YAML merge keys ('<<') are not supported in 'defaults'; to share settings, use a named defaults section and 'from:'",
    ])
  })

  test('server and bind shapes', () => {
    const b = (body: string): string[] => errors(readYaml(`backends:\n  app:\n${body.replace(/^/gm, '    ')}\n`, 'x.yaml'))
    expect(b('servers:\n  webA: { cookie: A, check: true }')).toEqual([
      "4: error: server 'webA' in 'backends.app.servers' needs an address: add 'address: ADDRESS'",
    ])
    expect(b('servers:\n  webA:')).toEqual([
      "4: error: server 'webA' in 'backends.app.servers' needs an address: write 'webA: ADDRESS [OPTIONS]' or add 'address: ADDRESS'",
    ])
    expect(b('servers: 10.0.0.1:80')).toEqual([
      `3: error: 'backends.app.servers' must be a map of server names to an address and options (servers: { NAME: "ADDRESS [OPTIONS]" }), not a string`,
    ])
    expect(b('servers:\n  - { address: 10.0.0.1:80 }')).toEqual([
      "4: error: 'backends.app.servers[0]' needs a 'name' key: the server's name",
    ])
    expect(b('servers:\n  webA: { address: 10.0.0.1:80, inter: { x: 1 } }')).toEqual([
      "4: error: 'backends.app.servers.webA.inter' must be true, false, a number or a string, not a map",
    ])
    expect(b('bind: { name: web }')).toEqual([
      `3: error: 'backends.app.bind' needs an address: add 'address: ADDRESS' (e.g. address: ":80")`,
    ])
    expect(b('default-server: { address: 10.0.0.1, check: true }')).toEqual([
      "3: error: 'backends.app.default-server' takes no address; remove 'address'",
    ])
  })

  test('an HAProxy quoting error inside a string names the key', () => {
    expect(errors(readYaml(`backends:\n  b:\n    http-request: set-header X "unclosed\n`, 'x.yaml'))).toEqual([
      `3: error: in 'backends.b.http-request': unbalanced double quote starting a word; close it with "`,
    ])
  })

  test('reading goes on after an error', () => {
    const r = readYaml('global:\n  a: 1\n  a: 2\n  b: 3\nfrontend: {}\nbackends: { x: { balance: first } }\n', 'x.yaml')
    expect(errors(r).length).toBe(2)
    expect(r.sections.map((s) => s.type)).toEqual(['global', 'backend'])
    expect(lines(r)).toEqual(['a 1', 'b 3'])
  })
})
