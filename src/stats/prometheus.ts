/**
 * The `prometheus-exporter` service (`http-request use-service prometheus-exporter`): the
 * process, frontends, backends, servers and stick tables in Prometheus's text format 0.0.4, with
 * HAProxy's metric names, labels and types, so dashboards built for HAProxy's exporter read it:
 *
 *   haproxy_process_*, haproxy_frontend_*, haproxy_listener_* (`option socket-stats`),
 *   haproxy_backend_*, haproxy_server_*, haproxy_sticktable_*
 *                            labels proxy, server, listener, code (1xx…5xx, other), state, name, type
 *
 * A metric's samples are written together, after one `# HELP` and `# TYPE`, metric by metric in
 * HAProxy's order (the columns' order for proxies). States are one-hot gauges (`state` label);
 * times are in seconds; an empty cell is `NaN`. Query parameters: `scope=` (global, frontend,
 * backend, server, sticktable, `*`, or empty for none; repeatable), `no-maint`, and `metrics=`
 * (HAProxy 3.0's: comma-separated family names to keep, or with `-` to leave out; repeatable).
 * Beyond HAProxy, each http backend and server has its response times as a histogram.
 */
import { RTIME_BOUNDS } from '../backend/counters.ts'
import { version } from '../version.ts'
import type { Applet, AppletReply } from '../proxy/applet.ts'
import type { Engine } from '../proxy/engine.ts'
import { COLUMNS, valueOf, type Column } from './columns.ts'
import { infoFields } from './info.ts'
import { renderEnv, statsRows } from './rows.ts'
import { checkShown, lastReport, promServerState } from './server-state.ts'
import type { RowKind, StatsRow, Value } from './types.ts'

export type PromScope = 'global' | 'frontend' | 'listener' | 'backend' | 'server' | 'sticktable'
/** The scopes without `scope=`. Listeners are exported too then (scope=listener alone selects
 *  them): a query naming all of these gets them as well. */
const ALL_SCOPES: readonly PromScope[] = ['global', 'frontend', 'backend', 'server', 'sticktable']

/** The process metrics: `show info` field, metric name, type. */
const PROCESS_METRICS: readonly (readonly [string, string, 'gauge' | 'counter', string])[] = [
  ['Nbthread', 'nbthread', 'gauge', 'Number of started threads'],
  ['Nbproc', 'nbproc', 'gauge', 'Number of started processes (always 1)'],
  ['Process_num', 'relative_process_id', 'gauge', 'Relative process number (1)'],
  ['Uptime_sec', 'uptime_seconds', 'gauge', 'Seconds since the process started'],
  ['Start_time_sec', 'start_time_seconds', 'gauge', 'When the process started, in seconds since the epoch'],
  ['Memmax_bytes', 'max_memory_bytes', 'gauge', 'Memory limit, bytes (0: none)'],
  ['PoolAlloc_bytes', 'pool_allocated_bytes', 'gauge', 'Memory allocated, bytes'],
  ['PoolUsed_bytes', 'pool_used_bytes', 'gauge', 'Memory in use, bytes'],
  ['PoolFailed', 'pool_failures_total', 'counter', 'Failed allocations'],
  ['Ulimit-n', 'max_fds', 'gauge', 'File descriptor limit (0: not known)'],
  ['Maxsock', 'max_sockets', 'gauge', 'Socket limit (0: not known)'],
  ['Maxconn', 'max_connections', 'gauge', 'Connection limit (maxconn; 0: none)'],
  ['Hard_maxconn', 'hard_max_connections', 'gauge', 'Hard connection limit (0: none)'],
  ['CurrConns', 'current_connections', 'gauge', 'Connections now'],
  ['CumConns', 'connections_total', 'counter', 'Connections accepted since start'],
  ['CumReq', 'requests_total', 'counter', 'HTTP requests since start'],
  ['Maxpipes', 'max_pipes', 'gauge', 'Pipe limit'],
  ['PipesUsed', 'pipes_used_total', 'counter', 'Pipes in use'],
  ['PipesFree', 'pipes_free_total', 'counter', 'Pipes free'],
  ['ConnRate', 'current_connection_rate', 'gauge', 'Connections over the last second'],
  ['ConnRateLimit', 'limit_connection_rate', 'gauge', 'Connection rate limit (0: none)'],
  ['MaxConnRate', 'max_connection_rate', 'gauge', 'Highest connection rate of a frontend'],
  ['SessRate', 'current_session_rate', 'gauge', 'Sessions over the last second'],
  ['SessRateLimit', 'limit_session_rate', 'gauge', 'Session rate limit (0: none)'],
  ['MaxSessRate', 'max_session_rate', 'gauge', 'Highest session rate of a frontend'],
  ['CompressBpsIn', 'http_comp_bytes_in_total', 'counter', 'Bytes fed to the compressor (edgelb does not compress)'],
  ['CompressBpsOut', 'http_comp_bytes_out_total', 'counter', 'Bytes out of the compressor'],
  ['CompressBpsRateLim', 'limit_http_comp', 'gauge', 'Compression rate limit'],
  ['Tasks', 'current_tasks', 'gauge', 'Tasks now'],
  ['Run_queue', 'current_run_queue', 'gauge', 'Tasks waiting to run'],
  ['Idle_pct', 'idle_time_percent', 'gauge', 'Idle time, percent'],
  ['Stopping', 'stopping', 'gauge', '1 while the process is stopping'],
  ['Jobs', 'jobs', 'gauge', 'Active jobs (connections and listeners)'],
  ['Unstoppable Jobs', 'unstoppable_jobs', 'gauge', 'Jobs a soft stop waits for'],
  ['Listeners', 'listeners', 'gauge', 'Listening sockets'],
  ['ActivePeers', 'active_peers', 'gauge', 'Active peers'],
  ['ConnectedPeers', 'connected_peers', 'gauge', 'Connected peers'],
  ['DroppedLogs', 'dropped_logs_total', 'counter', 'Log lines dropped'],
  ['BusyPolling', 'busy_polling_enabled', 'gauge', '1 when busy polling is on'],
  ['FailedResolutions', 'failed_resolutions', 'counter', 'Failed DNS resolutions'],
  ['TotalBytesOut', 'bytes_out_total', 'counter', 'Bytes sent to clients'],
  ['TotalSplicdedBytesOut', 'spliced_bytes_out_total', 'counter', 'Bytes spliced to clients'],
  ['BytesOutRate', 'bytes_out_rate', 'gauge', 'Bytes sent over the last second'],
  ['CumRecvLogs', 'recv_logs_total', 'counter', 'Log lines received'],
]

/** The health check statuses the one-hot `check_status` metric lists (those with a verdict). */
const CHECK_STATES: readonly string[] = ['HANA', 'SOCKERR', 'L4OK', 'L4TOUT', 'L4CON', 'L6OK', 'L6TOUT', 'L6RSP', 'L7TOUT', 'L7RSP', 'L7OK', 'L7OKC', 'L7STS', 'PROCERR', 'PROCTOUT', 'PROCOK']
const SERVER_STATES = ['DOWN', 'UP', 'MAINT', 'DRAIN', 'NOLB'] as const

/** A label value with `\`, `"` and line breaks escaped. */
function label(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))
}

/** A value as Prometheus reads it: an integer, seconds with 6 decimals, or NaN. */
function num(v: Value, seconds = false): string {
  if (typeof v !== 'number') return 'NaN'
  return seconds ? (v / 1000).toFixed(6) : String(v)
}

export interface PromOptions {
  scopes: ReadonlySet<PromScope>
  noMaint: boolean
  /** `metrics=NAME,…` (only these metric families) and `metrics=-NAME,…` (all but these);
   *  undefined when the query has no `metrics=`. */
  include?: ReadonlySet<string>
  exclude?: ReadonlySet<string>
}

/** Reads `scope=` and `no-maint` from a request URI; undefined for a malformed query (400). */
export function parsePromQuery(uri: string): PromOptions | undefined {
  const q = uri.indexOf('?')
  const scopes = new Set<PromScope>()
  let anyScope = false
  let noMaint = false
  let include: Set<string> | undefined
  let exclude: Set<string> | undefined
  if (q >= 0) {
    for (const part of uri.slice(q + 1).split('#')[0]!.split('&')) {
      if (part === '') continue
      const eq = part.indexOf('=')
      let key: string
      let value: string | undefined
      try {
        key = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '))
        value = eq < 0 ? undefined : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '))
      } catch {
        return undefined
      }
      if (key === 'scope') {
        anyScope = true
        if (value === undefined || value.includes('=')) return undefined
        if (value === '') scopes.clear()
        else if (value === '*') for (const s of [...ALL_SCOPES, 'listener' as const]) scopes.add(s)
        else if ((ALL_SCOPES as readonly string[]).includes(value) || value === 'listener') scopes.add(value as PromScope)
        else return undefined
      } else if (key === 'no-maint') noMaint = true
      else if (key === 'metrics') {
        if (value === undefined) return undefined
        for (const name of value.split(',')) {
          if (name === '' || name === '-') continue
          if (name.startsWith('-')) (exclude ??= new Set()).add(name.slice(1))
          else (include ??= new Set()).add(name)
        }
      }
    }
  }
  return { scopes: anyScope ? scopes : new Set(ALL_SCOPES), noMaint, ...(include ? { include } : {}), ...(exclude ? { exclude } : {}) }
}

/** Writes one metric family: a header, then its samples; a family `metrics=` leaves out is
 *  skipped whole. */
class Writer {
  out = ''
  #header = ''
  #skip = false
  readonly #o: PromOptions

  constructor(o: PromOptions) {
    this.#o = o
  }

  family(name: string, type: string, help: string): void {
    const o = this.#o
    this.#skip = (o.include !== undefined && !o.include.has(name)) || (o.exclude !== undefined && o.exclude.has(name))
    this.#header = `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`
  }

  /** Whether the current family is written (a caller may skip computing its samples). */
  get wanted(): boolean {
    return !this.#skip
  }

  /** Continues the current family (the six `http_responses_total` columns share one). */
  sample(name: string, labels: string, value: string): void {
    if (this.#skip) return
    if (this.#header !== '') { this.out += this.#header; this.#header = '' }
    this.out += `${name}{${labels}} ${value}\n`
  }

  plain(name: string, value: string): void {
    if (this.#skip) return
    if (this.#header !== '') { this.out += this.#header; this.#header = '' }
    this.out += `${name} ${value}\n`
  }
}

const PREFIX: Readonly<Record<RowKind, string>> = { fe: 'haproxy_frontend_', be: 'haproxy_backend_', srv: 'haproxy_server_', li: 'haproxy_listener_' }
const LETTER: Readonly<Record<RowKind, string>> = { fe: 'f', be: 'b', srv: 's', li: 'l' }
const LISTENER_STATES = ['WAITING', 'OPEN', 'FULL', 'STOP'] as const
/** Columns counted only in http mode, skipped for tcp proxies (as HAProxy's exporter does). */
const HTTP_ONLY = new Set(['req_rate_max', 'req_tot', 'intercepted', 'cache_lookups', 'cache_hits', 'comp_in', 'comp_out', 'comp_byp', 'comp_rsp', 'hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other'])

function proxyMetrics(w: Writer, kind: RowKind, rows: readonly StatsRow[]): void {
  const mine = rows.filter((r) => r.kind === kind)
  let lastName = ''
  for (const c of COLUMNS) {
    const m = c.prom
    if (m === undefined || !m.on.includes(LETTER[kind])) continue
    const name = PREFIX[kind] + m.name
    if (name !== lastName) w.family(name, m.type, m.name === 'http_responses_total' ? 'HTTP responses by status class (the code label)' : c.desc)
    lastName = name
    if (w.wanted) for (const r of mine) writeSample(w, name, c, r)
  }
  if (kind === 'be' || kind === 'srv') responseTimeHistogram(w, kind, mine)
}

/** `le` of each bucket of the response-time histogram, in seconds. */
const LE: readonly string[] = [...RTIME_BOUNDS.map((ms) => String(ms / 1000)), '+Inf']

/** Beyond HAProxy: `haproxy_backend_response_time_seconds` / `haproxy_server_…`, the response
 *  times (Tr) of HTTP exchanges as a histogram (`_bucket` with `le`, `_sum`, `_count`). */
function responseTimeHistogram(w: Writer, kind: 'be' | 'srv', rows: readonly StatsRow[]): void {
  const name = `${PREFIX[kind]}response_time_seconds`
  w.family(name, 'histogram', 'Response times of HTTP exchanges (from the request sent to the response head), seconds')
  if (!w.wanted) return
  for (const r of rows) {
    if (r.px.mode !== 'http' || (r.kind !== 'be' && r.kind !== 'srv')) continue
    const c = r.kind === 'be' ? r.be.counters : r.s.counters
    const base = r.kind === 'srv' ? `proxy="${label(r.px.name)}",server="${label(r.s.name)}"` : `proxy="${label(r.px.name)}"`
    let n = 0
    for (let i = 0; i < LE.length; i++) {
      n += c.rtimeHist[i]!
      w.sample(`${name}_bucket`, `${base},le="${LE[i]}"`, String(n))
    }
    w.sample(`${name}_sum`, base, (c.rtimeSum / 1000).toFixed(3))
    w.sample(`${name}_count`, base, String(n))
  }
}

function writeSample(w: Writer, name: string, c: Column, r: StatsRow): void {
  if (HTTP_ONLY.has(c.name) && r.px.mode !== 'http') return
  const base = r.kind === 'srv' ? `proxy="${label(r.px.name)}",server="${label(r.s.name)}"`
    : r.kind === 'li' ? `proxy="${label(r.px.name)}",listener="${label(r.li.name)}"` : `proxy="${label(r.px.name)}"`
  switch (c.name) {
    case 'status': {
      if (r.kind === 'li') {
        const st = valueOf(c, r)
        for (const s of LISTENER_STATES) w.sample(name, `${base},state="${s}"`, s === st ? '1' : '0')
      } else if (r.kind === 'srv') {
        const st = promServerState(r.s)
        for (const s of SERVER_STATES) w.sample(name, `${base},state="${s}"`, s === st ? '1' : '0')
      } else {
        const up = r.kind === 'fe' ? !r.fe.stopped : r.be.up
        for (const s of ['DOWN', 'UP']) w.sample(name, `${base},state="${s}"`, (s === 'UP') === up ? '1' : '0')
      }
      return
    }
    case 'agg_server_check_status': {
      if (r.kind !== 'be' || r.be.servers.length === 0) return
      const counts = new Map<string, number>()
      for (const s of r.be.servers) counts.set(promServerState(s), (counts.get(promServerState(s)) ?? 0) + 1)
      for (const s of SERVER_STATES) w.sample(name, `${base},state="${s}"`, String(counts.get(s) ?? 0))
      return
    }
    case 'check_status': {
      if (r.kind !== 'srv' || !checkShown(r.s, r.health, false)) return
      const cur = lastReport(r.s, false)?.status
      for (const s of CHECK_STATES) w.sample(name, `${base},state="${s}"`, s === cur ? '1' : '0')
      return
    }
    case 'check_code': {
      if (r.kind !== 'srv' || !checkShown(r.s, r.health, false)) return
      w.sample(name, base, num(valueOf(c, r) ?? 0))
      return
    }
    case 'check_duration': {
      if (r.kind !== 'srv' || lastReport(r.s, false) === null) return
      w.sample(name, base, num(valueOf(c, r), true))
      return
    }
  }
  if (c.name.startsWith('hrsp_')) {
    w.sample(name, `${base},code="${c.name === 'hrsp_other' ? 'other' : c.name.slice(5)}"`, num(valueOf(c, r)))
    return
  }
  w.sample(name, base, num(valueOf(c, r), c.prom!.seconds === true))
}

/** The exposition text. */
export function renderPrometheus(engine: Engine, o: PromOptions): string {
  const w = new Writer(o)
  if (o.scopes.has('global')) {
    const info = new Map(infoFields(engine))
    for (const [field, name, type, help] of PROCESS_METRICS) {
      w.family(`haproxy_process_${name}`, type, help)
      w.plain(`haproxy_process_${name}`, num(info.get(field) as Value))
    }
    w.family('haproxy_process_build_info', 'gauge', 'Build information')
    w.sample('haproxy_process_build_info', `version="${label(version)}"`, '1')
  }
  const rows = statsRows(engine, renderEnv(engine, false), { hideMaint: o.noMaint })
  if (o.scopes.has('frontend')) proxyMetrics(w, 'fe', rows)
  if (o.scopes.has('listener') || ALL_SCOPES.every((s) => o.scopes.has(s))) proxyMetrics(w, 'li', rows)
  if (o.scopes.has('backend')) proxyMetrics(w, 'be', rows)
  if (o.scopes.has('server')) proxyMetrics(w, 'srv', rows)
  if (o.scopes.has('sticktable')) {
    const tables = [...engine.rules.tables.values()]
    for (const [metric, help, read] of [['size', 'Stick table size.', (t: typeof tables[number]) => t.size], ['used', 'Number of entries used in this stick table.', (t: typeof tables[number]) => t.count]] as const) {
      if (tables.length === 0) break
      w.family(`haproxy_sticktable_${metric}`, 'gauge', help)
      for (const t of tables) w.sample(`haproxy_sticktable_${metric}`, `name="${label(t.name)}",type="${t.type}"`, String(read(t)))
    }
  }
  return w.out
}

const BAD_QUERY = Buffer.from('<html><body><h1>400 Bad Request</h1>\nThe request could not be understood.\n</body></html>\n')
const HEADERS: readonly (readonly [string, string])[] = [['cache-control', 'no-cache'], ['content-type', 'text/plain; version=0.0.4']]

export function prometheusExporter(engine: Engine): Applet {
  return (req): AppletReply => {
    const o = parsePromQuery(req.uri)
    if (o === undefined) return { status: 400, headers: [['cache-control', 'no-cache'], ['content-type', 'text/html']], body: BAD_QUERY }
    return { status: 200, headers: HEADERS, body: Buffer.from(renderPrometheus(engine, o), 'utf8') }
  }
}
