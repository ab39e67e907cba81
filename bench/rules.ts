// Nanoseconds per evaluation of typical rule sets, on a real parsed request head.
//   ./node_modules/.bin/bun bench/rules.ts
// Each case compiles an HAProxy-syntax frontend, then runs what the HTTP session runs per request
// of a frontend with rules: the request counted on tracked entries, the http-request rules, the
// backend choice, the response and byte counts, the tracking release.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildConfig } from '../src/config/build.ts'
import { readHaproxy } from '../src/config/haproxy/reader.ts'
import { formatDiagnostic } from '../src/model/source.ts'
import { now } from '../src/core/clock.ts'
import { compileLogFormat } from '../src/rules/log-format.ts'
import { compileRules } from '../src/rules/proxy.ts'
import { request, session, stream } from '../test/support/rules.ts'
import { countBytes, countHttpRequest, countHttpResponse, streamEnd } from '../src/rules/tracking.ts'
import type { StreamView } from '../src/rules/types.ts'

const dir = mkdtempSync(join(tmpdir(), 'edgelb-bench-rules-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
writeFileSync(join(dir, 'hosts.map'), Array.from({ length: 100_000 }, (_, i) => `host${i}.example.com be${i % 4}`).join('\n') + '\nwww.example.com be1\n')

const BACKENDS = `
backend app
  mode http
backend api
  mode http
backend static
  mode http
${[0, 1, 2, 3].map((i) => `backend be${i}\n  mode http`).join('\n')}
`

const TEN_ACLS = `\
acl host_www hdr(host) -i www.example.com
acl host_api hdr_beg(host) -i api.
acl is_static path_beg /static /images /assets
acl is_css path_end .css .js .png
acl is_admin path_beg /admin
acl is_post method POST
acl from_lan src 10.0.0.0/8 192.168.0.0/16
acl has_auth req.hdr(authorization) -m found
acl bad_agent hdr_sub(user-agent) -i sqlmap nikto
acl api_v2 path_reg ^/api/v2/
`

const cases: { label: string; cfg: string }[] = [
  { label: 'no rules (default_backend only)', cfg: 'default_backend app' },
  {
    label: '10 ACLs + 5 header actions',
    cfg: `${TEN_ACLS}http-request deny if bad_agent
http-request deny if is_admin !from_lan
http-request set-header X-Forwarded-Proto http
http-request set-header X-Client-IP %[src]
http-request del-header X-Internal
http-request set-header X-Host %[req.hdr(host),lower] if host_www
http-request replace-header User-Agent ^(.*)$ UA:\\1 if has_auth
use_backend api if host_api || api_v2
use_backend static if is_static || is_css
use_backend api if is_post has_auth
default_backend app`,
  },
  {
    label: '  the same 10 ACLs, switching only (no header action)',
    cfg: `${TEN_ACLS}http-request deny if bad_agent
http-request deny if is_admin !from_lan
use_backend api if host_api || api_v2
use_backend static if is_static || is_css
use_backend api if is_post has_auth
use_backend app if host_www
default_backend app`,
  },
  {
    label: '  the 5 header actions alone',
    cfg: `
http-request set-header X-Forwarded-Proto http
http-request set-header X-Client-IP %[src]
http-request del-header X-Internal
http-request set-header X-Host %[req.hdr(host),lower]
http-request replace-header User-Agent ^(.*)$ UA:\\1 if FALSE
default_backend app`,
  },
  {
    label: 'rate limit (track-sc0 src, deny if sc_http_req_rate(0) gt N)',
    cfg: `
stick-table type ip size 100k expire 30s store http_req_rate(10s)
http-request track-sc0 src
http-request deny deny_status 429 if { sc_http_req_rate(0) gt 1000000000 }
default_backend app`,
  },
  { label: 'map switching: 100k-entry map on Host', cfg: 'use_backend %[req.hdr(host),lower,map(hosts.map,app)]\ndefault_backend app' },
]

const REQUEST_HEADERS: [string, string][] = [
  ['Host', 'www.example.com'], ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64)'], ['Accept', 'text/html,application/xhtml+xml'],
  ['Accept-Encoding', 'gzip, deflate'], ['Cookie', 'SID=abcdef; lang=en'], ['Connection', 'keep-alive'],
]
const sess = session()

function newStream(): StreamView {
  return stream({ sess, req: request('GET', '/shop/cart?item=42', REQUEST_HEADERS) })
}

/** The same stream every time: header actions are idempotent (set/del), so after the first
 *  request they edit an already-edited head, as a session's later rules would. */
function measure(run: (s: StreamView) => unknown, iterations: number): number {
  const s = newStream()
  for (let i = 0; i < 50_000; i++) run(s)
  const t0 = now()
  for (let i = 0; i < iterations; i++) run(s)
  const ms = now() - t0
  return (ms * 1e6) / iterations
}

console.log('ns per request (request count, http-request rules, backend choice, response and byte counts, release), 1,000,000 requests each')
for (const c of cases) {
  const text = `frontend www\n  mode http\n  bind :0\n${c.cfg.trim().replace(/^/gm, '  ')}\n${BACKENDS}`
  const read = readHaproxy(text, join(dir, 'bench.cfg'))
  const built = buildConfig(read.sections, [join(dir, 'bench.cfg')])
  const errors = built.diagnostics.filter((d) => d.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map(formatDiagnostic).join('\n'))
  const fe = compileRules(built.config, { fileDir: dir }).proxies.get('www')!
  const run = (s: StreamView) => {
    countHttpRequest(s)
    const v = fe.httpRequest(s)
    s.beName = fe.selectBackend(s) ?? ''
    countHttpResponse(s, 200)
    countBytes(s, 120, 1500)
    streamEnd(s)
    return v
  }
  const check = newStream()
  run(check)
  console.log(`${c.label.padEnd(62)} ${measure(run, 1_000_000).toFixed(0).padStart(6)} ns   (backend: ${check.beName})`)
}

const httplog = compileLogFormat('%ci:%cp [%t] %ft %b/%s %Tq/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r', { tables: new Map(), maps: undefined as never, fileDir: dir, proxy: 'www', at: { file: 'bench', line: 0 } }, { missing: '-' })
const logStream = newStream()
logStream.log = { acceptDate: Date.now(), tq: 0, tw: 0, tc: 1, tr: 2, ta: 3, bytesOut: 1234, termState: '----', actconn: 1, feconn: 1, beconn: 1, srvconn: 1, retries: 0, srvQueue: 0, beQueue: 0 }
// Read a character, as writing the line out would: a string built by `+=` is a rope until then.
const logLine = (s: StreamView) => httplog(s).charCodeAt(0)
console.log(`${'log line in the httplog format (compileLogFormat)'.padEnd(62)} ${measure(logLine, 300_000).toFixed(0).padStart(6)} ns`)
