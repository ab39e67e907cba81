/**
 * Small readings and edits of heads that several phases share: the captured header values, the
 * path of a request target, the Connection header.
 */
import type { H1Head } from '../../http/types.ts'
import type { Capture } from '../http-front.ts'

/** `capture request|response header` values of a head, cut to their lengths. A function of its
 *  own, not a closure in the phases: a closure there would make every call of them allocate a
 *  scope, captures configured or not. */
export function captured(list: readonly Capture[], h: H1Head): string[] {
  const out: string[] = []
  for (const c of list) out.push((h.headers.get(c.lname) ?? '').slice(0, c.len))
  return out
}

/** The path of a request target (origin form; the path of an absolute form). */
export function pathOf(uri: string): string {
  let start = 0
  if (uri.charCodeAt(0) !== 0x2f) {
    const scheme = uri.indexOf('://')
    if (scheme > 0) {
      const slash = uri.indexOf('/', scheme + 3)
      if (slash < 0) return '/'
      start = slash
    }
  }
  const q = uri.indexOf('?', start)
  return q < 0 ? (start === 0 ? uri : uri.slice(start)) : uri.slice(start, q)
}

/** How many Connection header lines a head has. */
export function countConnection(h: H1Head): number {
  let n = 0
  for (let i = h.headers.find('connection', 0); i >= 0; i = h.headers.find('connection', i + 1)) n++
  return n
}

/** Replaces the Connection header with one token, or removes it (null). */
export function setConnection(h: H1Head, token: string | null): void {
  h.headers.remove('connection')
  if (token !== null) h.headers.add('Connection', token)
}
