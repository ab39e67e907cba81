/**
 * The `tcp-request connection|session|content` action tables. An action compiles to
 * `(stream) => 'accept' | 'reject' | undefined`; undefined lets the next rule run.
 */
import { ConfigError } from '../model/source.ts'
import { effectActions, type ActionKeyword } from './common-actions.ts'
import type { StreamView, TcpVerdict } from './types.ts'

export type TcpAction = (s: StreamView) => TcpVerdict | undefined
type TcpActionKeyword = ActionKeyword<TcpAction>

function verdict(kw: string, v: TcpVerdict): TcpActionKeyword {
  return {
    kw,
    compile(args, ctx) {
      if (args.length > 0) throw new ConfigError(`'${kw}' takes no argument; remove '${args.join(' ')}'`, ctx.at)
      return () => v
    },
  }
}

const effects = effectActions<TcpVerdict>()

const CONNECTION_EFFECTS = new Set(['track-sc0', 'track-sc1', 'track-sc2', 'sc-inc-gpc0', 'sc-inc-gpc1', 'sc-set-gpt0', 'set-var', 'set-var-fmt', 'unset-var', 'set-src', 'set-src-port', 'set-dst', 'set-dst-port'])

/** `expect-proxy layer4`: the connection begins with a PROXY protocol header, as on a bind with
 *  `accept-proxy`, read once the connection rules are done; evaluation goes on. */
const expectProxy: TcpActionKeyword = {
  kw: 'expect-proxy',
  compile(args, ctx) {
    if (args.length !== 1 || args[0] !== 'layer4') throw new ConfigError(`'expect-proxy' expects 'layer4': tcp-request connection expect-proxy layer4 [if COND]`, ctx.at)
    return (s) => { s.sess.expectProxy?.(); return undefined }
  },
}

/** `tcp-request session`: what connection rules do, once handshakes (a PROXY header) are over. */
export const TCP_SESSION_ACTIONS: readonly TcpActionKeyword[] = [
  verdict('accept', 'accept'),
  verdict('reject', 'reject'),
  verdict('silent-drop', 'reject'),
  ...effects.filter((e) => CONNECTION_EFFECTS.has(e.kw)),
]

export const TCP_CONNECTION_ACTIONS: readonly TcpActionKeyword[] = [...TCP_SESSION_ACTIONS, expectProxy]

export const TCP_CONTENT_ACTIONS: readonly TcpActionKeyword[] = [
  verdict('accept', 'accept'),
  verdict('reject', 'reject'),
  verdict('silent-drop', 'reject'),
  ...effects,
]

/** `tcp-response content`: what HAProxy's set offers of it (`close`, which ends the server side
 *  only, ends the session here, as `reject` does). */
const RESPONSE_EFFECTS = new Set(['set-var', 'set-var-fmt', 'unset-var', 'sc-inc-gpc0', 'sc-inc-gpc1', 'sc-set-gpt0', 'set-log-level'])
export const TCP_RESPONSE_ACTIONS: readonly TcpActionKeyword[] = [
  verdict('accept', 'accept'),
  verdict('reject', 'reject'),
  verdict('close', 'reject'),
  verdict('silent-drop', 'reject'),
  ...effects.filter((e) => RESPONSE_EFFECTS.has(e.kw)),
]
