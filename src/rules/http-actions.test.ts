import { describe, expect, test } from 'bun:test'
import { fields, request, response, stream } from '../../test/support/rules.ts'
import { rulesFrom } from '../../test/support/rules-ctx.ts'

/** A frontend with the given lines; returns its compiled rules. */
function fe(lines: string) {
  const { rules } = rulesFrom(`frontend www\n  mode http\n  bind :0\n${lines.replace(/^/gm, '  ')}\n  default_backend app\nbackend app\n  mode http\n  server s1 127.0.0.1:1\nbackend api\n  server s1 127.0.0.1:1\n`)
  return rules.proxies.get('www')!
}
const get = (uri: string, headers: [string, string][] = []) => stream({ req: request('GET', uri, [['Host', 'www.example.com'], ...headers]) })

describe('http-request actions', () => {
  test('allow stops the rule set; deny answers 403 or deny_status', () => {
    const r = fe('http-request allow if { path_beg /ok }\nhttp-request deny deny_status 429 if { path_beg /o }\nhttp-request deny')
    expect(r.httpRequest(get('/ok'))).toEqual({ kind: 'continue' })
    expect(r.httpRequest(get('/other'))).toEqual({ kind: 'deny', status: 429 })
    expect(r.httpRequest(get('/x'))).toEqual({ kind: 'deny', status: 403 })
    expect(r.has.httpRequest).toBe(true)
  })
  test('deny and tarpit may carry a body; reject closes', () => {
    const r = fe('http-request tarpit deny_status 503 content-type text/plain string "slow down" if { path /t }\nhttp-request reject if { path /r }\nhttp-request tarpit')
    expect(r.httpRequest(get('/t'))).toEqual({ kind: 'tarpit', status: 503, reply: { status: 503, headers: [['content-type', 'text/plain']], body: 'slow down' } })
    expect(r.httpRequest(get('/r'))).toEqual({ kind: 'reject' })
    expect(r.httpRequest(get('/x'))).toEqual({ kind: 'tarpit', status: 500 })
  })
  test('return: static replies are shared, lf-string and hdr are built per request', () => {
    const r = fe(`http-request return status 200 content-type text/plain string ok hdr X-A 1 if { path /health }\nhttp-request return status 404 content-type "application/json" lf-string '{"path":"%[path]"}' hdr X-Src %[src]`)
    const a = r.httpRequest(get('/health'))
    expect(a).toEqual({ kind: 'reply', reply: { status: 200, headers: [['content-type', 'text/plain'], ['X-A', '1']], body: 'ok' } })
    expect(r.httpRequest(get('/health'))).toBe(a)
    expect(r.httpRequest(get('/nope'))).toEqual({ kind: 'reply', reply: { status: 404, headers: [['content-type', 'application/json'], ['X-Src', '192.168.1.10']], body: '{"path":"/nope"}' } })
  })
  test('return without a payload drops its content-type, as HAProxy does', () => {
    const r = fe('http-request return content-type text/plain if { path /a }\nhttp-request return content-type text/plain file /dev/null')
    expect(r.httpRequest(get('/a'))).toEqual({ kind: 'reply', reply: { status: 200, headers: [], body: '' } })
    expect(r.httpRequest(get('/b'))).toEqual({ kind: 'reply', reply: { status: 200, headers: [], body: '' } })
  })
  test('return leaves out a header whose value comes out empty, as HAProxy does', () => {
    const r = fe('http-request return status 200 hdr x-ff "%[req.hdr(x-forwarded-for)]" hdr x-static ""')
    expect(r.httpRequest(get('/'))).toEqual({ kind: 'reply', reply: { status: 200, headers: [], body: '' } })
    expect(r.httpRequest(get('/', [['X-Forwarded-For', '10.0.0.1']]))).toEqual({ kind: 'reply', reply: { status: 200, headers: [['x-ff', '10.0.0.1']], body: '' } })
  })
  test('set-src, set-dst and their ports change what the connection says: an address (IPv6 made canonical) or a port, else nothing', () => {
    const r = fe('http-request set-src hdr(x-src)\nhttp-request set-dst hdr(x-dst)\nhttp-request set-dst-port hdr(x-port)')
    const calls: string[] = []
    const s = get('/', [['X-Src', '2001:DB8:0:0:1::2'], ['X-Dst', 'not an address'], ['X-Port', '8080']])
    const sess = s.sess as { setSrc?: unknown; setDst?: unknown }
    sess.setSrc = (a: string | undefined, p: number | undefined) => { calls.push(`src ${a} ${p}`) }
    sess.setDst = (a: string | undefined, p: number | undefined) => { calls.push(`dst ${a} ${p}`) }
    r.httpRequest(s)
    expect(calls).toEqual(['src 2001:db8::1:0:0:2 undefined', 'dst undefined 8080'])
  })
  test('return reads a body file relative to the configuration', () => {
    const r = fe('http-request return content-type text/plain file hosts.map')
    const v = r.httpRequest(get('/'))
    expect(v.kind === 'reply' && String(v.reply.body).includes('api.example.com')).toBe(true)
  })
  test('redirect location, prefix, scheme, with code and options', () => {
    const r = fe([
      'http-request redirect location https://%[hdr(host)]%[path] code 301 if { path_beg /loc }',
      'http-request redirect prefix https://new.example.com drop-query if { path_beg /pre }',
      'http-request redirect scheme https append-slash if { path_beg /dir }',
      'http-request redirect prefix / set-cookie SEEN=1 clear-cookie OLD if { path_beg /ck }',
    ].join('\n'))
    expect(r.httpRequest(get('/loc/a?x=1'))).toEqual({ kind: 'reply', reply: { status: 301, headers: [['location', 'https://www.example.com/loc/a']], body: '' } })
    expect(r.httpRequest(get('/pre/b?x=1'))).toEqual({ kind: 'reply', reply: { status: 302, headers: [['location', 'https://new.example.com/pre/b']], body: '' } })
    expect(r.httpRequest(get('/dir'))).toEqual({ kind: 'reply', reply: { status: 302, headers: [['location', 'https://www.example.com/dir/']], body: '' } })
    expect(r.httpRequest(get('/ck?q'))).toEqual({
      kind: 'reply',
      reply: { status: 302, headers: [['location', '/ck?q'], ['set-cookie', 'SEEN=1; path=/'], ['set-cookie', 'OLD=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/']], body: '' },
    })
  })
  test('redirect takes its words in any order; with ignore-empty an empty target makes the rule do nothing', () => {
    const r = fe('http-request redirect code 301 location %[req.hdr(x-to)] ignore-empty\nhttp-request deny')
    expect(r.httpRequest(get('/', [['X-To', '/new']]))).toEqual({ kind: 'reply', reply: { status: 301, headers: [['location', '/new']], body: '' } })
    expect(r.httpRequest(get('/'))).toEqual({ kind: 'deny', status: 403 })
  })
  test('the legacy redirect keyword runs after the http-request rules', () => {
    const r = fe('redirect scheme https code 308 if !{ ssl_fc }\nhttp-request deny if { path /deny }')
    expect(r.httpRequest(get('/deny'))).toEqual({ kind: 'deny', status: 403 })
    expect(r.httpRequest(get('/a'))).toEqual({ kind: 'reply', reply: { status: 308, headers: [['location', 'https://www.example.com/a']], body: '' } })
  })
  test('header actions', () => {
    const r = fe([
      'http-request set-header X-Forwarded-Proto https',
      'http-request add-header X-Client %[src]',
      'http-request add-header X-Client again',
      'http-request del-header X-Secret',
      'http-request del-header x-debug- -m beg',
      // Single quotes: edgelb's line tokenizer drops the backslash of \\1 elsewhere (HAProxy keeps it).
      "http-request replace-header Host (.*):80 '\\1'",
      "http-request replace-value X-List ^a(.*)$ 'A\\1'",
    ].join('\n'))
    const s = stream({ req: request('GET', '/', [['Host', 'www.example.com:80'], ['X-Secret', '1'], ['X-Debug-A', '1'], ['X-Debug-B', '2'], ['X-List', 'a1, b2, a3'], ['X-Forwarded-Proto', 'http']]) })
    expect(r.httpRequest(s)).toEqual({ kind: 'continue' })
    expect(fields(s.req!)).toEqual([
      ['Host', 'www.example.com'],
      ['X-List', 'A1, b2, A3'],
      ['X-Forwarded-Proto', 'https'],
      ['X-Client', '192.168.1.10'],
      ['X-Client', 'again'],
    ])
    expect(s.req!.changed).toBe(true)
  })
  test('a value set with spaces around it keeps them on the wire; rules read it without them', () => {
    const r = fe([
      'http-request set-header X-Pad "  v  "',
      'http-request set-header X-Read "<%[req.fhdr(x-pad)]>"',
      "http-request replace-header X-Pad ^v$ 'w'",
    ].join('\n'))
    const s = get('/')
    r.httpRequest(s)
    expect(fields(s.req!).slice(-2)).toEqual([['X-Pad', 'w'], ['X-Read', '<v>']])
    const keep = fe('http-request set-header X-Pad "  v  "')
    const t = get('/')
    keep.httpRequest(t)
    expect(new TextDecoder().decode(t.req!.encode())).toContain('\r\nX-Pad:   v  \r\n')
  })
  test('request line actions', () => {
    const r = fe([
      'http-request set-method POST if { path /m }',
      'http-request set-path /v2%[path] if { path_beg /api }',
      'http-request set-query lang=en if { path_beg /q }',
      'http-request set-uri /fixed if { path /u }',
      "http-request replace-path ^/old/(.*) '/new/\\1'",
      "http-request replace-uri ^/r/(.*) '/R/\\1'",
    ].join('\n'))
    const run = (uri: string) => { const s = get(uri); r.httpRequest(s); return `${s.req!.method} ${s.req!.uri}` }
    expect(run('/m')).toBe('POST /m')
    expect(run('/api/x?y=1')).toBe('GET /v2/api/x?y=1')
    expect(run('/q?a=b')).toBe('GET /q?lang=en')
    expect(run('/u?x')).toBe('GET /fixed')
    expect(run('/old/a/b?k=v')).toBe('GET /new/a/b?k=v')
    expect(run('/r/z?k')).toBe('GET /R/z?k')
  })
  test('an absolute-form URI keeps its scheme and authority when its path or query is rewritten', () => {
    const r = fe([
      'http-request set-path /fe%[path]',
      "http-request replace-path (.*) '/x\\1'",
      'http-request set-query q=1 if { path_beg /x/fe/q }',
      "http-request set-pathq %[path]?k=v if { path_beg /x/fe/pq }",
      "http-request replace-pathq /x/(.*) '/y/\\1' if { path_beg /x/fe/rpq }",
    ].join('\n'))
    const run = (uri: string) => { const s = get(uri); r.httpRequest(s); return s.req!.uri }
    expect(run('http://h.example/a?b=c')).toBe('http://h.example/x/fe/a?b=c')
    expect(run('http://h.example/q?b=c')).toBe('http://h.example/x/fe/q?q=1')
    expect(run('http://h.example/pq?b=c')).toBe('http://h.example/x/fe/pq?k=v')
    expect(run('http://h.example/rpq?b=c')).toBe('http://h.example/y/fe/rpq?b=c')
    expect(run('/a?b=c')).toBe('/x/fe/a?b=c')
  })
  test('normalize-uri rewrites the path as its normalizer says; a strict one answers 400 to a bad escape; * stays', () => {
    const r = fe('http-request normalize-uri path-merge-slashes\nhttp-request normalize-uri query-sort-by-name\nhttp-request normalize-uri percent-to-uppercase strict')
    const run = (uri: string) => { const s = get(uri); const v = r.httpRequest(s); return v.kind === 'continue' ? s.req!.uri : v }
    expect(run('//a//b?z=1&a=2')).toBe('/a/b?a=2&z=1')
    expect(run('http://h.example//a?b=%aa')).toBe('http://h.example/a?b=%AA')
    expect(run('/%zz')).toEqual({ kind: 'deny', status: 400 })
    expect(run('*')).toBe('*')
    expect(() => fe('http-request normalize-uri path-strip-dotdot strict')).toThrow("unexpected 'strict'")
  })
  test('variables, log level, capture', () => {
    const r = fe([
      'declare capture request len 32',
      'http-request set-var(txn.host) req.hdr(host),lower',
      'http-request set-var-fmt(txn.who) "%[src] on %[var(txn.host)]"',
      'http-request unset-var(txn.host) if { path /unset }',
      'http-request set-log-level silent if { path /quiet }',
      'http-request capture req.hdr(user-agent) len 4',
    ].join('\n'))
    const s = get('/quiet', [['User-Agent', 'Mozilla/5.0']])
    r.httpRequest(s)
    expect(s.vars.get('txn.host')).toBe('www.example.com')
    expect(s.vars.get('txn.who')).toBe('192.168.1.10 on www.example.com')
    expect(s.logLevel).toBe('silent')
    expect(s.captures).toEqual(['Mozi'])
    const u = get('/unset')
    r.httpRequest(u)
    expect(u.vars.has('txn.host')).toBe(false)
  })
  test('map and ACL file edits from rules', () => {
    const { rules } = rulesFrom(`frontend www\n  mode http\n  bind :0\n  http-request set-map(hosts.map) %[url_param(k)] %[url_param(v)] if { path /set }\n  http-request del-map(hosts.map) %[url_param(k)] if { path /del }\n  http-request return status 200 content-type text/plain lf-string %[url_param(k),map(hosts.map,none)]\n`)
    const r = rules.proxies.get('www')!
    const body = (uri: string) => { const v = r.httpRequest(get(uri)); return v.kind === 'reply' ? v.reply.body : v.kind }
    expect(body('/get?k=new.example.com')).toBe('none')
    r.httpRequest(get('/set?k=new.example.com&v=app'))
    expect(body('/get?k=new.example.com')).toBe('app')
    r.httpRequest(get('/del?k=new.example.com'))
    expect(body('/get?k=new.example.com')).toBe('none')
  })
  test('bad actions are errors with the line; known but not built ones refuse the config (every action protects), or are skipped with a warning when allowed', () => {
    expect(() => fe('http-request set-headr X 1')).toThrow(/test.cfg:4: error: unknown 'http-request' action 'set-headr'; did you mean 'set-header'\?/)
    expect(() => fe('http-request set-header X')).toThrow(/test.cfg:4: error: 'set-header' expects a name and a value/)
    expect(() => fe('http-request redirect code 301')).toThrow(/'redirect' expects 'location', 'prefix' or 'scheme'/)
    expect(() => fe('http-request deny deny_status 99')).toThrow(/from 200 to 599/)
    expect(() => fe('http-request set-var txn.x src')).toThrow(/needs its argument in parentheses/)
    expect(() => fe('http-request return content-type text/plain file nofile.txt')).toThrow(/cannot read 'nofile.txt'/)
    const unbuilt = 'frontend www\n  mode http\n  bind :0\n  http-request send-spoe-group x g\n  http-request track-sc5 src\n  http-request lua.hello\n'
    let refused = ''
    try { rulesFrom(unbuilt) } catch (e) { refused = (e as Error).message }
    expect(refused.split('\n').map((l) => l.replace(/^.*test\.cfg:/, '').replace(/, or run with --allow-unimplemented.*$/, ''))).toEqual([
      `4: error: 'http-request send-spoe-group': not implemented yet, so edgelb would skip this rule, which changes what reaches the servers; rewrite it with actions edgelb implements (edgelb check lists them), or remove it`,
      `5: error: 'http-request track-sc5': not implemented yet, so edgelb would skip this rule, which changes what reaches the servers; rewrite it with actions edgelb implements (edgelb check lists them), or remove it`,
      `6: error: 'http-request lua.hello': not implemented yet, so edgelb would skip the Lua code, and whatever it checks or blocks; rewrite its logic with edgelb rules, or remove it`,
    ])
    const { warnings } = rulesFrom(unbuilt, { allowUnimplemented: true })
    expect(warnings).toEqual([
      `4: 'http-request send-spoe-group' is parsed but not implemented yet; edgelb ignores this rule`,
      `5: 'http-request track-sc5' is parsed but not implemented yet; edgelb ignores this rule`,
      `6: 'http-request lua.hello' is parsed but not implemented yet; edgelb ignores this rule`,
    ])
  })
})

describe('http-response actions', () => {
  const withRes = (status: number, headers: [string, string][]) => { const s = get('/'); s.res = response(status, headers); return s }
  test('headers, status, deny', () => {
    const r = fe([
      'http-response del-header Server',
      'http-response set-header X-Frame-Options DENY',
      "http-response replace-header Location ^http://(.*)$ 'https://\\1'",
      'http-response set-status 503 reason "Try later" if { status 500 }',
      'http-response deny if { res.hdr(x-leak) -m found }',
    ].join('\n'))
    const s = withRes(500, [['Server', 'nginx'], ['Location', 'http://a/b']])
    expect(r.httpResponse(s)).toEqual({ kind: 'continue' })
    expect(fields(s.res!)).toEqual([['Location', 'https://a/b'], ['X-Frame-Options', 'DENY']])
    expect([s.res!.status, s.res!.reason]).toEqual([503, 'Try later'])
    expect(r.httpResponse(withRes(200, [['X-Leak', '1']]))).toEqual({ kind: 'deny', status: 502 })
    const t = withRes(200, [])
    fe('http-response set-status 429\nhttp-response set-status 299 if { status 429 }').httpResponse(t)
    expect([t.res!.status, t.res!.reason]).toEqual([299, 'Success']) // a status without a phrase of its own: its class's, as HAProxy
    fe('http-response set-status 404').httpResponse(t)
    expect(t.res!.reason).toBe('Not Found')
  })
  test('http-after-response rewrites only', () => {
    const r = fe('http-after-response set-header X-After 1')
    const s = withRes(200, [])
    expect(r.httpAfterResponse(s)).toEqual({ kind: 'continue' })
    expect(fields(s.res!)).toEqual([['X-After', '1']])
    expect(() => fe('http-after-response deny')).toThrow(/unknown 'http-after-response' action 'deny'/)
  })
})
