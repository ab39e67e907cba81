/**
 * Cookie persistence (`cookie NAME insert|rewrite|prefix|<passive> …` with server `cookie VALUE`),
 * the request side and the response side, and the two letters it adds to the httplog termination
 * state:
 *
 *   request (what the client presented)       response (what edgelb did to Set-Cookie)
 *   N  no cookie                               N  nothing to do (no cookie set)
 *   I  a value no server has                   I  inserted
 *   D  a server that is down (then balanced,   P  the server's cookie passed as it was
 *      unless `option persist` keeps it)       R  rewritten or prefixed
 *   V  valid: the request went there           D  the server's own cookie deleted (insert mode)
 *   -  no persistence configured               -  no persistence configured
 *
 * Several servers may share one value (an active server and its backup, guide §4.2 and §5): the
 * first usable one in declaration order wins; with `option persist` (or force-persist) a server
 * that checks see down still takes its users while it accepts connections.
 */
import type { CookieConfig, ServerConfig } from '../model/types.ts'
import { findCookie, removeCookie, replaceCookieValue, setCookieName } from './cookie.ts'
import type { H1Head } from './types.ts'

/** `prefix` mode separates the server's value from the application's with this. */
const PREFIX_SEP = '~'

/** What persistence reads of a server (backend/server.ts `Server` is one): its `cookie` value,
 *  whether it takes new traffic, and whether it is in maintenance. */
export interface PersistServer {
  readonly cfg: Pick<ServerConfig, 'cookie'>
  readonly usable: boolean
  readonly admin: string
}

export type ReqCookieFlag = 'N' | 'I' | 'D' | 'V' | '-'
export type ResCookieFlag = 'N' | 'I' | 'P' | 'R' | 'D' | '-'

export interface RequestPersistence<S extends PersistServer = PersistServer> {
  /** The server the cookie designates, when it may be used (with flag D: down, and used anyway
   *  under `option persist`). */
  readonly server: S | undefined
  readonly flag: ReqCookieFlag
}

// The outcomes without a server, one object each.
const NO_COOKIE: RequestPersistence<never> = Object.freeze({ server: undefined, flag: 'N' })
const UNKNOWN_VALUE: RequestPersistence<never> = Object.freeze({ server: undefined, flag: 'I' })
const SERVER_DOWN: RequestPersistence<never> = Object.freeze({ server: undefined, flag: 'D' })

/**
 * Reads the persistence cookie of a request and edits it for the server: `prefix` strips
 * `SRV~`, `insert indirect` removes the cookie. `persist`: use a matching server even when it is
 * down (not in maintenance).
 */
export function requestCookie<S extends PersistServer>(cfg: CookieConfig, servers: readonly S[], req: H1Head, persist: boolean): RequestPersistence<S> {
  const h = req.headers
  let at = h.find('cookie', 0)
  while (at >= 0) {
    const header = h.value(at)
    const pair = findCookie(header, cfg.name)
    if (!pair) { at = h.find('cookie', at + 1); continue }
    let key = pair.value
    if (cfg.method === 'prefix') {
      const sep = key.indexOf(PREFIX_SEP)
      if (sep < 0) return NO_COOKIE // the application's own cookie, not yet prefixed
      h.setValue(at, replaceCookieValue(header, pair, key.slice(sep + 1)))
      key = key.slice(0, sep)
    } else if (cfg.method === 'insert' && cfg.indirect) {
      const rest = removeCookie(header, pair)
      if (rest === '') h.removeAt(at)
      else h.setValue(at, rest)
    }
    return pick(servers, key, persist)
  }
  return NO_COOKIE
}

function pick<S extends PersistServer>(servers: readonly S[], key: string, persist: boolean): RequestPersistence<S> {
  let sawDown = false
  let fallback: S | undefined
  for (const s of servers) {
    if (s.cfg.cookie !== key) continue
    if (s.usable) return { server: s, flag: 'V' }
    sawDown = true
    if (persist && !fallback && s.admin !== 'maint') fallback = s
  }
  if (fallback) return { server: fallback, flag: 'D' }
  return sawDown ? SERVER_DOWN : UNKNOWN_VALUE
}

/**
 * Applies persistence to a response from `server`: insert the cookie (unless the client
 * presented this server's value already), or rewrite/prefix the server's own cookie. Returns the
 * response flag and whether a cookie was inserted (`nocache` then needs Cache-Control).
 */
export function responseCookie(cfg: CookieConfig, server: PersistServer | null, reqFlag: ReqCookieFlag, reqServer: PersistServer | undefined, method: string, res: H1Head): ResCookieFlag {
  const value = server?.cfg.cookie
  const h = res.headers
  if (cfg.method === 'prefix' || cfg.method === 'rewrite') {
    if (value === undefined) return 'N'
    let flag: ResCookieFlag = 'N'
    for (let i = h.find('set-cookie', 0); i >= 0; i = h.find('set-cookie', i + 1)) {
      const v = h.value(i)
      const c = setCookieName(v)
      if (!c || c.name !== cfg.name) continue
      const app = v.slice(c.valueStart, c.valueEnd)
      const next = cfg.method === 'prefix' ? value + PREFIX_SEP + app : value
      h.setValue(i, v.slice(0, c.valueStart) + next + v.slice(c.valueEnd))
      flag = 'R'
    }
    return flag
  }
  if (cfg.method !== 'insert') return '-'
  // The server's own cookie of the same name: kept with `preserve` (and then nothing is
  // inserted), otherwise replaced by ours.
  let flag: ResCookieFlag = 'N'
  for (let i = h.find('set-cookie', 0); i >= 0; i = h.find('set-cookie', i + 1)) {
    const c = setCookieName(h.value(i))
    if (!c || c.name !== cfg.name) continue
    if (cfg.preserve) return 'P'
    h.removeAt(i)
    i--
    flag = 'D'
  }
  if (value === undefined) return flag
  if (reqFlag === 'V' && reqServer === server) return flag
  if (cfg.postonly && method !== 'POST') return flag
  h.add('Set-Cookie', insertedCookie(cfg, value))
  return 'I'
}

function insertedCookie(cfg: CookieConfig, value: string): string {
  let s = `${cfg.name}=${value}; path=/`
  for (const d of cfg.domains) s += `; domain=${d}`
  if (cfg.httponly) s += '; HttpOnly'
  if (cfg.secure) s += '; Secure'
  for (const a of cfg.attrs) s += `; ${a}`
  return s
}

/** Statuses a shared cache may store by default (RFC 9110 §15.1), as edgelb judges cacheability. */
const CACHEABLE_STATUS = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501])

/**
 * Whether a shared cache could store this response, and so must be told `Cache-Control: private`
 * when a persistence cookie was inserted (`nocache`): a GET or HEAD answered with a cacheable
 * status and no Cache-Control/Pragma that already forbids it.
 */
export function isCacheable(method: string, req: H1Head, res: H1Head): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false
  if (!CACHEABLE_STATUS.has(res.status)) return false
  const reqCc = req.headers.get('cache-control')
  if (reqCc && /no-cache|no-store/i.test(reqCc)) return false
  const h = res.headers
  for (let i = h.find('cache-control', 0); i >= 0; i = h.find('cache-control', i + 1)) {
    if (/private|no-cache|no-store|max-age=0|s-maxage=0/i.test(h.value(i))) return false
  }
  const pragma = h.get('pragma')
  if (pragma && /no-cache/i.test(pragma)) return false
  return true
}
