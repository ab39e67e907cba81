/**
 * config/build.ts against HAProxy's grammar, which it reads from the keyword dictionary only:
 * where a keyword may be written (sections, named defaults) and whether it takes `no`/`default`.
 * Kept apart from build.test.ts, which covers what keywords build into the model.
 */
import { describe, expect, test } from 'bun:test'
import { buildConfig } from './build.ts'
import { globalKeywordByPhrase, proxyKeywordByPhrase } from './dictionary/lookup.ts'
import { readHaproxy } from './haproxy/reader.ts'
import { globalKeywords } from './keywords/global.ts'
import { proxyKeywords } from './keywords/proxy.ts'
import { formatDiagnostic } from './source.ts'
import type { ProxyConfig } from './types.ts'

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
      `${at(7)}: error: 'no' cannot be used with 'option forwardfor'`,
      `${at(8)}: error: 'default' cannot be used with 'option httplog'`,
      `${at(9)}: error: 'no' cannot be used with 'option httpchk'`,
      `${at(10)}: error: 'no' cannot be used with 'option tcp-check'`,
      `${at(11)}: error: 'no' cannot be used with 'option mysql-check'`,
      `${at(12)}: error: 'no' cannot be used with 'unique-id-format'`,
    ])
    expect(b.proxy('web').options).toMatchObject({ forwardfor: true, httplog: true, httpclose: false, 'http-buffer-request': false })
    expect(b.proxy('web').logs).toEqual([])
  })

  test('in global too', () => {
    const b = build('global\n  no daemon\n  no log\n  no cpu-map\nlisten web\n  bind :80\n  server s 10.0.0.1:80\n')
    expect(b.problems).toEqual([
      `${at(2)}: error: 'no' cannot be used with 'daemon'`,
      `${at(4)}: error: 'no' cannot be used with 'cpu-map'`,
    ])
  })
})
