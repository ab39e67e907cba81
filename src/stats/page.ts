/**
 * The stats page of one proxy (`stats enable`, `stats uri`…), as a Hono app: `stats auth`
 * (Hono's basic auth, credentials compared in constant time; a 401 with `WWW-Authenticate: Basic
 * realm="…"`, `HAProxy Statistics` by default, and nothing of the page), then the page in the
 * format the URI asks for, HAProxy's options read after the page's URI prefix:
 *
 *   ;csv  ;json  ;typed   the formats (HTML by default)       ;up        hide DOWN servers
 *   ;norefresh            no Refresh header                  ;no-maint  hide servers in MAINT
 *   scope=TEXT            only proxies whose name contains TEXT (within `stats scope`)
 *   ;st=CODE              the outcome of an admin action (DONE, DENY…), said above the tables
 *
 * `stats http-request` rules decide first (proxy/http/applets.ts evaluates them on the request):
 * `deny` answers 403, `auth [realm R]` 401, `allow` shows the page without `stats auth`.
 *
 * A POST is HAProxy's admin form (`b=#IID&s=SERVER&s=…&action=ACTION`): applied only when the
 * `stats admin` condition holds for this request, and after `stats auth`; otherwise refused with
 * `;st=DENY`, and nothing changes. The answer is a 303 back to the page with the outcome:
 * `;st=DONE` (every server changed), `PART` (some), `NONE` (nothing to change), `ERRP` (a
 * parameter missing or unknown: backend, server, action), `DENY`. The form is on the page only
 * where the condition holds.
 */
import type { Hono } from 'hono'
import { hostname } from 'node:os'
import type { ProxyConfig, StatsConfig } from '../model/types.ts'
import type { Applet, AppletReply, AppletRequest } from '../proxy/applet.ts'
import type { Engine } from '../proxy/engine.ts'
import { renderCsv } from './csv.ts'
import { renderHtml } from './html.ts'
import { renderJson } from './json.ts'
import { renderEnv, statsRows } from './rows.ts'
import { renderTyped } from './typed.ts'
import { adminAction } from './admin-form.ts'

export const DEFAULT_REALM = 'HAProxy Statistics'

const PAGE_403 = '<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n'
/** What `answer` tells the app of the page's rules (set only by it, from the proxy's verdict). */
const VERDICT = 'x-edgelb-stats-verdict'
const REALM = 'x-edgelb-stats-realm'
const ADMIN = 'x-edgelb-stats-admin'

const PAGE_401 = '<html><body><h1>401 Unauthorized</h1>\nCredentials are needed to reach this content.\n</body></html>\n'

/** The options written after the page's URI prefix. */
export interface PageRequest {
  format: 'html' | 'csv' | 'json' | 'typed'
  noRefresh: boolean
  hideDown: boolean
  hideMaint: boolean
  scope: string
  /** `;st=CODE`, the outcome an admin action redirected with. */
  status: string | undefined
}

/** Reads HAProxy's options in the URI after the prefix (HAProxy looks for each anywhere there). */
export function parsePageOptions(uri: string, prefix: string): PageRequest {
  const rest = uri.slice(prefix.length)
  const st = /;st=([A-Z]{4})/.exec(rest)
  const o: PageRequest = { format: 'html', noRefresh: rest.includes(';norefresh'), hideDown: rest.includes(';up'), hideMaint: rest.includes(';no-maint'), scope: '', status: st?.[1] }
  if (rest.includes(';csv')) o.format = 'csv'
  if (rest.includes(';typed')) o.format = 'typed'
  if (rest.includes(';json')) o.format = 'json'
  const m = /scope=([^;& ]*)/.exec(rest)
  if (m && /^[A-Za-z0-9_.:-]*$/.test(m[1]!)) o.scope = m[1]!.slice(0, 31)
  return o
}

/** Whether the page shows proxy `name`: within `stats scope` (when set), and containing the
 *  page's scope text (any case). */
function proxyFilter(p: ProxyConfig, cfg: StatsConfig, scope: string): (name: string) => boolean {
  const allowed = cfg.scope.length === 0 ? null : new Set(cfg.scope.map((s) => (s === '.' ? p.name : s)))
  const text = scope.toLowerCase()
  return (name) => (allowed === null || allowed.has(name)) && (text === '' || name.toLowerCase().includes(text))
}

/** The stats page of `p` (which has `stats` settings) over `engine`. Hono is loaded on the first
 *  request for it: a process that never shows a page never holds it (a few MB at rest). */
export function statsPage(engine: Engine, p: ProxyConfig): Applet {
  let app: Promise<Hono> | null = null
  return (req) => answer((app ??= pageApp(engine, p)), req)
}

async function pageApp(engine: Engine, p: ProxyConfig): Promise<Hono> {
  const [{ Hono }, { basicAuth }, { HTTPException }] = await Promise.all([import('hono'), import('hono/basic-auth'), import('hono/http-exception')])
  const cfg = p.stats!
  const app = new Hono()
  // `stats http-request`: its verdict, decided on the request before the page (a header only
  // `answer` below sets: the client's own headers are not passed on).
  app.use('*', async (c, next) => {
    const verdict = c.req.header(VERDICT)
    if (verdict === 'deny') return c.body(PAGE_403, 403, { 'cache-control': 'no-cache', 'content-type': 'text/html' })
    if (verdict === 'auth') {
      return c.body(PAGE_401, 401, { 'cache-control': 'no-cache', 'content-type': 'text/html', 'www-authenticate': `Basic realm="${c.req.header(REALM) || cfg.realm || DEFAULT_REALM}"` })
    }
    await next()
  })
  if (cfg.auths.length > 0) {
    const [first, ...more] = cfg.auths.map((a) => ({ username: a.user, password: a.password }))
    const auth = basicAuth({ ...first!, realm: cfg.realm ?? DEFAULT_REALM }, ...more)
    app.use('*', async (c, next) => (c.req.header(VERDICT) === 'allow' ? next() : auth(c, next)))
  }
  app.onError((err, c) => {
    if (err instanceof HTTPException && err.status === 401) {
      return c.body(PAGE_401, 401, { 'cache-control': 'no-cache', 'content-type': 'text/html', 'www-authenticate': err.getResponse().headers.get('www-authenticate') ?? `Basic realm="${DEFAULT_REALM}"` })
    }
    return c.body('', 500)
  })
  app.post('*', async (c) => {
    const uri = (c.req.header('x-edgelb-uri') ?? cfg.uri).replace(/;st=[A-Z]{4}/, '')
    const st = c.req.header(ADMIN) === '1' ? adminAction(engine, await c.req.text()) : 'DENY'
    return c.body('', 303, { 'cache-control': 'no-cache', location: `${uri};st=${st}` })
  })
  app.get('*', (c) => {
    const uri = c.req.header('x-edgelb-uri') ?? cfg.uri
    const o = parsePageOptions(uri, cfg.uri)
    const legends = cfg.showLegends
    const rows = statsRows(engine, renderEnv(engine, legends), { proxy: proxyFilter(p, cfg, o.scope), hideDown: o.hideDown, hideMaint: o.hideMaint })
    const headers: Record<string, string> = { 'cache-control': 'no-cache' }
    if (cfg.refresh !== undefined && !o.noRefresh) headers['refresh'] = String(Math.ceil(cfg.refresh / 1000))
    switch (o.format) {
      case 'csv': return c.body(renderCsv(rows), 200, { ...headers, 'content-type': 'text/plain' })
      case 'typed': return c.body(renderTyped(rows), 200, { ...headers, 'content-type': 'text/plain' })
      case 'json': return c.body(renderJson(rows), 200, { ...headers, 'content-type': 'application/json' })
      case 'html': {
        const node = cfg.showNode === undefined ? undefined : cfg.showNode || hostname()
        const html = renderHtml(engine, rows, {
          uri: cfg.uri, refresh: cfg.refresh, noRefresh: o.noRefresh, hideDown: o.hideDown, scope: o.scope,
          hideVersion: cfg.hideVersion, node, desc: cfg.showDesc, status: o.status, admin: c.req.header(ADMIN) === '1',
        })
        return c.body(html, 200, { ...headers, 'content-type': 'text/html' })
      }
    }
  })
  return app
}

/** Runs the app on an applet request; the reply carries the response whole. */
async function answer(made: Promise<Hono>, req: AppletRequest): Promise<AppletReply> {
  const app = await made
  const headers = new Headers({ 'x-edgelb-uri': req.uri })
  const auth = req.header('authorization')
  if (auth !== undefined) headers.set('authorization', auth)
  if (req.statsAdmin === true) headers.set(ADMIN, '1')
  const v = req.statsVerdict
  if (v !== undefined) {
    headers.set(VERDICT, v.action)
    if (v.action === 'auth' && v.realm !== undefined) headers.set(REALM, v.realm)
  }
  const method = req.method === 'HEAD' ? 'GET' : req.method
  const body = method === 'POST' && req.body ? req.body : null
  if (body !== null) headers.set('content-type', 'application/x-www-form-urlencoded')
  const res = await app.fetch(new Request('http://stats/', { method, headers, ...(body === null ? {} : { body }) }))
  const out: [string, string][] = []
  res.headers.forEach((v, k) => { out.push([k, v]) })
  return { status: res.status, headers: out, body: new Uint8Array(await res.arrayBuffer()) }
}
