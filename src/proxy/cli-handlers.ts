/**
 * The socket handlers of client connections, shared by every listener and both modes (the
 * session, or what stands for it, is in the socket's `data`): module-level, never per connection.
 */
import { clocked } from '../core/clock.ts'
import type { SockHandlers } from '../net/runtime.ts'
import type { ProxyHeaderWait } from './accept-proxy.ts'
import type { ClientSession } from './frontend.ts'

/** Every event goes to the session (the listener's `open` is the frontend's own). */
export const cliHandlers: Omit<SockHandlers<ClientSession>, 'open'> = {
  // One clock reading for all the timers and deadlines a chunk sets (core/clock.ts).
  data: clocked((s, chunk) => { s.data.onCliData(chunk) }),
  drain(s) { s.data.onCliDrain() },
  end(s) { s.data.onCliEnd() },
  close(s, error) { s.data.onCliClose(error) },
  error() {},
}

/** A connection whose TLS starts after its PROXY header (`bind … accept-proxy ssl`, or `ssl`
 *  with `expect-proxy` rules): until its handshake ends, `data` is the ProxyHeaderWait, which
 *  hears how it ended; then the session. */
export const tlsAfterHeaderHandlers: SockHandlers<ClientSession> = {
  ...cliHandlers,
  open(s) { (s.data as unknown as ProxyHeaderWait).tlsOpened(s) },
  handshakeError(s, e) { (s.data as unknown as ProxyHeaderWait).tlsFailed(e) },
}
