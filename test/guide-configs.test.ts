/**
 * The 21 configurations of the architecture guide (test/fixtures/guide-*.cfg, copied exactly as
 * written) load without error, build the model the guide describes, and survive `convert`: the
 * YAML it prints builds the same model.
 */
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildConfig } from '../src/config/build.ts'
import { readHaproxy } from '../src/config/haproxy/reader.ts'
import { loadConfig } from '../src/config/load.ts'
import { formatDiagnostic } from '../src/model/source.ts'
import type { Config, ProxyConfig } from '../src/model/types.ts'
import { readYaml } from '../src/config/yaml/reader.ts'
import { writeYaml } from '../src/config/yaml/writer.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const FIXTURES = join(ROOT, 'test/fixtures')
const guides = [...new Bun.Glob('guide-*.cfg').scanSync({ cwd: FIXTURES })].sort().map((f) => join(FIXTURES, f))

function load(name: string): Config {
  const file = guides.find((g) => basename(g).startsWith(name))
  if (!file) throw new Error(`no fixture ${name}`)
  const { config, diagnostics } = loadConfig([file], {})
  expect(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([])
  return config
}

const only = (c: Config): ProxyConfig => {
  expect(c.proxies).toHaveLength(1)
  return c.proxies[0]!
}

/** The model without positions and file names, which differ between the .cfg and its YAML. */
function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip)
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'pos' && k !== 'files').map(([k, x]) => [k, strip(x)]))
  }
  return v
}

test('there are exactly 21 guide configurations', () => {
  expect(guides).toHaveLength(21)
})

describe('every guide configuration loads exactly as written', () => {
  for (const file of guides) {
    test(basename(file), () => {
      const { config, diagnostics } = loadConfig([file], {})
      expect(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([])
      expect(config.proxies.length).toBeGreaterThan(0)
      for (const p of config.proxies) expect(p.binds.length).toBeGreaterThan(0)
    })
  }
})

describe('what the guide says each configuration does', () => {
  test('guide-01: cookie insert over 4 checked servers', () => {
    const p = only(load('guide-01'))
    expect(p).toMatchObject({ kind: 'listen', name: 'webfarm', mode: 'http', balance: { algo: 'roundrobin' } })
    expect(p.binds[0]!.addrs).toEqual([{ family: 'ipv4', host: '192.168.1.1', port: 80 }])
    expect(p.cookie).toMatchObject({ name: 'SERVERID', method: 'insert', indirect: true, nocache: false })
    expect(p.httpCheck).toEqual({ method: 'HEAD', uri: '/index.html', version: 'HTTP/1.0' })
    expect(p.servers.map((s) => [s.name, s.cookie, s.check])).toEqual([['webA', 'A', true], ['webB', 'B', true], ['webC', 'C', true], ['webD', 'D', true]])
  })

  test('guide-02: balance source', () => {
    expect(only(load('guide-02')).balance).toEqual({ algo: 'source' })
  })

  test('guide-03 and guide-04: cookie prefix, httpclose and forwardfor', () => {
    for (const name of ['guide-03', 'guide-04']) {
      const p = only(load(name))
      expect(p.cookie).toMatchObject({ name: 'JSESSIONID', method: 'prefix' })
      expect(p.options).toMatchObject({ httpclose: true, forwardfor: true })
      expect(p.forwardFor).toEqual({ header: 'X-Forwarded-For', ifNone: false })
    }
    expect(only(load('guide-04')).options).toMatchObject({ httplog: true, dontlognull: true })
  })

  test('guide-05: one bind line expands to 3 ports; monitor-net', () => {
    const p = only(load('guide-05'))
    expect(p.mode).toBe('tcp')
    expect(p.binds).toHaveLength(1)
    expect(p.binds[0]!.addrs).toEqual([3389, 1494, 5900].map((port) => ({ family: 'ipv4', host: '', port })))
    expect(p.monitorNet).toEqual(['192.168.1.252/31'])
    // No port on the server: the port the client connected to.
    expect(p.servers[0]!.addr).toEqual({ host: '192.168.1.10' })
  })

  test('guide-06: ssl-hello-chk and a backup server', () => {
    const p = only(load('guide-06'))
    expect(p.options['ssl-hello-chk']).toBe(true)
    expect(p.servers.map((s) => [s.name, s.backup])).toEqual([['syslog-prod-site', false], ['syslog-back-site', true]])
  })

  test('guide-07: an unnamed listen is named after its address', () => {
    const p = only(load('guide-07'))
    expect(p.name).toBe('127.0.0.1:8000')
    expect(p.cookie).toMatchObject({ method: 'insert', indirect: true, nocache: true })
  })

  test('guide-08: forwardfor except the stunnel address', () => {
    expect(only(load('guide-08')).forwardFor).toEqual({ except: '192.168.1.1/32', header: 'X-Forwarded-For', ifNone: false })
  })

  test('guide-09: persist, 1.x redispatch and contimeout, rise/fall', () => {
    const p = only(load('guide-09'))
    expect(p.options).toMatchObject({ persist: true, redispatch: true })
    expect(p.timeouts).toEqual({ connect: 5000 })
    expect(p.httpCheck!.uri).toBe('/running')
    expect(p.servers.every((s) => s.inter === 2000 && s.rise === 2 && s.fall === 2)).toBe(true)
  })

  test('guide-10: 8 servers, 4 of them backups sharing cookies A..D, checked on ports 81 and 80', () => {
    const p = only(load('guide-10'))
    expect(p.servers).toHaveLength(8)
    const active = p.servers.filter((s) => !s.backup)
    const backup = p.servers.filter((s) => s.backup)
    expect(active.map((s) => [s.name, s.cookie, s.checkPort])).toEqual([['webA', 'A', 81], ['webB', 'B', 81], ['webC', 'C', 81], ['webD', 'D', 81]])
    expect(backup.map((s) => [s.name, s.cookie, s.checkPort])).toEqual([['bkpA', 'A', 80], ['bkpB', 'B', 80], ['bkpC', 'C', 80], ['bkpD', 'D', 80]])
    expect(backup.map((s) => s.addr)).toEqual(active.map((s) => s.addr))
  })

  test('guide-11: the port redirector: global 1.x keywords, dispatch, 1.x timeouts', () => {
    const c = load('guide-11')
    expect(c.global).toMatchObject({ daemon: true, quiet: true, pidfile: '/var/run/haproxy-checks.pid' })
    const p = only(c)
    expect(p).toMatchObject({ name: '0.0.0.0:81', mode: 'tcp', dispatch: { host: '127.0.0.1', port: 80 } })
    expect(p.timeouts).toEqual({ connect: 1000, client: 10_000, server: 10_000 })
    expect(p.servers).toEqual([])
  })

  test('guide-12 to guide-14: passive SITE cookie, the other site as backup', () => {
    for (const [name, addr] of [['guide-12', '192.168.1.1'], ['guide-13', '192.168.2.1'], ['guide-14', '192.168.3.1']] as const) {
      const p = only(load(name))
      expect(p.name).toBe(`${addr}:80`)
      expect(p.cookie!.name).toBe('SITE')
      expect(p.cookie!.method).toBeUndefined()
      expect(p.servers.some((s) => s.backup)).toBe(true)
    }
    expect(only(load('guide-12')).servers.map((s) => [s.name, s.inter, s.backup])).toEqual([['SD1', 30_000, false], ['SD2', 60_000, true]])
  })

  test('guide-15 and guide-16: site directors insert the SITE cookie and add X-Forwarded-For', () => {
    for (const name of ['guide-15', 'guide-16']) {
      const p = only(load(name))
      expect(p.cookie).toMatchObject({ name: 'SITE', method: 'insert', indirect: true })
      expect(p.options).toMatchObject({ redispatch: true, forwardfor: true })
    }
  })

  test('guide-17: two listen sections named after their addresses; grace 20000; a tcp dispatch', () => {
    const [l1, l2] = load('guide-17').proxies
    expect([l1!.name, l2!.name]).toEqual(['10.1.1.11:80', '10.1.1.11:81'])
    expect(l1).toMatchObject({ grace: 20_000, mode: 'http', cookie: { name: 'JSESSIONID', method: 'prefix' } })
    expect(l1!.servers).toHaveLength(8)
    expect(l1!.servers.filter((s) => s.backup).map((s) => s.inter)).toEqual([4000, 4000, 4000, 4000])
    expect(l2).toMatchObject({ grace: 0, mode: 'tcp', dispatch: { host: '10.1.1.11', port: 80 } })
  })

  test('guide-18: the same for the second site', () => {
    expect(load('guide-18').proxies.map((p) => [p.name, p.grace])).toEqual([['10.2.1.11:80', 20_000], ['10.2.1.11:81', 0]])
  })

  test('guide-19: 8 servers to one address, each from its own source address', () => {
    const p = only(load('guide-19'))
    expect(p.servers.map((s) => s.source)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => `10.1.2.${n}`))
    expect(new Set(p.servers.map((s) => `${s.addr.host}:${s.addr.port}`))).toEqual(new Set(['10.1.1.1:80']))
  })

  test('guide-20: queueing: maxconn 10000 in front, 4 per server', () => {
    const p = only(load('guide-20'))
    expect(p.maxconn).toBe(10_000)
    expect(p.servers.map((s) => s.maxconn)).toEqual([4, 4, 4])
    expect(p.timeouts.connect).toBe(60_000)
  })

  test('guide-21: minconn 4 maxconn 12 on 3 servers, maxconn 10000', () => {
    const p = only(load('guide-21'))
    expect(p.maxconn).toBe(10_000)
    expect(p.servers.map((s) => [s.name, s.minconn, s.maxconn])).toEqual([['railsA', 4, 12], ['railsB', 4, 12], ['railsC', 4, 12]])
    expect(p.options).toMatchObject({ httpclose: true, abortonclose: true, forwardfor: true })
  })
})

describe('convert round trip: the YAML builds the same model', () => {
  for (const file of [...guides, join(ROOT, 'conf/haproxy-example.cfg')]) {
    test(basename(file), () => {
      const read = readHaproxy(readFileSync(file, 'utf8'), file, {})
      expect(read.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
      const fromCfg = buildConfig(read.sections, [file])
      const yaml = writeYaml(read.sections)
      const back = readYaml(yaml, 'converted.yaml', {})
      expect(back.diagnostics.map(formatDiagnostic)).toEqual([])
      const fromYaml = buildConfig(back.sections, ['converted.yaml'])
      expect(fromYaml.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([])
      expect(strip(fromYaml.config)).toEqual(strip(fromCfg.config))
      // The same warnings too, except naming an unnamed listen: the YAML gives it its name.
      const messages = (ds: typeof fromCfg.diagnostics) => ds.map((d) => `${d.severity}: ${d.message}`).filter((m) => !m.includes('this listen section has no name')).sort()
      expect(messages(fromYaml.diagnostics)).toEqual(messages(fromCfg.diagnostics))
    })
  }
})
