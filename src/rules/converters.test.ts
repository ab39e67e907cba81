import { describe, expect, test } from 'bun:test'
import { converters as known } from '../config/dictionary/fetches.ts'
import { converterNames } from './converters.ts'
import { compileExpr } from './expr.ts'
import { session, stream, type FakeStream } from './testing.ts'
import { testCtx } from './testing-ctx.ts'

const ctx = testCtx()
const ev = (text: string, s: FakeStream = stream()) => compileExpr(text, ctx).fn(s)

describe('converters', () => {
  test('every converter is a name HAProxy knows', () => {
    expect(converterNames().filter((n) => !known.includes(n))).toEqual([])
  })
  test('case, length, trimming, bytes', () => {
    expect(ev('str(MiXeD),lower')).toBe('mixed')
    expect(ev('str(MiXeD),upper')).toBe('MIXED')
    expect(ev('str(hello),length')).toBe(5)
    expect(ev('str(xxhixx),ltrim(x),rtrim(x)')).toBe('hi')
    expect(ev('str(abcdef),bytes(1,3)')).toBe('bcd')
    expect(ev('str("a\r\nb"),cut_crlf')).toBe('a')
  })
  test('encodings', () => {
    expect(ev('str(hello),base64')).toBe('aGVsbG8=')
    expect(new TextDecoder().decode(ev('str(aGVsbG8=),b64dec') as Uint8Array)).toBe('hello')
    expect(ev('str(hi),hex')).toBe('6869')
    expect(ev('str(ff),hex2i')).toBe(255)
    expect(ev('str(a%20b),url_dec')).toBe('a b')
    expect(ev('str(a b),url_enc')).toBe('a%20b')
    expect(ev('str(%zz),url_dec')).toBeUndefined()
    expect(ev(`str('say "hi"'),json`)).toBe('say \\"hi\\"')
    expect(ev('str(hello),ub64enc')).toBe('aGVsbG8')
  })
  test('addresses', () => {
    expect(ev('src,ipmask(24)')).toBe('192.168.1.0')
    expect(ev('src,ipmask(255.255.0.0)')).toBe('192.168.0.0')
    expect(ev('src,ipmask(24,64)', stream({ sess: session({ cliAddr: '2001:db8:1:2:3:4:5:6' }) }))).toBe('2001:db8:1:2::')
    expect(ev('str(www.example.com:8080),host_only')).toBe('www.example.com')
    expect(ev('str(www.example.com:8080),port_only')).toBe(8080)
  })
  test('field and word', () => {
    expect(ev('str(a|b|c|d),field(2,|)')).toBe('b')
    expect(ev('str(a|b|c|d),field(-1,|)')).toBe('d')
    expect(ev('str(a|b|c|d),field(2,|,2)')).toBe('b|c')
    expect(ev('str(a||c),field(2,|)')).toBe('')
    expect(ev('str(/a//b/c),word(2,/)')).toBe('b')
    expect(ev('str(/a//b/c),word(-1,/)')).toBe('c')
    expect(ev('str(/a/b),word(5,/)')).toBeUndefined()
  })
  test('regsub with groups and flags', () => {
    expect(ev('str(a.b.c),regsub(\\.,_,g)')).toBe('a_b_c')
    expect(ev('str(a.b.c),regsub(\\.,_)')).toBe('a_b.c')
    expect(ev('str(Hello),regsub("^(h)(.*)$","\\2-\\1",i)')).toBe('ello-H')
    expect(() => ev('str(x),regsub("(",x)')).toThrow(/invalid regular expression/)
  })
  test('arithmetic with constants and variables', () => {
    const s = stream()
    s.vars.set('txn.n', 4)
    expect(ev('int(10),add(5)')).toBe(15)
    expect(ev('int(10),sub(txn.n)', s)).toBe(6)
    expect(ev('int(10),mul(3)')).toBe(30)
    expect(ev('int(10),div(3)')).toBe(3)
    expect(ev('int(10),mod(3)')).toBe(1)
    expect(ev('int(6),and(3)')).toBe(2)
    expect(ev('int(6),or(1)')).toBe(7)
    expect(ev('int(6),xor(2)')).toBe(4)
    expect(ev('int(6),neg')).toBe(-6)
    expect(ev('int(0),bool')).toBe(false)
    expect(ev('int(0),not')).toBe(true)
    expect(ev('int(3),odd')).toBe(true)
    expect(ev('int(3),even')).toBe(false)
    expect(ev('str(12abc),add(1)')).toBe(13)
    expect(() => ev('int(1),add(x)')).toThrow(/expects an integer or a variable name/)
  })
  test('concat, strcmp, iif, set-var', () => {
    const s = stream()
    s.vars.set('txn.b', 'B')
    expect(ev('str(a),concat(-,txn.b,-)', s)).toBe('a-B-')
    expect(ev('str(B),strcmp(txn.b)', s)).toBe(0)
    expect(ev('str(A),strcmp(txn.b)', s)).toBe(-1)
    expect(ev('always_true,iif(yes,no)')).toBe('yes')
    expect(ev('str(v),set-var(txn.saved),upper', s)).toBe('V')
    expect(s.vars.get('txn.saved')).toBe('v')
  })
  test('hashes', () => {
    expect(ev('str(abc),djb2')).toBe(193485963)
    expect(ev('str(abc),crc32')).toBe(891568578)
    expect(typeof ev('str(abc),sdbm')).toBe('number')
    expect(typeof ev('str(abc),wt6(1)')).toBe('number')
  })
  test('maps: each match kind, defaults, typed outputs', () => {
    expect(ev('str(api.example.com),map(hosts.map)')).toBe('api')
    expect(ev('str(nope),map_str(hosts.map)')).toBeUndefined()
    expect(ev('str(nope),map_str(hosts.map,app)')).toBe('app')
    expect(ev('str(/api/v2/x),map_beg(paths.map)')).toBe('api2')
    expect(ev('str(www.example.com),map_end(hosts.map)')).toBe('app')
    expect(ev('str(x.static.example.com.y),map_sub(hosts.map)')).toBe('app') // first line that matches
    expect(ev('str(a.www.example.com),map_dom(hosts.map)')).toBe('app')
    expect(ev('str(10.1.2.3),map_ip(networks.map)')).toBe('lab')
    expect(ev('src,map_ip(networks.map,world)')).toBe('office')
    expect(ev('str(8.8.8.8),map_ip(networks.map,world)')).toBe('world')
    expect(ev('str(/user/42),map_regm(regm.map)')).toBe('users_42')
    expect(ev('str(/img/a.png),map_reg(regm.map)')).toBe('images')
    expect(() => ev('str(x),map_str_int(hosts.map,abc)')).toThrow(/is not an integer/)
    expect(() => ev('str(x),map_ip(hosts.map)')).toThrow(/invalid IP/)
    expect(() => ev('str(x),map(nofile.map)')).toThrow(/cannot read 'nofile.map'/)
  })
  test('table lookups read without creating', () => {
    const t = ctx.tables.get('www')!
    const e = t.get('5.6.7.8')!
    t.inc(e, 'gpc0', 'gpc0_rate', 3)
    expect(ev('str(5.6.7.8),table_gpc0(www)')).toBe(3)
    expect(ev('str(5.6.7.8),table_gpc0_rate(www)')).toBe(3)
    expect(ev('str(5.6.7.9),table_gpc0(www)')).toBe(0)
    expect(ev('str(5.6.7.8),in_table(www)')).toBe(true)
    expect(ev('str(5.6.7.9),in_table(www)')).toBe(false)
    expect(t.lookup('5.6.7.9')).toBeUndefined()
  })
  test('unknown converters suggest a name', () => {
    expect(() => ev('str(a),lowr')).toThrow(/unknown converter 'lowr'; did you mean 'lower'\?/)
    expect(() => ev('str(a),sha2')).toThrow(/converter 'sha2' is not implemented yet/)
    expect(() => ev('str(a),lower(1)')).toThrow(/takes 0 arguments/)
  })
})
