import { describe, expect, test } from 'bun:test'
import { sampleFetches } from '../model/dictionary/fetches.ts'
import type { CompileCtx } from './context.ts'
import { evalState } from './context.ts'
import { compileExpr } from './expr.ts'
import { FETCHES, fetchNames } from './fetches.ts'
import { trackEntry } from './tracking.ts'
import { request, response, session, stream, type FakeStream } from '../../test/support/rules.ts'
import { testCtx } from '../../test/support/rules-ctx.ts'

const ev = (text: string, s: FakeStream, ctx: CompileCtx = testCtx()) => compileExpr(text, ctx).fn(s)
const bytes = (t: string) => new TextEncoder().encode(t)

const web = () =>
  stream({
    req: request('GET', '/api/users?id=42&lang=fr&flag', [
      ['Host', 'www.example.com'],
      ['Accept', 'text/html, application/json'],
      ['Accept', 'image/png'],
      ['Cookie', 'SID=abc; lang=fr'],
      ['Cookie', 'SID=def'],
      ['X-Forwarded-For', '10.0.0.1, 10.0.0.2'],
      ['Content-Length', '0'],
    ]),
  })

describe('fetches', () => {
  test('every fetch edgelb implements is a name HAProxy knows', () => {
    const known = new Set(sampleFetches)
    const extra = ['hdr', 'fhdr', 'hdr_cnt', 'fhdr_cnt', 'hdr_ip', 'hdr_val', 'cook', 'cookie', 'cook_cnt', 'cook_val', 'shdr', 'shdr_cnt', 'shdr_ip', 'shdr_val', 'scook', 'scook_cnt', 'scook_val', 'set-cookie', 'urlp', 'payload', 'payload_lv', 'res.status', 'req_ssl_hello_type', 'req.ssl_hello_type', 'src_inc_gpc0', 'src_clr_gpc0']
    expect(fetchNames().filter((n) => !known.has(n) && !extra.includes(n) && !/^(sc[0-2]?|src)_/.test(n))).toEqual([])
    expect(FETCHES.length).toBeGreaterThan(100)
  })
  test('connection and internal state', () => {
    const s = stream({ beName: 'app', srvName: 's1' })
    expect(ev('src', s)).toBe('192.168.1.10')
    expect(ev('src_port', s)).toBe(40000)
    expect(ev('dst', s)).toBe('10.0.0.1')
    expect(ev('dst_port', s)).toBe(80)
    expect(ev('fe_name', s)).toBe('www')
    expect(ev('so_name', s)).toBeUndefined()
    expect(ev('so_name', stream({ sess: session({ soName: 'public' }) }))).toBe('public')
    expect(ev('be_name', s)).toBe('app')
    expect(ev('srv_name', s)).toBe('s1')
    expect(ev('srv_id', stream({ srvName: 's2', srvId: 2 }))).toBe(2)
    expect(ev('srv_id', stream())).toBeUndefined()
    expect(ev('nbsrv(app)', s)).toBe(2)
    expect(ev('nbsrv', s)).toBe(2)
    expect(ev('connslots(app)', s)).toBe(10)
    expect(ev('be_conn(app)', s)).toBe(3)
    expect(ev('fe_conn', s)).toBe(4)
    expect(ev('srv_is_up(app/dead)', s)).toBe(false)
    expect(ev('always_true', s)).toBe(true)
    expect(ev('always_false', s)).toBe(false)
    expect(ev('int(12)', s)).toBe(12)
    expect(ev('str(hi)', s)).toBe('hi')
    expect(ev('str()', s)).toBe('')
    expect(ev('ssl_fc', s)).toBe(false)
    expect(ev('src_is_local', stream({ sess: session({ cliAddr: '127.0.0.1' }) }))).toBe(true)
    expect(() => ev('nbsrv(nope)', s)).toThrow(/no backend named 'nope'/)
  })
  test('variables in every scope', () => {
    const s = stream()
    s.vars.set('txn.host', 'h')
    s.sess.vars.set('sess.user', 'u')
    expect(ev('var(txn.host)', s)).toBe('h')
    expect(ev('var(sess.user)', s)).toBe('u')
    expect(ev('var(txn.none)', s)).toBeUndefined()
    expect(ev('var(txn.none,dflt)', s)).toBe('dflt')
    expect(() => ev('var(bogus.x)', s)).toThrow(/invalid variable name/)
  })
  test('request line', () => {
    const s = web()
    expect(ev('method', s)).toBe('GET')
    expect(ev('path', s)).toBe('/api/users')
    expect(ev('query', s)).toBe('id=42&lang=fr&flag')
    expect(ev('url', s)).toBe('/api/users?id=42&lang=fr&flag')
    expect(ev('pathq', s)).toBe('/api/users?id=42&lang=fr&flag')
    expect(ev('url_param(lang)', s)).toBe('fr')
    expect(ev('urlp(flag)', s)).toBe('')
    expect(ev('url_param(nope)', s)).toBeUndefined()
    expect(ev('base', s)).toBe('www.example.com/api/users')
    expect(ev('req.ver', s)).toBe('1.1')
    expect(ev('req.ver', stream({ req: request('GET', '/', [], '1.0') }))).toBe('1.0')
    const abs = stream({ req: request('GET', 'http://10.1.1.1:8080/p?q=1', [['Host', 'x']]) })
    expect(ev('path', abs)).toBe('/p')
    expect(ev('url_ip', abs)).toBe('10.1.1.1')
    expect(ev('url_port', abs)).toBe(8080)
    expect(ev('path', stream())).toBeUndefined()
  })
  test('headers: last value by default, an occurrence, counts, addresses, integers', () => {
    const s = web()
    expect(ev('req.hdr(host)', s)).toBe('www.example.com')
    expect(ev('hdr(Host)', s)).toBe('www.example.com')
    expect(ev('req.hdr(accept)', s)).toBe('image/png')
    expect(ev('req.hdr(accept,1)', s)).toBe('text/html')
    expect(ev('req.hdr(accept,-2)', s)).toBe('application/json')
    expect(ev('req.fhdr(accept,1)', s)).toBe('text/html, application/json')
    expect(ev('req.hdr_cnt(accept)', s)).toBe(3)
    expect(ev('req.fhdr_cnt(accept)', s)).toBe(2)
    expect(ev('req.hdr_cnt', s)).toBe(7)
    expect(ev('hdr_ip(x-forwarded-for,1)', s)).toBe('10.0.0.1')
    expect(ev('hdr_ip(host)', s)).toBeUndefined()
    expect(ev('req.hdr_val(content-length)', s)).toBe(0)
    expect(ev('req.hdr(x-missing)', s)).toBeUndefined()
    const quoted = stream({ req: request('GET', '/', [['X-Q', '"a, b" ,c,, d ']]) })
    expect(ev('req.hdr(x-q,1)', quoted)).toBe('"a, b"')
    expect(ev('req.hdr(x-q,3)', quoted)).toBe('')
    expect(ev('req.hdr(x-q)', quoted)).toBe('d')
    expect(ev('req.hdr_cnt(x-q)', quoted)).toBe(4)
  })
  test('multi-valued fetches let ACLs see every value', () => {
    const s = web()
    const seen: unknown[] = []
    compileExpr('req.hdr(accept)', testCtx()).any!((v) => { seen.push(v); return false })(s)
    expect(seen).toEqual(['text/html', 'application/json', 'image/png'])
  })
  test('cookies', () => {
    const s = web()
    expect(ev('req.cook(SID)', s)).toBe('def')
    expect(ev('cook(lang)', s)).toBe('fr')
    expect(ev('req.cook_cnt(SID)', s)).toBe(2)
    expect(ev('req.cook(none)', s)).toBeUndefined()
    s.res = response(200, [['Set-Cookie', 'JSESSIONID=xyz; Path=/'], ['Set-Cookie', 'other=1']])
    expect(ev('res.cook(JSESSIONID)', s)).toBe('xyz')
    expect(ev('res.cook_cnt', s)).toBe(2)
  })
  test('cookies without a name: the first one (a name gives its last occurrence)', () => {
    const s = stream({ req: request('GET', '/', [['Cookie', 'cook1=0; cook2=123; cook3=22'], ['Cookie', 'cook2=7']]) })
    expect(ev('req.cook_cnt()', s)).toBe(4)
    expect(ev('req.cook_val()', s)).toBe(0)
    expect(ev('req.cook()', s)).toBe('0')
    expect(ev('cook_val', s)).toBe(0)
    expect(ev('req.cook_val(cook2)', s)).toBe(7)
    s.res = response(200, [['Set-Cookie', 'a=1; Path=/'], ['Set-Cookie', 'b=2']])
    expect(ev('res.cook', s)).toBe('1')
    expect(ev('res.cook_val', s)).toBe(1)
  })
  test('header values set with spaces around them read without the spaces', () => {
    const s = stream({ req: request('GET', '/', [['Cookie', 'a=1']]) })
    s.req!.headers.set('X-Pad', '  a b \t')
    s.req!.headers.set('X-List', ' x , y ')
    s.req!.headers.set('Cookie', ' c=3; d=4 ')
    expect(ev('req.fhdr(x-pad)', s)).toBe('a b')
    expect(ev('req.hdr(x-pad)', s)).toBe('a b')
    expect(ev('req.hdr(x-list,1)', s)).toBe('x')
    expect(ev('req.fhdr(x-list)', s)).toBe('x , y')
    expect(ev('req.cook(d)', s)).toBe('4')
    expect(ev('hdr()', s)).toBe('x , y') // the last field
    const seen: unknown[] = []
    compileExpr('req.fhdr(x-pad)', testCtx()).any!((v) => { seen.push(v); return false })(s)
    expect(seen).toEqual(['a b'])
  })
  test('capture fetches: header captures then capture actions, the request line, the versions', () => {
    const s = stream({ req: request('GET', 'http://www.example.com/p?q=1', [['Host', 'www.example.com']], '1.0'), res: response(200) })
    expect(ev('capture.req.hdr(0)', s)).toBeUndefined()
    Object.assign(s, { reqCaptures: ['www.example.com', ''], resCaptures: ['nginx'], captures: [undefined, undefined, 'from-action'] })
    expect(ev('capture.req.hdr(0)', s)).toBe('www.example.com')
    expect(ev('capture.req.hdr(1)', s)).toBe('')
    expect(ev('capture.req.hdr(2)', s)).toBe('from-action')
    expect(ev('capture.req.hdr(3)', s)).toBeUndefined()
    expect(ev('capture.res.hdr(0)', s)).toBe('nginx')
    expect(ev('capture.res.hdr(1)', s)).toBeUndefined()
    expect(ev('capture.req.method', s)).toBe('GET')
    expect(ev('capture.req.uri', s)).toBe('/p?q=1')
    expect(ev('capture.req.ver', s)).toBe('HTTP/1.0')
    expect(ev('capture.res.ver', s)).toBe('HTTP/1.1')
    // At log time the captures come with the log fields.
    expect(ev('capture.req.hdr(0)', stream({ log: { reqCaptures: ['logged'] } }))).toBe('logged')
    expect(() => ev('capture.req.hdr', s)).toThrow(/takes 1 argument/)
    expect(() => ev('capture.req.hdr(-1)', s)).toThrow(/capture slot number/)
  })
  test('response', () => {
    const s = stream({ res: response(404, [['Server', 'nginx'], ['X-Ip', '1.2.3.4']]) })
    expect(ev('status', s)).toBe(404)
    expect(ev('res.status', s)).toBe(404)
    expect(ev('res.hdr(server)', s)).toBe('nginx')
    expect(ev('res.hdr_cnt(server)', s)).toBe(1)
    expect(ev('res.hdr_ip(x-ip)', s)).toBe('1.2.3.4')
    expect(ev('res.ver', s)).toBe('1.1')
  })
  test('payload: bytes, length, and "may change" until the data is final', () => {
    const s = stream({ payload: bytes('SSH-2.0-OpenSSH'), payloadFinal: false })
    evalState.mayChange = false
    expect(ev('req.len', s)).toBe(15)
    expect(evalState.mayChange).toBe(true)
    expect(ev('req.payload(0,3)', s)).toEqual(bytes('SSH'))
    evalState.mayChange = false
    expect(ev('req.payload(10,20)', s)).toBeUndefined()
    expect(evalState.mayChange).toBe(true)
    expect(ev('req.payload_lv(0,1)', stream({ payload: new Uint8Array([2, 65, 66, 67]) }))).toEqual(bytes('AB'))
    expect(ev('req.proto_http', stream({ payload: bytes('GET / HTTP/1.1\r\nHost: x\r\n') }))).toBe(true)
    expect(ev('req.proto_http', stream({ payload: bytes('SSH-2.0\r\n') }))).toBe(false)
    evalState.mayChange = false
    expect(ev('req.proto_http', stream({ payload: bytes('GET /inde'), payloadFinal: false }))).toBe(false)
    expect(evalState.mayChange).toBe(true)
    expect(ev('wait_end', stream({ payloadFinal: true }))).toBe(true)
  })
  test('TLS ClientHello: hello type and SNI', () => {
    const hello = clientHello('www.example.org')
    expect(ev('req.ssl_hello_type', stream({ payload: hello }))).toBe(1)
    expect(ev('req.ssl_sni', stream({ payload: hello }))).toBe('www.example.org')
    expect(ev('req_ssl_sni', stream({ payload: hello.subarray(0, 20), payloadFinal: true }))).toBeUndefined()
    expect(ev('req.ssl_ver', stream({ payload: hello }))).toBe(0x0301)
  })
  test('stick counters: tracked, not tracked, src_ lookups, another table', () => {
    const ctx = testCtx()
    const t = ctx.tables.get('www')!
    const s = web()
    expect(ev('sc0_http_req_rate', s, ctx)).toBeUndefined()
    expect(ev('sc0_tracked', s, ctx)).toBe(false)
    expect(ev('src_http_req_rate', s, ctx)).toBe(0)
    const e = t.get(t.keyOf(s.sess.cliAddr)!)!
    trackEntry(s.sc, 0, e, 'http-request')
    expect(ev('sc0_tracked', s, ctx)).toBe(true)
    expect(ev('sc_tracked(0)', s, ctx)).toBe(true)
    expect(ev('sc0_http_req_rate', s, ctx)).toBe(1)
    expect(ev('sc_http_req_rate(0)', s, ctx)).toBe(1)
    expect(ev('sc0_conn_cur', s, ctx)).toBe(1)
    expect(ev('sc0_conn_cnt', s, ctx)).toBe(1)
    expect(ev('src_http_req_rate', s, ctx)).toBe(1)
    expect(ev('src_http_req_rate(www)', s, ctx)).toBe(1)
    expect(ev('sc0_inc_gpc0', s, ctx)).toBe(1)
    expect(ev('sc0_inc_gpc0', s, ctx)).toBe(2)
    expect(ev('sc0_get_gpc0', s, ctx)).toBe(2)
    expect(ev('sc0_gpc0_rate', s, ctx)).toBe(2)
    expect(ev('sc0_clr_gpc0', s, ctx)).toBe(2)
    expect(ev('sc0_get_gpc0', s, ctx)).toBe(0)
    expect(ev('sc0_trackers', s, ctx)).toBe(1)
    expect(ev('sc0_sess_rate', s, ctx)).toBeUndefined() // not stored
    expect(ev('sc0_get_gpc0(users)', s, ctx)).toBe(0) // key not in that table
    expect(ev('src_inc_gpc0', stream({ sess: session({ cliAddr: '7.7.7.7' }) }), ctx)).toBe(1)
    expect(() => ev('sc3_conn_cur', s, ctx)).toThrow(/unknown sample fetch/)
    expect(() => ev('src_conn_cur(nope)', s, ctx)).toThrow(/no stick table named 'nope'/)
  })
  test('unknown and not-yet-implemented fetches are told apart', () => {
    expect(() => ev('pathh', stream())).toThrow(/unknown sample fetch 'pathh'; did you mean 'path'\?/)
    expect(() => ev('ssl_f_s_dn', stream())).toThrow(/not implemented yet/)
    expect(() => ev('path(1)', stream())).toThrow(/takes 0 arguments, not 1/)
  })
})

/** A minimal TLS 1.2 ClientHello carrying one server_name. */
function clientHello(sni: string): Uint8Array {
  const name = [...sni].map((c) => c.charCodeAt(0))
  const sniExt = [0, 0, 0, name.length + 5, 0, name.length + 3, 0, 0, name.length, ...name]
  const body = [3, 3, ...new Array(32).fill(1), 0, 0, 2, 0x13, 0x01, 1, 0, 0, sniExt.length, ...sniExt]
  const hs = [1, 0, 0, body.length, ...body]
  return new Uint8Array([0x16, 3, 1, 0, hs.length, ...hs])
}
