import { describe, expect, test } from 'bun:test'
import type { RuleConfig } from '../model/types.ts'
import { AclSet, compileCondition, compileTerm, FAIL, MISS, PASS, splitCondition } from './acl.ts'
import { request, session, stream, type FakeStream } from '../../test/support/rules.ts'
import { AT, testCtx } from '../../test/support/rules-ctx.ts'

const ctx = testCtx()
const term = (words: string, s: FakeStream) => compileTerm(words.split(' '), ctx)(s)
const acl = (name: string, ...args: string[]): RuleConfig => ({ kw: 'acl', args: [name, ...args], pos: AT })
const bytes = (t: string) => new TextEncoder().encode(t)

const get = (uri: string, headers: [string, string][] = []) => stream({ req: request('GET', uri, [['Host', 'www.Example.com'], ...headers]) })

describe('ACL terms', () => {
  test('match methods with -m', () => {
    const s = get('/static/img/logo.png?v=2')
    expect(term('path -m str /static/img/logo.png', s)).toBe(PASS)
    expect(term('path -m beg /static', s)).toBe(PASS)
    expect(term('path -m end .png .jpg', s)).toBe(PASS)
    expect(term('path -m sub img', s)).toBe(PASS)
    expect(term('path -m reg ^/static/.*\\.png$', s)).toBe(PASS)
    expect(term('path -m len 20:30', s)).toBe(PASS)
    expect(term('path -m dir img', s)).toBe(PASS)
    expect(term('hdr(host) -m dom example.com', s)).toBe(FAIL)
    expect(term('hdr(host) -i -m dom example.com', s)).toBe(PASS)
    expect(term('url_param(v) -m int 1:5', s)).toBe(PASS)
    expect(term('src -m ip 192.168.0.0/16', s)).toBe(PASS)
    expect(term('url_param(v) -m found', s)).toBe(PASS)
    expect(term('url_param(w) -m found', s)).toBe(FAIL)
    expect(term('req.payload(0,2) -m bin 4745', stream({ payload: bytes('GET /') }))).toBe(PASS)
  })
  test('default methods follow the fetch type; ACL keywords imply theirs', () => {
    const s = get('/api/v1/users', [['X-Forwarded-For', '10.1.1.1, 172.16.0.9']])
    expect(term('path /api/v1/users', s)).toBe(PASS) // str
    expect(term('path /api', s)).toBe(FAIL)
    expect(term('path_beg /api', s)).toBe(PASS)
    expect(term('path_end /users', s)).toBe(PASS)
    expect(term('path_reg ^/api/v[0-9]+/', s)).toBe(PASS)
    expect(term('path_sub v1', s)).toBe(PASS)
    expect(term('path_dir v1', s)).toBe(PASS)
    expect(term('path_len 13', s)).toBe(PASS)
    expect(term('hdr_beg(host) -i www.', s)).toBe(PASS)
    expect(term('hdr_end(host) .com', s)).toBe(PASS)
    expect(term('hdr_dom(host) -i example.com', s)).toBe(PASS)
    expect(term('hdr_sub(host) Example', s)).toBe(PASS)
    expect(term('hdr(host) -i www.example.com', s)).toBe(PASS)
    expect(term('hdr_ip(x-forwarded-for) 172.16.0.0/12', s)).toBe(PASS) // any value matches
    expect(term('url_beg /api', s)).toBe(PASS)
    expect(term('base_beg www.Example.com/api', s)).toBe(PASS)
    expect(term('method GET HEAD', s)).toBe(PASS)
    expect(term('dst_port 80 443', s)).toBe(PASS) // int
    expect(term('src 192.168.1.0/24', s)).toBe(PASS) // ip
    expect(term('always_true', s)).toBe(PASS) // bool
    expect(term('req_ver 1.1', s)).toBe(PASS)
  })
  test('-f reads patterns from a file; -i applies to them', () => {
    const s = get('/', [['User-Agent', 'CURL/8.0']])
    expect(term('hdr_sub(user-agent) -i -f agents.acl', s)).toBe(PASS)
    expect(term('hdr_sub(user-agent) -f agents.acl', s)).toBe(FAIL)
    expect(term('hdr(host) -i -M -f hosts.map', s)).toBe(PASS)
    expect(term('src -f networks.map -M', s)).toBe(PASS)
  })
  test('integer operators', () => {
    const s = stream({ sess: session({ dstPort: 8080 }) })
    expect(term('dst_port gt 1024', s)).toBe(PASS)
    expect(term('dst_port lt 1024', s)).toBe(FAIL)
    expect(term('dst_port ge 8080', s)).toBe(PASS)
    expect(term('dst_port le 8079', s)).toBe(FAIL)
    expect(term('dst_port eq 8080', s)).toBe(PASS)
    expect(term('dst_port 1:1023 8000:8999', s)).toBe(PASS)
  })
  test('converters on the criterion', () => {
    const s = get('/')
    expect(term('req.hdr(host),lower www.example.com', s)).toBe(PASS)
    expect(term('req.hdr(host),length gt 10', s)).toBe(PASS)
  })
  test('volatile fetches answer MISS while the data may still change', () => {
    const partial = stream({ payload: bytes('SS'), payloadFinal: false })
    expect(term('req.payload(0,3) -m bin 535348', partial)).toBe(MISS)
    expect(term('req.len gt 10', partial)).toBe(MISS)
    expect(term('req.len gt 1', partial)).toBe(PASS)
    expect(term('req.len gt 10', stream({ payload: bytes('SS'), payloadFinal: true }))).toBe(FAIL)
  })
  test('bad ACL lines are ConfigErrors', () => {
    expect(() => compileTerm(['path', '-m', 'regex', 'x'], ctx)).toThrow(/unknown match method '-m regex'/)
    expect(() => compileTerm(['path', '-z'], ctx)).toThrow(/unknown ACL flag '-z'/)
    expect(() => compileTerm(['path', '-m', 'found', 'x'], ctx)).toThrow(/takes no pattern/)
    expect(() => compileTerm(['src', '999.1.1.1'], ctx)).toThrow(/invalid IP/)
    expect(() => compileTerm(['path_regg', 'x'], ctx)).toThrow(/unknown sample fetch 'path_regg'; did you mean 'path_reg'\?/)
    expect(() => compileTerm(['pth_beg', 'x'], ctx)).toThrow(/unknown sample fetch 'pth_beg'; did you mean 'path_beg'\?/)
    expect(() => compileTerm(['path', '-m', 'reg', '('], ctx)).toThrow(/invalid regular expression/)
  })
})

describe('conditions', () => {
  const acls = new AclSet(
    [
      acl('is_api', 'path_beg', '/api'),
      acl('is_static', 'path_end', '.css'),
      acl('is_static', 'path_end', '.js'), // same name: OR
      acl('host_www', 'hdr(host)', '-i', 'www.example.com'),
    ],
    ctx,
  )
  const cond = (text: string, s: FakeStream) => compileCondition(text.split(' '), acls, ctx)(s)

  test('a name declared several times is the OR of its lines', () => {
    expect(cond('is_static', get('/a.js'))).toBe(PASS)
    expect(cond('is_static', get('/a.css'))).toBe(PASS)
    expect(cond('is_static', get('/a.png'))).toBe(FAIL)
  })
  test('implicit AND, ||, !, anonymous ACLs', () => {
    expect(cond('is_api host_www', get('/api/x'))).toBe(PASS)
    expect(cond('is_api !host_www', get('/api/x'))).toBe(FAIL)
    expect(cond('is_api ! host_www', get('/api/x'))).toBe(FAIL)
    expect(cond('is_static || is_api', get('/api/x'))).toBe(PASS)
    expect(cond('is_static or is_api', get('/x'))).toBe(FAIL)
    expect(cond('{ path_beg /api } { method GET }', get('/api'))).toBe(PASS)
    expect(cond('!{ path_beg /api }', get('/api'))).toBe(FAIL)
    expect(cond('is_static || { method POST } || host_www', get('/x'))).toBe(PASS)
  })
  test('or in any case, as HAProxy reads it', () => {
    expect(cond('is_static OR is_api', get('/api/x'))).toBe(PASS)
    expect(cond('is_static Or is_api', get('/x'))).toBe(FAIL)
    expect(cond('{ path_beg /z } OR { method GET }', get('/x'))).toBe(PASS)
  })
  test('predefined ACLs', () => {
    const s = get('/x')
    for (const [name, want] of [['TRUE', PASS], ['FALSE', FAIL], ['HTTP', PASS], ['HTTP_1.1', PASS], ['HTTP_1.0', FAIL], ['METH_GET', PASS], ['METH_POST', FAIL], ['HTTP_URL_SLASH', PASS], ['HTTP_URL_ABS', FAIL], ['HTTP_CONTENT', FAIL], ['LOCALHOST', FAIL]] as const) {
      expect([name, cond(name, s)]).toEqual([name, want])
    }
    expect(cond('METH_GET', stream({ req: request('HEAD', '/') }))).toBe(PASS)
    expect(cond('LOCALHOST', stream({ sess: session({ cliAddr: '127.0.0.1' }) }))).toBe(PASS)
    expect(cond('REQ_CONTENT', stream({ payload: bytes('x') }))).toBe(PASS)
  })
  test('short-circuit: AND stops at the first FAIL, OR at the first PASS', () => {
    const s = get('/x')
    s.vars.set('txn.n', 1)
    // `probe` leaves a trace (txn.seen) when it is evaluated.
    const counting = new AclSet([acl('probe', 'var(txn.n),set-var(txn.seen)', '1')], ctx)
    const c1 = compileCondition(['FALSE', 'probe'], counting, ctx)
    expect(c1(s)).toBe(FAIL)
    expect(s.vars.has('txn.seen')).toBe(false)
    const c2 = compileCondition(['TRUE', '||', 'probe'], counting, ctx)
    expect(c2(s)).toBe(PASS)
    expect(s.vars.has('txn.seen')).toBe(false)
    const c3 = compileCondition(['TRUE', 'probe'], counting, ctx)
    expect(c3(s)).toBe(PASS)
    expect(s.vars.get('txn.seen')).toBe(1)
  })
  test('MISS combines as HAProxy: FAIL wins an AND, PASS wins an OR, ! keeps it', () => {
    const partial = stream({ payload: bytes('GE'), payloadFinal: false })
    expect(cond('{ req.len gt 10 }', partial)).toBe(MISS)
    expect(cond('!{ req.len gt 10 }', partial)).toBe(MISS)
    expect(cond('FALSE { req.len gt 10 }', partial)).toBe(FAIL)
    expect(cond('{ req.len gt 10 } || TRUE', partial)).toBe(PASS)
  })
  test('if / unless split off the rule words', () => {
    const { head, cond: c } = splitCondition(['deny', 'deny_status', '429', 'unless', 'is_api'], acls, ctx)
    expect(head).toEqual(['deny', 'deny_status', '429'])
    expect(c!(get('/api'))).toBe(FAIL)
    expect(c!(get('/x'))).toBe(PASS)
    expect(splitCondition(['allow'], acls, ctx).cond).toBeUndefined()
  })
  test('unknown names and broken conditions are ConfigErrors', () => {
    expect(() => compileCondition(['is_apii'], acls, ctx)).toThrow(/unknown ACL 'is_apii'/)
    expect(() => compileCondition(['{', 'path_beg', '/x'], acls, ctx)).toThrow(/missing '}'/)
    expect(() => compileCondition(['is_api', '||'], acls, ctx)).toThrow(/cannot end with '\|\|'/)
    expect(() => compileCondition(['||', 'is_api'], acls, ctx)).toThrow(/needs a condition on each side/)
    expect(() => splitCondition(['deny', 'if'], acls, ctx)).toThrow(/expects a condition/)
    expect(() => compileCondition(['RDP_COOKIE'], acls, ctx)).not.toThrow() // the last predefined ACL edgelb lacked
  })
  test('a bool fetch can stand alone as a condition', () => {
    expect(cond('ssl_fc', get('/'))).toBe(FAIL)
    expect(cond('!ssl_fc', get('/'))).toBe(PASS)
  })
})
