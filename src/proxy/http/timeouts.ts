/**
 * Which timeout runs in each state of a `mode http` session, as HAProxy applies them, and the
 * phase letter a session cut short in that state is logged with. The session arms its deadlines
 * from these (one Timer, http-session.ts); nothing here reads the clock.
 *
 *   client side                                   server side
 *   wait-req   http-request, else client          res-head, res-body  server
 *              (http-keep-alive between requests)  tunnel             tunnel, else server
 *   req-body   client                             other states        none (queue and connect
 *   tunnel     the backend's tunnel, else client                      have their own deadlines)
 *   otherwise  client while the client is slow to read what it is sent, else none
 */
import type { Timeouts } from '../../model/types.ts'
import type { TermPhase } from '../termination.ts'

export type CliState = 'wait-req' | 'req-body' | 'req-done' | 'tunnel' | 'closing' | 'closed'
export type SrvState = 'none' | 'queued' | 'connecting' | 'res-head' | 'res-body' | 'res-done' | 'tunnel'

/** What the timeouts depend on: the states of both sides, what waits for the client, the
 *  frontend's and the backend's timeouts. */
export interface TimeoutView {
  readonly cs: CliState
  readonly ss: SrvState
  readonly toCli: { readonly size: number }
  readonly fe: { readonly cfg: { readonly timeouts: Timeouts } }
  readonly st: { readonly be: { readonly cfg: { readonly timeouts: Timeouts } } | null }
}

/** `timeout http-request`, else `timeout client`: for a request head to arrive. */
export function requestTimeout(to: Timeouts): number | undefined {
  return to.httpRequest ?? to.client
}

/** `timeout http-keep-alive`, else the request timeout: for the next request to begin. */
export function keepAliveTimeout(to: Timeouts): number | undefined {
  return to.httpKeepAlive ?? to.httpRequest ?? to.client
}

/** The client-side timeout of any state but `wait-req` (whose clock runs from the request's
 *  first byte, not from the last event). */
export function clientTimeout(s: TimeoutView): number | undefined {
  const to = s.fe.cfg.timeouts
  switch (s.cs) {
    case 'req-body': return to.client
    case 'tunnel': return s.st.be?.cfg.timeouts.tunnel ?? to.client
    // Waiting for the server: the client has nothing to do unless it is slow to read.
    default: return s.toCli.size > 0 ? to.client : undefined
  }
}

export function serverTimeout(s: TimeoutView): number | undefined {
  const to = s.st.be?.cfg.timeouts
  if (s.ss === 'res-head' || s.ss === 'res-body') return to?.server
  if (s.ss === 'tunnel') return to?.tunnel ?? to?.server
  return undefined
}

/** Longest a client connection lingers after edgelb's own answer (see `lingerTimeout`). */
const LINGER_MAX = 1000

/** How long a client connection lingers after edgelb's own closing answer (an error, a 408):
 *  its FIN is sent and what the client still sends is read and dropped, so that the close is not
 *  a reset that could destroy the answer before the client read it (closing with unread input
 *  resets). `timeout client`, at most a second. */
export function lingerTimeout(to: Timeouts): number {
  return to.client === undefined || to.client > LINGER_MAX ? LINGER_MAX : to.client
}

/** `timeout tarpit` (the frontend's, else the backend's), else `timeout connect`, else 0. */
export function tarpitTimeout(s: TimeoutView): number {
  const to = s.fe.cfg.timeouts
  return to.tarpit ?? s.st.be?.cfg.timeouts.tarpit ?? to.connect ?? 0
}

/** The phase a session ended in its current states: Q, C, H, D, or R while the request is read. */
export function termPhase(s: TimeoutView): TermPhase {
  switch (s.ss) {
    case 'queued': return 'Q'
    case 'connecting': return 'C'
    case 'res-head': return 'H'
    case 'res-body':
    case 'tunnel': return 'D'
    default: return s.cs === 'wait-req' || s.cs === 'req-body' ? 'R' : 'D'
  }
}
