/**
 * Responses edgelb writes itself: `return`, `deny`/`tarpit` with a body, and redirects
 * (`http-request redirect`, the legacy `redirect` keyword). Options are parsed at load; a reply
 * with nothing dynamic is one frozen object reused for every request.
 */
import { readFileSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { ConfigError } from '../model/source.ts'
import type { CompileCtx } from './context.ts'
import { compileLogFormat, constantFormat, type LogFormat } from './log-format.ts'
import { uriPath, uriQuery } from './http-sample.ts'
import type { HttpReply, StreamView } from './types.ts'

export type ReplyBuilder = (s: StreamView) => HttpReply

interface ReplyOptions {
  status: number
  /** Whether any body-related option was given (deny without one uses the errorfile). */
  hasBody: boolean
  build: ReplyBuilder
  constant: HttpReply | undefined
}

const REDIRECT_CODES = [301, 302, 303, 307, 308]

function readBodyFile(file: string, ctx: CompileCtx): string {
  const path = isAbsolute(file) ? file : resolve(ctx.fileDir, file)
  try {
    return readFileSync(path, 'utf8')
  } catch (e) {
    throw new ConfigError(`cannot read '${file}' (${path}): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, ctx.at)
  }
}

/**
 * `[status N] [content-type T] [string S | lf-string F | file F | lf-file F |
 *  default-errorfiles | errorfile F] [hdr NAME FMT]…` — the options of `return`, and of `deny`
 * and `tarpit` (which spell the status `deny_status N` too).
 */
export function parseReplyOptions(kw: string, args: string[], ctx: CompileCtx, defaultStatus: number): ReplyOptions {
  let status = defaultStatus
  let contentType: string | undefined
  let body: string | LogFormat = ''
  let hasBody = false
  const hdrs: [string, string | LogFormat][] = []
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!
    const v = args[i + 1]
    const need = (): string => {
      if (v === undefined) throw new ConfigError(`'${kw} … ${w}' expects a value`, ctx.at)
      i++
      return v
    }
    if (w === 'status' || w === 'deny_status') {
      const n = need()
      if (!/^\d{3}$/.test(n) || Number(n) < 200 || Number(n) > 599) throw new ConfigError(`'${kw} ${w}' expects an HTTP status from 200 to 599, not '${n}'`, ctx.at)
      status = Number(n)
    } else if (w === 'content-type') contentType = need()
    else if (w === 'string') { body = need(); hasBody = true }
    else if (w === 'lf-string') { const f = need(); body = constantFormat(f) ?? compileLogFormat(f, ctx); hasBody = true }
    else if (w === 'file') { body = readBodyFile(need(), ctx); hasBody = true }
    else if (w === 'lf-file') { body = compileLogFormat(readBodyFile(need(), ctx), ctx); hasBody = true }
    else if (w === 'errorfile' || w === 'errorfiles') { need(); hasBody = false }
    else if (w === 'default-errorfiles') hasBody = false
    else if (w === 'hdr') {
      const name = need()
      const fmt = args[++i]
      if (fmt === undefined) throw new ConfigError(`'${kw} … hdr ${name}' expects a value`, ctx.at)
      hdrs.push([name, constantFormat(fmt) ?? compileLogFormat(fmt, ctx)])
    } else throw new ConfigError(`unknown '${kw}' option '${w}'; known: status, content-type, string, lf-string, file, lf-file, errorfile, default-errorfiles, hdr`, ctx.at)
  }
  if (hasBody && contentType === undefined && body !== '') throw new ConfigError(`'${kw}' with a body needs 'content-type TYPE'`, ctx.at)
  const staticHeaders: [string, string][] = []
  // As HAProxy: a content type without a payload (none given, an empty string or file) is dropped.
  if (contentType !== undefined && body !== '') staticHeaders.push(['content-type', contentType])
  const dynamic = typeof body === 'function' || hdrs.some(([, v]) => typeof v === 'function')
  if (!dynamic) {
    for (const [n, v] of hdrs) if (v !== '') staticHeaders.push([n, v as string])
    const r: HttpReply = Object.freeze({ status, headers: staticHeaders, body: body as string })
    return { status, hasBody: hasBody || hdrs.length > 0, build: () => r, constant: r }
  }
  // A header whose value comes out empty is left out, as HAProxy does.
  const build: ReplyBuilder = (s) => {
    const headers = [...staticHeaders]
    for (const [n, v] of hdrs) {
      const value = typeof v === 'string' ? v : v(s)
      if (value !== '') headers.push([n, value])
    }
    return { status, headers, body: typeof body === 'string' ? body : body(s) }
  }
  return { status, hasBody: true, build, constant: undefined }
}

/**
 * `redirect location|prefix|scheme FMT [code N] [drop-query] [append-slash]
 *  [set-cookie NAME[=VALUE]] [clear-cookie NAME] [ignore-empty]`, the words in any order as
 *  HAProxy reads them → a builder of the 3xx reply; with `ignore-empty`, a target that comes out
 *  empty gives no reply (the rule does nothing).
 */
export function parseRedirect(args: string[], ctx: CompileCtx): (s: StreamView) => HttpReply | undefined {
  let type: string | undefined
  let target: string | undefined
  const opts: string[] = []
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!
    if (type === undefined && (w === 'location' || w === 'prefix' || w === 'scheme')) { type = w; target = args[++i]; continue }
    opts.push(w)
  }
  if (type === undefined || target === undefined) {
    throw new ConfigError(`'redirect' expects 'location', 'prefix' or 'scheme' and a value: redirect scheme https code 301`, ctx.at)
  }
  let code = 302
  let dropQuery = false
  let appendSlash = false
  let ignoreEmpty = false
  const cookies: string[] = []
  for (let i = 0; i < opts.length; i++) {
    const w = opts[i]!
    if (w === 'ignore-empty') ignoreEmpty = true
    else if (w === 'code') {
      const n = Number(opts[++i])
      if (!REDIRECT_CODES.includes(n)) throw new ConfigError(`redirect code must be one of ${REDIRECT_CODES.join(', ')}, not '${opts[i] ?? ''}'`, ctx.at)
      code = n
    } else if (w === 'drop-query') dropQuery = true
    else if (w === 'append-slash') appendSlash = true
    else if (w === 'set-cookie') {
      const c = opts[++i]
      if (c === undefined) throw new ConfigError(`'set-cookie' expects NAME[=VALUE]`, ctx.at)
      cookies.push(`${c.includes('=') ? c : c + '='}; path=/`)
    } else if (w === 'clear-cookie') {
      const c = opts[++i]
      if (c === undefined) throw new ConfigError(`'clear-cookie' expects NAME`, ctx.at)
      cookies.push(`${c.replace(/=.*$/, '')}=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/`)
    } else throw new ConfigError(`unknown redirect option '${w}'; known: code, drop-query, append-slash, set-cookie, clear-cookie, ignore-empty`, ctx.at)
  }
  const fmt = compileLogFormat(target, ctx)
  const rest = (s: StreamView): string => {
    if (!s.req) return ''
    let path = uriPath(s.req.uri)
    const q = uriQuery(s.req.uri)
    if (appendSlash && !path.endsWith('/') && (dropQuery || q === undefined)) path += '/'
    return dropQuery || q === undefined ? path : `${path}?${q}`
  }
  const location: (s: StreamView) => string =
    type === 'location'
      ? fmt
      : type === 'prefix'
        ? (s) => { const p = fmt(s); const r = rest(s); return p === '/' ? r : p.replace(/\/$/, '') + r }
        : (s) => { const host = s.req?.headers.get('host'); return `${fmt(s)}://${host ?? ''}${rest(s)}` }
  return (s) => {
    const loc = location(s)
    if (ignoreEmpty && loc === '') return undefined
    const headers: [string, string][] = [['location', loc]]
    for (const c of cookies) headers.push(['set-cookie', c])
    return { status: code, headers, body: '' }
  }
}
