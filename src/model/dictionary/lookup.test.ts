import { describe, expect, test } from 'bun:test'
import {
  allowedIn,
  findAction,
  findBindOption,
  findGlobalKeyword,
  findLegacyKeyword,
  findPhrasePrefix,
  findProxyKeyword,
  findSectionKeyword,
  findServerOption,
  globalKeywordByPhrase,
  proxyKeywordByPhrase,
  proxyOptionNames,
  proxySectionsOf,
} from './lookup.ts'
import { globalKeywords } from './global.ts'
import { proxyKeywords } from './proxy.ts'
import { legacyKeywords } from './legacy.ts'
import { serverOptions } from './server-options.ts'
import { bindOptions } from './bind-options.ts'
import * as actions from './actions.ts'
import * as sections from './sections.ts'
import * as fetches from './fetches.ts'

describe('findProxyKeyword', () => {
  test('resolves the longest known phrase', () => {
    expect(findProxyKeyword(['option', 'httpchk', 'HEAD', '/'])).toMatchObject({
      entry: { kw: 'option httpchk' },
      words: 2,
    })
    expect(findProxyKeyword(['timeout', 'http-keep-alive', '10s'])?.entry.kw).toBe(
      'timeout http-keep-alive',
    )
    expect(findProxyKeyword(['http-request', 'deny', 'if', 'x'])).toMatchObject({
      entry: { kw: 'http-request' },
      words: 1,
    })
    expect(findProxyKeyword(['capture', 'request', 'header', 'Host', 'len', '32'])).toMatchObject({
      entry: { kw: 'capture request header' },
      words: 3,
    })
    expect(findProxyKeyword(['tcp-request', 'content', 'accept'])?.entry.kw).toBe(
      'tcp-request content',
    )
    expect(findProxyKeyword(['stats', 'uri', '/stats'])?.entry.kw).toBe('stats uri')
    expect(findProxyKeyword(['balance', 'roundrobin'])?.words).toBe(1)
  })

  test('matches a word carrying a parenthesised argument on its bare name', () => {
    expect(findProxyKeyword(['http-check', 'set-var(check.port)', 'int(80)'])?.entry.kw).toBe(
      'http-check set-var',
    )
  })

  test('returns unknown words as undefined', () => {
    expect(findProxyKeyword(['balence', 'roundrobin'])).toBeUndefined()
    expect(findProxyKeyword(['option', 'nosuchoption'])).toBeUndefined()
    expect(findProxyKeyword([])).toBeUndefined()
  })

  test('reports sections without enforcing them', () => {
    const defaultBackend = findProxyKeyword(['default_backend', 'app'])!.entry
    expect(allowedIn(defaultBackend, 'backend')).toBe(false)
    expect(allowedIn(defaultBackend, 'frontend')).toBe(true)
    expect(allowedIn(defaultBackend, 'defaults')).toBe(true)
    const server = findProxyKeyword(['server', 's1', '10.0.0.1:80'])!.entry
    expect(allowedIn(server, 'frontend')).toBe(false)
    expect(allowedIn(server, 'defaults')).toBe(false)
    expect(allowedIn(server, 'backend')).toBe(true)
    const bind = findProxyKeyword(['bind', ':80'])!.entry
    expect(bind.sections).toBe('fl')
    expect(allowedIn(bind, 'defaults')).toBe(false)
    expect(allowedIn(bind, 'backend')).toBe(false)
    expect(findProxyKeyword(['use_backend', 'x'])!.entry.sections).toBe('fl')
    expect(findProxyKeyword(['timeout', 'connect', '5s'])!.entry.sections).toBe('dbl')
    expect(findProxyKeyword(['timeout', 'client', '5s'])!.entry.sections).toBe('dfl')
    expect(proxySectionsOf(defaultBackend)).toEqual(['defaults', 'frontend', 'listen'])
    expect(proxySectionsOf(server)).toEqual(['backend', 'listen'])
    expect(proxySectionsOf(bind)).toEqual(['frontend', 'listen'])
  })

  test('marks the keywords that accept no', () => {
    expect(findProxyKeyword(['option', 'httpclose'])!.entry.noForm).toBe(true)
    expect(findProxyKeyword(['option', 'redispatch'])!.entry.noForm).toBe(true)
    expect(findProxyKeyword(['log', 'global'])!.entry.noForm).toBe(true)
    expect(findProxyKeyword(['option', 'httpchk'])!.entry.noForm).toBeUndefined()
  })

  test('places the ACLs and rule sets HAProxy refuses in an anonymous defaults section', () => {
    const named = proxyKeywords.filter((k) => k.namedDefaultsOnly).map((k) => k.kw)
    expect(named).toEqual([
      'acl',
      'http-request',
      'http-response',
      'http-after-response',
      'tcp-request connection',
      'tcp-request session',
      'tcp-request content',
      'tcp-request inspect-delay',
      'tcp-response content',
      'tcp-response inspect-delay',
    ])
    for (const kw of named) expect(proxyKeywordByPhrase(kw)!.sections).toContain('d')
  })

  test('knows every option, timeout and check keyword the brief names', () => {
    const phrases = [
      'option httpclose', 'option forwardfor', 'option httpchk', 'option redispatch',
      'option persist', 'option allbackups', 'option abortonclose', 'option http-server-close',
      'option http-keep-alive', 'option ssl-hello-chk', 'option smtpchk', 'option redis-check',
      'option mysql-check', 'option pgsql-check', 'option ldap-check', 'option tcplog',
      'option httplog', 'option dontlognull', 'option log-separate-errors', 'option originalto',
      'timeout connect', 'timeout client', 'timeout server', 'timeout queue', 'timeout tunnel',
      'timeout client-fin', 'timeout server-fin', 'timeout http-request',
      'timeout http-keep-alive', 'timeout check', 'timeout tarpit',
      'stats enable', 'stats uri', 'stats realm', 'stats auth', 'stats refresh', 'stats admin',
      'stats hide-version', 'stats show-legends', 'stats show-node', 'stats scope',
      'http-check connect', 'http-check send', 'http-check expect', 'http-check disable-on-404',
      'http-check send-state', 'http-check comment', 'http-check set-var', 'http-check unset-var',
      'tcp-check connect', 'tcp-check send', 'tcp-check send-binary', 'tcp-check send-lf',
      'tcp-check send-binary-lf', 'tcp-check expect', 'tcp-check comment', 'tcp-check set-var',
      'tcp-check unset-var', 'tcp-request connection', 'tcp-request session',
      'tcp-request content', 'tcp-request inspect-delay', 'tcp-response content',
      'tcp-response inspect-delay', 'http-request', 'http-response', 'http-after-response',
      'capture cookie', 'capture response header', 'stick on', 'stick match',
      'stick store-request', 'stick store-response', 'stick-table', 'acl', 'use_backend',
      'default_backend', 'use-server', 'server', 'default-server', 'server-template', 'bind',
      'balance', 'hash-type', 'hash-balance-factor', 'cookie', 'dynamic-cookie-key',
      'errorfile', 'errorfiles', 'errorloc', 'errorloc302', 'errorloc303', 'http-error', 'log',
      'log-format', 'log-format-sd', 'error-log-format', 'log-tag', 'monitor-uri',
      'monitor fail', 'mode', 'maxconn', 'backlog', 'fullconn', 'retries', 'retry-on', 'id',
      'description', 'disabled', 'enabled', 'dispatch', 'source', 'grace', 'unique-id-format',
      'unique-id-header', 'compression algo', 'compression type', 'compression offload',
      'filter', 'http-reuse', 'max-keep-alive-queue', 'persist rdp-cookie',
      'rate-limit sessions', 'redirect', 'email-alert to', 'email-alert mailers',
      'declare capture', 'force-persist', 'ignore-persist', 'load-server-state-from-file',
      'server-state-file-name', 'external-check command', 'external-check path',
      'bind-process', 'clitcpka-cnt', 'clitcpka-idle', 'clitcpka-intvl', 'srvtcpka-cnt',
      'srvtcpka-idle', 'srvtcpka-intvl',
    ]
    for (const phrase of phrases) {
      const words = phrase.split(' ')
      expect(findProxyKeyword(words)?.entry.kw ?? `missing: ${phrase}`).toBe(phrase)
    }
  })
})

describe('keywords by exact phrase', () => {
  test('give the entry of a proxy or global phrase, never a longer or shorter one', () => {
    expect(proxyKeywordByPhrase('timeout connect')).toEqual({ kw: 'timeout connect', sections: 'dbl' })
    expect(proxyKeywordByPhrase('force-persist')?.sections).toBe('bl')
    expect(proxyKeywordByPhrase('option tcplog')?.sections).toBe('dfl')
    expect(proxyKeywordByPhrase('option abortonclose')?.sections).toBe('dbl')
    expect(proxyKeywordByPhrase('timeout')).toBeUndefined()
    expect(proxyKeywordByPhrase('timeout connect 5s')).toBeUndefined()
    expect(globalKeywordByPhrase('stats socket')?.kw).toBe('stats socket')
    expect(globalKeywordByPhrase('log')?.noForm).toBe(true)
    expect(globalKeywordByPhrase('timeout connect')).toBeUndefined()
  })

  test('give the 1.x proxy keywords edgelb still reads, with the sections 1.x allowed', () => {
    expect(proxyKeywordByPhrase('contimeout')).toEqual({ kw: 'contimeout', sections: 'dbl' })
    expect(proxyKeywordByPhrase('clitimeout')?.sections).toBe('dfl')
    expect(proxyKeywordByPhrase('srvtimeout')?.sections).toBe('dbl')
    expect(proxyKeywordByPhrase('redispatch')?.sections).toBe('dbl')
    expect(proxyKeywordByPhrase('monitor-net')?.sections).toBe('dfl')
    expect(proxyKeywordByPhrase('reqadd')?.sections).toBe('fbl')
    expect(proxyKeywordByPhrase('option forceclose')).toEqual({ kw: 'option forceclose', sections: 'dfbl', noForm: true })
    // Removed keywords edgelb does not read stay out: they only name their replacement.
    expect(proxyKeywordByPhrase('reqsetbe')).toBeUndefined()
    expect(proxyKeywordByPhrase('appsession')).toBeUndefined()
  })
})

describe('findPhrasePrefix', () => {
  test('gives the words that may follow the known start of a phrase', () => {
    expect(findPhrasePrefix('proxy', ['tcp-check', 'bogus'])).toEqual({
      prefix: 'tcp-check',
      words: 1,
      next: ['comment', 'connect', 'expect', 'send', 'send-binary', 'send-binary-lf', 'send-lf', 'set-var', 'set-var-fmt', 'unset-var'],
    })
    expect(findPhrasePrefix('proxy', ['timeout'])?.next).toContain('connect')
    expect(findPhrasePrefix('proxy', ['capture', 'request', 'bogus'])).toEqual({ prefix: 'capture request', words: 2, next: ['header'] })
    expect(findPhrasePrefix('proxy', ['capture', 'bogus'])).toEqual({ prefix: 'capture', words: 1, next: ['cookie', 'request', 'response'] })
    expect(findPhrasePrefix('global', ['stats', 'bogus'])?.next).toEqual(expect.arrayContaining(['socket', 'timeout']))
  })

  test('is undefined for a first word that begins no phrase', () => {
    expect(findPhrasePrefix('proxy', ['balence', 'roundrobin'])).toBeUndefined()
    expect(findPhrasePrefix('global', ['timeout', 'connect'])).toBeUndefined()
    expect(findPhrasePrefix('proxy', [])).toBeUndefined()
  })

  test('lists every option name once', () => {
    expect(proxyOptionNames).toContain('httpclose')
    expect(proxyOptionNames).toContain('tcplog')
    expect(new Set(proxyOptionNames).size).toBe(proxyOptionNames.length)
    expect(proxyOptionNames.length).toBe(proxyKeywords.filter((k) => k.kw.startsWith('option ')).length)
  })
})

describe('findGlobalKeyword', () => {
  test('resolves single words and phrases', () => {
    expect(findGlobalKeyword(['stats', 'socket', '/run/haproxy.sock', 'level', 'admin'])).toMatchObject({
      entry: { kw: 'stats socket' },
      words: 2,
    })
    expect(findGlobalKeyword(['stats', 'timeout', '30s'])?.entry.kw).toBe('stats timeout')
    for (const kw of [
      'daemon', 'quiet', 'pidfile', 'maxconn', 'nbthread', 'nbproc', 'log', 'log-send-hostname',
      'user', 'group', 'uid', 'gid', 'chroot', 'ulimit-n', 'node', 'description', 'ca-base',
      'crt-base', 'ssl-default-bind-ciphers', 'tune.bufsize', 'tune.http.maxhdr',
      'tune.maxrewrite', 'spread-checks', 'hard-stop-after', 'master-worker', 'localpeer',
      'setenv', 'presetenv', 'resetenv', 'unsetenv', 'lua-load', 'h1-case-adjust',
      'expose-experimental-directives', 'insecure-fork-wanted', 'set-dumpable',
      'profiling.tasks',
    ]) {
      expect(findGlobalKeyword([kw, 'x'])?.entry.kw ?? `missing: ${kw}`).toBe(kw)
    }
    expect(findGlobalKeyword(['balance', 'roundrobin'])).toBeUndefined()
  })
})

describe('server and bind options', () => {
  test('give the arity of each option', () => {
    const server: Record<string, number> = {
      check: 0, 'no-check': 0, inter: 1, fastinter: 1, downinter: 1, rise: 1, fall: 1, port: 1,
      addr: 1, backup: 0, 'no-backup': 0, weight: 1, maxconn: 1, minconn: 1, maxqueue: 1,
      slowstart: 1, track: 1, source: 1, disabled: 0, enabled: 0, cookie: 1, 'agent-check': 0,
      'agent-port': 1, 'agent-inter': 1, 'agent-send': 1, 'agent-addr': 1, observe: 1,
      'error-limit': 1, 'on-error': 1, 'on-marked-down': 1, 'on-marked-up': 1, ssl: 0,
      'no-ssl': 0, verify: 1, 'ca-file': 1, crt: 1, sni: 1, alpn: 1, 'send-proxy': 0,
      'send-proxy-v2': 0, 'check-ssl': 0, 'check-send-proxy': 0, resolvers: 1, 'init-addr': 1,
      id: 1, redir: 1, 'pool-max-conn': 1, proto: 1, ws: 1, tfo: 0, namespace: 1,
      'non-stick': 0, socks4: 1, 'tcp-ut': 1, 'log-proto': 1, 'max-reuse': 1,
      'pool-purge-delay': 1, 'pool-low-conn': 1, shard: 1, 'set-proxy-v2-tlv-fmt': 1,
    }
    for (const [kw, args] of Object.entries(server)) {
      expect(findServerOption(kw)?.args ?? `missing: ${kw}`).toBe(args)
    }
    expect(findServerOption('set-proxy-v2-tlv-fmt(0x20)')?.kw).toBe('set-proxy-v2-tlv-fmt')
    expect(findServerOption('id')?.serverOnly).toBe(true)
    expect(findServerOption('chekc')).toBeUndefined()

    const bind: Record<string, number> = {
      name: 1, backlog: 1, maxconn: 1, 'accept-proxy': 0, 'accept-netscaler-cip': 1, alpn: 1,
      ssl: 0, crt: 1, 'crt-list': 1, 'ca-file': 1, verify: 1, interface: 1, transparent: 0,
      v4v6: 0, v6only: 0, 'defer-accept': 0, tfo: 0, mss: 1, nice: 1, process: 1, thread: 1,
      mode: 1, uid: 1, gid: 1, user: 1, group: 1, level: 1, 'severity-output': 1,
      'expose-fd': 1, id: 1, proto: 1, namespace: 1, 'tcp-ut': 1, 'quic-cc-algo': 1,
      'quic-force-retry': 0, 'ssl-min-ver': 1, 'ssl-max-ver': 1, ciphers: 1, ciphersuites: 1,
      curves: 1, ecdhe: 1, npn: 1, 'strict-sni': 0, 'prefer-client-ciphers': 0, 'no-sslv3': 0,
      'no-tlsv10': 0, 'force-tlsv12': 0, 'allow-0rtt': 0, 'generate-certificates': 0,
      'guid-prefix': 1,
    }
    for (const [kw, args] of Object.entries(bind)) {
      expect(findBindOption(kw)?.args ?? `missing: ${kw}`).toBe(args)
    }
    expect(findBindOption('sslx')).toBeUndefined()
  })
})

describe('findLegacyKeyword', () => {
  test('gives the modern form', () => {
    expect(findLegacyKeyword(['contimeout', '5000'])?.entry.replacement).toBe('timeout connect')
    expect(findLegacyKeyword(['clitimeout', '5000'])?.entry.replacement).toBe('timeout client')
    expect(findLegacyKeyword(['srvtimeout', '5000'])?.entry.replacement).toBe('timeout server')
    expect(findLegacyKeyword(['redispatch'])?.entry.replacement).toBe('option redispatch')
    expect(findLegacyKeyword(['option', 'forceclose'])).toMatchObject({
      entry: { replacement: 'option httpclose' },
      words: 2,
    })
    expect(findLegacyKeyword(['reqadd', 'X-Foo:\\ bar'])?.entry.replacement).toBe('http-request add-header')
    expect(findLegacyKeyword(['rspdel', '^Server:'])?.entry.replacement).toBe('http-response del-header')
    expect(findLegacyKeyword(['block', 'if', 'x'])?.entry.replacement).toBe('http-request deny')
    expect(findLegacyKeyword(['monitor-net', '10.0.0.0/8'])?.entry.kw).toBe('monitor-net')
    expect(findLegacyKeyword(['timeout', 'connect'])).toBeUndefined()
  })
})

describe('actions', () => {
  test('resolve per rule set, with the written forms HAProxy accepts', () => {
    expect(findAction('http-request', 'set-header')).toBe('set-header')
    expect(findAction('http-request', 'set-var(txn.x)')).toBe('set-var')
    expect(findAction('http-request', 'track-sc5')).toBe('track-sc5')
    expect(findAction('http-request', 'lua.my_action')).toBe('lua.my_action')
    expect(findAction('http-response', 'set-status')).toBe('set-status')
    expect(findAction('http-request', 'set-status')).toBeUndefined()
    expect(findAction('http-after-response', 'track-sc0')).toBeUndefined()
    expect(findAction('tcp-request connection', 'expect-proxy')).toBe('expect-proxy')
    expect(findAction('tcp-request content', 'switch-mode')).toBe('switch-mode')
    expect(findAction('tcp-response content', 'close')).toBe('close')
    for (const a of [
      'allow', 'deny', 'tarpit', 'return', 'redirect', 'set-header', 'add-header', 'del-header',
      'replace-header', 'replace-value', 'set-path', 'set-pathq', 'set-query', 'set-uri',
      'set-method', 'set-var', 'unset-var', 'track-sc0', 'track-sc1', 'track-sc2',
      'sc-inc-gpc0', 'set-log-level', 'capture', 'auth', 'use-service', 'set-timeout',
      'normalize-uri', 'wait-for-body', 'do-resolve', 'set-dst', 'set-src',
    ]) {
      expect(findAction('http-request', a) ?? `missing: ${a}`).toBe(a)
    }
  })
})

describe('other sections', () => {
  test('resolve their keywords', () => {
    expect(findSectionKeyword('resolvers', ['timeout', 'resolve', '1s'])?.entry.kw).toBe('timeout resolve')
    expect(findSectionKeyword('peers', ['peer', 'a', '10.0.0.1:1024'])?.entry.kw).toBe('peer')
    expect(findSectionKeyword('program', ['option', 'start-on-reload'])?.entry.noForm).toBe(true)
    expect(findSectionKeyword('mailers', ['mailer', 'smtp1', '10.0.0.1:25'])?.words).toBe(1)
    expect(findSectionKeyword('cache', ['balance'])).toBeUndefined()
  })
})

describe('the tables', () => {
  const keywordTables: Record<string, readonly { kw: string }[]> = {
    globalKeywords,
    proxyKeywords,
    legacyKeywords,
    serverOptions,
    bindOptions,
  }
  for (const [name, table] of Object.entries(sections)) {
    if (Array.isArray(table)) keywordTables[name] = table as readonly { kw: string }[]
  }
  const stringTables: Record<string, readonly string[]> = {}
  for (const [name, table] of Object.entries({ ...actions, ...fetches })) {
    if (Array.isArray(table)) stringTables[name] = table as readonly string[]
  }

  test('hold no duplicate keyword', () => {
    expect(Object.keys(keywordTables).length).toBeGreaterThanOrEqual(14)
    expect(Object.keys(stringTables).length).toBe(11)
    const dupes = (names: readonly string[]): string[] =>
      names.filter((n, i) => names.indexOf(n) !== i)
    for (const [name, table] of Object.entries(keywordTables)) {
      expect({ name, dupes: dupes(table.map((e) => e.kw)) }).toEqual({ name, dupes: [] })
    }
    for (const [name, table] of Object.entries(stringTables)) {
      expect({ name, dupes: dupes(table) }).toEqual({ name, dupes: [] })
    }
  })

  test('hold well-formed entries', () => {
    for (const entry of proxyKeywords) {
      expect(entry.sections ?? '').toMatch(/^d?f?b?l?$/)
      expect(entry.sections?.length ?? 0).toBeGreaterThan(0)
      expect(entry.kw.split(' ').length).toBeLessThanOrEqual(3)
    }
    for (const entry of [...serverOptions, ...bindOptions]) {
      expect(entry.kw).toMatch(/^[a-z0-9-]+$/)
      expect(entry.args).toBeGreaterThanOrEqual(0)
    }
    for (const entry of globalKeywords) expect(entry.sections).toBeUndefined()
  })

  test('name the fetches, converters and ACLs', () => {
    for (const f of ['src', 'req.hdr', 'hdr', 'path', 'ssl_fc', 'sc0_http_req_rate', 'src_conn_rate']) {
      expect(fetches.sampleFetches).toContain(f)
    }
    for (const c of ['lower', 'map_str', 'json_query', 'ipmask', 'table_http_req_rate']) {
      expect(fetches.converters).toContain(c)
    }
    expect(fetches.aclKeywords).toContain('path_beg')
    expect(fetches.aclKeywords).toContain('hdr_sub')
    expect(fetches.sampleFetches).not.toContain('path_beg')
    expect(fetches.predefinedAcls).toContain('METH_GET')
    expect(fetches.predefinedAcls).toContain('HTTP_2.0')
  })
})
