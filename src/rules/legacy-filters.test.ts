import { describe, expect, test } from 'bun:test'
import { fields, request, response, stream } from '../../test/support/rules.ts'
import { rulesFrom } from '../../test/support/rules-ctx.ts'
import { parseHeaderLine } from './legacy-filters.ts'

/** The rules of `lines` in a frontend `www` (http mode), and a runner for one request. */
function frontend(lines: string) {
  const { rules } = rulesFrom(`frontend www\n  mode http\n  bind :0\n${lines.replace(/^\s*/gm, '  ')}\n  default_backend app\nbackend app\n  mode http\n`)
  return rules.proxies.get('www')!
}

const line = (h: ReturnType<typeof request>) => `${h.method} ${h.uri} HTTP/1.${h.version === 10 ? 0 : 1}`

describe('request filters', () => {
  test('reqrep rewrites the request line, with \\N references, and then leaves the headers alone', () => {
    const fe = frontend('reqrep ^([^\\ :]*)\\ /static/(.*) \\1\\ /\\2')
    const s = stream({ req: request('GET', '/static/a.png', [['X-Path', 'GET /static/b HTTP/1.1']]) })
    expect(fe.httpRequest(s)).toEqual({ kind: 'continue' })
    expect(line(s.req!)).toBe('GET /a.png HTTP/1.1')
    expect(fields(s.req!)).toEqual([['Host', 'test'], ['X-Path', 'GET /static/b HTTP/1.1']])
  })

  test('reqrep rewrites every matching header line, read back as Name: value in the case the replacement writes; reqirep ignores case', () => {
    const fe = frontend('reqrep ^X-A:\\ (.*) X-A:\\ [\\1]\nreqirep ^host:\\ (.*)\\.local Host:\\ \\1.example')
    const s = stream({ req: request('GET', '/', [['HOST', 'www.local'], ['X-A', '1'], ['x-a', '2'], ['X-A', '3']]) })
    fe.httpRequest(s)
    expect(fields(s.req!)).toEqual([['Host', 'www.example'], ['X-A', '[1]'], ['x-a', '2'], ['X-A', '[3]']])
  })

  test('a header line rewritten under another name keeps its place; rewritten to nothing, it is removed', () => {
    const fe = frontend('reqrep ^X-Old:\\ (.*) X-New:\\ \\1\nreqrep ^X-Gone: ""')
    const s = stream({ req: request('GET', '/', [['X-Old', 'v'], ['X-Gone', 'x'], ['X-Last', 'z']]) })
    fe.httpRequest(s)
    expect(fields(s.req!)).toEqual([['Host', 'test'], ['X-New', 'v'], ['X-Last', 'z']])
  })

  test('a request line rewritten into something that is not one is answered 400', () => {
    const fe = frontend('reqrep ^GET\\ (.*) \\1')
    expect(fe.httpRequest(stream({ req: request('GET', '/x') }))).toEqual({ kind: 'deny', status: 400 })
  })

  test('reqdel and reqidel remove every matching header line, never the request line', () => {
    const fe = frontend('reqidel ^X-Forwarded-For:.*\nreqdel ^Cookie:.*SERVER=\nreqdel ^GET')
    const s = stream({ req: request('GET', '/', [['x-forwarded-for', '1.2.3.4'], ['Cookie', 'a=1'], ['Cookie', 'SERVER=s1'], ['X-Forwarded-For', '5.6.7.8']]) })
    fe.httpRequest(s)
    expect(line(s.req!)).toBe('GET / HTTP/1.1')
    expect(fields(s.req!)).toEqual([['Host', 'test'], ['Cookie', 'a=1']])
  })

  test('reqdeny denies (403) and reqtarpit tarpits (500) on the request line or a header line', () => {
    const fe = frontend('reqideny ^User-Agent:\\ .*evil\nreqtarpit ^[^\\ ]*\\ /wp-login')
    expect(fe.httpRequest(stream({ req: request('GET', '/', [['user-agent', 'EvilBot']]) }))).toEqual({ kind: 'deny', status: 403 })
    expect(fe.httpRequest(stream({ req: request('POST', '/wp-login.php') }))).toEqual({ kind: 'tarpit', status: 500 })
    expect(fe.httpRequest(stream({ req: request('GET', '/', [['User-Agent', 'curl']]) }))).toEqual({ kind: 'continue' })
  })

  test('reqallow makes later deny and tarpit filters pass over the request; rewrites still apply', () => {
    const fe = frontend('reqiallow ^Host:\\ www\\.\nreqideny ^Host:\\ .*\\.local\nreqrep ^Host:\\ (.*) Host:\\ seen-\\1')
    const ok = stream({ req: request('GET', '/', [['Host', 'www.a.local']]) })
    expect(fe.httpRequest(ok)).toEqual({ kind: 'continue' })
    expect(fields(ok.req!)).toEqual([['Host', 'seen-www.a.local']])
    expect(fe.httpRequest(stream({ req: request('GET', '/', [['Host', 'db.a.local']]) }))).toEqual({ kind: 'deny', status: 403 })
  })

  test('a deny found first stands even if a later line would allow', () => {
    const fe = frontend('reqideny ^Host:\\ .*\\.local\nreqiallow ^Host:\\ www\\.')
    expect(fe.httpRequest(stream({ req: request('GET', '/', [['Host', 'www.a.local']]) }))).toEqual({ kind: 'deny', status: 403 })
  })

  test('reqpass leaves the lines it matches out of the filters that follow', () => {
    const fe = frontend('reqipass ^User-Agent:\\ .*(Mozilla|MSIE)\nreqitarpit ^User-Agent:')
    expect(fe.httpRequest(stream({ req: request('GET', '/', [['User-Agent', 'Mozilla/5.0']]) }))).toEqual({ kind: 'continue' })
    expect(fe.httpRequest(stream({ req: request('GET', '/', [['User-Agent', 'sqlmap']]) }))).toEqual({ kind: 'tarpit', status: 500 })
  })

  test('each filter runs only when its condition holds', () => {
    const fe = frontend('acl api path_beg /api\nreqadd X-Api:\\ 1 if api\nreqdel ^X-Debug: unless api\nreqdeny ^X-Bad: if { hdr(x-mode) strict }')
    const api = stream({ req: request('GET', '/api/x', [['X-Debug', '1']]) })
    fe.httpRequest(api)
    expect(fields(api.req!)).toEqual([['Host', 'test'], ['X-Debug', '1'], ['X-Api', '1']])
    const other = stream({ req: request('GET', '/', [['X-Debug', '1'], ['X-Bad', 'y']]) })
    expect(fe.httpRequest(other)).toEqual({ kind: 'continue' })
    expect(fields(other.req!)).toEqual([['Host', 'test'], ['X-Bad', 'y']])
    expect(fe.httpRequest(stream({ req: request('GET', '/', [['X-Bad', 'y'], ['X-Mode', 'strict']]) }))).toEqual({ kind: 'deny', status: 403 })
  })

  test('the filters run after the http-request rules, and reqadd after the filters, whatever the order written', () => {
    const fe = frontend('reqadd X-Proto:\\ SSL\nreqidel ^X-Proto:\nhttp-request set-header X-From-Rule yes\nreqrep ^X-From-Rule:\\ (.*) X-From-Rule:\\ seen-\\1')
    const s = stream({ req: request('GET', '/', [['X-Proto', 'forged']]) })
    fe.httpRequest(s)
    expect(fields(s.req!)).toEqual([['Host', 'test'], ['X-From-Rule', 'seen-yes'], ['X-Proto', 'SSL']])
  })

  test("an http-request allow ends the http-request rules, not the filters; redirect rules see what the filters did", () => {
    const fe = frontend('http-request allow\nreqrep ^([^\\ ]*)\\ /old/(.*) \\1\\ /new/\\2\nredirect location /moved if { path_beg /new/ }')
    const s = stream({ req: request('GET', '/old/x') })
    expect(fe.httpRequest(s)).toMatchObject({ kind: 'reply', reply: { status: 302, headers: [['location', '/moved']] } })
    expect(s.req!.uri).toBe('/new/x')
  })

  test('block denies (403) before any http-request rule runs', () => {
    const fe = frontend('http-request allow\nblock if { path_beg /admin }\nhttp-request deny')
    expect(fe.httpRequest(stream({ req: request('GET', '/admin/x') }))).toEqual({ kind: 'deny', status: 403 })
    expect(fe.httpRequest(stream({ req: request('GET', '/') }))).toEqual({ kind: 'continue' })
  })
})

describe('response filters', () => {
  const res = (status: number, headers: [string, string][]) => stream({ req: request('GET', '/'), res: response(status, headers) })

  test('rsprep rewrites the status line or header lines; rspidel removes header lines', () => {
    const fe = frontend('rsprep ^HTTP/1.1\\ 302\\ (.*) HTTP/1.1\\ 303\\ See\\ Other\nrspirep ^Location:\\ http://(.*) Location:\\ https://\\1\nrspidel ^Server:')
    const s = res(302, [['location', 'http://a/b'], ['Server', 'x'], ['SERVER', 'y']])
    expect(fe.httpResponse(s)).toEqual({ kind: 'continue' })
    expect([s.res!.status, s.res!.reason]).toEqual([303, 'See Other'])
    expect(fields(s.res!)).toEqual([['Location', 'https://a/b']])
  })

  test('an http-response allow does not skip the filters', () => {
    const s = res(200, [['Server', 'x']])
    frontend('http-response allow\nrspidel ^Server:').httpResponse(s)
    expect(fields(s.res!)).toEqual([])
  })

  test('rspdeny replaces the response with a 502; a status line rewritten into nothing valid too', () => {
    expect(frontend('rspideny ^Content-Type:\\ .*/ms-word').httpResponse(res(200, [['Content-Type', 'application/MS-WORD']]))).toEqual({ kind: 'deny', status: 502 })
    expect(frontend('rsprep ^HTTP(.*) junk').httpResponse(res(200, []))).toEqual({ kind: 'deny', status: 502 })
  })

  test('rspadd adds its line after the filters, with its condition, and never to a 1xx response', () => {
    const fe = frontend('acl secure dst_port 443\nrspadd Strict-Transport-Security:\\ max-age=31536000 if secure\nrspadd X-Served-By:\\ edgelb\nrspidel ^X-Served-By:')
    const s = res(200, [['X-Served-By', 'origin']])
    fe.httpResponse(s)
    expect(fields(s.res!)).toEqual([['X-Served-By', 'edgelb']])
    const early = res(103, [])
    fe.httpResponse(early)
    expect(fields(early.res!)).toEqual([])
  })
})

describe('load-time errors carry the line', () => {
  test('a pattern that does not compile as a JavaScript regex', () => {
    expect(() => frontend('reqirep ^(Host:\\ foo Host:\\ bar')).toThrow(/test\.cfg:4: error: 'reqirep': the regular expression '\^\(Host: foo' does not compile as a JavaScript regular expression: /)
    expect(() => frontend('rspdel ^X-A:[[:nope:]]')).toThrow(`test.cfg:4: error: 'rspdel': the regular expression '^X-A:[[:nope:]]' does not compile as a JavaScript regular expression: '[:nope:]' has no JavaScript equivalent`)
  })

  test('a bad replacement, header line or trailing word', () => {
    expect(() => frontend('reqrep ^a b\\\\')).toThrow("test.cfg:4: error: 'reqrep': the replacement 'b\\' ends with a lone backslash")
    expect(() => frontend('reqadd NoColonHere')).toThrow("test.cfg:4: error: 'reqadd' expects a header line NAME: VALUE (spaces escaped), got 'NoColonHere'")
    expect(() => frontend('reqadd X-A: 1')).toThrow("test.cfg:4: error: 'reqadd' expects nothing, 'if' or 'unless' after its header line, got '1' (escape spaces with '\\ ')")
  })
})

test('parseHeaderLine reads NAME: VALUE as HAProxy 2.0 did', () => {
  expect(parseHeaderLine('X-Proto: SSL')).toEqual({ name: 'X-Proto', value: 'SSL' })
  expect(parseHeaderLine('X-A:b c ')).toEqual({ name: 'X-A', value: 'b c' })
  expect(parseHeaderLine('X-A')).toBeUndefined()
  expect(parseHeaderLine(': x')).toBeUndefined()
})
