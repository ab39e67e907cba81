import { describe, expect, test } from 'bun:test'
import { readHaproxy } from './haproxy/reader.ts'
import { modernForm, modernizeSections } from './legacy-modern.ts'
import { writeYaml } from './yaml/writer.ts'

const form = (line: string) => {
  const [d] = readHaproxy(`listen x\n  ${line}\n`, 'x.cfg').sections[0]!.directives
  return modernForm(d!)
}
const convert = (text: string) => writeYaml(modernizeSections(readHaproxy(text, 'x.cfg').sections))

describe('modernForm', () => {
  test('exact forms', () => {
    expect(form('reqadd X-Proto:\\ SSL if is-ssl')).toEqual({ words: ['http-request', 'add-header', 'X-Proto', 'SSL', 'if', 'is-ssl'], exact: true })
    expect(form('rspadd X-Rate:\\ 100%')).toEqual({ words: ['http-response', 'add-header', 'X-Rate', '100%%'], exact: true })
    expect(form('reqidel ^X-Forwarded-For:.*')).toEqual({ words: ['http-request', 'del-header', 'X-Forwarded-For'], exact: true })
    expect(form('rspidel ^Server:')).toEqual({ words: ['http-response', 'del-header', 'Server'], exact: true })
    expect(form('reqirep ^Host:\\ (.*) Host:\\ www.\\1')).toEqual({ words: ['http-request', 'replace-header', 'Host', '^(.*)', 'www.\\1'], exact: true })
    expect(form('block if { path_beg /admin }')).toEqual({ words: ['http-request', 'deny', 'if', '{', 'path_beg', '/admin', '}'], exact: true })
    expect(form('option forceclose')).toEqual({ words: ['option', 'httpclose'], exact: true })
    expect(form('redispatch')).toEqual({ words: ['option', 'redispatch'], exact: true })
    expect(form('srvtimeout 30s')).toEqual({ words: ['timeout', 'server', '30s'], exact: true })
  })

  test('near forms say why they differ; lines without one say what to write', () => {
    expect(form('reqdel ^X-Forwarded-For:.*')).toEqual({ words: ['http-request', 'del-header', 'X-Forwarded-For'], exact: false, note: "it also finds the header when its name is written in another case, which 'reqdel' did not" })
    expect(form('rsprep ^Set-Cookie:\\ (.*) Set-Cookie:\\ \\1;\\ Secure').words).toEqual(['http-response', 'replace-header', 'Set-Cookie', '^(.*)', '\\1; Secure'])
    expect(form('reqirep ^Host:\\ www Host:\\ web').exact).toBe(false) // letters in a case-insensitive pattern
    expect(form('reqrep ^([^\\ :]*)\\ /static/(.*) \\1\\ /\\2')).toEqual({ exact: false, note: "it rewrites whole request or header lines by a pattern; write 'http-request replace-header NAME REGEX VALUE', 'replace-uri', 'replace-path' or 'set-method' instead" })
    expect(form('reqidel ^Cookie:.*SERVER=').words).toBeUndefined()
    expect(form('reqideny ^Host:\\ .*\\.local').note).toBe("it decides by a pattern on whole lines; write 'http-request deny if { … }' with an ACL on the field it looks for")
    expect(form('rspdeny ^Content-Type:\\ .*word').note).toBe("it decides by a pattern on whole lines; write 'http-response deny if { … }' with an ACL on the field it looks for")
  })
})

describe('modernizeSections (edgelb convert)', () => {
  test('exact lines are written in their modern form, in the order 1.x ran them; block first', () => {
    expect(convert(`frontend fe
  mode http
  http-request set-header X-A 1
  reqadd X-Proto:\\ SSL if { dst_port 443 }
  reqidel ^X-Forwarded-For:.*
  block if { path_beg /admin }
  rspadd X-Frame-Options:\\ DENY
  option forceclose
`)).toBe(`frontends:
  fe:
    mode: http
    http-request:
      # edgelb convert: HAProxy 1.x wrote: block if { path_beg /admin }
      - deny if { path_beg /admin }
      - set-header X-A 1
      # edgelb convert: HAProxy 1.x wrote: reqidel ^X-Forwarded-For:.*
      - del-header X-Forwarded-For
      # edgelb convert: HAProxy 1.x wrote: reqadd 'X-Proto: SSL' if { dst_port 443 }
      - add-header X-Proto SSL if { dst_port 443 }
    # edgelb convert: HAProxy 1.x wrote: rspadd 'X-Frame-Options: DENY'
    http-response: add-header X-Frame-Options DENY
    # edgelb convert: HAProxy 1.x wrote: option forceclose
    option: [ httpclose ]
`)
  })

  test('a line is kept once an earlier one in 1.x order is kept, and all are kept under an allow rule', () => {
    const out = convert(`backend be
  reqrep ^([^\\ :]*)\\ /old/(.*) \\1\\ /new/\\2
  reqadd X-A:\\ 1
backend be2
  http-response allow if { status 204 }
  rspidel ^Server:
`)
    expect(out).toContain("    # edgelb convert: kept as HAProxy 1.x wrote it (edgelb runs it as 1.x did); its modern form is 'http-request add-header X-A 1', but converted, it would run before 'reqrep' (line 2), which 1.x ran first\n    reqadd: \"'X-A: 1'\"\n")
    expect(out).toContain("    # edgelb convert: kept as HAProxy 1.x wrote it (edgelb runs it as 1.x did); its modern form is 'http-response del-header Server', but converted, it would run among the http-response rules, and this section's 'http-response allow' would skip it\n    rspidel: \"^Server:\"\n")
  })

  test('a second server of the same name is renamed as check names it', () => {
    expect(convert('backend be\n  server a 10.0.0.1:80\n  server a 10.0.0.2:80 check\n')).toBe(`backends:
  be:
    servers:
      a: 10.0.0.1:80
      # edgelb convert: a second server named 'a' (HAProxy 1.x allowed it); renamed 'a-2'
      a-2: { address: 10.0.0.2:80, check: true }
`)
  })
})
