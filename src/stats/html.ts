/**
 * The stats page in HTML: HAProxy's layout (the process block with its colour legend, the
 * display options, then a table per proxy: FRONTEND, servers, BACKEND) and its colours for the
 * server states, with the cells read from the column table.
 */
import { ADMIN_ACTIONS } from './admin-form.ts'
import { hostname } from 'node:os'
import { version } from '../version.ts'
import type { Engine } from '../proxy/engine.ts'
import { formatUptime } from './uptime.ts'
import { COLUMN_BY_NAME, valueOf } from './columns.ts'
import { backendWeights, serverStatus } from './server-state.ts'
import type { BeRow, FeRow, LiRow, SrvRow, StatsRow, Value } from './types.ts'

export interface PageOptions {
  /** The page's URI prefix, for its own links. */
  readonly uri: string
  readonly refresh: number | undefined
  readonly noRefresh: boolean
  readonly hideDown: boolean
  readonly scope: string
  readonly hideVersion: boolean
  readonly node: string | undefined
  readonly desc: string | undefined
  /** `;st=CODE`: the outcome of an admin action, said above the tables. */
  readonly status: string | undefined
  /** `stats admin` holds for this request: each backend's servers get the admin form. */
  readonly admin?: boolean
}

/** What `;st=CODE` says (the codes HAProxy's admin form redirects with). */
const STATUS_TEXT: Readonly<Record<string, string>> = {
  DONE: 'Action processed successfully.',
  PART: 'Action not processed for some of the servers.',
  NONE: 'Nothing has changed.',
  DENY: 'Action denied: this page is read-only (stats admin is not enabled).',
  ERRP: 'Action not processed: invalid parameters.',
  EXCD: 'Action not processed: too much data.',
}

const ESC: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]!)
}

const v = (r: StatsRow, name: string): Value => valueOf(COLUMN_BY_NAME.get(name)!, r)
/** A cell's text: the value, or nothing. */
const cell = (r: StatsRow, name: string): string => {
  const x = v(r, name)
  return x === undefined ? '' : typeof x === 'number' ? String(x) : esc(x)
}

/** HAProxy's short durations: `12s`, `3m4s`, `2h5m`, `1d3h`. */
export function humanTime(sec: number): string {
  if (sec < 0) return '-'
  if (sec < 60) return `${sec}s`
  if (sec < 3600) return `${Math.floor(sec / 60)}m${sec % 60}s`
  if (sec < 86400) return `${Math.floor(sec / 3600)}h${Math.floor((sec % 3600) / 60)}m`
  return `${Math.floor(sec / 86400)}d${Math.floor((sec % 86400) / 3600)}h`
}

/** The row class of a server, which picks its colour (HAProxy's state classes). */
function serverClass(r: SrvRow): string {
  const s = r.s
  if (s.effectiveAdmin === 'maint') return 'maintain'
  const tier = s.backup ? 'backup' : 'active'
  const status = serverStatus(s, r.env.backendOf)
  if (status.startsWith('DRAIN')) return `${tier}_draining`
  if (status.startsWith('NOLB')) return `${tier}_nolb`
  if (status === 'no check') return `${tier}_no_check`
  if (status.startsWith('UP ')) return `${tier}_going_down`
  if (status === 'UP') return `${tier}_up`
  if (status.startsWith('DOWN ') && status !== 'DOWN (agent)') return `${tier}_going_up`
  return `${tier}_down`
}

const CSS = `body{font-family:arial,helvetica,sans-serif;font-size:12px;color:black;background:white}
th,td{font-size:10px}h1{font-size:x-large;margin-bottom:.5em}
h2{font-family:helvetica,arial;font-size:x-large;font-weight:bold;font-style:italic;color:#6020a0;margin:0}
h3{font-family:helvetica,arial;font-size:16px;font-weight:bold;color:#b00040;background:#e8e8d0;margin:0}
a.px:link,a.px:visited{color:#ffff40;text-decoration:none}a.lfsb{color:#000040;text-decoration:none}
table.tbl{border-collapse:collapse;border-style:none;margin-bottom:1em}
table.tbl td{text-align:right;border:1px solid gray;white-space:nowrap;padding:1px 3px}
table.tbl th{border:1px solid gray;padding:1px 3px;background:#20D0D0;color:#000}
table.tbl th.pxname{background:#b00040;color:#ffff40;font-weight:bold;border-style:solid solid none solid;padding:2px 3px;white-space:nowrap;text-align:left}
table.tbl th.empty{border-style:none;background:white}
table.tbl td.ac{text-align:center}table.tbl td.al{text-align:left}
table.lgd{border-collapse:collapse;border-width:1px;border-style:none none none solid;border-color:black}
table.lgd td{border:1px solid gray;padding:2px}table.lgd td.noborder{border-style:none;padding:2px;white-space:nowrap}
table.det{border-collapse:collapse;border-style:none}table.det th{text-align:left;border-style:none}
.hr{margin-top:.25em;border-color:black;border-bottom-style:solid}
.frontend{background:#e8e8d0}.backend{background:#e8e8d0}.socket{background:#d0d0d0}
.active_down{background:#ff9090}.active_going_up{background:#ffd020}.active_going_down{background:#ffffa0}
.active_up{background:#c0ffc0}.active_nolb{background:#20a0ff}.active_draining{background:#20a0ff}
.active_no_check{background:#e0e0e0}.backup_down{background:#ff9090}.backup_going_up{background:#ff80ff}
.backup_going_down{background:#c060ff}.backup_up{background:#b0d0ff}.backup_nolb{background:#90b0e0}
.backup_draining{background:#cc9900}.backup_no_check{background:#e0e0e0}.maintain{background:#c07820}
.rls{letter-spacing:.2em;margin-right:1px}`

const LEGEND: readonly (readonly [string, string])[] = [
  ['active_up', 'active UP'], ['backup_up', 'backup UP'],
  ['active_going_down', 'active UP, going down'], ['backup_going_down', 'backup UP, going down'],
  ['active_going_up', 'active DOWN, going up'], ['backup_going_up', 'backup DOWN, going up'],
  ['active_down', 'active or backup DOWN'], ['active_no_check', 'not checked'],
  ['maintain', 'active or backup DOWN for maintenance (MAINT)'], ['active_draining', 'active or backup SOFT STOPPED for maintenance'],
]

function head(o: PageOptions, title: string): string {
  return `<!DOCTYPE html>\n<html><head><title>${esc(title)}</title>\n<meta http-equiv="content-type" content="text/html; charset=utf-8">\n<style type="text/css">\n${CSS}\n</style></head>\n<body>\n`
}

/** The process block: who, since when, how busy; the colour legend; the display options. */
function info(engine: Engine, o: PageOptions, rows: readonly StatsRow[]): string {
  const up = formatUptime(Math.floor(performance.now() / 1000))
  const node = o.node === undefined ? '' : ` on ${esc(o.node)}`
  const ver = o.hideVersion ? '' : ` version ${esc(version)}`
  let conns = 0
  for (const fe of engine.frontends) conns += fe.cur
  const here = `${o.uri}${o.scope !== '' ? `;scope=${encodeURIComponent(o.scope)}` : ''}`
  const opt = (suffix: string): string => esc(`${o.uri}${suffix}${o.scope !== '' ? `;scope=${encodeURIComponent(o.scope)}` : ''}`)
  const legend = LEGEND.map(([cls, text], i) => `${i % 2 === 0 ? '<tr>' : ''}<td class="${cls}">&nbsp;</td><td class="noborder">${esc(text)}</td>${i % 2 === 1 ? '</tr>\n' : ''}`).join('')
  return `<h1><a href="${esc(o.uri)}" style="text-decoration:none;">edgelb${ver}</a></h1>\n` +
    `<h2>Statistics Report for pid ${process.pid}${node}</h2>\n` +
    (o.desc !== undefined ? `<h2>${esc(o.desc)}</h2>\n` : '') +
    `<hr width="100%" class="hr">\n<h3>&gt; General process information</h3>\n` +
    `<table border=0><tr><td align="left" nowrap width="1%"><p><b>pid = </b> ${process.pid} (process #1, nbproc = 1, nbthread = ${engine.nbthread})<br>\n` +
    `<b>uptime = </b> ${up}<br>\n<b>maxconn = </b> ${engine.globalMaxconn >= Number.MAX_SAFE_INTEGER ? 'unlimited' : engine.globalMaxconn}<br>\n` +
    `<b>current conns = </b> ${conns}; <b>proxies shown = </b> ${new Set(rows.map((r) => r.px.name)).size}<br>\n</td>` +
    `<td align="center" nowrap><table class="lgd"><tbody>\n${legend}</tbody></table>` +
    `Note: "NOLB"/"DRAIN" = UP with load-balancing disabled.</td>` +
    `<td align="left" valign="top" nowrap width="1%"><b>Display option:</b><ul>` +
    `<li><form method="GET" action="${esc(o.uri)}">Scope : <input value="${esc(o.scope)}" type="text" name="scope" size="8" maxlength="31"></form></li>\n` +
    (o.hideDown ? `<li><a href="${opt('')}">Show all servers</a><br>\n` : `<li><a href="${opt(';up')}">Hide 'DOWN' servers</a><br>\n`) +
    (o.refresh !== undefined ? (o.noRefresh ? `<li><a href="${esc(here)}">Enable refresh</a><br>\n` : `<li><a href="${opt(';norefresh')}">Disable refresh</a><br>\n`) : '') +
    `<li><a href="${opt(o.noRefresh ? ';norefresh' : '')}">Refresh now</a><br>\n` +
    `<li><a href="${opt(';csv')}">CSV export</a><br>\n<li><a href="${opt(';json')}">JSON export</a><br>\n</ul></td>` +
    `<td align="left" valign="top" nowrap width="1%"><b>External resources:</b><ul>` +
    `<li><a href="https://www.haproxy.org/download/2.6/doc/management.txt">CSV and CLI formats</a><br>\n</ul></td></tr></table>\n`
}

const HEAD_ROWS = '<tr class="titre"><th rowspan=2></th><th colspan=3>Queue</th><th colspan=3>Session rate</th><th colspan=6>Sessions</th>' +
  '<th colspan=2>Bytes</th><th colspan=2>Denied</th><th colspan=3>Errors</th><th colspan=2>Warnings</th><th colspan=9>Server</th></tr>\n' +
  '<tr class="titre"><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th>' +
  '<th>Total</th><th>LbTot</th><th>Last</th><th>In</th><th>Out</th><th>Req</th><th>Resp</th><th>Req</th><th>Conn</th><th>Resp</th>' +
  '<th>Retr</th><th>Redis</th><th>Status</th><th>LastChk</th><th>Wght</th><th>Act</th><th>Bck</th><th>Chk</th><th>Dwn</th><th>Dwntme</th><th>Thrtle</th></tr>\n'

const td = (x: string, cls = ''): string => `<td${cls ? ` class=${cls}` : ''}>${x}</td>`

function feRow(r: FeRow): string {
  return `<tr class="frontend">${td('Frontend', 'al')}${td('')}${td('')}${td('')}` +
    `${td(cell(r, 'rate'))}${td(cell(r, 'rate_max'))}${td(cell(r, 'rate_lim') === '0' ? '' : cell(r, 'rate_lim'))}` +
    `${td(cell(r, 'scur'))}${td(cell(r, 'smax'))}${td(cell(r, 'slim'))}${td(cell(r, 'stot'))}${td('')}${td('')}` +
    `${td(cell(r, 'bin'))}${td(cell(r, 'bout'))}${td(cell(r, 'dreq'))}${td(cell(r, 'dresp'))}${td(cell(r, 'ereq'))}${td('')}${td('')}` +
    `${td('')}${td('')}${td(cell(r, 'status'), 'ac')}${td('')}${td('')}${td('')}${td('')}${td('')}${td('')}${td('')}${td('')}</tr>\n`
}

/** A listener (`option socket-stats`): its sessions, bytes, denials and status, as the frontend row. */
function liRow(r: LiRow): string {
  return `<tr class="socket">${td(`<a name="${esc(`${r.px.name}/+${r.li.name}`)}"></a>${esc(r.li.name)}`, 'al')}${td('')}${td('')}${td('')}` +
    `${td('')}${td('')}${td('')}` +
    `${td(cell(r, 'scur'))}${td(cell(r, 'smax'))}${td(cell(r, 'slim'))}${td(cell(r, 'stot'))}${td('')}${td('')}` +
    `${td(cell(r, 'bin'))}${td(cell(r, 'bout'))}${td(cell(r, 'dreq'))}${td(cell(r, 'dresp'))}${td(cell(r, 'ereq'))}${td('')}${td('')}` +
    `${td('')}${td('')}${td(cell(r, 'status'), 'ac')}${td('')}${td('')}${td('')}${td('')}${td('')}${td('')}${td('')}${td('')}</tr>\n`
}

function srvRow(r: SrvRow, admin: boolean): string {
  const s = r.s
  const last = v(r, 'lastsess') as number
  const chk = cell(r, 'check_status')
  const code = cell(r, 'check_code')
  const dur = cell(r, 'check_duration')
  const lastChk = chk === '' ? '' : `${chk}${code !== '' ? `/${code}` : ''}${dur !== '' ? ` in ${dur}ms` : ''}`
  const status = esc(serverStatus(s, r.env.backendOf))
  const box = admin ? `<input type="checkbox" name="s" value="${esc(s.name)}">` : ''
  return `<tr class="${serverClass(r)}">${td(`${box}<a name="${esc(`${r.px.name}/${s.name}`)}"></a>${esc(s.name)}`, 'al')}` +
    `${td(cell(r, 'qcur'))}${td(cell(r, 'qmax'))}${td(cell(r, 'qlimit') || '-')}` +
    `${td(cell(r, 'rate'))}${td(cell(r, 'rate_max'))}${td('')}` +
    `${td(cell(r, 'scur'))}${td(cell(r, 'smax'))}${td(cell(r, 'slim') || '-')}${td(cell(r, 'stot'))}${td(cell(r, 'lbtot'))}${td(humanTime(last))}` +
    `${td(cell(r, 'bin'))}${td(cell(r, 'bout'))}${td('')}${td(cell(r, 'dresp'))}${td('')}${td(cell(r, 'econ'))}${td(cell(r, 'eresp'))}` +
    `${td(cell(r, 'wretr'))}${td(cell(r, 'wredis'))}` +
    `${td(`${humanTime(v(r, 'lastchg') as number)} ${status}`, 'ac')}${td(lastChk, 'al')}${td(`${cell(r, 'weight')}/${cell(r, 'uweight')}`, 'ac')}` +
    `${td(s.backup ? '-' : 'Y', 'ac')}${td(s.backup ? 'Y' : '-', 'ac')}${td(cell(r, 'chkfail'))}${td(cell(r, 'chkdown'))}` +
    `${td(v(r, 'downtime') === undefined ? '' : humanTime(v(r, 'downtime') as number))}${td(cell(r, 'throttle') === '' ? '-' : `${cell(r, 'throttle')} %`, 'ac')}</tr>\n`
}

function beRow(r: BeRow): string {
  const w = backendWeights(r.be)
  const dt = v(r, 'downtime')
  return `<tr class="backend">${td('Backend', 'al')}${td(cell(r, 'qcur'))}${td(cell(r, 'qmax'))}${td('')}` +
    `${td(cell(r, 'rate'))}${td(cell(r, 'rate_max'))}${td('')}` +
    `${td(cell(r, 'scur'))}${td(cell(r, 'smax'))}${td(cell(r, 'slim'))}${td(cell(r, 'stot'))}${td(cell(r, 'lbtot'))}${td(humanTime(v(r, 'lastsess') as number))}` +
    `${td(cell(r, 'bin'))}${td(cell(r, 'bout'))}${td(cell(r, 'dreq'))}${td(cell(r, 'dresp'))}${td('')}${td(cell(r, 'econ'))}${td(cell(r, 'eresp'))}` +
    `${td(cell(r, 'wretr'))}${td(cell(r, 'wredis'))}` +
    `${td(`${humanTime(v(r, 'lastchg') as number)} ${cell(r, 'status')}`, 'ac')}${td('')}${td(`${w.weight}/${w.uweight}`, 'ac')}` +
    `${td(cell(r, 'act'), 'ac')}${td(cell(r, 'bck'), 'ac')}${td('')}${td(cell(r, 'chkdown'))}${td(dt === undefined ? '' : humanTime(dt as number))}${td('')}</tr>\n`
}

/** The end of a backend's admin form: the action list, the backend's number, the button. */
function adminFormEnd(iid: number): string {
  const options = ADMIN_ACTIONS.map(([v, label]) => `<option value="${v}">${label}</option>`).join('')
  return `Choose the action to perform on the checked servers : <select name=action><option value="">Choose an action</option>${options}</select>` +
    `<input type="hidden" name="b" value="#${iid}">&nbsp;<input type="submit" value="Apply"></form>\n`
}

/** The whole page for these rows (already filtered by scope and `;up`). */
export function renderHtml(engine: Engine, rows: readonly StatsRow[], o: PageOptions): string {
  const title = `Statistics Report for edgelb on ${o.node ?? hostname()}`
  let out = head(o, title) + info(engine, o, rows)
  if (o.status !== undefined) {
    const ok = o.status === 'DONE' || o.status === 'NONE'
    out += `<p><div class=${ok ? 'active_up' : 'active_down'}><b>${esc(STATUS_TEXT[o.status] ?? 'Unexpected result.')}</b></div>\n`
  }
  let px = ''
  let form = ''
  for (const r of rows) {
    if (r.px.name !== px) {
      if (px !== '') out += '</table>\n' + form
      px = r.px.name
      // The admin form around a backend's table: its servers' checkboxes, then the action.
      const withForm = o.admin === true && r.px.kind !== 'frontend' && rows.some((x) => x.kind === 'srv' && x.px === r.px)
      form = withForm ? adminFormEnd(r.iid) : ''
      if (withForm) out += `<form method="post" action="${esc(o.uri)}">\n`
      out += `<table class="tbl" width="100%">\n<tr class="titre"><th class="pxname" width="10%"><a name="${esc(px)}"></a><a class=px href="#${esc(px)}">${esc(px)}</a></th><th class="empty" width="90%"></th></tr>\n</table>\n<table class="tbl" width="100%">\n${HEAD_ROWS}`
    }
    out += r.kind === 'fe' ? feRow(r) : r.kind === 'li' ? liRow(r) : r.kind === 'srv' ? srvRow(r, o.admin === true) : beRow(r)
  }
  if (px !== '') out += '</table>\n' + form
  return out + '</body></html>\n'
}
