/**
 * config/build.ts against HAProxy's grammar, which it reads from the keyword dictionary only:
 * where a keyword may be written (sections, named defaults), whether it takes `no`/`default`,
 * and what an unknown word is told. Kept apart from build.test.ts, which covers what keywords
 * build into the model.
 */
import { describe, expect, test } from 'bun:test'
import { buildConfig } from './build.ts'
import { globalKeywordByPhrase, proxyKeywordByPhrase } from '../model/dictionary/lookup.ts'
import { readHaproxy } from './haproxy/reader.ts'
import { globalKeywords } from './keywords/global.ts'
import { proxyKeywords } from './keywords/proxy.ts'
import { formatDiagnostic } from '../model/source.ts'
import type { ProxyConfig } from '../model/types.ts'

const FILE = 'edgelb.cfg'

/** Reads and builds HAProxy text as `edgelb check` does; `problems` leaves out the warnings
 *  about timeouts and "not implemented yet", which other tests cover. */
function build(text: string) {
  const read = readHaproxy(text, FILE)
  const built = buildConfig(read.sections, [FILE])
  const all = [...read.diagnostics, ...built.diagnostics]
  return {
    problems: all.filter((d) => !/not implemented yet|missing timeouts/.test(d.message)).map(formatDiagnostic),
    proxy(name: string): ProxyConfig {
      const p = built.config.proxies.find((x) => x.name === name)
      if (!p) throw new Error(`no proxy '${name}'`)
      return p
    },
  }
}

const at = (line: number) => `${FILE}:${line}`

describe('one source for placement', () => {
  test('every keyword edgelb implements has its dictionary entry, which places it', () => {
    // build.ts refuses to load otherwise; this names the keyword that lacks one.
    expect(proxyKeywords.filter((k) => proxyKeywordByPhrase(k.kw) === undefined).map((k) => k.kw)).toEqual([])
    expect(globalKeywords.filter((k) => globalKeywordByPhrase(k.kw) === undefined).map((k) => k.kw)).toEqual([])
  })
})

describe('named defaults sections', () => {
  test('take ACLs and rules; an unnamed one refuses them, as HAProxy 2.5+ does', () => {
    const b = build(`defaults
  mode http
  acl local src 127.0.0.1
  http-request deny if !local
  tcp-request inspect-delay 5s
  tcp-request content accept
  http-response del-header Server
  http-after-response set-header X-A 1
defaults shared
  mode http
  acl local src 127.0.0.1
  http-request deny if !local
  tcp-request inspect-delay 5s
backend b
  server s 10.0.0.1:80
`)
    const unnamed = `is not allowed in an unnamed defaults section; name the section (defaults NAME) or move the line to the proxies`
    expect(b.problems).toEqual([
      `${at(3)}: error: 'acl' ${unnamed}`,
      `${at(4)}: error: 'http-request' ${unnamed}`,
      `${at(5)}: error: 'tcp-request inspect-delay' ${unnamed}`,
      `${at(6)}: error: 'tcp-request content' ${unnamed}`,
      `${at(7)}: error: 'http-response' ${unnamed}`,
      `${at(8)}: error: 'http-after-response' ${unnamed}`,
    ])
    expect(b.proxy('b').acls.map((a) => a.pos.line)).toEqual([11])
    expect(b.proxy('b').rules.map((r) => [r.kw, r.pos.line])).toEqual([['http-request', 12], ['tcp-request inspect-delay', 13]])
  })

  test('the other defaults keywords need no name', () => {
    const b = build('defaults\n  mode http\n  timeout connect 5s\n  option httpclose\n  http-check expect status 200\nbackend b\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([])
  })
})

describe('the sections HAProxy 2.6 gives each keyword', () => {
  test('force-persist and ignore-persist are backend keywords: ignored in a frontend, refused in defaults', () => {
    const b = build(`defaults x
  force-persist if TRUE
frontend f
  bind :80
  force-persist if TRUE
  ignore-persist if TRUE
  default_backend b
backend b
  force-persist if TRUE
  ignore-persist if TRUE
  server s 10.0.0.1:80
`)
    expect(b.problems).toEqual([
      `${at(2)}: error: 'force-persist' is not allowed in a defaults section; it belongs in: backend, listen`,
      `${at(5)}: warning: 'force-persist' is ignored in a frontend section, which has no backend side; move it to: backend, listen`,
      `${at(6)}: warning: 'ignore-persist' is ignored in a frontend section, which has no backend side; move it to: backend, listen`,
    ])
    expect(b.proxy('f').rules).toEqual([])
    expect(b.proxy('b').rules.map((r) => r.kw)).toEqual(['force-persist', 'ignore-persist'])
  })

  test('option abortonclose is a backend option: ignored in a frontend', () => {
    const b = build('defaults\n  mode http\n  option abortonclose\nfrontend f\n  bind :80\n  option abortonclose\n  default_backend b\nbackend b\n  option abortonclose\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([
      `${at(6)}: warning: 'option abortonclose' is ignored in a frontend section, which has no backend side; move it to: defaults, backend, listen`,
    ])
    expect(b.proxy('b').options['abortonclose']).toBe(true)
  })

  test('option tcplog is a frontend option: ignored in a backend, like option httplog', () => {
    const b = build('defaults\n  option tcplog\nfrontend f\n  bind :80\n  default_backend b\nbackend b\n  option tcplog\n  option httplog\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([
      `${at(7)}: warning: 'option tcplog' is ignored in a backend section, which has no frontend side; move it to: defaults, frontend, listen`,
      `${at(8)}: warning: 'option httplog' is ignored in a backend section, which has no frontend side; move it to: defaults, frontend, listen`,
    ])
    expect(b.proxy('f').options['tcplog']).toBe(true)
  })

  test('the 1.x keywords edgelb still reads are placed as 1.x placed them', () => {
    const b = build('frontend f\n  bind :80\n  contimeout 5s\n  redispatch\n  default_backend b\nbackend b\n  clitimeout 5s\n  monitor-net 10.0.0.0/8\n  server s 10.0.0.1:80\n')
    expect(b.problems.filter((l) => !l.includes('is a 1.x keyword'))).toEqual([
      `${at(3)}: warning: 'contimeout' is ignored in a frontend section, which has no backend side; move it to: defaults, backend, listen`,
      `${at(4)}: warning: 'redispatch' is ignored in a frontend section, which has no backend side; move it to: defaults, backend, listen`,
      `${at(7)}: warning: 'clitimeout' is ignored in a backend section, which has no frontend side; move it to: defaults, frontend, listen`,
      `${at(8)}: warning: 'monitor-net' is ignored in a backend section, which has no frontend side; move it to: defaults, frontend, listen`,
    ])
  })
})

describe('no and default', () => {
  test('only the keywords HAProxy lets you negate take them', () => {
    const b = build(`defaults
  mode http
  option forwardfor
  option httplog
listen web
  bind :80
  no option forwardfor
  default option httplog
  no option httpchk
  no option tcp-check
  no option mysql-check
  no unique-id-format
  no option httpclose
  no option http-buffer-request
  no log
  server s 10.0.0.1:80
`)
    expect(b.problems).toEqual([
      `${at(7)}: error: 'no' cannot be used with 'option forwardfor', which has no 'no' form; remove the line to leave it unset`,
      `${at(8)}: error: 'default' cannot be used with 'option httplog', which has no 'default' form; remove the line`,
      `${at(9)}: error: 'no' cannot be used with 'option httpchk', which has no 'no' form; remove the line to leave it unset`,
      `${at(10)}: error: 'no' cannot be used with 'option tcp-check', which has no 'no' form; remove the line to leave it unset`,
      `${at(11)}: error: 'no' cannot be used with 'option mysql-check', which has no 'no' form; remove the line to leave it unset`,
      `${at(12)}: error: 'no' cannot be used with 'unique-id-format', which has no 'no' form; remove the line to leave it unset`,
    ])
    expect(b.proxy('web').options).toMatchObject({ forwardfor: true, httplog: true, httpclose: false, 'http-buffer-request': false })
    expect(b.proxy('web').logs).toEqual([])
  })

  test('in global too', () => {
    const b = build('global\n  no daemon\n  no log\n  no cpu-map\nlisten web\n  bind :80\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([
      `${at(2)}: error: 'no' cannot be used with 'daemon', which has no 'no' form; remove the line to leave it unset`,
      `${at(4)}: error: 'no' cannot be used with 'cpu-map', which has no 'no' form; remove the line to leave it unset`,
    ])
  })
})

describe('unknown words after a known first word', () => {
  test('are told the words that may follow it, or the closest one', () => {
    const b = build(`listen web
  bind :80
  tcp-check bogus
  tcp-check conect
  http-check bogus
  http-check expct status 200
  tcp-request bogus
  tcp-request contnt accept
  tcp-response bogus
  timeout bogus 5s
  timeout conect 5s
  timeout
  stats bogus
  stats ur /stats
  capture request bogus
  persist bogus
  external-check bogus
  server s 10.0.0.1:80
`)
    expect(b.problems).toEqual([
      `${at(3)}: error: unknown keyword 'tcp-check bogus'; after 'tcp-check' write one of: comment, connect, expect, send, send-binary, send-binary-lf, send-lf, set-var, set-var-fmt, unset-var`,
      `${at(4)}: error: unknown keyword 'tcp-check conect'; did you mean 'tcp-check connect'?`,
      `${at(5)}: error: unknown keyword 'http-check bogus'; after 'http-check' write one of: comment, connect, disable-on-404, expect, send, send-state, set-var, set-var-fmt, unset-var`,
      `${at(6)}: error: unknown keyword 'http-check expct'; did you mean 'http-check expect'?`,
      `${at(7)}: error: unknown keyword 'tcp-request bogus'; after 'tcp-request' write one of: connection, session, content, inspect-delay`,
      `${at(8)}: error: unknown keyword 'tcp-request contnt'; did you mean 'tcp-request content'?`,
      `${at(9)}: error: unknown keyword 'tcp-response bogus'; after 'tcp-response' write one of: content, inspect-delay`,
      `${at(10)}: error: unknown keyword 'timeout bogus'; after 'timeout' write one of: check, client, client-fin, client-hs, connect, http-keep-alive, http-request, queue, server, server-fin, tarpit, tunnel`,
      `${at(11)}: error: unknown keyword 'timeout conect'; did you mean 'timeout connect'?`,
      `${at(12)}: error: 'timeout' expects one of: check, client, client-fin, client-hs, connect, http-keep-alive, http-request, queue, server, server-fin, tarpit, tunnel`,
      `${at(13)}: error: unknown keyword 'stats bogus'; after 'stats' write one of: admin, auth, enable, hide-version, http-request, realm, refresh, scope, show-desc, show-legends, show-modules, show-node, uri`,
      `${at(14)}: error: unknown keyword 'stats ur'; did you mean 'stats uri'?`,
      `${at(15)}: error: unknown keyword 'capture request bogus'; after 'capture request' write 'header'`,
      `${at(16)}: error: unknown keyword 'persist bogus'; after 'persist' write 'rdp-cookie'`,
      `${at(17)}: error: unknown keyword 'external-check bogus'; after 'external-check' write one of: command, path`,
    ])
  })

  test('an unknown action or option is told by its own rule set', () => {
    const b = build('listen web\n  mode http\n  bind :80\n  http-request bogus\n  tcp-request content bogus\n  option bogus\n  option httpclos\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([
      `${at(4)}: error: unknown 'http-request' action 'bogus'`,
      `${at(5)}: error: unknown 'tcp-request content' action 'bogus'`,
      `${at(6)}: error: unknown option 'bogus'`,
      `${at(7)}: error: unknown option 'httpclos'; did you mean 'httpclose'?`,
    ])
  })

  test('a misspelt first word is offered the phrase it makes with the next word', () => {
    const b = build('listen web\n  bind :80\n  timout connect 5s\n  balence roundrobin\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([
      `${at(3)}: error: unknown keyword 'timout'; did you mean 'timeout connect'?`,
      `${at(4)}: error: unknown keyword 'balence'; did you mean 'balance'?`,
    ])
  })

  test('in global, and across sections', () => {
    const b = build(`global
  stats bogus 1
  stats sokcet /run/edgelb.sock
  stats uri /stats
listen web
  bind :80
  stats socket /run/edgelb.sock
  server s 10.0.0.1:80
`)
    expect(b.problems).toEqual([
      `${at(2)}: error: unknown keyword 'stats bogus' in 'global'; after 'stats' write one of: socket, timeout, maxconn, bind-process`,
      `${at(3)}: error: unknown keyword 'stats sokcet' in 'global'; did you mean 'stats socket'?`,
      `${at(4)}: error: 'stats uri' belongs in a defaults, frontend, backend or listen section, not in 'global'`,
      `${at(7)}: error: 'stats socket' belongs in the 'global' section, not in a listen section`,
    ])
  })
})
