/**
 * Speed of the HTTP/1 head parser (src/http/h1-parser.ts) on typical messages.
 *
 *   ./node_modules/.bin/bun bench/http-parser.ts [--ms 1000] [--only NAME]
 *
 * Each case parses the same head over and over with one parser (reset between messages), then
 * reads what a proxy reads of it: method, target, Host and Cookie for a request; status and
 * framing for a response. "sliced" feeds the head in two pieces (cut in the middle), as when a
 * head straddles two reads. Prints messages per second and nanoseconds per message: the best of
 * `--runs` runs of `--ms` milliseconds each, and the median. Other processes can only slow a run
 * down, so on a shared machine the best run is the figure for the code; a wide gap between best
 * and median says the machine was busy.
 */
import { createRequestParser, createResponseParser } from '../src/http/h1-parser.ts'
import type { H1Parser } from '../src/http/types.ts'

const BROWSER_GET =
  'GET /products/shoes/running?size=42&color=blue HTTP/1.1\r\n' +
  'Host: shop.example.com\r\n' +
  'User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n' +
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n' +
  'Accept-Language: en-US,en;q=0.5\r\n' +
  'Accept-Encoding: gzip, deflate, br, zstd\r\n' +
  'Referer: https://shop.example.com/products/shoes\r\n' +
  'Connection: keep-alive\r\n' +
  'Cookie: session=9f8e7d6c5b4a; cart=3\r\n' +
  'Upgrade-Insecure-Requests: 1\r\n' +
  '\r\n'

const CURL_GET = 'GET /hello HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n'

const API_POST =
  'POST /api/v2/orders HTTP/1.1\r\n' +
  'Host: api.example.com\r\n' +
  'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl\r\n' +
  'Content-Type: application/json\r\n' +
  'Content-Length: 27\r\n' +
  'Accept: application/json\r\n' +
  '\r\n'

const NGINX_200 =
  'HTTP/1.1 200 OK\r\n' +
  'Server: nginx/1.24.0\r\n' +
  'Date: Sat, 21 Nov 2026 02:42:49 GMT\r\n' +
  'Content-Type: text/html; charset=utf-8\r\n' +
  'Content-Length: 6\r\n' +
  'Connection: keep-alive\r\n' +
  'Cache-Control: no-cache\r\n' +
  '\r\n'

interface Case {
  name: string
  msg: string
  response: boolean
}

const CASES: Case[] = [
  { name: `browser GET (${BROWSER_GET.length} B, 10 fields)`, msg: BROWSER_GET, response: false },
  { name: `curl GET (${CURL_GET.length} B, 3 fields)`, msg: CURL_GET, response: false },
  { name: `API POST (${API_POST.length} B, 5 fields)`, msg: API_POST, response: false },
  { name: `nginx 200 (${NGINX_200.length} B, 6 fields)`, msg: NGINX_200, response: true },
]

function bytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i)
  return b
}

let sink = 0

/** Parses `n` messages; returns nothing but feeds `sink` so that nothing is optimised away. */
function runRequests(p: H1Parser, buf: Uint8Array, cut: number, n: number): void {
  const len = buf.length
  for (let i = 0; i < n; i++) {
    p.reset()
    let r = p.parse(buf, cut)
    if (r.kind === 'need-more') r = p.parse(buf, len)
    if (r.kind !== 'done') throw new Error(`not parsed: ${JSON.stringify(r)}`)
    const h = r.head
    sink += h.method.length + h.uri.length + (h.headers.get('host')?.length ?? 0) + (h.headers.get('cookie')?.length ?? 0)
  }
}

function runResponses(p: H1Parser, buf: Uint8Array, cut: number, n: number): void {
  const len = buf.length
  for (let i = 0; i < n; i++) {
    p.reset()
    let r = p.parse(buf, cut)
    if (r.kind === 'need-more') r = p.parse(buf, len)
    if (r.kind !== 'done') throw new Error(`not parsed: ${JSON.stringify(r)}`)
    sink += r.head.status + r.head.contentLength + (r.head.framing === 'length' ? 1 : 0)
  }
}

/** Messages per second in `runs` runs of about `ms` milliseconds: [best, median]. */
function measure(c: Case, sliced: boolean, ms: number, runs: number): [number, number] {
  const buf = bytes(c.msg)
  const cut = sliced ? buf.length >> 1 : buf.length
  const p = (c.response ? createResponseParser : createRequestParser)({ maxHead: 16384, maxHeaders: 101 })
  const run = c.response ? runResponses : runRequests
  run(p, buf, cut, 200_000) // warm up
  let n = 100_000
  const t0 = performance.now()
  run(p, buf, cut, n)
  n = Math.max(10_000, Math.round((n * ms) / (performance.now() - t0)))
  const rates: number[] = []
  for (let k = 0; k < runs; k++) {
    const t = performance.now()
    run(p, buf, cut, n)
    rates.push(n / ((performance.now() - t) / 1000))
  }
  rates.sort((a, b) => b - a)
  return [rates[0], rates[rates.length >> 1]]
}

function main(): void {
  const args = process.argv.slice(2)
  const at = (name: string): string | undefined => {
    const i = args.indexOf(name)
    return i >= 0 ? args[i + 1] : undefined
  }
  const ms = Number(at('--ms') ?? 1000)
  const runs = Number(at('--runs') ?? 7)
  const only = at('--only')
  console.log(`HTTP/1 head parser, ${typeof Bun !== 'undefined' ? `Bun ${Bun.version}` : 'runtime ?'}; ${runs} runs of ${ms} ms: best (median)`)
  console.log('case'.padEnd(36) + 'whole: msg/s        ns/msg'.padEnd(34) + 'sliced in 2: msg/s   ns/msg')
  const fmt = ([best, med]: [number, number]): string =>
    `${(best / 1e6).toFixed(2)} M (${(med / 1e6).toFixed(2)})`.padEnd(20) + `${(1e9 / best).toFixed(0)} (${(1e9 / med).toFixed(0)})`.padEnd(14)
  for (const c of CASES) {
    if (only !== undefined && !c.name.includes(only)) continue
    console.log(c.name.padEnd(36) + fmt(measure(c, false, ms, runs)) + fmt(measure(c, true, ms, runs)))
  }
  if (sink === 42) console.log('')
}

main()
