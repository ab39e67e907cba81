/**
 * `http-request normalize-uri` normalizers, as HAProxy 2.6 defines them. Each takes the part of
 * the URI it works on (the path without its query, or the path with it) and returns the new
 * text, or `undefined` when a strict normalizer meets an invalid `%` escape.
 */

/** `path-merge-slashes`: runs of `/` become one. */
export function mergeSlashes(path: string): string {
  return path.replace(/\/{2,}/g, '/')
}

/** `path-strip-dot`: `.` segments go (`/a/./b` → `/a/b`, `/a/.` → `/a/`). */
export function stripDot(path: string): string {
  const segs = path.split('/')
  let out = ''
  for (let i = 0; i < segs.length; i++) {
    if (segs[i] === '.') continue
    out += segs[i]!
    if (i < segs.length - 1) out += '/'
  }
  return out
}

/** `path-strip-dotdot [full]`: `segment/..` pairs go, read from the end; `..` left over at the
 *  start stay (`/../b`), or go too with `full`. */
export function stripDotdot(path: string, full: boolean): string {
  let head = ''
  let up = 0
  let offset = path.length - 1
  if (offset >= 2 && path.endsWith('/..')) { up++; offset -= 2 }
  while (offset >= 0) {
    if (offset >= 3 && path.startsWith('/../', offset - 3)) { up++; offset -= 3; continue }
    if (up > 0) {
      offset--
      if (offset >= 0) {
        up--
        while (offset >= 0 && path[offset] !== '/') offset--
      }
    } else {
      const end = offset + 1
      offset--
      while (offset >= 0 && path[offset] !== '/') offset--
      head = path.slice(offset + 1, end) + head
      // The slash that starts this segment was taken with it (path[offset + 1]).
    }
  }
  if (up > 0) {
    head = '/' + head
    if (!full) head = '/..'.repeat(up) + head
  }
  return head
}

/** `query-sort-by-name`: the parameters of `?query` in the order of their names (a stable sort:
 *  parameters of one name keep their order). `query` starts with `?`. */
export function sortQuery(query: string): string {
  const params = query.slice(1).split('&')
  const keyed = params.map((p, i) => ({ p, name: p.split('=')[0]!, i }))
  keyed.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.i - b.i))
  return '?' + keyed.map((k) => k.p).join('&')
}

const HEX = /^[0-9A-Fa-f]{2}$/

/** `percent-to-uppercase [strict]`: `%xx` escapes in upper case. */
export function percentUpper(s: string, strict: boolean): string | undefined {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (c !== '%') { out += c; continue }
    const h = s.slice(i + 1, i + 3)
    if (HEX.test(h)) { out += '%' + h.toUpperCase(); i += 2; continue }
    if (strict) return undefined
    out += c
  }
  return out
}

/** `percent-decode-unreserved [strict]`: escapes of RFC 3986's unreserved characters decoded. */
export function percentDecodeUnreserved(s: string, strict: boolean): string | undefined {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (c !== '%') { out += c; continue }
    const h = s.slice(i + 1, i + 3)
    if (HEX.test(h)) {
      const ch = String.fromCharCode(parseInt(h, 16))
      out += /^[A-Za-z0-9._~-]$/.test(ch) ? ch : '%' + h
      i += 2
      continue
    }
    if (strict) return undefined
    out += c
  }
  return out
}

/** `fragment-strip`: what follows `#` goes, the `#` with it. */
export function fragmentStrip(s: string): string {
  const i = s.indexOf('#')
  return i < 0 ? s : s.slice(0, i)
}

/** `fragment-encode`: every `#` becomes `%23`. */
export function fragmentEncode(s: string): string {
  return s.replace(/#/g, '%23')
}
