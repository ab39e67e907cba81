/**
 * A stream's unique id (`unique-id-format`): made once, on first use, from the frontend's format,
 * then the same for `%ID` in the log line and the UNIQUE_ID of a PROXY header sent to a server
 * (`proxy-v2-options unique-id`, send-proxy.ts). In `mode tcp` the session is the stream; in `mode
 * http` each request has its own. Without a format it is '' (HAProxy then sends an empty TLV).
 */
import type { StreamView } from '../rules/types.ts'
import type { Frontend } from './frontend.ts'

export function uniqueIdOf(fe: Frontend, st: StreamView & { uniqueId: string | undefined }): string {
  const f = fe.uniqueIdFormat
  if (f === null) return ''
  return (st.uniqueId ??= f(st))
}
