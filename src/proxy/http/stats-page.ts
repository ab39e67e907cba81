/**
 * HAProxy's stats page, read-only (`stats enable`, `stats uri`, `stats refresh`,
 * `stats hide-version`, `stats show-node`, `stats show-desc`, `stats show-legends`): a GET, HEAD
 * or POST whose path (with its query) starts with the `stats uri` of the proxy whose
 * `http-request` rules just ran is answered by edgelb itself, 200, with a table per proxy
 * (HTML), or HAProxy's CSV when `;csv` follows the prefix. The rows are those of `show stat`
 * (src/proxy/stats.ts). The page is answered as HAProxy's stats applet answers: termination
 * `LR`, the `http-after-response` rules applied, the client connection kept.
 *
 * What would let a visitor act or would restrict who sees it (`stats admin`, `stats auth`,
 * `stats http-request`, `stats scope`) is not implemented, and refused (fail closed).
 */
import type { ProxyConfig, StatsPageConfig } from '../../model/types.ts'
import { uriPathq } from '../../rules/http-sample.ts'
import type { HttpReply } from '../../rules/types.ts'
import { version } from '../../version.ts'
import type { HttpSession } from '../http-session.ts'
import { statCsv, statRows, type StatRow, type StatSource } from '../stats.ts'
import type { Stream } from './stream.ts'

/** A phase: answers with the stats page when the request is for `px`'s. */
export function statsPage(sess: HttpSession, st: Stream, px: ProxyConfig): boolean {
  const cfg = px.stats
  if (cfg === undefined) return true
  const req = st.req!
  const m = req.method
  if (m !== 'GET' && m !== 'HEAD' && m !== 'POST') return true
  const target = cfg.uri.charCodeAt(0) === 0x2f ? uriPathq(req.uri) : req.uri
  if (!target.startsWith(cfg.uri)) return true
  const options = target.slice(cfg.uri.length).split(';')
  const reply = renderStats(sess.fe.host, cfg, options.includes('csv'), options.includes('norefresh'))
  if (m === 'HEAD') reply.body = ''
  sess.answer(200, 'L', 'R', reply, true)
  return false
}

/** The page: CSV, or HTML (with `Refresh` when `stats refresh` is set and not `;norefresh`). */
export function renderStats(src: StatSource, cfg: StatsPageConfig, csv: boolean, norefresh = false): HttpReply {
  if (csv) return { status: 200, headers: [['cache-control', 'no-cache'], ['content-type', 'text/plain']], body: statCsv(src) }
  const headers: [string, string][] = [['cache-control', 'no-cache'], ['content-type', 'text/html']]
  if (cfg.refresh !== undefined && !norefresh) headers.push(['refresh', String(Math.max(1, Math.round(cfg.refresh / 1000)))])
  return { status: 200, headers, body: statsHtml(src, cfg) }
}

const COLUMNS: readonly [string, (r: StatRow) => string | number | undefined][] = [
  ['Queue', (r) => r.qcur], ['Queue max', (r) => r.qmax], ['Sessions', (r) => r.scur], ['Sessions max', (r) => r.smax],
  ['Limit', (r) => r.slim], ['Total', (r) => r.stot], ['Bytes in', (r) => r.bin], ['Bytes out', (r) => r.bout],
  ['Conn. errors', (r) => r.econ], ['Retries', (r) => r.wretr], ['Redispatches', (r) => r.wredis],
  ['Status', (r) => r.status], ['Last check', (r) => check(r)], ['Weight', (r) => r.weight], ['Active', (r) => r.act],
  ['Backup', (r) => r.bck], ['Check failures', (r) => r.chkfail], ['Down transitions', (r) => r.chkdown],
]

function check(r: StatRow): string {
  if (r.check_status === undefined || r.check_status === '') return ''
  const code = r.check_code === undefined || r.check_code === '' ? '' : ` ${r.check_code}`
  const ms = r.check_duration === undefined || r.check_duration === '' ? '' : ` in ${r.check_duration}ms`
  return `${r.check_status}${code}${ms}`
}

const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)

function statsHtml(src: StatSource, cfg: StatsPageConfig): string {
  const title = cfg.hideVersion ? 'edgelb' : `edgelb version ${esc(version)}`
  let out = '<!DOCTYPE html>\n<html><head><title>Statistics Report for edgelb</title>\n' +
    '<style>body{font-family:sans-serif;font-size:12px}table{border-collapse:collapse;margin-bottom:1em}' +
    'th,td{border:1px solid #999;padding:2px 4px;text-align:right}th.px{background:#20a0ff;color:#fff;text-align:left}' +
    'td.name{text-align:left}tr.DOWN td,tr.MAINT td{background:#f88}tr.FRONTEND td,tr.BACKEND td{background:#eee}</style>\n' +
    `</head><body>\n<h1>Statistics Report for ${title}</h1>\n`
  if (cfg.showNode !== undefined) out += `<p>Node: ${esc(cfg.showNode === '' ? process.env['HOSTNAME'] ?? '' : cfg.showNode)}</p>\n`
  if (cfg.showDesc !== undefined) out += `<p>${esc(cfg.showDesc)}</p>\n`
  if (cfg.showLegends) out += '<p>FRONTEND and BACKEND rows sum up their proxy; a server row is DOWN when its checks failed, MAINT when put in maintenance.</p>\n'
  let current: string | undefined
  for (const r of statRows(src)) {
    if (r.pxname !== current) {
      if (current !== undefined) out += '</table>\n'
      current = String(r.pxname)
      out += `<table>\n<tr><th class="px" colspan="${COLUMNS.length + 1}">${esc(current)}</th></tr>\n<tr><th></th>${COLUMNS.map(([h]) => `<th>${h}</th>`).join('')}</tr>\n`
    }
    out += `<tr class="${esc(r.status)} ${esc(r.svname)}"><td class="name">${esc(r.svname)}</td>${COLUMNS.map(([, f]) => `<td>${esc(f(r))}</td>`).join('')}</tr>\n`
  }
  if (current !== undefined) out += '</table>\n'
  return out + '</body></html>\n'
}
