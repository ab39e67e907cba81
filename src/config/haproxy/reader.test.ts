import { describe, expect, test } from 'bun:test'
import { formatDiagnostic, type SectionSource } from '../../model/source.ts'
import { looksLikeAddress, readHaproxy } from './reader.ts'

const FILE = 'edgelb.cfg'
const read = (text: string, env: Record<string, string> = {}) => readHaproxy(text, FILE, env)
const diags = (text: string, env: Record<string, string> = {}): string[] => read(text, env).diagnostics.map(formatDiagnostic)
/** Section headers as `type name [args]`. */
const headers = (sections: SectionSource[]): string[] => sections.map((s) => [s.type, s.name, ...s.args].join(' '))
/** A section's directives as their lines, with `no`/`default` prefixes. */
const lines = (s: SectionSource): string[] => s.directives.map((d) => [d.no ? 'no' : d.reset ? 'default' : '', d.kw, ...d.args].filter((w) => w !== '').join(' '))

describe('sections', () => {
  test('every proxy section type, with names and header arguments', () => {
    const r = read(`global
defaults
defaults web from base
listen stats
frontend www
backend app
peers mypeers
userlist admins
resolvers dns
`)
    expect(r.diagnostics).toEqual([])
    expect(headers(r.sections)).toEqual(['global ', 'defaults ', 'defaults web from base', 'listen stats', 'frontend www', 'backend app', 'peers mypeers', 'userlist admins', 'resolvers dns'])
    expect(r.sections.map((s) => s.pos.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  test('the other sections of HAProxy 2.6 to 3.x, each with its own keyword table', () => {
    const r = read(`mailers mta
cache c
program p
http-errors site
ring r
log-forward lf
fcgi-app php
crt-store
traces
log-profile prof
acme le
`)
    expect(r.diagnostics).toEqual([])
    expect(headers(r.sections)).toEqual(['mailers mta', 'cache c', 'program p', 'http-errors site', 'ring r', 'log-forward lf', 'fcgi-app php', 'crt-store ', 'traces ', 'log-profile prof', 'acme le'])
  })

  test('an unnamed defaults may still take from another: `defaults from base`', () => {
    const [s] = read('defaults from base\n').sections
    expect(s).toMatchObject({ type: 'defaults', name: '', args: ['from', 'base'] })
  })

  test('`listen NAME ADDR` names the section and keeps the address', () => {
    const [s] = read('listen webfarm 192.168.1.1:80\n').sections
    expect(s).toMatchObject({ type: 'listen', name: 'webfarm', args: ['192.168.1.1:80'] })
  })

  test('`listen ADDR` (1.x) leaves the name empty for the builder', () => {
    const r = read(' listen 0.0.0.0:81\n listen :80\n listen [::]:443\n listen ipv6@::1:80\n')
    expect(r.sections.map((s) => [s.name, s.args])).toEqual([['', ['0.0.0.0:81']], ['', [':80']], ['', ['[::]:443']], ['', ['ipv6@::1:80']]])
  })

  test('a frontend or backend without a name is an error on its line', () => {
    expect(diags('global\nfrontend\nbackend\nlisten\n')).toEqual([
      `${FILE}:2: error: 'frontend' needs a name: write 'frontend NAME'`,
      `${FILE}:3: error: 'backend' needs a name: write 'backend NAME'`,
      `${FILE}:4: error: 'listen' needs a name: write 'listen NAME'`,
    ])
  })

  test('global takes no name', () => {
    const r = read('global main\n')
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([`${FILE}:1: warning: 'global' takes no name; ignoring 'main'`])
    expect(r.sections[0]).toMatchObject({ type: 'global', name: '' })
  })

  test('a keyword before any section is an error on its line', () => {
    expect(diags('# header\n\nmaxconn 100\nglobal\n')).toEqual([
      `${FILE}:3: error: 'maxconn' appears before any section; start one with 'global', 'defaults', 'frontend', 'backend' or 'listen'`,
    ])
    expect(diags('frontnd www\n')).toEqual([`${FILE}:1: error: 'frontnd' appears before any section; did you mean 'frontend'?`])
  })

  test('directives belong to the section above them, in file order, with their line', () => {
    const r = read('listen web\n  bind :80\n\n  server a 10.0.0.1:80 check\n')
    expect(r.sections[0]!.directives).toEqual([
      { kw: 'bind', args: [':80'], pos: { file: FILE, line: 2 } },
      { kw: 'server', args: ['a', '10.0.0.1:80', 'check'], pos: { file: FILE, line: 4 } },
    ])
  })

  test('CRLF line endings read like LF', () => {
    const r = read('listen web\r\n  bind :80\r\n  mode tcp\r\n')
    expect(r.diagnostics).toEqual([])
    expect(lines(r.sections[0]!)).toEqual(['bind :80', 'mode tcp'])
  })
})

describe('looksLikeAddress', () => {
  test('addresses', () => {
    for (const w of ['1.2.3.4:80', ':80', '*:80', '0.0.0.0:81', '[::]:80', ':::80', 'ipv6@::1:80', 'unix@/run/x.sock', 'fd@3', ':3389,:1494', '10.0.0.1:8000-8010']) {
      expect([w, looksLikeAddress(w)]).toEqual([w, true])
    }
  })

  test('names', () => {
    for (const w of ['webfarm', 'tse-proxy', 'app_1', 'from', 'be.v2']) expect([w, looksLikeAddress(w)]).toEqual([w, false])
  })
})

describe('no and default prefixes', () => {
  test('`no KW` and `default KW` set flags on the directive', () => {
    const r = read('defaults\n no option httpclose\n default option forwardfor\n no log\n')
    expect(r.sections[0]!.directives.map(({ kw, args, no, reset }) => ({ kw, args, no, reset }))).toEqual([
      { kw: 'option', args: ['httpclose'], no: true, reset: undefined },
      { kw: 'option', args: ['forwardfor'], no: undefined, reset: true },
      { kw: 'log', args: [], no: true, reset: undefined },
    ])
  })

  test('a lone `no` is a keyword of its own (the builder reports it)', () => {
    const r = read('defaults\n no\n')
    expect(r.sections[0]!.directives[0]).toMatchObject({ kw: 'no', args: [] })
    expect(r.sections[0]!.directives[0]!.no).toBeUndefined()
  })
})

describe('comments', () => {
  test('comment lines above a directive attach to it, even across blank lines', () => {
    const r = read(`listen web
    # The servers will get 4 concurrent connections under low
    # loads, and 12 when there will be 10000 clients.

    server a 10.0.0.1:80 minconn 4 maxconn 12
`)
    expect(r.sections[0]!.directives[0]!.comment).toBe('The servers will get 4 concurrent connections under low\nloads, and 12 when there will be 10000 clients.')
  })

  test('an end-of-line comment attaches to its directive, after the ones above', () => {
    const r = read('listen web\n  # above\n  grace 20000 # don\'t kill us until 20 seconds have elapsed\n  mode http\n')
    const [grace, mode] = r.sections[0]!.directives
    expect(grace!.comment).toBe("above\ndon't kill us until 20 seconds have elapsed")
    expect(mode!.comment).toBeUndefined()
  })

  test('a comment above a section header attaches to the section', () => {
    const r = read('# Architecture guide §1\nlisten web 1.2.3.4:80 # the farm\n')
    expect(r.sections[0]!.comment).toBe('Architecture guide §1\nthe farm')
  })
})

describe('conditional blocks', () => {
  test('.if/.elif/.else/.endif keep only the branch that holds', () => {
    const text = (env: string) => `listen web
.if defined(${env})
  bind :1
.elif streq(a,a)
  bind :2
.else
  bind :3
.endif
  bind :4
`
    expect(lines(read(text('PROD'), { PROD: '1' }).sections[0]!)).toEqual(['bind :1', 'bind :4'])
    expect(lines(read(text('PROD')).sections[0]!)).toEqual(['bind :2', 'bind :4'])
  })

  test('.else runs when nothing before it held', () => {
    const r = read('listen web\n.if 0\n bind :1\n.elif strneq(a,a)\n bind :2\n.else\n bind :3\n.endif\n')
    expect(lines(r.sections[0]!)).toEqual(['bind :3'])
  })

  test('nested blocks inside an inactive branch stay inactive', () => {
    const r = read('listen web\n.if 0\n.if 1\n bind :1\n.else\n bind :2\n.endif\n.else\n bind :3\n.endif\n')
    expect(r.diagnostics).toEqual([])
    expect(lines(r.sections[0]!)).toEqual(['bind :3'])
  })

  test('operators, versions and features', () => {
    const held = (cond: string, env: Record<string, string> = {}): boolean =>
      read(`listen w\n.if ${cond}\n bind :1\n.endif\n`, env).sections[0]!.directives.length === 1
    expect(held('!0')).toBe(true)
    expect(held('1 && 0')).toBe(false)
    expect(held('0 || 1')).toBe(true)
    expect(held('defined(A) && !defined(B)', { A: 'x' })).toBe(true)
    expect(held('version_atleast(2.4)')).toBe(true)
    expect(held('version_before(2.4)')).toBe(false)
    expect(held('feature(OPENSSL)')).toBe(true)
    expect(held('feature(LUA)')).toBe(false)
  })

  test('a whole section can be conditional', () => {
    const r = read('.if defined(EXTRA)\nlisten extra\n bind :9\n.endif\nlisten web\n bind :80\n')
    expect(headers(r.sections)).toEqual(['listen web'])
  })

  test('errors in conditional blocks name their line', () => {
    expect(diags('listen w\n.if 1\n bind :1\n.elif\n.endif\n.endif\n.else\n.elif 1\n.if nope\n.endif\n.if oops(1)\n.endif\n.frob\n.if 1\n')).toEqual([
      `${FILE}:6: error: '.endif' without '.if'`,
      `${FILE}:7: error: '.else' without '.if'`,
      `${FILE}:8: error: '.elif' without '.if'`,
      `${FILE}:9: error: cannot evaluate '.if' term 'nope'`,
      `${FILE}:11: error: unknown '.if' function 'oops'; known: defined, streq, strneq, feature, version_atleast, version_before, strstr`,
      `${FILE}:13: error: unknown directive '.frob'; known: .if, .elif, .else, .endif, .diag, .notice, .warning, .alert`,
      `${FILE}:14: error: '.if' block is never closed; add '.endif'`,
    ])
  })

  test('.if without a condition is an error', () => {
    expect(diags('listen w\n.if\n.endif\n')).toEqual([`${FILE}:2: error: '.if' needs a condition`])
  })

  test('.warning and .alert report in active branches only; .diag and .notice are silent', () => {
    expect(diags('.if 1\n.warning deprecated setup\n.alert stop here\n.diag x\n.notice y\n.else\n.alert never\n.endif\n')).toEqual([
      `${FILE}:2: warning: deprecated setup`,
      `${FILE}:3: error: stop here`,
    ])
  })
})

describe('syntax errors', () => {
  test('each bad line is reported with its own line number and reading goes on', () => {
    const r = read('listen web\n bind ":80\n mode tcp\n acl x path \'abc\n server a 10.0.0.1:80\n')
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      `${FILE}:2: error: unbalanced double quote starting a word; close it with "`,
      `${FILE}:4: error: unbalanced single quote starting a word; close it with '`,
    ])
    expect(lines(r.sections[0]!)).toEqual(['mode tcp', 'server a 10.0.0.1:80'])
  })

  test('an unset environment variable is a warning on its line, only where the line is read', () => {
    expect(diags('listen web\n bind ${ADDR}:80\n.if 0\n bind ${OTHER}:81\n.endif\n')).toEqual([
      `${FILE}:2: warning: environment variable 'ADDR' is not set; it expands to an empty string (write \${ADDR-default} to give a default)`,
    ])
  })

  test('an invalid variable reference is an error with its column', () => {
    const [d] = read('listen web\n bind :${PORT\n').diagnostics
    expect(d).toEqual({ severity: 'error', pos: { file: FILE, line: 2, col: 8 }, message: 'unterminated environment variable reference at column 8' })
  })
})

describe('setenv, presetenv, unsetenv, resetenv in global', () => {
  test('change what the lines after them expand', () => {
    const text = 'global\n  setenv PORT 8080\n  presetenv HOST 10.0.0.2\n  presetenv KEEP changed\n  unsetenv GONE\nfrontend fe\n  bind $HOST:${PORT}\n  bind ${KEEP}:1 ${GONE-none}:2\nglobal\n  resetenv PORT\nfrontend fe2\n  bind ${HOST-reset}:$PORT\n'
    const r = readHaproxy(text, 'e.cfg', { KEEP: 'kept', GONE: 'x' })
    expect(r.sections.filter((s) => s.type === 'frontend').map((s) => s.directives.map((d) => d.args))).toEqual([
      [['10.0.0.2:8080'], ['kept:1', 'none:2']],
      [['reset:8080']],
    ])
  })
})
