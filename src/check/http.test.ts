// The HTTP check's request as it goes on the wire, and the pieces that read the answer.
import { describe, expect, test } from 'bun:test'
import { buildConfig } from '../config/build.ts'
import { readHaproxy } from '../config/haproxy/reader.ts'
import type { ProxyConfig } from '../model/types.ts'
import { compileHttpCheckSpec, dechunk } from './http.ts'

function proxy(lines: string): ProxyConfig {
  const built = buildConfig(readHaproxy(`backend be\n${lines}\n  server s 127.0.0.1:80 check\n`, 't.cfg').sections, ['t.cfg'])
  return built.config.proxies.find((p) => p.name === 'be')!
}

describe('compileHttpCheckSpec', () => {
  test('option httpchk forms', () => {
    expect(compileHttpCheckSpec(proxy('  option httpchk'))).toMatchObject({ method: 'OPTIONS', uri: '/', version: 'HTTP/1.0' })
    expect(compileHttpCheckSpec(proxy('  option httpchk /health'))).toMatchObject({ method: 'OPTIONS', uri: '/health' })
    expect(compileHttpCheckSpec(proxy('  option httpchk HEAD /running HTTP/1.0'))).toMatchObject({ method: 'HEAD', uri: '/running', version: 'HTTP/1.0' })
    expect(compileHttpCheckSpec(proxy('  option httpchk OPTIONS * HTTP/1.1\\r\\nHost:\\ www'))).toMatchObject({ method: 'OPTIONS', uri: '*', version: 'HTTP/1.1', rawHeaders: 'Host: www' })
  })

  test('http-check send overrides the request line, adds headers and drops the 1.x ones', () => {
    const s = compileHttpCheckSpec(proxy('  option httpchk GET /a HTTP/1.1\\r\\nX-Old:\\ 1\n  http-check send meth POST uri /b ver HTTP/1.1 hdr Host www hdr X-Test yes body hello'))
    expect(s).toMatchObject({ method: 'POST', uri: '/b', version: 'HTTP/1.1', headers: [['Host', 'www'], ['X-Test', 'yes']], body: 'hello' })
    expect(s.rawHeaders).toBeUndefined()
  })

  test('expect rules, disable-on-404, send-state and connect', () => {
    const s = compileHttpCheckSpec(proxy('  option httpchk\n  http-check connect port 81\n  http-check expect status 200\n  http-check expect ! string maintenance\n  http-check disable-on-404\n  http-check send-state'))
    expect(s.connect).toEqual({ port: 81 })
    expect(s.expects.map((e) => [e.type, e.inverse])).toEqual([['status', false], ['string', true]])
    expect(s.disableOn404).toBe(true)
    expect(s.sendState).toBe(true)
  })

  test('option httpchk in a backend drops the http-check lines of its defaults, not its own', () => {
    const built = buildConfig(readHaproxy([
      'defaults',
      '  option httpchk GET /status HTTP/1.1\\r\\nHdr:\\ x',
      '  http-check send hdr Host my-www-host body test',
      '  http-check expect status 200',
      'backend own',
      '  option httpchk',
      '  server s 127.0.0.1:80 check',
      'backend mine',
      '  http-check expect status 204',
      '  option httpchk',
      '  server s 127.0.0.1:80 check',
      'backend inherits',
      '  server s 127.0.0.1:80 check',
    ].join('\n'), 't.cfg').sections, ['t.cfg']).config
    const spec = (name: string) => compileHttpCheckSpec(built.proxies.find((p) => p.name === name)!)
    const own = spec('own')
    expect(own).toMatchObject({ method: 'OPTIONS', uri: '/', version: 'HTTP/1.0', headers: [], expects: [] })
    expect(own.body).toBeUndefined()
    expect(own.rawHeaders).toBeUndefined()
    expect(spec('mine').expects.map((e) => e.pattern)).toEqual(['204'])
    expect(spec('inherits')).toMatchObject({ method: 'GET', uri: '/status', version: 'HTTP/1.1', headers: [['Host', 'my-www-host']], body: 'test' })
    expect(spec('inherits').expects.map((e) => e.pattern)).toEqual(['200'])
  })

  test("a backend's own http-check line drops what its defaults' HTTP check had: their http-check lines and the request of their option httpchk", () => {
    const built = buildConfig(readHaproxy([
      'defaults',
      '  option httpchk GET /status HTTP/1.1\\r\\nHdr:\\ x',
      '  http-check send hdr Host my-www-host hdr X-Test true body test',
      'backend other',
      '  http-check send hdr Host other-www-host body "other test"',
      '  server s 127.0.0.1:80 check',
    ].join('\n'), 't.cfg').sections, ['t.cfg']).config
    const other = compileHttpCheckSpec(built.proxies.find((p) => p.name === 'other')!)
    expect(other).toMatchObject({ method: 'OPTIONS', uri: '/', version: 'HTTP/1.0', headers: [['Host', 'other-www-host']], body: 'other test' })
    expect(other.rawHeaders).toBeUndefined()
  })

  test('refuses unknown send words', () => {
    expect(() => compileHttpCheckSpec(proxy('  option httpchk\n  http-check send foo bar'))).toThrow("t.cfg:3: error: 'http-check send foo' is not supported")
  })
})

describe('dechunk', () => {
  test('decodes what arrived and says when the body ended', () => {
    expect(dechunk(Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'))).toEqual({ body: Buffer.from('hello world'), complete: true, error: false })
    expect(dechunk(Buffer.from('5\r\nhel'))).toEqual({ body: Buffer.from('hel'), complete: false, error: false })
    expect(dechunk(Buffer.from('zz\r\n')).error).toBe(true)
  })
})
