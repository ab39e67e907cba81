import { formatUnixPath } from '../model/address.ts'
import type { ListenTarget } from './types.ts'

/** The Error a failed bind throws: the address as configured, then the OS error. */
export function bindError(target: ListenTarget, e: unknown): Error {
  const where = target.kind === 'tcp' ? `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}` : target.kind === 'unix' ? formatUnixPath(target.path) : `fd@${target.fd}`
  const err = e as NodeJS.ErrnoException
  return new Error(`cannot bind ${where}: ${err.code ?? ''}${err.code ? ' ' : ''}${err.message}`)
}
