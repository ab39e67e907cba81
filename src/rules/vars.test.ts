// Variables with HAProxy's set-var conditions, global set-var at load, and the fetches around them.
import { describe, expect, test } from 'bun:test'
import { rulesFrom } from '../../test/support/rules-ctx.ts'
import { request, response, stream } from '../../test/support/rules.ts'
import { procVars } from './context.ts'

/** A backend with these http-response lines; runs them on a fresh stream and returns its vars. */
function run(lines: string[]): Map<string, unknown> {
  const { rules } = rulesFrom(`backend b\n  mode http\n${lines.map((l) => `  http-response ${l}`).join('\n')}\n  server s 127.0.0.1:1\n`)
  const s = stream({ res: response(200, []) })
  rules.proxies.get('b')!.httpResponse(s)
  return s.vars
}

describe('set-var conditions (HAProxy reg-test sample_fetches/cond_set_var)', () => {
  test('ifexists and ifnotexists: a stream variable exists once set; a process variable from the start', () => {
    expect(run(['set-var(res.a,ifexists) str(x)', 'set-var(res.b,ifnotexists) str(y)']).get('res.b')).toBe('y')
    expect(run(['set-var(res.a,ifexists) str(x)']).has('res.a')).toBe(false)
    run(['set-var(proc.cond_e,ifexists) str(set)', 'set-var(proc.cond_n,ifnotexists) str(never)'])
    expect(procVars.get('proc.cond_e')).toBe('set')
    expect(procVars.has('proc.cond_n')).toBe(false)
  })
  test('ifempty and ifnotempty look at the new value; a number is never empty', () => {
    const v = run(['set-var(res.s) str(old)', 'set-var(res.i) int(5)', 'set-var(res.s,ifempty) str()', 'set-var(res.i,ifempty) int(7)', 'set-var(res.n,ifnotempty) str()'])
    expect([v.get('res.s'), v.get('res.i'), v.has('res.n')]).toEqual(['', 5, false])
  })
  test('ifset and ifnotset: an unset variable exists without a value', () => {
    const v = run(['set-var(res.a) str(a)', 'unset-var(res.a)', 'set-var(res.a,ifset) str(b)', 'set-var(res.c,ifnotset) str(c)', 'set-var(res.c,ifnotset) str(d)'])
    expect([v.has('res.a'), v.get('res.c')]).toEqual([false, 'c'])
  })
  test('ifgt and iflt compare integer variables only', () => {
    const v = run(['set-var(res.g) int(5)', 'set-var(res.g,ifgt) int(55)', 'set-var(res.l) int(5)', 'set-var(res.l,iflt) int(55)', 'set-var(res.t) str(x)', 'set-var(res.t,ifgt) int(1)'])
    expect([v.get('res.g'), v.get('res.l'), v.get('res.t')]).toEqual([5, 55, 1])
  })
  test('the set-var converter takes the same conditions', () => {
    const v = run(['set-var(res.x) str(keep)', 'set-header x %[str(new),set-var(res.x,ifnotset)]'])
    expect(v.get('res.x')).toBe('keep')
    expect(() => run(['set-var(res.x,ifsomething) str(a)'])).toThrow("unknown variable condition 'ifsomething'")
  })
})

describe('global set-var, uuid(), req.len in http mode', () => {
  test('global set-var and set-var-fmt are evaluated at load, in order', () => {
    rulesFrom('global\n  set-var proc.g12 int(12)\n  set-var proc.g5 var(proc.g60,60),div(proc.g12)\n  set-var-fmt proc.gs "%[var(proc.g5)] five"\n  set-var proc.gu uuid()\nfrontend f\n  bind :0\n')
    expect(procVars.get('proc.g5')).toBe(5)
    expect(procVars.get('proc.gs')).toBe('5 five')
    expect(procVars.get('proc.gu')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  })
  test("req.len of an http request is the size of its head in HAProxy's internal form", () => {
    const { rules } = rulesFrom('frontend f\n  mode http\n  bind :0\n  http-request set-var(txn.len) req.len\n')
    const s = stream({ req: request('GET', '/converter', [['X-Cust', 'foobar'], ['Host', '127.0.0.1']]) })
    rules.proxies.get('f')!.httpRequest(s)
    expect(s.vars.get('txn.len')).toBe(67)
  })
})
