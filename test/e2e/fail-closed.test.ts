/**
 * Fail closed: a keyword that protects (TLS, the PROXY protocol, authentication, access
 * restrictions, rules, filters, Lua) and that edgelb does not implement refuses the configuration,
 * in `check` (FILE:LINE: error) and in `run` (exit 1 before anything is bound), unless the
 * operator accepts the gap with --allow-unimplemented: then each is a warning saying what goes
 * unprotected, printed at every start, and `run` serves.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUN, ROOT, spawnEdgelb } from '../support/harness.ts'

const MAIN = join(ROOT, 'src', 'main.ts')
const DIR = mkdtempSync(join(tmpdir(), 'edgelb-fail-closed-'))
afterAll(() => rmSync(DIR, { recursive: true, force: true }))

interface Run { code: number | null; out: string; errLines: string[] }

function edgelb(args: string[]): Run {
  const r = Bun.spawnSync([BUN, MAIN, ...args], { cwd: DIR, env: { ...process.env, NO_COLOR: '1' }, timeout: 15_000, stdout: 'pipe', stderr: 'pipe' })
  return { code: r.exitCode, out: r.stdout.toString(), errLines: r.stderr.toString().split('\n').filter((l) => l !== '') }
}

function write(name: string, text: string): string {
  writeFileSync(join(DIR, name), text)
  return name
}

/** A listener the test holds: a `run` that tried to bind it would say "address in use". */
function holdPort(): { port: number; stop(): void } {
  const l = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  return { port: l.port, stop: () => l.stop(true) }
}

const HEAD = `defaults
  mode http
  timeout connect 5s
  timeout client 5s
  timeout server 5s
`

/**
 * One case per class of protection: a line for the frontend, the backend, the global section
 * (two lines) or a section after them; the line the error is at, what it names and the risk.
 */
interface Case { name: string; global?: string; frontend?: string; backend?: string; extra?: string; line: number; what: string; risk: string; lines?: number }
const TLS = 'carry this traffic in clear text where TLS was asked for'
const PROXY = 'pass a PROXY header on as data, or send none to a server that expects one'
const RULE = 'skip this rule, which changes what reaches the servers'
const cases: Case[] = [
  // TLS keywords edgelb still does not implement (docs/config.md, "TLS").
  { name: 'TLS on a bind (NPN)', frontend: '  bind 127.0.0.1:0 npn http/1.1', line: 10, what: "bind option 'npn'", risk: TLS },
  { name: 'TLS to a server (NPN, renegotiation)', backend: '  server s1 127.0.0.1:9 npn h2 renegotiate', line: 13, what: "server options 'npn', 'renegotiate'", risk: TLS },
  { name: 'TLS on default-server (kTLS)', backend: '  default-server ktls on', line: 13, what: "server option 'ktls'", risk: TLS },
  { name: 'a TLS global', global: 'global\n  ssl-default-bind-client-sigalgs ECDSA+SHA256\n', line: 2, what: "'ssl-default-bind-client-sigalgs'", risk: TLS },
  { name: 'accept-netscaler-cip', frontend: '  bind 127.0.0.1:0 accept-netscaler-cip 1234', line: 10, what: "bind option 'accept-netscaler-cip'", risk: PROXY },
  { name: 'expect-netscaler-cip', frontend: '  tcp-request connection expect-netscaler-cip layer4', line: 10, what: "'tcp-request connection expect-netscaler-cip'", risk: PROXY },
  { name: 'set-proxy-v2-tlv-fmt', backend: '  server s1 127.0.0.1:9 send-proxy-v2 set-proxy-v2-tlv-fmt(0xE1) %[src]', line: 13, what: "server option 'set-proxy-v2-tlv-fmt(0xE1)'", risk: PROXY },
  // Access restrictions (`stats admin` and `stats http-request`, the cases here before, are
  // implemented: src/stats/page.ts; so are userlists, src/rules/userlist.ts).
  { name: 'rate-limit sessions', frontend: '  rate-limit sessions 10', line: 10, what: "'rate-limit sessions'", risk: 'leave open what this line restricts' },
  { name: 'an access global', global: 'global\n  harden.reject-privileged-ports.tcp on\n', line: 2, what: "'harden.reject-privileged-ports.tcp'", risk: 'leave open what this line restricts' },
  { name: 'an http-request action not implemented', frontend: '  http-request send-spoe-group c1 g', line: 10, what: "'http-request send-spoe-group'", risk: RULE },
  { name: 'an http-response action not implemented', backend: '  http-response send-spoe-group c1 g', line: 13, what: "'http-response send-spoe-group'", risk: RULE },
  { name: 'a tcp-response content action not implemented', backend: '  tcp-response content set-bandwidth-limit limit1', line: 13, what: "'tcp-response content set-bandwidth-limit'", risk: RULE },
  { name: 'a filter (SPOE)', frontend: '  filter spoe engine waf config /etc/waf.conf', line: 10, what: "'filter'", risk: 'pass traffic on without the inspection this filter does' },
  { name: 'lua-load', global: 'global\n  lua-load /etc/edgelb/bot.lua\n', line: 2, what: "'lua-load'", risk: 'skip the Lua code, and whatever it checks or blocks' },
  { name: 'a Lua action', frontend: '  http-request lua.check_bot', line: 10, what: "'http-request lua.check_bot'", risk: 'skip the Lua code, and whatever it checks or blocks' },
]

/** The config of a case: a frontend's protection line is line 10, a backend's line 13. */
function configOf(c: Case, port: number): string {
  const global = c.global ?? 'global\n  quiet\n'
  return `${global}${HEAD}frontend fe\n  bind 127.0.0.1:${port}\n${c.frontend ?? '  option forwardfor'}\n  default_backend be\nbackend be\n${c.backend ?? '  balance roundrobin'}\n  server s0 127.0.0.1:9\n${c.extra ?? ''}`
}

describe('a protection edgelb does not implement refuses the configuration', () => {
  for (const c of cases) {
    test(`${c.name}: check errs at its line, run exits 1 before binding, --allow-unimplemented makes it a warning`, () => {
      const held = holdPort()
      try {
        const file = write(`${c.name.replace(/\W+/g, '-')}.cfg`, configOf(c, held.port))
        const error = `${file}:${c.line}: error: ${c.what}: not implemented yet, so edgelb would ${c.risk}; `

        const check = edgelb(['check', file])
        expect(check.code).toBe(1)
        expect(check.errLines.filter((l) => l.includes(': error: ')).map((l) => l.slice(0, error.length))).toEqual([error])
        expect(check.errLines.find((l) => l.startsWith(error))).toEndWith(', or run with --allow-unimplemented to accept the gap knowingly')
        const n = c.lines ?? 1
        expect(check.errLines.at(-1)).toMatch(new RegExp(`^${file}: \\d+ lines? not implemented yet, ${n} of them protections? \\(refused\\)$`))

        // Refused before binding: the port the test holds would otherwise be "in use".
        const run = edgelb(['run', file])
        expect(run.code).toBe(1)
        expect(run.errLines.filter((l) => l.includes(': error: ')).map((l) => l.slice(0, error.length))).toEqual([error])
        expect(run.errLines.at(-1)).toBe('edgelb: not started: the configuration has errors')
        expect(run.errLines.join('\n')).not.toMatch(/listening|in use|EADDRINUSE/)

        const allowed = edgelb(['check', '--allow-unimplemented', file])
        expect(allowed.code).toBe(0)
        expect(allowed.errLines).toContain(`${file}:${c.line}: warning: ${c.what}: not implemented yet, accepted by --allow-unimplemented: edgelb will ${c.risk}`)
        expect(allowed.out.split('\n').filter((l) => l !== '').at(-1)).toMatch(new RegExp(`, ${n} of them protections? \\(accepted by --allow-unimplemented: not in force\\)$`))
        // The HAProxy form takes the flag too.
        expect(edgelb(['-c', '-f', file, '--allow-unimplemented']).code).toBe(0)
        expect(edgelb(['-c', '-f', file]).code).toBe(1)
      } finally {
        held.stop()
      }
    })
  }

  test('--allow-unimplemented on run serves, and says at start what is not in force', async () => {
    await using app = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('the admin page') })
    const text = `global
  ssl-default-bind-client-sigalgs ECDSA+SHA256
${HEAD}frontend fe
  bind 127.0.0.1:0 accept-netscaler-cip 1234
  http-request send-spoe-group admin g if { path_beg /admin }
  default_backend be
backend be
  server s1 127.0.0.1:${app.port}
`
    await using lb = await spawnEdgelb(text, { args: ['--allow-unimplemented'] })
    expect(lb.stderr.filter((l) => l.includes('accepted by --allow-unimplemented')).map((l) => l.replace(/^.*edgelb\.cfg:/, ''))).toEqual([
      `2: warning: 'ssl-default-bind-client-sigalgs': not implemented yet, accepted by --allow-unimplemented: edgelb will ${TLS}`,
      `9: warning: bind option 'accept-netscaler-cip': not implemented yet, accepted by --allow-unimplemented: edgelb will ${PROXY}`,
      `10: warning: 'http-request send-spoe-group': not implemented yet, accepted by --allow-unimplemented: edgelb will ${RULE}`,
    ])
    expect(lb.stderr).toContain('edgelb: WARNING: --allow-unimplemented: 3 protections the configuration asks for are not in force (the lines above); traffic they would protect passes unprotected')
    // What was accepted: the rule is skipped, and the page is served from the server.
    const r = await fetch(`http://127.0.0.1:${lb.ports.get('fe')}/admin`)
    expect([r.status, await r.text()]).toEqual([200, 'the admin page'])
  })

  test('keywords that only tune or describe stay warnings', () => {
    const held = holdPort()
    try {
      const file = write('tuning.cfg', `global\n  tune.ssl.default-dh-param 2048\n  nbthread 4\n  cpu-map auto:1/1-4 0-3\n${HEAD}frontend fe\n  bind 127.0.0.1:${held.port}\n  option http-ignore-probes\n  option contstats\n  stats show-modules\n  default_backend be\nbackend be\n  server s0 127.0.0.1:9\n`)
      const check = edgelb(['check', file])
      expect(check.code).toBe(0)
      expect(check.errLines.every((l) => l.includes(': warning: '))).toBe(true)
      expect(check.out.split('\n').filter((l) => l !== '')).toEqual([`${file}: valid (${check.errLines.length} warnings)`, `${file}: 4 lines not implemented yet, none of them a protection`])
    } finally {
      held.stop()
    }
  })
})
