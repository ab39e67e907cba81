import { describe, expect, test } from 'bun:test'
import { formatLogDateGmt } from '../log/date.ts'
import { compileLogFormat, constantFormat, LOG_TAGS } from './log-format.ts'
import { request, response, stream } from '../../test/support/rules.ts'
import { testCtx } from '../../test/support/rules-ctx.ts'

const ctx = testCtx()
const fmt = (f: string, options?: { missing?: string }) => compileLogFormat(f, ctx, options)

describe('log-format', () => {
  const s = stream({
    req: request('GET', '/p?q=1', [['Host', 'WWW.example.com']]),
    res: response(200),
    beName: 'app',
    srvName: 's1',
    log: { acceptDate: Date.UTC(2024, 0, 2, 3, 4, 5, 6), tq: 1, tw: 2, tc: 3, tr: 4, ta: 10, tt: 11, bytesOut: 512, bytesIn: 80, termState: '----', actconn: 5, feconn: 4, beconn: 3, srvconn: 2, retries: 0, srvQueue: 0, beQueue: 0, reqCaptures: ['a', 'b'] },
  })
  test('samples, literal text and %%', () => {
    expect(fmt('%[src]:%[src_port] 100%%')(s)).toBe('192.168.1.10:40000 100%')
    expect(fmt('%[req.hdr(host),lower]')(s)).toBe('www.example.com')
    expect(fmt('static')(s)).toBe('static')
    expect(fmt('')(s)).toBe('')
    expect(fmt('x%[req.hdr(nope)]y')(s)).toBe('xy')
    expect(fmt('x%[req.hdr(nope)]y', { missing: '-' })(s)).toBe('x-y')
    expect(fmt('%[path,regsub("]",_)]')(stream({ req: request('GET', '/a]b') }))).toBe('/a_b')
  })
  test('tags', () => {
    expect(fmt('%ci:%cp %fi:%fp %f %b/%s')(s)).toBe('192.168.1.10:40000 10.0.0.1:80 www app/s1')
    expect(fmt('%ST %B %U %ts %tsc')(s)).toBe('200 512 80 -- ----')
    expect(fmt('%Tq/%Tw/%Tc/%Tr/%Ta %Tt')(s)).toBe('1/2/3/4/10 11')
    expect(fmt('%ac/%fc/%bc/%sc/%rc %sq/%bq')(s)).toBe('5/4/3/2/0 0/0')
    expect(fmt('%{+Q}r')(s)).toBe('"GET /p?q=1 HTTP/1.1"')
    expect(fmt('%HM %HU %HP %HQ %HV')(s)).toBe('GET /p?q=1 /p ?q=1 HTTP/1.1')
    expect(fmt('%hr %hrl')(s)).toBe('{a|b} a b')
    expect(fmt('%T %Ts')(s)).toBe('02/Jan/2024:03:04:05 +0000 1704164645')
    expect(fmt('%ms')(s)).toBe('006')
    expect(fmt('%{+X}ST')(s)).toBe('C8')
    expect(formatLogDateGmt(Date.UTC(2024, 0, 2))).toBe('02/Jan/2024:00:00:00 +0000')
    expect(LOG_TAGS.length).toBeGreaterThan(40)
  })
  test('binary samples print as their bytes, up to the first NUL', () => {
    expect(fmt('%[bin(41425c43)]')(s)).toBe('AB\\C')
    expect(fmt('<%[bin(4142004344)]>')(s)).toBe('<AB>')
    expect(fmt('%{+Q}[bin(4142)] %{+X}[bin(4142)]')(s)).toBe('"AB" AB')
    expect(fmt('%[bin(4142),hex]')(s)).toBe('4142')
  })
  test('a format without tags is a constant, known at load', () => {
    expect(constantFormat('100%% edgelb')).toBe('100% edgelb')
    expect(fmt('100%% edgelb')(stream())).toBe('100% edgelb')
    expect(constantFormat('be_%[req.hdr(host)]')).toBeUndefined()
    expect(constantFormat('a % b')).toBeUndefined() // not a constant: compiling it says why
  })
  test('errors name the problem', () => {
    expect(() => fmt('%zz')).toThrow(/unknown log-format tag '%zz'/)
    expect(() => fmt('%[src')).toThrow(/missing '\]'/)
    expect(() => fmt('a % b')).toThrow(/a lone '%'/)
    expect(() => fmt('%{+Z}ci')).toThrow(/unknown log-format flag/)
    expect(() => fmt('%[nope]')).toThrow(/unknown sample fetch 'nope'/)
  })
})

describe('encodings: +json, %{…}o, named items', () => {
  const s = stream({ log: { acceptDate: 0, bytesOut: 5 } })
  test('+json encodes one value: a string quoted and escaped, a number bare, an unknown value null', () => {
    expect(fmt('%{+json}ci %{+json}cp %{+json}[req.hdr(x)] %{+json}ST')(stream({ req: request('GET', '/', [['X', 'a"b\\c']]) }))).toBe('"192.168.1.10" 40000 "a\\"b\\\\c" null')
  })

  test('%{+Q}o quotes every item after it; %{+json}o with named items writes one JSON object', () => {
    expect(fmt('%ci %{+Q}o %ci %b')(stream({ beName: 'app' }))).toBe('192.168.1.10  "192.168.1.10" "app"')
    expect(fmt('%{+json}o %(client_ip)ci %(client_port)cp %(bytes)B %(status)ST')(s))
      .toBe('{"client_ip": "192.168.1.10", "client_port": 40000, "bytes": 5, "status": null}')
    expect(JSON.parse(fmt('%{+json}o %(src)[src] %(n)[int(7)]')(s))).toEqual({ src: '192.168.1.10', n: 7 })
  })

  test('+X writes an address as its bytes and a port on four hex digits, as HAProxy', () => {
    expect(fmt('%{+X}ci:%{+X}cp %{+X}fi:%{+X}fp')(s)).toBe('C0A8010A:9C40 0A000001:0050')
    const v6 = stream({ sess: { ...s.sess, cliAddr: '2001:db8::1' } })
    expect(fmt('%{+X}ci')(v6)).toBe('20010DB8000000000000000000000001')
  })

  test('an unnamed item under %{+json}o, a bad name, an unknown encoding: errors at load', () => {
    expect(() => fmt('%{+json}o %(a)ci %cp')).toThrow('under %{+json}o, name every item of the log-format')
    expect(() => fmt('%(a b)ci')).toThrow("invalid item name 'a b'")
    expect(() => fmt('%{+cbor}o %(a)ci')).toThrow("log-format encoding '+cbor' is not supported by edgelb; use +json")
  })
})
