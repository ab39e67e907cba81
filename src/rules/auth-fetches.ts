/**
 * The fetches of a request's credentials, as HAProxy reads them from its first `Authorization`
 * field: `http_auth(L)` (a Basic user and password that userlist L knows), `http_auth_group(L)`
 * (the user's name as a sample; in an ACL, whether the user is in one of the groups the patterns
 * name), and `http_auth_type`, `http_auth_user`, `http_auth_pass`, `http_auth_bearer([HDR])`.
 *
 * A field that does not parse (no scheme, Basic whose value is not base64 or has no colon) gives
 * no credentials: `http_auth` is false, the others give no sample.
 */
import { ConfigError } from '../model/source.ts'
import type { CompileCtx, FetchAny } from './context.ts'
import type { FetchDef } from './fetches.ts'
import { fieldValue } from './http-sample.ts'
import type { StreamView } from './types.ts'
import type { Userlist } from './userlist.ts'

interface Credentials {
  /** The scheme as HAProxy names it: `Basic`, `Digest`, `Bearer`, or the word as written. */
  type: string
  user?: string
  pass?: string
  /** What follows the scheme (a Bearer token). */
  rest: string
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Parses an Authorization field's value. */
export function parseAuthorization(v: string): Credentials | undefined {
  const sp = v.search(/[ \t]/)
  if (sp <= 0) return undefined
  const scheme = v.slice(0, sp)
  const rest = v.slice(sp + 1).trim()
  const lower = scheme.toLowerCase()
  if (lower === 'basic') {
    if (!BASE64.test(rest)) return { type: 'Basic', rest }
    const text = Buffer.from(rest, 'base64').toString('utf8')
    const colon = text.indexOf(':')
    if (colon < 0) return { type: 'Basic', rest }
    return { type: 'Basic', user: text.slice(0, colon), pass: text.slice(colon + 1), rest }
  }
  if (lower === 'digest') return { type: 'Digest', rest }
  if (lower === 'bearer') return { type: 'Bearer', rest }
  return { type: scheme, rest }
}

function credentialsOf(s: StreamView, header = 'authorization'): Credentials | undefined {
  const h = s.req?.headers
  if (!h) return undefined
  const i = h.find(header, 0)
  return i < 0 ? undefined : parseAuthorization(fieldValue(h, i))
}

function userlistArg(args: string[], ctx: CompileCtx, fetch: string): Userlist {
  const name = args[0] ?? ''
  const list = ctx.userlists?.get(name)
  if (list === undefined) {
    const known = [...(ctx.userlists?.keys() ?? [])]
    throw new ConfigError(`${fetch}: no userlist named '${name}'${known.length > 0 ? `; known: ${known.join(', ')}` : '; declare it in a userlist section'}`, ctx.at)
  }
  return list
}

/** The Basic user whose password userlist `list` accepts, if any. */
function authenticated(s: StreamView, list: Userlist): string | undefined {
  const c = credentialsOf(s)
  if (c?.user === undefined || c.pass === undefined) return undefined
  return list.check(c.user, c.pass) ? c.user : undefined
}

export const AUTH_FETCHES: readonly FetchDef[] = [
  {
    name: 'http_auth', type: 'bool', args: [1, 1],
    compile(args, ctx) {
      const list = userlistArg(args, ctx, 'http_auth')
      return (s) => (s.req ? authenticated(s, list) !== undefined : undefined)
    },
  },
  {
    name: 'http_auth_group', type: 'str', args: [1, 1],
    compile(args, ctx) {
      const list = userlistArg(args, ctx, 'http_auth_group')
      const any: FetchAny = (test) => (s) => {
        const user = authenticated(s, list)
        if (user === undefined) return false
        for (const g of list.groupsOf(user)) if (test(g, s)) return true
        return false
      }
      return { fn: (s) => authenticated(s, list), any }
    },
  },
  { name: 'http_auth_type', type: 'str', compile: () => (s) => credentialsOf(s)?.type },
  { name: 'http_auth_user', type: 'str', compile: () => (s) => credentialsOf(s)?.user },
  { name: 'http_auth_pass', type: 'str', compile: () => (s) => credentialsOf(s)?.pass },
  {
    name: 'http_auth_bearer', type: 'str', args: [0, 1],
    compile(args) {
      const header = (args[0] ?? '') === '' ? 'authorization' : args[0]!.toLowerCase()
      return (s) => { const c = credentialsOf(s, header); return c?.type === 'Bearer' && c.rest !== '' ? c.rest : undefined }
    },
  },
]
