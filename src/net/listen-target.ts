import type { ListenAddr } from '../model/types.ts'
import type { ListenTarget } from './runtime.ts'

/** What the runtime binds for a configured listening address (`:80` binds every address). */
export function listenTarget(a: ListenAddr): ListenTarget {
  if (a.family === 'unix') return { kind: 'unix', path: a.path }
  if (a.family === 'fd') return { kind: 'fd', fd: a.fd }
  return { kind: 'tcp', host: a.host === '' ? (a.family === 'ipv6' ? '::' : '0.0.0.0') : a.host, port: a.port }
}
