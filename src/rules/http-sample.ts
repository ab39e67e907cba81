/**
 * Reading HTTP/1 heads for fetches: the parts of the request URI, header values split the way
 * HAProxy splits them, and cookies. Each function reads the head as it is now (after earlier
 * rules edited it) and allocates only the strings it returns.
 */
import type { H1Head, HeaderList } from '../http/types.ts'

/** Where the path starts in a request URI: after `scheme://authority` in absolute form. */
function pathStart(uri: string): number {
  if (uri.charCodeAt(0) === 47) return 0 // '/'
  const scheme = uri.indexOf('://')
  if (scheme < 0) return 0
  const slash = uri.indexOf('/', scheme + 3)
  return slash < 0 ? uri.length : slash
}

// The path of the last URI read: one request's rules read it several times (path_beg, path_end,
// path_reg…), and handing back the same string also keeps its hash for the next Map lookup.
let lastUri = ''
let lastPath = ''

/** The path (no query string). `*` and authority-form URIs are returned as written. */
export function uriPath(uri: string): string {
  if (uri === lastUri) return lastPath
  const start = pathStart(uri)
  const q = uri.indexOf('?', start)
  lastPath = start === 0 ? (q < 0 ? uri : uri.slice(0, q)) : uri.slice(start, q < 0 ? uri.length : q)
  lastUri = uri
  return lastPath
}

/** The scheme and authority of an absolute-form URI (`http://h`), '' in origin form: what
 *  rewriting the path or the query keeps. */
export function uriPrefix(uri: string): string {
  return uri.slice(0, pathStart(uri))
}

/** Path and query. */
export function uriPathq(uri: string): string {
  const start = pathStart(uri)
  return start === 0 ? uri : uri.slice(start)
}

/** The query string without '?', or undefined when there is no '?'. */
export function uriQuery(uri: string): string | undefined {
  const q = uri.indexOf('?')
  return q < 0 ? undefined : uri.slice(q + 1)
}

/** The authority of an absolute-form URI ('' otherwise). */
export function uriAuthority(uri: string): string {
  const scheme = uri.indexOf('://')
  if (scheme < 0 || uri.charCodeAt(0) === 47) return ''
  const slash = uri.indexOf('/', scheme + 3)
  return uri.slice(scheme + 3, slash < 0 ? uri.length : slash)
}

/** The first value of parameter `name` in the query string (`delim` between parameters). */
export function urlParam(uri: string, name: string, delim = '&'): string | undefined {
  const q = uri.indexOf('?')
  if (q < 0) return undefined
  let i = q + 1
  while (i <= uri.length) {
    let end = uri.indexOf(delim, i)
    if (end < 0) end = uri.length
    if (end - i >= name.length && uri.startsWith(name, i)) {
      const after = i + name.length
      if (after === end) return ''
      if (uri.charCodeAt(after) === 61) return uri.slice(after + 1, end)
    }
    i = end + 1
  }
  return undefined
}

/** The value of field `i` as fetches see it: without the spaces and tabs around it. A parsed
 *  field comes trimmed already; one a rule set (`set-header X " a "`) keeps them on the wire but
 *  not here, as HAProxy's header lookups skip them. */
export function fieldValue(h: HeaderList, i: number): string {
  const v = h.value(i)
  const n = v.length
  if (n === 0 || (!isLws(v.charCodeAt(0)) && !isLws(v.charCodeAt(n - 1)))) return v
  let a = 0
  let b = n
  while (a < b && isLws(v.charCodeAt(a))) a++
  while (b > a && isLws(v.charCodeAt(b - 1))) b--
  return v.slice(a, b)
}

/** Space, tab, CR, LF: HAProxy's linear white space. */
function isLws(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10
}

/** The first field named `lname`, trimmed as `fieldValue` does. */
export function firstValue(h: HeaderList, lname: string): string | undefined {
  const i = h.find(lname, 0)
  return i < 0 ? undefined : fieldValue(h, i)
}

// The visitors below get a context argument instead of capturing what they fill: a closure that
// captures locals makes its enclosing function allocate a scope on every call, and these run for
// every request that has rules reading headers or cookies.

/** A visitor of string values: returns true to stop. `ctx` is what the caller passed along. */
export type Visit<C> = (v: string, ctx: C) => boolean

/** Calls `visit` on every comma-separated value of every field named `lname` (quoted commas
 *  are kept), in order, until it returns true. */
export function eachHeaderValue<C>(h: HeaderList, lname: string, visit: Visit<C>, ctx: C): boolean {
  for (let i = h.find(lname, 0); i >= 0; i = h.find(lname, i + 1)) {
    const full = fieldValue(h, i)
    if (full.indexOf(',') < 0 ? visit(full, ctx) : eachCommaValue(full, visit, ctx)) return true
  }
  return false
}

/** Calls `visit` on each comma-separated value of `field`, trimmed (a comma between double
 *  quotes does not split), until it returns true. */
function eachCommaValue<C>(field: string, visit: Visit<C>, ctx: C): boolean {
  let from = 0
  let quoted = false
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i)
    if (c === 34) quoted = !quoted // "
    else if (c === 44 && !quoted) { // ,
      if (visit(field.slice(from, i).trim(), ctx)) return true
      from = i + 1
    }
  }
  return visit(field.slice(from).trim(), ctx)
}

const pushValue = (v: string, out: string[]): boolean => {
  out.push(v)
  return false
}

// What the counting and last-value visitors gather; one call at a time (rules run synchronously).
const counted = { n: 0 }
const countValue = (_: string, c: typeof counted): boolean => {
  c.n++
  return false
}
const kept = { last: undefined as string | undefined }
const keepValue = (v: string, k: typeof kept): boolean => {
  k.last = v
  return false
}
const keepFirst = (v: string, k: typeof kept): boolean => {
  k.last = v
  return true
}

/** Every comma-separated value of fields named `lname`, in order. */
function headerValues(h: HeaderList, lname: string): string[] {
  const out: string[] = []
  eachHeaderValue(h, lname, pushValue, out)
  return out
}

/** How many comma-separated values the fields named `lname` hold. */
export function countHeaderValues(h: HeaderList, lname: string): number {
  counted.n = 0
  eachHeaderValue(h, lname, countValue, counted)
  return counted.n
}

/** Occurrence `occ` of the values of `lname`: 1 = first, -1 = last, 0 = last. */
export function headerValueAt(h: HeaderList, lname: string, occ: number): string | undefined {
  // Fast path: a single field without commas (Host, most headers).
  const first = h.find(lname, 0)
  if (first < 0) return undefined
  if (h.find(lname, first + 1) < 0) {
    const v = fieldValue(h, first)
    if (v.indexOf(',') < 0) return occ === 0 || occ === 1 || occ === -1 ? v : undefined
  }
  const all = headerValues(h, lname)
  const idx = occ > 0 ? occ - 1 : all.length + (occ === 0 ? -1 : occ)
  return all[idx]
}

/** Whole field values (no comma splitting), as `req.fhdr`. */
export function fullHeaderAt(h: HeaderList, lname: string, occ: number): string | undefined {
  const idx: number[] = []
  for (let i = h.find(lname, 0); i >= 0; i = h.find(lname, i + 1)) idx.push(i)
  const k = occ > 0 ? occ - 1 : idx.length + (occ === 0 ? -1 : occ)
  return k >= 0 && k < idx.length ? fieldValue(h, idx[k]!) : undefined
}

export function splitCommas(v: string): string[] {
  const out: string[] = []
  eachCommaValue(v, pushValue, out)
  return out
}

/** Values of cookie `name` in the request's Cookie fields, in order (name '' = every cookie). */
export function eachRequestCookie<C>(h: HeaderList, name: string, visit: Visit<C>, ctx: C): boolean {
  for (let i = h.find('cookie', 0); i >= 0; i = h.find('cookie', i + 1)) {
    const line = fieldValue(h, i)
    let p = 0
    while (p < line.length) {
      let end = line.indexOf(';', p)
      if (end < 0) end = line.length
      let a = p
      while (a < end && (line.charCodeAt(a) === 32 || line.charCodeAt(a) === 9)) a++
      const eq = line.indexOf('=', a)
      if (eq > 0 && eq < end) {
        if (name === '' || (eq - a === name.length && line.startsWith(name, a))) {
          if (visit(line.slice(eq + 1, end).trim(), ctx)) return true
        }
      }
      p = end + 1
    }
  }
  return false
}

/** Values of cookie `name` set by the response's Set-Cookie fields (up to the first ';'). */
export function eachResponseCookie<C>(h: HeaderList, name: string, visit: Visit<C>, ctx: C): boolean {
  for (let i = h.find('set-cookie', 0); i >= 0; i = h.find('set-cookie', i + 1)) {
    const line = fieldValue(h, i)
    const eq = line.indexOf('=')
    if (eq < 0) continue
    if (name !== '' && line.slice(0, eq).trim() !== name) continue
    const semi = line.indexOf(';', eq)
    if (visit(line.slice(eq + 1, semi < 0 ? line.length : semi).trim(), ctx)) return true
  }
  return false
}

/** A cookie's value as `req.cook` / `res.cook` give it in a sample context: the last cookie of
 *  that name, or the first cookie of all when `name` is ''. */
export function cookieValue(each: typeof eachRequestCookie, h: HeaderList, name: string): string | undefined {
  kept.last = undefined
  each(h, name, name === '' ? keepFirst : keepValue, kept)
  return kept.last
}

export function countCookies(each: typeof eachRequestCookie, h: HeaderList, name: string): number {
  counted.n = 0
  each(h, name, countValue, counted)
  return counted.n
}

export function versionText(head: H1Head): string {
  return head.version === 11 ? '1.1' : head.version === 20 ? '2.0' : '1.0'
}
