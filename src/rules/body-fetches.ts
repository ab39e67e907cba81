/**
 * `req.body_param([NAME[,i]])`: a parameter of a url-encoded request body (what has arrived with
 * the head; all of it under `option http-buffer-request`), as HAProxy reads it: parameters end at
 * `&`, the value is given as written (no URL decoding), a name is matched as written unless `i`
 * follows it, and no name matches every parameter. In a sample, the first match; in an ACL, any.
 */
import { ConfigError } from '../model/source.ts'
import type { FetchAny, ValueTest } from './context.ts'
import type { FetchDef } from './fetches.ts'
import type { StreamView } from './types.ts'

/** Visits the value of each parameter of `body` named `name` ('' = every one) until `visit` is true. */
function eachParam(body: string, name: string, fold: boolean, visit: (v: string) => boolean): boolean {
  let i = 0
  while (i < body.length) {
    let end = body.indexOf('&', i)
    if (end < 0) end = body.length
    const eq = body.indexOf('=', i)
    const keyEnd = eq >= 0 && eq < end ? eq : end
    const key = body.slice(i, keyEnd)
    if (name === '' || (fold ? key.toLowerCase() === name : key === name)) {
      if (visit(keyEnd === end ? '' : body.slice(keyEnd + 1, end))) return true
    }
    i = end + 1
  }
  return false
}

const bodyText = (s: StreamView): string | undefined => {
  const b = s.reqBody
  return b === null || b === undefined ? undefined : Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1')
}

export const BODY_FETCHES: readonly FetchDef[] = [
  {
    name: 'req.body_param', type: 'str', args: [0, 2],
    compile(args, ctx) {
      const flag = args[1] ?? ''
      if (flag !== '' && flag !== 'i') throw new ConfigError(`req.body_param: the second argument is 'i' (ignore case), not '${flag}'`, ctx.at)
      const fold = flag === 'i'
      const name = fold ? (args[0] ?? '').toLowerCase() : (args[0] ?? '')
      const fn = (s: StreamView): string | undefined => {
        const body = bodyText(s)
        if (body === undefined) return undefined
        let out: string | undefined
        eachParam(body, name, fold, (v) => { out = v; return true })
        return out
      }
      const any: FetchAny = (test: ValueTest) => (s) => {
        const body = bodyText(s)
        return body !== undefined && eachParam(body, name, fold, (v) => test(v, s))
      }
      return { fn, any }
    },
  },
]
